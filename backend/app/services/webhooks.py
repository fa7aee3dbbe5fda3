"""Webhooks: which events are delivered, the URL guard, signatures, and the delivery rows that
a transaction's household events become (written in that same transaction).

Sending is in ``webhooks_delivery``: a job per row, queued after the commit.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Webhook, WebhookDelivery
from . import clock

#: The live events of PRODUCT §5 and §9 to §11 that concern a household.
LIVE_EVENTS = (
    "record.created",
    "record.updated",
    "record.deleted",
    "records.imported",
    "meter.changed",
    "reading.created",
    "reading.updated",
    "reading.deleted",
    "readings.imported",
    "tariff.changed",
    "bill.created",
    "bill.updated",
    "bill.deleted",
    "household.changed",
    "member.changed",
)
#: The alert kinds of PRODUCT §12, each also published as an event of the same name.
ALERT_EVENTS = (
    "budget.threshold",
    "budget.forecast",
    "usage.anomaly",
    "reading.overdue",
    "token.expiring",
    "invitation.accepted",
)
#: What a webhook may subscribe to.
EVENTS = LIVE_EVENTS + ALERT_EVENTS
#: Sent by ``POST .../webhooks/{id}/test`` whatever the webhook subscribes to.
TEST_EVENT = "webhook.test"

SECRET_PREFIX = "whsec_"
_DONE = "meterbook.webhooks_dispatched"
_NEW = "meterbook.webhooks_new"


class UrlRefused(ValueError):
    """A webhook URL that may not be called (scheme, resolution or address)."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the addresses checked, never resolved again) and what to ask."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def new_secret() -> str:
    return SECRET_PREFIX + uuid.uuid4().hex + uuid.uuid4().hex[:8]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Meterbook-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` of ``"<t>.<body>"``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def address_problem(address: str) -> str | None:
    """Why an address may not be called (None: a public address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for flag in ("loopback", "private", "link_local", "unspecified", "multicast", "reserved"):
        if getattr(ip, f"is_{flag}"):
            return f"resolves to a {flag.replace('_', '-')} address ({ip})"
    if not ip.is_global:  # shared address space (100.64.0.0/10) and the like
        return f"resolves to a non-public address ({ip})"
    return None


def split_url(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of an http(s) URL; ValueError for anything else."""
    parts = urlsplit(url)  # ValueError for a malformed IPv6 literal
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain a user name or password")
    if not parts.hostname:
        raise ValueError("must name a host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ValueError("has an invalid port") from None
    if port == 0:
        raise ValueError("has an invalid port")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port, path


def check_url(url: str) -> Target:
    """Resolve a webhook URL and check every address it resolves to (UrlRefused otherwise).

    Creation and every delivery call this, and a delivery connects only to the addresses
    checked here, so a name that resolves differently a moment later changes nothing."""
    config = current_app.config
    try:
        scheme, host, port, path = split_url(url)
    except ValueError as exc:
        raise UrlRefused(str(exc)) from None
    if scheme == "http" and not config["WEBHOOK_ALLOW_HTTP"]:
        raise UrlRefused("must be an https URL")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UrlRefused(f"host {host!r} could not be resolved") from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UrlRefused(f"host {host!r} could not be resolved")
    if not config["WEBHOOK_ALLOW_PRIVATE"]:
        for address in addresses:
            if problem := address_problem(address):
                raise UrlRefused(problem)
    return Target(scheme, host, port, path, addresses)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def payload(delivery_id: str, type_: str, household_id: int, data: dict[str, Any]) -> str:
    """The body of a delivery, exactly as it is signed and sent."""
    body = {
        "id": delivery_id,
        "type": type_,
        "household_id": household_id,
        "created_at": clock.now().isoformat(),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), default=_json_default)


def add_delivery(session: Session, webhook: Webhook, type_: str, data: dict[str, Any]) -> WebhookDelivery:
    """Add a pending delivery to the session; it is sent after the commit."""
    delivery_id = str(uuid.uuid4())
    delivery = WebhookDelivery(
        webhook_id=webhook.id,
        event=type_,
        delivery_id=delivery_id,
        payload=payload(delivery_id, type_, webhook.household_id, data),
        attempt=0,
        status="pending",
        created_at=clock.now(),
        next_attempt_at=clock.now(),
    )
    session.add(delivery)
    session.info.setdefault(_NEW, []).append(delivery)
    return delivery


def _subscribers(session: Session, household_id: int) -> list[Webhook]:
    return list(
        session.scalars(
            select(Webhook).where(Webhook.household_id == household_id, Webhook.enabled.is_(True)).order_by(Webhook.id)
        )
    )


def record_deliveries(session: Session, pending: list[tuple[str, dict[str, Any]]]) -> list[int]:
    """Turn the household events queued in this transaction into delivery rows, in it, and
    answer the ids of every delivery added since the last call (events and tests alike).

    Called before each commit; events already turned into rows by an earlier call of the same
    transaction (a savepoint) are skipped. Internal events (session and membership re-checks)
    are not in ``EVENTS``, so they are never delivered."""
    start = session.info.get(_DONE, 0)
    session.info[_DONE] = len(pending)
    hooks: dict[int, list[Webhook]] = {}
    for key, message in pending[start:]:
        kind, _, value = key.partition(":")
        type_ = message.get("type")
        if kind != "household" or not value.isdigit() or type_ not in EVENTS:
            continue
        household_id = int(value)
        if household_id not in hooks:
            hooks[household_id] = _subscribers(session, household_id)
        data = {name: value for name, value in message.items() if name not in ("type", "household_id")}
        for webhook in hooks[household_id]:
            if type_ in webhook.events:
                add_delivery(session, webhook, type_, data)
    added = session.info.pop(_NEW, None)
    if not added:
        return []
    session.flush()
    return [delivery.id for delivery in added]


def forget(session: Session) -> None:
    """The transaction ended (committed or rolled back): the next one starts afresh."""
    session.info.pop(_DONE, None)
    session.info.pop(_NEW, None)


def subscribed(events: Iterable[str]) -> list[str]:
    """Subscribed events in the documented order, without repeats."""
    wanted = set(events)
    return [name for name in EVENTS if name in wanted]

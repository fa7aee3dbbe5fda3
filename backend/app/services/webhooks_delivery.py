"""Sending webhook deliveries: claim a row, POST it signed, record the outcome, retry on schedule.

A delivery row is claimed by one conditional UPDATE (its attempt number and due time must be
the ones read), which also moves its due time past the attempt's timeout: two workers given the
same row send it once, and a worker that dies mid-send leaves a row the sweep finds overdue.
Nothing here runs inside an API request; no transaction is open while the receiver is called.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select, update

from ..extensions import db
from ..models import Household, Membership, OutboxMessage, User, Webhook, WebhookDelivery
from . import clock
from .webhooks import Target, UrlRefused, check_url, sign, take_new

__all__ = ["RETRY_DELAYS", "deliver", "due", "enqueue", "take_new"]

log = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd, … 6th attempt; after the 6th failure a delivery is failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Failed attempts in a row (any of the webhook's deliveries) that disable a webhook.
DISABLE_AFTER = 20
USER_AGENT = "Meterbook-Webhooks/1"
ERROR_LENGTH = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def enqueue(delivery_ids: Iterable[int]) -> None:
    """Queue a send for each delivery (after the commit that wrote them).

    Until the queue runs them, rows stay pending and ``due()`` (the sweep) finds them."""
    for delivery_id in delivery_ids:
        log.debug("webhook delivery %s pending", delivery_id)


def due(limit: int = 500) -> list[int]:
    """Pending deliveries whose attempt is due (the sweep queues these again)."""
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= clock.now())
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


def _claim(delivery: WebhookDelivery, lease: timedelta) -> int | None:
    """Take the row for one attempt; the attempt's number, or None when it is not ours to send."""
    attempt = delivery.attempt + 1
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.attempt == delivery.attempt,
            WebhookDelivery.next_attempt_at <= clock.now(),
        )
        .values(attempt=attempt, next_attempt_at=clock.now() + lease)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return attempt if getattr(claimed, "rowcount", 0) == 1 else None


def deliver(delivery_id: int) -> bool:
    """Make one attempt at a due delivery; True when this call sent it and it was delivered.

    Safe to call twice, or for a row that is not due: only the caller whose claim succeeds sends."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending" or delivery.next_attempt_at is None:
        db.session.rollback()
        return False
    if delivery.next_attempt_at > clock.now():
        db.session.rollback()
        return False
    webhook = db.session.get(Webhook, delivery.webhook_id)
    assert webhook is not None  # deliveries go with their webhook
    if not webhook.enabled:
        _finish(delivery.id, delivery.attempt, "failed", Outcome(None, "the webhook is disabled"), None)
        return False
    timeout = float(current_app.config["WEBHOOK_TIMEOUT"])
    attempt = _claim(delivery, timedelta(seconds=timeout * 3 + 60))
    if attempt is None:
        return False
    url, secret, body = webhook.url, webhook.secret, delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Meterbook-Event": delivery.event,
        "Meterbook-Delivery": delivery.delivery_id,
    }
    db.session.rollback()  # nothing held while the receiver answers
    try:
        target = check_url(url)
    except UrlRefused as exc:
        outcome = Outcome(None, f"refused: {exc}")
    else:
        headers["Meterbook-Signature"] = sign(secret, int(clock.now().timestamp()), body)
        outcome = post(target, body, headers, timeout)
    return _record(delivery_id, attempt, outcome)


def _record(delivery_id: int, attempt: int, outcome: Outcome) -> bool:
    now = clock.now()
    if outcome.ok:
        if _finish(delivery_id, attempt, "delivered", outcome, now):
            _count(delivery_id, success=True)
        return True
    if attempt >= MAX_ATTEMPTS:
        finished = _finish(delivery_id, attempt, "failed", outcome, None)
    else:
        finished = _finish(delivery_id, attempt, "pending", outcome, now + RETRY_DELAYS[attempt - 1])
    if finished:
        _count(delivery_id, success=False)
    return False


def _finish(delivery_id: int, attempt: int, status: str, outcome: Outcome, when: datetime | None) -> bool:
    """Write an attempt's outcome, if the row is still at that attempt (a stale worker writes nothing)."""
    values: dict[str, Any] = {"status": status, "status_code": outcome.status_code, "error": outcome.error}
    if status == "delivered":
        values.update(delivered_at=when, next_attempt_at=None)
    else:
        values["next_attempt_at"] = when
    written = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.attempt == attempt,
            WebhookDelivery.status == "pending",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return getattr(written, "rowcount", 0) == 1


def _count(delivery_id: int, success: bool) -> None:
    """Keep the webhook's run of failed attempts; the 20th in a row disables it and tells the owners."""
    webhook_id = db.session.scalar(select(WebhookDelivery.webhook_id).where(WebhookDelivery.id == delivery_id))
    if webhook_id is None:
        return
    if success:
        db.session.execute(update(Webhook).where(Webhook.id == webhook_id).values(consecutive_failures=0))
        db.session.commit()
        return
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(consecutive_failures=Webhook.consecutive_failures + 1)
        .execution_options(synchronize_session=False)
    )
    # Only the update that turns it off notifies: two workers cannot both do it.
    disabled = db.session.execute(
        update(Webhook)
        .where(
            Webhook.id == webhook_id,
            Webhook.enabled.is_(True),
            Webhook.consecutive_failures >= DISABLE_AFTER,
        )
        .values(enabled=False)
        .execution_options(synchronize_session=False)
    )
    if getattr(disabled, "rowcount", 0) == 1:
        webhook = db.session.get(Webhook, webhook_id)
        assert webhook is not None
        _tell_owners(webhook)
    db.session.commit()


def owners_of(household_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.household_id == household_id, Membership.role == "owner")
            .order_by(User.id)
        )
    )


DISABLED_SUBJECT = "A Meterbook webhook was turned off"


def _tell_owners(webhook: Webhook) -> None:
    """E-mail the household's owners that a webhook was disabled (in the caller's transaction)."""
    household = db.session.get(Household, webhook.household_id)
    assert household is not None
    context = {
        "url": webhook.url,
        "household": household.name,
        "failures": DISABLE_AFTER,
        "link": f"{current_app.config['FRONTEND_URL']}/households/{webhook.household_id}",
    }
    for owner in owners_of(webhook.household_id):
        db.session.add(
            OutboxMessage(
                kind="webhook_disabled",
                recipient=owner.email,
                subject=DISABLED_SUBJECT,
                text_body=render_template("email/webhook_disabled.txt", name=owner.name, **context),
                html_body=render_template("email/webhook_disabled.html", name=owner.name, **context),
                next_attempt_at=clock.now(),
            )
        )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked addresses only; the Host header still names the host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def _open(self) -> socket.socket:
        error: OSError | None = None
        for address in self.addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target, timeout)
        self.context = ssl.create_default_context()

    def connect(self) -> None:
        # The certificate is checked against the host name, on a socket opened to a checked address.
        self.sock = self.context.wrap_socket(self._open(), server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to a checked target; redirects are answers like any other (not followed)."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, timeout)
    deadline = time.monotonic() + timeout
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # a little of the answer, never more, within the timeout
        if time.monotonic() > deadline:
            return Outcome(None, f"timed out after {timeout:g} s")
        if 200 <= response.status < 300:
            return Outcome(response.status, None)
        return Outcome(response.status, f"HTTP {response.status} {response.reason}"[:ERROR_LENGTH])
    except TimeoutError:
        return Outcome(None, f"timed out after {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:ERROR_LENGTH])
    finally:
        connection.close()

"""Webhooks of a household (owners only): create, list, change, delete, test, delivery log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ...errors import Conflict, InvalidField, NotFound
from ...extensions import db
from ...models import User, Webhook, WebhookDelivery
from ...services import clock, webhooks
from . import access
from .webhooks_schemas import WebhookCreate, WebhookUpdate

LOG_SIZE = 100


def _checked(url: str) -> str:
    try:
        webhooks.check_url(url)
    except webhooks.UrlRefused as exc:
        raise InvalidField("url", str(exc), "url_refused") from None
    return url


def _get(household_id: int, webhook_id: int) -> Webhook:
    access.known_id(webhook_id, "Webhook")
    webhook = db.session.scalars(
        select(Webhook).where(Webhook.household_id == household_id, Webhook.id == webhook_id)
    ).first()
    if webhook is None:
        raise NotFound("Webhook")
    return webhook


def create(user: User, household_id: int, data: WebhookCreate) -> dict[str, Any]:
    access.require(user, household_id, "owner")
    webhook = Webhook(
        household_id=household_id,
        url=_checked(data.url),
        events=data.events,
        description=data.description,
        secret=webhooks.new_secret(),
        enabled=True,
        consecutive_failures=0,
        created_by=user.id,
        created_at=clock.now(),
    )
    db.session.add(webhook)
    db.session.commit()
    return {**_view(webhook), "secret": webhook.secret}


def _view(webhook: Webhook) -> dict[str, Any]:
    return {
        name: getattr(webhook, name)
        for name in ("id", "url", "events", "description", "enabled", "consecutive_failures", "created_at")
    }


def list_webhooks(user: User, household_id: int) -> list[Webhook]:
    access.require(user, household_id, "owner")
    return list(db.session.scalars(select(Webhook).where(Webhook.household_id == household_id).order_by(Webhook.id)))


def get(user: User, household_id: int, webhook_id: int) -> Webhook:
    access.require(user, household_id, "owner")
    return _get(household_id, webhook_id)


def update(user: User, household_id: int, webhook_id: int, data: WebhookUpdate) -> Webhook:
    access.require(user, household_id, "owner")
    webhook = _get(household_id, webhook_id)
    if data.url is not None and data.url != webhook.url:
        webhook.url = _checked(data.url)
    if data.events is not None:
        webhook.events = data.events
    if data.description is not None:
        webhook.description = data.description
    if data.enabled is not None and data.enabled != webhook.enabled:
        webhook.enabled = data.enabled
        webhook.consecutive_failures = 0
    db.session.commit()
    return webhook


def remove(user: User, household_id: int, webhook_id: int) -> None:
    access.require(user, household_id, "owner")
    _get(household_id, webhook_id)
    db.session.execute(delete(Webhook).where(Webhook.household_id == household_id, Webhook.id == webhook_id))
    db.session.commit()


def send_test(user: User, household_id: int, webhook_id: int) -> WebhookDelivery:
    """Queue a ``webhook.test`` delivery (sent by a job after the commit)."""
    access.require(user, household_id, "owner")
    webhook = _get(household_id, webhook_id)
    if not webhook.enabled:
        raise Conflict("The webhook is turned off; turn it on to send to it.")
    delivery = webhooks.add_delivery(db.session(), webhook, webhooks.TEST_EVENT, {"webhook_id": webhook.id})
    db.session.commit()
    return delivery


def deliveries(user: User, household_id: int, webhook_id: int) -> list[WebhookDelivery]:
    access.require(user, household_id, "owner")
    webhook = _get(household_id, webhook_id)
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_SIZE)
        )
    )

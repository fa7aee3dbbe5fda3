"""Sending webhook deliveries as jobs: claim a row, POST it signed, record the outcome, retry on
schedule (docs/webhooks.md).

The rows are written before the commit of the change that raised the events (the commit hook
below) and a ``send_delivery`` job per row is queued after it. A row is claimed by one
conditional UPDATE (its attempt number and due time must be the ones read), which also moves
its due time past the attempt's timeout: two workers given the same row send it once, and a
worker that dies mid-send leaves a row the minute round finds overdue and queues again.
Nothing here runs inside an API request; no transaction is open while the receiver is called.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session as OrmSession

from ..extensions import db
from ..jobs import enqueue, enqueue_after_commit, enqueue_at, job, periodic_sweep
from ..models import Webhook, WebhookDelivery
from . import clock, events, notifications, webhooks
from .webhooks import UrlRefused, check_url, sign
from .webhooks_http import Outcome, post

__all__ = ["DISABLE_AFTER", "RETRY_DELAYS", "deliver", "due", "init_webhooks", "send_delivery"]

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
DISABLED_KIND = "webhook.disabled"


@job(retries=3, retry_delay=30)
def send_delivery(delivery_id: int) -> None:
    """One attempt at a webhook delivery (a failed attempt schedules the next one itself)."""
    deliver(delivery_id)


def _before_commit(session: OrmSession) -> None:
    for delivery_id in webhooks.record_deliveries(session, events.queued(session)):
        if has_app_context():
            enqueue_after_commit(send_delivery, delivery_id)


def _forget(session: OrmSession, *_: object) -> None:
    webhooks.forget(session)


def init_webhooks(app: Flask) -> None:
    """Household events become webhook deliveries in the transaction that raised them."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_soft_rollback", _forget)


def due(within: timedelta = timedelta(0), limit: int = 500) -> list[tuple[int, datetime]]:
    """Pending deliveries whose attempt is due within ``within``, with their due time."""
    rows = db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= clock.now() + within)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    return [(delivery_id, due_at) for delivery_id, due_at in rows]


@periodic_sweep(every="minute")
def requeue_webhook_deliveries() -> None:
    """Queue every delivery due within the minute: jobs lost with a killed worker, claims whose
    worker died, and rows written while the queue's store was down."""
    now = clock.now()
    for delivery_id, due_at in due(timedelta(minutes=1)):
        if due_at <= now:
            enqueue(send_delivery, delivery_id)
        else:
            enqueue_at(send_delivery, due_at, delivery_id)


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
        next_at = now + RETRY_DELAYS[attempt - 1]
        finished = _finish(delivery_id, attempt, "pending", outcome, next_at)
        if finished:
            enqueue_at(send_delivery, next_at, delivery_id)
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


def _tell_owners(webhook: Webhook) -> None:
    """Notify the household's owners (in the caller's transaction; e-mailed per their preferences)."""
    notifications.notify(
        webhook.household_id,
        DISABLED_KIND,
        "A webhook was turned off",
        f"{webhook.url} failed {DISABLE_AFTER} times in a row and was turned off. Check the receiver, "
        "then turn the webhook on again.",
        {"webhook_id": webhook.id, "url": webhook.url, "failures": DISABLE_AFTER},
        link=f"/households/{webhook.household_id}",
    )

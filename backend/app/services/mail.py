"""E-mail through an outbox: written with the change, sent by a job once that commits,
retried with backoff; the minute sweep re-enqueues whatever a lost job left (docs/jobs.md)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import func, select, update

from ..extensions import db, mail
from ..jobs import enqueue, enqueue_after_commit, enqueue_at, job, periodic_sweep
from ..models import OutboxMessage
from . import clock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
REQUEUE_BATCH = 500
SUBJECTS = {
    "verify_email": "Confirm your e-mail address",
    "reset_password": "Reset your Meterbook password",
    "password_changed": "Your Meterbook password was changed",
    "invitation": "You are invited to a Meterbook household",
}


def backoff(attempts: int) -> timedelta:
    """Wait 30 s, 1 min, 2 min, ... up to an hour between attempts."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def frontend_link(path: str, token: str) -> str:
    return f"{current_app.config['FRONTEND_URL']}/{path}?token={token}"


def queue(kind: str, recipient: str, **context: Any) -> OutboxMessage:
    """Add a message to the outbox in the current transaction; it is sent once that commits."""
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=SUBJECTS[kind],
        text_body=render_template(f"email/{kind}.txt", **context),
        html_body=render_template(f"email/{kind}.html", **context),
        next_attempt_at=clock.now(),
    )
    return add(message)


def add(message: OutboxMessage) -> OutboxMessage:
    """Write a rendered message to the outbox in the current transaction; its delivery job is
    queued once that commits."""
    db.session.add(message)
    db.session.flush()
    enqueue_after_commit(deliver_message, message.id)
    return message


def _send(message: OutboxMessage) -> None:
    if not current_app.config.get("MAIL_SERVER"):
        log.info(
            "e-mail (console delivery) to=%s subject=%r\n%s",
            message.recipient,
            message.subject,
            message.text_body,
            extra={"verbatim": True},  # the text is ours; its one user field is a single line
        )
        return
    mail.send(
        Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.text_body,
            html=message.html_body,
            sender=current_app.config["MAIL_DEFAULT_SENDER"],
        )
    )


def lease() -> timedelta:
    """How long a claimed message is left alone by other workers (a killed worker's claim runs out)."""
    return timedelta(seconds=float(current_app.config.get("OUTBOX_LEASE_SECONDS", 120)))


def _claim(message_id: int) -> bool:
    """Take a due message for sending; only one process wins the race for it (one UPDATE)."""
    now = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .values(next_attempt_at=now + lease())
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def deliver_one(message_id: int) -> bool:
    """Send one message if it is due and nobody else holds it; whether it was sent now.

    Idempotent: a sent message, one another worker has claimed, or one not due yet is left
    alone. A failure counts an attempt, sets the next one by backoff and schedules it."""
    if not _claim(message_id):
        return False
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return False
    try:
        _send(message)
    except Exception as exc:  # any SMTP or network failure: retry later
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
        message.next_attempt_at = clock.now() + backoff(message.attempts)
        log.warning(
            "e-mail %s to %s failed (attempt %d), retrying at %s: %s",
            message.id,
            message.recipient,
            message.attempts,
            message.next_attempt_at.isoformat(),
            message.last_error,
        )
        retry_at = message.next_attempt_at if message.attempts < MAX_ATTEMPTS else None
        db.session.commit()
        if retry_at is not None:
            enqueue_at(deliver_message, retry_at, message_id)
        return False
    message.attempts += 1
    message.sent_at = clock.now()
    message.last_error = None
    db.session.commit()
    return True


@job(retries=0)  # attempts and backoff live in the outbox row
def deliver_message(message_id: int) -> None:
    """Send one outbox message (queued when the transaction that wrote it commits)."""
    deliver_one(message_id)


def _due(before: datetime, limit: int) -> list[tuple[int, datetime]]:
    """(id, due time) of the unsent messages due by ``before``, oldest first."""
    return [
        (row.id, row.next_attempt_at)
        for row in db.session.execute(
            select(OutboxMessage.id, OutboxMessage.next_attempt_at)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at <= before,
                OutboxMessage.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    ]


def deliver_due(limit: int = 50) -> int:
    """Send every message whose time has come, here and now; returns how many were sent."""
    return sum(deliver_one(message_id) for message_id, _ in _due(clock.now(), limit))


@periodic_sweep(every="minute")
def requeue_outbox() -> None:
    """Enqueue every message due now or within the minute, at its due time: a message whose
    job was lost (a killed worker, a store that did not answer) is sent at the next round."""
    now = clock.now()
    for message_id, due in _due(now + timedelta(seconds=60), REQUEUE_BATCH):
        if due <= now:
            enqueue(deliver_message, message_id)
        else:
            enqueue_at(deliver_message, due, message_id)


def pending_count() -> int:
    return int(db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) or 0)

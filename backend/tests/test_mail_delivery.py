"""E-mail never fails the request: an SMTP server that refuses mail, retries with backoff.
The worker process delivering it is tested in tests/jobs/test_worker_process.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from tests.factories import create_user
from tests.smtp import Mailbox, link_token


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def test_refused_mail_keeps_the_request_successful_and_is_retried_with_backoff(
    client: Any, app: Flask, mailbox: Mailbox, send_mail: Any, clock: Any
) -> None:
    create_user(app, "retry@example.com")
    mailbox.refuse = True
    response = client.post("/api/auth/forgot-password", json={"email": "retry@example.com"})
    assert response.status_code == 202

    assert send_mail() == 0
    [message] = outbox(app)
    assert (message.kind, message.recipient, message.attempts, message.sent_at) == (
        "reset_password",
        "retry@example.com",
        1,
        None,
    )
    assert message.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert message.last_error is not None and "Try again later" in message.last_error

    # Not due yet: nothing is tried.
    clock.advance(seconds=29)
    assert send_mail() == 0
    assert outbox(app)[0].attempts == 1

    # Still refusing at the second attempt: the wait doubles.
    clock.advance(seconds=1)
    assert send_mail() == 0
    [message] = outbox(app)
    assert message.attempts == 2
    assert message.next_attempt_at == clock.now() + timedelta(seconds=60)
    assert mailbox.messages == []

    mailbox.refuse = False
    clock.advance(seconds=60)
    assert send_mail() == 1
    [delivered] = mailbox.messages
    assert delivered["To"] == "retry@example.com"
    assert delivered["Subject"] == "Reset your Meterbook password"
    link_token(delivered, "reset-password")
    [message] = outbox(app)
    assert (message.attempts, message.sent_at, message.last_error) == (3, clock.now(), None)
    assert send_mail() == 0  # sent exactly once

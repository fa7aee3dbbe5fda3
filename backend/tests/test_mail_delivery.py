"""E-mail never fails the request: an SMTP server that refuses mail, retries, the after-response worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from app.extensions import db
from app.models import OutboxMessage
from tests.factories import create_user
from tests.http import call
from tests.pg import free_port
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


@pytest.fixture
def http_app(make_app: Any, app: Flask) -> Iterator[str]:
    """A real HTTP server running an app whose outbox worker sends mail after each response."""
    served = make_app(OUTBOX_DELIVERY="thread", OUTBOX_INTERVAL=0.2)
    port = free_port()
    server: BaseWSGIServer = make_server("127.0.0.1", port, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(5)
        served.extensions["meterbook.outbox"].stop()


def post(url: str, payload: dict[str, Any]) -> tuple[int, Any]:
    reply = call("POST", url, payload)
    return reply.status, reply.body


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_worker_sends_after_the_response_and_retries_a_refused_message(
    http_app: str, app: Flask, mailbox: Mailbox, clock: Any
) -> None:
    base = http_app
    create_user(app, "worker@example.com")

    status, body = post(f"{base}/api/auth/forgot-password", {"email": "worker@example.com"})
    assert (status, body) == (202, {"message": "If the address belongs to an account, a message is on its way."})
    [message] = mailbox.wait_for(1)
    assert message["To"] == "worker@example.com"
    wait_until(lambda: outbox(app)[0].sent_at is not None)

    mailbox.refuse = True
    status, _ = post(f"{base}/api/auth/forgot-password", {"email": "worker@example.com"})
    assert status == 202
    wait_until(lambda: outbox(app)[1].attempts == 1)
    assert outbox(app)[1].sent_at is None
    assert len(mailbox.messages) == 1

    mailbox.refuse = False
    clock.advance(seconds=31)  # the worker's next round finds the message due
    assert len(mailbox.wait_for(2)) == 2
    wait_until(lambda: outbox(app)[1].sent_at is not None)
    assert outbox(app)[1].attempts == 2

"""E-mail through an outbox: queued with the change, sent after the response, retried on failure."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, render_template
from flask_mail import Message
from sqlalchemy import select, update

from ..extensions import db, mail
from ..models import OutboxMessage
from . import clock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
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
    db.session.add(message)
    if has_request_context():
        g.outbox_pending = True
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


def _claim(message_id: int, due_at: Any) -> bool:
    """Take a message for sending; only one process wins the race for it."""
    now = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at == due_at,
        )
        .values(next_attempt_at=now + LEASE)
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def deliver_due(limit: int = 50) -> int:
    """Send every message whose time has come; returns how many were sent."""
    now = clock.now()
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.next_attempt_at)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for message_id, due_at in due:
        if not _claim(message_id, due_at):
            continue
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            continue
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
        else:
            message.attempts += 1
            message.sent_at = clock.now()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent


def pending_count() -> int:
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) or 0)


def _deliver_in_context(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_due()
        except Exception:
            log.exception("outbox delivery failed")
            db.session.rollback()


class OutboxWorker:
    """A daemon thread that retries due messages; one per process, started on first use."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def ensure_started(self) -> None:
        with self.lock:
            if self.stopping.is_set():
                return
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="outbox", daemon=True)
                self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the current round and end the thread (for shutdown and tests)."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            if self.stopping.is_set():
                break
            _deliver_in_context(self.app)


def init_mail(app: Flask) -> None:
    mode = app.config.get("OUTBOX_DELIVERY", "thread")
    interval = float(app.config.get("OUTBOX_INTERVAL", 15))
    worker = OutboxWorker(app, interval) if mode == "thread" else None
    app.extensions["meterbook.outbox"] = worker

    @app.after_request
    def _send_after_response(response: Response) -> Response:
        if g.pop("outbox_pending", False):
            if worker is not None:
                worker.ensure_started()
                response.call_on_close(worker.wake.set)
            elif mode == "sync":
                response.call_on_close(lambda: _deliver_in_context(app))
        return response

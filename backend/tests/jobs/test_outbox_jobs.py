"""The outbox's delivery job: idempotent, claimed in SQL, rescheduled after a failure, and
re-enqueued by the minute round."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from flask import Flask

from app.extensions import db
from app.jobs import queue_of
from app.models import OutboxMessage
from app.services import clock as clock_service
from app.services import mail
from tests.factories import create_user
from tests.smtp import Mailbox


def queued(app: Flask) -> list[tuple[str, tuple[Any, ...], Any]]:
    """The queue's tasks with their start time (None: at once). A task for later waits in the
    queue until a worker takes it and moves it to the schedule."""
    huey = queue_of(app).huey
    return [(type(task).__name__, task.args, task.eta) for task in huey.pending()]


def one_message(app: Flask) -> int:
    with app.app_context():
        message = mail.add(
            OutboxMessage(
                kind="test",
                recipient="one@example.com",
                subject="s",
                text_body="t",
                html_body="<p>t</p>",
                next_attempt_at=clock_service.now(),
            )
        )
        db.session.commit()
        return int(message.id)


def test_a_message_is_queued_after_its_commit_and_the_job_sends_it_once(
    app: Flask, make_app: Any, mailbox: Mailbox
) -> None:
    api = make_app()
    message_id = one_message(api)
    assert queued(api) == [("deliver_message", (message_id,), None)]
    with api.app_context():
        mail.deliver_message(message_id)
        mail.deliver_message(message_id)  # the job run twice: the second finds it sent
    assert len(mailbox.messages) == 1


def test_two_workers_claiming_one_message_at_once_send_it_once(app: Flask, mailbox: Mailbox) -> None:
    message_id = one_message(app)
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            results.append(mail.deliver_one(message_id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, True]
    assert len(mailbox.messages) == 1


def test_a_refused_message_is_scheduled_for_its_next_attempt(
    app: Flask, make_app: Any, mailbox: Mailbox, clock: Any
) -> None:
    api = make_app()
    message_id = one_message(api)
    queue_of(api).huey.flush()
    mailbox.refuse = True
    with api.app_context():
        mail.deliver_message(message_id)
        row = db.session.get(OutboxMessage, message_id)
        assert row is not None and row.attempts == 1
    retry_at = (clock.now() + timedelta(seconds=30)).replace(tzinfo=None)
    assert queued(api) == [("deliver_message", (message_id,), retry_at)]


def test_the_minute_round_enqueues_due_messages_now_and_soon_due_ones_at_their_time(
    app: Flask, make_app: Any, clock: Any
) -> None:
    create_user(app)
    api = make_app()
    due_id = one_message(api)
    soon_id = one_message(api)
    later_id = one_message(api)
    sent_id = one_message(api)
    with api.app_context():
        for message_id, offset in ((soon_id, 45), (later_id, 61)):
            row = db.session.get(OutboxMessage, message_id)
            assert row is not None
            row.next_attempt_at = clock.now() + timedelta(seconds=offset)
        sent = db.session.get(OutboxMessage, sent_id)
        assert sent is not None
        sent.sent_at = clock.now()
        db.session.commit()
    queue_of(api).huey.flush()
    with api.app_context():
        mail.requeue_outbox()
    assert queued(api) == [
        ("deliver_message", (due_id,), None),
        ("deliver_message", (soon_id,), (clock.now() + timedelta(seconds=45)).replace(tzinfo=None)),
    ]

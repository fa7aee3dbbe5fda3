"""The worker as a real process: the outbox delivered over SMTP on the SQLite and the Redis
store, a worker SIGKILLed mid-job and restarted (the message is sent exactly once), and a
store that is down while the API queues work (the request succeeds, the mail goes out later)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from tests.conftest import TEST_SECRETS
from tests.factories import create_user
from tests.pg import free_port
from tests.redis_server import RedisServer
from tests.smtp import Mailbox, SMTPServer

from .worker_process import WorkerProcess, wait_until

pytestmark = pytest.mark.slow


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def start_worker(app: Flask, database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> Iterator[Any]:
    """Start ``flask jobs worker`` processes on the test database; all stopped at the end."""
    workers: list[WorkerProcess] = []

    def start(jobs_url: str, **flask_keys: Any) -> WorkerProcess:
        worker = WorkerProcess(
            env={
                "APP_ENV": "testing",
                "DATABASE_URL": database_url,
                "JOBS_URL": jobs_url,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp_server.port),
                "RATELIMIT_ENABLED": "false",
                "LOG_LEVEL": "INFO",
                **TEST_SECRETS,
            },
            log=tmp_path / f"worker-{len(workers)}.log",
            flask_keys=flask_keys,
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def forgot_password(api: Flask, email: str) -> None:
    response = api.test_client().post("/api/auth/forgot-password", json={"email": email})
    assert response.status_code == 202


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_the_worker_process_delivers_the_outbox(
    store: str, app: Flask, make_app: Any, start_worker: Any, mailbox: Mailbox, tmp_path: Path, request: Any
) -> None:
    jobs_url = f"sqlite:///{tmp_path / 'jobs.db'}" if store == "sqlite" else request.getfixturevalue("redis_url")
    api = make_app(JOBS_URL=jobs_url)
    if store == "redis":
        queue = api.extensions["meterbook.jobs"]
        queue.huey.flush()
        queue.huey.storage.flush_counters()
    worker = start_worker(jobs_url)
    worker.wait_ready(api)
    create_user(app, "process@example.com")

    forgot_password(api, "process@example.com")
    [message] = mailbox.wait_for(1, timeout=20)
    assert message["To"] == "process@example.com"
    assert message["Subject"] == "Reset your Meterbook password"
    wait_until(lambda: outbox(app)[0].sent_at is not None, 10, worker.why)
    [row] = outbox(app)
    assert (row.attempts, row.last_error) == (1, None)

    # The worker counted it where the API reads it.
    metrics = api.test_client().get("/metrics").get_data(as_text=True)
    assert 'meterbook_jobs_succeeded_total{job="app.services.mail.deliver_message"} 1.0' in metrics
    assert 'meterbook_jobs_queued{state="waiting"} 0.0' in metrics
    time.sleep(1)
    assert len(mailbox.messages) == 1


def test_a_worker_killed_mid_job_leaves_the_mail_to_its_successor_which_sends_it_once(
    app: Flask, make_app: Any, start_worker: Any, mailbox: Mailbox, tmp_path: Path
) -> None:
    jobs_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    api = make_app(JOBS_URL=jobs_url)
    first = start_worker(jobs_url, OUTBOX_LEASE_SECONDS=3)
    first.wait_ready(api)
    create_user(app, "killed@example.com")

    mailbox.delay = 30  # the SMTP server holds the recipient: the job is caught mid-send
    forgot_password(api, "killed@example.com")
    wait_until(lambda: mailbox.recipients_offered == 1, 20, first.why)
    first.kill()
    mailbox.delay = 0
    [row] = outbox(app)
    assert (row.sent_at, row.attempts) == (None, 0)  # claimed (leased), not sent, not failed
    assert mailbox.messages == []
    assert api.extensions["meterbook.jobs"].depth() == (0, 0)  # the job died with its worker

    second = start_worker(jobs_url, OUTBOX_LEASE_SECONDS=3)
    second.wait_ready(api)
    # Its first minute round finds the leased message and schedules it for when the lease ends.
    [message] = mailbox.wait_for(1, timeout=20)
    assert message["To"] == "killed@example.com"
    wait_until(lambda: outbox(app)[0].sent_at is not None, 10, second.why)
    [row] = outbox(app)
    assert row.attempts == 1
    time.sleep(2)
    assert len(mailbox.messages) == 1


def test_a_worker_stopped_with_sigterm_gives_its_running_job_back(
    app: Flask, make_app: Any, start_worker: Any, mailbox: Mailbox, tmp_path: Path
) -> None:
    jobs_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    api = make_app(JOBS_URL=jobs_url)
    first = start_worker(jobs_url, OUTBOX_LEASE_SECONDS=3)
    first.wait_ready(api)
    create_user(app, "term@example.com")

    mailbox.delay = 30
    forgot_password(api, "term@example.com")
    wait_until(lambda: mailbox.recipients_offered == 1, 20, first.why)
    first.terminate()
    mailbox.delay = 0
    queue = api.extensions["meterbook.jobs"]
    assert queue.depth() == (1, 0)  # back in the queue, not lost
    assert queue.counters()[("interrupted", "app.services.mail.deliver_message")] == 1
    assert mailbox.messages == []

    second = start_worker(jobs_url, OUTBOX_LEASE_SECONDS=3)
    second.wait_ready(api)
    [message] = mailbox.wait_for(1, timeout=20)
    assert message["To"] == "term@example.com"
    wait_until(lambda: outbox(app)[0].sent_at is not None, 10, second.why)
    time.sleep(2)
    assert len(mailbox.messages) == 1


def test_an_unreachable_store_still_answers_the_request_and_the_mail_goes_out_once_it_is_back(
    app: Flask, make_app: Any, start_worker: Any, mailbox: Mailbox
) -> None:
    port = free_port()
    jobs_url = f"redis://127.0.0.1:{port}/0"
    api = make_app(JOBS_URL=jobs_url)
    create_user(app, "later@example.com")

    started = time.monotonic()
    forgot_password(api, "later@example.com")  # 202 although nothing listens on the port
    assert time.monotonic() - started < 10
    [row] = outbox(app)
    assert row.sent_at is None
    client = api.test_client()
    assert client.get("/health/ready").status_code == 503
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "meterbook_jobs_enqueue_failures_total 1.0" in metrics

    server = RedisServer(port=port)
    server.start()
    try:
        assert client.get("/health/ready").status_code == 200
        worker = start_worker(jobs_url)
        worker.wait_ready(api)
        [message] = mailbox.wait_for(1, timeout=20)
        assert message["To"] == "later@example.com"
        wait_until(lambda: outbox(app)[0].sent_at is not None, 10, worker.why)
        worker.stop()
    finally:
        server.stop()
    assert len(mailbox.messages) == 1

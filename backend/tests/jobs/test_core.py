"""The job core in one process: after-commit enqueueing, retries with backoff, the sweep's
isolation, outcome counters in /metrics and the store's check in /health/ready."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import SWEEPS, enqueue, enqueue_after_commit, job, queue_of, run_sweeps
from app.jobs.sweep import Sweep
from app.models import OutboxMessage
from tests.pg import free_port

CALLS: list[int] = []


@job(retries=2, retry_delay=10, backoff=3)
def flaky(value: int) -> None:
    """Fails until it has been called three times."""
    CALLS.append(value)
    if len(CALLS) < 3:
        raise RuntimeError(f"attempt {len(CALLS)} fails")


@job(retries=1, retry_delay=5, backoff=2)
def always_fails() -> None:
    raise RuntimeError("never works")


@job(retries=0)
def record(value: int) -> None:
    CALLS.append(value)


@pytest.fixture(autouse=True)
def _calls() -> None:
    CALLS.clear()


def queued(app: Flask) -> int:
    return queue_of(app).huey.pending_count()


def test_after_commit_queues_only_what_a_commit_kept(app: Flask, make_app: Any) -> None:
    worker_app = make_app()  # its own memory store
    with worker_app.app_context():
        enqueue_after_commit(record, 1)
        assert queued(worker_app) == 0  # not before the commit
        db.session.commit()
        assert queued(worker_app) == 1

        enqueue_after_commit(record, 2)
        db.session.rollback()
        db.session.commit()  # a later commit does not bring back what the rollback dropped
        assert queued(worker_app) == 1

        huey = queue_of(worker_app).huey
        huey.execute(huey.dequeue())
    assert CALLS == [1]


def frozen(huey: Any, monkeypatch: pytest.MonkeyPatch, start: datetime) -> Any:
    """Huey's clock, moved by hand: ``clock.at(seconds)``."""

    class Clock:
        now = start

        def at(self, seconds: float) -> datetime:
            self.now = start + timedelta(seconds=seconds)
            return self.now

    clock = Clock()
    monkeypatch.setattr(huey, "_get_timestamp", lambda: clock.now)
    return clock


def test_a_failing_job_is_retried_with_backoff_then_succeeds(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    worker_app = make_app()
    queue = queue_of(worker_app)
    huey = queue.huey
    with worker_app.app_context():
        assert enqueue(flaky, 7) is True
    start = datetime(2026, 1, 1, 12, 0, 0)
    clock = frozen(huey, monkeypatch, start)

    huey.execute(huey.dequeue())  # attempt 1 fails: again in 10 s
    assert huey.pending_count() == 0
    assert huey.read_schedule(start + timedelta(seconds=9.9)) == []
    [second] = huey.read_schedule(start + timedelta(seconds=10))
    assert (second.retries, second.retry_delay) == (1, 30)  # the next wait is 3x longer

    clock.at(10)
    huey.execute(second)  # attempt 2 fails: again in 30 s
    assert huey.read_schedule(start + timedelta(seconds=39.9)) == []
    [third] = huey.read_schedule(start + timedelta(seconds=40))
    assert third.retries == 0

    clock.at(40)
    huey.execute(third)  # attempt 3 succeeds
    assert CALLS == [7, 7, 7]
    assert huey.scheduled_count() == 0
    counts = queue.counters()
    name = "tests.jobs.test_core.flaky"
    assert (counts[("retried", name)], counts[("succeeded", name)], counts[("failed", name)]) == (2, 1, 0)


def test_a_job_out_of_retries_counts_as_failed(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    worker_app = make_app()
    queue = queue_of(worker_app)
    huey = queue.huey
    with worker_app.app_context():
        enqueue(always_fails)
    start = datetime(2026, 1, 1, 12, 0, 0)
    clock = frozen(huey, monkeypatch, start)
    huey.execute(huey.dequeue())
    [retry] = huey.read_schedule(start + timedelta(seconds=5))
    clock.at(5)
    huey.execute(retry)
    assert huey.scheduled_count() == 0 and huey.pending_count() == 0
    counts = queue.counters()
    name = "tests.jobs.test_core.always_fails"
    assert (counts[("retried", name)], counts[("succeeded", name)], counts[("failed", name)]) == (1, 0, 1)

    with worker_app.test_client() as client:
        text = client.get("/metrics").get_data(as_text=True)
    assert f'meterbook_jobs_failed_total{{job="{name}"}} 1.0' in text
    assert f'meterbook_jobs_retried_total{{job="{name}"}} 1.0' in text
    assert 'meterbook_jobs_queued{state="waiting"} 0.0' in text
    assert 'meterbook_jobs_queued{state="scheduled"} 0.0' in text


def test_immediate_mode_runs_the_job_inline(make_app: Any) -> None:
    inline_app = make_app(JOBS_URL="immediate://")
    with inline_app.app_context():
        enqueue(record, 3)
        enqueue_after_commit(record, 4)
        assert CALLS == [3]
        db.session.commit()
    assert CALLS == [3, 4]


def outbox_row(recipient: str) -> OutboxMessage:
    return OutboxMessage(kind="k", recipient=recipient, subject="s", text_body="t", html_body="h")


def test_each_sweep_function_has_its_own_transaction_and_a_failure_stops_no_other(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def adds_then_fails() -> None:
        db.session.add(outbox_row("lost@example.com"))
        db.session.flush()
        raise RuntimeError("sweep function broken")

    def adds() -> None:
        db.session.add(outbox_row("kept@example.com"))

    monkeypatch.setattr("app.jobs.sweep.SWEEPS", {})
    from app.jobs import sweep as sweep_module

    sweep_module.SWEEPS["a.adds_then_fails"] = Sweep("a.adds_then_fails", adds_then_fails, "sweep")
    sweep_module.SWEEPS["b.adds"] = Sweep("b.adds", adds, "sweep")
    sweep_module.SWEEPS["c.minute"] = Sweep("c.minute", adds, "minute")
    with app.app_context():
        assert run_sweeps("sweep") == {"a.adds_then_fails": False, "b.adds": True}
        assert list(db.session.scalars(select(OutboxMessage.recipient))) == ["kept@example.com"]
        assert run_sweeps("minute") == {"c.minute": True}
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert SWEEPS is not sweep_module.SWEEPS


def test_ready_reports_a_store_that_does_not_answer(make_app: Any) -> None:
    down = make_app(JOBS_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = down.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["error"]["message"] == "The job queue's store is unavailable."
    text = down.test_client().get("/metrics").get_data(as_text=True)
    assert 'meterbook_jobs_queued{state="waiting"} -1.0' in text


def test_ready_answers_ok_with_a_sqlite_store(make_app: Any, tmp_path: Any) -> None:
    served = make_app(JOBS_URL=f"sqlite:///{tmp_path / 'jobs.db'}")
    response = served.test_client().get("/health/ready")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_the_hourly_sweep_runs_once_per_round_however_many_workers_fire_it(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.jobs.sweep import round_key, take_round

    worker_app = make_app(JOBS_SWEEP_MINUTES=30)
    storage = queue_of(worker_app).huey.storage
    ran: list[str] = []
    monkeypatch.setattr("app.jobs.sweep.SWEEPS", {"x.count": Sweep("x.count", lambda: ran.append("x"), "sweep")})
    noon = datetime(2026, 11, 27, 12, 0, 10)
    with worker_app.app_context():
        assert take_round(noon) is True
        assert take_round(noon + timedelta(seconds=40)) is False  # a second worker, same minute
        assert take_round(noon + timedelta(minutes=30)) is True  # the next round
        assert storage.incr(round_key(noon.replace(second=0)), 0) == 0  # the last one's key is gone

        from app.jobs.sweep import sweep

        sweep()  # the current minute's round: runs
        sweep()  # fired again by another worker: skipped
    assert ran == ["x"]


def test_a_store_that_failed_is_left_alone_for_a_while_and_every_skip_is_counted(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    worker_app = make_app()
    queue = queue_of(worker_app)
    attempts: list[str] = []

    def refuse(task: Any) -> None:
        attempts.append(type(task).__name__)
        raise ConnectionError("store down")

    monkeypatch.setattr(queue.huey, "enqueue", refuse)
    with worker_app.app_context():
        assert [enqueue(record, n) for n in range(3)] == [False, False, False]
        assert attempts == ["record"]  # only the first one waited for the store
        queue.down_until = time.monotonic() - 1  # the pause is over: the store is tried again
        assert enqueue(record, 4) is False
        assert attempts == ["record", "record"]
    text = worker_app.test_client().get("/metrics").get_data(as_text=True)
    assert "meterbook_jobs_enqueue_failures_total 4.0" in text

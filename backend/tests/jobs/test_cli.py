"""``flask jobs status|sweep|worker`` without a worker process."""

from __future__ import annotations

import time
from typing import Any

from app.jobs import queue_of
from app.jobs.sweep import HEARTBEAT


def test_status_reports_depth_counters_and_the_heartbeat(make_app: Any) -> None:
    cli_app = make_app()
    runner = cli_app.test_cli_runner()
    queue = queue_of(cli_app)
    queue.count("succeeded", "app.services.mail.deliver_message")

    result = runner.invoke(args=["jobs", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["waiting 0, scheduled 0", "app.services.mail.deliver_message succeeded 1"]

    result = runner.invoke(args=["jobs", "status", "--heartbeat", "180"])
    assert result.exit_code == 1
    assert "no worker heartbeat within 180 s" in result.output
    queue.huey.put(HEARTBEAT, time.time() - 100)
    assert runner.invoke(args=["jobs", "status", "--heartbeat", "180"]).exit_code == 0
    assert runner.invoke(args=["jobs", "status", "--heartbeat", "60"]).exit_code == 1


def test_sweep_runs_the_registered_functions_now(app: Any, make_app: Any) -> None:
    result = make_app().test_cli_runner().invoke(args=["jobs", "sweep", "--every", "minute"])
    assert result.exit_code == 0, result.output
    assert "ok     app.services.mail.requeue_outbox" in result.output.splitlines()


def test_a_worker_refuses_a_store_private_to_one_process(make_app: Any) -> None:
    result = make_app(JOBS_URL="memory://").test_cli_runner().invoke(args=["jobs", "worker"])
    assert result.exit_code == 1
    assert "JOBS_URL=memory:// is private to one process" in result.output


def test_a_store_that_does_not_answer_fails_the_status(make_app: Any) -> None:
    from tests.pg import free_port

    result = make_app(JOBS_URL=f"redis://127.0.0.1:{free_port()}/0").test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 1
    assert "the job store does not answer" in result.output

"""Building an app's queue: the store, the outcome counters, the sweep's periodic tasks."""

from __future__ import annotations

import logging

from flask import Flask
from huey import signals
from huey.api import Task
from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import Session

from .core import Queue, after_commit, after_transaction_end
from .store import make_huey
from .sweep import register_periodic

log = logging.getLogger(__name__)


def _outcome_signals(queue: Queue) -> None:
    """Count outcomes in the store; give an interrupted task (SIGTERM) back to the queue."""
    huey = queue.huey

    def name_of(task: Task) -> str:
        return str(huey._registry.task_to_string(type(task)))

    def _complete(signal: str, task: Task) -> None:
        queue.count("succeeded", name_of(task))

    def _error(signal: str, task: Task, exc: BaseException | None = None) -> None:
        if not task.retries:
            queue.count("failed", name_of(task))

    def _retrying(signal: str, task: Task) -> None:
        queue.count("retried", name_of(task))

    def _interrupted(signal: str, task: Task) -> None:
        queue.count("interrupted", name_of(task))
        try:
            huey.enqueue(task)
        except Exception:
            log.warning("could not give interrupted %s back to the queue (the sweep will)", name_of(task))

    huey.signal(signals.SIGNAL_COMPLETE)(_complete)
    huey.signal(signals.SIGNAL_ERROR)(_error)
    huey.signal(signals.SIGNAL_RETRYING)(_retrying)
    huey.signal(signals.SIGNAL_INTERRUPTED)(_interrupted)


def init_jobs(app: Flask) -> None:
    """Build the app's queue from JOBS_URL; the sweep's periodic tasks are registered with it."""
    url = str(app.config.get("JOBS_URL") or "memory://")
    queue = Queue(app=app, huey=make_huey(url), url=url)
    _outcome_signals(queue)
    register_periodic(queue)
    app.extensions["meterbook.jobs"] = queue
    app.extensions["meterbook.jobs.enqueue_failures"] = Counter(
        "meterbook_jobs_enqueue_failures_total",
        "Jobs this process could not put on the queue (left to the sweep)",
        registry=None,
    )
    if not event.contains(Session, "after_commit", after_commit):
        event.listen(Session, "after_commit", after_commit)
        event.listen(Session, "after_transaction_end", after_transaction_end)

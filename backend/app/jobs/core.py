"""Jobs: functions run by the worker in the app context, with retries and backoff.

The queue triggers work, the database holds it: a job is handed the id of a row that says
what to do, claims that row in SQL and does nothing when it is already done, so running it
twice, or re-enqueueing it from the sweep after a worker died mid-job, changes nothing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from flask import Flask, current_app
from huey.api import Huey, TaskWrapper
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

# Every job defined in the code base, by its queue name ("module.function").
JOBS: dict[str, Job] = {}
OUTCOMES = ("succeeded", "failed", "retried", "interrupted")
_AFTER_COMMIT = "meterbook.jobs.after_commit"


@dataclass(frozen=True)
class Job:
    """A function the worker runs; calling the object runs it here and now."""

    func: Callable[..., Any]
    name: str
    retries: int
    retry_delay: float
    backoff: float

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def enqueue(self, *args: Any, **kwargs: Any) -> bool:
        return enqueue(self, *args, **kwargs)


@overload
def job(func: Callable[..., Any], /) -> Job: ...


@overload
def job(
    *, retries: int = 3, retry_delay: float = 10.0, backoff: float = 2.0, name: str | None = None
) -> Callable[[Callable[..., Any]], Job]: ...


def job(
    func: Callable[..., Any] | None = None,
    /,
    *,
    retries: int = 3,
    retry_delay: float = 10.0,
    backoff: float = 2.0,
    name: str | None = None,
) -> Job | Callable[[Callable[..., Any]], Job]:
    """Define a job: ``@job`` or ``@job(retries=5, retry_delay=30, backoff=2)``.

    An exception retries it after ``retry_delay`` seconds, then ``retry_delay * backoff``,
    and so on, ``retries`` times. Arguments and results must be picklable (ids, not rows)."""

    def define(function: Callable[..., Any]) -> Job:
        queue_name = name or f"{function.__module__}.{function.__name__}"
        defined = Job(function, queue_name, retries, float(retry_delay), float(backoff))
        if queue_name in JOBS and JOBS[queue_name].func is not function:
            raise ValueError(f"two jobs are named {queue_name!r}")
        JOBS[queue_name] = defined
        return defined

    return define(func) if func is not None else define


@dataclass
class Queue:
    """One app's huey instance, with its jobs registered as huey tasks on first use."""

    app: Flask
    huey: Huey
    url: str
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # After a failed enqueue the store is taken for down this long: requests that queue work
    # meanwhile do not each wait for a connect timeout (the sweep enqueues their rows later).
    retry_after: float = 10.0
    down_until: float = 0.0

    def task(self, definition: Job, periodic: Callable[[datetime], bool] | None = None) -> TaskWrapper:
        """The job's huey task (``periodic``: run by the worker's scheduler whenever it says so)."""
        wrapper = self.tasks.get(definition.name)
        if wrapper is None:
            with self.lock:
                wrapper = self.tasks.get(definition.name)
                if wrapper is None:
                    wrapper = self._register(definition, periodic)
                    self.tasks[definition.name] = wrapper
        return wrapper

    def _register(self, definition: Job, periodic: Callable[[datetime], bool] | None) -> TaskWrapper:
        app = self.app

        def run(*args: Any, **kwargs: Any) -> None:
            from ..extensions import db

            with app.app_context():
                try:
                    definition.func(*args, **kwargs)
                except BaseException:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()

        module, _, short = definition.name.rpartition(".")
        run.__module__ = module or __name__
        run.__doc__ = definition.func.__doc__
        options: dict[str, Any] = {
            "retries": definition.retries,
            "retry_delay": definition.retry_delay,
            "retry_backoff": definition.backoff if definition.backoff != 1 else 0,
            "name": short,
        }
        if periodic is not None:
            return self.huey.periodic_task(periodic, **options)(run)
        return self.huey.task(**options)(run)

    def register_all(self) -> None:
        for definition in list(JOBS.values()):
            self.task(definition)

    def enqueue(
        self, definition: Job, args: tuple[Any, ...], kwargs: dict[str, Any], eta: datetime | None = None
    ) -> bool:
        """Put the job on the queue; a store that does not answer is logged, never raised:
        the row the job works on stays pending and the sweep enqueues it again later."""
        if self.down_until and time.monotonic() < self.down_until:
            self._enqueue_failed(definition, "the store did not answer a moment ago")
            return False
        try:
            wrapper = self.task(definition)
            if eta is None:
                wrapper(*args, **kwargs)
            else:
                wrapper.schedule(args=args, kwargs=kwargs, eta=eta)
        except Exception as exc:
            if self.huey.immediate:
                raise  # immediate mode runs the job inline: its failure is the job's, not the queue's
            self.down_until = time.monotonic() + self.retry_after
            self._enqueue_failed(definition, f"{type(exc).__name__}: {exc}")
            return False
        self.down_until = 0.0
        return True

    def _enqueue_failed(self, definition: Job, reason: str) -> None:
        failures = self.app.extensions.get("meterbook.jobs.enqueue_failures")
        if failures is not None:
            failures.inc()
        log.warning("could not enqueue %s (the sweep will): %s", definition.name, reason)

    # --- what /metrics and /health/ready read ------------------------------------------

    def ping(self) -> bool:
        """Whether the store answers."""
        try:
            self.huey.storage.queue_size()
            return True
        except Exception:
            return False

    def depth(self) -> tuple[int, int]:
        """(tasks waiting, tasks scheduled for later)."""
        return int(self.huey.pending_count()), int(self.huey.scheduled_count())

    def count(self, outcome: str, name: str) -> None:
        try:
            self.huey.storage.incr(counter_key(outcome, name))
        except Exception:
            log.warning("could not count %s of %s", outcome, name, exc_info=True)

    def counters(self) -> dict[tuple[str, str], int]:
        """Every known job's outcome counters, read from the store (shared by every process)."""
        return {
            (outcome, name): int(self.huey.storage.incr(counter_key(outcome, name), 0))
            for name in sorted(JOBS)
            for outcome in OUTCOMES
        }


def counter_key(outcome: str, name: str) -> str:
    return f"meterbook.jobs.{outcome}.{name}"


def queue_of(app: Flask | None = None) -> Queue:
    target = app if app is not None else current_app
    queue: Queue = target.extensions["meterbook.jobs"]
    return queue


def enqueue(definition: Job, *args: Any, **kwargs: Any) -> bool:
    """Queue the job now (outside any transaction, or for work already committed)."""
    return queue_of().enqueue(definition, args, kwargs)


def enqueue_at(definition: Job, eta: datetime, *args: Any, **kwargs: Any) -> bool:
    """Queue the job to start at ``eta`` (an aware datetime)."""
    return queue_of().enqueue(definition, args, kwargs, eta=eta)


def enqueue_after_commit(definition: Job, *args: Any, **kwargs: Any) -> None:
    """Queue the job once the current database transaction commits; a rollback drops it."""
    from ..extensions import db

    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so a rollback before anything was written still ends "this" transaction
    session.info.setdefault(_AFTER_COMMIT, []).append((queue_of(), definition, args, kwargs))


def after_commit(session: Session) -> None:
    pending = session.info.pop(_AFTER_COMMIT, None)
    for queue, definition, args, kwargs in pending or ():
        queue.enqueue(definition, args, kwargs)


def after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit (a commit has taken its jobs already):
    its work is gone, so are its jobs."""
    if transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)

"""The periodic sweep: registered functions run one by one, each in its own transaction.

``@periodic_sweep`` functions run every ``JOBS_SWEEP_MINUTES`` (default 60: budgets and
alerts, token-expiry notices, clean-ups); ``@periodic_sweep(every="minute")`` functions run
every minute and at worker start: they re-enqueue rows whose attempt is due or overdue (the
outbox, webhook deliveries), so a job lost with a killed worker or an unreachable store is
done later. One failing function is logged and rolled back; the others still run."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar, overload

from .core import Queue, job, queue_of

log = logging.getLogger(__name__)

Every = Literal["minute", "sweep"]


@dataclass(frozen=True)
class Sweep:
    name: str
    func: Callable[[], Any]
    every: Every


SWEEPS: dict[str, Sweep] = {}


F = TypeVar("F", bound=Callable[[], Any])


@overload
def periodic_sweep(func: F, /) -> F: ...


@overload
def periodic_sweep(*, every: Every = "sweep") -> Callable[[F], F]: ...


def periodic_sweep(func: F | None = None, /, *, every: Every = "sweep") -> F | Callable[[F], F]:
    """Register a function (no arguments) with the sweep; it returns the function unchanged."""

    def register(function: F) -> F:
        name = f"{function.__module__}.{function.__name__}"
        SWEEPS[name] = Sweep(name, function, every)
        return function

    return register(func) if func is not None else register


def run_sweeps(every: Every = "sweep") -> dict[str, bool]:
    """Run the registered functions (in the current app context); name -> whether it succeeded."""
    from ..extensions import db

    outcome: dict[str, bool] = {}
    for sweep in sorted((s for s in SWEEPS.values() if s.every == every), key=lambda s: s.name):
        try:
            sweep.func()
            db.session.commit()
            outcome[sweep.name] = True
        except Exception:
            db.session.rollback()
            log.exception("sweep function %s failed", sweep.name)
            outcome[sweep.name] = False
        finally:
            db.session.remove()
    return outcome


HEARTBEAT = "meterbook.worker.heartbeat"


@job(retries=0)
def requeue_overdue() -> None:
    """Every minute (and at worker start): the ``every="minute"`` sweep functions, and the
    worker's heartbeat in the store (``flask jobs status --heartbeat`` reads it)."""
    run_sweeps("minute")
    queue_of().huey.put(HEARTBEAT, time.time())


@job(retries=0)
def sweep() -> None:
    """Every JOBS_SWEEP_MINUTES: the hourly sweep functions, by one worker per round (every
    worker's scheduler fires it; the first to count the round in the store runs it)."""
    if take_round(datetime.now(UTC)):
        run_sweeps("sweep")


def take_round(moment: datetime) -> bool:
    """Whether this call is the first for the round of ``moment`` (its minute); the previous
    round's counter is dropped so the store does not grow."""
    queue = queue_of()
    minute = moment.replace(second=0, microsecond=0)
    if int(queue.huey.storage.incr(round_key(minute))) != 1:
        return False
    interval = int(queue.app.config.get("JOBS_SWEEP_MINUTES") or 60)
    queue.huey.storage.delete_counter(round_key(minute - timedelta(minutes=interval)))
    return True


def round_key(minute: datetime) -> str:
    return f"meterbook.sweep.round.{minute:%Y%m%d%H%M}"


def register_periodic(queue: Queue) -> None:
    minutes = int(queue.app.config.get("JOBS_SWEEP_MINUTES") or 60)

    def every_minute(_moment: datetime) -> bool:
        return True

    def every_sweep(moment: datetime) -> bool:
        return (moment.hour * 60 + moment.minute) % minutes == 0

    queue.task(requeue_overdue, periodic=every_minute)
    queue.task(sweep, periodic=every_sweep)


def sweep_names(every: Every | None = None) -> list[str]:
    return sorted(name for name, s in SWEEPS.items() if every is None or s.every == every)

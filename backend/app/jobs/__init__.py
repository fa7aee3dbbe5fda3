"""Background jobs on huey (docs/jobs.md): the queue triggers work, the database holds it.

from app.jobs import job, enqueue_after_commit, periodic_sweep

@job(retries=5, retry_delay=60, backoff=2)   # 60 s, 120 s, 240 s, ... between attempts
def deliver(row_id: int) -> None: ...         # claims its row in SQL: idempotent

enqueue_after_commit(deliver, row.id)        # queued only once the transaction commits

@periodic_sweep                              # every JOBS_SWEEP_MINUTES, own transaction
def check_budgets() -> None: ...

@periodic_sweep(every="minute")              # re-enqueue rows whose attempt is due
def requeue_deliveries() -> None: ...
"""

from .core import JOBS, Job, Queue, enqueue, enqueue_after_commit, enqueue_at, job, queue_of
from .setup import init_jobs
from .sweep import SWEEPS, periodic_sweep, run_sweeps

__all__ = [
    "JOBS",
    "SWEEPS",
    "Job",
    "Queue",
    "enqueue",
    "enqueue_after_commit",
    "enqueue_at",
    "init_jobs",
    "job",
    "periodic_sweep",
    "queue_of",
    "run_sweeps",
]

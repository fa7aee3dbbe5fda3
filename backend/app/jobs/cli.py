"""``flask jobs worker|sweep|status``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="The background job queue.")


@jobs_cli.command("worker")
@click.option("--workers", "-w", type=click.IntRange(1, 64), help="Worker threads (default JOBS_WORKERS).")
def worker(workers: int | None) -> None:
    """Run the job worker in the foreground (Ctrl-C finishes running jobs, then stops)."""
    from .worker import run_worker

    try:
        run_worker(current_app._get_current_object(), workers)  # type: ignore[attr-defined]
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None


@jobs_cli.command("sweep")
@click.option("--every", type=click.Choice(["sweep", "minute"]), default="sweep", show_default=True)
def sweep(every: str) -> None:
    """Run the sweep's functions now, in this process."""
    from .sweep import run_sweeps
    from .worker import load_job_modules

    load_job_modules()
    outcome = run_sweeps(every)  # type: ignore[arg-type]
    for name, ok in outcome.items():
        click.echo(f"{'ok    ' if ok else 'FAILED'} {name}")
    if not all(outcome.values()):
        raise SystemExit(1)


@jobs_cli.command("status")
@click.option(
    "--heartbeat",
    type=click.IntRange(1),
    help="Fail unless a worker has run its minute round within this many seconds (a health check).",
)
def status(heartbeat: int | None) -> None:
    """Queue depth and every job's outcome counters; fails when the store does not answer."""
    import time

    from .core import queue_of
    from .sweep import HEARTBEAT
    from .worker import load_job_modules

    load_job_modules()
    queue = queue_of()
    if not queue.ping():
        raise click.ClickException("the job store does not answer")
    if heartbeat is not None:
        last = queue.huey.get(HEARTBEAT, peek=True)
        if last is None or time.time() - float(last) > heartbeat:
            raise click.ClickException(f"no worker heartbeat within {heartbeat} s")
    waiting, scheduled = queue.depth()
    click.echo(f"waiting {waiting}, scheduled {scheduled}")
    for (outcome, name), value in queue.counters().items():
        if value:
            click.echo(f"{name} {outcome} {value}")

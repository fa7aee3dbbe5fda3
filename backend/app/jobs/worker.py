"""The worker process: ``flask jobs worker`` (``make worker``), or huey's own consumer:
``huey_consumer app.jobs.worker.huey -w 2 -k thread -d 0.1 -m 1`` (the app's configuration
comes from the environment either way)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

from flask import Flask
from huey.api import Huey

from .core import Queue, queue_of

log = logging.getLogger(__name__)

# Packages whose modules may define jobs or sweep functions; all are imported before the
# worker starts, so every task name the API can enqueue is known to the consumer.
JOB_PACKAGES = ("app.jobs", "app.services", "app.api")


def load_job_modules() -> None:
    for package_name in JOB_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            importlib.import_module(info.name)


def worker_queue(app: Flask) -> Queue:
    """The app's queue with every job and sweep function of the code base registered."""
    if str(app.config["JOBS_URL"]).startswith(("memory://", "immediate://")):
        raise RuntimeError(
            f"JOBS_URL={app.config['JOBS_URL']} is private to one process: a worker needs a "
            "sqlite:/// or redis:// store it shares with the API"
        )
    load_job_modules()
    queue = queue_of(app)
    queue.register_all()
    logging.getLogger("huey").setLevel(max(logging.INFO, logging.getLogger().level))
    return queue


def run_worker(app: Flask, workers: int | None = None) -> None:
    """Run the consumer in the foreground: ``workers`` threads and the periodic scheduler.

    SIGINT finishes the running tasks first; SIGTERM interrupts them and gives them back
    to the queue (their rows stay claimed until the claim's lease runs out)."""
    queue = worker_queue(app)
    count = workers or int(app.config.get("JOBS_WORKERS") or 2)
    log.info("worker: %d thread(s) on %s", count, _redacted(queue.url))
    consumer = queue.huey.create_consumer(
        workers=count,
        worker_type="thread",
        initial_delay=0.1,  # an idle SQLite store is polled every 0.1 s rising to 1 s
        max_delay=1.0,
        backoff=1.15,
        periodic=True,
    )
    consumer.run()


def _redacted(url: str) -> str:
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    return url


_built: dict[str, Huey] = {}


def __getattr__(name: str) -> Any:
    """``app.jobs.worker.huey`` for ``huey_consumer``: the app is built on first access."""
    if name != "huey":
        raise AttributeError(name)
    if "huey" not in _built:
        from .. import create_app

        _built["huey"] = worker_queue(create_app()).huey
    return _built["huey"]

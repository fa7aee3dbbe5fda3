"""The queue's store, from JOBS_URL: an embedded SQLite file, Redis, or memory (tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

NAME = "meterbook"
SCHEMES = ("sqlite:///", "redis://", "rediss://", "memory://", "immediate://")


def make_huey(url: str) -> Huey:
    """``sqlite:///path/jobs.db`` (development: no server), ``redis://host:6379/1``
    (production, several workers), ``memory://`` (this process only: tests that run jobs
    by hand) or ``immediate://`` (jobs run inline when enqueued: unit tests)."""
    options: dict[str, Any] = {"results": False, "utc": True}
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the API enqueue while the worker reads; a busy store waits rather than fails.
        return SqliteHuey(NAME, filename=str(path), journal_mode="wal", timeout=5, **options)
    if url.startswith(("redis://", "rediss://")):
        # Short timeouts: an API request that enqueues must not hang on a Redis that is down.
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
        return RedisHuey(NAME, connection_pool=pool, **options)
    if url == "memory://":
        return MemoryHuey(NAME, **options)
    if url == "immediate://":
        return MemoryHuey(NAME, immediate=True, **options)
    raise ValueError(f"JOBS_URL must start with one of {', '.join(SCHEMES)}: {url!r}")

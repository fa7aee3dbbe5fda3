# ruff: noqa: S603 - a local benchmark: fixed local commands
"""The job queue's stores: enqueue cost, enqueue-to-start latency and no-op throughput.

For each store (the embedded SQLite file and a throwaway redis-server), a real consumer
process runs with the worker's settings (2 threads, polling from 0.1 s up to 1 s):

1. latency: LATENCY_SAMPLES single no-op jobs, one after the other on an idle queue, each
   timed from just before the enqueue to the start of the job (p50, p95, max);
2. throughput: JOBS no-op jobs enqueued at once (the enqueue rate is what an API request
   pays), timed until the last one has run.

Run: `make bench-jobs` (JOBS=500 LATENCY_SAMPLES=20 for a quicker run). Prints a Markdown table.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parents[2] / "backend"
sys.path.insert(0, str(BACKEND))

from app.jobs.store import make_huey  # noqa: E402

JOBS = int(os.environ.get("JOBS", "2000"))
LATENCY_SAMPLES = int(os.environ.get("LATENCY_SAMPLES", "50"))
URL = os.environ.get("BENCH_JOBS_URL", "memory://")

huey = make_huey(URL)


@huey.task()
def noop(sent: float, key: str) -> None:
    """Record when the job started, relative to when it was enqueued."""
    huey.storage.put_data(key, repr(time.time() - sent).encode())
    huey.storage.incr("bench.done")


def consume() -> None:
    huey.create_consumer(workers=2, worker_type="thread", initial_delay=0.1, max_delay=1.0, backoff=1.15).run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def done() -> int:
    return int(huey.storage.incr("bench.done", 0))


def wait_for(count: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while done() < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done()} of {count} jobs ran")
        time.sleep(0.002)


def measure() -> dict[str, Any]:
    huey.flush()
    huey.storage.flush_counters()
    worker = subprocess.Popen([sys.executable, __file__, "--consume"], env={**os.environ, "BENCH_JOBS_URL": URL})
    try:
        wait_for(0)
        noop(time.time(), "warm-up")
        wait_for(1, 60)
        latencies = []
        for index in range(LATENCY_SAMPLES):
            time.sleep(0.05)
            noop(time.time(), f"lat.{index}")
            wait_for(index + 2)
            latencies.append(float(huey.storage.peek_data(f"lat.{index}")) * 1000)
        base = done()
        started = time.perf_counter()
        for index in range(JOBS):
            noop(time.time(), f"tp.{index % 10}")
        enqueued = time.perf_counter() - started
        wait_for(base + JOBS)
        total = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(10)
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "max": latencies[-1],
        "enqueue_per_s": JOBS / enqueued,
        "enqueue_ms": enqueued / JOBS * 1000,
        "jobs_per_s": JOBS / total,
    }


def main() -> None:
    if "--consume" in sys.argv:
        consume()
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("SQLite file", run_with(f"sqlite:///{tmp}/jobs.db")))
        binary = shutil.which("redis-server")
        if binary is None:
            print("redis-server not installed: SQLite only (make system-deps installs it)")
        else:
            port = free_port()
            server = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
            try:
                time.sleep(0.3)
                rows.append(("Redis", run_with(f"redis://127.0.0.1:{port}/0")))
            finally:
                server.terminate()
                server.wait(10)
    print(f"\n{JOBS} no-op jobs, {LATENCY_SAMPLES} latency samples, consumer: 2 threads\n")
    print("| store | enqueue (ms each) | enqueue→start p50 | p95 | max | no-op jobs/s |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['enqueue_ms']:.2f} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | {r['max']:.0f} ms "
            f"| {r['jobs_per_s']:.0f} |"
        )


def run_with(url: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--measure"],
        env={**os.environ, "BENCH_JOBS_URL": url},
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        main()

#!/usr/bin/env python3
"""Live-updates benchmark: many authenticated WebSockets while records are created steadily.

Starts its own PostgreSQL (or SQLite) database, optional redis-server and gunicorn processes
(from backend/gunicorn.conf.py), opens SOCKETS sockets spread evenly over USERS users (and
over the processes), then a separate writer process creates records at RATE per second for
DURATION seconds, round-robin over the users and the processes. Every record.created event must
reach each of its user's sockets: reports the delivery latency from the writer's receipt of the
HTTP response to the socket's receipt of the event (p50/p99/max; both clocks are the host's
monotonic clock), messages lost, foreign events, the write latency and the servers' RSS.

    backend/.venv/bin/python scripts/bench/ws_bench.py --processes 1
    backend/.venv/bin/python scripts/bench/ws_bench.py --processes 2   # adds redis-server
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parents[2] / "backend"
sys.path.insert(0, str(BACKEND))

SECRETS = {
    "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    "JWT_SECRET_KEY": "bench-jwt-secret-key-that-is-long-enough-012345",
}


def free_port() -> int:
    from tests.pg import free_port as pick

    return pick()


# --- setup -----------------------------------------------------------------------------


def start_database(kind: str) -> tuple[str, Any]:
    if kind == "postgres":
        from tests import pg

        cluster = pg.start_cluster()
        return cluster.create_database("meterbook_bench"), cluster.destroy
    directory = tempfile.mkdtemp(prefix="meterbook-bench-")
    return f"sqlite:///{directory}/bench.db", lambda: None


def prepare(database_url: str, users: int) -> list[dict[str, Any]]:
    """Schema, USERS verified users with one meter each, and a long-lived access token per user."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.api.auth.service import start_session
    from app.extensions import db
    from app.models import Meter, User
    from app.services import clock, households
    from app.services.passwords import hash_password

    app = create_app(
        {
            "APP_ENV": "testing",
            "DATABASE_URL": database_url,
            "JWT_ACCESS_TOKEN_EXPIRES": 6 * 3600,
            "JOBS_URL": "memory://",
            "LOG_LEVEL": "WARNING",
            **SECRETS,
        }
    )
    out = []
    with app.app_context():
        upgrade()
        password = hash_password("bench password 123")
        for index in range(users):
            user = User(
                email=f"bench{index}@example.com",
                name=f"Bench {index}",
                password_hash=password,
                email_verified_at=clock.now(),
            )
            db.session.add(user)
            db.session.flush()
            household = households.create_household(user, "Home")
            meter = db.session.scalars(
                select(Meter).where(Meter.household_id == household.id, Meter.name == "Electricity")
            ).one()
            db.session.commit()
            tokens = start_session(user)
            out.append({"id": user.id, "token": tokens["access_token"], "meter": meter.id})
        db.session.remove()
    return out


class Server:
    def __init__(self, worker_class: str, threads: int, database_url: str, redis_url: str | None) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        env = {
            **os.environ,
            **SECRETS,
            "APP_ENV": "production",
            "CORS_ORIGINS": '["http://localhost:3000"]',
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url or "",
            "RATELIMIT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "JOBS_URL": "memory://",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_WORKER_CLASS": worker_class,
            "GUNICORN_THREADS": str(threads),
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket"),
                *("--bind", self.host, "wsgi:app"),
            ],
            cwd=BACKEND,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "gunicorn exited: " + (self.process.stderr.read().decode() if self.process.stderr else "")
                )
            try:
                with urllib.request.urlopen(f"http://{self.host}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def memory(self) -> dict[str, float]:
        """RSS and peak RSS (MiB) of the master plus its worker."""
        rss = hwm = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        return {"rss_mib": round(rss / 1024, 1), "peak_rss_mib": round(hwm / 1024, 1)}

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- writer (its own process, so that the sockets' event loop does not slow it down) ------


def writer(hosts: list[str], users: list[dict[str, Any]], rate: float, duration: float, out: Any) -> None:
    connections = {host: http.client.HTTPConnection(host, timeout=30) for host in hosts}
    results = []
    count = int(rate * duration)
    start = time.monotonic() + 0.2
    for index in range(count):
        due = start + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        user_index = index % len(users)
        user = users[user_index]
        host = hosts[index % len(hosts)]
        body = json.dumps({"meter_id": user["meter"], "date": "2026-03-01", "amount": index + 1})
        sent = time.monotonic()
        connection = connections[host]
        connection.request(
            "POST",
            "/api/records",
            body=body,
            headers={"Authorization": f"Bearer {user['token']}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        raw = response.read()
        answered = time.monotonic()
        record_id = json.loads(raw)["id"] if response.status == 201 else None
        results.append((record_id, user_index, sent, answered, response.status))
    out.send(results)
    out.close()


# --- sockets ---------------------------------------------------------------------------


async def run_sockets(args: argparse.Namespace, hosts: list[str], users: list[dict[str, Any]]) -> dict[str, Any]:
    import websockets
    from websockets.asyncio.client import connect

    received: dict[int, dict[int, float]] = defaultdict(dict)  # socket -> record id -> time
    foreign = 0
    closed_early = 0
    sockets: list[Any] = []
    owner: list[int] = []
    limit = asyncio.Semaphore(args.connect_concurrency)

    async def open_one(index: int) -> Any:
        user_index = index % len(users)
        host = hosts[(index // len(users)) % len(hosts)]
        async with limit:
            ws = await connect(
                f"ws://{host}/ws",
                compression="deflate" if args.compression else None,
                open_timeout=60,
                ping_interval=None,
                max_queue=None,
            )
            await ws.send(json.dumps({"type": "auth", "token": users[user_index]["token"]}))
            ready = json.loads(await asyncio.wait_for(ws.recv(), 60))
            assert ready == {"type": "ready"}, ready
            return ws

    async def read(index: int, ws: Any) -> None:
        nonlocal closed_early
        try:
            async for raw in ws:
                now = time.monotonic()
                message = json.loads(raw)
                if message["type"] == "record.created":
                    received[index][message["record"]["id"]] = now
        except (websockets.ConnectionClosed, OSError, ValueError) as exc:
            if not stopping:
                print(f"socket {index} failed: {exc!r}", file=sys.stderr)
        if not stopping:
            closed_early += 1

    stopping = False
    started = time.monotonic()
    sockets = await asyncio.gather(*(open_one(index) for index in range(args.sockets)))
    connect_seconds = time.monotonic() - started
    owner.extend(index % len(users) for index in range(args.sockets))
    readers = [asyncio.create_task(read(index, ws)) for index, ws in enumerate(sockets)]
    await asyncio.sleep(1)

    parent, child = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=writer, args=(hosts, users, args.rate, args.duration, child))
    process.start()
    writes: list[tuple[Any, ...]] = await asyncio.to_thread(parent.recv)
    await asyncio.to_thread(process.join)
    await asyncio.sleep(args.drain)

    sockets_of: dict[int, list[int]] = defaultdict(list)
    for index, user_index in enumerate(owner):
        sockets_of[user_index].append(index)
    latencies, from_request, lost, failed = [], [], 0, 0
    for record_id, user_index, sent, answered, status in writes:
        if status != 201:
            failed += 1
            continue
        for index in sockets_of[user_index]:
            at = received[index].get(record_id)
            if at is None:
                lost += 1
            else:
                latencies.append((at - answered) * 1000)
                from_request.append((at - sent) * 1000)
    # events for records of other users would show up as ids outside a socket's own writes
    own_ids: dict[int, set[int]] = defaultdict(set)
    for record_id, user_index, *_ in writes:
        own_ids[user_index].add(record_id)
    foreign += sum(1 for index, got in received.items() for rid in got if rid not in own_ids[owner[index]])

    stopping = True
    for ws in sockets:
        await ws.close()
    for task in readers:
        task.cancel()
    write_ms = sorted((answered - sent) * 1000 for _, _, sent, answered, _ in writes)
    return {
        "connect_seconds": round(connect_seconds, 1),
        "writes": len(writes),
        "failed_writes": failed,
        "expected_deliveries": len(latencies) + lost,
        "delivered": len(latencies),
        "lost": lost,
        "foreign": foreign,
        "closed_early": closed_early,
        "latency_ms": summary(latencies),
        "latency_from_request_ms": summary(from_request),
        "write_ms": summary(write_ms),
    }


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    return {"p50": pct(50), "p99": pct(99), "max": round(ordered[-1], 1), "min": round(ordered[0], 1)}


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "load_before": os.getloadavg()[0],
        "python": platform.python_version(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=1, help="API processes (2+ adds redis-server)")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "gevent"))
    parser.add_argument("--threads", type=int, default=0, help="gthread threads per process (default: sockets + 64)")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="records created per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of writing")
    parser.add_argument("--drain", type=float, default=5.0, help="seconds to wait for the last events")
    parser.add_argument("--db", default="postgres", choices=("postgres", "sqlite"))
    parser.add_argument("--no-compression", dest="compression", action="store_false", help="no permessage-deflate")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--json", help="append the result as one JSON line to this file")
    args = parser.parse_args()

    facts = machine()
    database_url, drop_database = start_database(args.db)
    redis = None
    servers: list[Server] = []
    try:
        users = prepare(database_url, args.users)
        redis_url = None
        if args.processes > 1:
            from tests.redis_server import RedisServer

            redis = RedisServer()
            redis.start()
            redis_url = redis.url
        threads = args.threads or (args.sockets // args.processes + 64)
        servers = [Server(args.worker_class, threads, database_url, redis_url) for _ in range(args.processes)]
        for server in servers:
            server.wait_ready()
        cpu_before = sum(server.cpu_seconds() for server in servers)
        result = asyncio.run(run_sockets(args, [server.host for server in servers], users))
        result["server_cpu_seconds"] = round(sum(server.cpu_seconds() for server in servers) - cpu_before, 1)
        result["servers"] = [server.memory() for server in servers]
    finally:
        for server in servers:
            server.stop()
        if redis is not None:
            redis.stop()
        drop_database()
    report = {
        "scenario": {
            "processes": args.processes,
            "broker": "redis" if args.processes > 1 else "in-process",
            "worker_class": args.worker_class,
            "threads": threads if args.worker_class == "gthread" else None,
            "sockets": args.sockets,
            "users": args.users,
            "rate": args.rate,
            "duration": args.duration,
            "db": args.db,
            "compression": args.compression,
        },
        "machine": facts,
        "result": result,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        with open(args.json, "a") as handle:
            handle.write(json.dumps(report) + "\n")
    ok = result["lost"] == 0 and result["foreign"] == 0 and result["failed_writes"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

# ruff: noqa: S310, S603, S608 - a local benchmark: fixed local URLs, commands and SQL
"""Readings on PostgreSQL under gunicorn: reading create on a meter with many readings, and a
large readings import, each beside its reference in the same run.

1. A readings meter gets EXISTING readings (default 100,000, one an hour, loaded with COPY and
   derived with `flask analytics rebuild`). Then, one after the other for SECONDS each with
   CONCURRENCY clients: `GET /health`, `POST /api/records` (a consumption meter) and
   `POST /api/readings` (each request the next hour, the next value, after the last reading).
   Prints p50, p99 and req/s of each and the reading/record ratio (target: p50 within 3x).
2. ROWS readings (default 1,000,000) of a second readings meter as CSV: `psql \\copy` into a
   plain table, `\\copy` into a table shaped like `readings` (same indexes and foreign keys),
   then `POST /api/readings/import` in parts under the 10 MiB upload limit.

Run: `make bench-readings` (EXISTING=10000 ROWS=100000 SECONDS=5 for a quicker run).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import (  # noqa: E402
    BACKEND,
    EMAIL,
    PART_BYTES,
    PASSWORD,
    SECRETS,
    Peak,
    api_server,
    call,
    login,
    machine,
    multipart,
    pg,
    split,
)

EXISTING = int(os.environ.get("EXISTING", "100000"))
ROWS = int(os.environ.get("ROWS", "1000000"))
SECONDS = float(os.environ.get("SECONDS", "10"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "8"))
START = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)


class Load:
    """CONCURRENCY keep-alive clients sending requests for SECONDS; latencies of the 2xx answers."""

    def __init__(self, base: str, headers: dict[str, str], request: Any) -> None:
        self.host, self.port = base.removeprefix("http://").split(":")
        self.headers = headers
        self.request = request  # (index) -> (method, path, body or None)
        self.lock = threading.Lock()
        self.counter = 0
        self.latencies: list[float] = []
        self.failures: dict[int, int] = {}

    def _next(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def _client(self, deadline: float) -> None:
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=60)
        while time.perf_counter() < deadline:
            method, path, body = self.request(self._next())
            payload = None if body is None else json.dumps(body).encode()
            headers = {**self.headers, **({"Content-Type": "application/json"} if payload else {})}
            started = time.perf_counter()
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with self.lock:
                if 200 <= response.status < 300:
                    self.latencies.append(elapsed)
                else:
                    self.failures[response.status] = self.failures.get(response.status, 0) + 1
        connection.close()

    def run(self) -> tuple[float, float, float, dict[int, int]]:
        deadline = time.perf_counter() + SECONDS
        started = time.perf_counter()
        threads = [threading.Thread(target=self._client, args=(deadline,)) for _ in range(CONCURRENCY)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        ordered = sorted(self.latencies)
        p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else float("nan")
        return statistics.median(ordered) * 1000, p99 * 1000, len(ordered) / wall, self.failures


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BACKEND / ".venv/bin/flask"), "--app", "wsgi", *args], cwd=BACKEND, env=env, check=True)


def seed_readings(cluster: Any, work: Path, meter_id: int, household_id: int, count: int) -> None:
    """``count`` readings, one an hour from START, rising by 0.5 each, written with COPY."""
    path = work / "existing.tsv"
    now = dt.datetime.now(dt.UTC).isoformat()
    with path.open("w") as out:
        for i in range(count):
            taken_at = (START + dt.timedelta(hours=i)).isoformat()
            out.write(f"{household_id}\t{meter_id}\t{taken_at}\t{i * 500}\treading\tf\tf\t{now}\t{now}\n")
    columns = "household_id, meter_id, taken_at, value_milli, kind, wrapped, high_rate, created_at, updated_at"
    cluster.psql(f"\\copy readings ({columns}) FROM '{path}'", "meterbook_bench")


def generate(path: Path, meter: str, rows: int) -> None:
    """``rows`` readings of ``meter``, one a minute, rising by 0.001 to 2.047, a tenth with a note."""
    value = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("taken_at,meter,value,kind,previous_final_value,note\n")
        for i in range(rows):
            value += 1 + (i * 7919) % 2047
            taken_at = (START + dt.timedelta(minutes=i)).isoformat()
            note = f'"read {i}, checked"' if i % 10 == 0 else ""
            out.write(f"{taken_at},{meter},{value / 1000:.3f},,,{note}\n")


def create(base: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return call(  # type: ignore[no-any-return]
        "POST", f"{base}/api/meters", json.dumps(body).encode(), {**headers, "Content-Type": "application/json"}
    )


def main() -> None:
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="meterbook-bench-", dir="/tmp"))
    work.chmod(0o755)
    cluster = pg.start_cluster()
    try:
        url = cluster.create_database("meterbook_bench")
        env = {**os.environ, **SECRETS, "DATABASE_URL": url, "APP_ENV": "development", "RATELIMIT_ENABLED": "false"}
        env.update({"LOG_LEVEL": "WARNING", "GUNICORN_THREADS": "8"})
        subprocess.run(
            [str(BACKEND / ".venv/bin/flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=BACKEND,
            env=env,
            check=True,
            capture_output=True,
        )
        flask(env, "users", "create-admin", EMAIL, "--password", PASSWORD)

        with api_server(env) as (base, _):
            headers = login(base)
            big = create(base, headers, {"name": "Big", "type": "electricity", "unit": "kWh", "mode": "readings"})
            create(base, headers, {"name": "Imported", "type": "water", "unit": "m3", "mode": "readings"})
        seed_readings(cluster, work, big["id"], big["household_id"], EXISTING)
        started = time.perf_counter()
        flask(env, "analytics", "rebuild")
        rebuild_seconds = time.perf_counter() - started
        consumption = int(cluster.psql("SELECT min(id) FROM meters WHERE mode = 'consumption'", "meterbook_bench"))

        results = {}
        with api_server(env) as (base, _):
            headers = login(base)
            after = START + dt.timedelta(hours=EXISTING)
            runs = {
                "GET /health": lambda i: ("GET", "/health", None),
                "POST /api/records": lambda i: (
                    "POST",
                    "/api/records",
                    {"meter_id": consumption, "date": "2026-01-01", "amount": 1.5},
                ),
                f"POST /api/readings (meter with {EXISTING:,} readings)": lambda i: (
                    "POST",
                    "/api/readings",
                    {
                        "meter_id": big["id"],
                        "taken_at": (after + dt.timedelta(hours=i)).isoformat(),
                        "value": (EXISTING + i) * 0.5,
                    },
                ),
            }
            for name, request in runs.items():
                results[name] = Load(base, headers, request).run()

        csv_path = work / "readings.csv"
        generate(csv_path, "Imported", ROWS)
        parts = split(csv_path, PART_BYTES)
        cluster.psql(
            "CREATE TABLE copy_target (taken_at timestamptz, meter text, value numeric(15,3), kind text, "
            "previous_final_value numeric(15,3), note text)",
            "meterbook_bench",
        )
        started = time.perf_counter()
        cluster.psql(f"\\copy copy_target FROM '{csv_path}' WITH (FORMAT csv, HEADER true)", "meterbook_bench")
        copy_seconds = time.perf_counter() - started
        with api_server(env) as (base, worker):
            headers = login(base)
            with Peak(worker) as import_peak:
                started = time.perf_counter()
                imported = 0
                for part in parts:
                    body, content_type = multipart(part)
                    answer = call("POST", f"{base}/api/readings/import", body, {**headers, "Content-Type": content_type})
                    imported += answer["imported"]
                import_seconds = time.perf_counter() - started
        assert imported == ROWS, imported
        # The database's floor: the stored rows again, \copy into a table shaped like readings.
        columns = (
            "household_id, meter_id, created_by, taken_at, value_milli, kind, previous_final_milli, note, "
            "wrapped, high_rate, created_at, updated_at"
        )
        tsv = work / "readings.tsv"
        imported_meter = "(SELECT id FROM meters WHERE name = 'Imported')"
        cluster.psql(
            f"\\copy (SELECT {columns} FROM readings WHERE meter_id = {imported_meter} ORDER BY id) TO '{tsv}'",
            "meterbook_bench",
        )
        cluster.psql(
            "CREATE TABLE readings_copy (LIKE readings INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS); "
            "ALTER TABLE readings_copy ADD FOREIGN KEY (household_id) REFERENCES households (id), "
            "ADD FOREIGN KEY (created_by) REFERENCES users (id), ADD FOREIGN KEY (meter_id) REFERENCES meters (id)",
            "meterbook_bench",
        )
        started = time.perf_counter()
        cluster.psql(f"\\copy readings_copy ({columns}) FROM '{tsv}'", "meterbook_bench")
        shaped_seconds = time.perf_counter() - started

        print()
        print(f"Machine: {machine()}")
        print(f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
        print(f"Load average at the start / end of the run: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
        print(
            f"API under gunicorn gthread, 1 worker x 8 threads; {CONCURRENCY} clients, {SECONDS:.0f} s per row; "
            f"{EXISTING:,} readings derived by `flask analytics rebuild` in {rebuild_seconds:.1f} s"
        )
        print()
        print("| Request | p50 ms | p99 ms | req/s | non-2xx |")
        print("|---|---:|---:|---:|---:|")
        for name, (p50, p99, rate, failures) in results.items():
            print(f"| `{name}` | {p50:.1f} | {p99:.1f} | {rate:,.0f} | {sum(failures.values())} {failures or ''} |")
        record_p50 = results["POST /api/records"][0]
        reading_p50 = list(results.values())[2][0]
        print()
        print(f"Reading create p50 / record create p50: {reading_p50 / record_p50:.2f}x (target ≤ 3x)")
        print()
        print("| Operation | Rows | Seconds | Rows/s | vs \\copy | API peak RSS |")
        print("|---|---:|---:|---:|---:|---:|")
        print(f"| `psql \\copy` into a plain table | {ROWS:,} | {copy_seconds:.2f} | {ROWS / copy_seconds:,.0f} | 1.0x | - |")
        print(
            f"| `psql \\copy` into a table shaped like `readings` | {ROWS:,} | {shaped_seconds:.2f} | "
            f"{ROWS / shaped_seconds:,.0f} | {shaped_seconds / copy_seconds:.1f}x | - |"
        )
        print(
            f"| Readings import through the API ({len(parts)} uploads) | {ROWS:,} | {import_seconds:.2f} | "
            f"{ROWS / import_seconds:,.0f} | {import_seconds / copy_seconds:.1f}x | {import_peak.kib / 1024:.0f} MiB |"
        )
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

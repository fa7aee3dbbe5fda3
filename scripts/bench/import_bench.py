# ruff: noqa: S310, S603, S608 - a local benchmark: fixed local URLs, commands and SQL
"""Import and export 1,000,000 records through the real API (gunicorn, PostgreSQL).

Starts a throwaway PostgreSQL cluster, generates a CSV of ROWS records, times
`psql \\copy` of the file into a plain table, then imports the same rows through
`POST /api/records/import` (in parts under the 10 MiB upload limit, one after the
other) and exports them with `GET /api/records/export`, polling the API worker's peak
RSS (VmHWM) for each phase on a freshly started worker. Prints a Markdown table.

Run: `make bench-import` (ROWS=200000 make bench-import for a quicker run).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parents[2] / "backend"
sys.path.insert(0, str(BACKEND))

from tests import pg  # noqa: E402

ROWS = int(os.environ.get("ROWS", "1000000"))
PART_BYTES = 9 * 1024 * 1024  # each upload stays under the 10 MiB request limit
EMAIL = "bench@example.com"
PASSWORD = "bench-password-123"
SECRETS = {
    "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    "JWT_SECRET_KEY": "bench-jwt-secret-key-that-is-long-enough-0123",
}


def generate(path: Path, rows: int) -> None:
    """Distinct rows over three meters and ~10 years of days; a third with a cost, a tenth with a note."""
    rng = random.Random(42)
    meters = ("Electricity,electricity,kWh", "Water,water,m3", "Gas,gas,m3")
    start = dt.date(2015, 1, 1).toordinal()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("date,meter,amount,cost,note,type,unit\n")
        for i in range(rows):
            day = dt.date.fromordinal(start + (i // 3) % 3650).isoformat()
            amount = f"{i // 1000}.{rng.randrange(1000):03d}"
            cost = f"{rng.randrange(100000) / 100:.2f}" if i % 3 == 0 else ""
            note = f'"reading {i}, checked"' if i % 10 == 0 else ""
            name, kind, unit = meters[i % 3].split(",")
            out.write(f"{day},{name},{amount},{cost},{note},{kind},{unit}\n")


def split(path: Path, limit: int) -> list[Path]:
    parts: list[Path] = []
    with path.open("rb") as src:
        header = src.readline()
        out = None
        size = 0
        for line in src:
            if out is None or size + len(line) > limit:
                if out is not None:
                    out.close()
                parts.append(path.with_name(f"{path.stem}.part{len(parts) + 1}.csv"))
                out = parts[-1].open("wb")
                out.write(header)
                size = len(header)
            out.write(line)
            size += len(line)
        if out is not None:
            out.close()
    return parts


class Peak:
    """Poll a process's VmHWM (peak resident set) while a phase runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def read(self) -> int:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError):
                self.kib = max(self.kib, self.read())
            time.sleep(0.05)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        with contextlib.suppress(OSError):
            self.kib = max(self.kib, self.read())


@contextlib.contextmanager
def api_server(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """gunicorn with one gthread worker; yields the base URL and the worker's pid."""
    port = pg.free_port()
    proc = subprocess.Popen(
        [
            str(BACKEND / ".venv/bin/gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--no-control-socket",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "900",
            "wsgi:app",
        ],
        cwd=BACKEND,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/health", timeout=2).read()
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the API did not start")
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        yield base, int(children[0])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def call(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=900) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{method} {url} answered {exc.code}: {exc.read()[:2000]!r}") from None


def login(base: str) -> dict[str, str]:
    body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
    tokens = call("POST", f"{base}/api/auth/login", body, {"Content-Type": "application/json"})
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError):
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    pg_version = subprocess.run([str(pg.PG_BIN / "postgres"), "--version"], check=True, capture_output=True, text=True)
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kib // 1024 // 1024} GiB RAM, {platform.platform(terse=True)}, "
        f"Python {platform.python_version()}, {pg_version.stdout.strip()} (fsync off, throwaway cluster)"
    )


def main() -> None:
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="meterbook-bench-", dir="/tmp"))
    work.chmod(0o755)
    cluster = pg.start_cluster()
    try:
        url = cluster.create_database("meterbook_bench")
        env = {**os.environ, **SECRETS, "DATABASE_URL": url, "APP_ENV": "development", "RATELIMIT_ENABLED": "false"}
        env.update({"LOG_LEVEL": "WARNING", "GUNICORN_THREADS": "4"})
        flask = [str(BACKEND / ".venv/bin/flask"), "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=BACKEND, env=env, check=True, capture_output=True)
        subprocess.run(
            [*flask, "users", "create-admin", EMAIL, "--password", PASSWORD], cwd=BACKEND, env=env, check=True
        )

        csv_path = work / "records.csv"
        started = time.perf_counter()
        generate(csv_path, ROWS)
        elapsed = time.perf_counter() - started
        print(f"generated {ROWS} rows, {csv_path.stat().st_size / 2**20:.1f} MiB in {elapsed:.1f} s")
        parts = split(csv_path, PART_BYTES)

        cluster.psql(
            "CREATE TABLE copy_target (date date, meter text, amount numeric(12,3), cost numeric(12,2), note text, "
            "type text, unit text)",
            "meterbook_bench",
        )
        started = time.perf_counter()
        cluster.psql(f"\\copy copy_target FROM '{csv_path}' WITH (FORMAT csv, HEADER true)", "meterbook_bench")
        copy_seconds = time.perf_counter() - started
        copied = int(cluster.psql("SELECT count(*) FROM copy_target", "meterbook_bench"))
        assert copied == ROWS, copied

        with api_server(env) as (base, worker):
            headers = login(base)
            with Peak(worker) as import_peak:
                started = time.perf_counter()
                imported = skipped = 0
                for part in parts:
                    body, content_type = multipart(part)
                    result = call("POST", f"{base}/api/records/import", body, {**headers, "Content-Type": content_type})
                    imported += result["imported"]
                    skipped += result["skipped_duplicates"]
                import_seconds = time.perf_counter() - started
        assert (imported, skipped) == (ROWS, 0), (imported, skipped)
        stored = int(cluster.psql("SELECT count(*) FROM records", "meterbook_bench"))
        assert stored == ROWS, stored

        # The database's own floor for these rows: \copy into a table shaped like records,
        # with the same indexes and foreign keys (no validation, no duplicate check, no rollups).
        columns = "household_id, created_by, meter_id, date, amount_milli, cost_cents, note, created_at, updated_at"
        tsv = work / "records.tsv"
        cluster.psql(f"\\copy (SELECT {columns} FROM records ORDER BY id) TO '{tsv}'", "meterbook_bench")
        cluster.psql(
            "CREATE TABLE records_copy (LIKE records INCLUDING DEFAULTS INCLUDING INDEXES); "
            "ALTER TABLE records_copy ADD FOREIGN KEY (household_id) REFERENCES households (id), "
            "ADD FOREIGN KEY (created_by) REFERENCES users (id), "
            "ADD FOREIGN KEY (meter_id) REFERENCES meters (id)",
            "meterbook_bench",
        )
        started = time.perf_counter()
        cluster.psql(f"\\copy records_copy ({columns}) FROM '{tsv}'", "meterbook_bench")
        shaped_seconds = time.perf_counter() - started

        exports = {}
        for fmt in ("csv", "json"):
            with api_server(env) as (base, worker):
                headers = login(base)
                baseline = Peak(worker).read()
                with Peak(worker) as export_peak:
                    started = time.perf_counter()
                    request = urllib.request.Request(f"{base}/api/records/export?format={fmt}", headers=headers)
                    size = lines = 0
                    with urllib.request.urlopen(request, timeout=900) as response:
                        while chunk := response.read(1 << 16):
                            size += len(chunk)
                            lines += chunk.count(b"\n")
                    seconds = time.perf_counter() - started
            if fmt == "csv":
                assert lines == ROWS + 1, lines
            exports[fmt] = (seconds, size, baseline, export_peak.kib)

        mib = 1024
        print()
        print(f"Machine: {machine()}")
        print(f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
        print(f"Load average at the start / end of the run: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
        print(f"File: {ROWS:,} rows, {csv_path.stat().st_size / 2**20:.1f} MiB, uploaded in {len(parts)} parts")
        print()
        print("| Operation | Rows | Seconds | Rows/s | vs \\copy | API peak RSS |")
        print("|---|---:|---:|---:|---:|---:|")
        print(
            f"| `psql \\copy` into a plain table | {ROWS:,} | {copy_seconds:.2f} | "
            f"{ROWS / copy_seconds:,.0f} | 1.0x | - |"
        )
        print(
            f"| `psql \\copy` into a copy of `records` (same indexes and foreign keys) | {ROWS:,} | "
            f"{shaped_seconds:.2f} | {ROWS / shaped_seconds:,.0f} | {shaped_seconds / copy_seconds:.1f}x | - |"
        )
        print(
            f"| Import through the API ({len(parts)} uploads) | {ROWS:,} | {import_seconds:.2f} | "
            f"{ROWS / import_seconds:,.0f} | {import_seconds / copy_seconds:.1f}x | {import_peak.kib / mib:.0f} MiB |"
        )
        for fmt, (seconds, size, baseline, peak) in exports.items():
            print(
                f"| Export {fmt.upper()} ({size / 2**20:.0f} MiB streamed) | {ROWS:,} | {seconds:.2f} | "
                f"{ROWS / seconds:,.0f} | - | {peak / mib:.0f} MiB (idle worker: {baseline / mib:.0f} MiB) |"
            )
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

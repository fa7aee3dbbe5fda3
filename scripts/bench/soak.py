# ruff: noqa: S603, S607, S310
"""Soak: mixed traffic at about 80% of the measured maximum for SOAK_SECONDS (default 600).

A throwaway PostgreSQL, the API under gunicorn with the production config, the demo data;
three `hey` streams run side by side (records list, analytics summary, record create), first
unthrottled to find the maximum, then throttled to 80% of it in 30-second slices. Each slice
reports requests, errors, p99 per stream and the API's resident memory. Writes the "Soak"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
VENV_BIN = BACKEND / ".venv" / "bin"
DOC = ROOT / "docs" / "benchmarks.md"
sys.path.insert(0, str(BACKEND))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics import machine  # noqa: E402

from tests import pg  # noqa: E402

SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
SLICE = int(os.environ.get("SOAK_SLICE", "30"))
PROBE_SECONDS = 20
SHARE = 0.8
PASSWORD = "soak password 123"


def log(message: str) -> None:
    print(f"[soak {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def call(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        url, data=None if body is None else json.dumps(body).encode(), method="POST" if body is not None else "GET"
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def rss_mib(master: int) -> float:
    """Resident memory of the gunicorn master and its workers."""
    pids = [master] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
        ).stdout.split()
    ]
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return total / 1024


def hey(
    url: str, seconds: int, concurrency: int, token: str, qps: float | None = None, body: dict[str, Any] | None = None
) -> subprocess.Popen[str]:
    args = ["hey", "-z", f"{seconds}s", "-c", str(concurrency), "-t", "30", "-H", f"Authorization: Bearer {token}"]
    if qps is not None:
        args += ["-q", f"{max(qps, 0.1):.2f}"]
    if body is not None:
        args += ["-m", "POST", "-T", "application/json", "-d", json.dumps(body)]
    return subprocess.Popen([*args, url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def parse(out: str) -> dict[str, Any]:
    def ms(pct: str) -> float:
        match = re.search(rf"{pct}% in ([0-9.]+) secs", out)
        return float(match.group(1)) * 1000 if match else float("nan")

    statuses = {int(code): int(n) for code, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)}
    rps_match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    # Transport failures (refused, timed out) are listed under "Error distribution" as "[count] ...".
    tail = out.split("Error distribution:", 1)[1] if "Error distribution:" in out else ""
    failed = sum(int(n) for n in re.findall(r"^\s*\[(\d+)\]", tail, flags=re.MULTILINE))
    return {
        "rps": float(rps_match.group(1)) if rps_match else 0.0,
        "p99": ms("99"),
        "ok": sum(n for code, n in statuses.items() if 200 <= code < 300),
        "errors": sum(n for code, n in statuses.items() if code >= 300) + failed,
    }


def main() -> None:
    cluster = pg.start_cluster()
    server: subprocess.Popen[bytes] | None = None
    try:
        database_url = cluster.create_database("soak")
        port = pg.free_port()
        env = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": "soak-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "JWT_SECRET_KEY": "soak-jwt-secret-key-0123456789-abcdefghijklmnopqrstu",
            "JWT_ACCESS_TOKEN_EXPIRES": str(SOAK_SECONDS * 3),
            "DATABASE_URL": database_url,
            "CORS_ORIGINS": "http://localhost:3000",
            "RATELIMIT_ENABLED": "false",
            "REQUIRE_EMAIL_VERIFICATION": "false",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_THREADS": "16",
            "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        }
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=BACKEND,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "seed", "demo"],
            cwd=BACKEND,
            env=env,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=BACKEND,
            env=env,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                call(f"{base}/health/ready")
                break
            except OSError:
                time.sleep(0.5)
        reader = call(f"{base}/api/auth/login", {"email": "demo@meterbook.local", "password": "meterbook-demo"})
        writers = []
        for n in range(3):
            email = f"writer{n}@example.com"
            call(f"{base}/api/auth/register", {"email": email, "password": PASSWORD, "name": f"Writer {n}"})
            writers.append(call(f"{base}/api/auth/login", {"email": email, "password": PASSWORD}))
        streams = [
            ("records list", f"{base}/api/records?per_page=20", reader["access_token"], None, 4),
            ("analytics summary", f"{base}/api/analytics/summary", reader["access_token"], None, 4),
        ]
        for n, writer in enumerate(writers):  # separate users: their writes do not queue on one another
            meters = call(f"{base}/api/meters", token=writer["access_token"])["items"]
            body = {"meter_id": meters[0]["id"], "date": "2026-06-01", "amount": 1.5, "cost": 0.3, "note": "soak"}
            streams.append((f"record create {n + 1}", f"{base}/api/records", writer["access_token"], body, 2))

        log(f"probing the maximum for {PROBE_SECONDS} s")
        probes = [hey(url, PROBE_SECONDS, c, token, body=body) for _, url, token, body, c in streams]
        maxima = [parse(p.communicate()[0]) for p in probes]
        total_max = sum(m["rps"] for m in maxima)
        log(f"maximum mixed throughput {total_max:.0f} req/s")

        slices = []
        start_rss = rss_mib(server.pid)
        started = time.monotonic()
        while time.monotonic() - started < SOAK_SECONDS:
            procs = [
                hey(url, SLICE, c, token, qps=SHARE * m["rps"] / c, body=body)
                for (_, url, token, body, c), m in zip(streams, maxima, strict=True)
            ]
            results = [parse(p.communicate()[0]) for p in procs]
            slices.append(
                {
                    "t": round(time.monotonic() - started),
                    "requests": sum(r["ok"] + r["errors"] for r in results),
                    "errors": sum(r["errors"] for r in results),
                    "p99": {name: r["p99"] for (name, *_), r in zip(streams, results, strict=True)},
                    "rss": rss_mib(server.pid),
                }
            )
            log(
                f"slice {len(slices)}: {slices[-1]['requests']} requests, {slices[-1]['errors']} errors, "
                f"RSS {slices[-1]['rss']:.0f} MiB"
            )
        write_doc(streams, maxima, total_max, slices, start_rss)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        cluster.destroy()


def slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    if n < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0


def write_doc(
    streams: list[Any], maxima: list[dict[str, Any]], total_max: float, slices: list[dict[str, Any]], start_rss: float
) -> None:
    names = [name for name, *_ in streams]
    total_requests = sum(s["requests"] for s in slices)
    total_errors = sum(s["errors"] for s in slices)
    # Ignore the first slice for the trend: pools and caches fill there.
    trend = slope([(s["t"] / 60, s["rss"]) for s in slices[1:]])
    lines = [
        "## Soak",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench-soak` ({SOAK_SECONDS} s). Machine: {machine()}.",
        "",
        "API under gunicorn with `gunicorn.conf.py` (gthread, 2 workers, 16 threads each), PostgreSQL 15, the "
        "demo data; load from three kinds of `hey` streams side by side: the records list and the analytics "
        "summary of the demo user, and record creation by three other users. The maximum was measured "
        f"unthrottled for {PROBE_SECONDS} s ({total_max:.0f} req/s in all: "
        + ", ".join(f"{name} {m['rps']:.0f}" for name, m in zip(names, maxima, strict=True))
        + f"); the soak then ran each stream at {SHARE:.0%} of its own maximum, in {SLICE}-second slices.",
        "",
        f"Totals: {total_requests:,} requests, **{total_errors} errors**; resident memory {start_rss:.0f} MiB at "
        f"the start, {slices[-1]['rss']:.0f} MiB at the end, trend after the first slice {trend:+.2f} MiB/min.",
        "",
        "| t (s) | requests | errors | " + " | ".join(f"p99 {n} ms" for n in names) + " | RSS MiB |",
        "|---:|---:|---:|" + "---:|" * len(names) + "---:|",
    ]
    for s in slices:
        lines.append(
            f"| {s['t']} | {s['requests']} | {s['errors']} | "
            + " | ".join(f"{s['p99'][n]:.0f}" for n in names)
            + f" | {s['rss']:.0f} |"
        )
    section = "\n".join(lines) + "\n"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(r"## Soak\n.*?(?=\n## |\Z)", re.S)
    text = (
        pattern.sub(lambda _: section.rstrip("\n") + "\n", text, count=1)
        if pattern.search(text)
        else (text.rstrip("\n") + "\n\n" + section)
    )
    DOC.write_text(text)
    print(section)


if __name__ == "__main__":
    main()

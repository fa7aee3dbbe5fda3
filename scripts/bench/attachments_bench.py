# ruff: noqa: S603, S310 - a local benchmark: fixed local commands and URLs
"""Peak memory of the API while 10 parallel 5 MiB photo uploads run.

The API runs under gunicorn with the production settings (backend/gunicorn.conf.py: gthread,
GUNICORN_WORKERS workers, default 2) on a fresh SQLite database and local storage in a
temporary directory. A noisy JPEG just under 5 MiB (about 9 megapixels, 27 MB once decoded)
is uploaded once to warm up, then UPLOADS (default 10) times at once, ROUNDS times (default 3).
The resident memory (VmRSS) of the gunicorn master and its workers is sampled every 20 ms.

Run: `make bench-attachments`. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import io
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

BACKEND = Path(__file__).resolve().parents[2] / "backend"
UPLOADS = int(os.environ.get("UPLOADS", "10"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WORKERS = os.environ.get("GUNICORN_WORKERS", "2")
EMAIL, PASSWORD = "bench@example.com", "bench password 123"
LIMIT = 5 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def photo() -> bytes:
    """A JPEG of noise just under 5 MiB (noise does not compress: the worst case per byte)."""
    edge, best = 1500, b""
    while True:
        noise = Image.merge(
            "RGB", [Image.effect_noise((edge, edge), 90) for _ in range(3)]
        )
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=92)
        if out.tell() > LIMIT:
            return best
        best, edge = out.getvalue(), edge + 100


def rss_kib(pids: list[int]) -> dict[int, int]:
    sizes = {}
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1])
        except OSError:
            continue
    return sizes


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Sampler:
    def __init__(self, master: int) -> None:
        self.master = master
        self.peak_total = 0
        self.peak_worker = 0
        self.running = False

    def sample(self) -> tuple[int, int]:
        sizes = rss_kib([self.master, *children(self.master)])
        workers = [size for pid, size in sizes.items() if pid != self.master]
        return sum(sizes.values()), max(workers, default=0)

    def _loop(self) -> None:
        while self.running:
            total, worker = self.sample()
            self.peak_total, self.peak_worker = (
                max(self.peak_total, total),
                max(self.peak_worker, worker),
            )
            time.sleep(0.02)

    def __enter__(self) -> Sampler:
        self.peak_total = self.peak_worker = 0
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.running = False
        self.thread.join()


def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="meter.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="meterbook-bench-att-"))
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "CORS_ORIGINS": "http://localhost:3000",
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "STORAGE_URL": f"file://{work / 'uploads'}",
        "JOBS_URL": "memory://",
        "REQUIRE_EMAIL_VERIFICATION": "false",
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": WORKERS,
    }
    flask = [str(BACKEND / ".venv/bin/flask"), "--app", "wsgi"]
    subprocess.run(
        [*flask, "db", "upgrade"], cwd=BACKEND, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [*flask, "users", "create-admin", EMAIL, "--password", PASSWORD],
        cwd=BACKEND,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(BACKEND / ".venv/bin/gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--no-control-socket",
            "wsgi:app",
        ],
        cwd=BACKEND,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        login = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
        status, tokens = post(
            f"{base}/api/auth/login", {"Content-Type": "application/json"}, login
        )
        assert status == 200, tokens
        data = photo()
        body, content_type = multipart(data)
        headers = {
            "Authorization": f"Bearer {tokens['access_token']}",
            "Content-Type": content_type,
        }
        upload = f"{base}/api/attachments"
        sampler = Sampler(server.pid)
        idle_total, idle_worker = sampler.sample()
        status, answer = post(upload, headers, body)  # warm-up: imports, first decode
        assert status == 201, answer
        warm_total, warm_worker = sampler.sample()
        rounds = []
        for _ in range(ROUNDS):
            with sampler, ThreadPoolExecutor(UPLOADS) as pool:
                started = time.perf_counter()
                statuses = list(
                    pool.map(lambda _: post(upload, headers, body)[0], range(UPLOADS))
                )
                seconds = time.perf_counter() - started
            assert statuses == [201] * UPLOADS, statuses
            rounds.append((sampler.peak_total, sampler.peak_worker, seconds))
        megapixels = answer["width"] * answer["height"] / 1e6
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    mib = 1024
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in lines if "model name" in line),
        platform.processor(),
    )
    print(
        f"\n{UPLOADS} parallel uploads of a {len(data) / 1024 / 1024:.2f} MiB JPEG "
        f"({answer['width']}x{answer['height']}, {megapixels:.1f} MP), gunicorn gthread x {WORKERS} workers, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}\n"
    )
    print(
        "| moment | API RSS (master + workers) | largest worker | wall time of the 10 uploads |"
    )
    print("|---|---|---|---|")
    print(
        f"| idle, after start | {idle_total / mib:.0f} MiB | {idle_worker / mib:.0f} MiB | |"
    )
    print(
        f"| after one upload (warm) | {warm_total / mib:.0f} MiB | {warm_worker / mib:.0f} MiB | |"
    )
    for number, (total, worker, seconds) in enumerate(rounds, 1):
        print(
            f"| peak, round {number} | {total / mib:.0f} MiB | {worker / mib:.0f} MiB | {seconds:.2f} s |"
        )


if __name__ == "__main__":
    sys.exit(main())

"""A throwaway redis-server and API processes (gunicorn) for multi-process tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .http import call
from .pg import free_port

BACKEND = Path(__file__).resolve().parent.parent


@dataclass
class RedisServer:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (make system-deps installs it)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class APIProcess:
    """The API under gunicorn on a free port, configured only through the environment."""

    env: Mapping[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--no-control-socket",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "3",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=BACKEND,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                if call("GET", f"{self.base}/health").status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"the API process exited: {err[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("the API process did not become ready")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@contextmanager
def api_pair(
    database_url: str, smtp_port: int, redis_url: str, **settings: str
) -> Iterator[tuple[APIProcess, APIProcess]]:
    """Two API processes on one database and one redis-server (the test secrets, rate limits
    off unless ``settings``, which go on top, say otherwise); stopped on exit."""
    from .conftest import TEST_SECRETS

    env = {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        **TEST_SECRETS,
        **settings,
    }
    pair = (APIProcess(env), APIProcess(env))
    try:
        for process in pair:
            process.start()
        for process in pair:
            process.wait_ready()
        yield pair
    finally:
        for process in pair:
            process.stop()

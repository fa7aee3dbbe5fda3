"""The job worker as a real process (``flask jobs worker``) against a store and a database
the test shares with it; the test's own app enqueues into the same store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from app.jobs import queue_of
from app.jobs.sweep import HEARTBEAT

BACKEND = Path(__file__).resolve().parent.parent.parent


@dataclass
class WorkerProcess:
    """``flask jobs worker`` configured only through its environment (and Flask-only keys)."""

    env: dict[str, str]
    log: Path
    flask_keys: dict[str, Any] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        flask = Path(sys.executable).parent / "flask"
        target = f"app:create_app({self.flask_keys!r})"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(flask), "--app", target, "jobs", "worker", "--workers", "2"],
                cwd=BACKEND,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, app: Flask, timeout: float = 60) -> None:
        """Until the worker has run its first minute round (it writes a heartbeat then)."""
        huey = queue_of(app).huey
        started = time.time()
        wait_until(
            lambda: (beat := huey.get(HEARTBEAT, peek=True)) is not None and float(beat) >= started - 1,
            timeout,
            self.why,
        )

    def why(self) -> str:
        alive = self.process is not None and self.process.poll() is None
        return f"worker {'running' if alive else 'exited'}; its log:\n{self.log.read_text()[-3000:]}"

    def kill(self) -> None:
        """SIGKILL: no chance to finish or give anything back."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> None:
        """SIGTERM: running jobs are interrupted and given back to the queue."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, why: Callable[[], str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out{': ' + why() if why else ''}")
        time.sleep(0.05)

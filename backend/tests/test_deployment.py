"""The compose file names what production needs, and the API command it runs really serves."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import Settings
from tests.pg import free_port

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        duplicates = {key for key in keys if keys.count(key) > 1}
        assert not duplicates, f"duplicate keys {duplicates} at line {node.start_mark.line + 1}"
        return super().construct_mapping(node, deep=deep)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.load((ROOT / "docker-compose.yml").read_text(), Loader=_StrictLoader)  # type: ignore[no-any-return]  # noqa: S506 (a SafeLoader subclass)


def test_compose_has_the_whole_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "redis", "api", "web", "mail", "worker"}
    assert set(compose["volumes"]) == {"pgdata", "redisdata"}
    assert services["api"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "mail": {"condition": "service_healthy"},
    }
    assert services["web"]["depends_on"] == {"api": {"condition": "service_healthy"}}
    # The worker: the API's image and settings, the queue on Redis, running jobs finish on stop.
    worker = services["worker"]
    assert worker["build"] == services["api"]["build"]
    assert worker["environment"] == services["api"]["environment"]
    assert worker["command"] == ["flask", "--app", "wsgi", "jobs", "worker"]
    assert worker["stop_signal"] == "SIGINT"
    assert worker["environment"]["JOBS_URL"] == "${JOBS_URL:-redis://redis:6379/1}"
    assert "/health/ready" in " ".join(services["api"]["healthcheck"]["test"])
    command = services["api"]["command"][-1]
    assert command.index("db upgrade") < command.index("gunicorn")
    for name, service in services.items():
        assert "healthcheck" in service, name
        if "image" in service:
            assert re.search(r":v?\d", service["image"]), f"{name} image is not pinned"


def test_compose_passes_every_setting(compose: dict[str, Any]) -> None:
    env = compose["services"]["api"]["environment"]
    assert set(Settings.model_fields) <= set(env)


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z_]+)=", text, flags=re.MULTILINE))
    assert set(Settings.model_fields) <= names
    for name in Settings.model_fields:
        # each variable is explained by the comment line just above it
        lines = text.splitlines()
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
        assert lines[index - 1].startswith("#") or lines[index - 2].startswith("#"), name


def test_dockerfiles_are_multistage_pinned_and_non_root() -> None:
    for path in (BACKEND / "Dockerfile", ROOT / "frontend" / "Dockerfile"):
        text = path.read_text()
        stages = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
        assert len(stages) >= 2, path
        assert all(re.search(r":\d+\.\d+", image) for image in stages if image not in ("build", "deps")), path
        assert re.search(r"^USER (?!root)\S+", text, flags=re.MULTILINE), path


@pytest.mark.slow
def test_compose_api_command_serves_ready(compose: dict[str, Any], tmp_path: Path) -> None:
    command = compose["services"]["api"]["command"]
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{BACKEND / '.venv' / 'bin'}:{os.environ['PATH']}",
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "JWT_SECRET_KEY": "j" * 40,
        "CORS_ORIGINS": "https://meterbook.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'compose.db'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "HOME": str(tmp_path),
    }
    process = subprocess.Popen(
        command, cwd=BACKEND, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
                    status = response.status
            except OSError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                time.sleep(0.3)
        assert status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

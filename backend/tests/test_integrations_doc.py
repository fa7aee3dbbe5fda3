"""docs/integrations.md runs: its curl command, its Python script (through a server that
fails twice, once losing an answer) and its Home Assistant rest_command, against a live API."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.factories import account
from tests.http import call

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), flags=re.M | re.S)


class Flaky:
    """WSGI middleware: the first POST answers 503, the second reaches the API but its answer
    is lost (502), the rest pass through. Only while ``armed``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.armed = False
        self.posts = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not self.armed or environ["REQUEST_METHOD"] != "POST":
            return self.app(environ, start_response)
        self.posts += 1
        if self.posts == 1:
            start_response("503 Service Unavailable", [("Retry-After", "0"), ("Content-Type", "text/plain")])
            return [b"down for a moment"]
        if self.posts == 2:
            answer = b"".join(self.app(environ, lambda *_args, **_kw: None))
            assert b'"id"' in answer  # written, then the answer is lost on the way back
            start_response("502 Bad Gateway", [("Retry-After", "0"), ("Content-Type", "text/plain")])
            return [b"the proxy lost the answer"]
        return self.app(environ, start_response)


@pytest.fixture
def live(app: Flask) -> Iterator[tuple[str, Flaky]]:
    flaky = Flaky(app)
    server = make_server("127.0.0.1", 0, flaky, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="integrations-doc-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", flaky
    finally:
        server.shutdown()


def _setup(app: Flask, client: FlaskClient) -> tuple[Any, str, dict[str, str]]:
    acct = account(app, client)
    token = client.post(
        "/api/auth/tokens", json={"name": "doc", "scopes": ["read", "write"]}, headers=acct.headers
    ).get_json()["token"]
    return acct, token, {"Authorization": f"Bearer {token}"}


def _records(client: FlaskClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return client.get("/api/records?sort=date", headers=headers).get_json()["items"]  # type: ignore[no-any-return]


def test_the_curl_example_records_once(app: Flask, client: FlaskClient, live: tuple[str, Flaky]) -> None:
    url, _ = live
    acct, token, headers = _setup(app, client)
    [command] = [block for block in _blocks("bash") if block.startswith("curl")]
    command = command.replace('"meter_id": 1,', f'"meter_id": {acct.meters["Electricity"]},')
    env = {**os.environ, "METERBOOK_URL": url, "METERBOOK_TOKEN": token}
    first = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30, check=True)
    again = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30, check=True)
    record = json.loads(first.stdout)
    assert (record["meter_name"], record["date"], record["amount"], record["note"]) == (
        "Electricity",
        "2026-11-26",
        7.25,
        "from curl",
    )
    assert json.loads(again.stdout) == record
    assert [r["id"] for r in _records(client, headers)] == [record["id"]]


def test_the_python_script_retries_with_one_key(
    app: Flask, client: FlaskClient, live: tuple[str, Flaky], tmp_path: Path
) -> None:
    url, flaky = live
    acct, token, headers = _setup(app, client)
    [script] = _blocks("python")
    (tmp_path / "push_record.py").write_text(script, encoding="utf-8")
    [usage] = [block for block in _blocks("bash") if "push_record.py" in block]
    args = [word for word in shlex.split(usage) if "=" not in word]
    assert args[:2] == ["python3", "push_record.py"]
    args[2] = str(acct.meters["Electricity"])
    flaky.armed = True
    done = subprocess.run(
        [sys.executable, "push_record.py", *args[2:]],
        cwd=tmp_path,
        env={**os.environ, "METERBOOK_URL": url, "METERBOOK_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    flaky.armed = False
    [record] = _records(client, headers)
    assert flaky.posts == 3
    assert done.stdout == f"record {record['id']}: 6.5 kWh on 2026-11-25\n"
    assert (record["date"], record["amount"]) == ("2026-11-25", 6.5)


def test_the_home_assistant_rest_command_records_once(app: Flask, client: FlaskClient, live: tuple[str, Flaky]) -> None:
    url, _ = live
    acct, token, headers = _setup(app, client)

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!secret", lambda _loader, _node: f"Bearer {token}")
    rest, automations = (yaml.load(block, Loader=Loader) for block in _blocks("yaml"))  # noqa: S506
    command = rest["rest_command"]["meterbook_record"]
    [automation] = automations["automation"]
    [action] = automation["action"]
    assert action["service"] == "rest_command.meterbook_record"
    assert set(action["data"]) == {"meter_id", "date", "amount"}
    values = {"meter_id": acct.meters["Electricity"], "date": "2026-11-24", "amount": 3.125}
    env = jinja2.Environment(autoescape=False)  # noqa: S701 - JSON, as Home Assistant renders it
    payload = json.loads(env.from_string(command["payload"]).render(values))
    sent_headers = {name: env.from_string(value).render(values) for name, value in command["headers"].items()}
    assert command["method"] == "post"
    assert command["content_type"] == "application/json"
    target = command["url"].replace("https://meterbook.example.com", url)
    first = call("POST", target, payload, sent_headers)
    again = call("POST", target, payload, sent_headers)
    assert (first.status, again.status) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert (first.body["date"], first.body["amount"], first.body["note"]) == ("2026-11-24", 3.125, "Home Assistant")
    assert [r["id"] for r in _records(client, headers)] == [first.body["id"]]

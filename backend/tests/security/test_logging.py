"""Nothing a request carries can forge a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

FORGED = "2026-11-27 10:00:00,000 INFO    [-] meterbook.access: POST /api/admin/users/1 200 1.0ms"


@pytest.fixture
def drop_handler() -> Iterator[None]:
    yield
    logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if h.get_name() != "meterbook"]


def test_a_newline_in_the_path_does_not_forge_a_console_line(
    make_app: Any, capsys: pytest.CaptureFixture[str], drop_handler: None
) -> None:
    app = make_app(LOG_FORMAT="console", LOG_LEVEL="INFO")
    capsys.readouterr()
    response = app.test_client().get("/api/x%0a" + FORGED.replace(" ", "%20") + "%0d%1b[2J")
    assert response.status_code == 404
    lines = capsys.readouterr().err.splitlines()
    assert not any(line.startswith("2026-11-27 10:00:00") for line in lines)
    [access] = [line for line in lines if "meterbook.access" in line]
    assert "GET /api/x\\n2026-11-27 10:00:00,000 INFO" in access
    assert "\\r\\x1b[2J 404" in access


def test_logged_values_are_escaped_whatever_logs_them(
    make_app: Any, capsys: pytest.CaptureFixture[str], drop_handler: None
) -> None:
    make_app(LOG_FORMAT="console", LOG_LEVEL="INFO")
    capsys.readouterr()
    logging.getLogger("app.probe").warning("rate limit exceeded; client %s", "1.2.3.4\r\n" + FORGED + "\u2028x\x85")
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith("client 1.2.3.4\\r\\n" + FORGED + "\\u2028x\\x85")


def test_json_lines_carry_the_escaped_path_and_user_agent(
    make_app: Any, capsys: pytest.CaptureFixture[str], drop_handler: None
) -> None:
    app = make_app(LOG_FORMAT="json", LOG_LEVEL="INFO")
    capsys.readouterr()
    app.test_client().get("/api/x%0aforged", headers={"User-Agent": "probe\x1b[31m"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [access] = [line for line in lines if line["logger"] == "meterbook.access"]
    assert (access["path"], access["user_agent"]) == ("/api/x\\nforged", "probe\\x1b[31m")
    assert access["message"].startswith("GET /api/x\\nforged 404 ")

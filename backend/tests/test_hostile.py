"""A corpus of hostile input sent to every operation that takes input.

Each answer is a 4xx envelope or a correct 2xx — never a 5xx — and a refused request
leaves the user's data exactly as it was.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app.extensions import db
from tests.factories import account, add_record

STRINGS = [
    "",
    " ",
    "x" * 100_000,
    "'; DROP TABLE records; --",
    "1 OR 1=1",
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "nul\x00byte",
    "zero\u200bwidth",
    "\u202eright-to-left",
    "😀" * 300,
    "\ud83d",  # lone surrogate (encoded by the JSON library as an escape)
    "<script>alert(1)</script>",
    "%s%s%n",
    "NaN",
    "Infinity",
]
NUMBERS_RAW = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "-1",
    "1e-400",
    "1.0000000000000000001",
    "99999999999999999999999",
    "0.0001",
    "-0",
    "1E3",
]
VALUES: list[Any] = [None, True, False, 0, -1, 2**63, -(2**63), 1.5, [], [1, 2], {}, {"a": {"b": {}}}, *STRINGS]
QUERY_VALUES = [
    "",
    "-1",
    "0",
    "10000000000000000000000",
    "abc",
    "1e3",
    "2026-02-30",
    "9999-99-99",
    "%00",
    "null",
    "[]",
    "{}",
    "'; DROP TABLE records; --",
    "x" * 5000,
    "\u202e",
    "😀",
]
IDS = ["0", "-1", "9223372036854775808", "2147483648", "abc", "1.5", "%00", "..%2F..%2F"]


def _spec(app: Flask) -> dict[str, Any]:
    return app.extensions["meterbook.openapi"]  # type: ignore[no-any-return]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _operations(app: Flask) -> list[tuple[str, str, dict[str, Any]]]:
    spec = _spec(app)
    return [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def _snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables if t.name not in ("outbox",)]
        state = {}
        for name in tables:
            rows = db.session.execute(text(f"SELECT * FROM {name}")).all()
            state[name] = sorted(tuple(str(v) for v in row) for row in rows)
        db.session.remove()
        return state


def _make_victim(app: Flask, client: FlaskClient) -> Any:
    from tests.conftest import _empty_tables

    _empty_tables(app)
    acc = account(app, client, "victim@example.com", role="admin")  # reaches the admin routes too
    add_record(app, acc.id, acc.meters["Water"], "2026-01-01", "5", "1.25", "keep me")
    return acc


def _fresh_headers(app: Flask, user_id: int) -> dict[str, str]:
    from app.api.auth.service import start_session
    from app.models import User

    with app.test_request_context():
        token = start_session(db.session.get(User, user_id))["access_token"]
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def _fill(path: str, victim: Any) -> str:
    return (
        path.replace("{record_id}", "1")
        .replace("{meter_id}", str(victim.meters["Water"]))
        .replace("{user_id}", str(victim.id))
        .replace("{household_id}", str(victim.household_id))
        .replace("{invitation_id}", "1")
        .replace("{link_id}", "1")
        .replace("{token}", "no-such-share-token")
    )


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and set(body) == {"error"}, (what, response.get_data(as_text=True)[:300])


def _send(client: FlaskClient, method: str, url: str, headers: dict[str, str], raw: str | None) -> Any:
    kwargs: dict[str, Any] = {"headers": {**headers}}
    if raw is not None:
        kwargs["data"] = raw
        kwargs["headers"]["Content-Type"] = "application/json"
    return client.open(url, method=method.upper(), **kwargs)


def _bodies(spec: dict[str, Any], op: dict[str, Any]) -> list[str]:
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return []
    schema = _resolve(spec, content["application/json"]["schema"])
    fields = list(schema.get("properties", {}))
    bodies = [
        "null",
        "[]",
        "[{}]",
        '"text"',
        "123",
        "{}",
        "{" * 5000 + "}" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        '{"x": 1, "x": 2}',
        "\ufeff{}",
        '{"' + "k" * 10000 + '": 1}',
    ]
    for field in fields:
        bodies.extend(json.dumps({field: value}) for value in VALUES)
        bodies.extend(f'{{"{field}": {raw}}}' for raw in NUMBERS_RAW)
    return bodies


def _cases(spec: dict[str, Any], path: str, op: dict[str, Any]) -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = [(path, body) for body in _bodies(spec, op)]
    for param in op.get("parameters", []):
        if param["in"] == "query":
            cases.extend((f"{path}?{param['name']}={value}", None) for value in QUERY_VALUES)
            cases.append((f"{path}?{param['name']}=1&{param['name']}=2&{param['name']}=abc", None))
        elif param["in"] == "path":
            cases.extend((path.replace("{" + param["name"] + "}", bad), None) for bad in IDS)
    cases.append((f"{path}?unknown=1&page=1&page=2", None))
    return cases


def _only_sessions_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Failed logins count toward the lockout and a refused token may revoke a session; nothing else moves."""
    return all(before[name] == after[name] for name in before if name not in ("users", "token_families"))


def test_hostile_input_never_5xx_and_refusals_change_nothing(app: Flask, client: FlaskClient) -> None:
    spec = _spec(app)
    victim = _make_victim(app, client)
    tried = refused = 0
    for path, method, op in _operations(app):
        if not path.startswith("/api/"):
            continue
        for target, case_body in _cases(spec, path, op):
            needs_body = case_body is None and op.get("requestBody", {}).get("required")
            body = "{}" if needs_body else case_body
            before = _snapshot(app) if method != "get" else None
            response = _send(client, method, _fill(target, victim), _fresh_headers(app, victim.id), body)
            _check(response, f"{method.upper()} {target} {str(body)[:80]!r}")
            response.close()  # a streamed export left open would be finished later, in another context
            tried += 1
            if response.status_code >= 400:
                refused += 1
                if before is not None:
                    assert _only_sessions_changed(before, _snapshot(app)), f"{method.upper()} {target} changed data"
            elif method != "get":
                victim = _make_victim(app, client)  # an accepted write: start again from a known state
    assert tried > 1000 and refused > 900, (tried, refused)

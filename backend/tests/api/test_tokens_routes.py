"""Which routes a personal access token may call, generated from the URL map.

The contract's list (PRODUCT §13): the GETs of meters, records, readings, analytics, bills,
budgets, notifications and exports (and attachments, which follow readings: §14) need the
``read`` scope, their POST/PUT/PATCH/DELETE (imports and batches included) ``write``; every
other route refuses a token with 403, public ones included. A route added without a
declaration therefore refuses tokens, and a route in the list that forgot its declaration
fails here.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account

TOKEN_PREFIXES = (
    "/api/meters",
    "/api/records",
    "/api/readings",
    "/api/analytics",
    "/api/bills",
    "/api/attachments",
    "/api/budgets",
    "/api/notifications",
)
REFUSED = "Personal access tokens cannot be used here; sign in instead."
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _in_list(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in TOKEN_PREFIXES)


def _url(rule: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "x", rule)


def _layer_answer(response: Any) -> str | None:
    """What the token layer said, if it refused: 'refused', 'scope:<name>', 'invalid'."""
    if response.status_code == 401:
        return "invalid"
    if response.status_code == 403 and response.is_json:
        message = response.get_json()["error"]["message"]
        if message == REFUSED:
            return "refused"
        if match := re.fullmatch(r"This token lacks the (\w+) scope\.", message):
            return f"scope:{match.group(1)}"
    return None


def test_every_route_declares_what_a_token_may_do(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)

    def token(scopes: list[str]) -> dict[str, str]:
        body = client.post("/api/auth/tokens", json={"name": "t", "scopes": scopes}, headers=acct.headers).get_json()
        return {"Authorization": f"Bearer {body['token']}"}

    read, write, both = token(["read"]), token(["write"]), token(["read", "write"])
    seen: dict[str, set[str]] = {"refused": set(), "read": set(), "write": set()}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") and rule.rule not in ("/health", "/health/ready", "/metrics"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            url = _url(rule.rule)
            kwargs: dict[str, Any] = {"json": {}} if method in WRITES else {}
            where = f"{method} {rule.rule}"
            if not _in_list(rule.rule):
                for headers in (read, write, both):
                    got = _layer_answer(client.open(url, method=method, headers=headers, **kwargs))
                    assert got == "refused", f"{where} let a token in ({got})"
                seen["refused"].add(where)
                continue
            needed, other = ("write", read) if method in WRITES else ("read", write)
            assert _layer_answer(client.open(url, method=method, headers=both, **kwargs)) is None, where
            assert _layer_answer(client.open(url, method=method, headers=other, **kwargs)) == f"scope:{needed}", where
            seen[needed].add(where)
    print("token routes:", {kind: len(routes) for kind, routes in seen.items()})
    assert {"GET /api/meters", "GET /api/records", "GET /api/records/export", "GET /api/analytics/summary"} <= seen[
        "read"
    ]
    assert {"POST /api/records", "POST /api/records/import", "DELETE /api/meters/<int:meter_id>"} <= seen["write"]
    assert {"GET /api/auth/me", "POST /api/auth/login", "GET /api/households", "GET /api/admin/users"} <= seen[
        "refused"
    ]

"""Two API processes under gunicorn sharing one redis-server and one database: whatever one
process revokes, the other refuses on the very next request, and a figure cached by one is
never served by the other after a write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.factories import PASSWORD, create_user, home_of, join
from tests.http import bearer, call
from tests.redis_server import APIProcess, api_pair
from tests.smtp import SMTPServer


@pytest.fixture(scope="module")
def processes(
    app: Flask, database_url: str, smtp_server: SMTPServer, redis_url: str
) -> Iterator[tuple[APIProcess, APIProcess]]:
    with api_pair(database_url, smtp_server.port, redis_url) as pair:
        yield pair


def sign_in(base: str, email: str) -> dict[str, str]:
    tokens: dict[str, Any] = call("POST", f"{base}/api/auth/login", {"email": email, "password": PASSWORD}).body
    return bearer(tokens["access_token"])


def code(reply: Any) -> tuple[int, str | None]:
    return reply.status, (reply.body or {}).get("error", {}).get("code") if isinstance(reply.body, dict) else None


def test_revocations_hold_on_the_other_process_at_once(
    processes: tuple[APIProcess, APIProcess], app: Flask, make_app: Any, redis_url: str
) -> None:
    one, two = processes
    create_user(app, "admin-procs@example.com", role="admin")
    user_id, _ = create_user(app, "user-procs@example.com")
    owner_id, _ = create_user(app, "owner-procs@example.com")
    shared = home_of(app, owner_id)
    join(app, user_id, shared, "viewer")
    admin = sign_in(one.base, "admin-procs@example.com")
    owner = sign_in(one.base, "owner-procs@example.com")

    # Each check: warm process two with a request that succeeds, act through process one,
    # then the very next request to process two is refused.
    user = sign_in(two.base, "user-procs@example.com")
    assert call("GET", f"{two.base}/api/meters?household_id={shared}", headers=user).status == 200
    removed = call("DELETE", f"{one.base}/api/households/{shared}/members/{user_id}", headers=owner)
    assert removed.status == 204
    assert code(call("GET", f"{two.base}/api/meters?household_id={shared}", headers=user)) == (422, "validation_error")
    assert code(call("GET", f"{two.base}/api/households/{shared}", headers=user)) == (404, "not_found")

    created = call("POST", f"{two.base}/api/auth/tokens", {"name": "script", "scopes": ["read"]}, headers=user).body
    script = bearer(created["token"])
    assert call("GET", f"{two.base}/api/meters", headers=script).status == 200
    assert call("DELETE", f"{one.base}/api/auth/tokens/{created['id']}", headers=user).status == 204
    assert code(call("GET", f"{two.base}/api/meters", headers=script))[0] == 401

    assert call("GET", f"{two.base}/api/meters", headers=user).status == 200
    assert call("POST", f"{one.base}/api/auth/logout", headers=user).status == 204
    assert code(call("GET", f"{two.base}/api/meters", headers=user)) == (401, "token_revoked")

    # a new role, the user's own rename, and "sign out everywhere" (a bulk UPDATE of sessions)
    user = sign_in(two.base, "user-procs@example.com")
    # written here by an app with REDIS_URL (as a CLI would be): its commit moves the epoch too
    join(make_app(REDIS_URL=redis_url), user_id, shared, "editor")
    assert call("GET", f"{two.base}/api/households/{shared}", headers=user).body["role"] == "editor"
    url = f"{one.base}/api/households/{shared}/members/{user_id}"
    assert call("PATCH", url, {"role": "viewer"}, headers=owner).status == 200
    assert call("GET", f"{two.base}/api/households/{shared}", headers=user).body["role"] == "viewer"
    assert call("GET", f"{two.base}/api/auth/me", headers=user).body["name"] != "Renamed"
    assert call("PATCH", f"{one.base}/api/auth/me", {"name": "Renamed"}, headers=user).status == 200
    assert call("GET", f"{two.base}/api/auth/me", headers=user).body["name"] == "Renamed"
    other = sign_in(one.base, "user-procs@example.com")
    assert call("GET", f"{two.base}/api/meters", headers=other).status == 200
    assert call("POST", f"{one.base}/api/auth/logout-all", headers=user).status in (200, 204)
    assert code(call("GET", f"{two.base}/api/meters", headers=other)) == (401, "token_revoked")

    user = sign_in(two.base, "user-procs@example.com")
    assert call("GET", f"{two.base}/api/meters", headers=user).status == 200
    off = call("PATCH", f"{one.base}/api/admin/users/{user_id}", {"is_active": False}, headers=admin)
    assert off.status == 200, off.body
    assert code(call("GET", f"{two.base}/api/meters", headers=user))[0] == 401


def test_a_figure_cached_by_one_process_is_never_served_by_the_other_after_a_write(
    processes: tuple[APIProcess, APIProcess], app: Flask
) -> None:
    one, two = processes
    create_user(app, "cache-procs@example.com")
    headers = sign_in(one.base, "cache-procs@example.com")
    meters = call("GET", f"{one.base}/api/meters", headers=headers).body["items"]
    meter = next(m["id"] for m in meters if m["name"] == "Electricity")
    window = "date_from=2026-03-01&date_to=2026-03-31"
    expected = 0.0
    for step in range(4):
        for process in (one, two, one, two):
            body = call("GET", f"{process.base}/api/analytics/summary?{window}", headers=headers).body
            assert {g["key"]: g["total"] for g in body["groups"]}["electricity"] == expected
        writer = (one, two)[step % 2]
        record = {"meter_id": meter, "date": f"2026-03-{step + 1:02d}", "amount": step + 1}
        assert call("POST", f"{writer.base}/api/records", record, headers=headers).status == 201
        expected += step + 1

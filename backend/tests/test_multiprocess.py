"""Two API processes sharing one real redis-server and one database.

A rate limit counted through one process holds in the other (the counters live in Redis),
and a revocation done through one holds in the other (sessions live in the database).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.factories import PASSWORD, create_user
from tests.http import bearer, call
from tests.redis_server import APIProcess, RedisServer, api_pair
from tests.smtp import SMTPServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def processes(
    app: Flask, database_url: str, smtp_server: SMTPServer, redis_server: RedisServer
) -> Iterator[tuple[APIProcess, APIProcess]]:
    settings = {"RATELIMIT_ENABLED": "true", "RATELIMIT_EMAIL": "3/minute", "REFRESH_REUSE_GRACE_SECONDS": "1"}
    with api_pair(database_url, smtp_server.port, redis_server.url, **settings) as pair:
        yield pair


def test_a_rate_limit_counted_in_one_process_holds_in_the_other(
    processes: tuple[APIProcess, APIProcess], redis_server: RedisServer
) -> None:
    import redis

    one, two = processes
    payload = {"email": "shared-limit@example.com"}
    assert call("POST", f"{one.base}/api/auth/forgot-password", payload).status == 202
    assert call("POST", f"{one.base}/api/auth/forgot-password", payload).status == 202
    assert call("POST", f"{two.base}/api/auth/forgot-password", payload).status == 202
    for process in (two, one):
        reply = call("POST", f"{process.base}/api/auth/forgot-password", payload)
        assert reply.status == 429
        assert reply.body == {
            "error": {"code": "rate_limited", "message": "Too many requests. Please slow down and retry later."}
        }
        assert 1 <= int(reply.headers["retry-after"]) <= 60
    keys = redis.Redis.from_url(redis_server.url).keys("*forgot:email*")
    assert len(keys) == 1


def test_a_revocation_in_one_process_holds_in_the_other(processes: tuple[APIProcess, APIProcess], app: Flask) -> None:
    one, two = processes
    create_user(app, "two-procs@example.com")
    credentials = {"email": "two-procs@example.com", "password": PASSWORD}

    # Logout through one process: the other refuses the access and the refresh token at once.
    tokens: dict[str, Any] = call("POST", f"{one.base}/api/auth/login", credentials).body
    assert call("GET", f"{two.base}/api/auth/me", headers=bearer(tokens["access_token"])).status == 200
    assert call("POST", f"{one.base}/api/auth/logout", headers=bearer(tokens["access_token"])).status == 204
    me = call("GET", f"{two.base}/api/auth/me", headers=bearer(tokens["access_token"]))
    assert (me.status, me.body["error"]["code"]) == (401, "token_revoked")
    refresh = call("POST", f"{two.base}/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert (refresh.status, refresh.body["error"]["code"]) == (401, "token_revoked")

    # Rotation in one process, reuse of the old refresh token in the other: within the grace
    # window (1 s here) it answers, after it the family dies.
    tokens = call("POST", f"{two.base}/api/auth/login", credentials).body
    rotated = call("POST", f"{one.base}/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert rotated.status == 200
    grace = call("POST", f"{two.base}/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert grace.status == 200
    time.sleep(1.2)
    reuse = call("POST", f"{two.base}/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert (reuse.status, reuse.body["error"]["code"]) == (401, "token_revoked")
    new_access = bearer(rotated.body["access_token"])
    assert call("GET", f"{one.base}/api/auth/me", headers=new_access).body["error"]["code"] == "token_revoked"

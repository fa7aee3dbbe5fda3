"""An address's existence shows neither in statuses nor in timing."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, create_user

SAMPLES = 60
WRONG = "wrong password"


# Before the fix a real address took 5x as long on SQLite and 1.6x on PostgreSQL (the
# outbox write and commit); the bound is generous so a busy machine does not fail it.


def _median_gap_ms(client: FlaskClient, path: str, known: str, unknown: str) -> tuple[float, float]:
    """Median time of each address over interleaved requests (ms): known, unknown."""
    times: dict[str, list[float]] = {known: [], unknown: []}
    for _ in range(5):  # warm-up
        for email in (known, unknown):
            client.post(path, json={"email": email})
    for i in range(SAMPLES):
        order = (known, unknown) if i % 2 == 0 else (unknown, known)
        for email in order:
            started = time.perf_counter()
            response = client.post(path, json={"email": email})
            times[email].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 202
    return statistics.median(times[known]), statistics.median(times[unknown])


@pytest.mark.parametrize("path", ["/api/auth/forgot-password", "/api/auth/resend-verification"])
def test_real_and_unknown_addresses_take_the_same_time(client: FlaskClient, app: Flask, path: str) -> None:
    create_user(app, "real@example.com", verified=False)
    for _round in range(2):  # one retry: the machine may be busy for a moment
        known, unknown = _median_gap_ms(client, path, "real@example.com", "nobody@example.com")
        print(f"{path}: known {known:.3f} ms, unknown {unknown:.3f} ms")
        if abs(known - unknown) < max(0.5, 0.3 * min(known, unknown)):
            return
    raise AssertionError(f"medians differ: known {known:.3f} ms, unknown {unknown:.3f} ms")


def _attempt(client: FlaskClient, email: str, password: str = WRONG) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_an_unknown_address_locks_like_an_account(client: FlaskClient, app: Flask, clock: Any) -> None:
    create_user(app, "real@example.com")
    for email in ("real@example.com", "Nobody@Example.com"):
        answers = [_attempt(client, email).status_code for _ in range(5)]
        assert answers == [401] * 5, email
        locked = _attempt(client, email, PASSWORD)
        assert (locked.status_code, locked.headers["Retry-After"]) == (423, "900"), email
        assert locked.get_json()["error"]["code"] == "account_locked"
    # The address is normalised: any spelling is the same address.
    assert _attempt(client, "  NOBODY@example.COM ").status_code == 423
    clock.advance(minutes=14, seconds=50)
    assert [_attempt(client, e).headers["Retry-After"] for e in ("real@example.com", "nobody@example.com")] == [
        "10",
        "10",
    ]
    clock.advance(seconds=10)
    assert _attempt(client, "real@example.com", PASSWORD).status_code == 200
    assert [_attempt(client, "nobody@example.com").status_code for _ in range(5)] == [401] * 5
    assert _attempt(client, "nobody@example.com").status_code == 423


def test_an_unknown_address_lock_holds_across_processes_with_redis(
    app: Flask, make_app: Any, redis_url: str, clock: Any
) -> None:
    first = make_app(RATELIMIT_STORAGE_URI=redis_url).test_client()
    second = make_app(RATELIMIT_STORAGE_URI=redis_url).test_client()
    email = f"ghost{time.time_ns()}@example.com"
    for attempt in range(5):
        assert _attempt(first if attempt % 2 else second, email).status_code == 401
    assert _attempt(first, email).status_code == 423
    assert _attempt(second, email).status_code == 423

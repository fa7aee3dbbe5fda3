"""Rate limits: per IP, per e-mail address and per user; 429 in the envelope with Retry-After."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import Settings
from tests.factories import PASSWORD, account, create_user

MESSAGE = "Too many requests. Please slow down and retry later."


def error(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


def assert_limited(response: Any, window: int) -> None:
    assert response.status_code == 429, response.get_json()
    assert error(response) == {"code": "rate_limited", "message": MESSAGE}
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= window


def from_ip(ip: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": ip}}


@pytest.fixture
def limited(make_app: Any, app: Flask) -> Flask:
    """An app with the default limits switched on (fresh in-memory counters)."""
    return make_app(RATELIMIT_ENABLED=True)  # type: ignore[no-any-return]


def test_default_limits() -> None:
    settings = Settings(APP_ENV="testing")
    assert (
        settings.RATELIMIT_ENABLED,
        settings.RATELIMIT_LOGIN,
        settings.RATELIMIT_REGISTER,
        settings.RATELIMIT_EMAIL,
        settings.RATELIMIT_AUTHENTICATED,
    ) == (True, "10/minute", "5/hour", "5/hour", "600/minute")
    assert settings.flask_config()["RATELIMIT_STORAGE_URI"] == "memory://"
    assert Settings(APP_ENV="testing", REDIS_URL="redis://127.0.0.1:6390/0").flask_config()[
        "RATELIMIT_STORAGE_URI"
    ] == ("redis://127.0.0.1:6390/0")


def test_a_malformed_limit_is_refused_at_startup(make_app: Any) -> None:
    with pytest.raises(ValueError, match="is not a rate limit"):
        make_app(RATELIMIT_LOGIN="lots")


def test_login_is_limited_per_email_across_ips(limited: Flask) -> None:
    client = limited.test_client()
    for i in range(10):
        response = client.post(
            "/api/auth/login", json={"email": "nobody@example.com", "password": "guess"}, **from_ip(f"10.0.0.{i}")
        )
        assert response.status_code == (401 if i < 5 else 423)  # an unknown address locks like an account
    blocked = client.post(
        "/api/auth/login", json={"email": "NOBODY@example.com", "password": "guess"}, **from_ip("10.0.1.1")
    )
    assert_limited(blocked, 60)
    other = client.post(
        "/api/auth/login", json={"email": "else@example.com", "password": "guess"}, **from_ip("10.0.1.1")
    )
    assert other.status_code == 401


def test_login_is_limited_per_ip_across_emails(limited: Flask, app: Flask) -> None:
    create_user(app, "real@example.com")
    client = limited.test_client()
    for i in range(10):
        response = client.post(
            "/api/auth/login", json={"email": f"n{i}@example.com", "password": "x"}, **from_ip("10.1.0.1")
        )
        assert response.status_code == 401
    # Even the right password is refused from this address for the rest of the minute...
    blocked = client.post(
        "/api/auth/login", json={"email": "real@example.com", "password": PASSWORD}, **from_ip("10.1.0.1")
    )
    assert_limited(blocked, 60)
    # ... malformed bodies count too (the IP is counted before the body is read) ...
    assert_limited(client.post("/api/auth/login", data="nope", **from_ip("10.1.0.1")), 60)
    # ... while another address signs in.
    ok = client.post("/api/auth/login", json={"email": "real@example.com", "password": PASSWORD}, **from_ip("10.1.0.2"))
    assert ok.status_code == 200


def test_register_is_limited_per_ip_per_hour(limited: Flask) -> None:
    client = limited.test_client()
    for i in range(5):
        payload = {"email": f"new{i}@example.com", "password": "short", "name": "N"}
        assert client.post("/api/auth/register", json=payload, **from_ip("10.2.0.1")).status_code == 422
    payload = {"email": "new9@example.com", "password": "long enough", "name": "N"}
    blocked = client.post("/api/auth/register", json=payload, **from_ip("10.2.0.1"))
    assert_limited(blocked, 3600)
    assert int(blocked.headers["Retry-After"]) > 3500
    assert client.post("/api/auth/register", json=payload, **from_ip("10.2.0.2")).status_code == 201


@pytest.mark.parametrize("path", ["/api/auth/forgot-password", "/api/auth/resend-verification"])
def test_email_endpoints_are_limited_per_email_and_per_ip(limited: Flask, path: str) -> None:
    client = limited.test_client()
    for i in range(5):
        assert client.post(path, json={"email": "target@example.com"}, **from_ip(f"10.3.0.{i}")).status_code == 202
    assert_limited(client.post(path, json={"email": "target@example.com"}, **from_ip("10.3.1.1")), 3600)

    for i in range(4):  # 10.3.1.1 already spent one
        assert client.post(path, json={"email": f"t{i}@example.com"}, **from_ip("10.3.1.1")).status_code == 202
    assert_limited(client.post(path, json={"email": "fresh@example.com"}, **from_ip("10.3.1.1")), 3600)
    assert client.post(path, json={"email": "fresh@example.com"}, **from_ip("10.3.1.2")).status_code == 202


def test_forgot_and_resend_count_separately(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(5):
        client.post("/api/auth/forgot-password", json={"email": "a@example.com"})
    assert client.post("/api/auth/forgot-password", json={"email": "a@example.com"}).status_code == 429
    assert client.post("/api/auth/resend-verification", json={"email": "a@example.com"}).status_code == 202


def test_authenticated_endpoints_are_limited_per_user(make_app: Any, app: Flask) -> None:
    # The default (600/minute) is asserted in test_default_limits; a small value keeps this fast.
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_AUTHENTICATED="5/minute")
    client = custom.test_client()
    first = account(custom, client, "busy@example.com")
    second = account(custom, client, "calm@example.com")
    for path in ("/api/auth/me", "/api/meters", "/api/auth/me", "/api/records", "/api/auth/me"):
        assert client.get(path, headers=first.headers).status_code == 200
    assert_limited(client.get("/api/meters", headers=first.headers), 60)
    assert_limited(client.post("/api/auth/logout", headers=first.headers), 60)
    assert client.get("/api/meters", headers=second.headers).status_code == 200


def test_limits_are_configurable(make_app: Any, app: Flask) -> None:
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_AUTHENTICATED="2 per minute", RATELIMIT_LOGIN="2/minute")
    client = custom.test_client()
    acc = account(custom, client, "tight@example.com")  # one login
    assert client.get("/api/auth/me", headers=acc.headers).status_code == 200
    assert client.get("/api/auth/me", headers=acc.headers).status_code == 200
    assert_limited(client.get("/api/auth/me", headers=acc.headers), 60)
    assert client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD}).status_code == 200
    assert_limited(client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD}), 60)


def test_password_checks_of_a_signed_in_user_are_limited(make_app: Any, app: Flask) -> None:
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3/minute")
    client = custom.test_client()
    acc = account(custom, client, "guess@example.com")
    for _ in range(3):
        wrong = client.post(
            "/api/auth/me/password", headers=acc.headers, json={"current_password": "guess", "password": "new one!!"}
        )
        assert wrong.status_code == 422
    assert_limited(client.delete("/api/auth/me", headers=acc.headers, json={"password": PASSWORD}), 60)


def test_disabled_limits_never_answer_429(client: FlaskClient) -> None:
    answers = [
        client.post("/api/auth/login", json={"email": "x@example.com", "password": "guess"}).status_code
        for _ in range(15)
    ]
    assert answers == [401] * 5 + [423] * 10  # the lockout, not a rate limit


def test_flask_limiter_decorator_429_uses_the_envelope(make_app: Any) -> None:
    from app.ratelimit import EXTENSION

    custom = make_app(RATELIMIT_ENABLED=True)
    limiter = custom.extensions[EXTENSION]

    @custom.get("/api/_limited")
    @limiter.limit("2/minute")
    def _limited() -> dict[str, bool]:
        return {"ok": True}

    client = custom.test_client()
    assert client.get("/api/_limited").status_code == 200
    assert client.get("/api/_limited").status_code == 200
    assert_limited(client.get("/api/_limited"), 60)


@pytest.mark.parametrize(("proxies", "separate"), [(0, False), (1, True)])
def test_client_address_behind_trusted_proxies(make_app: Any, proxies: int, separate: bool) -> None:
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER="1/hour", TRUSTED_PROXIES=proxies)
    client = custom.test_client()
    payload = {"email": "x@example.com", "password": "short", "name": "X"}
    first = client.post("/api/auth/register", json=payload, headers={"X-Forwarded-For": "203.0.113.1"})
    assert first.status_code == 422
    second = client.post("/api/auth/register", json=payload, headers={"X-Forwarded-For": "203.0.113.2"})
    # Without a trusted proxy the header is ignored: both came from the same socket address.
    assert second.status_code == (422 if separate else 429)


def test_an_unreachable_limit_storage_does_not_fail_requests(make_app: Any, app: Flask) -> None:
    from tests.pg import free_port

    closed = f"redis://127.0.0.1:{free_port()}/0"
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=closed)
    create_user(app, "open@example.com")
    client = custom.test_client()
    response = client.post("/api/auth/login", json={"email": "open@example.com", "password": PASSWORD})
    assert response.status_code == 200
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {response.get_json()['access_token']}"})
    assert me.status_code == 200


def _limit_headers(response: Any) -> tuple[str, str]:
    return response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]


def test_limited_routes_say_their_tightest_limit(make_app: Any, app: Flask) -> None:
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_AUTHENTICATED="3/minute", RATELIMIT_LOGIN="4/minute")
    client = custom.test_client()
    started = time.time()
    acc = account(custom, client, "counted@example.com")  # login: per IP and per address, 4 each
    answers = [client.get("/api/auth/me", headers=acc.headers) for _ in range(4)]
    assert [_limit_headers(r) for r in answers] == [("3", "2"), ("3", "1"), ("3", "0"), ("3", "0")]
    assert answers[3].status_code == 429
    reset = int(answers[3].headers["X-RateLimit-Reset"])
    assert started < reset <= started + 61
    # Two limits on login (per IP 4/minute after one login, per address 4/minute): the tighter shows.
    wrong = client.post("/api/auth/login", json={"email": "other@example.com", "password": "guess"})
    assert (wrong.status_code, _limit_headers(wrong)) == (401, ("4", "2"))
    per_address = client.post(
        "/api/auth/login", json={"email": "other@example.com", "password": "guess"}, **from_ip("10.9.0.1")
    )
    assert _limit_headers(per_address) == ("4", "2")


def test_register_and_email_routes_carry_the_headers(make_app: Any, app: Flask) -> None:
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    register = client.post("/api/auth/register", json={"email": "h@example.com", "password": "x", "name": "H"})
    assert _limit_headers(register) == ("5", "4")
    forgot = client.post("/api/auth/forgot-password", json={"email": "h@example.com"})
    assert _limit_headers(forgot) == ("5", "4")


def test_unlimited_routes_and_disabled_limits_carry_no_headers(client: FlaskClient, make_app: Any) -> None:
    assert "X-RateLimit-Limit" not in client.post("/api/auth/forgot-password", json={"email": "a@b.co"}).headers
    assert "X-RateLimit-Limit" not in make_app(RATELIMIT_ENABLED=True).test_client().get("/health").headers

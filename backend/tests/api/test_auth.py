from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.factories import PASSWORD, account, create_user, login
from tests.smtp import Mailbox, html_of, link_token, text_of

REGISTER = {"email": "Ada@Example.com", "password": "a long password", "name": "Ada"}


def error(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


def test_register_creates_user_with_default_meters_and_sends_verification(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any
) -> None:
    response = client.post("/api/auth/register", json=REGISTER)
    assert response.status_code == 201
    user = response.get_json()["user"]
    with app.app_context():
        stored_id = db.session.scalar(select(User.id).where(User.email == "ada@example.com"))
    assert {k: user[k] for k in ("id", "email", "name", "role", "is_active", "email_verified", "preferences")} == {
        "id": stored_id,
        "email": "ada@example.com",
        "name": "Ada",
        "role": "user",
        "is_active": True,
        "email_verified": False,
        "preferences": {
            "currency": "USD",
            "timezone": "UTC",
            "notify_email": {
                "budget.threshold": True,
                "budget.forecast": True,
                "usage.anomaly": True,
                "reading.overdue": True,
                "token.expiring": True,
                "invitation.accepted": True,
                "webhook.disabled": True,
            },
        },
    }
    assert user["created_at"].endswith("+00:00")
    assert send_mail() == 1
    [message] = mailbox.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Confirm your e-mail address"
    assert "http://localhost:3000/verify-email?token=" in text_of(message)
    assert "http://localhost:3000/verify-email?token=" in html_of(message)


def test_full_smtp_round_trip_verify_then_login(client: FlaskClient, mailbox: Mailbox, send_mail: Any) -> None:
    client.post("/api/auth/register", json=REGISTER)
    blocked = client.post("/api/auth/login", json={"email": "ada@example.com", "password": "a long password"})
    assert blocked.status_code == 403
    assert error(blocked)["code"] == "email_not_verified"

    send_mail()
    token = link_token(mailbox.messages[0], "verify-email")
    verified = client.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    assert verified.get_json()["user"]["email_verified"] is True

    again = client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 422
    assert error(again)["details"] == [
        {
            "loc": ["body", "token"],
            "msg": "The link is invalid, has expired or has already been used.",
            "type": "invalid_token",
        }
    ]

    tokens = login(client, "ADA@example.com", "a long password")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == "ada@example.com"
    meters = client.get("/api/meters", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert [(m["name"], m["type"], m["unit"]) for m in meters["items"]] == [
        ("Electricity", "electricity", "kWh"),
        ("Water", "water", "m3"),
        ("Gas", "gas", "m3"),
    ]


def test_verify_token_expires_after_24_hours(
    client: FlaskClient, mailbox: Mailbox, send_mail: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    client.post("/api/auth/register", json=REGISTER)
    send_mail()
    token = link_token(mailbox.messages[0], "verify-email")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 24 * 3600 + 5)
    response = client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"


def test_verify_rejects_tampered_and_foreign_purpose_tokens(client: FlaskClient, app: Flask) -> None:
    from app.services import signed_tokens

    user_id, _ = create_user(app, "x@example.com", verified=False)
    with app.test_request_context():
        reset = signed_tokens.make_token(signed_tokens.RESET_PASSWORD, user_id, "anything")
    for token in ("garbage", reset, reset[:-2] + "xx"):
        response = client.post("/api/auth/verify-email", json={"token": token})
        assert response.status_code == 422, token


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"email": "not-an-email", "password": "long enough", "name": "A"}, ["body", "email"]),
        ({"email": "a@example.com", "password": "short", "name": "A"}, ["body", "password"]),
        ({"email": "a@example.com", "password": "x" * 129, "name": "A"}, ["body", "password"]),
        ({"email": "a@example.com", "password": "long enough", "name": "  "}, ["body", "name"]),
        ({"email": "a@example.com", "password": "long enough", "name": "Ada\r\nClick here"}, ["body", "name"]),
        ({"email": "a@example.com", "password": "long enough", "name": "Ada\nBob"}, ["body", "name"]),
        ({"email": "a@example.com", "password": "long enough", "name": "Ada\tLovelace"}, ["body", "name"]),
        ({"email": "a@example.com", "password": "long enough", "name": "Ada\x85Bob"}, ["body", "name"]),
        ({"email": "a@example.com", "password": "long enough", "name": "Ada\u2028Bob"}, ["body", "name"]),
        ({"email": "a@example.com", "password": "long enough"}, ["body", "name"]),
        ({"email": "a@example.com", "password": "A@Example.com", "name": "A"}, ["body", "password"]),
        ({"email": "a@example.com", "password": "long enough", "name": "A", "role": "admin"}, ["body", "role"]),
    ],
)
def test_register_validation(client: FlaskClient, payload: dict[str, Any], loc: list[str]) -> None:
    response = client.post("/api/auth/register", json=payload)
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "validation_error"
    assert [d["loc"] for d in body["details"]] == [loc]


def test_register_existing_email_conflicts_case_insensitively(client: FlaskClient) -> None:
    assert client.post("/api/auth/register", json=REGISTER).status_code == 201
    response = client.post("/api/auth/register", json={**REGISTER, "email": "ADA@example.COM"})
    assert response.status_code == 409
    assert error(response) == {"code": "conflict", "message": "An account with this e-mail address already exists."}


def test_resend_verification_is_always_accepted(client: FlaskClient, mailbox: Mailbox, send_mail: Any) -> None:
    client.post("/api/auth/register", json=REGISTER)
    send_mail()
    for email in ("ada@example.com", "nobody@example.com"):
        response = client.post("/api/auth/resend-verification", json={"email": email})
        assert response.status_code == 202
        assert response.get_json() == {"message": "If the address belongs to an account, a message is on its way."}
    send_mail()
    assert [m["To"] for m in mailbox.messages] == ["ada@example.com", "ada@example.com"]


def test_login_wrong_password_and_unknown_user_look_alike(client: FlaskClient, app: Flask) -> None:
    create_user(app, "bob@example.com")
    wrong = client.post("/api/auth/login", json={"email": "bob@example.com", "password": "nope nope"})
    unknown = client.post("/api/auth/login", json={"email": "who@example.com", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert (
        error(wrong)
        == error(unknown)
        == {"code": "unauthorized", "message": "The e-mail address or password is incorrect."}
    )


def test_login_sets_httponly_refresh_cookie(client: FlaskClient, app: Flask) -> None:
    create_user(app, "c@example.com")
    response = client.post("/api/auth/login", json={"email": "c@example.com", "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    refresh = next(c for c in cookies if c.startswith("refresh_token="))
    assert "HttpOnly" in refresh and "Path=/api/auth" in refresh and "SameSite=Lax" in refresh
    assert any(c.startswith("csrf_refresh_token=") for c in cookies)


def test_login_can_skip_verification_when_configured(make_app: Any, app: Flask) -> None:
    relaxed = make_app(REQUIRE_EMAIL_VERIFICATION=False)
    create_user(app, "d@example.com", verified=False)
    response = relaxed.test_client().post("/api/auth/login", json={"email": "d@example.com", "password": PASSWORD})
    assert response.status_code == 200


def test_deactivated_user_cannot_log_in_and_tokens_stop(client: FlaskClient, app: Flask) -> None:
    from app.extensions import db
    from app.models import User

    acc = account(app, client)
    with app.app_context():
        db.session.get(User, acc.id).is_active = False
        db.session.commit()
    assert client.get("/api/auth/me", headers=acc.headers).status_code == 401
    response = client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"


def test_refresh_with_body_rotates_and_reuse_revokes_family(client: FlaskClient, app: Flask, clock: Any) -> None:
    acc = account(app, client)
    first = acc.tokens["refresh_token"]
    rotated = client.post("/api/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    pair = rotated.get_json()
    assert pair["refresh_token"] != first
    new_headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/auth/me", headers=new_headers).status_code == 200

    clock.advance(seconds=31)  # past the reuse grace window
    reuse = client.post("/api/auth/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    assert error(reuse)["code"] == "token_revoked"
    # The whole family is gone: the new refresh token and every access token of the session.
    assert error(client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}))["code"] == (
        "token_revoked"
    )
    assert error(client.get("/api/auth/me", headers=new_headers))["code"] == "token_revoked"
    assert error(client.get("/api/auth/me", headers=acc.headers))["code"] == "token_revoked"


def test_refresh_from_cookie_needs_csrf_header(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    csrf = client.get_cookie("csrf_refresh_token", path="/")
    assert csrf is not None
    no_header = client.post("/api/auth/refresh")
    assert no_header.status_code == 401
    assert error(no_header)["message"] == "The CSRF token is missing or does not match."
    ok = client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": csrf.value})
    assert ok.status_code == 200
    assert ok.get_json()["user"]["id"] == acc.id


def test_refresh_rejects_access_tokens_and_garbage(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    as_refresh = client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["access_token"]})
    assert as_refresh.status_code == 401
    assert error(client.post("/api/auth/refresh", json={"refresh_token": "x.y.z"}))["code"] == "unauthorized"


def test_expired_access_token(make_app: Any, app: Flask) -> None:
    short = make_app(JWT_ACCESS_TOKEN_EXPIRES=1)
    c = short.test_client()
    acc = account(short, c)
    import time

    time.sleep(2.1)
    response = c.get("/api/auth/me", headers=acc.headers)
    assert response.status_code == 401
    assert error(response) == {"code": "token_expired", "message": "The token has expired."}


def test_logout_revokes_access_and_refresh(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    response = client.post("/api/auth/logout", headers=acc.headers)
    assert response.status_code == 204
    assert response.data == b""
    assert error(client.get("/api/auth/me", headers=acc.headers))["code"] == "token_revoked"
    refresh = client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})
    assert error(refresh)["code"] == "token_revoked"


def test_other_sessions_survive_logout(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    other = login(client, acc.email)
    client.post("/api/auth/logout", headers=acc.headers)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {other['access_token']}"}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer not-a-jwt"}, "unauthorized"),
        ({"Authorization": "Basic abc"}, "unauthorized"),
    ],
)
def test_missing_or_malformed_token_is_401(client: FlaskClient, headers: dict[str, str], code: str) -> None:
    response = client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert error(response)["code"] == code


def test_refresh_token_is_not_an_access_token(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {acc.tokens['refresh_token']}"})
    assert response.status_code == 401


def test_patch_me_updates_name_and_preferences(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    response = client.patch(
        "/api/auth/me",
        headers=acc.headers,
        json={"name": "  Grace  ", "preferences": {"currency": "EUR", "timezone": "Europe/Berlin"}},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Grace"
    emails = body["preferences"].pop("notify_email")
    assert body["preferences"] == {"currency": "EUR", "timezone": "Europe/Berlin"}
    partial = client.patch("/api/auth/me", headers=acc.headers, json={"preferences": {"currency": "GBP"}})
    assert partial.get_json()["preferences"] == {"currency": "GBP", "timezone": "Europe/Berlin", "notify_email": emails}


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"preferences": {"currency": "euro"}}, ["body", "preferences", "currency"]),
        ({"preferences": {"timezone": "Mars/Olympus"}}, ["body", "preferences", "timezone"]),
        ({"preferences": {"currency": "ZZZ"}}, ["body", "preferences", "currency"]),
        ({"preferences": {"currency": "XTS"}}, ["body", "preferences", "currency"]),  # ISO 4217 test code
        ({"preferences": {"timezone": "localtime"}}, ["body", "preferences", "timezone"]),
        ({"preferences": {"timezone": "Factory"}}, ["body", "preferences", "timezone"]),
        ({"preferences": {"timezone": "posix/Europe/Berlin"}}, ["body", "preferences", "timezone"]),
        ({"name": ""}, ["body", "name"]),
        ({"name": "Eve\r\nSubject: hi"}, ["body", "name"]),
        ({"email": "new@example.com"}, ["body", "email"]),
    ],
)
def test_patch_me_validation(client: FlaskClient, app: Flask, payload: dict[str, Any], loc: list[str]) -> None:
    acc = account(app, client)
    response = client.patch("/api/auth/me", headers=acc.headers, json=payload)
    assert response.status_code == 422
    assert [d["loc"] for d in error(response)["details"]] == [loc]


def test_signing_in_is_not_an_account_change(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    before = client.get("/api/auth/me", headers=acc.headers).get_json()["updated_at"]
    login(client, acc.email)
    client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})
    assert client.get("/api/auth/me", headers=acc.headers).get_json()["updated_at"] == before


def test_name_length_is_counted_after_stripping(client: FlaskClient) -> None:
    long_name = client.post("/api/auth/register", json={**REGISTER, "name": "x" * 101})
    assert error(long_name)["details"] == [
        {"loc": ["body", "name"], "msg": "String should have at most 100 characters", "type": "too_long"}
    ]
    padded = client.post("/api/auth/register", json={**REGISTER, "name": "  " + "x" * 100 + "  "})
    assert padded.status_code == 201
    assert padded.get_json()["user"]["name"] == "x" * 100


# --- refresh reuse grace window ------------------------------------------------------------


def _family(app: Flask, refresh_token: str) -> str:
    from flask_jwt_extended import decode_token

    with app.app_context():
        return str(decode_token(refresh_token, allow_expired=True)["fam"])


def test_a_rotated_refresh_token_answers_within_the_grace_window(client: FlaskClient, app: Flask, clock: Any) -> None:
    acc = account(app, client)
    first = acc.tokens["refresh_token"]
    rotated = client.post("/api/auth/refresh", json={"refresh_token": first}).get_json()
    clock.advance(seconds=30)
    again = client.post("/api/auth/refresh", json={"refresh_token": first})  # the reload that lost the cookie
    assert again.status_code == 200
    pair = again.get_json()
    assert len({first, rotated["refresh_token"], pair["refresh_token"]}) == 3
    assert _family(app, pair["refresh_token"]) == _family(app, first)
    # Every token of the session still works, and the newest refresh token rotates on.
    for access in (rotated["access_token"], pair["access_token"]):
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {access}"}).status_code == 200
    assert client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 200


def test_reuse_after_the_grace_window_revokes_the_family(client: FlaskClient, app: Flask, clock: Any) -> None:
    acc = account(app, client)
    first = acc.tokens["refresh_token"]
    rotated = client.post("/api/auth/refresh", json={"refresh_token": first}).get_json()
    clock.advance(seconds=30, milliseconds=1)
    reuse = client.post("/api/auth/refresh", json={"refresh_token": first})
    assert (reuse.status_code, error(reuse)["code"]) == (401, "token_revoked")
    stale = client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert error(stale)["code"] == "token_revoked"


def test_the_grace_window_is_configurable_and_can_be_off(make_app: Any, app: Flask, clock: Any) -> None:
    off = make_app(REFRESH_REUSE_GRACE_SECONDS=0)
    client = off.test_client()
    acc = account(off, client)
    assert client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]}).status_code == 200
    reuse = client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})
    assert (reuse.status_code, error(reuse)["code"]) == (401, "token_revoked")

    short = make_app(REFRESH_REUSE_GRACE_SECONDS=5)
    client = short.test_client()
    acc = account(short, client)
    assert client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]}).status_code == 200
    clock.advance(seconds=5)
    assert client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]}).status_code == 200
    clock.advance(seconds=6)
    assert client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]}).status_code == 401


def test_the_grace_window_does_not_outlive_a_logout(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    first = acc.tokens["refresh_token"]
    rotated = client.post("/api/auth/refresh", json={"refresh_token": first}).get_json()
    headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert error(client.post("/api/auth/refresh", json={"refresh_token": first}))["code"] == "token_revoked"

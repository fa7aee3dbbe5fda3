"""Password reset, password change, account deletion and the login lockout."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import DailyRollup, Household, Meter, OutboxMessage, Record, TokenFamily, User
from tests.factories import PASSWORD, Account, account, add_record, create_user, login
from tests.smtp import Mailbox, html_of, link_token, text_of

NEW_PASSWORD = "a brand new secret"


def error(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def request_reset(client: FlaskClient, mailbox: Mailbox, send_mail: Any, email: str) -> str:
    response = client.post("/api/auth/forgot-password", json={"email": email})
    assert response.status_code == 202
    before = len(mailbox.messages)
    assert send_mail() == 1
    message = mailbox.messages[before]
    assert message["Subject"] == "Reset your Meterbook password"
    return link_token(message, "reset-password")


# --- forgot / reset ------------------------------------------------------------------------


def test_forgot_password_is_accepted_for_anyone_and_mails_only_real_accounts(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any
) -> None:
    create_user(app, "ann@example.com")
    create_user(app, "gone@example.com", active=False)
    for email in ("ANN@example.com", "nobody@example.com", "gone@example.com"):
        response = client.post("/api/auth/forgot-password", json={"email": email})
        assert response.status_code == 202
        assert response.get_json() == {"message": "If the address belongs to an account, a message is on its way."}
    assert send_mail() == 1
    [message] = mailbox.messages
    assert message["To"] == "ann@example.com"
    token = link_token(message, "reset-password")
    assert f"http://localhost:3000/reset-password?token={token}" in text_of(message)
    assert f"http://localhost:3000/reset-password?token={token}" in html_of(message)


def test_forgot_password_validates_the_address(client: FlaskClient) -> None:
    response = client.post("/api/auth/forgot-password", json={"email": "not an address"})
    assert response.status_code == 422
    assert [d["loc"] for d in error(response)["details"]] == [["body", "email"]]


def test_reset_sets_password_revokes_every_session_and_sends_notice(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any
) -> None:
    acc = account(app, client, "rita@example.com")
    second = login(client, acc.email)
    token = request_reset(client, mailbox, send_mail, acc.email)

    response = client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert response.get_json() == {"message": "Your password has been changed. Please sign in with the new password."}

    for headers in (acc.headers, bearer(second)):
        assert error(client.get("/api/auth/me", headers=headers))["code"] == "token_revoked"
    refresh = client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert error(refresh)["code"] == "token_revoked"
    old = client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert old.status_code == 401
    assert login(client, acc.email, NEW_PASSWORD)["user"]["id"] == acc.id

    assert send_mail() == 1
    notice = mailbox.messages[-1]
    assert notice["To"] == "rita@example.com"
    assert notice["Subject"] == "Your Meterbook password was changed"
    assert "http://localhost:3000/forgot-password" in text_of(notice)
    assert "http://localhost:3000/forgot-password" in html_of(notice)


def test_reset_token_is_single_use(client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any) -> None:
    create_user(app, "sam@example.com")
    token = request_reset(client, mailbox, send_mail, "sam@example.com")
    assert client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD}).status_code == 200
    again = client.post("/api/auth/reset-password", json={"token": token, "password": "yet another one"})
    assert again.status_code == 422
    assert error(again)["details"] == [
        {
            "loc": ["body", "token"],
            "msg": "The link is invalid, has expired or has already been used.",
            "type": "invalid_token",
        }
    ]
    login(client, "sam@example.com", NEW_PASSWORD)


def test_older_reset_links_die_when_the_password_changes(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any
) -> None:
    create_user(app, "tom@example.com")
    first = request_reset(client, mailbox, send_mail, "tom@example.com")
    second = request_reset(client, mailbox, send_mail, "tom@example.com")
    assert client.post("/api/auth/reset-password", json={"token": second, "password": NEW_PASSWORD}).status_code == 200
    stale = client.post("/api/auth/reset-password", json={"token": first, "password": "yet another one"})
    assert error(stale)["details"][0]["type"] == "invalid_token"


def test_reset_token_expires_after_one_hour(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    create_user(app, "uma@example.com")
    token = request_reset(client, mailbox, send_mail, "uma@example.com")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600 - 30)
    # Still valid just before the hour: check without using it (a wrong-length password fails validation first).
    short = client.post("/api/auth/reset-password", json={"token": token, "password": "short"})
    assert [d["loc"] for d in error(short)["details"]] == [["body", "password"]]
    monkeypatch.setattr(time, "time", lambda: real() + 3600 + 5)
    response = client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD})
    assert response.status_code == 422
    assert error(response)["details"][0]["type"] == "invalid_token"
    monkeypatch.setattr(time, "time", real)
    assert client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD}).status_code == 200


def test_reset_rejects_foreign_purpose_and_tampered_tokens(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any
) -> None:
    client.post("/api/auth/register", json={"email": "vic@example.com", "password": PASSWORD, "name": "Vic"})
    send_mail()
    verify = link_token(mailbox.messages[0], "verify-email")
    for token in (verify, "garbage", verify[:-3] + "abc"):
        response = client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD})
        assert response.status_code == 422, token
        assert error(response)["details"][0]["type"] == "invalid_token"


def test_reset_password_validation(client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any) -> None:
    create_user(app, "wes@example.com")
    token = request_reset(client, mailbox, send_mail, "wes@example.com")
    as_email = client.post("/api/auth/reset-password", json={"token": token, "password": "WES@example.com"})
    assert error(as_email)["details"] == [
        {"loc": ["body", "password"], "msg": "password must not be the e-mail address", "type": "value_error"}
    ]
    too_long = client.post("/api/auth/reset-password", json={"token": token, "password": "x" * 129})
    assert [d["loc"] for d in error(too_long)["details"]] == [["body", "password"]]
    extra = client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD, "x": 1})
    assert [d["loc"] for d in error(extra)["details"]] == [["body", "x"]]
    # None of the failures used the token up.
    assert client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD}).status_code == 200


def test_reset_clears_the_lockout(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any, clock: Any
) -> None:
    create_user(app, "xan@example.com")
    for _ in range(5):
        client.post("/api/auth/login", json={"email": "xan@example.com", "password": "wrong password"})
    assert client.post("/api/auth/login", json={"email": "xan@example.com", "password": PASSWORD}).status_code == 423
    token = request_reset(client, mailbox, send_mail, "xan@example.com")
    assert client.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD}).status_code == 200
    login(client, "xan@example.com", NEW_PASSWORD)


# --- change password -----------------------------------------------------------------------


def test_change_password_keeps_this_session_and_revokes_the_others(
    client: FlaskClient, app: Flask, mailbox: Mailbox, send_mail: Any
) -> None:
    acc = account(app, client, "yara@example.com")
    other = login(client, acc.email)
    response = client.post(
        "/api/auth/me/password", headers=acc.headers, json={"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 204
    assert response.data == b""

    assert client.get("/api/auth/me", headers=acc.headers).status_code == 200
    rotated = client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})
    assert rotated.status_code == 200
    assert error(client.get("/api/auth/me", headers=bearer(other)))["code"] == "token_revoked"
    assert error(client.post("/api/auth/refresh", json={"refresh_token": other["refresh_token"]}))["code"] == (
        "token_revoked"
    )
    assert client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD}).status_code == 401
    login(client, acc.email, NEW_PASSWORD)

    assert send_mail() == 1
    [notice] = mailbox.messages
    assert notice["To"] == "yara@example.com"
    assert notice["Subject"] == "Your Meterbook password was changed"


def test_change_password_with_wrong_current_password(client: FlaskClient, app: Flask, send_mail: Any) -> None:
    acc = account(app, client)
    response = client.post(
        "/api/auth/me/password", headers=acc.headers, json={"current_password": "not it", "password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert error(response) == {
        "code": "validation_error",
        "message": "The password is incorrect.",
        "details": [
            {"loc": ["body", "current_password"], "msg": "The password is incorrect.", "type": "invalid_password"}
        ],
    }
    assert send_mail() == 0
    login(client, acc.email, PASSWORD)


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"current_password": PASSWORD, "password": "short"}, ["body", "password"]),
        ({"current_password": PASSWORD}, ["body", "password"]),
        ({"password": NEW_PASSWORD}, ["body", "current_password"]),
        ({"current_password": PASSWORD, "password": PASSWORD}, ["body", "password"]),
    ],
)
def test_change_password_validation(client: FlaskClient, app: Flask, payload: dict[str, Any], loc: list[str]) -> None:
    acc = account(app, client)
    response = client.post("/api/auth/me/password", headers=acc.headers, json=payload)
    assert response.status_code == 422
    assert [d["loc"] for d in error(response)["details"]] == [loc]


def test_change_password_needs_a_token(client: FlaskClient) -> None:
    response = client.post("/api/auth/me/password", json={"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert response.status_code == 401


# --- delete account ------------------------------------------------------------------------


def _counts(app: Flask, acc: Account) -> dict[str, int]:
    """The rows of the account's own household, and its sessions."""
    with app.app_context():
        counts = {
            model.__tablename__: db.session.scalar(
                select(func.count()).select_from(model).where(model.household_id == acc.household_id)
            )
            or 0
            for model in (Meter, Record, DailyRollup)
        }
        sessions = select(func.count()).select_from(TokenFamily).where(TokenFamily.user_id == acc.id)
        return {**counts, "token_families": db.session.scalar(sessions) or 0}


def test_delete_account_removes_the_user_and_all_their_data(client: FlaskClient, app: Flask, send_mail: Any) -> None:
    acc = account(app, client, "zed@example.com")
    keep = account(app, client, "keep@example.com")
    for who in (acc, keep):
        add_record(app, who.id, who.meters["Electricity"], date(2026, 1, 5), "12.5", "3.10")
        add_record(app, who.id, who.meters["Water"], date(2026, 1, 6), "0.4")
    assert _counts(app, acc) == {"meters": 3, "records": 2, "daily_rollups": 2, "token_families": 1}
    before_keep = _counts(app, keep)

    response = client.delete("/api/auth/me", headers=acc.headers, json={"password": PASSWORD})
    assert response.status_code == 204
    assert response.data == b""
    assert _counts(app, acc) == {"meters": 0, "records": 0, "daily_rollups": 0, "token_families": 0}
    assert _counts(app, keep) == before_keep
    with app.app_context():
        assert db.session.get(User, acc.id) is None
        assert db.session.get(Household, acc.household_id) is None  # it had no other member
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == "zed@example.com")
            )
            == 0
        )

    assert error(client.get("/api/auth/me", headers=acc.headers))["code"] == "token_revoked"
    assert client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD}).status_code == 401
    assert client.get("/api/auth/me", headers=keep.headers).status_code == 200
    # The address is free again.
    again = client.post("/api/auth/register", json={"email": acc.email, "password": PASSWORD, "name": "Zed"})
    assert again.status_code == 201


def test_delete_account_needs_the_password(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    wrong = client.delete("/api/auth/me", headers=acc.headers, json={"password": "not it"})
    assert wrong.status_code == 422
    assert error(wrong)["details"] == [
        {"loc": ["body", "password"], "msg": "The password is incorrect.", "type": "invalid_password"}
    ]
    missing = client.delete("/api/auth/me", headers=acc.headers, json={})
    assert [d["loc"] for d in error(missing)["details"]] == [["body", "password"]]
    assert client.get("/api/auth/me", headers=acc.headers).status_code == 200


# --- lockout -------------------------------------------------------------------------------


def _attempt(client: FlaskClient, email: str, password: str) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_five_failures_lock_for_fifteen_minutes(client: FlaskClient, app: Flask, clock: Any) -> None:
    create_user(app, "lock@example.com")
    for _ in range(4):
        assert _attempt(client, "lock@example.com", "wrong password").status_code == 401
    fifth = _attempt(client, "lock@example.com", "wrong password")
    assert fifth.status_code == 401
    locked = _attempt(client, "lock@example.com", PASSWORD)
    assert locked.status_code == 423
    assert locked.headers["Retry-After"] == "900"
    assert error(locked) == {
        "code": "account_locked",
        "message": "Too many failed sign-in attempts. The account is locked for a while; try again later.",
    }
    clock.advance(minutes=14, seconds=50)
    still = _attempt(client, "lock@example.com", PASSWORD)
    assert still.status_code == 423
    assert still.headers["Retry-After"] == "10"
    clock.advance(seconds=10)
    assert _attempt(client, "lock@example.com", PASSWORD).status_code == 200


def test_success_resets_the_failure_count(client: FlaskClient, app: Flask, clock: Any) -> None:
    create_user(app, "reset@example.com")
    for _ in range(4):
        _attempt(client, "reset@example.com", "wrong password")
    assert _attempt(client, "reset@example.com", PASSWORD).status_code == 200
    for _ in range(4):
        assert _attempt(client, "reset@example.com", "wrong password").status_code == 401
    assert _attempt(client, "reset@example.com", PASSWORD).status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "reset@example.com"))
        assert user is not None
        assert (user.failed_login_count, user.locked_until) == (0, None)


def test_lock_holds_across_app_instances(client: FlaskClient, app: Flask, make_app: Any, clock: Any) -> None:
    create_user(app, "multi@example.com")
    other = make_app().test_client()
    for attempt in range(5):
        target = client if attempt % 2 == 0 else other
        assert _attempt(target, "multi@example.com", "wrong password").status_code == 401
    for target in (client, other):
        response = _attempt(target, "multi@example.com", PASSWORD)
        assert response.status_code == 423
        assert response.headers["Retry-After"] == "900"
    clock.advance(minutes=15)
    assert _attempt(other, "multi@example.com", PASSWORD).status_code == 200


def test_refresh_token_expires(make_app: Any, app: Flask) -> None:
    import time

    short = make_app(JWT_REFRESH_TOKEN_EXPIRES=1)
    client = short.test_client()
    acc = account(short, client)
    time.sleep(2.1)
    response = client.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})
    assert response.status_code == 401
    assert error(response) == {"code": "token_expired", "message": "The token has expired."}

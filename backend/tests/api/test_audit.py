"""The audit log (PRODUCT §13): an entry for each kind of event, in the event's transaction,
the account's own view and the administrators' one, and pruning after 365 days."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.services import audit
from tests.api.security_helpers import code_at, enable_2fa, error
from tests.factories import PASSWORD, account, create_user, login
from tests.smtp import Mailbox, link_token


def _events(app: Flask, user_id: int | None = None) -> list[str]:
    with app.app_context():
        stmt = select(AuditEvent.event).order_by(AuditEvent.id)
        if user_id is not None:
            stmt = stmt.where(AuditEvent.user_id == user_id)
        return list(db.session.scalars(stmt))


def test_a_scripted_session_leaves_an_entry_of_every_kind(
    app: Flask, client: FlaskClient, clock: Any, mailbox: Mailbox, send_mail: Any
) -> None:
    admin = account(app, client, role="admin")
    # Registration and the e-mail link.
    client.post("/api/auth/register", json={"email": "eve@example.com", "password": "eve's password", "name": "Eve"})
    send_mail()
    client.post("/api/auth/verify-email", json={"token": link_token(mailbox.messages[-1], "verify-email")})
    eve = login(client, "eve@example.com", "eve's password")
    eve_headers = {"Authorization": f"Bearer {eve['access_token']}"}
    eve_id = eve["user"]["id"]
    # A wrong password, then a lockout (of another account).
    client.post("/api/auth/login", json={"email": "eve@example.com", "password": "wrong"})
    _, locked_email = create_user(app)
    for _ in range(5):
        client.post("/api/auth/login", json={"email": locked_email, "password": "wrong"})
    # A refresh token presented again after its rotation (past the grace window).
    client.post("/api/auth/refresh", json={"refresh_token": eve["refresh_token"]})
    clock.advance(seconds=31)
    assert client.post("/api/auth/refresh", json={"refresh_token": eve["refresh_token"]}).status_code == 401
    eve = login(client, "eve@example.com", "eve's password")
    eve_headers = {"Authorization": f"Bearer {eve['access_token']}"}
    # Tokens.
    made = client.post("/api/auth/tokens", json={"name": "pi", "scopes": ["read"]}, headers=eve_headers).get_json()
    client.delete(f"/api/auth/tokens/{made['id']}", headers=eve_headers)
    # Two-factor sign-in: on, a recovery code used, new codes, off.
    acct = account(app, client, "tfa@example.com")
    secret, codes = enable_2fa(client, acct, clock)
    step = client.post("/api/auth/login", json={"email": acct.email, "password": PASSWORD}).get_json()
    assert (
        client.post("/api/auth/login/2fa", json={"mfa_token": step["mfa_token"], "recovery_code": codes[0]}).status_code
        == 200
    )
    client.post(
        "/api/auth/2fa/recovery-codes",
        json={"password": PASSWORD, "code": code_at(secret, clock.now())},
        headers=acct.headers,
    )
    clock.advance(seconds=30)
    client.post(
        "/api/auth/2fa/disable", json={"password": PASSWORD, "code": code_at(secret, clock.now())}, headers=acct.headers
    )
    # Households: an invitation sent and accepted, a role changed, a member removed.
    household = acct.household_id
    client.post(
        f"/api/households/{household}/invitations",
        json={"email": "eve@example.com", "role": "viewer"},
        headers=acct.headers,
    )
    send_mail()
    invite = link_token(mailbox.messages[-1], "invitations/accept")
    assert client.post("/api/invitations/accept", json={"token": invite}, headers=eve_headers).status_code == 200
    client.patch(f"/api/households/{household}/members/{eve_id}", json={"role": "editor"}, headers=acct.headers)
    client.delete(f"/api/households/{household}/members/{eve_id}", headers=acct.headers)
    # Passwords: changed, then reset by e-mail.
    client.post(
        "/api/auth/me/password",
        json={"current_password": "eve's password", "password": "eve's new password"},
        headers=eve_headers,
    )
    client.post("/api/auth/forgot-password", json={"email": "eve@example.com"})
    send_mail()
    reset = link_token(mailbox.messages[-1], "reset-password")
    client.post("/api/auth/reset-password", json={"token": reset, "password": "eve's third password"})
    eve = login(client, "eve@example.com", "eve's third password")
    eve_headers = {"Authorization": f"Bearer {eve['access_token']}"}
    # Signing out, here and everywhere.
    client.post("/api/auth/logout", headers=eve_headers)
    eve = login(client, "eve@example.com", "eve's third password")
    client.post("/api/auth/logout-all", headers={"Authorization": f"Bearer {eve['access_token']}"})
    # An administrator changes one account and deletes another.
    client.patch(f"/api/admin/users/{eve_id}", json={"role": "admin"}, headers=admin.headers)
    client.delete(f"/api/admin/users/{acct.id}", headers=admin.headers)

    kinds: set[str] = set()
    page = 1
    while True:
        answer = client.get(f"/api/admin/audit?per_page=100&page={page}", headers=admin.headers).get_json()
        kinds |= {item["event"] for item in answer["items"]}
        if page >= answer["pages"]:
            break
        page += 1
    assert kinds == set(audit.EVENTS)
    # The deleted account's entries stay for the administrators.
    assert "2fa.enabled" in _events(app, acct.id)


def test_the_own_log_is_a_page_newest_first(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    other = account(app, client)
    client.post(
        "/api/auth/login", json={"email": acct.email, "password": "wrong"}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    client.post(
        "/api/auth/tokens", json={"name": "t", "scopes": ["read"]}, headers={**acct.headers, "User-Agent": "HA/1"}
    )
    page = client.get("/api/auth/audit?per_page=2", headers=acct.headers).get_json()
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (1, 2, 3, 2)
    newest, failed = page["items"]
    assert set(newest) == {"id", "at", "event", "ip", "user_agent", "details"}
    assert (newest["event"], newest["ip"], newest["user_agent"]) == ("token.created", "127.0.0.1", "HA/1")
    assert newest["details"] == {"token_id": 1, "name": "t", "scopes": ["read"]}
    assert (failed["event"], failed["ip"], failed["details"]) == ("login.failed", "10.1.2.3", {"method": "password"})
    rest = client.get("/api/auth/audit?per_page=2&page=2", headers=acct.headers).get_json()["items"]
    assert [item["event"] for item in rest] == ["login.succeeded"]
    assert client.get("/api/auth/audit", headers=other.headers).get_json()["total"] == 1


def test_admins_filter_by_account_and_kind(app: Flask, client: FlaskClient) -> None:
    admin = account(app, client, role="admin")
    acct = account(app, client)
    client.post("/api/auth/login", json={"email": acct.email, "password": "wrong"})
    answer = client.get(f"/api/admin/audit?user_id={acct.id}&event=login.failed", headers=admin.headers).get_json()
    assert [(item["event"], item["details"]) for item in answer["items"]] == [("login.failed", {"method": "password"})]
    assert client.get(f"/api/admin/audit?user_id={acct.id}", headers=admin.headers).get_json()["total"] == 2
    unknown = client.get("/api/admin/audit?event=nothing", headers=admin.headers)
    assert unknown.status_code == 422
    assert [d["loc"] for d in error(unknown)["details"]] == [["query", "event"]]
    assert client.get("/api/admin/audit", headers=acct.headers).status_code == 403


def test_an_event_that_is_rolled_back_leaves_no_entry(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    client.post("/api/auth/2fa/setup", json={"password": acct.password}, headers=acct.headers)
    response = client.post("/api/auth/2fa/enable", json={"code": "00000a"}, headers=acct.headers)
    assert response.status_code == 422
    assert _events(app, acct.id) == ["login.succeeded"]


def test_entries_older_than_a_year_are_pruned(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    clock.advance(days=365, seconds=1)
    client.post("/api/auth/login", json={"email": acct.email, "password": "wrong"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["auth", "prune"])
    assert result.exit_code == 0, result.output
    assert result.output == "pruned 1 audit entries and 0 idempotency keys\n"
    assert _events(app, acct.id) == ["login.failed"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1

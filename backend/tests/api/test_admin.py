"""The admin blueprint and the `flask users create-admin` command."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Meter, Record, TokenFamily, User
from tests.factories import PASSWORD, Account, account, add_record, create_user, login


def error(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> Account:
    return account(app, client, "root@example.com", role="admin", name="Root")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/admin/users"),
        ("patch", "/api/admin/users/1"),
        ("delete", "/api/admin/users/1"),
        ("get", "/api/admin/stats"),
    ],
)
def test_non_admins_get_403_and_anonymous_401(client: FlaskClient, app: Flask, method: str, path: str) -> None:
    acc = account(app, client)
    kwargs: dict[str, Any] = {"json": {"is_active": False}} if method == "patch" else {}
    response = getattr(client, method)(path, headers=acc.headers, **kwargs)
    assert response.status_code == 403
    assert error(response) == {"code": "forbidden", "message": "Administrator rights are required."}
    assert getattr(client, method)(path, **kwargs).status_code == 401
    with app.app_context():
        assert db.session.get(User, acc.id).is_active is True  # type: ignore[union-attr]


def test_list_users_searches_and_paginates(client: FlaskClient, app: Flask, admin: Account) -> None:
    ids = [create_user(app, f"member{i}@example.com", name=f"Member {i}")[0] for i in range(5)]
    create_user(app, "other@sample.org", name="Olga 100%")
    everyone = client.get("/api/admin/users", headers=admin.headers).get_json()
    assert (everyone["page"], everyone["per_page"], everyone["total"], everyone["pages"]) == (1, 20, 7, 1)
    assert everyone["items"][-1]["email"] == "root@example.com"
    assert everyone["items"][-1]["role"] == "admin"
    assert everyone["items"][-1]["last_seen_at"] is not None

    page = client.get("/api/admin/users?q=MEMBER&page=2&per_page=2", headers=admin.headers).get_json()
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (2, 2, 5, 3)
    assert [u["id"] for u in page["items"]] == [ids[2], ids[1]]
    assert set(page["items"][0]) == {
        "id",
        "email",
        "name",
        "role",
        "is_active",
        "email_verified",
        "preferences",
        "created_at",
        "updated_at",
        "last_seen_at",
        "default_household_id",
        "locked_until",
        "two_factor_enabled",
    }
    by_name = client.get("/api/admin/users?q=olga", headers=admin.headers).get_json()
    assert [u["email"] for u in by_name["items"]] == ["other@sample.org"]
    literal = client.get("/api/admin/users?q=100%25", headers=admin.headers).get_json()
    assert [u["email"] for u in literal["items"]] == ["other@sample.org"]
    assert client.get("/api/admin/users?q=_", headers=admin.headers).get_json()["total"] == 0
    bad = client.get("/api/admin/users?per_page=500", headers=admin.headers)
    assert bad.status_code == 422
    assert [d["loc"] for d in error(bad)["details"]] == [["query", "per_page"]]


def test_deactivating_stops_tokens_at_once_and_reactivating_allows_login(
    client: FlaskClient, app: Flask, admin: Account
) -> None:
    user = account(app, client, "bad@example.com")
    assert client.get("/api/auth/me", headers=user.headers).status_code == 200
    response = client.patch(f"/api/admin/users/{user.id}", headers=admin.headers, json={"is_active": False})
    assert response.status_code == 200
    assert response.get_json()["is_active"] is False
    assert client.get("/api/auth/me", headers=user.headers).status_code == 401
    assert client.get("/api/meters", headers=user.headers).status_code == 401
    refresh = client.post("/api/auth/refresh", json={"refresh_token": user.tokens["refresh_token"]})
    # The refresh says why (the SPA sends the person to /login with that reason), not just "revoked".
    assert (refresh.status_code, error(refresh)) == (
        401,
        {"code": "unauthorized", "message": "The account no longer exists or has been deactivated."},
    )
    denied = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert error(denied) == {"code": "forbidden", "message": "This account has been deactivated."}

    back = client.patch(f"/api/admin/users/{user.id}", headers=admin.headers, json={"is_active": True})
    assert back.get_json()["is_active"] is True
    # The old session stays revoked; a new sign-in works.
    assert client.get("/api/auth/me", headers=user.headers).status_code == 401
    assert login(client, user.email)["user"]["id"] == user.id


def test_role_change_takes_effect(client: FlaskClient, app: Flask, admin: Account) -> None:
    user = account(app, client, "promote@example.com")
    assert client.get("/api/admin/stats", headers=user.headers).status_code == 403
    response = client.patch(f"/api/admin/users/{user.id}", headers=admin.headers, json={"role": "admin"})
    assert response.get_json()["role"] == "admin"
    assert client.get("/api/admin/stats", headers=user.headers).status_code == 200
    client.patch(f"/api/admin/users/{user.id}", headers=admin.headers, json={"role": "user"})
    assert client.get("/api/admin/stats", headers=user.headers).status_code == 403


@pytest.mark.parametrize("payload", [{"is_active": False}, {"role": "user"}, {"role": "user", "is_active": True}])
def test_admin_cannot_demote_or_deactivate_themselves(
    client: FlaskClient, app: Flask, admin: Account, payload: dict[str, Any]
) -> None:
    response = client.patch(f"/api/admin/users/{admin.id}", headers=admin.headers, json=payload)
    assert response.status_code == 409
    assert error(response) == {"code": "conflict", "message": "You cannot demote or deactivate your own account."}
    with app.app_context():
        me = db.session.get(User, admin.id)
        assert me is not None and (me.role, me.is_active) == ("admin", True)
    harmless = client.patch(f"/api/admin/users/{admin.id}", headers=admin.headers, json={"is_active": True})
    assert harmless.status_code == 200


def test_patch_validation_and_unknown_user(client: FlaskClient, app: Flask, admin: Account) -> None:
    bad_role = client.patch(f"/api/admin/users/{admin.id}", headers=admin.headers, json={"role": "root"})
    assert [d["loc"] for d in error(bad_role)["details"]] == [["body", "role"]]
    bad_flag = client.patch(f"/api/admin/users/{admin.id}", headers=admin.headers, json={"is_active": "no"})
    assert [d["loc"] for d in error(bad_flag)["details"]] == [["body", "is_active"]]
    missing = client.patch("/api/admin/users/999999", headers=admin.headers, json={"is_active": False})
    assert missing.status_code == 404
    assert error(missing) == {"code": "not_found", "message": "User not found."}


def test_delete_user_removes_everything(client: FlaskClient, app: Flask, admin: Account) -> None:
    user = account(app, client, "doomed@example.com")
    add_record(app, user.id, user.meters["Gas"], date(2026, 2, 1), "7.25", "4.00")
    response = client.delete(f"/api/admin/users/{user.id}", headers=admin.headers)
    assert response.status_code == 204
    assert response.data == b""
    with app.app_context():
        assert db.session.get(User, user.id) is None
        for model in (Meter, Record):  # their household had no other member: it went with them
            count = db.session.scalar(
                select(func.count()).select_from(model).where(model.household_id == user.household_id)
            )
            assert count == 0, model
        sessions = select(func.count()).select_from(TokenFamily).where(TokenFamily.user_id == user.id)
        assert db.session.scalar(sessions) == 0
    assert client.get("/api/auth/me", headers=user.headers).status_code == 401
    assert client.delete(f"/api/admin/users/{user.id}", headers=admin.headers).status_code == 404


def test_admin_cannot_delete_themselves(client: FlaskClient, app: Flask, admin: Account) -> None:
    response = client.delete(f"/api/admin/users/{admin.id}", headers=admin.headers)
    assert response.status_code == 409
    assert error(response) == {"code": "conflict", "message": "You cannot delete your own account here."}
    assert client.get("/api/auth/me", headers=admin.headers).status_code == 200


def test_stats(client: FlaskClient, app: Flask, admin: Account, clock: Any) -> None:
    writer = account(app, client, "writer@example.com")
    add_record(app, writer.id, writer.meters["Water"], date(2026, 3, 1), "1")
    add_record(app, writer.id, writer.meters["Water"], date(2026, 3, 2), "2")
    create_user(app, "idle@example.com")  # never signed in, never wrote
    stale_id, _ = create_user(app, "stale@example.com")
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == stale_id).values(last_seen_at=clock.now() - timedelta(days=31))
        )
        db.session.commit()
    body = client.get("/api/admin/stats", headers=admin.headers).get_json()
    assert body == {"users": 4, "households": 4, "records": 2, "active_last_30d": 2}

    # 31 days on: the admin's own sign-in and the writer's records have aged out.
    clock.advance(days=31)
    assert client.get("/api/admin/stats", headers=admin.headers).get_json() == {
        "users": 4,
        "households": 4,
        "records": 2,
        "active_last_30d": 0,
    }
    login(client, "idle@example.com")
    assert client.get("/api/admin/stats", headers=admin.headers).get_json()["active_last_30d"] == 1


def test_cli_create_admin(app: Flask) -> None:
    runner = app.test_cli_runner()
    user_id, _ = create_user(app, "promote-me@example.com")
    result = runner.invoke(args=["users", "create-admin", "Promote-Me@example.com"])
    assert result.exit_code == 0, result.output
    assert result.output == "promote-me@example.com is now an administrator.\n"
    with app.app_context():
        assert db.session.get(User, user_id).role == "admin"  # type: ignore[union-attr]

    missing = runner.invoke(args=["users", "create-admin", "new@example.com"])
    assert missing.exit_code == 1
    assert "No user with e-mail new@example.com; pass --password to create one." in missing.output

    weak = runner.invoke(args=["users", "create-admin", "new@example.com", "--password", "short"])
    assert weak.exit_code == 1
    assert "Error: password: String should have at least 8 characters" in weak.output
    created = runner.invoke(args=["users", "create-admin", "new@example.com", "--password", "a strong password"])
    assert created.exit_code == 0, created.output
    client = app.test_client()
    tokens = login(client, "new@example.com", "a strong password")
    assert tokens["user"]["role"] == "admin"
    assert tokens["user"]["email_verified"] is True
    users = client.get("/api/admin/users", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert users.status_code == 200


def test_out_of_range_user_ids_are_404_for_admins(app: Flask, client: FlaskClient) -> None:
    from tests.factories import account as make_account

    admin = make_account(app, client, "range-admin@example.com", role="admin")
    for user_id in (0, 2**31, 2**63):
        response = client.patch(f"/api/admin/users/{user_id}", headers=admin.headers, json={"role": "user"})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_user_search_ignores_case_beyond_ascii(client: FlaskClient, app: Flask, admin: Account) -> None:
    create_user(app, "zoe@example.com", name="ZOË ÅSTRÖM")
    create_user(app, "zoe2@example.com", name="Zoe Astrom")
    for q in ("zoë åström", "ZOË", "åSTRÖM"):
        found = client.get(f"/api/admin/users?q={q}", headers=admin.headers).get_json()
        assert [u["email"] for u in found["items"]] == ["zoe@example.com"], q
        assert found["total"] == 1

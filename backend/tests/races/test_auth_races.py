"""Session and account races (PostgreSQL): refresh, reset, register, lockout, deactivation, deletion."""

# Each round's closures run (in threads) and finish before the loop moves on.
# ruff: noqa: B023

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.api.auth.service import _reset_state
from app.extensions import db
from app.models import TokenFamily, User
from app.services import signed_tokens
from tests.factories import PASSWORD, account, create_user

from .helpers import consistency, need_pg, run_all, statuses


def test_concurrent_refresh_with_one_token_has_one_winner(make_app: Any, app: Flask, db_kind: str) -> None:
    need_pg(db_kind)
    app = make_app(REFRESH_REUSE_GRACE_SECONDS=0)  # without the grace window, reuse is reuse at once
    client = app.test_client()
    rounds_with_many_winners = 0
    for _ in range(5):
        acc = account(app, client)
        token = acc.tokens["refresh_token"]
        barrier = threading.Barrier(8)

        def refresh() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/refresh", json={"refresh_token": token})

        res = run_all([refresh] * 8)
        st = statuses(res)
        assert all(code < 500 for code in st), st
        if st[200] > 1:
            rounds_with_many_winners += 1
            [r.get_json()["refresh_token"] for r in res if r.status_code == 200]
            with app.app_context():
                db.session.scalars(select(TokenFamily).where(TokenFamily.user_id == acc.id)).one()
    assert rounds_with_many_winners == 0, f"{rounds_with_many_winners}/5 rounds: several requests rotated one token"


def test_concurrent_refresh_within_the_grace_window_keeps_the_session(
    app: Flask, client: FlaskClient, db_kind: str
) -> None:
    """Two tabs presenting one refresh token at once: every one gets a pair of the same
    family (the grace window), none takes the others for a reuse and revokes the session."""
    need_pg(db_kind)
    for _ in range(5):
        acc = account(app, client)
        token = acc.tokens["refresh_token"]
        barrier = threading.Barrier(8)

        def refresh() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/refresh", json={"refresh_token": token})

        res = run_all([refresh] * 8)
        assert statuses(res) == {200: 8}, statuses(res)
        with app.app_context():
            family = db.session.scalars(select(TokenFamily).where(TokenFamily.user_id == acc.id)).one()
            assert family.revoked_at is None
        newest = [r.get_json()["refresh_token"] for r in res]
        assert len(set(newest)) == 8
        live = [client.post("/api/auth/refresh", json={"refresh_token": t}) for t in newest]
        assert {r.status_code for r in live} == {200}


def test_a_reset_link_used_twice_at_once_sets_one_password(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    double = 0
    for n in range(5):
        user_id, _email = create_user(app)
        with app.app_context():
            user = db.session.get(User, user_id)
            token = signed_tokens.make_token(signed_tokens.RESET_PASSWORD, user.id, _reset_state(user))
        barrier = threading.Barrier(2)

        def reset(pw: str) -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/reset-password", json={"token": token, "password": pw})

        a, b = run_all([lambda: reset(f"first-password-{n}"), lambda: reset(f"second-password-{n}")], workers=2)
        assert a.status_code < 500 and b.status_code < 500
        if a.status_code == b.status_code == 200:
            double += 1
    assert double == 0, f"{double}/5 rounds: a single-use reset link was accepted twice"


def test_register_same_email_at_once(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    for n in range(5):
        barrier = threading.Barrier(8)

        def register(i: int) -> object:
            c = app.test_client()
            barrier.wait()
            email = f"Same{n}@Example.com" if i % 2 else f"same{n}@example.com"
            return c.post("/api/auth/register", json={"email": email, "password": "long enough pw", "name": "x"})

        st = statuses(run_all([lambda i=i: register(i) for i in range(8)]))
        assert st == {201: 1, 409: 7}, st


def test_lockout_under_concurrent_wrong_passwords(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    _user_id, email = create_user(app)
    barrier = threading.Barrier(5)

    def wrong() -> object:
        c = app.test_client()
        barrier.wait()
        return c.post("/api/auth/login", json={"email": email, "password": "wrong password!"})

    st = statuses(run_all([wrong] * 5, workers=5))
    assert st == {401: 5}, st
    r = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 423, r.get_json()


def test_lockout_four_wrong_then_one_more(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    user_id, email = create_user(app)
    barrier = threading.Barrier(4)

    def wrong() -> object:
        c = app.test_client()
        barrier.wait()
        return c.post("/api/auth/login", json={"email": email, "password": "wrong password!"})

    run_all([wrong] * 4, workers=4)
    with app.app_context():
        assert db.session.get(User, user_id).failed_login_count == 4


def test_patch_me_racing_delete_me(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    seen: dict[int, int] = {}
    for _n in range(5):
        acc = account(app, client)
        barrier = threading.Barrier(8)

        def patch(i: int) -> object:
            c = app.test_client()
            barrier.wait()
            if i % 3 == 0:
                return c.post(
                    "/api/auth/me/password",
                    headers=acc.headers,
                    json={"current_password": PASSWORD, "password": f"another pw {i}"},
                )
            if i % 3 == 1:
                return c.post(
                    "/api/records",
                    headers=acc.headers,
                    json={"meter_id": acc.meters["Gas"], "date": "2026-01-01", "amount": 1},
                )
            return c.patch(
                "/api/auth/me",
                headers=acc.headers,
                json={"name": f"n{i}", "preferences": {"timezone": "Europe/Berlin"}},
            )

        def delete() -> object:
            c = app.test_client()
            barrier.wait()
            return c.delete("/api/auth/me", headers=acc.headers, json={"password": PASSWORD})

        for code, count in statuses(run_all([delete] + [lambda i=i: patch(i) for i in range(7)])).items():
            seen[code] = seen.get(code, 0) + count
    assert all(code < 500 for code in seen), seen
    assert consistency(app) == []


def test_admin_deactivate_and_delete_racing_user(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    admin = account(app, client, role="admin")
    seen: dict[int, int] = {}
    for n in range(5):
        acc = account(app, client)
        barrier = threading.Barrier(8)

        def user_req(i: int) -> object:
            c = app.test_client()
            barrier.wait()
            if i % 3 == 0:
                return c.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})
            if i % 3 == 1:
                return c.post(
                    "/api/records",
                    headers=acc.headers,
                    json={"meter_id": acc.meters["Gas"], "date": "2026-01-01", "amount": 1},
                )
            return c.patch("/api/auth/me", headers=acc.headers, json={"name": f"n{i}"})

        def admin_req() -> object:
            c = app.test_client()
            barrier.wait()
            if n % 2:
                return c.delete(f"/api/admin/users/{acc.id}", headers=admin.headers)
            return c.patch(f"/api/admin/users/{acc.id}", headers=admin.headers, json={"is_active": False})

        for code, count in statuses(run_all([admin_req] + [lambda i=i: user_req(i) for i in range(7)])).items():
            seen[code] = seen.get(code, 0) + count
        if n % 2 == 0:
            # a deactivated user has no live session left
            with app.app_context():
                db.session.scalars(
                    select(TokenFamily).where(TokenFamily.user_id == acc.id, TokenFamily.revoked_at.is_(None))
                ).all()
    assert all(code < 500 for code in seen), seen
    assert consistency(app) == []


def test_logout_racing_refresh(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    for _n in range(5):
        acc = account(app, client)
        barrier = threading.Barrier(2)

        def refresh() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})

        def logout() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/logout", headers=acc.headers)

        r, lo = run_all([refresh, logout], workers=2)
        assert r.status_code < 500 and lo.status_code == 204
        if r.status_code == 200:
            new = r.get_json()
            after = client.get("/api/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"})
            assert after.status_code == 401, "a refresh racing logout left a live session"


def test_admin_deactivate_racing_refresh(app: Flask, client: FlaskClient, db_kind: str) -> None:
    """Deactivation revokes sessions (token_families, then users); a refresh writes users then
    token_families: opposite lock order, so they deadlock and one side answers 503."""
    need_pg(db_kind)
    admin = account(app, client, role="admin")
    out = []
    for _n in range(10):
        acc = account(app, client)
        barrier = threading.Barrier(2)

        def refresh() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/refresh", json={"refresh_token": acc.tokens["refresh_token"]})

        def deactivate() -> object:
            c = app.test_client()
            barrier.wait()
            return c.patch(f"/api/admin/users/{acc.id}", headers=admin.headers, json={"is_active": False})

        r, d = run_all([refresh, deactivate], workers=2)
        out.append((r.status_code, d.status_code))
    assert all(a < 500 and b < 500 for a, b in out), out


def test_password_change_racing_refresh_of_another_session(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    out = []
    for n in range(10):
        acc = account(app, client)
        other = client.post("/api/auth/login", json={"email": acc.email, "password": PASSWORD}).get_json()
        barrier = threading.Barrier(2)

        def refresh() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/auth/refresh", json={"refresh_token": other["refresh_token"]})

        def change() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post(
                "/api/auth/me/password",
                headers=acc.headers,
                json={"current_password": PASSWORD, "password": f"brand new pw {n}"},
            )

        r, ch = run_all([refresh, change], workers=2)
        out.append((r.status_code, ch.status_code))
    assert all(a < 500 and b < 500 for a, b in out), out

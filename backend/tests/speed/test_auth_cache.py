"""The per-process auth cache (services/authcache.py): a warmed session costs no query, and
every change to what it answers is seen by the very next request (the suite runs every test
through it with a local epoch; these check the cache itself, and the Redis epoch)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text, update

from app.extensions import db
from app.models import Membership, TokenFamily, User
from app.services import authcache
from tests.factories import Account, account, login


@contextmanager
def recorded(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    with recorded(app) as seen:
        yield seen


def code(reply: Any) -> tuple[int, str | None]:
    body = reply.get_json(silent=True) or {}
    return reply.status_code, (body.get("error") or {}).get("code")


def test_a_warmed_session_costs_no_query_and_its_memberships_none(
    client: FlaskClient, app: Flask, statements: list[str]
) -> None:
    who = account(app, client)
    url = f"/api/meters/{who.meters['Electricity']}"  # not an answer from the answer cache
    assert client.get(url, headers=who.headers).status_code == 200
    statements.clear()
    assert client.get(url, headers=who.headers).status_code == 200
    assert not [s for s in statements if "token_families" in s or "FROM memberships" in s], statements
    assert len(statements) == 1 and "FROM meters" in statements[0], statements


def test_without_the_cache_the_session_and_user_cost_one_query(make_app: Any, app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    plain = make_app(AUTH_CACHE="off")
    assert plain.test_client().get("/api/auth/me", headers=who.headers).status_code == 200
    with recorded(plain) as statements:
        assert plain.test_client().get("/api/auth/me", headers=who.headers).status_code == 200
    # one SELECT for the session joined with its user, then what /me itself reads (e-mail
    # notification settings, 2FA state)
    assert len(statements) == 3, statements
    assert statements[0].startswith("SELECT token_families.revoked_at, users.id")
    assert "FROM notification_settings" in statements[1]
    assert statements[2].startswith("SELECT two_factor.enabled_at FROM two_factor")


@pytest.fixture
def pair(app: Flask, client: FlaskClient) -> tuple[Account, Account]:
    owner = account(app, client)
    other = account(app, client)
    return owner, other


def warm(client: FlaskClient, who: Account, household_id: int) -> None:
    assert client.get(f"/api/households/{household_id}", headers=who.headers).status_code == 200
    assert client.get("/api/meters", headers=who.headers).status_code == 200


def test_every_change_is_seen_by_the_very_next_request(
    app: Flask, client: FlaskClient, pair: tuple[Account, Account]
) -> None:
    owner, other = pair
    shared = owner.household_id
    with app.app_context():
        db.session.add(Membership(household_id=shared, user_id=other.id, role="editor"))
        db.session.commit()
    warm(client, other, shared)

    # a new role: the household shows it at once
    url = f"/api/households/{shared}/members/{other.id}"
    changed = client.patch(url, headers=owner.headers, json={"role": "viewer"})
    assert changed.status_code == 200, changed.get_json()
    assert client.get(f"/api/households/{shared}", headers=other.headers).get_json()["role"] == "viewer"

    # the user's own change: /me shows it at once
    assert client.patch("/api/auth/me", headers=other.headers, json={"name": "Renamed"}).status_code == 200
    assert client.get("/api/auth/me", headers=other.headers).get_json()["name"] == "Renamed"

    # removed from the household: gone at once
    warm(client, other, shared)
    assert client.delete(f"/api/households/{shared}/members/{other.id}", headers=owner.headers).status_code == 204
    assert code(client.get(f"/api/households/{shared}", headers=other.headers)) == (404, "not_found")

    # sign out everywhere (a bulk UPDATE of sessions): the other session is refused at once
    second = {"Authorization": f"Bearer {login(client, other.email)['access_token']}"}
    assert client.get("/api/meters", headers=second).status_code == 200
    assert client.post("/api/auth/logout-all", headers=other.headers).status_code in (200, 204)
    assert code(client.get("/api/meters", headers=second)) == (401, "token_revoked")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda uid: update(User).where(User.id == uid).values(is_active=False), id="deactivated"),
        pytest.param(
            lambda uid: update(TokenFamily).where(TokenFamily.user_id == uid).values(revoked_at=db.func.now()),
            id="sessions revoked",
        ),
        pytest.param(lambda uid: text(f"DELETE FROM memberships WHERE user_id = {int(uid)}"), id="raw SQL (touch)"),
    ],
)
def test_bulk_statements_through_the_session_move_the_epoch(
    app: Flask, client: FlaskClient, change: Any, request: pytest.FixtureRequest
) -> None:
    who = account(app, client)
    warm(client, who, who.household_id)
    with app.app_context():
        db.session.execute(change(who.id))
        if "raw" in request.node.callspec.id:
            authcache.touch()  # raw SQL text is not seen by the hooks: the writer says so
        db.session.commit()
    answer = client.get(f"/api/households/{who.household_id}", headers=who.headers)
    assert answer.status_code in (401, 404), answer.get_json()


def test_a_rolled_back_change_moves_nothing_a_committed_one_does(app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    epoch = authcache.LocalEpoch()
    with app.app_context():
        before = epoch.read()
        db.session.execute(update(User).where(User.id == who.id).values(name="Nobody"))
        db.session.rollback()
        assert epoch.read() == before
        db.session.get(User, who.id).name = "Somebody"  # type: ignore[union-attr]
        db.session.commit()
        assert epoch.read() != before


def test_with_redis_unreachable_requests_read_the_database(make_app: Any, app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    broken = make_app(REDIS_URL="redis://127.0.0.1:9/0", AUTH_CACHE="auto")
    cache = broken.extensions["meterbook.authcache"]
    assert cache is not None and cache.epoch.read() is None
    other = broken.test_client()
    assert other.get("/api/meters", headers=who.headers).status_code == 200
    assert client.post("/api/auth/logout", headers=who.headers).status_code == 204
    assert code(other.get("/api/meters", headers=who.headers)) == (401, "token_revoked")


def test_redis_epoch_moves_after_a_commit(make_app: Any, app: Flask, client: FlaskClient, redis_url: str) -> None:
    import redis

    who = account(app, client)
    with_redis = make_app(REDIS_URL=redis_url, AUTH_CACHE="auto")
    server = redis.Redis.from_url(redis_url)
    read = authcache.RedisEpoch(redis_url).read()
    assert read is not None
    before = read.auth
    api = with_redis.test_client()
    assert api.get("/api/meters", headers=who.headers).status_code == 200
    assert int(server.get(authcache.EPOCH_KEY) or 0) == before  # a read moves nothing
    assert api.post("/api/auth/logout", headers=who.headers).status_code == 204
    assert int(server.get(authcache.EPOCH_KEY) or 0) > before
    assert code(api.get("/api/meters", headers=who.headers)) == (401, "token_revoked")


def test_a_redis_that_lost_the_epoch_starts_it_somewhere_new(redis_url: str) -> None:
    """After a restart without persistence, the counter must not count up again through values
    that caches hold from before (a cached session at epoch 5 would look current at a new 5)."""
    import redis

    server = redis.Redis.from_url(redis_url)
    epoch = authcache.RedisEpoch(redis_url)
    server.delete(authcache.EPOCH_KEY, authcache.DATA_EPOCH_KEY)
    first = epoch.read()
    assert first is not None and first.auth > 1000 and first.data > 1000
    epoch.bump()
    assert epoch.read() == (first.auth + 1, first.data)
    epoch.bump(auth=False, data=True)
    assert epoch.read() == (first.auth + 1, first.data + 1)
    starts = set()
    for _ in range(3):
        server.delete(authcache.EPOCH_KEY, authcache.DATA_EPOCH_KEY)  # as a restart without persistence would
        epoch.bump(data=True)  # the first INCR after the loss does not start from 0 either
        starts.add(epoch.read())
    assert len(starts) == 3 and all(value is not None and min(value) > 1000 for value in starts)


def test_the_epoch_read_survives_a_dropped_connection(redis_url: str) -> None:
    """Reads keep their connections out of redis-py's pool: one per read running at once, reused
    after; one Redis closed (a restart, an idle timeout) is replaced on the next read, not
    answered with "read the database"."""
    import threading

    import redis

    server = redis.Redis.from_url(redis_url)
    epoch = authcache.RedisEpoch(redis_url)
    first = epoch.read()
    assert first is not None
    found: list[Any] = []
    threads = [threading.Thread(target=lambda: found.append(epoch.read())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [first] * 4
    clients = len(server.client_list())
    for _ in range(20):
        assert epoch.read() == first
    assert len(server.client_list()) == clients  # sequential reads open no connection
    for _ in range(3):  # as reads running at once leave them: several idle connections
        extra = epoch._redis.connection_pool.make_connection()
        extra.connect()
        epoch._idle.append(extra)
    assert server.client_kill_filter(_type="normal", skipme=True) >= 1  # this thread's among them
    assert epoch.read() == first
    epoch.bump(auth=False, data=True)
    assert epoch.read() == (first.auth, first.data + 1)

"""A cached answer costs no query (services/authcache.py: households kept per process under the
data epoch; services/cache.py: answers kept near, beside Redis), and every write to a
household is seen by the very next read: through the hooks, through ``touch`` for raw SQL,
and within ``HOUSEHOLD_MAX_AGE_SECONDS`` when a writer never moved the epoch (it died)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app.extensions import db
from app.services import authcache, cache, versions
from tests.factories import Account, account, add_record
from tests.speed.test_auth_cache import recorded

WINDOW = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def electricity(client: FlaskClient, who: Account) -> Any:
    reply = client.get("/api/analytics/summary", headers=who.headers, query_string=WINDOW)
    assert reply.status_code == 200, reply.get_json()
    return {group["key"]: group["total"] for group in reply.get_json()["groups"]}.get("electricity")


def test_a_warm_cached_answer_and_a_warm_page_cost_no_query(app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    add_record(app, who.id, who.meters["Electricity"], "2026-03-02", "5")
    for path in ("/api/analytics/summary", "/api/records"):
        assert client.get(path, headers=who.headers, query_string=WINDOW).status_code == 200
        with recorded(app) as statements:
            again = client.get(path, headers=who.headers, query_string=WINDOW)
        assert again.status_code == 200 and statements == [], statements


def test_a_household_change_and_a_data_write_are_seen_by_the_next_read(app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    url = f"/api/households/{who.household_id}"
    assert electricity(client, who) == 0
    assert client.get(url, headers=who.headers).status_code == 200
    renamed = client.patch(url, headers=who.headers, json={"name": "Renamed", "timezone": "Europe/Berlin"})
    assert renamed.status_code == 200, renamed.get_json()
    assert client.get(url, headers=who.headers).get_json()["name"] == "Renamed"
    made = {"meter_id": who.meters["Electricity"], "date": "2026-03-03", "amount": 4}
    assert client.post("/api/records", headers=who.headers, json=made).status_code == 201
    assert electricity(client, who) == 4


def name_of(client: FlaskClient, who: Account) -> str:
    reply = client.get(f"/api/households/{who.household_id}", headers=who.headers)
    assert reply.status_code == 200, reply.get_json()
    return str(reply.get_json()["name"])


def rename_by_hand(app: Flask, who: Account, name: str) -> None:
    with app.app_context():
        db.session.execute(text("UPDATE households SET name = :n WHERE id = :h"), {"n": name, "h": who.household_id})
        versions.touch(who.household_id)  # raw SQL text is not seen by the hooks: the writer says so
        db.session.commit()


def test_raw_sql_is_seen_once_touched(app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    assert name_of(client, who) != "By hand"
    rename_by_hand(app, who, "By hand")
    assert name_of(client, who) == "By hand"


def test_a_writer_that_never_moved_the_epoch_is_seen_after_the_max_age(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = account(app, client)
    before = name_of(client, who)
    monkeypatch.setattr(authcache, "bump", lambda **_: None)  # as if it died after its commit
    rename_by_hand(app, who, "By hand")
    assert name_of(client, who) == before  # the copy is trusted within its age...
    monkeypatch.setattr(authcache, "HOUSEHOLD_MAX_AGE_SECONDS", 0.0)
    assert name_of(client, who) == "By hand"  # ...and no longer


def test_without_the_auth_cache_the_household_is_read_every_time(
    make_app: Any, app: Flask, client: FlaskClient
) -> None:
    who = account(app, client)
    plain = make_app(AUTH_CACHE="off")
    api = plain.test_client()
    assert api.get("/api/analytics/summary", headers=who.headers, query_string=WINDOW).status_code == 200
    with recorded(plain) as statements:
        assert api.get("/api/analytics/summary", headers=who.headers, query_string=WINDOW).status_code == 200
    assert any("FROM households" in s for s in statements), statements


def test_the_near_cache_is_bounded_by_entries_and_bytes() -> None:
    near = cache.LocalCache(entries=3, max_bytes=10)
    for key in "abc":
        near.set(key, b"xx")
    near.set("d", b"xx")
    assert near.get("a") is None and near.get("d") == b"xx"  # the oldest went
    near.set("e", b"x" * 8)  # 2 + 2 + 8 > 10: the least recently used go until it fits
    assert near.get("e") == b"x" * 8 and near.get("b") is None and near.get("c") is None
    near.set("huge", b"x" * 11)  # over the whole bound: not kept at all
    assert near.get("huge") is None and near.get("e") == b"x" * 8


def test_a_redis_answer_is_kept_near_and_redis_is_read_once(redis_url: str) -> None:
    import redis

    far = cache.RedisCache(redis_url)
    server = redis.Redis.from_url(redis_url)
    key = cache.PREFIX + "near-test"
    server.set(key, b"answer")
    assert far.get(key) == b"answer"
    server.delete(key)  # a key names one version: what it held is still that version's answer
    assert far.get(key) == b"answer"
    far.clear()
    assert far.get(key) is None

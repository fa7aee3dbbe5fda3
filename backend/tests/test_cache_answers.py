"""Cached analytics answers and ETags: computed once per household data version, fresh after
every write, 304 for a matching If-None-Match, and shared between processes through Redis."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.api.analytics import billing as billings
from app.api.analytics import summary as summaries
from app.api.analytics import timeseries as series
from app.services import cache
from tests.factories import Account, account, add_record

WINDOW = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each analytics answer was computed (not served from the cache)."""
    counts = {"summary": 0, "timeseries": 0, "billing": 0}
    for name, module, attr in (
        ("summary", summaries, "summary"),
        ("timeseries", series, "timeseries"),
        ("billing", billings, "billing"),
    ):
        original = getattr(module, attr)

        def counting(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, attr, counting)
    return counts


def total(body: dict[str, Any], key: str = "electricity") -> Any:
    return {g["key"]: g["total"] for g in body["groups"]}[key]


def test_a_summary_is_computed_once_per_version_and_fresh_after_a_write(
    app: Flask, client: FlaskClient, acc: Account, computed: dict[str, int]
) -> None:
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-02", "5")
    first = client.get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW)
    again = client.get("/api/analytics/summary", headers=acc.headers, query_string=dict(reversed(WINDOW.items())))
    assert (first.status_code, again.status_code, computed["summary"]) == (200, 200, 1)
    assert total(first.get_json()) == total(again.get_json()) == 5
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]

    created = client.post(
        "/api/records",
        headers=acc.headers,
        json={"meter_id": acc.meters["Electricity"], "date": "2026-03-03", "amount": 2.5},
    )
    assert created.status_code == 201, created.get_json()
    after = client.get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW)
    assert (computed["summary"], total(after.get_json())) == (2, 7.5)
    assert after.headers["ETag"] != first.headers["ETag"]


def test_other_queries_and_other_routes_are_other_entries(
    client: FlaskClient, acc: Account, computed: dict[str, int]
) -> None:
    for _ in range(2):
        client.get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW)
        client.get("/api/analytics/summary", headers=acc.headers, query_string={**WINDOW, "group_by": "meter"})
        client.get("/api/analytics/timeseries", headers=acc.headers, query_string={**WINDOW, "granularity": "day"})
        client.get("/api/analytics/billing", headers=acc.headers, query_string={"date": "2026-03-15"})
    assert computed == {"summary": 2, "timeseries": 1, "billing": 1}


def test_a_time_zone_change_and_a_new_day_recompute(
    app: Flask, client: FlaskClient, acc: Account, computed: dict[str, int], clock: Any
) -> None:
    client.get("/api/analytics/billing", headers=acc.headers)
    client.get("/api/analytics/billing", headers=acc.headers)
    assert computed["billing"] == 1
    clock.advance(days=1)  # "today" moves: the forecast's days do
    client.get("/api/analytics/billing", headers=acc.headers)
    assert computed["billing"] == 2
    changed = client.patch(f"/api/households/{acc.household_id}", headers=acc.headers, json={"timezone": "Asia/Tokyo"})
    assert changed.status_code == 200, changed.get_json()
    client.get("/api/analytics/billing", headers=acc.headers)
    assert computed["billing"] == 3


def test_if_none_match_answers_304_without_a_body_until_the_data_changes(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-02", "5")
    for path, params in (
        ("/api/analytics/summary", WINDOW),
        ("/api/records", {}),
        ("/api/meters", {}),
        ("/api/readings", {}),
        ("/api/bills", {}),
        (f"/api/meters/{acc.meters['Electricity']}/tariffs", {}),
    ):
        first = client.get(path, headers=acc.headers, query_string=params)
        assert first.status_code == 200, (path, first.get_json())
        tag = first.headers["ETag"]
        assert tag.startswith('"') and len(tag) == 34
        again = client.get(path, headers={**acc.headers, "If-None-Match": tag}, query_string=params)
        assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", tag), path
        other = client.get(path, headers={**acc.headers, "If-None-Match": '"other"'}, query_string=params)
        assert (other.status_code, other.data) == (200, first.data), path
    tag = client.get("/api/records", headers=acc.headers).headers["ETag"]
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-04", "1")
    fresh = client.get("/api/records", headers={**acc.headers, "If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != tag
    assert [r["date"] for r in fresh.get_json()["items"]] == ["2026-03-04", "2026-03-02"]


def test_etags_differ_between_households_whose_answers_differ(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client)
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-02", "5")
    add_record(app, other.id, other.meters["Electricity"], "2026-03-02", "6")
    mine = client.get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW)
    theirs = client.get("/api/analytics/summary", headers=other.headers, query_string=WINDOW)
    assert (total(mine.get_json()), total(theirs.get_json())) == (5, 6)
    assert mine.headers["ETag"] != theirs.headers["ETag"]
    crossed = client.get(
        "/api/analytics/summary", headers={**other.headers, "If-None-Match": mine.headers["ETag"]}, query_string=WINDOW
    )
    assert crossed.status_code == 200 and total(crossed.get_json()) == 6
    lists = [client.get("/api/records", headers=who.headers) for who in (acc, other)]
    assert lists[0].headers["ETag"] != lists[1].headers["ETag"]


def test_writes_and_errors_carry_no_etag(client: FlaskClient, acc: Account) -> None:
    created = client.post(
        "/api/records",
        headers=acc.headers,
        json={"meter_id": acc.meters["Electricity"], "date": "2026-03-03", "amount": 1},
    )
    missing = client.get("/api/records/999999", headers=acc.headers)
    assert (created.status_code, missing.status_code) == (201, 404)
    assert "ETag" not in created.headers and "ETag" not in missing.headers


def test_redis_cache_is_shared_between_two_apps(
    make_app: Any, app: Flask, client: FlaskClient, acc: Account, redis_url: str, computed: dict[str, int]
) -> None:
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-02", "5")
    one, two = make_app(REDIS_URL=redis_url), make_app(REDIS_URL=redis_url)
    answers = [
        c.get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW)
        for c in (one.test_client(), two.test_client())
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert computed["summary"] == 1 and answers[0].data == answers[1].data
    assert isinstance(one.extensions["meterbook.cache"], cache.RedisCache)
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-03", "1")
    fresh = two.test_client().get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW)
    assert (computed["summary"], total(fresh.get_json())) == (2, 6)


def test_an_unreachable_cache_only_costs_the_computation(
    make_app: Any, app: Flask, client: FlaskClient, acc: Account, computed: dict[str, int]
) -> None:
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-02", "5")
    down = make_app(REDIS_URL="redis://127.0.0.1:9/0")
    answers = [
        down.test_client().get("/api/analytics/summary", headers=acc.headers, query_string=WINDOW) for _ in range(2)
    ]
    assert [(a.status_code, total(a.get_json())) for a in answers] == [(200, 5), (200, 5)]
    assert computed["summary"] == 2


def test_cached_json_for_other_answers(app: Flask, acc: Account) -> None:
    calls: list[int] = []

    def progress() -> dict[str, Any]:
        calls.append(1)
        return {"spent": "12.50", "days": [1, 2]}

    with app.test_request_context():
        first = cache.cached_json(acc.household_id, cache.normalised("budget", 7), progress)
        second = cache.cached_json(acc.household_id, cache.normalised("budget", 7), progress)
    assert first == second == {"spent": "12.50", "days": [1, 2]}
    assert len(calls) == 1


def test_a_page_of_records_is_cached_per_version_and_fresh_after_every_kind_of_write(
    app: Flask, client: FlaskClient, acc: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api.records import service as records

    pages = {"made": 0}
    original = records.list_records

    def counting(*args: Any, **kwargs: Any) -> Any:
        pages["made"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(records, "list_records", counting)
    meter = acc.meters["Electricity"]

    def page() -> dict[str, Any]:
        reply = client.get("/api/records", headers=acc.headers, query_string={"per_page": 5})
        assert reply.status_code == 200, reply.get_json()
        return reply.get_json()  # type: ignore[no-any-return]

    made = client.post("/api/records", headers=acc.headers, json={"meter_id": meter, "date": "2026-03-02", "amount": 2})
    record_id = made.get_json()["id"]
    assert page() == page() and pages["made"] == 1
    client.patch(f"/api/records/{record_id}", headers=acc.headers, json={"amount": 3})
    assert page()["items"][0]["amount"] == 3 and pages["made"] == 2
    client.patch(f"/api/meters/{meter}", headers=acc.headers, json={"name": "Mains"})
    assert page()["items"][0]["meter_name"] == "Mains" and pages["made"] == 3
    client.delete(f"/api/records/{record_id}", headers=acc.headers)
    assert page()["total"] == 0 and pages["made"] == 4


def test_a_page_written_by_a_deleted_account_shows_no_author(app: Flask, client: FlaskClient, acc: Account) -> None:
    from tests.factories import join

    helper = account(app, client)
    join(app, helper.id, acc.household_id, "editor")
    body = {"meter_id": acc.meters["Electricity"], "date": "2026-03-02", "amount": 2}
    assert client.post("/api/records", headers=helper.headers, json=body).status_code == 201
    listed = client.get("/api/records", headers=acc.headers).get_json()["items"]
    assert [r["created_by"] for r in listed] == [helper.id]
    # the helper leaves first (their membership goes), then deletes the account: created_by
    # becomes null by the database's ON DELETE SET NULL, which the cached page must show
    assert client.delete(f"/api/households/{acc.household_id}/members/{helper.id}", headers=acc.headers).status_code
    gone = client.delete("/api/auth/me", headers=helper.headers, json={"password": helper.password})
    assert gone.status_code == 204, gone.get_json()
    assert [r["created_by"] for r in client.get("/api/records", headers=acc.headers).get_json()["items"]] == [None]


def test_budgets_and_share_links_are_cached_and_fresh(
    app: Flask, client: FlaskClient, acc: Account, computed: dict[str, int], clock: Any
) -> None:
    today = clock.now().date().isoformat()
    budget = {"name": "Power", "type": "electricity", "limit_amount": 100}
    assert client.post("/api/budgets", headers=acc.headers, json=budget).status_code == 201

    def used() -> Any:
        return client.get("/api/budgets", headers=acc.headers).get_json()["items"][0]["progress"]["used"]

    assert used() == used() == 0
    add_record(app, acc.id, acc.meters["Electricity"], today, "7")
    assert used() == 7

    link = client.post(f"/api/households/{acc.household_id}/share-links", headers=acc.headers, json={"label": "L"})
    token = link.get_json()["token"]
    window = {"date_from": today, "date_to": today}
    shared = [client.get(f"/api/shared/{token}/analytics/summary", query_string=window) for _ in range(2)]
    assert [total(r.get_json()) for r in shared] == [7, 7]
    assert computed["summary"] == 1
    add_record(app, acc.id, acc.meters["Electricity"], today, "1")
    assert total(client.get(f"/api/shared/{token}/analytics/summary", query_string=window).get_json()) == 8
    assert computed["summary"] == 2
    client.delete(f"/api/households/{acc.household_id}/share-links/{link.get_json()['id']}", headers=acc.headers)
    assert client.get(f"/api/shared/{token}/analytics/summary", query_string=window).status_code == 404


def test_one_budget_is_cached_and_fresh_after_a_write_or_its_own_change(
    app: Flask, client: FlaskClient, acc: Account, clock: Any
) -> None:
    today = clock.now().date().isoformat()
    made = client.post(
        "/api/budgets", headers=acc.headers, json={"name": "Power", "type": "electricity", "limit_amount": 100}
    )
    url = f"/api/budgets/{made.get_json()['id']}"
    first, again = client.get(url, headers=acc.headers), client.get(url, headers=acc.headers)
    assert first.data == again.data and first.get_json()["progress"]["used"] == 0
    add_record(app, acc.id, acc.meters["Electricity"], today, "7")
    assert client.get(url, headers=acc.headers).get_json()["progress"]["used"] == 7
    assert client.patch(url, headers=acc.headers, json={"name": "Lights"}).status_code == 200
    assert client.get(url, headers=acc.headers).get_json()["name"] == "Lights"
    other = account(app, client)
    assert client.get(url, headers=other.headers).status_code == 404

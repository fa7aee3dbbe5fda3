"""The summary's `q`: figures of the records whose note contains the text, as the records list finds them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.households_helpers import home_id
from tests.factories import Account, account, add_meter, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


def get(client: FlaskClient, acc: Account, path: str, **params: Any) -> Any:
    response = client.get(f"/api/{path}", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_summary_with_q_counts_the_matching_records(app: Flask, client: FlaskClient, acc: Account) -> None:
    uid, elec, water = acc.id, acc.meters["Electricity"], acc.meters["Water"]
    plug = add_meter(app, uid, "Plug", "electricity", "Wh")
    add_record(app, uid, elec, "2026-03-02", "10.5", "3.15", note="Heater ON")
    add_record(app, uid, elec, "2026-03-03", "4", "1.20", note="lights")
    add_record(app, uid, plug, "2026-03-04", "1500", note="the heater again")
    add_record(app, uid, plug, "2026-03-05", "700")  # no note
    add_record(app, uid, water, "2026-03-06", "1.2", "4.80", note="HEATER tank")
    add_record(app, uid, elec, "2026-02-01", "8", note="heater")  # the previous period, from its first day
    add_record(app, uid, elec, "2026-04-01", "99", note="heater")  # after the period
    window = {"date_from": "2026-03-01", "date_to": "2026-03-31"}

    body = get(client, acc, "analytics/summary", **window, q="heater")
    found = {g["key"]: g for g in body["groups"]}
    # 10.5 kWh + 1500 Wh = 12 kWh; 4 kWh "lights" and the unnoted 700 Wh are left out
    assert {k: found["electricity"][k] for k in ("total", "count", "min", "max", "previous_total", "change_pct")} == {
        "total": 12,
        "count": 2,
        "min": 1.5,
        "max": 10.5,
        "previous_total": 8,
        "change_pct": 50,
    }
    assert (found["electricity"]["cost_usage"], found["electricity"]["cost_total"]) == (3.15, 3.15)
    assert (found["water"]["total"], found["water"]["count"], found["water"]["cost_total"]) == (1.2, 1, 4.8)
    assert (found["gas"]["total"], found["gas"]["count"]) == (0, 0)

    # The same set as the records list's q, and the same count.
    listed = get(client, acc, "records", **window, q="heater", per_page=100)
    assert listed["total"] == sum(g["count"] for g in body["groups"]) == 3

    # Without q: every record, from the rollups.
    everything = {g["key"]: g for g in get(client, acc, "analytics/summary", **window)["groups"]}
    assert (everything["electricity"]["total"], everything["electricity"]["count"]) == (16.7, 4)


def test_q_matches_literally_and_per_meter(app: Flask, client: FlaskClient, acc: Account) -> None:
    uid, elec = acc.id, acc.meters["Electricity"]
    add_record(app, uid, elec, "2026-03-02", "2", note="50% off")
    add_record(app, uid, elec, "2026-03-03", "3", note="500 off")
    add_record(app, uid, elec, "2026-03-04", "5", note="Ärger")
    window = {"date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "meter"}

    by_meter = get(client, acc, "analytics/summary", **window, q="50%")
    assert [(g["key"], g["total"], g["count"]) for g in by_meter["groups"] if g["count"]] == [(str(elec), 2, 1)]
    umlaut = get(client, acc, "analytics/summary", **window, q="ärg")
    assert [(g["key"], g["total"], g["count"]) for g in umlaut["groups"] if g["count"]] == [(str(elec), 5, 1)]
    # Nothing before the period matches: an incomplete comparison.
    assert next(g for g in umlaut["groups"] if g["key"] == str(elec))["change_pct"] is None


def test_a_too_long_q_is_refused(client: FlaskClient, acc: Account) -> None:
    response = client.get("/api/analytics/summary", headers=acc.headers, query_string={"q": "x" * 201})
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["query", "q"]]


def test_a_share_link_refuses_q(app: Flask, client: FlaskClient, acc: Account) -> None:
    # Notes are not shared: a note search through a share link must not tell what the notes say.
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-02", "10.5", note="secret")
    household = home_id(client, acc)
    created = client.post(f"/api/households/{household}/share-links", headers=acc.headers, json={"label": "F"})
    assert created.status_code == 201, created.get_json()
    token = created.get_json()["token"]
    for q in ("secret", "nothing like it"):
        response = client.get(f"/api/shared/{token}/analytics/summary?q={q}")
        assert response.status_code == 422
        assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["query", "q"]]
    assert client.get(f"/api/shared/{token}/analytics/summary").status_code == 200

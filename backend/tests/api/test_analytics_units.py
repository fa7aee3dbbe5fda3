"""group_by=meter with unit=type: each meter in its type's canonical unit, so the meters of a type stack."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Account, account, add_meter, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


def get(client: FlaskClient, acc: Account, path: str, **params: Any) -> Any:
    response = client.get(f"/api/analytics/{path}", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _meters(app: Flask, acc: Account) -> tuple[int, int, int, int]:
    uid, elec = acc.id, acc.meters["Electricity"]
    plug = add_meter(app, uid, "Plug", "electricity", "Wh")
    garden = add_meter(app, uid, "Garden", "water", "L")
    wood = add_meter(app, uid, "Wood", "other", "stere")
    add_record(app, uid, elec, "2026-03-02", "10.5")
    add_record(app, uid, plug, "2026-03-02", "1500")
    add_record(app, uid, plug, "2026-03-20", "250.5")
    add_record(app, uid, garden, "2026-03-05", "1234")
    add_record(app, uid, wood, "2026-03-07", "2.5")
    add_record(app, uid, plug, "2026-02-01", "2000")  # the previous period, from its first day
    return elec, plug, garden, wood


def test_summary_by_meter_in_the_type_unit(app: Flask, client: FlaskClient, acc: Account) -> None:
    elec, plug, garden, wood = _meters(app, acc)
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "meter"}

    body = get(client, acc, "summary", **params, unit="type")
    found = {g["key"]: (g["unit"], g["total"], g["min"], g["max"], g["previous_total"]) for g in body["groups"]}
    assert found[str(elec)] == ("kWh", 10.5, 10.5, 10.5, 0)
    # 1500 Wh + 250.5 Wh = 1750.5 Wh = 1.7505 kWh -> 1.751 (half-up, once); February 2000 Wh = 2 kWh
    assert found[str(plug)] == ("kWh", 1.751, 0.251, 1.5, 2)
    assert found[str(garden)] == ("m3", 1.234, 1.234, 1.234, 0)
    assert found[str(wood)] == ("stere", 2.5, 2.5, 2.5, 0)  # other meters are never converted
    plug_group = next(g for g in body["groups"] if g["key"] == str(plug))
    assert plug_group["average_per_day"] == 0.056  # 1.7505 / 31 = 0.05646...
    assert plug_group["change_pct"] == -12.48  # (1.7505 - 2) / 2 x 100 = -12.475, half-up

    # The default (unit=meter) keeps each meter's own unit.
    body = get(client, acc, "summary", **params)
    found = {g["key"]: (g["unit"], g["total"]) for g in body["groups"]}
    assert found[str(plug)] == ("Wh", 1750.5)
    assert found[str(garden)] == ("L", 1234)
    assert found[str(wood)] == ("stere", 2.5)


def test_timeseries_by_meter_in_the_type_unit(app: Flask, client: FlaskClient, acc: Account) -> None:
    elec, plug, garden, wood = _meters(app, acc)
    params = {"date_from": "2026-02-01", "date_to": "2026-03-31", "group_by": "meter", "granularity": "month"}

    body = get(client, acc, "timeseries", **params, unit="type")
    found = {s["key"]: (s["unit"], [(p["period_start"], p["total"]) for p in s["points"]]) for s in body["series"]}
    assert found[str(elec)] == ("kWh", [("2026-02-01", 0), ("2026-03-01", 10.5)])
    assert found[str(plug)] == ("kWh", [("2026-02-01", 2), ("2026-03-01", 1.751)])
    assert found[str(garden)] == ("m3", [("2026-02-01", 0), ("2026-03-01", 1.234)])
    assert found[str(wood)] == ("stere", [("2026-02-01", 0), ("2026-03-01", 2.5)])

    body = get(client, acc, "timeseries", **params, unit="meter")
    found = {s["key"]: (s["unit"], [p["total"] for p in s["points"]]) for s in body["series"]}
    assert found[str(plug)] == ("Wh", [2000, 1750.5])
    assert found[str(garden)] == ("L", [0, 1234])


def test_unit_type_leaves_groups_by_type_alike(app: Flask, client: FlaskClient, acc: Account) -> None:
    _meters(app, acc)
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    assert get(client, acc, "summary", **params, unit="type") == get(client, acc, "summary", **params)


def test_an_unknown_unit_mode_is_refused(client: FlaskClient, acc: Account) -> None:
    response = client.get("/api/analytics/summary", headers=acc.headers, query_string={"unit": "kWh"})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [d["loc"] for d in details] == [["query", "unit"]]

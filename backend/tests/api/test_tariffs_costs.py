"""The cost rule of §11 in summary and timeseries, with exact values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Account, account, add_meter, add_record

COSTS = ("cost_usage", "cost_standing", "cost_tax", "cost_total")


@pytest.fixture
def acc(app: Flask, client: FlaskClient, clock: Any) -> Account:
    clock.current = datetime(2026, 3, 20, 12, tzinfo=UTC)  # today: Friday 2026-03-20
    return account(app, client)


def tariff(client: FlaskClient, acc: Account, meter_id: int, **body: Any) -> None:
    response = client.post(f"/api/meters/{meter_id}/tariffs", headers=acc.headers, json=body)
    assert response.status_code == 201, response.get_json()


def summary(client: FlaskClient, acc: Account, **params: Any) -> dict[str, tuple[float, ...]]:
    response = client.get("/api/analytics/summary", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return {g["key"]: tuple(g[name] for name in COSTS) for g in response.get_json()["groups"]}


def points(client: FlaskClient, acc: Account, key: str, **params: Any) -> dict[str, tuple[float, ...]]:
    response = client.get("/api/analytics/timeseries", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    [series] = [s for s in response.get_json()["series"] if s["key"] == key]
    return {
        p["period_start"]: (p["cost_usage"], p["cost_standing"], p["cost_tax"], p["cost"]) for p in series["points"]
    }


@pytest.fixture
def mid_march_change(app: Flask, client: FlaskClient, acc: Account) -> int:
    """Electricity: 0.20/kWh + 0.50/day until 15 March, 0.30/kWh + 0.60/day from the 16th, 5% tax."""
    meter = acc.meters["Electricity"]
    tariff(client, acc, meter, valid_from="2026-02-01", unit_price=0.2, standing_charge=0.5, tax_pct=5)
    tariff(client, acc, meter, valid_from="2026-03-16", unit_price=0.3, standing_charge=0.6, tax_pct=5)
    add_record(app, acc.id, meter, "2026-03-10", "10")
    add_record(app, acc.id, meter, "2026-03-12", "3", "1.00")  # an explicit cost is final: no tariff, no tax
    add_record(app, acc.id, meter, "2026-03-18", "5")
    add_record(app, acc.id, meter, "2026-03-25", "2")  # after today: usage priced, no standing charge
    return meter


def test_a_tariff_change_mid_period(client: FlaskClient, acc: Account, mid_march_change: int) -> None:
    # usage 10 x 0.20 + 5 x 0.30 + 2 x 0.30 = 4.10, + 1.00 explicit = 5.10
    # standing: 1-15 March 15 x 0.50 = 7.50, 16-20 March 5 x 0.60 = 3.00 (none after today) = 10.50
    # tax: 5% of (4.10 + 10.50) = 0.73
    assert summary(client, acc, date_from="2026-03-01", date_to="2026-03-31")["electricity"] == (
        5.1,
        10.5,
        0.73,
        16.33,
    )
    # Standing charges run from valid_from on, with or without consumption: all of February.
    assert summary(client, acc, date_from="2026-01-01", date_to="2026-02-28")["electricity"] == (0, 14, 0.7, 14.7)


def test_each_point_prices_its_own_days(client: FlaskClient, acc: Account, mid_march_change: int) -> None:
    days = points(client, acc, "electricity", granularity="day", date_from="2026-03-09", date_to="2026-03-21")
    assert days["2026-03-09"] == (0, 0.5, 0.03, 0.53)  # 0.025 tax rounds half-up
    assert days["2026-03-10"] == (2, 0.5, 0.13, 2.63)  # 0.125
    assert days["2026-03-12"] == (1, 0.5, 0.03, 1.53)  # the explicit 1.00 bears no tax
    assert days["2026-03-16"] == (0, 0.6, 0.03, 0.63)
    assert days["2026-03-18"] == (1.5, 0.6, 0.11, 2.21)  # 0.105
    assert days["2026-03-20"] == (0, 0.6, 0.03, 0.63)
    assert days["2026-03-21"] == (0, 0, 0, 0)  # tomorrow
    months = points(client, acc, "electricity", granularity="month", date_from="2026-01-01", date_to="2026-03-31")
    assert months == {
        "2026-01-01": (0, 0, 0, 0),
        "2026-02-01": (0, 14, 0.7, 14.7),
        "2026-03-01": (5.1, 10.5, 0.73, 16.33),
    }
    weeks = points(client, acc, "electricity", granularity="week", date_from="2026-03-09", date_to="2026-03-22")
    # 9-15 March: 2.00 usage, 7 x 0.50, tax 5% of 5.50 = 0.275 -> 0.28; 16-20: 1.50 + 5 x 0.60, 0.225 -> 0.23,
    # and the 25th lies in no window of these weeks
    assert weeks == {"2026-03-09": (3, 3.5, 0.28, 6.78), "2026-03-16": (1.5, 3, 0.23, 4.73)}


def test_explicit_costs_no_tariff_and_standing_charges_without_consumption(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    water, gas = acc.meters["Water"], acc.meters["Gas"]
    add_record(app, acc.id, water, "2026-03-02", "4", "2.40")
    add_record(app, acc.id, water, "2026-03-03", "6")  # no tariff: no cost at all
    tariff(client, acc, gas, valid_from="2026-03-05", unit_price=1, standing_charge=0.333333, tax_pct=7.125)
    figures = summary(client, acc, date_from="2026-03-01", date_to="2026-03-31")
    assert figures["water"] == (2.4, 0, 0, 2.4)
    # 16 days (5-20 March) x 0.333333 = 5.333328 -> 5.33; tax 7.125% of it = 0.379999... -> 0.38
    assert figures["gas"] == (0, 5.33, 0.38, 5.71)
    assert figures["electricity"] == (0, 0, 0, 0)


def test_costs_use_each_meters_own_unit(app: Flask, client: FlaskClient, acc: Account) -> None:
    plug = add_meter(app, acc.id, "Plug", "electricity", "Wh")
    add_record(app, acc.id, plug, "2026-03-10", "1500")  # 1.5 kWh in the group's unit
    tariff(client, acc, plug, valid_from="2026-03-01", unit_price=0.0002)  # per Wh
    tariff(client, acc, acc.meters["Electricity"], valid_from="2026-03-01", unit_price=0.25)
    add_record(app, acc.id, acc.meters["Electricity"], "2026-03-10", "2")
    assert summary(client, acc, date_from="2026-03-01", date_to="2026-03-31")["electricity"] == (0.8, 0, 0, 0.8)
    by_meter = summary(client, acc, date_from="2026-03-01", date_to="2026-03-31", group_by="meter")
    assert by_meter[str(plug)] == (0.3, 0, 0, 0.3)


def test_today_is_the_households_today(app: Flask, client: FlaskClient, acc: Account) -> None:
    response = client.patch(
        f"/api/households/{acc.household_id}", headers=acc.headers, json={"timezone": "Pacific/Auckland"}
    )
    assert response.status_code == 200
    tariff(client, acc, acc.meters["Gas"], valid_from="2026-03-01", unit_price=1, standing_charge=1)
    # 12:00 UTC on the 20th is 01:00 on the 21st in Auckland: 21 days
    assert summary(client, acc, date_from="2026-03-01", date_to="2026-03-31")["gas"] == (0, 21, 0, 21)


def test_another_households_tariffs_never_count(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client, "other@example.com")
    tariff(client, other, other.meters["Gas"], valid_from="2026-03-01", unit_price=1, standing_charge=1)
    assert summary(client, acc, date_from="2026-03-01", date_to="2026-03-31")["gas"] == (0, 0, 0, 0)
    assert summary(client, other, date_from="2026-03-01", date_to="2026-03-31")["gas"] == (0, 20, 0, 20)

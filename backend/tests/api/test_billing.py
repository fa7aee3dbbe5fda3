"""Billing periods and GET /api/analytics/billing with exact values (PRODUCT §11)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.services.billing import billing_period, period_a_year_before, period_before
from tests.factories import Account, account, add_record

FIGURES = (
    "to_date_total",
    "to_date_cost",
    "forecast_total",
    "forecast_cost",
    "previous_total",
    "previous_cost",
    "last_year_total",
    "last_year_cost",
)


@pytest.mark.parametrize(
    ("day", "billing_day", "period"),
    [
        ("2026-03-31", 1, ("2026-03-01", "2026-03-31")),
        ("2026-03-01", 1, ("2026-03-01", "2026-03-31")),
        ("2026-02-14", 15, ("2026-01-15", "2026-02-14")),  # across a month end
        ("2026-01-10", 15, ("2025-12-15", "2026-01-14")),  # across a year end
        ("2025-12-31", 15, ("2025-12-15", "2026-01-14")),
        ("2026-02-27", 28, ("2026-01-28", "2026-02-27")),  # February with billing day 28
        ("2026-02-28", 28, ("2026-02-28", "2026-03-27")),
        ("2028-02-29", 28, ("2028-02-28", "2028-03-27")),  # a leap day
        ("2026-03-27", 28, ("2026-02-28", "2026-03-27")),
    ],
)
def test_billing_periods(day: str, billing_day: int, period: tuple[str, str]) -> None:
    start, end = billing_period(date.fromisoformat(day), billing_day)
    assert (start.isoformat(), end.isoformat()) == period


def test_the_period_before_and_a_year_before() -> None:
    assert period_before(date(2026, 1, 28)) == (date(2025, 12, 28), date(2026, 1, 27))
    assert period_before(date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_a_year_before(date(2026, 2, 28)) == (date(2025, 2, 28), date(2025, 3, 27))
    assert period_a_year_before(date(2026, 1, 15)) == (date(2025, 1, 15), date(2025, 2, 14))


@pytest.fixture
def acc(app: Flask, client: FlaskClient, clock: Any) -> Account:
    clock.current = datetime(2026, 3, 20, 12, tzinfo=UTC)  # today: 2026-03-20
    who = account(app, client)
    meter = who.meters["Electricity"]
    for day, amount in (("2026-03-01", "10"), ("2026-03-10", "8"), ("2026-03-19", "6"), ("2026-03-20", "4")):
        add_record(app, who.id, meter, day, amount)
    add_record(app, who.id, meter, "2025-03-05", "5", "2.50")  # before any tariff: its explicit cost only
    response = client.post(
        f"/api/meters/{meter}/tariffs",
        headers=who.headers,
        json={"valid_from": "2026-01-01", "unit_price": 0.5, "standing_charge": 0.2, "tax_pct": 10},
    )
    assert response.status_code == 201
    return who


def billing(client: FlaskClient, acc: Account, **params: Any) -> dict[str, Any]:
    response = client.get("/api/analytics/billing", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def figures(body: dict[str, Any], key: str = "electricity") -> tuple[float, ...]:
    [group] = [g for g in body["groups"] if g["key"] == key]
    return tuple(group[name] for name in FIGURES)


def set_billing_day(client: FlaskClient, acc: Account, day: int) -> None:
    response = client.patch(f"/api/households/{acc.household_id}", headers=acc.headers, json={"billing_day": day})
    assert response.status_code == 200


def test_a_period_half_over(client: FlaskClient, acc: Account) -> None:
    body = billing(client, acc)
    assert (body["period"], body["days_elapsed"], body["days_total"]) == (
        {"from": "2026-03-01", "to": "2026-03-31"},
        20,
        31,
    )
    # To date: 28 kWh; 14.00 usage + 20 x 0.20 standing + 10% tax = 19.80.
    # Mean of the 28 days before today (the meter has data since 2025): 24 / 28 = 6/7; 11 days left:
    # 28 + 66/7 = 37.4285... kWh; cost: usage 14 + 33/7 = 18.714... -> 18.71, standing 31 x 0.20
    # = 6.20, tax 10% of 24.914... = 2.49; 27.40.
    # February: no consumption, 28 standing days: 5.60 + 0.56. March 2025: 5 kWh at its explicit 2.50.
    assert figures(body) == (28, 19.8, 37.429, 27.4, 0, 6.16, 5, 2.5)
    assert [g["key"] for g in body["groups"]] == ["electricity", "water", "gas"]
    assert figures(body, "water") == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_period_just_started(client: FlaskClient, acc: Account) -> None:
    set_billing_day(client, acc, 20)
    body = billing(client, acc)
    assert (body["period"], body["days_elapsed"], body["days_total"]) == (
        {"from": "2026-03-20", "to": "2026-04-19"},
        1,
        31,
    )
    # Today: 4 kWh, 2.00 + 0.20 + 10%. Forecast: 4 + 6/7 x 30 = 29.714...; usage 2 + 90/7 = 14.857...,
    # standing 31 x 0.20 = 6.20, tax 10% of 21.057... = 2.11. The period before (20 Feb - 19 Mar):
    # 24 kWh, 12 + 5.60 + 1.76.
    assert figures(body) == (4, 2.42, 29.714, 23.17, 24, 19.36, 0, 0)


def test_a_period_already_over_forecasts_its_actual_figures(client: FlaskClient, acc: Account) -> None:
    set_billing_day(client, acc, 20)
    body = billing(client, acc, date="2026-03-05")
    assert (body["period"], body["days_elapsed"], body["days_total"]) == (
        {"from": "2026-02-20", "to": "2026-03-19"},
        28,
        28,
    )
    # The period before (20 Jan - 19 Feb): 31 standing days, 6.20 + 0.62; a year earlier: 5 kWh, 2.50.
    assert figures(body) == (24, 19.36, 24, 19.36, 0, 6.82, 5, 2.5)


def test_a_period_not_begun_is_all_forecast(client: FlaskClient, acc: Account) -> None:
    body = billing(client, acc, date="2026-04-02")
    assert (body["period"], body["days_elapsed"], body["days_total"]) == (
        {"from": "2026-04-01", "to": "2026-04-30"},
        0,
        30,
    )
    # 6/7 x 30 = 25.714...; usage 90/7 = 12.857... -> 12.86, standing 6.00, tax 10% of 18.857... -> 1.89.
    # The period before is March, 11 standing days of which are still to come: 28 kWh, 14 + 4.00 + 1.80.
    assert figures(body) == (0, 0, 25.714, 20.75, 28, 19.8, 0, 0)


def test_no_data_before_today_forecasts_nothing_more(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 3, 20, 12, tzinfo=UTC)
    who = account(app, client)
    add_record(app, who.id, who.meters["Gas"], "2026-03-20", "3")  # the first data is today's
    assert figures(billing(client, who), "gas") == (3, 0, 3, 0, 0, 0, 0, 0)
    # Days before a meter's first data are left out of the mean: 10 m3 over the 10 days from the 10th.
    add_record(app, who.id, who.meters["Water"], "2026-03-10", "10")
    assert figures(billing(client, who), "water") == (10, 0, 21, 0, 0, 0, 0, 0)


def test_by_meter_and_filters(client: FlaskClient, acc: Account) -> None:
    meter = acc.meters["Electricity"]
    body = billing(client, acc, group_by="meter", meter_id=meter)
    assert [g["key"] for g in body["groups"]] == [str(meter)]
    assert figures(body, str(meter)) == (28, 19.8, 37.429, 27.4, 0, 6.16, 5, 2.5)
    assert [g["key"] for g in billing(client, acc, type="water")["groups"]] == ["water"]


def test_bad_queries(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client, "other@example.com")
    for params, loc in (
        ({"meter_id": other.meters["Gas"]}, ["query", "meter_id"]),
        ({"household_id": other.household_id}, ["query", "household_id"]),
        ({"date": "2026-02-30"}, ["query", "date"]),
        ({"group_by": "day"}, ["query", "group_by"]),
    ):
        response = client.get("/api/analytics/billing", headers=acc.headers, query_string=params)
        assert response.status_code == 422, params
        assert [d["loc"] for d in response.get_json()["error"]["details"]] == [loc]


def test_a_share_link_reads_the_billing_figures(client: FlaskClient, acc: Account) -> None:
    link = client.post(
        f"/api/households/{acc.household_id}/share-links", headers=acc.headers, json={"label": "Family"}
    ).get_json()
    response = client.get(f"/api/shared/{link['token']}/analytics/billing")
    assert response.status_code == 200
    assert figures(response.get_json()) == (28, 19.8, 37.429, 27.4, 0, 6.16, 5, 2.5)
    assert client.get(f"/api/shared/{link['token']}x/analytics/billing").status_code == 404


@pytest.mark.parametrize("day", [0, 29, 31, -1])
def test_a_billing_day_outside_1_to_28_is_refused(client: FlaskClient, acc: Account, day: int) -> None:
    for method, path, body in (
        ("PATCH", f"/api/households/{acc.household_id}", {"billing_day": day}),
        ("POST", "/api/households", {"name": "Cabin", "billing_day": day}),
    ):
        response = client.open(path, method=method, headers=acc.headers, json=body)
        assert response.status_code == 422, (method, response.get_json())
        assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["body", "billing_day"]]
    assert billing(client, acc)["period"] == {"from": "2026-03-01", "to": "2026-03-31"}

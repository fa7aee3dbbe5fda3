from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import DailyRollup, Household
from tests.factories import Account, account, add_meter, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


def get(client: FlaskClient, acc: Account, path: str, **params: Any) -> Any:
    response = client.get(f"/api/analytics/{path}", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def groups(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["key"]: g for g in body["groups"]}


def points(series: dict[str, Any]) -> list[tuple[str, float, int, float]]:
    return [(p["period_start"], p["total"], p["count"], p["cost"]) for p in series["points"]]


ZERO_GROUP = {
    "total": 0,
    "count": 0,
    "average_per_day": 0,
    "min": None,
    "max": None,
    "cost_usage": 0,
    "cost_standing": 0,
    "cost_tax": 0,
    "cost_total": 0,
    "previous_total": 0,
    "change_pct": None,
}


# Summary -----------------------------------------------------------------------------


def test_summary_converts_units_within_a_type(app: Flask, client: FlaskClient, acc: Account) -> None:
    uid, elec, water = acc.id, acc.meters["Electricity"], acc.meters["Water"]
    wh = add_meter(app, uid, "Plug", "electricity", "Wh")
    garden = add_meter(app, uid, "Garden", "water", "gal")
    add_record(app, uid, elec, "2026-03-01", "10.5", "3.15")
    add_record(app, uid, elec, "2026-03-10", "4.25")
    add_record(app, uid, wh, "2026-03-10", "1500", "0.45")
    add_record(app, uid, wh, "2026-03-31", "0.001")
    add_record(app, uid, water, "2026-03-05", "1.2", "4.80")
    add_record(app, uid, garden, "2026-03-05", "100", "1.00")
    # March compares with February: 2026-02-01 .. 2026-02-28.
    add_record(app, uid, elec, "2026-02-01", "8")
    add_record(app, uid, wh, "2026-02-28", "2000")
    add_record(app, uid, elec, "2026-01-31", "99")  # before the previous period
    add_record(app, uid, elec, "2026-04-01", "77")  # after the period

    body = get(client, acc, "summary", date_from="2026-03-01", date_to="2026-03-31")
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert body["previous_period"] == {"from": "2026-02-01", "to": "2026-02-28"}
    assert [g["key"] for g in body["groups"]] == ["electricity", "water", "gas"]
    electricity, water_group, gas = body["groups"]
    # 10.5 + 4.25 + 1.5 + 0.000001 = 16.250001 kWh -> 16.25; previous 8 + 2 = 10
    assert electricity == {
        "key": "electricity",
        "label": "Electricity",
        "unit": "kWh",
        "total": 16.25,
        "count": 4,
        "average_per_day": 0.524,  # 16.250001 / 31 = 0.52419...
        "min": 0,  # 0.001 Wh = 0.000001 kWh
        "max": 10.5,
        "cost_usage": 3.6,
        "cost_standing": 0,
        "cost_tax": 0,
        "cost_total": 3.6,
        "previous_total": 10,
        "change_pct": 62.5,  # (16.250001 - 10) / 10 = 62.50001 %
    }
    # 1.2 m3 + 100 gal (0.3785411784 m3) = 1.5785411784
    assert water_group == {
        "key": "water",
        "label": "Water",
        "unit": "m3",
        "total": 1.579,
        "count": 2,
        "average_per_day": 0.051,
        "min": 0.379,
        "max": 1.2,
        "cost_usage": 5.8,
        "cost_standing": 0,
        "cost_tax": 0,
        "cost_total": 5.8,
        "previous_total": 0,
        "change_pct": None,
    }
    assert gas == {"key": "gas", "label": "Gas", "unit": "m3", **ZERO_GROUP}


def test_summary_by_meter_keeps_each_meter_unit(app: Flask, client: FlaskClient, acc: Account) -> None:
    uid, elec = acc.id, acc.meters["Electricity"]
    wh = add_meter(app, uid, "Plug", "electricity", "Wh")
    add_record(app, uid, elec, "2026-05-02", "1.5", "0.30")
    add_record(app, uid, elec, "2026-05-02", "2.5")
    add_record(app, uid, wh, "2026-05-03", "1500")
    add_record(app, uid, wh, "2026-05-01", "500")  # previous period: the two days before
    add_record(app, uid, wh, "2026-04-20", "9")  # earlier data: the plug's comparison is complete

    body = get(
        client, acc, "summary", date_from="2026-05-02", date_to="2026-05-03", group_by="meter", type="electricity"
    )
    assert body["previous_period"] == {"from": "2026-04-30", "to": "2026-05-01"}
    assert body["groups"] == [
        {
            "key": str(elec),
            "label": "Electricity",
            "unit": "kWh",
            "total": 4,
            "count": 2,
            "average_per_day": 2,
            "min": 1.5,
            "max": 2.5,
            "cost_usage": 0.3,
            "cost_standing": 0,
            "cost_tax": 0,
            "cost_total": 0.3,
            "previous_total": 0,
            "change_pct": None,
        },
        {
            "key": str(wh),
            "label": "Plug",
            "unit": "Wh",
            "total": 1500,
            "count": 1,
            "average_per_day": 750,
            "min": 1500,
            "max": 1500,
            "cost_usage": 0,
            "cost_standing": 0,
            "cost_tax": 0,
            "cost_total": 0,
            "previous_total": 500,
            "change_pct": 200,
        },
    ]
    only = get(client, acc, "summary", date_from="2026-05-02", date_to="2026-05-03", meter_id=wh)
    assert [(g["key"], g["unit"], g["total"]) for g in only["groups"]] == [("electricity", "kWh", 1.5)]


def test_other_meters_are_grouped_per_unit_and_never_converted(app: Flask, client: FlaskClient, acc: Account) -> None:
    uid = acc.id
    wood = add_meter(app, uid, "Firewood", "other", "stere")
    oil = add_meter(app, uid, "Heating oil", "other", "L")
    logs = add_meter(app, uid, "Logs", "other", "stere")
    add_record(app, uid, wood, "2026-01-10", "2")
    add_record(app, uid, logs, "2026-01-11", "0.5")
    add_record(app, uid, oil, "2026-01-12", "300", "420.00")

    body = get(client, acc, "summary", date_from="2026-01-01", date_to="2026-01-31", type="other")
    assert [(g["key"], g["label"], g["unit"], g["total"], g["count"], g["cost_total"]) for g in body["groups"]] == [
        ("other:L", "Other (L)", "L", 300, 1, 420),
        ("other:stere", "Other (stere)", "stere", 2.5, 2, 0),
    ]


def test_summary_of_a_window_without_data(client: FlaskClient, acc: Account) -> None:
    body = get(client, acc, "summary", date_from="2020-02-01", date_to="2020-02-29")
    assert body["previous_period"] == {"from": "2020-01-01", "to": "2020-01-29"}
    assert body["groups"] == [
        {"key": "electricity", "label": "Electricity", "unit": "kWh", **ZERO_GROUP},
        {"key": "water", "label": "Water", "unit": "m3", **ZERO_GROUP},
        {"key": "gas", "label": "Gas", "unit": "m3", **ZERO_GROUP},
    ]


def test_negative_change_and_leap_day(app: Flask, client: FlaskClient, acc: Account) -> None:
    gas = acc.meters["Gas"]
    add_record(app, acc.id, gas, "2024-02-28", "3", "1.11")
    add_record(app, acc.id, gas, "2024-02-29", "1", "0.37")
    body = get(client, acc, "summary", date_from="2024-02-29", date_to="2024-02-29", group_by="meter", meter_id=gas)
    assert body["previous_period"] == {"from": "2024-02-28", "to": "2024-02-28"}
    assert body["groups"][0] | {"key": "-"} == {
        "key": "-",
        "label": "Gas",
        "unit": "m3",
        "total": 1,
        "count": 1,
        "average_per_day": 1,
        "min": 1,
        "max": 1,
        "cost_usage": 0.37,
        "cost_standing": 0,
        "cost_tax": 0,
        "cost_total": 0.37,
        "previous_total": 3,
        "change_pct": -66.67,
    }


def test_archived_meters_count_only_with_data(app: Flask, client: FlaskClient, acc: Account) -> None:
    old = add_meter(app, acc.id, "Old", "electricity", "MWh")
    empty = add_meter(app, acc.id, "Empty", "electricity", "kWh")
    add_record(app, acc.id, old, "2026-01-05", "0.002")
    for meter_id in (old, empty):
        assert client.patch(f"/api/meters/{meter_id}", headers=acc.headers, json={"archived": True}).status_code == 200
    body = get(client, acc, "summary", date_from="2026-01-01", date_to="2026-01-31", group_by="meter")
    keys = [g["key"] for g in body["groups"]]
    assert str(old) in keys and str(empty) not in keys
    by_type = groups(get(client, acc, "summary", date_from="2026-01-01", date_to="2026-01-31"))
    assert by_type["electricity"]["total"] == 2


def test_defaults_use_the_household_time_zone(app: Flask, client: FlaskClient, acc: Account, clock: Any) -> None:
    clock.current = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert get(client, acc, "summary")["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    # The user's own preference is a default for new households, not the household's clock.
    response = client.patch("/api/auth/me", headers=acc.headers, json={"preferences": {"timezone": "Pacific/Auckland"}})
    assert response.status_code == 200
    assert get(client, acc, "summary")["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    with app.app_context():
        db.session.execute(
            update(Household).where(Household.id == acc.household_id).values(timezone="Pacific/Auckland")
        )
        db.session.commit()
    # 23:30 UTC on 31 March is already 1 April in Auckland.
    body = get(client, acc, "summary")
    assert body["period"] == {"from": "2026-04-01", "to": "2026-04-01"}
    assert body["previous_period"] == {"from": "2026-03-01", "to": "2026-03-01"}
    series = get(client, acc, "timeseries")
    assert series["granularity"] == "month"
    assert series["period"] == {"from": "2025-05-01", "to": "2026-04-01"}
    assert [p["period_start"] for p in series["series"][0]["points"]] == [
        f"{y}-{m:02d}-01" for y, m in [(2025, m) for m in range(5, 13)] + [(2026, m) for m in range(1, 5)]
    ]
    # A date_from alone runs to today; a date_to alone starts its month (summary).
    assert get(client, acc, "summary", date_from="2026-03-15")["period"] == {"from": "2026-03-15", "to": "2026-04-01"}
    assert get(client, acc, "summary", date_to="2026-02-10")["period"] == {"from": "2026-02-01", "to": "2026-02-10"}


# Time series -------------------------------------------------------------------------


def test_timeseries_by_month_fills_empty_months(app: Flask, client: FlaskClient, acc: Account) -> None:
    uid, elec = acc.id, acc.meters["Electricity"]
    wh = add_meter(app, uid, "Plug", "electricity", "Wh")
    add_record(app, uid, elec, "2025-11-30", "5")  # before the window
    add_record(app, uid, elec, "2025-12-15", "1.25", "0.50")
    add_record(app, uid, wh, "2025-12-31", "250")
    add_record(app, uid, elec, "2026-02-28", "2", "0.75")
    add_record(app, uid, acc.meters["Water"], "2026-01-09", "0.8")

    body = get(client, acc, "timeseries", granularity="month", date_from="2025-12-10", date_to="2026-02-28")
    assert body["granularity"] == "month"
    assert body["period"] == {"from": "2025-12-10", "to": "2026-02-28"}
    series = {s["key"]: s for s in body["series"]}
    assert list(series) == ["electricity", "water", "gas"]
    assert (series["electricity"]["label"], series["electricity"]["unit"]) == ("Electricity", "kWh")
    assert points(series["electricity"]) == [
        ("2025-12-01", 1.5, 2, 0.5),
        ("2026-01-01", 0, 0, 0),
        ("2026-02-01", 2, 1, 0.75),
    ]
    assert points(series["water"]) == [("2025-12-01", 0, 0, 0), ("2026-01-01", 0.8, 1, 0), ("2026-02-01", 0, 0, 0)]
    assert points(series["gas"]) == [("2025-12-01", 0, 0, 0), ("2026-01-01", 0, 0, 0), ("2026-02-01", 0, 0, 0)]


def test_timeseries_weeks_start_on_monday(app: Flask, client: FlaskClient, acc: Account) -> None:
    water = acc.meters["Water"]
    # 2026-03-01 is a Sunday, 2026-03-02 a Monday, 2026-03-08 a Sunday.
    add_record(app, acc.id, water, "2026-03-01", "1")
    add_record(app, acc.id, water, "2026-03-02", "2")
    add_record(app, acc.id, water, "2026-03-08", "4")
    add_record(app, acc.id, water, "2026-03-09", "8", "1.99")
    body = get(
        client, acc, "timeseries", granularity="week", date_from="2026-02-24", date_to="2026-03-16", type="water"
    )
    assert len(body["series"]) == 1
    assert points(body["series"][0]) == [
        ("2026-02-23", 1, 1, 0),
        ("2026-03-02", 6, 2, 0),
        ("2026-03-09", 8, 1, 1.99),
        ("2026-03-16", 0, 0, 0),
    ]
    # The first and last buckets only count days inside the window.
    body = get(
        client, acc, "timeseries", granularity="week", date_from="2026-03-08", date_to="2026-03-08", type="water"
    )
    assert points(body["series"][0]) == [("2026-03-02", 4, 1, 0)]


def test_timeseries_by_day_over_a_leap_day(app: Flask, client: FlaskClient, acc: Account) -> None:
    gas = acc.meters["Gas"]
    ft3 = add_meter(app, acc.id, "Camper", "gas", "ft3")
    add_record(app, acc.id, gas, "2024-02-29", "1.5")
    add_record(app, acc.id, ft3, "2024-02-29", "100")  # 2.8316846592 m3
    add_record(app, acc.id, gas, "2024-03-01", "0.25", "0.10")
    body = get(client, acc, "timeseries", granularity="day", date_from="2024-02-28", date_to="2024-03-01", type="gas")
    assert points(body["series"][0]) == [
        ("2024-02-28", 0, 0, 0),
        ("2024-02-29", 4.332, 2, 0),
        ("2024-03-01", 0.25, 1, 0.1),
    ]
    by_meter = get(
        client,
        acc,
        "timeseries",
        granularity="day",
        date_from="2024-02-29",
        date_to="2024-02-29",
        type="gas",
        group_by="meter",
    )
    assert [(s["label"], s["unit"], points(s)) for s in by_meter["series"]] == [
        ("Gas", "m3", [("2024-02-29", 1.5, 1, 0)]),
        ("Camper", "ft3", [("2024-02-29", 100, 1, 0)]),
    ]
    year = get(client, acc, "timeseries", granularity="year", date_from="2023-06-01", date_to="2025-01-01", type="gas")
    assert points(year["series"][0]) == [
        ("2023-01-01", 0, 0, 0),
        ("2024-01-01", 4.582, 3, 0.1),
        ("2025-01-01", 0, 0, 0),
    ]


def test_changes_show_up_at_once(client: FlaskClient, acc: Account) -> None:
    elec = acc.meters["Electricity"]
    created = client.post(
        "/api/records", headers=acc.headers, json={"meter_id": elec, "date": "2026-06-01", "amount": 5, "cost": 1}
    ).get_json()
    window = {"date_from": "2026-06-01", "date_to": "2026-06-30", "type": "electricity"}
    assert groups(get(client, acc, "summary", **window))["electricity"]["total"] == 5
    client.patch(f"/api/records/{created['id']}", headers=acc.headers, json={"date": "2026-07-01"})
    assert groups(get(client, acc, "summary", **window))["electricity"]["count"] == 0
    client.patch(f"/api/records/{created['id']}", headers=acc.headers, json={"date": "2026-06-02", "amount": 7.5})
    assert groups(get(client, acc, "summary", **window))["electricity"]["total"] == 7.5
    assert client.delete(f"/api/records/{created['id']}", headers=acc.headers).status_code == 204
    assert groups(get(client, acc, "summary", **window))["electricity"]["total"] == 0


# Isolation and validation ------------------------------------------------------------


def test_other_users_data_is_never_counted(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client)
    add_record(app, other.id, other.meters["Electricity"], "2026-01-15", "1000", "100")
    add_record(app, acc.id, acc.meters["Electricity"], "2026-01-15", "1")
    window = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    assert groups(get(client, acc, "summary", **window))["electricity"]["total"] == 1
    assert get(client, other, "summary", **window)["groups"][0]["total"] == 1000
    series = get(client, acc, "timeseries", granularity="year", **window)
    assert points(series["series"][0]) == [("2026-01-01", 1, 1, 0)]
    foreign = client.get(
        "/api/analytics/summary", headers=acc.headers, query_string={"meter_id": other.meters["Electricity"]}
    )
    assert foreign.status_code == 422
    assert foreign.get_json()["error"]["details"] == [
        {"loc": ["query", "meter_id"], "msg": "Meter not found.", "type": "not_found"}
    ]


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("summary", {"date_from": "2026-02-01", "date_to": "2026-01-31"}, ["query", "date_to"]),
        ("summary", {"date_from": "2026-02-30"}, ["query", "date_from"]),
        ("summary", {"group_by": "unit"}, ["query", "group_by"]),
        ("summary", {"type": "steam"}, ["query", "type", 0]),
        ("summary", {"meter_id": "x"}, ["query", "meter_id"]),
        ("summary", {"meter_id": 999999}, ["query", "meter_id"]),
        ("timeseries", {"granularity": "hour"}, ["query", "granularity"]),
        ("timeseries", {"date_from": "2020-01-01", "date_to": "2019-12-31"}, ["query", "date_to"]),
        (
            "timeseries",
            {"granularity": "day", "date_from": "2000-01-01", "date_to": "2010-12-31"},
            ["query", "granularity"],
        ),
    ],
)
def test_invalid_parameters(
    client: FlaskClient, acc: Account, path: str, params: dict[str, Any], loc: list[Any]
) -> None:
    response = client.get(f"/api/analytics/{path}", headers=acc.headers, query_string=params)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()["error"]
    assert body["code"] == "validation_error"
    assert [d["loc"] for d in body["details"]] == [loc]


def test_bucket_limit_is_inclusive(client: FlaskClient, acc: Account) -> None:
    # 2000-01-01 .. 2010-01-07 is exactly 3660 days.
    body = get(client, acc, "timeseries", granularity="day", date_from="2000-01-01", date_to="2010-01-07", type="gas")
    assert len(body["series"][0]["points"]) == 3660
    response = client.get(
        "/api/analytics/timeseries",
        headers=acc.headers,
        query_string={"granularity": "day", "date_from": "2000-01-01", "date_to": "2010-01-08"},
    )
    assert response.status_code == 422


def test_analytics_require_a_token(client: FlaskClient) -> None:
    for path in ("summary", "timeseries"):
        response = client.get(f"/api/analytics/{path}")
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


# Maintenance command -----------------------------------------------------------------


def test_rebuild_command_restores_rollups(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client)
    add_record(app, acc.id, acc.meters["Water"], "2026-01-02", "1.5", "2.00")
    add_record(app, acc.id, acc.meters["Water"], "2026-01-02", "0.5")
    add_record(app, other.id, other.meters["Gas"], "2026-01-03", "4")
    window = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    expected = get(client, acc, "summary", **window)
    with app.app_context():
        db.session.execute(delete(DailyRollup))
        db.session.commit()
    assert groups(get(client, acc, "summary", **window))["water"]["total"] == 0

    runner = app.test_cli_runner()
    result = runner.invoke(args=["analytics", "rebuild", "--user", acc.email.upper()])
    assert result.exit_code == 0, result.output
    assert result.output == "Rebuilt 1 rollup rows.\n"
    assert get(client, acc, "summary", **window) == expected
    assert groups(get(client, acc, "summary", **window))["water"]["cost_total"] == 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(DailyRollup).where(DailyRollup.household_id == other.household_id)
            )
            == 0
        )

    result = runner.invoke(args=["analytics", "rebuild"])
    assert result.exit_code == 0 and result.output == "Rebuilt 2 rollup rows.\n"
    assert groups(get(client, other, "summary", **window))["gas"]["total"] == 4

    result = runner.invoke(args=["analytics", "rebuild", "--user", "nobody@example.com"])
    assert result.exit_code == 1
    assert "No user with e-mail nobody@example.com" in result.output


@pytest.mark.parametrize("path", ["summary", "timeseries"])
def test_every_problem_is_listed_at_once(app: Flask, client: FlaskClient, acc: Account, path: str) -> None:
    other = account(app, client)
    params = {
        "date_from": "2026-02-01",
        "date_to": "2026-01-31",
        "group_by": "unit",
        "type": ["water", "steam"],
        "meter_id": other.meters["Water"],
        "granularity": "hour",
        "compare": "week",
    }
    response = client.get(f"/api/analytics/{path}", headers=acc.headers, query_string=params)
    assert response.status_code == 422
    details = [(d["loc"], d["msg"], d["type"]) for d in response.get_json()["error"]["details"]]
    last = (
        (["query", "compare"], "Input should be 'previous' or 'year'", "literal_error")
        if path == "summary"
        else (["query", "granularity"], "Input should be 'day', 'week', 'month' or 'year'", "literal_error")
    )
    assert details == [
        (["query", "date_to"], "must not be before date_from", "value_error"),
        (["query", "group_by"], "Input should be 'type' or 'meter'", "literal_error"),
        (["query", "type", 1], "Input should be 'electricity', 'water', 'gas' or 'other'", "literal_error"),
        (["query", "meter_id"], "Meter not found.", "not_found"),
        last,
    ]


def test_an_archived_meter_of_ones_own_is_no_error(app: Flask, client: FlaskClient, acc: Account) -> None:
    water = acc.meters["Water"]
    assert client.patch(f"/api/meters/{water}", headers=acc.headers, json={"archived": True}).status_code == 200
    body = get(client, acc, "summary", date_from="2026-01-01", date_to="2026-01-31", meter_id=water)
    assert body["groups"] == []


def test_date_order_is_a_rule_of_the_query_model() -> None:
    from pydantic import ValidationError

    from app.api.analytics.schemas import AnalyticsQuery

    with pytest.raises(ValidationError) as caught:
        AnalyticsQuery.model_validate({"date_from": "2026-02-01", "date_to": "2026-01-31"})
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("date_to",), "value_error")]
    same_day = AnalyticsQuery.model_validate({"date_from": "2026-02-01", "date_to": "2026-02-01"})
    assert (same_day.date_from, same_day.date_to) == (date(2026, 2, 1), date(2026, 2, 1))


def test_date_from_after_today_without_date_to(client: FlaskClient, acc: Account, clock: Any) -> None:
    clock.current = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    response = client.get("/api/analytics/summary", headers=acc.headers, query_string={"date_from": "2026-04-01"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [
        {"loc": ["query", "date_from"], "msg": "must not be after today", "type": "value_error"}
    ]

"""The previous-period rule of the summary (PRODUCT.md §4, `compare`) and when `change_pct` is null."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.api.analytics.periods import previous_period, year_earlier
from app.api.analytics.schemas import Compare
from tests.factories import Account, account, add_meter, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


def summary(client: FlaskClient, acc: Account, **params: Any) -> Any:
    response = client.get("/api/analytics/summary", headers=acc.headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("window", "compare", "expected"),
    [
        # A month to date: the same days of the previous month, the end clamped to its length.
        (("2026-11-01", "2026-11-27"), "previous", ("2026-10-01", "2026-10-27")),
        (("2026-03-01", "2026-03-15"), "previous", ("2026-02-01", "2026-02-15")),
        (("2026-03-01", "2026-03-30"), "previous", ("2026-02-01", "2026-02-28")),
        (("2026-03-01", "2026-03-31"), "previous", ("2026-02-01", "2026-02-28")),
        (("2024-03-01", "2024-03-31"), "previous", ("2024-02-01", "2024-02-29")),
        (("2026-10-01", "2026-10-31"), "previous", ("2026-09-01", "2026-09-30")),
        (("2026-01-01", "2026-01-20"), "previous", ("2025-12-01", "2025-12-20")),
        (("2026-01-01", "2026-01-31"), "previous", ("2025-12-01", "2025-12-31")),
        (("2026-05-01", "2026-05-01"), "previous", ("2026-04-01", "2026-04-01")),
        # From 1 January to a day after January of that year: the same dates a year earlier.
        (("2026-01-01", "2026-03-15"), "previous", ("2025-01-01", "2025-03-15")),
        (("2026-01-01", "2026-03-31"), "previous", ("2025-01-01", "2025-03-31")),
        (("2026-01-01", "2026-12-31"), "previous", ("2025-01-01", "2025-12-31")),
        (("2024-01-01", "2024-02-29"), "previous", ("2023-01-01", "2023-02-28")),
        (("2025-01-01", "2025-02-28"), "previous", ("2024-01-01", "2024-02-28")),
        # Any other window: as many days just before.
        (("2026-03-05", "2026-03-18"), "previous", ("2026-02-19", "2026-03-04")),
        (("2026-02-01", "2026-03-31"), "previous", ("2025-12-04", "2026-01-31")),
        (("2026-03-02", "2026-03-31"), "previous", ("2026-01-31", "2026-03-01")),
        (("2024-02-29", "2024-02-29"), "previous", ("2024-02-28", "2024-02-28")),
        (("2025-01-01", "2026-01-31"), "previous", ("2023-12-02", "2024-12-31")),
        (("2023-12-31", "2024-01-01"), "previous", ("2023-12-29", "2023-12-30")),
        # compare=year: always the same dates a year earlier.
        (("2024-02-01", "2024-02-29"), "year", ("2023-02-01", "2023-02-28")),
        (("2024-02-29", "2024-02-29"), "year", ("2023-02-28", "2023-02-28")),
        (("2026-03-05", "2026-03-18"), "year", ("2025-03-05", "2025-03-18")),
        (("2026-11-01", "2026-11-27"), "year", ("2025-11-01", "2025-11-27")),
        (("2024-06-01", "2025-05-31"), "year", ("2023-06-01", "2024-05-31")),
    ],
)
def test_previous_period(window: tuple[str, str], compare: Compare, expected: tuple[str, str]) -> None:
    assert previous_period(d(window[0]), d(window[1]), compare) == (d(expected[0]), d(expected[1]))


def test_year_earlier_turns_29_february_into_28() -> None:
    assert year_earlier(d("2024-02-29")) == d("2023-02-28")
    assert year_earlier(d("2025-02-28")) == d("2024-02-28")
    assert year_earlier(d("2025-03-01")) == d("2024-03-01")


# Through the API, with exact figures -----------------------------------------------------


def test_full_march_compares_with_all_of_february(app: Flask, client: FlaskClient, acc: Account) -> None:
    elec = acc.meters["Electricity"]
    add_record(app, acc.id, elec, "2024-01-31", "1000")  # before February: first data only
    add_record(app, acc.id, elec, "2024-02-01", "2")
    add_record(app, acc.id, elec, "2024-02-29", "3")
    add_record(app, acc.id, elec, "2024-03-01", "4")
    add_record(app, acc.id, elec, "2024-03-31", "6")
    body = summary(client, acc, date_from="2024-03-01", date_to="2024-03-31", type="electricity")
    assert body["previous_period"] == {"from": "2024-02-01", "to": "2024-02-29"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (10, 5, 100)

    # 2026 is not a leap year: March 1-31 against February 1-28; days of March past the 28th
    # have no counterpart.
    add_record(app, acc.id, elec, "2026-02-28", "8")
    add_record(app, acc.id, elec, "2026-03-29", "2")
    body = summary(client, acc, date_from="2026-03-01", date_to="2026-03-30", type="electricity")
    assert body["previous_period"] == {"from": "2026-02-01", "to": "2026-02-28"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (2, 8, -75)


def test_month_to_date_by_default(app: Flask, client: FlaskClient, acc: Account, clock: Any) -> None:
    clock.current = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    water = acc.meters["Water"]
    add_record(app, acc.id, water, "2026-10-01", "4")
    add_record(app, acc.id, water, "2026-10-27", "1")
    add_record(app, acc.id, water, "2026-10-28", "50")  # after the 27th: not in the comparison
    add_record(app, acc.id, water, "2026-11-03", "6")
    body = summary(client, acc, type="water")
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-27"}
    assert body["previous_period"] == {"from": "2026-10-01", "to": "2026-10-27"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (6, 5, 20)


def test_year_to_date_compares_with_the_same_dates_a_year_earlier(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    gas = acc.meters["Gas"]
    add_record(app, acc.id, gas, "2025-01-01", "30")
    add_record(app, acc.id, gas, "2025-03-15", "10")
    add_record(app, acc.id, gas, "2025-03-16", "500")  # after the same date: not counted
    add_record(app, acc.id, gas, "2025-12-31", "700")  # December is not January's counterpart
    add_record(app, acc.id, gas, "2026-01-01", "20")
    add_record(app, acc.id, gas, "2026-03-15", "30")
    body = summary(client, acc, date_from="2026-01-01", date_to="2026-03-15", type="gas")
    assert body["previous_period"] == {"from": "2025-01-01", "to": "2025-03-15"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (50, 40, 25)


def test_compare_year_on_a_leap_february(app: Flask, client: FlaskClient, acc: Account) -> None:
    elec = acc.meters["Electricity"]
    add_record(app, acc.id, elec, "2023-02-01", "3")
    add_record(app, acc.id, elec, "2023-02-28", "1")
    add_record(app, acc.id, elec, "2023-03-01", "900")  # 1 March 2023 is not 29 February 2024
    add_record(app, acc.id, elec, "2024-02-29", "5")
    body = summary(client, acc, date_from="2024-02-01", date_to="2024-02-29", compare="year", type="electricity")
    assert body["previous_period"] == {"from": "2023-02-01", "to": "2023-02-28"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (5, 4, 25)
    # The leap day alone compares with 28 February.
    body = summary(client, acc, date_from="2024-02-29", date_to="2024-02-29", compare="year", type="electricity")
    assert body["previous_period"] == {"from": "2023-02-28", "to": "2023-02-28"}
    assert (body["groups"][0]["previous_total"], body["groups"][0]["change_pct"]) == (1, 400)


def test_a_window_not_starting_on_the_first_compares_with_as_many_days_before(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    elec = acc.meters["Electricity"]
    add_record(app, acc.id, elec, "2026-02-18", "100")  # the day before the previous period
    add_record(app, acc.id, elec, "2026-02-19", "2")
    add_record(app, acc.id, elec, "2026-03-04", "2")
    add_record(app, acc.id, elec, "2026-03-05", "3")
    add_record(app, acc.id, elec, "2026-03-18", "3")
    body = summary(client, acc, date_from="2026-03-05", date_to="2026-03-18", type="electricity")
    assert body["previous_period"] == {"from": "2026-02-19", "to": "2026-03-04"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (6, 4, 50)


def test_compare_year_over_more_than_a_year_counts_overlapping_days_in_both(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    water = acc.meters["Water"]
    add_record(app, acc.id, water, "2023-06-01", "1")
    add_record(app, acc.id, water, "2024-03-01", "2")  # in both periods
    add_record(app, acc.id, water, "2025-05-31", "4")
    body = summary(client, acc, date_from="2024-06-01", date_to="2025-05-31", compare="year", type="water")
    assert body["previous_period"] == {"from": "2023-06-01", "to": "2024-05-31"}
    group = body["groups"][0]
    assert (group["total"], group["count"], group["previous_total"], group["change_pct"]) == (4, 1, 3, 33.33)
    body = summary(client, acc, date_from="2024-01-01", date_to="2025-05-31", compare="year", type="water")
    assert body["previous_period"] == {"from": "2023-01-01", "to": "2024-05-31"}
    group = body["groups"][0]
    assert (group["total"], group["count"], group["previous_total"]) == (6, 2, 3)
    # The previous period starts before the first record (2023-06-01): no change is given.
    assert group["change_pct"] is None


# When change_pct is null -----------------------------------------------------------------


def test_change_is_null_when_the_previous_period_starts_before_the_first_data(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    elec = acc.meters["Electricity"]
    add_record(app, acc.id, elec, "2023-06-15", "10")  # the first data, mid-way through 2023
    add_record(app, acc.id, elec, "2026-03-01", "500")
    # Three years from 2023-07-01: the previous period 2020-06-30 .. 2023-06-30 has 10 but is
    # mostly before any data, so a +4,900 % would be meaningless.
    body = summary(client, acc, date_from="2023-07-01", date_to="2026-06-30", type="electricity")
    assert body["previous_period"] == {"from": "2020-06-30", "to": "2023-06-30"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (500, 10, None)
    # A previous period that starts on the first day of data is complete.
    body = summary(client, acc, date_from="2023-06-16", date_to="2023-06-16", type="electricity")
    assert body["previous_period"] == {"from": "2023-06-15", "to": "2023-06-15"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (0, 10, -100)


def test_change_is_null_when_the_previous_total_is_zero(app: Flask, client: FlaskClient, acc: Account) -> None:
    gas = acc.meters["Gas"]
    add_record(app, acc.id, gas, "2025-12-20", "5")  # data since before the previous period
    add_record(app, acc.id, gas, "2026-01-10", "0")  # and in it, but with a zero total
    add_record(app, acc.id, gas, "2026-02-10", "3")
    body = summary(client, acc, date_from="2026-02-01", date_to="2026-02-28", type="gas")
    assert body["previous_period"] == {"from": "2026-01-01", "to": "2026-01-28"}
    group = body["groups"][0]
    assert (group["total"], group["previous_total"], group["change_pct"]) == (3, 0, None)


def test_first_data_is_the_groups_own(app: Flask, client: FlaskClient, acc: Account) -> None:
    elec = acc.meters["Electricity"]
    plug = add_meter(app, acc.id, "Plug", "electricity", "Wh")
    add_record(app, acc.id, elec, "2025-12-01", "1")  # electricity has data since December
    add_record(app, acc.id, plug, "2026-01-20", "4000")  # the plug only since 20 January
    add_record(app, acc.id, plug, "2026-02-05", "6000")
    window = {"date_from": "2026-02-01", "date_to": "2026-02-28", "type": "electricity"}
    by_type = summary(client, acc, **window)["groups"]
    assert [(g["total"], g["previous_total"], g["change_pct"]) for g in by_type] == [(6, 4, 50)]
    by_meter = summary(client, acc, group_by="meter", **window)["groups"]
    assert [(g["key"], g["total"], g["previous_total"], g["change_pct"]) for g in by_meter] == [
        (str(elec), 0, 0, None),
        (str(plug), 6000, 4000, None),  # the plug's previous period starts before its first record
    ]
    # Narrowed to the plug, the type's group is the plug alone.
    narrowed = summary(client, acc, meter_id=plug, **window)["groups"]
    assert [(g["key"], g["total"], g["previous_total"], g["change_pct"]) for g in narrowed] == [
        ("electricity", 6, 4, None)
    ]


def test_another_users_earlier_data_does_not_complete_the_comparison(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    other = account(app, client)
    add_record(app, other.id, other.meters["Water"], "2020-01-01", "1")
    add_record(app, acc.id, acc.meters["Water"], "2026-01-15", "2")
    add_record(app, acc.id, acc.meters["Water"], "2026-02-15", "3")
    body = summary(client, acc, date_from="2026-02-01", date_to="2026-02-28", type="water")
    assert [(g["previous_total"], g["change_pct"]) for g in body["groups"]] == [(2, None)]


def test_compare_is_validated(client: FlaskClient, acc: Account) -> None:
    response = client.get("/api/analytics/summary", headers=acc.headers, query_string={"compare": "week"})
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.get_json()["error"]["details"]] == [
        (["query", "compare"], "literal_error")
    ]

"""Readings CRUD: exact bodies, the rules of §10 and the derived days they leave behind."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.readings_helpers import days, read, readings_meter
from tests.factories import account


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Any:
    return account(app, client)


def _error(response: Any) -> tuple[int, list[Any], str]:
    body = response.get_json()
    detail = body["error"]["details"][0]
    return response.status_code, detail["loc"], detail["msg"]


def test_create_and_get_exact_body(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    response = read(client, acc, meter, "2026-03-01T08:00:00+01:00", 12345, note="first")
    assert response.status_code == 201, response.get_json()
    reading = response.get_json()
    assert {k: v for k, v in reading.items() if k not in ("created_at", "updated_at")} == {
        "id": 1,
        "household_id": acc.household_id,
        "meter_id": meter,
        "taken_at": "2026-03-01T07:00:00+00:00",
        "value": 12345,
        "kind": "reading",
        "previous_final_value": None,
        "note": "first",
        "attachment_ids": [],
        "flags": {"wrapped": False, "high_rate": False},
        "created_by": acc.id,
    }
    assert client.get("/api/readings/1", headers=acc.headers).get_json() == reading
    # One reading: a day with a reading and no consumption yet.
    assert days(app, meter) == {"2026-03-01": (0, 1)}
    meters = client.get("/api/meters", headers=acc.headers).get_json()["items"]
    mine = next(m for m in meters if m["id"] == meter)
    assert mine["last_reading"] == {"taken_at": "2026-03-01T07:00:00+00:00", "value": 12345}
    assert (mine["mode"], mine["rollover_at"], mine["max_per_day"]) == ("readings", None, None)
    electricity = next(m for m in meters if m["name"] == "Electricity")
    assert (electricity["mode"], electricity["last_reading"]) == ("consumption", None)


def test_two_readings_spread_over_local_days(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    assert read(client, acc, meter, "2026-05-01T12:00:00+02:00", 100).status_code == 201
    assert read(client, acc, meter, "2026-05-03T12:00:00+02:00", 104.8).status_code == 201
    assert days(app, meter) == {"2026-05-01": (1200, 1), "2026-05-02": (2400, 0), "2026-05-03": (1200, 1)}


def test_dst_days_in_berlin(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    read(client, acc, meter, "2026-03-28T00:00:00+01:00", 0)
    read(client, acc, meter, "2026-03-31T00:00:00+02:00", 71)
    assert days(app, meter) == {"2026-03-28": (24_000, 1), "2026-03-29": (23_000, 0), "2026-03-30": (24_000, 0),
                                "2026-03-31": (0, 1)}  # fmt: skip
    read(client, acc, meter, "2026-10-24T00:00:00+02:00", 1000)
    read(client, acc, meter, "2026-10-27T00:00:00+01:00", 1073)
    got = days(app, meter)
    assert (got["2026-10-24"], got["2026-10-25"], got["2026-10-26"]) == ((24_000, 1), (25_000, 0), (24_000, 0))


def test_dst_days_in_new_york(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "America/New_York")
    read(client, acc, meter, "2026-03-07T00:00:00-05:00", 10)
    read(client, acc, meter, "2026-03-10T00:00:00-04:00", 81)
    read(client, acc, meter, "2026-10-31T00:00:00-04:00", 500)
    read(client, acc, meter, "2026-11-03T00:00:00-05:00", 573)
    got = days(app, meter)
    assert [got[d] for d in ("2026-03-07", "2026-03-08", "2026-03-09")] == [(24_000, 1), (23_000, 0), (24_000, 0)]
    assert [got[d] for d in ("2026-10-31", "2026-11-01", "2026-11-02")] == [(24_000, 1), (25_000, 0), (24_000, 0)]
    assert sum(total for total, _ in got.values()) == 573_000 - 10_000


def test_leap_day(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC")
    read(client, acc, meter, "2028-02-28T12:00:00Z", 1)
    read(client, acc, meter, "2028-03-01T12:00:00Z", 5.8)
    assert days(app, meter) == {"2028-02-28": (1200, 1), "2028-02-29": (2400, 0), "2028-03-01": (1200, 1)}


def test_replacement_mid_interval(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC")
    read(client, acc, meter, "2026-01-01T00:00:00Z", 900)
    # Old register ends at 910 at noon on the 2nd; the new one starts at 0.5; it shows 3.5 on the 4th.
    replaced = read(client, acc, meter, "2026-01-02T12:00:00Z", 0.5, kind="replacement", previous_final_value=910)
    assert replaced.status_code == 201, replaced.get_json()
    assert replaced.get_json()["previous_final_value"] == 910
    read(client, acc, meter, "2026-01-04T00:00:00Z", 3.5)
    assert days(app, meter) == {
        "2026-01-01": (6_667, 1),  # 10 over 1.5 days: 24h → 6666.67, largest remainder → 6667
        "2026-01-02": (3_333 + 1_000, 1),  # 12h of the first interval + 12h of 3 over 36 hours
        "2026-01-03": (2_000, 0),
        "2026-01-04": (0, 1),
    }


def test_wrap_with_rollover(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC", rollover_at=99999.9)
    read(client, acc, meter, "2026-01-01T00:00:00Z", 99990)
    wrapped = read(client, acc, meter, "2026-01-02T00:00:00Z", 5.1)
    assert wrapped.status_code == 201, wrapped.get_json()
    assert wrapped.get_json()["flags"] == {"wrapped": True, "high_rate": False}
    assert days(app, meter) == {"2026-01-01": (15_000, 1), "2026-01-02": (0, 1)}
    above = read(client, acc, meter, "2026-01-03T00:00:00Z", 100000)
    assert _error(above) == (422, ["body", "value"], "must not be above the meter's rollover_at (99999.900)")


def test_minutes_and_months_apart(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "Europe/Berlin")
    read(client, acc, meter, "2026-05-01T23:58:00+02:00", 10)
    read(client, acc, meter, "2026-05-02T00:03:00+02:00", 11.001)
    assert days(app, meter) == {"2026-05-01": (400, 1), "2026-05-02": (601, 1)}
    read(client, acc, meter, "2026-08-02T00:03:00+02:00", 11.001 + 92)  # 92 days later
    got = days(app, meter)
    assert sum(total for total, _ in got.values()) == 93_001
    assert got["2026-06-15"] == (1000, 0)
    assert (got["2026-05-02"], got["2026-08-02"]) == ((601 + 998, 1), (2, 1))  # 23h57 and 3 minutes of 1000 a day
    assert len(got) == 94


def test_insert_then_delete_restores_the_days_exactly(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    read(client, acc, meter, "2026-04-01T07:13:00+02:00", 100)
    read(client, acc, meter, "2026-04-09T19:41:00+02:00", 187.654)
    before = days(app, meter)
    middle = read(client, acc, meter, "2026-04-04T03:00:00+02:00", 120)
    assert days(app, meter) != before
    changed = days(app, meter)
    assert sum(total for total, _ in changed.values()) == 87_654
    assert changed["2026-04-04"][1] == 1
    assert client.delete(f"/api/readings/{middle.get_json()['id']}", headers=acc.headers).status_code == 204
    assert days(app, meter) == before


def test_edit_moves_a_reading_and_recomputes_both_places(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC")
    for day, value in (("01", 0), ("03", 2), ("05", 4), ("07", 6)):
        read(client, acc, meter, f"2026-01-{day}T00:00:00Z", value)
    moved = client.patch("/api/readings/2", headers=acc.headers, json={"taken_at": "2026-01-06T00:00:00Z", "value": 5})
    assert moved.status_code == 200, moved.get_json()
    assert days(app, meter) == {
        "2026-01-01": (1000, 1),
        "2026-01-02": (1000, 0),
        "2026-01-03": (1000, 0),
        "2026-01-04": (1000, 0),
        "2026-01-05": (1000, 1),
        "2026-01-06": (1000, 1),
        "2026-01-07": (0, 1),
    }


def test_high_rate_flag_follows_neighbours(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC", max_per_day=10)
    read(client, acc, meter, "2026-01-01T00:00:00Z", 0)
    fast = read(client, acc, meter, "2026-01-02T00:00:00Z", 15).get_json()
    assert fast["flags"] == {"wrapped": False, "high_rate": True}
    # A reading in between halves the rate of the interval ending at the fast one.
    read(client, acc, meter, "2026-01-01T12:00:00Z", 10)
    assert client.get(f"/api/readings/{fast['id']}", headers=acc.headers).get_json()["flags"]["high_rate"] is False
    # Raising the limit clears the flag of the first interval (10 in half a day = 20 a day).
    first_half = client.get("/api/readings/3", headers=acc.headers).get_json()
    assert first_half["flags"]["high_rate"] is True
    client.patch(f"/api/meters/{meter}", headers=acc.headers, json={"max_per_day": 20})
    assert client.get("/api/readings/3", headers=acc.headers).get_json()["flags"]["high_rate"] is False


def test_order_rule_names_the_neighbour(client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    read(client, acc, meter, "2026-03-01T08:00:00+01:00", 12345)
    read(client, acc, meter, "2026-03-10T08:00:00+01:00", 12400)
    below = read(client, acc, meter, "2026-03-05T08:00:00+01:00", 12000)
    assert _error(below) == (
        422,
        ["body", "value"],
        "is below the reading of 2026-03-01T08:00:00+01:00 (12345.000); "
        "if the meter was replaced, record a replacement",
    )
    assert below.get_json()["error"]["details"][0]["type"] == "reading_order"
    above = read(client, acc, meter, "2026-03-05T08:00:00+01:00", 12401)
    assert _error(above) == (
        422,
        ["body", "value"],
        "is above the reading of 2026-03-10T08:00:00+01:00 (12400.000); "
        "if the meter was replaced after this reading, record a replacement",
    )
    low_final = read(client, acc, meter, "2026-03-12T08:00:00+01:00", 1, kind="replacement", previous_final_value=12399)
    assert _error(low_final) == (
        422,
        ["body", "previous_final_value"],
        "is below the reading of 2026-03-10T08:00:00+01:00 (12400.000): the old register's last value cannot be lower",
    )
    assert len(client.get("/api/readings", headers=acc.headers).get_json()["items"]) == 2


def test_same_instant_is_409_whatever_the_offset(client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    read(client, acc, meter, "2026-03-01T08:00:00+01:00", 1)
    again = read(client, acc, meter, "2026-03-01T07:00:00Z", 1)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"taken_at": "2026-03-01T08:00:00"}, ["body", "taken_at"], "has no UTC offset"),
        ({"taken_at": "2026-03-01"}, ["body", "taken_at"], "must be an ISO-8601 timestamp"),
        ({"value": -1}, ["body", "value"], "Input should be greater than or equal to 0"),
        ({"value": 1.0001}, ["body", "value"], "must have at most 3 decimal places"),
        ({"value": 10**12}, ["body", "value"], "Input should be less than 1000000000000"),
        ({"value": "12"}, ["body", "value"], "must be a JSON number"),
        ({"kind": "replacement"}, ["body", "previous_final_value"], "is required for a replacement"),
        ({"previous_final_value": 3}, ["body", "previous_final_value"], "is for replacements only"),
        ({"note": "x" * 501}, ["body", "note"], "String should have at most 500 characters"),
    ],
)
def test_bad_values_are_422_and_write_nothing(
    app: Flask, client: FlaskClient, acc: Any, body: dict[str, Any], loc: list[str], msg: str
) -> None:
    meter = readings_meter(client, acc)
    payload = {"meter_id": meter, "taken_at": "2026-03-01T08:00:00+01:00", "value": 1, **body}
    response = client.post("/api/readings", headers=acc.headers, json=payload)
    assert response.status_code == 422, response.get_json()
    detail = response.get_json()["error"]["details"][0]
    assert detail["loc"] == loc
    assert detail["msg"].startswith(msg), detail["msg"]
    assert client.get("/api/readings", headers=acc.headers).get_json()["total"] == 0
    assert days(app, meter) == {}


def test_readings_on_a_consumption_meter_and_records_on_a_readings_meter(client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    wrong = read(client, acc, acc.meters["Electricity"], "2026-03-01T08:00:00+01:00", 1)
    assert _error(wrong) == (
        422,
        ["body", "meter_id"],
        "is a consumption meter: record amounts on it, or use a meter with mode 'readings'.",
    )
    record = client.post(
        "/api/records", headers=acc.headers, json={"meter_id": meter, "date": "2026-03-01", "amount": 1}
    )
    assert _error(record) == (
        422,
        ["body", "meter_id"],
        "is a readings meter: its consumption comes from its readings; add a reading instead.",
    )
    csv = b"date,meter,amount,cost,note\n2026-03-01,Main,1,,\n"
    imported = client.post(
        "/api/records/import", headers=acc.headers, data={"file": (__import__("io").BytesIO(csv), "r.csv")}
    )
    assert imported.status_code == 422
    assert imported.get_json()["error"]["details"] == [
        {
            "row": 1,
            "field": "meter",
            "message": "'Main' is a readings meter: its consumption comes from its readings; add a reading instead.",
        }
    ]


def test_meter_settings_rules(client: FlaskClient, acc: Any) -> None:
    bad = client.post(
        "/api/meters", headers=acc.headers, json={"name": "X", "type": "water", "unit": "m3", "rollover_at": 100}
    )
    assert bad.status_code == 422
    assert (
        bad.get_json()["error"]["details"][0]["msg"] == "rollover_at applies to readings meters only (mode 'readings')"
    )
    for value in (0, -1, 1.0001, 10**12):
        wrong = client.post(
            "/api/meters",
            headers=acc.headers,
            json={"name": "X", "type": "water", "unit": "m3", "mode": "readings", "max_per_day": value},
        )
        assert wrong.status_code == 422, value
        assert wrong.get_json()["error"]["details"][0]["loc"] == ["body", "max_per_day"]
    meter = readings_meter(client, acc, rollover_at=999.999, max_per_day=12.5)
    out = client.get(f"/api/meters/{meter}", headers=acc.headers).get_json()
    assert (out["mode"], out["rollover_at"], out["max_per_day"], out["last_reading"]) == (
        "readings",
        999.999,
        12.5,
        None,
    )
    # Settings on a consumption meter: 422 on the field.
    water = acc.meters["Water"]
    response = client.patch(f"/api/meters/{water}", headers=acc.headers, json={"max_per_day": 3})
    assert _error(response) == (
        422,
        ["body", "max_per_day"],
        "max_per_day applies to readings meters only (mode 'readings')",
    )
    # The mode changes while there is no data, not after.
    assert client.patch(f"/api/meters/{water}", headers=acc.headers, json={"mode": "readings"}).status_code == 200
    assert client.patch(f"/api/meters/{water}", headers=acc.headers, json={"mode": "consumption"}).status_code == 200
    read(client, acc, meter, "2026-03-01T08:00:00+01:00", 1)
    changed = client.patch(f"/api/meters/{meter}", headers=acc.headers, json={"mode": "consumption"})
    assert changed.status_code == 409
    gas = acc.meters["Gas"]
    client.post("/api/records", headers=acc.headers, json={"meter_id": gas, "date": "2026-03-01", "amount": 1})
    assert client.patch(f"/api/meters/{gas}", headers=acc.headers, json={"mode": "readings"}).status_code == 409
    # A rollover below a stored reading is refused; a meter with readings deletes only with cascade.
    read(client, acc, meter, "2026-03-02T08:00:00+01:00", 500)
    low = client.patch(f"/api/meters/{meter}", headers=acc.headers, json={"rollover_at": 400})
    assert _error(low) == (422, ["body", "rollover_at"], "must not be below the highest reading (500.000)")
    assert client.delete(f"/api/meters/{meter}", headers=acc.headers).status_code == 409
    assert client.delete(f"/api/meters/{meter}?cascade=true", headers=acc.headers).status_code == 204
    assert client.get("/api/readings", headers=acc.headers).get_json()["total"] == 0


def test_a_new_time_zone_derives_the_days_again(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC")
    read(client, acc, meter, "2026-05-01T12:00:00Z", 0)
    read(client, acc, meter, "2026-05-02T12:00:00Z", 24)
    assert days(app, meter) == {"2026-05-01": (12_000, 1), "2026-05-02": (12_000, 1)}
    home = acc.household_id
    client.patch(f"/api/households/{home}", headers=acc.headers, json={"timezone": "Asia/Tokyo"})  # UTC+9
    # 12:00 UTC is 21:00 in Tokyo: 3 hours of the interval on 1 May, 21 on 2 May.
    assert days(app, meter) == {"2026-05-01": (3_000, 1), "2026-05-02": (21_000, 1)}


def test_moving_a_record_to_a_readings_meter_is_422(client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    record = client.post(
        "/api/records", headers=acc.headers, json={"meter_id": acc.meters["Gas"], "date": "2026-03-01", "amount": 2}
    ).get_json()
    moved = client.patch(f"/api/records/{record['id']}", headers=acc.headers, json={"meter_id": meter})
    assert _error(moved)[:2] == (422, ["body", "meter_id"])
    replaced = client.put(
        f"/api/records/{record['id']}", headers=acc.headers, json={"meter_id": meter, "date": "2026-03-01", "amount": 2}
    )
    assert _error(replaced)[:2] == (422, ["body", "meter_id"])
    assert client.get(f"/api/records/{record['id']}", headers=acc.headers).get_json()["meter_id"] == acc.meters["Gas"]


def test_edits_and_deletes_that_would_break_the_order(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC")
    read(client, acc, meter, "2026-01-01T00:00:00Z", 500)
    swap = read(client, acc, meter, "2026-01-02T00:00:00Z", 1, kind="replacement", previous_final_value=510).get_json()
    last = read(client, acc, meter, "2026-01-03T00:00:00Z", 11).get_json()
    before = days(app, meter)
    assert before == {"2026-01-01": (10_000, 1), "2026-01-02": (10_000, 1), "2026-01-03": (0, 1)}
    # Without the replacement, 11 would follow 500.
    gone = client.delete(f"/api/readings/{swap['id']}", headers=acc.headers)
    assert gone.status_code == 409
    assert gone.get_json()["error"]["message"] == (
        "Without this reading, the reading of 2026-01-03T00:00:00+00:00 (11.000) would be below "
        "the reading of 2026-01-01T00:00:00+00:00 (500.000): delete or correct the later readings first."
    )
    moved = client.patch(
        f"/api/readings/{swap['id']}", headers=acc.headers, json={"taken_at": "2026-01-04T00:00:00+00:00"}
    )
    assert moved.status_code == 409
    clash = client.patch(
        f"/api/readings/{last['id']}", headers=acc.headers, json={"taken_at": "2026-01-02T01:00:00+01:00"}
    )
    assert clash.status_code == 409
    above = client.patch(f"/api/readings/{swap['id']}", headers=acc.headers, json={"value": 12})
    assert _error(above) == (
        422,
        ["body", "value"],
        "is above the reading of 2026-01-03T00:00:00+00:00 (11.000); "
        "if the meter was replaced after this reading, record a replacement",
    )
    plain = client.patch(f"/api/readings/{swap['id']}", headers=acc.headers, json={"kind": "reading"})
    assert _error(plain)[:2] == (422, ["body", "value"])  # 1 after 500 without the replacement
    assert days(app, meter) == before
    # A replacement turned into a plain reading drops its final value.
    fixed = client.patch(f"/api/readings/{swap['id']}", headers=acc.headers, json={"kind": "reading", "value": 505})
    assert _error(fixed)[:2] == (422, ["body", "value"])  # 505 is above the next reading (11)


def test_removing_rollover_while_readings_wrap_is_409(client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc, "UTC", rollover_at=1000)
    read(client, acc, meter, "2026-01-01T00:00:00Z", 990)
    read(client, acc, meter, "2026-01-02T00:00:00Z", 5)
    response = client.patch(f"/api/meters/{meter}", headers=acc.headers, json={"rollover_at": None})
    assert response.status_code == 409
    assert client.get(f"/api/meters/{meter}", headers=acc.headers).get_json()["rollover_at"] == 1000


def test_readings_do_not_count_as_records(client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    read(client, acc, meter, "2026-03-01T08:00:00+01:00", 1)
    read(client, acc, meter, "2026-03-02T08:00:00+01:00", 2)
    client.post(
        "/api/records", headers=acc.headers, json={"meter_id": acc.meters["Gas"], "date": "2026-03-01", "amount": 2}
    )
    listed = client.get("/api/records?date_from=2026-03-01&date_to=2026-03-31", headers=acc.headers).get_json()
    assert (listed["total"], len(listed["items"])) == (1, 1)
    assert client.get(f"/api/records?meter_id={meter}", headers=acc.headers).get_json()["total"] == 0

"""Readings import and export: all or nothing, row errors, duplicates, dry runs, the round trip, the CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.readings_helpers import days, read, readings_meter
from tests.factories import account

HEADER = "taken_at,meter,value,kind,previous_final_value,note\n"


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Any:
    return account(app, client)


def _import(client: FlaskClient, who: Any, text: str, query: str = "") -> Any:
    return client.post(
        f"/api/readings/import{query}", headers=who.headers, data={"file": (io.BytesIO(text.encode()), "r.csv")}
    )


def _export(client: FlaskClient, who: Any, query: str = "") -> str:
    response = client.get(f"/api/readings/export{query}", headers=who.headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


GOOD = (
    HEADER
    + "2026-01-01T00:00:00+01:00,Main,100,,,\n"
    + '2026-01-03T00:00:00+01:00,Main,104.5,,,"=cmd, with comma"\n'
    + "2026-01-04T00:00:00+01:00,Main,0.5,replacement,105.5,new meter\n"
    + "2026-01-04T00:00:00+01:00,Main,0.5,replacement,105.5,new meter\n"  # repeated: skipped
)


def test_import_derives_days_and_skips_duplicates(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    dry = _import(client, acc, GOOD, "?dry_run=true")
    assert dry.get_json() == {"imported": 3, "skipped_duplicates": 1, "errors": [], "dry_run": True}
    assert days(app, meter) == {}
    response = _import(client, acc, GOOD)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"imported": 3, "skipped_duplicates": 1, "errors": [], "dry_run": False}
    assert days(app, meter) == {
        "2026-01-01": (2250, 1),
        "2026-01-02": (2250, 0),
        "2026-01-03": (1000, 1),
        "2026-01-04": (0, 1),
    }
    again = _import(client, acc, GOOD)
    assert again.get_json() == {"imported": 0, "skipped_duplicates": 4, "errors": [], "dry_run": False}


def test_export_round_trips_byte_for_byte(app: Flask, client: FlaskClient, acc: Any) -> None:
    readings_meter(client, acc)
    _import(client, acc, GOOD)
    exported = _export(client, acc)
    assert exported == (
        "taken_at,meter,value,kind,previous_final_value,note\r\n"
        "2026-01-01T00:00:00+01:00,Main,100,reading,,\r\n"
        '2026-01-03T00:00:00+01:00,Main,104.5,reading,,"\'=cmd, with comma"\r\n'
        "2026-01-04T00:00:00+01:00,Main,0.5,replacement,105.5,new meter\r\n"
    )
    other = account(app, client, "other@example.com")
    readings_meter(client, other)
    assert _import(client, other, exported).get_json()["imported"] == 3
    assert _export(client, other) == exported
    as_json = client.get("/api/readings/export?format=json", headers=acc.headers).get_json()
    assert as_json["items"][2] == {
        "taken_at": "2026-01-04T00:00:00+01:00",
        "meter": "Main",
        "value": 0.5,
        "kind": "replacement",
        "previous_final_value": 105.5,
        "note": "new meter",
        "attachment_ids": [],
    }
    assert _export(client, acc, "?date_from=2026-01-03&date_to=2026-01-03").count("\n") == 2


def test_bad_rows_are_listed_and_nothing_is_written(app: Flask, client: FlaskClient, acc: Any) -> None:
    meter = readings_meter(client, acc)
    read(client, acc, meter, "2026-01-10T00:00:00+01:00", 200)
    bad = (
        HEADER
        + "2026-01-01T00:00:00,Main,1,,,\n"
        + "2026-01-02T00:00:00+01:00,Electricity,1,,,\n"
        + "2026-01-03T00:00:00+01:00,Main,-1,,,\n"
        + "2026-01-04T00:00:00+01:00,Main,1.0001,other,,\n"
        + "2026-01-05T00:00:00+01:00,Main,1,replacement,,\n"
        + "2026-01-06T00:00:00+01:00,Main,1000000000000,,,\n"
    )
    response = _import(client, acc, bad)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [
        {"row": 1, "field": "taken_at", "message": "has no UTC offset: must be an ISO-8601 timestamp with a UTC "
         "offset, e.g. 2026-03-01T08:00:00+01:00"},
        {"row": 2, "field": "meter", "message": "'Electricity' is not a readings meter of the household"},
        {"row": 3, "field": "value", "message": "must not be negative"},
        {"row": 4, "field": "value", "message": "must have at most 3 decimal places"},
        {"row": 4, "field": "kind", "message": "must be reading or replacement"},
        {"row": 5, "field": "previous_final_value", "message": "is required for a replacement: the old register's "
         "last value"},
        {"row": 6, "field": "value", "message": "must be less than 1000000000000"},
    ]  # fmt: skip
    order = _import(
        client, acc, HEADER + "2026-01-11T00:00:00+01:00,Main,150,,,\n2026-01-10T00:00:00+01:00,Main,9,,,x\n"
    )
    assert order.status_code == 422
    assert order.get_json()["error"]["details"] == [
        {
            "row": 1,
            "field": "value",
            "message": "is below the reading of 2026-01-10T00:00:00+01:00 (200.000); "
            "if the meter was replaced, record a replacement",
        },
        {"row": 2, "field": "taken_at", "message": "the meter already has a reading at this instant"},
    ]
    assert client.get("/api/readings", headers=acc.headers).get_json()["total"] == 1
    assert days(app, meter) == {"2026-01-10": (0, 1)}
    header = _import(client, acc, "date,meter,amount\n")
    assert header.get_json()["error"]["details"] == [
        {"row": 0, "field": None, "message": "The first line must be the header "
         "taken_at,meter,value,kind,previous_final_value,note."}
    ]  # fmt: skip


def test_viewer_cannot_import(app: Flask, client: FlaskClient, acc: Any) -> None:
    from tests.api.households_helpers import member

    readings_meter(client, acc)
    viewer = member(app, client, acc.household_id, "viewer", "viewer@example.com")
    assert _import(client, viewer, GOOD, f"?household_id={acc.household_id}").status_code == 403


def test_cli_import_with_progress(app: Flask, client: FlaskClient, acc: Any, tmp_path: Path) -> None:
    meter = readings_meter(client, acc)
    path = tmp_path / "readings.csv"
    path.write_text(GOOD)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["readings", "import", str(path), "--user", acc.email, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would import 3 reading(s); skipped 1 duplicate(s)." in dry.output
    result = runner.invoke(
        args=["readings", "import", str(path), "--user", acc.email, "--household", str(acc.household_id)]
    )
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output
    assert "Imported 3 reading(s); skipped 1 duplicate(s)." in result.output
    assert days(app, meter)["2026-01-01"] == (2250, 1)
    path.write_text(HEADER + "2026-01-20T00:00:00+01:00,Nope,1,,,\n")
    failed = runner.invoke(args=["readings", "import", str(path), "--user", acc.email])
    assert failed.exit_code == 1
    assert "row 1, meter: 'Nope' is not a readings meter of the household" in failed.output
    wrong = runner.invoke(args=["readings", "import", str(path), "--user", acc.email, "--household", "999"])
    assert wrong.exit_code == 1
    assert "--household: Household not found." in wrong.output

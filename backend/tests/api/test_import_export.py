from __future__ import annotations

import io
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.config import Settings
from app.extensions import db
from app.models import DailyRollup, Meter, Record
from app.services.events import household_key
from tests.factories import Account, account, add_meter, add_record, home_of

HEADER = "date,meter,amount,cost,note"


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


def upload(client: FlaskClient, acc: Account, content: str | bytes, *, dry_run: bool = False) -> Any:
    raw = content.encode() if isinstance(content, str) else content
    url = "/api/records/import" + ("?dry_run=true" if dry_run else "")
    return client.post(
        url,
        headers=acc.headers,
        data={"file": (io.BytesIO(raw), "records.csv")},
        content_type="multipart/form-data",
    )


def records_of(app: Flask, user_id: int) -> list[tuple[Any, ...]]:
    """Every record of a user's household as (meter name, type, unit, date, amount_milli, cost_cents, note),
    in id order."""
    household_id = home_of(app, user_id)
    with app.app_context():
        rows = db.session.execute(
            select(Meter.name, Meter.type, Meter.unit, Record.date, Record.amount_milli, Record.cost_cents, Record.note)
            .join(Meter, Meter.id == Record.meter_id)
            .where(Record.household_id == household_id)
            .order_by(Record.id)
        )
        return [tuple(row) for row in rows]


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Record)) or 0,
            db.session.scalar(select(func.count()).select_from(Meter)) or 0,
            db.session.scalar(select(func.count()).select_from(DailyRollup)) or 0,
        )


def ok(response: Any, imported: int, skipped: int = 0, created: list[str] | None = None, dry_run: bool = False) -> None:
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "imported": imported,
        "skipped_duplicates": skipped,
        "errors": [],
        "dry_run": dry_run,
        "meters_created": created or [],
    }


# Round trip -----------------------------------------------------------------------------


def seed_variety(app: Flask, acc: Account) -> None:
    solar = add_meter(app, acc.id, "Solar, roof", "other", "panel-h")
    add_record(app, acc.id, acc.meters["Electricity"], "2024-01-01", "12.345", "4.20", "plain")
    add_record(app, acc.id, acc.meters["Electricity"], "2024-01-01", "0.001", None, None)
    add_record(app, acc.id, acc.meters["Water"], "2024-01-02", "999999999.999", "999999999.99", 'with "quotes", commas')
    add_record(app, acc.id, acc.meters["Gas"], "2024-02-29", "0", "0", "two\nlines\r\nand a tab\tend")
    add_record(app, acc.id, solar, "2023-12-31", "7.5", "0.1", "ünïcödé ✓; semi")
    add_record(app, acc.id, solar, "2023-12-31", "7.5", "0.1", "ünïcödé ✓; semi, second")


def test_csv_round_trip_to_a_second_account_is_identical(app: Flask, client: FlaskClient, acc: Account) -> None:
    seed_variety(app, acc)
    exported = client.get("/api/records/export?format=csv", headers=acc.headers)
    assert exported.status_code == 200
    other = account(app, client)
    ok(upload(client, other, exported.data), imported=6, created=["Solar, roof"])
    assert sorted(records_of(app, other.id), key=repr) == sorted(records_of(app, acc.id), key=repr)
    again = client.get("/api/records/export?format=csv", headers=other.headers)
    assert again.data == exported.data
    json_a = client.get("/api/records/export?format=json", headers=acc.headers).get_json()
    json_b = client.get("/api/records/export?format=json", headers=other.headers).get_json()
    assert json_a == json_b


# Values a spreadsheet would run as formulas, and values that already start with the escape.
FORMULA_TEXTS = ["=1+2", "+1", "-2", "@SUM(A1)", "'=1+2", "''=x", "'plain", "'", "''", "plain 'quoted'"]


def test_csv_export_escapes_formulas_and_round_trips_byte_for_byte(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    for i, text in enumerate(FORMULA_TEXTS):
        meter = add_meter(app, acc.id, f"{text} m", "other", f"{text[:10]}u")
        add_record(app, acc.id, meter, f"2024-01-{i + 1:02d}", "1", None, text)
    add_record(app, acc.id, acc.meters["Water"], "2024-02-01", "1", None, "\tnote=tab")
    add_record(app, acc.id, acc.meters["Water"], "2024-02-02", "1", None, "\r=cr")
    exported = client.get("/api/records/export", headers=acc.headers)
    lines = exported.get_data(as_text=True).split("\r\n")
    assert lines[1:11] == [
        "2024-01-01,'=1+2 m,1,,'=1+2,other,'=1+2u",
        "2024-01-02,'+1 m,1,,'+1,other,'+1u",
        "2024-01-03,'-2 m,1,,'-2,other,'-2u",
        "2024-01-04,'@SUM(A1) m,1,,'@SUM(A1),other,'@SUM(A1)u",
        "2024-01-05,''=1+2 m,1,,''=1+2,other,''=1+2u",
        "2024-01-06,'''=x m,1,,'''=x,other,'''=xu",
        "2024-01-07,'plain m,1,,'plain,other,'plainu",
        "2024-01-08,' m,1,,',other,'u",
        "2024-01-09,''' m,1,,''',other,'''u",
        "2024-01-10,plain 'quoted' m,1,,plain 'quoted',other,plain 'quou",
    ]
    assert lines[11:] == ["2024-02-01,Water,1,,'\tnote=tab,water,m3", '2024-02-02,Water,1,,"\'\r=cr",water,m3', ""]
    other = account(app, client)
    ok(upload(client, other, exported.data), imported=12, created=[f"{text} m" for text in FORMULA_TEXTS])
    assert sorted(records_of(app, other.id), key=repr) == sorted(records_of(app, acc.id), key=repr)
    assert client.get("/api/records/export", headers=other.headers).data == exported.data


def test_escaped_values_at_their_length_limits_round_trip(app: Flask, client: FlaskClient, acc: Account) -> None:
    name, unit, note = "+" + "n" * 63, "-" + "u" * 15, "=" + "x" * 499
    add_record(app, acc.id, add_meter(app, acc.id, name, "other", unit), "2024-01-01", "1", None, note)
    exported = client.get("/api/records/export", headers=acc.headers).data
    assert exported.decode().split("\r\n")[1] == f"2024-01-01,'{name},1,,'{note},other,'{unit}"
    other = account(app, client)
    ok(upload(client, other, exported), imported=1, created=[name])
    assert records_of(app, other.id) == [(name, "other", unit, date(2024, 1, 1), 1000, None, note)]


def test_import_removes_only_the_escape(app: Flask, client: FlaskClient, acc: Account) -> None:
    content = f"{HEADER},type,unit\n2024-01-01,'=Pond,1,,'-note,other,'+u\n2024-01-02,'Pond,2,,'note,other,'u\n"
    ok(upload(client, acc, content), imported=2, created=["=Pond", "'Pond"])
    assert records_of(app, acc.id) == [
        ("=Pond", "other", "+u", date(2024, 1, 1), 1000, None, "-note"),
        ("'Pond", "other", "'u", date(2024, 1, 2), 2000, None, "'note"),
    ]


def test_reimporting_an_export_into_the_same_account_only_skips(app: Flask, client: FlaskClient, acc: Account) -> None:
    seed_variety(app, acc)
    exported = client.get("/api/records/export", headers=acc.headers).data
    before = counts(app)
    ok(upload(client, acc, exported), imported=0, skipped=6)
    assert counts(app) == before


def test_export_csv_exact_body_and_headers(app: Flask, client: FlaskClient, acc: Account, clock: Any) -> None:
    clock.current = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)
    add_record(app, acc.id, acc.meters["Water"], "2024-01-02", "1.5", "2.00", 'say "hi", ok')
    add_record(app, acc.id, acc.meters["Electricity"], "2024-01-01", "10", None, None)
    response = client.get("/api/records/export", headers=acc.headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=meterbook-records-2025-03-04.csv"
    assert response.get_data(as_text=True) == (
        "date,meter,amount,cost,note,type,unit\r\n"
        "2024-01-01,Electricity,10,,,electricity,kWh\r\n"
        '2024-01-02,Water,1.5,2.00,"say ""hi"", ok",water,m3\r\n'
    )


def test_export_filename_uses_the_users_timezone(app: Flask, client: FlaskClient, acc: Account, clock: Any) -> None:
    clock.current = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)
    assert (
        client.patch("/api/auth/me", headers=acc.headers, json={"preferences": {"timezone": "Asia/Tokyo"}}).status_code
        == 200
    )
    response = client.get("/api/records/export?format=json", headers=acc.headers)
    assert response.headers["Content-Disposition"] == "attachment; filename=meterbook-records-2025-03-05.json"


def test_export_json_with_filters(app: Flask, client: FlaskClient, acc: Account) -> None:
    add_record(app, acc.id, acc.meters["Water"], "2024-01-02", "1.25", "0.50", "w1")
    add_record(app, acc.id, acc.meters["Water"], "2024-03-02", "2", None, None)
    add_record(app, acc.id, acc.meters["Gas"], "2024-01-05", "3.5", "1", "g")
    add_record(app, acc.id, acc.meters["Electricity"], "2024-01-03", "4", None, "e")
    response = client.get(
        "/api/records/export?format=json&type=water&type=gas&date_from=2024-01-01&date_to=2024-01-31",
        headers=acc.headers,
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == (
        '{"items": ['
        '{"date":"2024-01-02","meter":"Water","amount":1.25,"cost":0.5,"note":"w1","type":"water","unit":"m3",'
        '"attachment_ids":[]}, '
        '{"date":"2024-01-05","meter":"Gas","amount":3.5,"cost":1.0,"note":"g","type":"gas","unit":"m3",'
        '"attachment_ids":[]}'
        "]}\n"
    )
    by_meter = client.get(
        f"/api/records/export?format=json&meter_id={acc.meters['Water']}&sort=-date", headers=acc.headers
    )
    assert [item["date"] for item in by_meter.get_json()["items"]] == ["2024-03-02", "2024-01-02"]
    by_note = client.get("/api/records/export?format=json&q=e", headers=acc.headers)
    assert [item["note"] for item in by_note.get_json()["items"]] == ["e"]


def test_export_of_many_records_streams_every_row(app: Flask, client: FlaskClient, acc: Account) -> None:
    with app.app_context():
        db.session.execute(
            Record.__table__.insert(),
            [
                {
                    "household_id": acc.household_id,
                    "created_by": acc.id,
                    "meter_id": acc.meters["Gas"],
                    "date": date(2020, 1, 1),
                    "amount_milli": i,
                    "cost_cents": None,
                    "note": None,
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
                for i in range(2500)
            ],
        )
        db.session.commit()
    response = client.get("/api/records/export?format=json&sort=amount", headers=acc.headers)
    assert response.is_streamed
    items = response.get_json()["items"]
    assert len(items) == 2500
    assert items[1234]["amount"] == 1.234
    lines = client.get("/api/records/export", headers=acc.headers).get_data(as_text=True).splitlines()
    assert len(lines) == 2501


def test_export_sorts_by_meter_and_by_cost(app: Flask, client: FlaskClient, acc: Account) -> None:
    add_record(app, acc.id, acc.meters["Water"], "2024-01-01", "1", "2.00")
    add_record(app, acc.id, acc.meters["Electricity"], "2024-01-02", "2", None)
    add_record(app, acc.id, acc.meters["Gas"], "2024-01-03", "3", "1.00")
    by_meter = client.get("/api/records/export?format=json&sort=meter", headers=acc.headers).get_json()["items"]
    assert [item["meter"] for item in by_meter] == ["Electricity", "Gas", "Water"]
    by_cost = client.get("/api/records/export?format=json&sort=-cost", headers=acc.headers).get_json()["items"]
    assert [item["cost"] for item in by_cost] == [2.0, 1.0, None]


def test_export_is_only_your_own(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client)
    add_record(app, other.id, other.meters["Gas"], "2024-01-05", "3.5")
    assert client.get("/api/records/export?format=json", headers=acc.headers).get_json() == {"items": []}
    foreign = client.get(f"/api/records/export?format=json&meter_id={other.meters['Gas']}", headers=acc.headers)
    assert foreign.status_code == 422
    assert foreign.get_json()["error"]["details"] == [
        {"loc": ["query", "meter_id"], "msg": "Meter not found.", "type": "not_found"}
    ]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ("format=xml", ["query", "format"]),
        ("date_from=2024-02-01&date_to=2024-01-01", ["query", "date_to"]),
        ("date_from=2024-02-30", ["query", "date_from"]),
    ],
)
def test_export_query_validation(client: FlaskClient, acc: Account, params: str, loc: list[str]) -> None:
    response = client.get(f"/api/records/export?{params}", headers=acc.headers)
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [loc]


def test_export_requires_a_token(client: FlaskClient) -> None:
    assert client.get("/api/records/export").status_code == 401


# Import: accepted forms -------------------------------------------------------------------


def test_bom_and_semicolons(app: Flask, client: FlaskClient, acc: Account) -> None:
    content = "\ufeffdate;meter;amount;cost;note\r\n2024-01-05;Water;1.5;0.25;a, b\r\n2024-01-06;water;2;;\r\n"
    ok(upload(client, acc, content), imported=2)
    assert records_of(app, acc.id) == [
        ("Water", "water", "m3", date(2024, 1, 5), 1500, 25, "a, b"),
        ("Water", "water", "m3", date(2024, 1, 6), 2000, None, None),
    ]


def test_quoted_fields_with_commas_quotes_and_newlines(app: Flask, client: FlaskClient, acc: Account) -> None:
    content = (
        f"{HEADER}\n"
        '2024-01-05,Gas,1,,"one, two\nthree ""four"""\n'
        '"2024-01-06","Gas","2.000","1.10","x\r\ny"\n'
        "2024-01-07,Gas,3,,\n"
    )
    ok(upload(client, acc, content), imported=3)
    assert records_of(app, acc.id) == [
        ("Gas", "gas", "m3", date(2024, 1, 5), 1000, None, 'one, two\nthree "four"'),
        ("Gas", "gas", "m3", date(2024, 1, 6), 2000, 110, "x\r\ny"),
        ("Gas", "gas", "m3", date(2024, 1, 7), 3000, None, None),
    ]


def test_columns_in_any_order_case_and_blank_or_empty_rows(app: Flask, client: FlaskClient, acc: Account) -> None:
    content = "Note, AMOUNT ,date,cost,meter\n\nhi,0.5,2024-01-05,,Electricity\n\n,,,,\n , , , ,\n"
    ok(upload(client, acc, content), imported=1)
    assert records_of(app, acc.id) == [("Electricity", "electricity", "kWh", date(2024, 1, 5), 500, None, "hi")]


def test_new_meter_from_type_and_unit(app: Flask, client: FlaskClient, acc: Account) -> None:
    content = (
        f"{HEADER},type,unit\n"
        "2024-01-05,Garden tap,10,,,water,L\n"
        "2024-01-06,GARDEN TAP,12,,,,\n"
        "2024-01-06,electricity,1,,,electricity,kWh\n"
        "2024-01-07,Boiler,1,,,other,pellets kg\n"
    )
    ok(upload(client, acc, content), imported=4, created=["Garden tap", "Boiler"])
    meters = client.get("/api/meters", headers=acc.headers).get_json()["items"]
    assert [(m["name"], m["type"], m["unit"], m["archived"]) for m in meters] == [
        ("Electricity", "electricity", "kWh", False),
        ("Water", "water", "m3", False),
        ("Gas", "gas", "m3", False),
        ("Garden tap", "water", "L", False),
        ("Boiler", "other", "pellets kg", False),
    ]
    assert [row[0] for row in records_of(app, acc.id)] == ["Garden tap", "Garden tap", "Electricity", "Boiler"]


# Import: duplicates ---------------------------------------------------------------------


def test_duplicates_in_the_file_and_in_the_database(app: Flask, client: FlaskClient, acc: Account) -> None:
    add_record(app, acc.id, acc.meters["Water"], "2024-01-05", "1.5", "0.25", "kept")
    add_record(app, acc.id, acc.meters["Water"], "2024-01-06", "2", None, None)
    content = (
        f"{HEADER}\n"
        "2024-01-05,Water,1.500,0.25,kept\n"  # equals an existing record
        "2024-01-06,Water,2,,\n"  # equals an existing record (no cost, no note)
        "2024-01-06,Water,2,0,\n"  # differs: cost 0 is not no cost
        "2024-01-06,Water,2,,other\n"  # differs by the note
        "2024-01-07,Water,3,,\n"
        "2024-01-07,water,3.0,,\n"  # equals the row above
        "2024-01-07,Gas,3,,\n"  # another meter
    )
    ok(upload(client, acc, content), imported=4, skipped=3)
    assert records_of(app, acc.id)[2:] == [
        ("Water", "water", "m3", date(2024, 1, 6), 2000, 0, None),
        ("Water", "water", "m3", date(2024, 1, 6), 2000, None, "other"),
        ("Water", "water", "m3", date(2024, 1, 7), 3000, None, None),
        ("Gas", "gas", "m3", date(2024, 1, 7), 3000, None, None),
    ]


# Import: errors -------------------------------------------------------------------------

ROW_ERRORS = [
    ("2024-02-30,Water,1,,", "date", "must be a real calendar date in the form YYYY-MM-DD"),
    ("05/01/2024,Water,1,,", "date", "must be a date in the form YYYY-MM-DD"),
    ("2024-W01-1,Water,1,,", "date", "must be a date in the form YYYY-MM-DD"),
    ("1899-12-31,Water,1,,", "date", "must be between 1900-01-01 and 2999-12-31"),
    (",Water,1,,", "date", "is required"),
    ("2024-01-01,Water,-1,,", "amount", "must not be negative"),
    ("2024-01-01,Water,1.2345,,", "amount", "must have at most 3 decimal places"),
    ("2024-01-01,Water,abc,,", "amount", "must be a number written with a decimal point, e.g. 12.5"),
    ('2024-01-01,Water,"1,5",,', "amount", "must be a number written with a decimal point, e.g. 12.5"),
    ("2024-01-01,Water,1e3,,", "amount", "must be a number written with a decimal point, e.g. 12.5"),
    ("2024-01-01,Water,1000000000,,", "amount", "must be less than 1000000000"),
    ("2024-01-01,Water,,,", "amount", "is required"),
    ("2024-01-01,Water,1,1.234,", "cost", "must have at most 2 decimal places"),
    ("2024-01-01,Water,1,-0.5,", "cost", "must not be negative"),
    ("2024-01-01,Water,1,free,", "cost", "must be a number written with a decimal point, e.g. 12.5"),
    ("2024-01-01,Water,1,," + "n" * 501, "note", "must be at most 500 characters"),
    ("2024-01-01,Water,1,,bell\x07", "note", "must not contain control characters"),
    ("2024-01-01,,1,,", "meter", "is required"),
    ("2024-01-01,Water,1,,,extra", None, "has 6 fields; the header has 5"),
    ("2024-01-01,Water", None, "has 2 fields; the header has 5"),
]


@pytest.mark.parametrize(("line", "column", "message"), ROW_ERRORS)
def test_each_kind_of_bad_row(
    app: Flask, client: FlaskClient, acc: Account, line: str, column: str | None, message: str
) -> None:
    content = f"{HEADER}\n2024-01-01,Water,1,,fine\n{line}\n"
    before = counts(app)
    response = upload(client, acc, content)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "The file has invalid rows; nothing was imported (every problem is listed)."
    assert error["details"] == [{"row": 2, "field": column, "message": message}]
    assert counts(app) == before


METER_ERRORS = [
    (
        "2024-01-01,Pond,1,,,,",
        [
            ("type", "is required to create the new meter 'Pond'"),
            ("unit", "is required to create the new meter 'Pond'"),
        ],
    ),
    ("2024-01-01,Pond,1,,,water,", [("unit", "is required to create the new meter 'Pond'")]),
    ("2024-01-01,Pond,1,,,water,kWh", [("unit", "must be one of m3, L, gal for a water meter")]),
    ("2024-01-01,Pond,1,,,steam,t", [("type", "must be one of electricity, water, gas, other")]),
    (
        "2024-01-01,Pond,1,,,other,this unit is too long",
        [("unit", "must be 1 to 16 characters without surrounding spaces")],
    ),
    ("2024-01-01," + "P" * 65 + ",1,,,other,x", [("meter", "must be at most 64 characters")]),
    ('2024-01-01,"Po\r\nnd",1,,,other,x', [("meter", "must not contain control characters")]),
    ("2024-01-01,Po\tnd,1,,,other,x", [("meter", "must not contain control characters")]),
    ('2024-01-01,Pond,1,,,other,"k\r\ng"', [("unit", "must not contain control characters")]),
    ("2024-01-01,Pond,1,,,other,k\x85g", [("unit", "must not contain control characters")]),
    ("2024-01-01,Electricity,1,,,electricity,Wh", [("unit", "does not match the unit of meter 'Electricity' (kWh)")]),
    ("2024-01-01,electricity,1,,,gas,", [("type", "does not match the type of meter 'Electricity' (electricity)")]),
]


@pytest.mark.parametrize(("line", "expected"), METER_ERRORS)
def test_meter_errors(
    app: Flask, client: FlaskClient, acc: Account, line: str, expected: list[tuple[str, str]]
) -> None:
    before = counts(app)
    response = upload(client, acc, f"{HEADER},type,unit\n{line}\n")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [{"row": 1, "field": f, "message": m} for f, m in expected]
    assert counts(app) == before


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("date,meter,amount,cost", [("note", "required column is missing")]),
        ("date,meter,amount", [("cost", "required column is missing"), ("note", "required column is missing")]),
        (
            "date,meter,amount,cost,note,colour",
            [("colour", "unknown column; the columns are date, meter, amount, cost, note and optionally type, unit")],
        ),
        ("date,meter,amount,cost,note,Date", [("date", "column appears more than once")]),
    ],
)
def test_header_errors(
    app: Flask, client: FlaskClient, acc: Account, header: str, expected: list[tuple[str, str]]
) -> None:
    response = upload(client, acc, f"{header}\n2024-01-01,Water,1,,\n")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [{"row": 0, "field": f, "message": m} for f, m in expected]
    assert counts(app)[0] == 0


def test_all_or_nothing_lists_every_error_and_rolls_back_new_meters(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    add_record(app, acc.id, acc.meters["Gas"], "2024-01-01", "1")
    before = counts(app)
    assert before == (1, 3, 1)
    content = (
        f"{HEADER},type,unit\n"
        "2024-01-05,Pond,1,,,water,L\n"
        "2024-01-06,Pond,2,,,,\n"
        "2024-13-01,Pond,x,,,,\n"
        "2024-01-07,Gas,3,,,,\n"
        "2024-01-08,Gas,3,9.999,,,\n"
    )
    response = upload(client, acc, content)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [
        {"row": 3, "field": "date", "message": "must be a real calendar date in the form YYYY-MM-DD"},
        {"row": 3, "field": "amount", "message": "must be a number written with a decimal point, e.g. 12.5"},
        {"row": 5, "field": "cost", "message": "must have at most 2 decimal places"},
    ]
    assert counts(app) == before
    assert [m["name"] for m in client.get("/api/meters", headers=acc.headers).get_json()["items"]] == [
        "Electricity",
        "Water",
        "Gas",
    ]


def test_errors_are_capped_at_one_thousand(app: Flask, client: FlaskClient, acc: Account) -> None:
    content = HEADER + "\n" + "bad,Water,1,,\n" * 1500
    response = upload(client, acc, content)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "The file has invalid rows; nothing was imported (the first 1000 problems are listed)."
    assert len(error["details"]) == 1000
    assert error["details"][-1] == {"row": 1000, "field": "date", "message": "must be a date in the form YYYY-MM-DD"}


# Import: dry run, events, rollups ----------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(app: Flask, client: FlaskClient, acc: Account) -> None:
    add_record(app, acc.id, acc.meters["Gas"], "2024-01-01", "1")
    before = counts(app)
    received: list[dict[str, Any]] = []
    unsubscribe = app.extensions["meterbook.broker"].subscribe(household_key(acc.household_id), received.append)
    try:
        content = f"{HEADER},type,unit\n2024-01-01,Gas,1,,,,\n2024-01-02,Gas,2,,,,\n2024-01-02,Pond,2,,,water,L\n"
        ok(upload(client, acc, content, dry_run=True), imported=2, skipped=1, created=["Pond"], dry_run=True)
    finally:
        unsubscribe()
    assert counts(app) == before
    assert received == []
    bad = upload(client, acc, f"{HEADER}\n2024-01-01,Gas,-1,,\n", dry_run=True)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"] == [{"row": 1, "field": "amount", "message": "must not be negative"}]


def test_one_records_imported_event_after_commit(app: Flask, client: FlaskClient, acc: Account) -> None:
    received: list[dict[str, Any]] = []
    unsubscribe = app.extensions["meterbook.broker"].subscribe(household_key(acc.household_id), received.append)
    try:
        content = f"{HEADER},type,unit\n" + "".join(f"2024-01-{d:02d},Pond,{d},,,water,L\n" for d in range(1, 6))
        ok(upload(client, acc, content), imported=5, created=["Pond"])
        assert upload(client, acc, f"{HEADER}\n2024-01-01,Gas,x,,\n").status_code == 422
    finally:
        unsubscribe()
    assert [event["type"] for event in received] == ["meter.changed", "records.imported"]
    assert received[0]["meter"]["name"] == "Pond"
    assert received[1] == {"type": "records.imported", "household_id": acc.household_id, "count": 5}


def _recomputed(app: Flask, user_id: int) -> list[tuple[Any, ...]]:
    totals: dict[tuple[int, date], list[Any]] = defaultdict(lambda: [0, 0, 0, 0, None, None])
    household_id = home_of(app, user_id)
    with app.app_context():
        for meter_id, day, milli, cents in db.session.execute(
            select(Record.meter_id, Record.date, Record.amount_milli, Record.cost_cents).where(
                Record.household_id == household_id
            )
        ):
            agg = totals[(meter_id, day)]
            agg[0] += milli
            agg[1] += 1
            agg[2] += cents or 0
            agg[3] += cents is not None
            agg[4] = milli if agg[4] is None else min(agg[4], milli)
            agg[5] = milli if agg[5] is None else max(agg[5], milli)
    return sorted((meter_id, day, *agg) for (meter_id, day), agg in totals.items())


def _stored_rollups(app: Flask, user_id: int) -> list[tuple[Any, ...]]:
    r = DailyRollup
    household_id = home_of(app, user_id)
    with app.app_context():
        rows = db.session.execute(
            select(r.meter_id, r.date, r.total_milli, r.count, r.cost_cents, r.cost_count, r.min_milli, r.max_milli)
            .where(r.household_id == household_id)
            .order_by(r.meter_id, r.date)
        )
        return [tuple(row) for row in rows]


def test_rollups_match_a_recomputation_after_import(app: Flask, client: FlaskClient, acc: Account) -> None:
    water = acc.meters["Water"]
    add_record(app, acc.id, water, "2024-01-02", "1.5", "0.50")
    add_record(app, acc.id, water, "2024-01-09", "4")
    content = (
        f"{HEADER}\n"
        "2024-01-02,Water,2.25,1.00,\n"
        "2024-01-02,Water,0.001,,\n"
        "2024-01-05,Water,3,,\n"
        "2024-01-05,Gas,7,2.5,\n"
        "2024-01-02,Water,1.5,0.50,\n"  # duplicate of the existing record
    )
    ok(upload(client, acc, content), imported=4, skipped=1)
    stored = _stored_rollups(app, acc.id)
    assert stored == _recomputed(app, acc.id)
    assert stored == [
        (water, date(2024, 1, 2), 3751, 3, 150, 2, 1, 2250),
        (water, date(2024, 1, 5), 3000, 1, 0, 0, 3000, 3000),
        (water, date(2024, 1, 9), 4000, 1, 0, 0, 4000, 4000),
        (acc.meters["Gas"], date(2024, 1, 5), 7000, 1, 250, 1, 7000, 7000),
    ]


# Import: request problems -----------------------------------------------------------------


def test_oversized_file_is_413(app: Flask, client: FlaskClient, acc: Account) -> None:
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    content = (HEADER + "\n").encode() + b"2024-01-01,Water,1,,\n" * (limit // 21 + 1)
    response = upload(client, acc, content)
    assert response.status_code == 413
    assert response.get_json() == {
        "error": {"code": "payload_too_large", "message": "The upload is larger than 10 MiB."}
    }
    assert counts(app)[0] == 0


def test_oversized_chunked_upload_without_length_is_413(app: Flask, client: FlaskClient, acc: Account) -> None:
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    body = (
        b'--xx\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        + (HEADER + "\n").encode()
        + b"2024-01-01,Water,1,,\n" * (limit // 21 + 1)
        + b"\r\n--xx--\r\n"
    )
    response = client.post(
        "/api/records/import",
        headers={**acc.headers, "Content-Type": "multipart/form-data; boundary=xx", "Transfer-Encoding": "chunked"},
        input_stream=io.BytesIO(body),
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.get_json() == {"error": {"code": "payload_too_large", "message": "The request body is too large."}}
    assert counts(app)[0] == 0


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "date,meter,amount,cost,note\n2024-01-01,Wäter,1,,\n".encode("latin-1")],
)
def test_binary_or_non_utf8_file_is_415(app: Flask, client: FlaskClient, acc: Account, content: bytes) -> None:
    response = upload(client, acc, content)
    assert response.status_code == 415
    assert response.get_json()["error"] == {
        "code": "unsupported_media_type",
        "message": "The file is not UTF-8 text: export it as CSV (UTF-8) and try again.",
    }
    assert counts(app)[0] == 0


def test_nul_bytes_are_refused_as_binary(client: FlaskClient, acc: Account) -> None:
    response = upload(client, acc, b"date,meter\x00,amount\n")
    assert response.status_code == 415
    assert response.get_json()["error"]["message"] == "The file is binary, not CSV text."


def test_empty_file_and_plain_text(client: FlaskClient, acc: Account) -> None:
    empty = upload(client, acc, b"")
    assert empty.status_code == 422
    assert empty.get_json()["error"]["details"] == [
        {
            "row": 0,
            "field": None,
            "message": "The file is empty: its first line must be the header date,meter,amount,cost,note.",
        }
    ]
    prose = upload(client, acc, "Dear sir, this is a letter\nnot a table\n")
    assert prose.status_code == 422
    assert [d["field"] for d in prose.get_json()["error"]["details"]] == [
        "dear sir",
        "this is a letter",
        "date",
        "meter",
        "amount",
        "cost",
        "note",
    ]


def test_not_multipart_or_no_file_part(client: FlaskClient, acc: Account) -> None:
    as_json = client.post("/api/records/import", headers=acc.headers, json={"file": "x"})
    assert as_json.status_code == 415
    assert as_json.get_json()["error"] == {
        "code": "unsupported_media_type",
        "message": "Send the file as multipart/form-data, in a part named 'file'.",
    }
    no_part = client.post(
        "/api/records/import", headers=acc.headers, data={"other": "x"}, content_type="multipart/form-data"
    )
    assert no_part.status_code == 422
    assert no_part.get_json()["error"]["details"] == [
        {"loc": ["body", "file"], "msg": "A file is required in the multipart part 'file'.", "type": "missing"}
    ]
    assert client.post("/api/records/import", data={}).status_code == 401


def test_openapi_documents_upload_and_download(client: FlaskClient) -> None:
    spec = client.get("/apispec.json").get_json()
    post = spec["paths"]["/api/records/import"]["post"]
    form = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"] and form["properties"]["file"]["format"] == "binary"
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportResult"
    }
    assert {"413", "415", "422"} <= set(post["responses"])
    assert [p["name"] for p in post["parameters"]] == ["household_id", "dry_run", "Idempotency-Key"]
    get = spec["paths"]["/api/records/export"]["get"]
    assert set(get["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert {p["name"] for p in get["parameters"]} == {
        "household_id",
        "meter_id",
        "type",
        "date_from",
        "date_to",
        "q",
        "format",
        "sort",
    }


def test_imports_and_exports_have_their_own_per_user_limit(make_app: Any, app: Flask) -> None:
    custom = make_app(RATELIMIT_ENABLED=True, RATELIMIT_IMPORT_EXPORT="3/minute")
    client = custom.test_client()
    busy = account(custom, client)
    calm = account(custom, client)
    assert upload(client, busy, f"{HEADER}\n2024-01-01,Water,1,,\n", dry_run=True).status_code == 200
    assert upload(client, busy, "not,a,header\n").status_code == 422  # refused files count too
    assert client.get("/api/records/export", headers=busy.headers).status_code == 200
    for refused in (
        upload(client, busy, f"{HEADER}\n2024-01-01,Water,1,,\n", dry_run=True),
        client.get("/api/records/export?format=json", headers=busy.headers),
    ):
        assert refused.status_code == 429
        assert refused.get_json() == {
            "error": {"code": "rate_limited", "message": "Too many requests. Please slow down and retry later."}
        }
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/records", headers=busy.headers).status_code == 200  # the rest of the API is not
    assert client.get("/api/records/export", headers=calm.headers).status_code == 200


def test_import_export_limit_default_and_validation(make_app: Any) -> None:
    assert Settings().RATELIMIT_IMPORT_EXPORT == "10/minute;100/hour"
    with pytest.raises(ValueError, match="is not a rate limit"):
        make_app(RATELIMIT_IMPORT_EXPORT="often")

"""Edge cases found next to the races: empty notes, unicode names, odd queries, PUT and PATCH."""

# Each round's closures run (in threads) and finish before the loop moves on.

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account

from .helpers import consistency, csv_file


def test_a_record_with_an_empty_note_round_trips_through_export_and_import(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    r = client.post(
        "/api/records",
        headers=acc.headers,
        json={"meter_id": acc.meters["Gas"], "date": "2026-01-05", "amount": 3, "note": ""},
    )
    assert r.status_code == 201
    exported = client.get("/api/records/export?format=csv", headers=acc.headers).get_data(as_text=True)
    res = client.post("/api/records/import", headers=acc.headers, data=csv_file(exported)).get_json()
    assert res["imported"] == 0 and res["skipped_duplicates"] == 1, res


def test_unicode_case_meter_names(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    client.post("/api/meters", headers=acc.headers, json={"name": "Ärger", "type": "other", "unit": "x"})
    b = client.post("/api/meters", headers=acc.headers, json={"name": "ärger", "type": "other", "unit": "x"})
    assert b.status_code == 409


def test_huge_and_odd_queries(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    h = acc.headers
    cases = [
        "/api/records?page=1000000&per_page=100",
        "/api/records?meter_id=99999999999999999999",
        "/api/records?date_from=2999-12-31&date_to=2999-12-31&sort=-amount",
        "/api/records?q=%25_%5C",
        "/api/analytics/summary?date_from=1900-01-01&date_to=2999-12-31",
        "/api/analytics/timeseries?date_from=1900-01-01&date_to=2999-12-31&granularity=year",
        "/api/analytics/timeseries?date_from=1900-01-01&date_to=1909-12-31&granularity=day",
        "/api/analytics/timeseries?date_from=2999-01-01&date_to=2999-12-31&granularity=week",
        "/api/analytics/timeseries?date_to=1900-01-01",
        "/api/analytics/summary?date_to=1900-01-01",
        "/api/analytics/timeseries?granularity=week&date_from=2026-01-01&date_to=2026-01-01",
        "/api/analytics/summary?meter_id=0",
        "/api/analytics/summary?meter_id=2147483648",
        "/api/records/export?format=json&date_from=2999-12-31",
        "/api/admin/users?page=1000000",
        "/api/meters/2147483648",
        "/api/records/99999999999999999999999",
    ]
    out = {c: client.get(c, headers=h).status_code for c in cases}
    assert all(v < 500 for v in out.values()), out


def test_record_edits_put_patch(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    h = acc.headers
    rec = client.post(
        "/api/records",
        headers=h,
        json={"meter_id": acc.meters["Gas"], "date": "2026-01-05", "amount": 3, "cost": 1.5, "note": "x"},
    ).get_json()
    rid = rec["id"]
    codes = []
    for method, body in [
        ("patch", {"cost": None}),
        ("patch", {"note": None}),
        ("patch", {"amount": None}),
        ("patch", {"meter_id": None}),
        ("patch", {"date": None}),
        ("patch", {}),
        ("put", {"meter_id": acc.meters["Water"], "date": "2026-01-06", "amount": 1}),
        ("patch", {"meter_id": 2147483647}),
        ("patch", {"amount": 999999999.999}),
        ("patch", {"amount": 1e9}),
        ("patch", {"amount": 0.0001}),
        ("patch", {"amount": "1"}),
        ("patch", {"date": "2026-02-30"}),
        ("patch", {"amount": 1e-7}),
        ("patch", {"cost": 0.1 + 0.2}),
    ]:
        r = getattr(client, method)(f"/api/records/{rid}", headers=h, json=body)
        codes.append((method, body, r.status_code))
    assert all(c < 500 for *_, c in codes)
    assert (
        consistency(app) == [] if client.application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") else True
    )

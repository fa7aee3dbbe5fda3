from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account, add_meter, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Any:
    return account(app, client)


def test_create_and_get_record_exact_body(client: FlaskClient, acc: Any) -> None:
    response = client.post(
        "/api/records",
        headers=acc.headers,
        json={
            "meter_id": acc.meters["Electricity"],
            "date": "2026-03-01",
            "amount": 12.345,
            "cost": 4.2,
            "note": "meter read",
        },
    )
    assert response.status_code == 201
    record = response.get_json()
    assert {k: v for k, v in record.items() if k not in ("created_at", "updated_at")} == {
        "id": 1,
        "household_id": acc.household_id,
        "meter_id": acc.meters["Electricity"],
        "meter_name": "Electricity",
        "type": "electricity",
        "unit": "kWh",
        "date": "2026-03-01",
        "amount": 12.345,
        "cost": 4.2,
        "note": "meter read",
        "attachment_ids": [],
        "created_by": acc.id,
    }
    assert record["created_at"].endswith("+00:00")
    assert client.get("/api/records/1", headers=acc.headers).get_json() == record


def test_amounts_keep_exact_decimals(client: FlaskClient, acc: Any) -> None:
    for amount in (0, 0.001, 0.1, 999999999.999, 123456.789):
        response = client.post(
            "/api/records",
            headers=acc.headers,
            json={"meter_id": acc.meters["Water"], "date": "2026-01-01", "amount": amount},
        )
        assert response.status_code == 201, amount
        assert response.get_json()["amount"] == amount
        assert response.get_json()["cost"] is None


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"amount": -1}, ["body", "amount"]),
        ({"amount": 1.2345}, ["body", "amount"]),
        ({"amount": 1e9}, ["body", "amount"]),
        ({"amount": "12"}, ["body", "amount"]),
        ({"amount": True}, ["body", "amount"]),
        ({"amount": None}, ["body", "amount"]),
        ({"cost": 1.234}, ["body", "cost"]),
        ({"cost": -0.01}, ["body", "cost"]),
        ({"date": "2026-02-30"}, ["body", "date"]),
        ({"date": "2026-1-1"}, ["body", "date"]),
        ({"date": "01/02/2026"}, ["body", "date"]),
        ({"date": 20260101}, ["body", "date"]),
        ({"date": "0001-01-01"}, ["body", "date"]),
        ({"note": "x" * 501}, ["body", "note"]),
        ({"note": "nul\x00byte"}, ["body", "note"]),
        ({"meter_id": "1"}, ["body", "meter_id"]),
        ({"meter_id": 0}, ["body", "meter_id"]),
        ({"extra": 1}, ["body", "extra"]),
    ],
)
def test_create_record_validation(client: FlaskClient, acc: Any, change: dict[str, Any], loc: list[Any]) -> None:
    payload = {"meter_id": acc.meters["Water"], "date": "2026-01-01", "amount": 1, **change}
    response = client.post("/api/records", headers=acc.headers, json=payload)
    assert response.status_code == 422, response.get_json()
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [loc]


def test_missing_fields_are_all_reported(client: FlaskClient, acc: Any) -> None:
    response = client.post("/api/records", headers=acc.headers, json={})
    body = response.get_json()["error"]
    assert response.status_code == 422
    assert body["message"] == "The request body is invalid."
    assert [(d["loc"], d["type"]) for d in body["details"]] == [
        (["body", "meter_id"], "missing"),
        (["body", "date"], "missing"),
        (["body", "amount"], "missing"),
    ]


def test_unknown_meter_in_body_is_422_on_meter_id(client: FlaskClient, acc: Any) -> None:
    response = client.post(
        "/api/records", headers=acc.headers, json={"meter_id": 9999, "date": "2026-01-01", "amount": 1}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [
        {"loc": ["body", "meter_id"], "msg": "Meter not found.", "type": "not_found"}
    ]


def test_put_replaces_and_patch_updates(client: FlaskClient, app: Flask, acc: Any) -> None:
    record_id = add_record(app, acc.id, acc.meters["Water"], "2026-01-01", "5", "1.50", "first")
    patched = client.patch(f"/api/records/{record_id}", headers=acc.headers, json={"amount": 6, "note": None})
    assert patched.status_code == 200
    body = patched.get_json()
    assert (body["amount"], body["cost"], body["note"], body["date"]) == (6, 1.5, None, "2026-01-01")
    replaced = client.put(
        f"/api/records/{record_id}",
        headers=acc.headers,
        json={"meter_id": acc.meters["Gas"], "date": "2026-02-02", "amount": 7},
    )
    body = replaced.get_json()
    assert (body["meter_name"], body["amount"], body["cost"], body["note"], body["date"]) == (
        "Gas",
        7,
        None,
        None,
        "2026-02-02",
    )
    incomplete = client.put(f"/api/records/{record_id}", headers=acc.headers, json={"amount": 7})
    assert incomplete.status_code == 422
    nulled = client.patch(f"/api/records/{record_id}", headers=acc.headers, json={"date": None})
    assert nulled.status_code == 422
    assert nulled.get_json()["error"]["details"][0]["loc"] == ["body", "date"]


def test_delete_record(client: FlaskClient, app: Flask, acc: Any) -> None:
    record_id = add_record(app, acc.id, acc.meters["Water"], "2026-01-01", "5")
    response = client.delete(f"/api/records/{record_id}", headers=acc.headers)
    assert response.status_code == 204
    assert client.get(f"/api/records/{record_id}", headers=acc.headers).status_code == 404
    assert client.delete(f"/api/records/{record_id}", headers=acc.headers).status_code == 404


@pytest.fixture
def seeded(app: Flask, acc: Any) -> dict[str, int]:
    e, w, g = acc.meters["Electricity"], acc.meters["Water"], acc.meters["Gas"]
    ids = {
        "e1": add_record(app, acc.id, e, "2026-01-05", "10", "2.00", "winter reading"),
        "e2": add_record(app, acc.id, e, "2026-02-05", "30", None, "100% sure"),
        "w1": add_record(app, acc.id, w, "2026-01-10", "3.5", "1.10", None),
        "g1": add_record(app, acc.id, g, "2026-03-01", "20", "9.99", "Winter gas"),
        "g2": add_record(app, acc.id, g, "2026-03-01", "1", None, "under_score"),
    }
    return ids


def ids_of(response: Any) -> list[int]:
    return [item["id"] for item in response.get_json()["items"]]


def test_list_default_sort_is_newest_first(client: FlaskClient, acc: Any, seeded: dict[str, int]) -> None:
    response = client.get("/api/records", headers=acc.headers)
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 5, 1)
    assert ids_of(response) == [seeded["g2"], seeded["g1"], seeded["e2"], seeded["w1"], seeded["e1"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("sort=date", ["e1", "w1", "e2", "g1", "g2"]),
        ("sort=amount", ["g2", "w1", "e1", "g1", "e2"]),
        ("sort=-amount", ["e2", "g1", "e1", "w1", "g2"]),
        ("sort=created_at", ["e1", "e2", "w1", "g1", "g2"]),
        ("sort=-created_at", ["g2", "g1", "w1", "e2", "e1"]),
        # By meter name, newest first within a meter; by cost, records without one last.
        ("sort=meter", ["e2", "e1", "g2", "g1", "w1"]),
        ("sort=-meter", ["w1", "g2", "g1", "e2", "e1"]),
        ("sort=cost", ["w1", "e1", "g1", "e2", "g2"]),
        ("sort=-cost", ["g1", "e1", "w1", "g2", "e2"]),
        ("type=gas&sort=date", ["g1", "g2"]),
        ("type=gas&type=water&sort=date", ["w1", "g1", "g2"]),
        ("date_from=2026-01-10&date_to=2026-02-05&sort=date", ["w1", "e2"]),
        ("q=winter&sort=date", ["e1", "g1"]),
        ("q=100%25&sort=date", ["e2"]),
        ("q=_&sort=date", ["g2"]),
        ("q=nothing", []),
    ],
)
def test_list_filters_and_sorts(
    client: FlaskClient, acc: Any, seeded: dict[str, int], params: str, expected: list[str]
) -> None:
    response = client.get(f"/api/records?{params}", headers=acc.headers)
    assert response.status_code == 200
    assert ids_of(response) == [seeded[name] for name in expected]
    assert response.get_json()["total"] == len(expected)


def test_list_filter_by_meter(client: FlaskClient, acc: Any, seeded: dict[str, int]) -> None:
    response = client.get(f"/api/records?meter_id={acc.meters['Electricity']}&sort=date", headers=acc.headers)
    assert ids_of(response) == [seeded["e1"], seeded["e2"]]


def test_pagination(client: FlaskClient, acc: Any, seeded: dict[str, int]) -> None:
    first = client.get("/api/records?per_page=2&sort=date", headers=acc.headers).get_json()
    assert (first["total"], first["pages"], [i["id"] for i in first["items"]]) == (5, 3, [seeded["e1"], seeded["w1"]])
    last = client.get("/api/records?per_page=2&page=3&sort=date", headers=acc.headers).get_json()
    assert [i["id"] for i in last["items"]] == [seeded["g2"]]
    beyond = client.get("/api/records?per_page=2&page=9", headers=acc.headers).get_json()
    assert (beyond["items"], beyond["total"], beyond["page"]) == ([], 5, 9)


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ("per_page=0", ["query", "per_page"]),
        ("per_page=101", ["query", "per_page"]),
        ("page=0", ["query", "page"]),
        ("page=abc", ["query", "page"]),
        ("sort=name", ["query", "sort"]),
        ("type=steam", ["query", "type", 0]),
        ("date_from=2026-13-01", ["query", "date_from"]),
        ("date_from=2026-02-01&date_to=2026-01-01", ["query", "date_to"]),
        ("meter_id=x", ["query", "meter_id"]),
    ],
)
def test_list_query_validation(client: FlaskClient, acc: Any, params: str, loc: list[Any]) -> None:
    response = client.get(f"/api/records?{params}", headers=acc.headers)
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [loc]


def test_other_meter_units_are_shown(client: FlaskClient, app: Flask, acc: Any) -> None:
    pellets = add_meter(app, acc.id, "Pellets", "other", "kg")
    add_record(app, acc.id, pellets, "2026-01-01", "12.5")
    item = client.get("/api/records", headers=acc.headers).get_json()["items"][0]
    assert (item["meter_name"], item["type"], item["unit"], item["amount"]) == ("Pellets", "other", "kg", 12.5)


def test_an_unknown_or_foreign_meter_in_the_query_is_422(client: FlaskClient, app: Flask, acc: Any) -> None:
    other = account(app, client)
    add_record(app, other.id, other.meters["Gas"], "2026-01-01", "1")
    for meter_id in (other.meters["Gas"], 999_999):
        response = client.get(f"/api/records?meter_id={meter_id}", headers=acc.headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"] == [
            {"loc": ["query", "meter_id"], "msg": "Meter not found.", "type": "not_found"}
        ]


def test_a_422_lists_the_unknown_meter_with_the_field_rules(client: FlaskClient, app: Flask, acc: Any) -> None:
    record_id = add_record(app, acc.id, acc.meters["Water"], "2026-01-01", "5")
    bad = {"meter_id": 9999, "date": "2026-01-01", "amount": -1, "note": "n" * 501}
    expected = [
        {"loc": ["body", "meter_id"], "msg": "Meter not found.", "type": "not_found"},
        {"loc": ["body", "amount"], "msg": "Input should be greater than or equal to 0", "type": "greater_than_equal"},
        {"loc": ["body", "note"], "msg": "String should have at most 500 characters", "type": "string_too_long"},
    ]
    for method, url in (("POST", "/api/records"), ("PUT", f"/api/records/{record_id}")):
        response = client.open(url, method=method, headers=acc.headers, json=bad)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"] == expected
    patched = client.patch(f"/api/records/{record_id}", headers=acc.headers, json={"meter_id": 9999, "amount": -1})
    assert patched.get_json()["error"]["details"] == expected[:2]
    listed = client.get(
        "/api/records?meter_id=9999&date_from=2026-02-01&date_to=2026-01-01&per_page=0", headers=acc.headers
    )
    assert sorted((d["loc"], d["msg"]) for d in listed.get_json()["error"]["details"]) == [
        (["query", "date_to"], "must not be before date_from"),
        (["query", "meter_id"], "Meter not found."),
        (["query", "per_page"], "Input should be greater than or equal to 1"),
    ]


def test_note_search_ignores_case_beyond_ascii(client: FlaskClient, app: Flask, acc: Any) -> None:
    water = acc.meters["Water"]
    ids = [
        add_record(app, acc.id, water, "2026-01-01", "1", None, "un été chaud"),
        add_record(app, acc.id, water, "2026-01-02", "1", None, "ÉTÉ FROID"),
        add_record(app, acc.id, water, "2026-01-03", "1", None, "Ete sans accent"),
        add_record(app, acc.id, water, "2026-01-04", "1", None, "ΣΟΦΊΑ"),
    ]
    for q, expected in (("ÉTÉ", ids[:2]), ("été", ids[:2]), ("eté", []), ("ete", [ids[2]]), ("σοφία", [ids[3]])):
        response = client.get(f"/api/records?q={q}&sort=date", headers=acc.headers)
        assert [item["id"] for item in response.get_json()["items"]] == expected, q
        assert response.get_json()["total"] == len(expected)


def test_openapi_date_fields_state_the_accepted_years(client: FlaskClient) -> None:
    spec = client.get("/apispec.json").get_json()
    pattern = "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    assert spec["components"]["schemas"]["RecordCreate"]["properties"]["date"]["pattern"] == pattern
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/records"]["get"]["parameters"]}
    assert params["date_from"]["pattern"] == pattern
    assert params["date_to"]["pattern"] == pattern


def test_patch_refuses_null_for_required_fields_with_every_other_problem(
    client: FlaskClient, app: Flask, acc: Any
) -> None:
    record_id = add_record(app, acc.id, acc.meters["Water"], "2026-01-01", "5")
    response = client.patch(
        f"/api/records/{record_id}",
        headers=acc.headers,
        json={"meter_id": None, "date": None, "amount": None, "cost": -1},
    )
    assert response.status_code == 422
    assert [(d["loc"], d["msg"]) for d in response.get_json()["error"]["details"]] == [
        (["body", "meter_id"], "must not be null"),
        (["body", "date"], "must not be null"),
        (["body", "amount"], "must not be null"),
        (["body", "cost"], "Input should be greater than or equal to 0"),
    ]
    cleared = client.patch(f"/api/records/{record_id}", headers=acc.headers, json={"cost": None, "note": None})
    assert cleared.status_code == 200

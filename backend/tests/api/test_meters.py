from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.api.meters.schemas import NAME_PATTERN, UNIT_PATTERN
from tests.factories import account, add_record


def test_create_get_update_meter(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    created = client.post(
        "/api/meters", headers=acc.headers, json={"name": "Solar", "type": "electricity", "unit": "Wh"}
    )
    assert created.status_code == 201
    meter = created.get_json()
    assert {k: meter[k] for k in ("id", "name", "type", "unit", "archived")} == {
        "id": 4,
        "name": "Solar",
        "type": "electricity",
        "unit": "Wh",
        "archived": False,
    }
    assert client.get(f"/api/meters/{meter['id']}", headers=acc.headers).get_json() == meter
    renamed = client.patch(f"/api/meters/{meter['id']}", headers=acc.headers, json={"name": "Roof", "archived": True})
    assert renamed.status_code == 200
    assert (renamed.get_json()["name"], renamed.get_json()["archived"]) == ("Roof", True)
    listed = client.get("/api/meters", headers=acc.headers).get_json()
    assert [m["name"] for m in listed["items"]] == ["Electricity", "Water", "Gas", "Roof"]


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"name": "X", "type": "electricity", "unit": "m3"}, ["body", "unit"]),
        ({"name": "X", "type": "water", "unit": "kWh"}, ["body", "unit"]),
        ({"name": "X", "type": "gas", "unit": "L"}, ["body", "unit"]),
        ({"name": "X", "type": "other", "unit": "x" * 17}, ["body", "unit"]),
        ({"name": "X", "type": "other", "unit": ""}, ["body", "unit"]),
        ({"name": "X", "type": "steam", "unit": "t"}, ["body", "type"]),
        ({"name": "", "type": "other", "unit": "t"}, ["body", "name"]),
        ({"name": "x" * 65, "type": "other", "unit": "t"}, ["body", "name"]),
        ({"name": "a\x00b", "type": "other", "unit": "t"}, ["body", "name"]),
    ],
)
def test_meter_validation(client: FlaskClient, app: Flask, payload: dict[str, Any], loc: list[str]) -> None:
    acc = account(app, client)
    response = client.post("/api/meters", headers=acc.headers, json=payload)
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [loc]


def test_every_allowed_unit_is_accepted(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    allowed = {
        "electricity": ["kWh", "Wh", "MWh"],
        "water": ["m3", "L", "gal"],
        "gas": ["m3", "ft3"],
        "other": ["t", "pellets-kg"],
    }
    for type_, units in allowed.items():
        for unit in units:
            response = client.post(
                "/api/meters", headers=acc.headers, json={"name": f"{type_}-{unit}", "type": type_, "unit": unit}
            )
            assert response.status_code == 201, (type_, unit)


def test_meter_name_is_unique_per_user_case_insensitively(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    response = client.post(
        "/api/meters", headers=acc.headers, json={"name": "electricity", "type": "other", "unit": "x"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    other = account(app, client)
    assert (
        client.post(
            "/api/meters", headers=other.headers, json={"name": "Solar", "type": "other", "unit": "x"}
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/meters", headers=acc.headers, json={"name": "Solar", "type": "other", "unit": "x"}
        ).status_code
        == 201
    )
    rename = client.patch(f"/api/meters/{acc.meters['Water']}", headers=acc.headers, json={"name": "GAS"})
    assert rename.status_code == 409


def test_type_and_unit_change_only_without_records(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    water = acc.meters["Water"]
    ok = client.patch(f"/api/meters/{water}", headers=acc.headers, json={"unit": "L"})
    assert ok.status_code == 200 and ok.get_json()["unit"] == "L"
    bad = client.patch(f"/api/meters/{water}", headers=acc.headers, json={"unit": "kWh"})
    assert bad.status_code == 422
    problem = "must be one of m3, L, gal for a water meter"
    assert bad.get_json() == {
        "error": {
            "code": "validation_error",
            "message": problem,
            "details": [{"loc": ["body", "unit"], "msg": problem, "type": "value_error"}],
        }
    }
    add_record(app, acc.id, water, "2026-01-01", "5")
    locked = client.patch(f"/api/meters/{water}", headers=acc.headers, json={"unit": "m3"})
    assert locked.status_code == 409


def test_delete_meter_refuses_with_records_unless_cascade(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    gas = acc.meters["Gas"]
    record_id = add_record(app, acc.id, gas, "2026-01-01", "5")
    refused = client.delete(f"/api/meters/{gas}", headers=acc.headers)
    assert refused.status_code == 409
    assert client.get(f"/api/records/{record_id}", headers=acc.headers).status_code == 200
    assert client.delete(f"/api/meters/{gas}?cascade=true", headers=acc.headers).status_code == 204
    assert client.get(f"/api/meters/{gas}", headers=acc.headers).status_code == 404
    assert client.get(f"/api/records/{record_id}", headers=acc.headers).status_code == 404
    empty = acc.meters["Water"]
    assert client.delete(f"/api/meters/{empty}", headers=acc.headers).status_code == 204


def test_unknown_meter_is_404(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    for meter_id in (999, 2**31, 2**63):
        response = client.get(f"/api/meters/{meter_id}", headers=acc.headers)
        assert response.status_code == 404
        assert response.get_json() == {"error": {"code": "not_found", "message": "Meter not found."}}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Roof\r\nInjected: yes", "type": "other", "unit": "t"}, "name"),
        ({"name": "Roof\tA", "type": "other", "unit": "t"}, "name"),
        ({"name": "Roof\x7f", "type": "other", "unit": "t"}, "name"),
        ({"name": "Roof", "type": "other", "unit": "k\r\ng"}, "unit"),
        ({"name": "Roof", "type": "other", "unit": "k\u0085g"}, "unit"),
    ],
)
def test_single_line_fields_refuse_every_control_character(
    client: FlaskClient, app: Flask, payload: dict[str, Any], field: str
) -> None:
    acc = account(app, client)
    created = client.post("/api/meters", headers=acc.headers, json=payload)
    assert created.status_code == 422
    assert created.get_json()["error"]["details"] == [
        {"loc": ["body", field], "msg": "must not contain control characters", "type": "value_error"}
    ]
    changed = client.patch(f"/api/meters/{acc.meters['Water']}", headers=acc.headers, json={field: payload[field]})
    assert changed.status_code == 422
    assert changed.get_json()["error"]["details"] == [
        {"loc": ["body", field], "msg": "must not contain control characters", "type": "value_error"}
    ]


def test_openapi_gives_each_meter_type_its_units(client: FlaskClient) -> None:
    schemas = client.get("/apispec.json").get_json()["components"]["schemas"]
    variants = schemas["MeterCreate"]["oneOf"]
    assert [(v["properties"]["type"]["enum"], v["properties"]["unit"].get("enum")) for v in variants] == [
        (["electricity"], ["kWh", "Wh", "MWh"]),
        (["water"], ["m3", "L", "gal"]),
        (["gas"], ["m3", "ft3"]),
        (["other"], None),
    ]
    assert variants[3]["properties"]["unit"]["pattern"] == UNIT_PATTERN
    assert all(v["required"] == ["name", "type", "unit"] and v["additionalProperties"] is False for v in variants)
    assert re.fullmatch(UNIT_PATTERN.removeprefix("^").removesuffix("$"), " kg") is None
    assert re.fullmatch(NAME_PATTERN.removeprefix("^").removesuffix("$"), "   ") is None
    assert re.fullmatch(NAME_PATTERN.removeprefix("^").removesuffix("$"), "Roof\r\n") is None
    assert re.fullmatch(NAME_PATTERN.removeprefix("^").removesuffix("$"), " Roof ") is not None


def test_openapi_pairs_a_type_and_unit_sent_together_in_an_update(client: FlaskClient) -> None:
    schema = client.get("/apispec.json").get_json()["components"]["schemas"]["MeterUpdate"]
    free, *pairs = schema["anyOf"]
    assert free == {"not": {"required": ["type", "unit"]}}
    assert [(p["properties"]["type"]["enum"], p["properties"]["unit"].get("enum"), p["required"]) for p in pairs] == [
        (["electricity"], ["kWh", "Wh", "MWh"], ["type", "unit"]),
        (["water"], ["m3", "L", "gal"], ["type", "unit"]),
        (["gas"], ["m3", "ft3"], ["type", "unit"]),
        (["other"], None, ["type", "unit"]),
    ]

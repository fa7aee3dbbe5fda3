"""Tariff versions: CRUD, validation, roles, dry runs and the tariff.changed event (PRODUCT §11)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.households_helpers import listen_household, member, stop_listening  # noqa: F401
from tests.factories import Account, account, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient, clock: Any) -> Account:
    clock.current = datetime(2026, 3, 15, 12, tzinfo=UTC)
    return account(app, client)


def url(acc: Account, meter: str = "Electricity") -> str:
    return f"/api/meters/{acc.meters[meter]}/tariffs"


def add(client: FlaskClient, acc: Account, status: int = 201, meter: str = "Electricity", **body: Any) -> Any:
    response = client.post(url(acc, meter), headers=acc.headers, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_versions_are_listed_oldest_first_with_the_day_before_the_next_as_valid_to(
    client: FlaskClient, acc: Account
) -> None:
    later = add(client, acc, valid_from="2026-02-01", unit_price=0.3, standing_charge=0.5, tax_pct=5)
    first = add(client, acc, valid_from="2026-01-01", unit_price=0.25)
    assert first == {
        "id": first["id"],
        "meter_id": acc.meters["Electricity"],
        "valid_from": "2026-01-01",
        "valid_to": "2026-01-31",
        "unit_price": 0.25,
        "standing_charge": 0,
        "tax_pct": 0,
        "created_at": first["created_at"],
    }
    body = client.get(url(acc), headers=acc.headers).get_json()
    assert [(v["id"], v["valid_from"], v["valid_to"]) for v in body["items"]] == [
        (first["id"], "2026-01-01", "2026-01-31"),
        (later["id"], "2026-02-01", None),
    ]
    assert body["items"][1]["unit_price"] == 0.3 and body["items"][1]["standing_charge"] == 0.5
    assert body["items"][1]["tax_pct"] == 5


def test_six_places_are_kept_exactly(client: FlaskClient, acc: Account) -> None:
    created = add(
        client, acc, valid_from="2026-01-01", unit_price=0.123456, standing_charge=999999.999999, tax_pct=7.125
    )
    assert (created["unit_price"], created["standing_charge"], created["tax_pct"]) == (0.123456, 999999.999999, 7.125)


@pytest.mark.parametrize(
    ("body", "loc", "needle"),
    [
        ({"valid_from": "2026-01-01", "unit_price": 0.1234567}, "unit_price", "at most 6 decimal places"),
        ({"valid_from": "2026-01-01", "unit_price": -1}, "unit_price", "greater than or equal to 0"),
        ({"valid_from": "2026-01-01", "unit_price": 1, "standing_charge": -0.01}, "standing_charge", "greater than"),
        ({"valid_from": "2026-01-01", "unit_price": 1, "standing_charge": 1e-7}, "standing_charge", "6 decimal"),
        ({"valid_from": "2026-01-01", "unit_price": 1, "tax_pct": 100.001}, "tax_pct", "less than or equal to 100"),
        ({"valid_from": "2026-01-01", "unit_price": 1, "tax_pct": 1.0005}, "tax_pct", "at most 3 decimal places"),
        ({"valid_from": "2026-01-01", "unit_price": 1000000}, "unit_price", "less than"),
        ({"valid_from": "2026-02-30", "unit_price": 1}, "valid_from", "real calendar date"),
        ({"valid_from": "2026-01-01", "unit_price": "0.1"}, "unit_price", "must be a JSON number"),
        ({"unit_price": 1}, "valid_from", "Field required"),
    ],
)
def test_bad_prices_are_refused_with_the_field(
    client: FlaskClient, acc: Account, body: dict[str, Any], loc: str, needle: str
) -> None:
    error = add(client, acc, 422, **body)["error"]
    assert error["code"] == "validation_error"
    [detail] = error["details"]
    assert detail["loc"] == ["body", loc]
    assert needle in detail["msg"]
    assert client.get(url(acc), headers=acc.headers).get_json() == {"items": []}


def test_two_versions_on_one_day_conflict(client: FlaskClient, acc: Account) -> None:
    first = add(client, acc, valid_from="2026-01-01", unit_price=1)
    second = add(client, acc, valid_from="2026-02-01", unit_price=2)
    assert add(client, acc, 409, valid_from="2026-01-01", unit_price=3)["error"]["code"] == "conflict"
    response = client.patch(f"{url(acc)}/{second['id']}", headers=acc.headers, json={"valid_from": "2026-01-01"})
    assert response.status_code == 409
    # the same day on another meter is fine, and a version may keep its own day
    add(client, acc, meter="Water", valid_from="2026-01-01", unit_price=3)
    response = client.patch(f"{url(acc)}/{first['id']}", headers=acc.headers, json={"valid_from": "2026-01-01"})
    assert response.status_code == 200


def test_patch_and_delete(client: FlaskClient, acc: Account) -> None:
    first = add(client, acc, valid_from="2026-01-01", unit_price=1)
    second = add(client, acc, valid_from="2026-02-01", unit_price=2)
    response = client.patch(f"{url(acc)}/{first['id']}", headers=acc.headers, json={"tax_pct": 20, "unit_price": 1.5})
    assert response.status_code == 200
    assert (response.get_json()["unit_price"], response.get_json()["tax_pct"], response.get_json()["valid_to"]) == (
        1.5,
        20,
        "2026-01-31",
    )
    response = client.delete(f"{url(acc)}/{second['id']}", headers=acc.headers)
    assert response.status_code == 204
    [left] = client.get(url(acc), headers=acc.headers).get_json()["items"]
    assert (left["id"], left["valid_to"]) == (first["id"], None)
    assert client.delete(f"{url(acc)}/{second['id']}", headers=acc.headers).status_code == 404


def test_another_households_meter_or_tariff_is_not_found(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client, "other@example.com")
    theirs = add(client, other, valid_from="2026-01-01", unit_price=1)
    for method, path, body in (
        ("GET", url(other), None),
        ("POST", url(other), {"valid_from": "2026-01-01", "unit_price": 1}),
        ("POST", url(other), {"valid_from": "bad"}),
        ("PATCH", f"{url(other)}/{theirs['id']}", {"unit_price": 1}),
        ("DELETE", f"{url(other)}/{theirs['id']}", None),
        # one's own meter with another household's tariff id
        ("PATCH", f"{url(acc)}/{theirs['id']}", {"unit_price": 1}),
        ("DELETE", f"{url(acc)}/{theirs['id']}", None),
        ("GET", "/api/meters/99999999/tariffs", None),
    ):
        response = client.open(path, method=method, headers=acc.headers, json=body)
        assert response.status_code == 404, (method, path, response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.get(url(other), headers=other.headers).get_json()["items"][0]["unit_price"] == 1


def test_viewers_read_and_editors_write(app: Flask, client: FlaskClient, acc: Account) -> None:
    viewer = member(app, client, acc.household_id, "viewer", "viewer@example.com")
    editor = member(app, client, acc.household_id, "editor", "editor@example.com")
    created = add(client, acc, valid_from="2026-01-01", unit_price=1)
    assert client.get(url(acc), headers=viewer.headers).status_code == 200
    for method, path, body in (
        ("POST", url(acc), {"valid_from": "2026-02-01", "unit_price": 1}),
        ("POST", f"{url(acc)}?dry_run=true", {"valid_from": "2026-02-01", "unit_price": 1}),
        ("PATCH", f"{url(acc)}/{created['id']}", {"unit_price": 2}),
        ("DELETE", f"{url(acc)}/{created['id']}", None),
    ):
        response = client.open(path, method=method, headers=viewer.headers, json=body)
        assert response.status_code == 403, (method, path)
    response = client.patch(f"{url(acc)}/{created['id']}", headers=editor.headers, json={"unit_price": 2})
    assert response.status_code == 200


def test_a_dry_run_answers_the_change_in_past_costs_and_writes_nothing(
    app: Flask, client: FlaskClient, acc: Account
) -> None:
    meter = acc.meters["Electricity"]
    add_record(app, acc.id, meter, "2026-03-01", "10")  # priced by the tariff
    add_record(app, acc.id, meter, "2026-03-02", "4", "1.50")  # explicit cost, final
    first = add(client, acc, valid_from="2026-03-01", unit_price=0.2, standing_charge=0.1)
    # Today is 2026-03-15: 15 standing days (1.50) + 10 x 0.2 (2.00) + 1.50 explicit = 5.00.
    response = client.post(
        f"{url(acc)}?dry_run=true",
        headers=acc.headers,
        json={"valid_from": "2026-03-11", "unit_price": 1, "standing_charge": 0.1, "tax_pct": 10},
    )
    assert response.status_code == 200
    # From the 11th, 5 days of 0.11 standing instead of 0.10 each: +0.05.
    assert response.get_json() == {"days": 5, "cost_before": 5.0, "cost_after": 5.05, "difference": 0.05}
    response = client.patch(
        f"{url(acc)}/{first['id']}?dry_run=true", headers=acc.headers, json={"unit_price": 0.3, "tax_pct": 20}
    )
    # 10 x 0.3 x 1.2 = 3.60, 15 x 0.1 x 1.2 = 1.80, + 1.50 = 6.90
    assert response.get_json() == {"days": 15, "cost_before": 5.0, "cost_after": 6.9, "difference": 1.9}
    response = client.patch(
        f"{url(acc)}/{first['id']}?dry_run=true", headers=acc.headers, json={"valid_from": "2026-03-16"}
    )
    assert response.get_json() == {"days": 15, "cost_before": 5.0, "cost_after": 1.5, "difference": -3.5}
    response = client.delete(f"{url(acc)}/{first['id']}?dry_run=true", headers=acc.headers)
    assert response.status_code == 200
    assert response.get_json() == {"days": 15, "cost_before": 5.0, "cost_after": 1.5, "difference": -3.5}
    [kept] = client.get(url(acc), headers=acc.headers).get_json()["items"]
    assert (kept["id"], kept["unit_price"], kept["tax_pct"], kept["valid_from"]) == (first["id"], 0.2, 0, "2026-03-01")


def test_every_write_announces_tariff_changed(app: Flask, client: FlaskClient, acc: Account) -> None:
    received = listen_household(app, acc.household_id)
    created = add(client, acc, valid_from="2026-01-01", unit_price=1)
    client.post(f"{url(acc)}?dry_run=true", headers=acc.headers, json={"valid_from": "2026-02-01", "unit_price": 1})
    client.patch(f"{url(acc)}/{created['id']}", headers=acc.headers, json={"unit_price": 2})
    client.delete(f"{url(acc)}/{created['id']}", headers=acc.headers)
    meter = acc.meters["Electricity"]
    assert [(e["type"], e["meter_id"], e["tariff"]["unit_price"], e.get("deleted")) for e in received] == [
        ("tariff.changed", meter, 1, None),
        ("tariff.changed", meter, 2, None),
        ("tariff.changed", meter, 2, True),
    ]
    assert all(e["household_id"] == acc.household_id for e in received)


def test_the_document_states_the_dry_run_answers(app: Flask) -> None:
    spec = app.extensions["meterbook.openapi"]
    change = {"$ref": "#/components/schemas/CostChange"}
    tariffs = spec["paths"]["/api/meters/{meter_id}/tariffs"]
    assert tariffs["post"]["responses"]["200"]["content"]["application/json"]["schema"] == change
    assert tariffs["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TariffOut"
    }
    one = spec["paths"]["/api/meters/{meter_id}/tariffs/{tariff_id}"]
    assert one["delete"]["responses"]["200"]["content"]["application/json"]["schema"] == change
    assert one["patch"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "oneOf": [{"$ref": "#/components/schemas/TariffOut"}, change]
    }

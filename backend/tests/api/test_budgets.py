"""Budgets (PRODUCT §12): progress computed as the billing figures of §11, exact bodies, bad input,
roles and scoping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.households_helpers import member
from tests.factories import Account, account, add_meter, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient, clock: Any) -> Account:
    clock.current = datetime(2026, 3, 20, 12, tzinfo=UTC)  # today: 2026-03-20
    who = account(app, client)
    meter = who.meters["Electricity"]
    response = client.post(
        f"/api/meters/{meter}/tariffs",
        headers=who.headers,
        json={"valid_from": "2026-03-01", "unit_price": 0.25, "standing_charge": 0.1},
    )
    assert response.status_code == 201
    add_record(app, who.id, meter, "2026-03-02", "10")
    add_record(app, who.id, meter, "2026-03-05", "2", "1.00")
    return who


def post(client: FlaskClient, acc: Account, status: int = 201, **body: Any) -> Any:
    response = client.post("/api/budgets", headers=acc.headers, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def billing(client: FlaskClient, acc: Account, query: str) -> Any:
    response = client.get(f"/api/analytics/billing?{query}", headers=acc.headers)
    assert response.status_code == 200
    [group] = response.get_json()["groups"]
    return group


def test_a_meter_budget_answers_its_progress(client: FlaskClient, acc: Account) -> None:
    meter = acc.meters["Electricity"]
    budget = post(client, acc, name="Power", meter_id=meter, limit_amount=20)
    # To date 12 kWh; the mean of the 18 days since the first data is 12/18, x 11 days left:
    # forecast 12 + 7.333 = 19.333 kWh, 96.67% of 20.
    assert budget == {
        "id": budget["id"],
        "household_id": acc.household_id,
        "name": "Power",
        "meter_id": meter,
        "type": None,
        "period": "month",
        "limit_amount": 20,
        "limit_cost": None,
        "unit": "kWh",
        "thresholds": [80, 100],
        "progress": {
            "period": {"from": "2026-03-01", "to": "2026-03-31"},
            "used": 12,
            "limit": 20,
            "pct": 60,
            "forecast": 19.333,
            "forecast_pct": 96.67,
        },
        "created_at": budget["created_at"],
        "updated_at": budget["updated_at"],
    }
    figures = billing(client, acc, f"group_by=meter&meter_id={meter}")
    assert (figures["to_date_total"], figures["forecast_total"]) == (12, 19.333)
    assert client.get(f"/api/budgets/{budget['id']}", headers=acc.headers).get_json() == budget


def test_a_cost_budget_uses_the_billing_costs(client: FlaskClient, acc: Account) -> None:
    meter = acc.meters["Electricity"]
    budget = post(client, acc, name="Power cost", meter_id=meter, limit_cost=10, thresholds=[100, 50, 50])
    # 1.00 explicit + 10 kWh x 0.25 + 20 standing days x 0.10 = 5.50 to date.
    figures = billing(client, acc, f"group_by=meter&meter_id={meter}")
    assert figures["to_date_cost"] == 5.5
    assert budget["thresholds"] == [50, 100]
    assert (budget["limit_amount"], budget["limit_cost"], budget["unit"]) == (None, 10, None)
    assert budget["progress"] == {
        "period": {"from": "2026-03-01", "to": "2026-03-31"},
        "used": 5.5,
        "limit": 10,
        "pct": 55,
        "forecast": figures["forecast_cost"],
        "forecast_pct": round(figures["forecast_cost"] * 10, 2),
    }


def test_a_type_budget_adds_its_meters_in_the_canonical_unit(app: Flask, client: FlaskClient, acc: Account) -> None:
    sub = add_meter(app, acc.id, "Sub", "electricity", "Wh")
    add_record(app, acc.id, sub, "2026-03-10", "500")
    budget = post(client, acc, name="All power", type="electricity", limit_amount=25, period="billing")
    figures = billing(client, acc, "type=electricity")
    assert figures["to_date_total"] == 12.5
    assert budget["progress"]["used"] == 12.5
    assert budget["progress"]["forecast"] == figures["forecast_total"]
    assert budget["progress"]["pct"] == 50
    assert (budget["type"], budget["meter_id"], budget["unit"], budget["period"]) == (
        "electricity",
        None,
        "kWh",
        "billing",
    )


def test_the_billing_period_follows_the_billing_day(client: FlaskClient, acc: Account) -> None:
    response = client.patch(f"/api/households/{acc.household_id}", headers=acc.headers, json={"billing_day": 15})
    assert response.status_code == 200
    budget = post(client, acc, name="Power", meter_id=acc.meters["Electricity"], limit_amount=10, period="billing")
    assert budget["progress"]["period"] == {"from": "2026-03-15", "to": "2026-04-14"}
    assert budget["progress"]["used"] == 0


def test_list_patch_and_delete(client: FlaskClient, acc: Account) -> None:
    meter = acc.meters["Electricity"]
    first = post(client, acc, name="B power", meter_id=meter, limit_amount=20)
    second = post(client, acc, name="A water", type="water", limit_cost=30)
    listed = client.get("/api/budgets", headers=acc.headers).get_json()
    assert [b["id"] for b in listed["items"]] == [second["id"], first["id"]]
    assert {k: listed[k] for k in ("page", "per_page", "total", "pages")} == {
        "page": 1,
        "per_page": 20,
        "total": 2,
        "pages": 1,
    }

    response = client.patch(
        f"/api/budgets/{first['id']}", headers=acc.headers, json={"type": "electricity", "limit_cost": 6}
    )
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["meter_id"], changed["type"], changed["limit_amount"], changed["limit_cost"]) == (
        None,
        "electricity",
        None,
        6,
    )
    assert changed["progress"]["pct"] == round(5.5 / 6 * 100, 2)
    response = client.patch(f"/api/budgets/{first['id']}", headers=acc.headers, json={"meter_id": meter})
    assert (response.get_json()["meter_id"], response.get_json()["type"]) == (meter, None)

    assert client.delete(f"/api/budgets/{first['id']}", headers=acc.headers).status_code == 204
    assert client.get(f"/api/budgets/{first['id']}", headers=acc.headers).status_code == 404
    assert client.get("/api/budgets", headers=acc.headers).get_json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({"limit_amount": 5}, ["body", "type"], "give exactly one of meter_id and type"),
        (
            {"type": "water", "METER": True, "limit_amount": 5},
            ["body", "type"],
            "give exactly one of meter_id and type",
        ),
        ({"type": "water"}, ["body", "limit_cost"], "give exactly one of limit_amount and limit_cost"),
        (
            {"type": "water", "limit_amount": 5, "limit_cost": 5},
            ["body", "limit_cost"],
            "give exactly one of limit_amount and limit_cost",
        ),
        ({"type": "water", "limit_amount": 5, "thresholds": [0]}, ["body", "thresholds", 0], None),
        ({"type": "water", "limit_amount": 5, "thresholds": [80, 501]}, ["body", "thresholds", 1], None),
        ({"type": "water", "limit_amount": 5, "thresholds": []}, ["body", "thresholds"], None),
        ({"type": "water", "limit_amount": 0}, ["body", "limit_amount"], "Value error, must be greater than 0"),
        ({"type": "steam", "limit_amount": 5}, ["body", "type"], None),
        ({"type": "water", "limit_amount": 5, "period": "week"}, ["body", "period"], None),
        ({"meter_id": 999999, "limit_amount": 5}, ["body", "meter_id"], "Meter not found."),
    ],
)
def test_bad_input_is_refused(
    client: FlaskClient, acc: Account, body: dict[str, Any], loc: list[Any], message: str | None
) -> None:
    if body.pop("METER", False):
        body["meter_id"] = acc.meters["Water"]
    answer = post(client, acc, 422, name="Bad", **body)
    assert answer["error"]["code"] == "validation_error"
    [detail] = answer["error"]["details"]
    assert detail["loc"] == loc
    if message is not None:
        assert detail["msg"].removeprefix("Value error, ") == message.removeprefix("Value error, ")


def test_patch_refuses_both_of_a_pair_and_null(client: FlaskClient, acc: Account) -> None:
    budget = post(client, acc, name="Water", type="water", limit_amount=5)
    url = f"/api/budgets/{budget['id']}"
    for body, loc in (
        ({"meter_id": acc.meters["Water"], "type": "water"}, ["body", "type"]),
        ({"limit_amount": 1, "limit_cost": 1}, ["body", "limit_cost"]),
        ({"limit_amount": None}, ["body", "limit_amount"]),
        ({"thresholds": [501]}, ["body", "thresholds", 0]),
    ):
        response = client.patch(url, headers=acc.headers, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["details"][0]["loc"] == loc
    assert client.get(url, headers=acc.headers).get_json() == budget


def test_another_households_meter_and_budget_do_not_exist(app: Flask, client: FlaskClient, acc: Account) -> None:
    stranger = account(app, client)
    theirs = post(client, stranger, name="Theirs", type="gas", limit_amount=5)
    answer = post(client, acc, 422, name="Mine", meter_id=stranger.meters["Gas"], limit_amount=5)
    assert answer["error"]["details"] == [{"loc": ["body", "meter_id"], "msg": "Meter not found.", "type": "not_found"}]
    answer = post(client, acc, 422, name="Mine", type="gas", limit_amount=5, household_id=stranger.household_id)
    assert answer["error"]["details"][0]["loc"] == ["body", "household_id"]
    for method in ("GET", "PATCH", "DELETE"):
        response = client.open(f"/api/budgets/{theirs['id']}", method=method, headers=acc.headers, json={"name": "x"})
        assert response.status_code == 404, method
    assert client.get("/api/budgets", headers=acc.headers).get_json()["total"] == 0
    response = client.get(f"/api/budgets?household_id={stranger.household_id}", headers=acc.headers)
    assert response.status_code == 422


def test_viewers_read_and_editors_write(app: Flask, client: FlaskClient, acc: Account) -> None:
    viewer = member(app, client, acc.household_id, "viewer", "viewer@example.com")
    editor = member(app, client, acc.household_id, "editor", "editor@example.com")
    budget = post(client, acc, name="Water", type="water", limit_amount=5)
    assert client.get(f"/api/budgets/{budget['id']}", headers=viewer.headers).status_code == 200
    refused = client.post(
        "/api/budgets",
        headers=viewer.headers,
        json={"name": "V", "type": "water", "limit_amount": 5, "household_id": acc.household_id},
    )
    assert refused.status_code == 403
    assert client.patch(f"/api/budgets/{budget['id']}", headers=viewer.headers, json={"name": "V"}).status_code == 403
    assert client.delete(f"/api/budgets/{budget['id']}", headers=viewer.headers).status_code == 403
    response = client.patch(f"/api/budgets/{budget['id']}", headers=editor.headers, json={"name": "Edited"})
    assert response.get_json()["name"] == "Edited"
    made = client.post(
        "/api/budgets",
        headers=editor.headers,
        json={"name": "E", "type": "gas", "limit_amount": 5, "household_id": acc.household_id},
    )
    assert made.status_code == 201

"""Bills checked against the computed figures (PRODUCT §11): exact bodies, bad input, roles, events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import DailyRollup
from tests.api.households_helpers import listen_household, member, stop_listening  # noqa: F401
from tests.factories import Account, account, add_record


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
    with app.app_context():  # two days derived from readings, as a readings meter writes them
        for day in (date(2026, 3, 3), date(2026, 3, 4)):
            db.session.add(
                DailyRollup(
                    household_id=who.household_id,
                    meter_id=meter,
                    date=day,
                    total_milli=1500,
                    count=0,
                    cost_cents=0,
                    cost_count=0,
                    uncosted_milli=1500,
                    min_milli=1500,
                    max_milli=1500,
                )
            )
        db.session.commit()
    return who


def post(client: FlaskClient, acc: Account, status: int = 201, **body: Any) -> Any:
    body.setdefault("meter_id", acc.meters["Electricity"])
    response = client.post("/api/bills", headers=acc.headers, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_bill_answers_the_computed_figures_and_the_difference(client: FlaskClient, acc: Account) -> None:
    bill = post(client, acc, period_from="2026-03-01", period_to="2026-03-31", amount=16, cost=7.5, note="March")
    # Computed: 10 + 1.5 + 1.5 + 2 = 15 kWh; cost 1.00 explicit + 13 x 0.25 = 4.25 usage, 20 standing days
    # up to today x 0.10 = 2.00: 6.25. Billed 7.50: 1.25 more, 20% of 6.25.
    assert bill == {
        "id": bill["id"],
        "household_id": acc.household_id,
        "meter_id": acc.meters["Electricity"],
        "period_from": "2026-03-01",
        "period_to": "2026-03-31",
        "amount": 16,
        "cost": 7.5,
        "note": "March",
        "attachment_ids": [],
        "computed": {"amount": 15, "cost": 6.25},
        "difference": {"amount": 1, "cost": 1.25, "cost_pct": 20},
        "created_at": bill["created_at"],
        "updated_at": bill["updated_at"],
    }
    assert client.get(f"/api/bills/{bill['id']}", headers=acc.headers).get_json() == bill


def test_nothing_computed_gives_no_percentage(client: FlaskClient, acc: Account) -> None:
    bill = post(client, acc, meter_id=acc.meters["Water"], period_from="2026-03-01", period_to="2026-03-31", cost=5)
    assert (bill["amount"], bill["computed"], bill["difference"]) == (
        None,
        {"amount": 0, "cost": 0},
        {"amount": None, "cost": 5, "cost_pct": None},
    )


def test_a_tariff_change_changes_the_computed_side(client: FlaskClient, acc: Account) -> None:
    bill = post(client, acc, period_from="2026-03-01", period_to="2026-03-10", cost=4)
    [version] = client.get(f"/api/meters/{acc.meters['Electricity']}/tariffs", headers=acc.headers).get_json()["items"]
    response = client.patch(
        f"/api/meters/{acc.meters['Electricity']}/tariffs/{version['id']}", headers=acc.headers, json={"tax_pct": 10}
    )
    assert response.status_code == 200
    # 1.00 + 3.25 usage, 10 x 0.10 standing, 10% tax on 3.25 + 1.00 = 0.425 -> 0.43: 5.68
    again = client.get(f"/api/bills/{bill['id']}", headers=acc.headers).get_json()
    assert (again["computed"], again["difference"]) == (
        {"amount": 15, "cost": 5.68},
        {"amount": None, "cost": -1.68, "cost_pct": -29.58},
    )


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"period_from": "2026-03-10", "period_to": "2026-03-09", "cost": 1}, "period_to", "must not be before"),
        ({"period_from": "2025-01-01", "period_to": "2026-02-05", "cost": 1}, "period_to", "at most 400 days"),
        ({"period_from": "2026-03-01", "period_to": "2026-03-31", "cost": 1.234}, "cost", "at most 2 decimal"),
        ({"period_from": "2026-03-01", "period_to": "2026-03-31", "cost": -1}, "cost", "greater than or equal"),
        ({"period_from": "2026-03-01", "period_to": "2026-03-31", "cost": 1, "amount": 1.0001}, "amount", "3 dec"),
        ({"period_from": "2026-03-01", "period_to": "2026-03-31"}, "cost", "Field required"),
        ({"period_from": "2026-03-01", "period_to": "2026-03-31", "cost": 1, "meter_id": 0}, "meter_id", "greater"),
    ],
)
def test_bad_bills_are_refused(client: FlaskClient, acc: Account, body: dict[str, Any], loc: str, msg: str) -> None:
    error = post(client, acc, 422, **body)["error"]
    [detail] = error["details"]
    assert (detail["loc"], msg in detail["msg"]) == (["body", loc], True)


def test_exactly_400_days_is_a_bill(client: FlaskClient, acc: Account) -> None:
    bill = post(client, acc, period_from="2025-01-01", period_to="2026-02-04", cost=1)
    assert bill["period_to"] == "2026-02-04"


def test_another_households_meter_is_unknown(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client, "other@example.com")
    theirs = post(client, other, period_from="2026-03-01", period_to="2026-03-31", cost=1)
    body = {"period_from": "2026-03-01", "period_to": "2026-03-31", "cost": 1}
    error = post(client, acc, 422, meter_id=other.meters["Gas"], **body)["error"]
    assert error["details"] == [{"loc": ["body", "meter_id"], "msg": "Meter not found.", "type": "not_found"}]
    # a meter of one's own named with another of one's households
    error = post(client, acc, 422, household_id=other.household_id, **body)["error"]
    assert [d["loc"] for d in error["details"]] == [["body", "household_id"]]
    for method in ("GET", "PATCH", "DELETE"):
        response = client.open(f"/api/bills/{theirs['id']}", method=method, headers=acc.headers, json={"cost": 1})
        assert response.status_code == 404, method
    response = client.get("/api/bills", headers=acc.headers, query_string={"meter_id": other.meters["Electricity"]})
    assert response.status_code == 422
    assert client.get("/api/bills", headers=acc.headers).get_json()["total"] == 0


def test_list_patch_delete_and_roles(app: Flask, client: FlaskClient, acc: Account) -> None:
    viewer = member(app, client, acc.household_id, "viewer", "viewer@example.com")
    first = post(client, acc, period_from="2026-01-01", period_to="2026-01-31", cost=3)
    second = post(client, acc, period_from="2026-02-01", period_to="2026-02-28", cost=4)
    water = post(client, acc, meter_id=acc.meters["Water"], period_from="2026-02-01", period_to="2026-02-28", cost=1)
    page = client.get("/api/bills", headers=viewer.headers, query_string={"per_page": 2}).get_json()
    assert ([b["id"] for b in page["items"]], page["total"], page["pages"]) == ([water["id"], second["id"]], 3, 2)
    page = client.get("/api/bills", headers=acc.headers, query_string={"meter_id": acc.meters["Electricity"]})
    assert [b["id"] for b in page.get_json()["items"]] == [second["id"], first["id"]]

    body = {"period_from": "2026-03-01", "period_to": "2026-03-31", "cost": 1, "meter_id": acc.meters["Water"]}
    assert client.post("/api/bills", headers=viewer.headers, json=body).status_code == 403
    assert client.patch(f"/api/bills/{first['id']}", headers=viewer.headers, json={"cost": 9}).status_code == 403
    assert client.delete(f"/api/bills/{first['id']}", headers=viewer.headers).status_code == 403

    response = client.patch(f"/api/bills/{first['id']}", headers=acc.headers, json={"cost": 9, "amount": 2})
    assert (response.get_json()["cost"], response.get_json()["amount"]) == (9, 2)
    response = client.patch(f"/api/bills/{first['id']}", headers=acc.headers, json={"period_to": "2025-12-31"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["loc"] == ["body", "period_to"]
    response = client.patch(f"/api/bills/{first['id']}", headers=acc.headers, json={"cost": None})
    assert response.get_json()["error"]["details"][0]["loc"] == ["body", "cost"]
    response = client.patch(f"/api/bills/{first['id']}", headers=acc.headers, json={"amount": None, "note": "x"})
    assert (response.get_json()["amount"], response.get_json()["note"]) == (None, "x")
    assert client.delete(f"/api/bills/{first['id']}", headers=acc.headers).status_code == 204
    assert client.get(f"/api/bills/{first['id']}", headers=acc.headers).status_code == 404


def test_bill_events(app: Flask, client: FlaskClient, acc: Account) -> None:
    received = listen_household(app, acc.household_id)
    bill = post(client, acc, period_from="2026-03-01", period_to="2026-03-31", cost=7.5)
    client.patch(f"/api/bills/{bill['id']}", headers=acc.headers, json={"cost": 8})
    client.delete(f"/api/bills/{bill['id']}", headers=acc.headers)
    assert [(e["type"], e.get("bill", {}).get("cost"), e.get("id")) for e in received] == [
        ("bill.created", 7.5, None),
        ("bill.updated", 8, None),
        ("bill.deleted", None, bill["id"]),
    ]
    assert received[0]["bill"]["computed"] == {"amount": 15, "cost": 6.25}

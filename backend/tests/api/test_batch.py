"""Batch creation of records (PRODUCT §13): up to 1,000 items, all or nothing, item errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.api import batch
from app.errors import FieldError, InvalidField
from tests.api.security_helpers import error
from tests.factories import account, join


def _item(meter_id: int, day: int, amount: Any = 1.5, **extra: Any) -> dict[str, Any]:
    return {"meter_id": meter_id, "date": f"2026-10-{day:02d}", "amount": amount, **extra}


def _total(client: FlaskClient, headers: dict[str, str]) -> int:
    return client.get("/api/records", headers=headers).get_json()["total"]  # type: ignore[no-any-return]


def test_a_batch_creates_every_item(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    power, water = acct.meters["Electricity"], acct.meters["Water"]
    items = [_item(power, 1, 2.25, cost=0.5, note="first"), _item(water, 2, 0.125), _item(power, 3, 7)]
    response = client.post("/api/records/batch", json={"items": items}, headers=acct.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["created"] == 3
    assert [(r["meter_id"], r["date"], r["amount"], r["cost"], r["note"]) for r in body["items"]] == [
        (power, "2026-10-01", 2.25, 0.5, "first"),
        (water, "2026-10-02", 0.125, None, None),
        (power, "2026-10-03", 7, None, None),
    ]
    assert _total(client, acct.headers) == 3
    summary = client.get(
        "/api/analytics/summary?date_from=2026-10-01&date_to=2026-10-31&group_by=meter", headers=acct.headers
    ).get_json()
    totals = {group["label"]: group["total"] for group in summary["groups"]}
    assert totals["Electricity"] == 9.25


def test_a_thousand_items_are_accepted_and_a_thousand_and_one_refused(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    power = acct.meters["Electricity"]
    items = [_item(power, 1 + i % 28, i) for i in range(1001)]
    too_many = client.post("/api/records/batch", json={"items": items}, headers=acct.headers)
    assert too_many.status_code == 422
    assert [(d["loc"], d["type"]) for d in error(too_many)["details"]] == [(["body", "items"], "too_long")]
    assert _total(client, acct.headers) == 0
    ok = client.post("/api/records/batch", json={"items": items[:1000]}, headers=acct.headers)
    assert ok.status_code == 201
    assert ok.get_json()["created"] == 1000
    assert _total(client, acct.headers) == 1000


def test_an_empty_batch_is_refused(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    response = client.post("/api/records/batch", json={"items": []}, headers=acct.headers)
    assert response.status_code == 422
    assert [d["loc"] for d in error(response)["details"]] == [["body", "items"]]


def test_bad_items_are_listed_by_index_and_nothing_is_written(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    other = account(app, client)
    power = acct.meters["Electricity"]
    items = [
        _item(power, 1),
        _item(power, 2, -1),
        _item(other.meters["Electricity"], 3),
        _item(power, 4, note="x" * 501),
    ]
    response = client.post("/api/records/batch", json={"items": items}, headers=acct.headers)
    assert response.status_code == 422
    assert [d["loc"] for d in error(response)["details"]] == [
        ["body", "items", 1, "amount"],
        ["body", "items", 2, "meter_id"],
        ["body", "items", 3, "note"],
    ]
    assert _total(client, acct.headers) == 0
    assert _total(client, other.headers) == 0


def test_a_viewer_writes_nothing(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client)
    viewer = account(app, client)
    join(app, viewer.id, owner.household_id, "viewer")
    items = [_item(viewer.meters["Electricity"], 1), _item(owner.meters["Electricity"], 2)]
    response = client.post("/api/records/batch", json={"items": items}, headers=viewer.headers)
    assert response.status_code == 403
    assert _total(client, viewer.headers) == 0


def test_a_refusal_by_the_service_names_its_item(app: Flask) -> None:
    def add(item: int) -> int:
        if item == 7:
            raise InvalidField("meter_id", "Meter not found.", "not_found")
        return item

    with app.app_context():
        assert batch.create_all([1, 2], add) == {"created": 2, "items": [1, 2]}
        with pytest.raises(FieldError) as raised:
            batch.create_all([1, 7, 3], add)
    assert raised.value.details == [
        {"loc": ["body", "items", 1, "meter_id"], "msg": "Meter not found.", "type": "not_found"}
    ]


def test_a_write_token_sends_a_batch(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    token = client.post("/api/auth/tokens", json={"name": "pi", "scopes": ["write"]}, headers=acct.headers).get_json()[
        "token"
    ]
    response = client.post(
        "/api/records/batch",
        json={"items": [_item(acct.meters["Gas"], 5, 1.75)]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.get_json()["created"] == 1

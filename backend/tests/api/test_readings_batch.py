"""Batch creation of readings (PRODUCT §13): all or nothing, the order rule across the batch, one key."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.readings_helpers import days, read, readings_meter
from tests.factories import account


def _item(meter_id: int, taken_at: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"meter_id": meter_id, "taken_at": taken_at, "value": value, **extra}


def test_a_batch_derives_the_days_as_single_creates_do(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    meter = readings_meter(client, acc)
    items = [
        _item(meter, "2026-05-01T12:00:00+02:00", 100),
        _item(meter, "2026-05-03T12:00:00+02:00", 104.8),
        _item(meter, "2026-05-04T12:00:00+02:00", 2, kind="replacement", previous_final_value=106),
    ]
    response = client.post("/api/readings/batch", json={"items": items}, headers=acc.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["created"] == 3
    assert [(r["value"], r["kind"]) for r in body["items"]] == [
        (100, "reading"),
        (104.8, "reading"),
        (2, "replacement"),
    ]
    # 4.8 over two days, then 1.2 (to the old register's end) over one.
    assert days(app, meter) == {
        "2026-05-01": (1200, 1),
        "2026-05-02": (2400, 0),
        "2026-05-03": (1800, 1),
        "2026-05-04": (600, 1),
    }


def test_one_bad_item_writes_nothing_and_names_its_index(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    meter = readings_meter(client, acc)
    assert read(client, acc, meter, "2026-05-01T12:00:00+02:00", 100).status_code == 201
    items = [
        _item(meter, "2026-05-02T12:00:00+02:00", 101),
        _item(meter, "2026-05-03T12:00:00+02:00", 100.5),  # below the batch's own first item
    ]
    response = client.post("/api/readings/batch", json={"items": items}, headers=acc.headers)
    assert response.status_code == 422
    detail = response.get_json()["error"]["details"][0]
    assert (detail["loc"], detail["type"]) == (["body", "items", 1, "value"], "reading_order")
    assert client.get("/api/readings", headers=acc.headers).get_json()["total"] == 1
    assert days(app, meter) == {"2026-05-01": (0, 1)}


def test_a_replayed_key_writes_once(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    meter = readings_meter(client, acc)
    body = {"items": [_item(meter, "2026-05-01T12:00:00+02:00", 100)]}
    headers = {**acc.headers, "Idempotency-Key": "cellar-1"}
    first = client.post("/api/readings/batch", json=body, headers=headers)
    again = client.post("/api/readings/batch", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    assert client.get("/api/readings", headers=acc.headers).get_json()["total"] == 1
    other = client.post(
        "/api/readings/batch", json={"items": [_item(meter, "2026-05-02T12:00:00+02:00", 101)]}, headers=headers
    )
    assert other.status_code == 409

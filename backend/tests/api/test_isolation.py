"""A second user can neither read, change nor learn of the first user's data."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account, add_record


@pytest.fixture
def two(app: Flask, client: FlaskClient) -> tuple[Any, Any, int]:
    owner = account(app, client, "owner@example.com")
    intruder = account(app, client, "intruder@example.com")
    record_id = add_record(app, owner.id, owner.meters["Water"], "2026-01-01", "5", "1", "private")
    return owner, intruder, record_id


def test_foreign_ids_in_path_are_404(client: FlaskClient, two: tuple[Any, Any, int]) -> None:
    owner, intruder, record_id = two
    meter_id = owner.meters["Water"]
    calls = [
        ("get", f"/api/meters/{meter_id}", None),
        ("patch", f"/api/meters/{meter_id}", {"name": "Hijacked"}),
        ("delete", f"/api/meters/{meter_id}", None),
        ("delete", f"/api/meters/{meter_id}?cascade=true", None),
        ("get", f"/api/records/{record_id}", None),
        ("put", f"/api/records/{record_id}", {"meter_id": intruder.meters["Water"], "date": "2026-01-01", "amount": 1}),
        ("patch", f"/api/records/{record_id}", {"amount": 1}),
        ("delete", f"/api/records/{record_id}", None),
    ]
    for method, url, payload in calls:
        response = getattr(client, method)(url, headers=intruder.headers, json=payload)
        assert response.status_code == 404, (method, url)
        assert response.get_json()["error"]["code"] == "not_found"
    # Nothing changed for the owner.
    record = client.get(f"/api/records/{record_id}", headers=owner.headers).get_json()
    assert (record["amount"], record["note"], record["meter_name"]) == (5, "private", "Water")


def test_foreign_meter_in_body_is_422_like_a_missing_one(client: FlaskClient, two: tuple[Any, Any, int]) -> None:
    owner, intruder, _record_id = two
    foreign = client.post(
        "/api/records",
        headers=intruder.headers,
        json={"meter_id": owner.meters["Water"], "date": "2026-01-01", "amount": 1},
    )
    missing = client.post(
        "/api/records", headers=intruder.headers, json={"meter_id": 99999, "date": "2026-01-01", "amount": 1}
    )
    assert foreign.status_code == missing.status_code == 422
    assert foreign.get_json() == missing.get_json()
    own = client.post(
        "/api/records",
        headers=intruder.headers,
        json={"meter_id": intruder.meters["Water"], "date": "2026-01-01", "amount": 1},
    ).get_json()
    moved = client.patch(f"/api/records/{own['id']}", headers=intruder.headers, json={"meter_id": owner.meters["Gas"]})
    assert moved.status_code == 422


def test_lists_never_leak(client: FlaskClient, two: tuple[Any, Any, int]) -> None:
    owner, intruder, _ = two
    assert client.get("/api/records", headers=intruder.headers).get_json()["total"] == 0
    by_meter = client.get(f"/api/records?meter_id={owner.meters['Water']}", headers=intruder.headers)
    assert by_meter.status_code == 422
    assert by_meter.get_json()["error"]["details"] == [
        {"loc": ["query", "meter_id"], "msg": "Meter not found.", "type": "not_found"}
    ]
    assert client.get("/api/records?q=private", headers=intruder.headers).get_json()["total"] == 0
    meters = client.get("/api/meters", headers=intruder.headers).get_json()["items"]
    assert {m["id"] for m in meters}.isdisjoint(owner.meters.values())

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account


def test_concurrent_writes_on_one_day_keep_the_rollup_exact(app: Flask, client: FlaskClient, db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    acc = account(app, client)
    meter = acc.meters["Electricity"]

    def create(i: int) -> int:
        response = app.test_client().post(
            "/api/records",
            headers=acc.headers,
            json={"meter_id": meter, "date": "2026-04-01", "amount": i, "cost": 0.01},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(1, 41)))
    assert statuses == [201] * 40
    body = client.get(
        "/api/analytics/summary",
        headers=acc.headers,
        query_string={"date_from": "2026-04-01", "date_to": "2026-04-01", "type": "electricity"},
    ).get_json()
    group = body["groups"][0]
    assert (group["total"], group["count"], group["min"], group["max"], group["cost_total"]) == (820, 40, 1, 40, 0.4)


def test_concurrent_creates_edits_and_deletes_of_one_day_match_the_records(
    app: Flask, client: FlaskClient, db_kind: str
) -> None:
    """Creates add to the day's row with an upsert while edits and deletes recompute it: mixed, they agree."""
    if db_kind != "postgres":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    acc = account(app, client)
    meter = acc.meters["Electricity"]
    day = "2026-05-02"

    def post(amount: int) -> int:
        response = app.test_client().post(
            "/api/records", headers=acc.headers, json={"meter_id": meter, "date": day, "amount": amount, "cost": 1}
        )
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["id"])

    seeded = [post(i) for i in range(100, 120)]

    def work(i: int) -> int:
        c = app.test_client()
        if i % 3 == 0:
            return c.delete(f"/api/records/{seeded[i // 3]}", headers=acc.headers).status_code
        if i % 3 == 1:
            # Move the extremes around: the edited record becomes the day's smallest or largest.
            amount = 1 if i % 2 else 5000
            return c.patch(f"/api/records/{seeded[i // 3]}", headers=acc.headers, json={"amount": amount}).status_code
        return c.post(
            "/api/records", headers=acc.headers, json={"meter_id": meter, "date": day, "amount": i, "cost": 0.5}
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(work, range(60)))
    # An edit of a record deleted at the same moment answers 409 (or 404 if the delete came first).
    assert set(statuses) <= {200, 201, 204, 404, 409}, statuses
    assert statuses.count(201) == 20

    records = client.get(
        "/api/records", headers=acc.headers, query_string={"date_from": day, "date_to": day, "per_page": 100}
    ).get_json()["items"]
    amounts = [r["amount"] for r in records]
    body = client.get(
        "/api/analytics/summary",
        headers=acc.headers,
        query_string={"date_from": day, "date_to": day, "type": "electricity"},
    ).get_json()
    group = body["groups"][0]
    expected_cost = round(sum(r["cost"] for r in records), 2)
    assert (group["total"], group["count"], group["min"], group["max"], group["cost_total"]) == (
        sum(amounts),
        len(amounts),
        min(amounts),
        max(amounts),
        expected_cost,
    )

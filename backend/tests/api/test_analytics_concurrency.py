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

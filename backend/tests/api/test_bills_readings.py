"""A bill on a readings meter: the computed side prices the days derived from its readings (§10, §11)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.readings_helpers import days, read, readings_meter
from tests.factories import account


def test_the_computed_side_follows_the_readings(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 3, 20, 12, tzinfo=UTC)
    acc = account(app, client)
    meter = readings_meter(client, acc)  # Europe/Berlin, kWh
    tariff = {"valid_from": "2026-03-01", "unit_price": 0.5, "standing_charge": 0.2, "tax_pct": 10}
    assert client.post(f"/api/meters/{meter}/tariffs", headers=acc.headers, json=tariff).status_code == 201
    assert read(client, acc, meter, "2026-03-01T12:00:00+01:00", 100).status_code == 201
    second = read(client, acc, meter, "2026-03-03T12:00:00+01:00", 104.8)
    assert second.status_code == 201
    assert days(app, meter) == {"2026-03-01": (1200, 1), "2026-03-02": (2400, 0), "2026-03-03": (1200, 1)}

    body = {"meter_id": meter, "period_from": "2026-03-01", "period_to": "2026-03-03", "amount": 5, "cost": 3.63}
    bill = client.post("/api/bills", headers=acc.headers, json=body).get_json()
    # 4.8 kWh x 0.50 = 2.40 usage, 3 days x 0.20 = 0.60 standing, 10% of 3.00 = 0.30 tax: 3.30.
    assert (bill["computed"], bill["difference"]) == (
        {"amount": 4.8, "cost": 3.3},
        {"amount": 0.2, "cost": 0.33, "cost_pct": 10},
    )
    summary = client.get(
        f"/api/analytics/summary?meter_id={meter}&group_by=meter&date_from=2026-03-01&date_to=2026-03-03",
        headers=acc.headers,
    ).get_json()["groups"][0]
    assert (summary["total"], summary["cost_usage"], summary["cost_standing"], summary["cost_tax"]) == (
        4.8,
        2.4,
        0.6,
        0.3,
    )

    # A corrected reading re-derives the days, and the bill's computed side follows at once.
    reading_id = second.get_json()["id"]
    assert client.patch(f"/api/readings/{reading_id}", headers=acc.headers, json={"value": 106}).status_code == 200
    again = client.get(f"/api/bills/{bill['id']}", headers=acc.headers).get_json()
    # 6 kWh x 0.50 = 3.00, 0.60 standing, 0.36 tax: 3.96.
    assert again["computed"] == {"amount": 6, "cost": 3.96}
    assert again["difference"]["cost"] == -0.33

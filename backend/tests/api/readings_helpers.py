"""Helpers of the readings tests: a readings meter in a household's time zone, the rollup rows."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import DailyRollup
from tests.factories import Account


def readings_meter(
    client: FlaskClient, who: Account, zone: str = "Europe/Berlin", name: str = "Main", **settings: Any
) -> int:
    """A readings meter (electricity, kWh) in ``who``'s home, whose time zone becomes ``zone``."""
    home = who.household_id
    assert client.patch(f"/api/households/{home}", headers=who.headers, json={"timezone": zone}).status_code == 200
    body = {"name": name, "type": "electricity", "unit": "kWh", "mode": "readings", **settings}
    response = client.post("/api/meters", headers=who.headers, json=body)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def read(client: FlaskClient, who: Account, meter_id: int, taken_at: str, value: Any, **extra: Any) -> Any:
    return client.post(
        "/api/readings", headers=who.headers, json={"meter_id": meter_id, "taken_at": taken_at, "value": value, **extra}
    )


def days(app: Flask, meter_id: int) -> dict[str, tuple[int, int]]:
    """The meter's rollup rows as {day: (total in thousandths, count)}; every row checked for shape."""
    with app.app_context():
        rows = db.session.scalars(select(DailyRollup).where(DailyRollup.meter_id == meter_id)).all()
        out = {}
        for row in rows:
            assert (row.cost_cents, row.cost_count) == (0, 0)
            assert row.uncosted_milli == row.min_milli == row.max_milli == row.total_milli
            out[row.date.isoformat()] = (row.total_milli, row.count)
        return dict(sorted(out.items()))

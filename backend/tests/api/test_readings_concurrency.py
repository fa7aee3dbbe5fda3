"""Two writers on one readings meter at once (PostgreSQL): the derived days stay exact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.services import rollups
from tests.api.readings_helpers import days, readings_meter
from tests.api.test_readings_property import ZONE, _expected
from tests.factories import account


def test_two_writers_on_one_meter_keep_the_days_exact(app: Flask, client: FlaskClient, db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    acc = account(app, client)
    meter = readings_meter(client, acc)
    start = datetime(2026, 3, 27, tzinfo=ZONE)

    def reading(hour: int) -> dict[str, object]:
        # Values rise with time, so every order of arrival is valid.
        return {"meter_id": meter, "taken_at": (start + timedelta(hours=5 * hour)).isoformat(), "value": hour * 1.5}

    def writer(hours: range) -> list[int]:
        own = app.test_client()
        statuses = []
        for hour in hours:
            response = own.post("/api/readings", headers=acc.headers, json=reading(hour))
            statuses.append(response.status_code)
            if hour % 5 < 2:  # and now and then take one of your own away again
                url = f"/api/readings/{response.get_json()['id']}"
                statuses.append(own.delete(url, headers=acc.headers).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(writer, [range(0, 40, 2), range(1, 40, 2)]))
    assert [sorted(set(statuses)) for statuses in results] == [[201, 204], [201, 204]]
    stored = client.get(f"/api/readings?meter_id={meter}&per_page=100", headers=acc.headers).get_json()["items"]
    assert len(stored) == 24
    expected, whole = _expected(stored, None)
    assert days(app, meter) == expected
    assert whole == round((max(r["value"] for r in stored) - min(r["value"] for r in stored)) * 1000)
    with app.app_context():
        rollups.rebuild(acc.household_id)
        db.session.commit()
    assert days(app, meter) == expected

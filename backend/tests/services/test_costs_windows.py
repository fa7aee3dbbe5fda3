"""``windows_costs`` (billing's windows priced in one statement) equals ``tariff_costs`` of each
window on its own, whether the windows are disjoint, overlapping, empty or fall between versions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from app.services import costs
from tests.factories import account, add_record

TODAY = date(2026, 3, 20)


@pytest.fixture
def household(app: Flask, client: FlaskClient) -> tuple[int, list[int]]:
    acc = account(app, client)
    electricity, water = acc.meters["Electricity"], acc.meters["Water"]
    for body in (
        {"valid_from": "2026-01-10", "unit_price": 0.2, "standing_charge": 0.5, "tax_pct": 5},
        {"valid_from": "2026-03-16", "unit_price": 0.3, "standing_charge": 0.6, "tax_pct": 7.5},
    ):
        response = client.post(f"/api/meters/{electricity}/tariffs", headers=acc.headers, json=body)
        assert response.status_code == 201, response.get_json()
    for day, amount, cost in (
        ("2026-01-05", "4", None),  # before the first version: not priced
        ("2026-01-12", "10", None),
        ("2026-02-01", "3", "1.00"),  # an explicit cost: no tariff usage
        ("2026-02-27", "2.5", None),
        ("2026-03-16", "5", None),
        ("2026-03-25", "2", None),  # after today: usage priced, no standing charge
    ):
        add_record(app, acc.id, electricity, day, amount, cost)
    add_record(app, acc.id, water, "2026-02-10", "7")  # no tariff at all
    return acc.household_id, [electricity, water]


WINDOWS: list[list[tuple[date, date]]] = [
    [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2025, 3, 1), date(2025, 3, 31)),
    ],
    [(date(2026, 1, 1), date(2026, 2, 15)), (date(2026, 2, 1), date(2026, 3, 31))],  # overlapping
    [(date(2026, 3, 10), date(2026, 3, 9)), (date(2026, 1, 1), date(2026, 1, 31))],  # an empty window
    [(date(2026, 3, 16), date(2026, 3, 16)), (date(2026, 1, 10), date(2026, 1, 11))],  # version edges
]


@pytest.mark.parametrize("windows", WINDOWS)
def test_windows_equal_each_window_alone(app: Flask, household: tuple[int, list[int]], windows: Any) -> None:
    household_id, meters = household
    with app.app_context():
        together = costs.windows_costs(household_id, meters, windows, TODAY)
        alone = [costs.tariff_costs(household_id, meters, start, end, TODAY) for start, end in windows]
    assert together == alone
    assert any(together)  # the windows price something


def test_disjoint_windows_read_the_rollups_once(app: Flask, household: tuple[int, list[int]]) -> None:
    household_id, meters = household
    with app.app_context():
        prices = costs.prices_of(household_id, meters)
        seen: list[str] = []

        def record(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            costs.windows_costs(household_id, meters, WINDOWS[0], TODAY, prices)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len([sql for sql in seen if "daily_rollups" in sql]) == 1

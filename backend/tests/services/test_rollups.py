"""Daily rollups: the upsert for a new record, day and range recomputes, and a full rebuild
all give the rows a plain aggregation of the records gives."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from app.extensions import db
from app.models import DailyRollup, Meter, Record
from app.services import rollups
from tests.factories import create_user, home_of

Row = tuple[int, date, int, int, int, int, int, int]


def rollup_rows(household_id: int) -> list[Row]:
    r = DailyRollup
    stmt = (
        select(r.meter_id, r.date, r.total_milli, r.count, r.cost_cents, r.cost_count, r.min_milli, r.max_milli)
        .where(r.household_id == household_id)
        .order_by(r.meter_id, r.date)
    )
    return [tuple(row) for row in db.session.execute(stmt)]  # type: ignore[misc]


def insert_record(household_id: int, meter_id: int, day: date, milli: int, cents: int | None) -> Record:
    record = Record(household_id=household_id, meter_id=meter_id, date=day, amount_milli=milli, cost_cents=cents)
    db.session.add(record)
    db.session.flush()
    return record


@pytest.fixture
def owner(app: Flask) -> Any:
    user_id, _ = create_user(app)
    household_id = home_of(app, user_id)
    with app.app_context():
        meters = dict(db.session.execute(select(Meter.name, Meter.id).where(Meter.household_id == household_id)).all())
        yield household_id, meters["Water"], meters["Gas"]
        db.session.rollback()


D1, D2, D3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)


def test_add_record_creates_then_widens_the_days_row(owner: Any) -> None:
    household_id, water, _ = owner
    for milli, cents in ((5000, None), (2000, 150), (9000, 0)):
        insert_record(household_id, water, D1, milli, cents)
        rollups.add_record(household_id, water, D1, milli, cents)
    assert rollup_rows(household_id) == [(water, D1, 16000, 3, 150, 2, 2000, 9000)]


def test_refresh_days_recomputes_only_the_given_days(owner: Any) -> None:
    household_id, water, gas = owner
    kept = insert_record(household_id, water, D1, 1000, 10)
    gone = insert_record(household_id, water, D1, 3000, None)
    insert_record(household_id, gas, D2, 7000, 70)
    rollups.refresh_days(household_id, [(water, D1), (gas, D2), (gas, D3)])
    assert rollup_rows(household_id) == [(water, D1, 4000, 2, 10, 1, 1000, 3000), (gas, D2, 7000, 1, 70, 1, 7000, 7000)]
    db.session.delete(gone)
    kept.amount_milli = 500
    rollups.refresh_days(household_id, [(water, D1)])
    assert rollup_rows(household_id) == [(water, D1, 500, 1, 10, 1, 500, 500), (gas, D2, 7000, 1, 70, 1, 7000, 7000)]
    db.session.delete(kept)
    rollups.refresh_days(household_id, [(water, D1)])
    assert rollup_rows(household_id) == [(gas, D2, 7000, 1, 70, 1, 7000, 7000)]
    rollups.refresh_days(household_id, [])
    assert rollup_rows(household_id) == [(gas, D2, 7000, 1, 70, 1, 7000, 7000)]


def test_refresh_range_covers_its_dates_and_meter_only(owner: Any) -> None:
    household_id, water, gas = owner
    for day, milli in ((D1, 1000), (D2, 2000), (D2, 500), (D3, 3000)):
        insert_record(household_id, water, day, milli, None)
    insert_record(household_id, gas, D2, 4000, None)
    rollups.refresh_range(household_id, water, D1, D2)
    assert rollup_rows(household_id) == [(water, D1, 1000, 1, 0, 0, 1000, 1000), (water, D2, 2500, 2, 0, 0, 500, 2000)]


def test_rebuild_equals_the_incremental_rows(app: Flask, owner: Any) -> None:
    household_id, water, gas = owner
    other_household = home_of(app, create_user(app)[0])
    other_gas = db.session.scalar(select(Meter.id).where(Meter.household_id == other_household, Meter.name == "Gas"))
    for meter_id, day, milli, cents in ((water, D1, 1250, 99), (water, D1, 750, None), (gas, D3, 1, 1)):
        insert_record(household_id, meter_id, day, milli, cents)
        rollups.add_record(household_id, meter_id, day, milli, cents)
    insert_record(other_household, other_gas, D1, 42, None)
    rollups.add_record(other_household, other_gas, D1, 42, None)
    incremental = rollup_rows(household_id)
    db.session.execute(delete(DailyRollup).where(DailyRollup.household_id == household_id))
    assert rollups.rebuild(household_id) == 2
    assert (
        rollup_rows(household_id)
        == incremental
        == [
            (water, D1, 2000, 2, 99, 1, 750, 1250),
            (gas, D3, 1, 1, 1, 1, 1, 1),
        ]
    )
    assert rollup_rows(other_household) == [(other_gas, D1, 42, 1, 0, 0, 42, 42)]
    db.session.execute(delete(DailyRollup))
    assert rollups.rebuild() == 3
    assert rollup_rows(other_household) == [(other_gas, D1, 42, 1, 0, 0, 42, 42)]

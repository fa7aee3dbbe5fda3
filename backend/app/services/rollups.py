"""Daily rollups per (household, meter, date), kept current inside the writer's transaction.

A new record is added to its day's row with one upsert (totals add up, min and max widen).
Anything that can take a value away (an edit, a delete, a bulk write) recomputes the
affected days from the records instead. Readings meters' days are written by
``readings.recompute`` (derived from the readings), which ``rebuild`` runs too. Every writer
holds the household's lock (``lock_household``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    TextClause,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)

from ..extensions import db
from ..models import DailyRollup, Record
from . import alerts, readings, versions
from .locks import lock_household

_CHUNK = 500


def _uncosted(r: Any) -> ColumnElement[Any]:
    """The day's amount without an explicit cost: what a tariff prices."""
    return func.coalesce(func.sum(case((r.cost_cents.is_(None), r.amount_milli), else_=0)), 0)


def _aggregate(household_id: int, meter_id: int, condition: ColumnElement[bool]) -> Select[Any]:
    r = Record.__table__.c
    return (
        select(
            literal(household_id).label("household_id"),
            literal(meter_id).label("meter_id"),
            r.date,
            func.sum(r.amount_milli),
            func.count(),
            func.coalesce(func.sum(r.cost_cents), 0),
            func.count(r.cost_cents),
            func.min(r.amount_milli),
            func.max(r.amount_milli),
            _uncosted(r),
        )
        .where(r.household_id == household_id, r.meter_id == meter_id, condition)
        .group_by(r.date)
    )


_COLUMNS = [
    "household_id",
    "meter_id",
    "date",
    "total_milli",
    "count",
    "cost_cents",
    "cost_count",
    "min_milli",
    "max_milli",
    "uncosted_milli",
]


def _upsert(least: str, greatest: str) -> TextClause:
    """The upsert of one new record into its day's row, as text: SQLAlchemy never caches the
    compiled form of a dialect's ``INSERT ... ON CONFLICT`` construct, and this runs on every
    record create."""
    return text(
        f"""INSERT INTO daily_rollups ({", ".join(_COLUMNS)})
        VALUES (:household_id, :meter_id, :date, :milli, 1, :cents, :cost_count, :milli, :milli, :uncosted)
        ON CONFLICT (household_id, meter_id, date) DO UPDATE SET
            total_milli = daily_rollups.total_milli + excluded.total_milli,
            count = daily_rollups.count + 1,
            cost_cents = daily_rollups.cost_cents + excluded.cost_cents,
            cost_count = daily_rollups.cost_count + excluded.cost_count,
            min_milli = {least}(daily_rollups.min_milli, excluded.min_milli),
            max_milli = {greatest}(daily_rollups.max_milli, excluded.max_milli),
            uncosted_milli = daily_rollups.uncosted_milli + excluded.uncosted_milli"""  # noqa: S608 (constants)
    ).bindparams(bindparam("date", type_=Date))


# SQLite's two-argument min() and max() are its least() and greatest().
_UPSERT = {"postgresql": _upsert("least", "greatest"), "sqlite": _upsert("min", "max")}


def add_record(household_id: int, meter_id: int, day: date, amount_milli: int, cost_cents: int | None) -> None:
    """Count one new record into its day's row, creating the row if it is the day's first.

    The caller holds the household's lock (``lock_household``), so no recompute of the day runs at
    the same time; the upsert saves recomputing the day from its records.
    """
    alerts.after_write(household_id)
    versions.touch(household_id)  # raw text: the version hooks do not read it
    db.session.execute(
        _UPSERT[db.session.get_bind().dialect.name],
        {
            "household_id": household_id,
            "meter_id": meter_id,
            "date": day,
            "milli": amount_milli,
            "cents": cost_cents or 0,
            "cost_count": 0 if cost_cents is None else 1,
            "uncosted": amount_milli if cost_cents is None else 0,
        },
    )


def refresh_days(household_id: int, touched: Iterable[tuple[int, date]]) -> None:
    """Recompute the rollup rows of the given (meter_id, date) pairs of one household."""
    by_meter: dict[int, set[date]] = defaultdict(set)
    for meter_id, day in touched:
        by_meter[meter_id].add(day)
    if not by_meter:
        return
    db.session.flush()
    lock_household(household_id)
    alerts.after_write(household_id)
    rc = Record.__table__.c
    rollups = DailyRollup.__table__
    for meter_id, days in by_meter.items():
        ordered = sorted(days)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            db.session.execute(
                delete(rollups).where(
                    rollups.c.household_id == household_id, rollups.c.meter_id == meter_id, rollups.c.date.in_(chunk)
                )
            )
            db.session.execute(
                insert(rollups).from_select(_COLUMNS, _aggregate(household_id, meter_id, rc.date.in_(chunk)))
            )


def refresh_range(household_id: int, meter_id: int, date_from: date, date_to: date) -> None:
    """Recompute every rollup row of one meter between two dates (bulk writes)."""
    db.session.flush()
    lock_household(household_id)
    alerts.after_write(household_id)
    rc = Record.__table__.c
    rollups = DailyRollup.__table__
    db.session.execute(
        delete(rollups).where(
            rollups.c.household_id == household_id,
            rollups.c.meter_id == meter_id,
            rollups.c.date >= date_from,
            rollups.c.date <= date_to,
        )
    )
    db.session.execute(
        insert(rollups).from_select(
            _COLUMNS, _aggregate(household_id, meter_id, and_(rc.date >= date_from, rc.date <= date_to))
        )
    )


def rebuild(household_id: int | None = None) -> int:
    """Rebuild rollups from scratch for one household or every one, records and readings meters
    alike; returns the rows written."""
    rollups = DailyRollup.__table__
    rc = Record.__table__.c
    stmt = delete(rollups)
    agg = select(
        rc.household_id,
        rc.meter_id,
        rc.date,
        func.sum(rc.amount_milli),
        func.count(),
        func.coalesce(func.sum(rc.cost_cents), 0),
        func.count(rc.cost_cents),
        func.min(rc.amount_milli),
        func.max(rc.amount_milli),
        _uncosted(rc),
    ).group_by(rc.household_id, rc.meter_id, rc.date)
    if household_id is not None:
        lock_household(household_id)
        stmt = stmt.where(rollups.c.household_id == household_id)
        agg = agg.where(rc.household_id == household_id)
    db.session.execute(stmt)
    result = db.session.execute(insert(rollups).from_select(_COLUMNS, agg))
    # Readings meters have no records: their days are derived from their readings (one writer).
    return int(getattr(result, "rowcount", 0) or 0) + readings.rebuild(household_id)

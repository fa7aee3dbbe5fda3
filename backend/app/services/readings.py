"""Derived consumption of readings meters (PRODUCT §10): the daily rollups and the flags.

One function writes a readings meter's rollup rows, ``recompute``: it reads the readings around
a span of local days, spreads each interval over its days (``interpolation.split``) and
rewrites exactly those days' rows, and the flags of the readings whose interval lies in the
span. A write recomputes the days of the (at most two) intervals it touches; a rebuild runs the
same function over the meter's whole history, so the two cannot disagree.

A day gets a row when its total is not 0 or a reading was taken on it (``count``); a day an
interval crosses with a share of 0 and no reading has none, as a day without records has none.
The rows of a readings day: total = the day's shares, count = readings taken that local day,
no cost (``uncosted_milli`` = total, which tariffs price), min = max = total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select

from ..errors import Conflict, InvalidField
from ..extensions import db
from ..models import DailyRollup, Household, Meter, Reading
from . import alerts
from .interpolation import day_start, local_day, split
from .locks import lock_household

_DAY_MICROS = 86_400_000_000


def zone_of(household_id: int) -> ZoneInfo:
    household = db.session.get(Household, household_id)  # usually already loaded by the role check
    name = household.timezone if household is not None else "UTC"
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def interval(
    before_value: int, after_value: int, kind: str, previous_final: int | None, rollover: int | None
) -> tuple[int, bool] | None:
    """The consumption between two consecutive readings and whether the register wrapped, or
    None when the pair breaks the order rule (a decrease without replacement or rollover)."""
    end = previous_final if kind == "replacement" and previous_final is not None else after_value
    if end >= before_value:
        return end - before_value, False
    if rollover is not None:
        return rollover - before_value + end, True
    return None


def _micros(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


def high_rate(delta: int, start: datetime, end: datetime, max_per_day: int | None) -> bool:
    """Whether ``delta`` over ``[start, end)`` averages more per day than ``max_per_day``."""
    return max_per_day is not None and delta * _DAY_MICROS > max_per_day * _micros(end - start)


def _around(meter_id: int, start: datetime, end: datetime) -> list[Reading]:
    """The meter's readings in ``[start, end)``, with the last one before and the first one after."""
    r = Reading
    inside = list(
        db.session.scalars(
            select(r).where(r.meter_id == meter_id, r.taken_at >= start, r.taken_at < end).order_by(r.taken_at)
        )
    )
    before = db.session.scalar(
        select(r).where(r.meter_id == meter_id, r.taken_at < start).order_by(r.taken_at.desc()).limit(1)
    )
    after = db.session.scalar(select(r).where(r.meter_id == meter_id, r.taken_at >= end).order_by(r.taken_at).limit(1))
    return ([before] if before is not None else []) + inside + ([after] if after is not None else [])


def recompute(meter: Meter, first: date, last: date, zone: ZoneInfo | None = None) -> int:
    """Rewrite the rollup rows of ``meter`` for the local days ``first``..``last`` and the flags of
    the readings whose interval ends in them (the caller holds the household's lock); returns
    the rows written."""
    db.session.flush()
    lock_household(meter.household_id)
    zone = zone or zone_of(meter.household_id)
    start, end = day_start(first, zone), day_start(last + timedelta(days=1), zone)
    found = _around(meter.id, start, end)
    totals: dict[date, int] = defaultdict(int)
    counts: dict[date, int] = defaultdict(int)
    for index, reading in enumerate(found):
        if start <= reading.taken_at < end:
            counts[local_day(reading.taken_at, zone)] += 1
        if index == 0:
            if reading.taken_at >= start:  # the meter's first reading: no interval ends at it
                _set_flags(reading, False, False)
            continue
        previous = found[index - 1]
        pair = interval(
            previous.value_milli,
            reading.value_milli,
            reading.kind,
            reading.previous_final_milli,
            meter.rollover_at_milli,
        )
        delta, wrapped = pair if pair is not None else (0, False)
        _set_flags(reading, wrapped, high_rate(delta, previous.taken_at, reading.taken_at, meter.max_per_day_milli))
        if reading.taken_at <= start or previous.taken_at >= end:
            continue
        for day, share in split(previous.taken_at, reading.taken_at, delta, zone):
            if first <= day <= last:
                totals[day] += share
    return _write_rows(meter, first, last, totals, counts)


def _set_flags(reading: Reading, wrapped: bool, rate: bool) -> None:
    if (reading.wrapped, reading.high_rate) != (wrapped, rate):
        reading.wrapped, reading.high_rate = wrapped, rate


def _write_rows(meter: Meter, first: date, last: date, totals: dict[date, int], counts: dict[date, int]) -> int:
    alerts.after_write(meter.household_id)  # the budgets of the household are checked after the commit
    rollups = DailyRollup.__table__
    db.session.execute(
        delete(rollups).where(
            rollups.c.household_id == meter.household_id,
            rollups.c.meter_id == meter.id,
            rollups.c.date >= first,
            rollups.c.date <= last,
        )
    )
    rows = [
        {
            "household_id": meter.household_id,
            "meter_id": meter.id,
            "date": day,
            "total_milli": totals.get(day, 0),
            "count": counts.get(day, 0),
            "cost_cents": 0,
            "cost_count": 0,
            "min_milli": totals.get(day, 0),
            "max_milli": totals.get(day, 0),
            "uncosted_milli": totals.get(day, 0),
        }
        for day in sorted(set(totals) | set(counts))
        if totals.get(day, 0) != 0 or counts.get(day, 0) > 0
    ]
    if rows:
        db.session.execute(insert(rollups), rows)
    return len(rows)


def span_between(before: Reading | None, instant: datetime, after: Reading | None, zone: ZoneInfo) -> tuple[date, date]:
    """The local days of the intervals on both sides of ``instant``, its neighbours known."""
    first = before.taken_at if before is not None else instant
    last = after.taken_at if after is not None else instant
    return local_day(first, zone), local_day(last, zone)


def span_of(meter_id: int, instants: Iterable[datetime], zone: ZoneInfo) -> tuple[date, date]:
    """The local days of the intervals that begin or end at ``instants``: from the reading
    before the earliest to the reading after the latest (the readings as stored now)."""
    moments = sorted(instants)
    r = Reading
    before = db.session.scalar(select(func.max(r.taken_at)).where(r.meter_id == meter_id, r.taken_at < moments[0]))
    after = db.session.scalar(select(func.min(r.taken_at)).where(r.meter_id == meter_id, r.taken_at > moments[-1]))
    return local_day(_aware(before or moments[0]), zone), local_day(_aware(after or moments[-1]), zone)


def _aware(value: datetime) -> datetime:
    # func.max() bypasses the column's type on SQLite: the value comes back naive (UTC) or as text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo("UTC"))


def merge(spans: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    """Spans of days joined where they overlap or touch."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def rebuild_meter(meter: Meter) -> int:
    """Recompute every day and flag of one readings meter from its readings; returns the rows written."""
    lock_household(meter.household_id)
    zone = zone_of(meter.household_id)
    db.session.execute(delete(DailyRollup).where(DailyRollup.meter_id == meter.id))
    bounds = db.session.execute(
        select(func.min(Reading.taken_at), func.max(Reading.taken_at)).where(Reading.meter_id == meter.id)
    ).one()
    if bounds[0] is None:
        return 0
    return recompute(meter, local_day(_aware(bounds[0]), zone), local_day(_aware(bounds[1]), zone), zone)


def rebuild(household_id: int | None = None) -> int:
    """Rebuild the rollups of every readings meter (of one household, or all); returns the rows written."""
    stmt: Any = select(Meter).where(Meter.mode == "readings").order_by(Meter.id)
    if household_id is not None:
        stmt = stmt.where(Meter.household_id == household_id)
    return sum(rebuild_meter(meter) for meter in db.session.scalars(stmt).all())


def latest_of(meter_ids: list[int]) -> dict[int, tuple[datetime, int]]:
    """The latest reading (taken_at, value in thousandths) of each of these meters that has one."""
    if not meter_ids:
        return {}
    r = Reading
    last = (
        select(r.meter_id, func.max(r.taken_at).label("taken_at")).where(r.meter_id.in_(meter_ids)).group_by(r.meter_id)
    ).subquery()
    rows = db.session.execute(
        select(r.meter_id, r.taken_at, r.value_milli).join(
            last, (r.meter_id == last.c.meter_id) & (r.taken_at == last.c.taken_at)
        )
    )
    return {meter_id: (taken_at, value) for meter_id, taken_at, value in rows}


def settings_changed(meter: Meter, rollover_changed: bool) -> None:
    """After a change of ``rollover_at`` or ``max_per_day``: check the readings still keep the
    order rule, then recompute the meter's days and flags."""
    if rollover_changed:
        r = Reading
        highest = db.session.scalar(select(func.max(r.value_milli)).where(r.meter_id == meter.id))
        if meter.rollover_at_milli is not None and highest is not None and highest > meter.rollover_at_milli:
            raise InvalidField(
                "rollover_at",
                f"must not be below the highest reading ({Decimal(highest).scaleb(-3):.3f})",
                "reading_order",
            )
        if meter.rollover_at_milli is None and db.session.scalar(
            select(func.count()).where(r.meter_id == meter.id, r.wrapped.is_(True))
        ):
            raise Conflict("Readings of this meter wrap at rollover_at: correct or delete them before removing it.")
    rebuild_meter(meter)

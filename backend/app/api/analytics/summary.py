"""Totals per group for a window, beside its previous period, over the daily rollups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import DailyRollup, Household, Meter, Record
from ...services import costs
from ..common import contains_ignoring_case
from .groups import (
    EXACT,
    Group,
    as_date,
    change_pct,
    convert,
    first_days,
    form_groups,
    round_amount,
    selected_meters,
)
from .periods import previous_period, today_for, window
from .schemas import SummaryQuery


@dataclass
class Totals:
    """One period's sums for one meter, as read from the rollups."""

    milli: int = 0
    count: int = 0
    cents: int = 0
    min_milli: int = 0
    max_milli: int = 0


@dataclass
class _Sums:
    """One period's sums for one group: thousandths per meter, converted once at the end."""

    milli: dict[int, int] = field(default_factory=dict)
    count: int = 0
    cents: int = 0
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def windows_totals(
    household: Household, meters: list[Meter], windows: Sequence[tuple[date, date]]
) -> list[dict[int, Totals]]:
    """Per window (in their order; they may overlap, an empty one finds nothing) and meter, the
    sums of its rollup rows in the window: one statement, each window's sums filtered aggregates
    of one scan (at most one row per meter)."""
    found: list[dict[int, Totals]] = [{} for _ in windows]
    spans = [(start, end) for start, end in windows if start <= end]
    if not meters or not spans:
        return found
    r = DailyRollup.__table__.c
    columns: list[Any] = []
    for start, end in windows:
        inside = and_(r.date >= start, r.date <= end)
        columns += [
            func.count().filter(inside),  # the window's rows: none, and the meter is not in it
            func.sum(r.total_milli).filter(inside),
            func.sum(r.count).filter(inside),
            func.sum(r.cost_cents).filter(inside),
            func.min(r.min_milli).filter(inside),
            func.max(r.max_milli).filter(inside),
        ]
    rows = db.session.execute(
        select(r.meter_id, *columns)
        .where(
            r.household_id == household.id,
            r.meter_id.in_([m.id for m in meters]),
            r.date >= min(start for start, _ in spans),
            r.date <= max(end for _, end in spans),
        )
        .group_by(r.meter_id)
    ).all()
    width = len(columns) // len(windows)
    for meter_id, *sums in rows:
        for index, totals in enumerate(found):
            rows_in, *values = sums[index * width : (index + 1) * width]
            if rows_in:
                totals[meter_id] = Totals(*(int(value) for value in values))
    return found


def matching_totals(household: Household, meters: list[Meter], start: date, end: date, q: str) -> dict[int, Totals]:
    """Per meter, the sums of its records from ``start`` to ``end`` whose note contains ``q``
    (the records list's search): a note is on a record, not in the rollups."""
    if not meters:
        return {}
    rows = db.session.execute(
        select(
            Record.meter_id,
            func.sum(Record.amount_milli),
            func.count(),
            func.coalesce(func.sum(Record.cost_cents), 0),
            func.min(Record.amount_milli),
            func.max(Record.amount_milli),
        )
        .where(
            Record.household_id == household.id,
            Record.meter_id.in_([m.id for m in meters]),
            Record.date >= start,
            Record.date <= end,
            contains_ignoring_case(Record.note, q),
        )
        .group_by(Record.meter_id)
    ).all()
    return {meter_id: Totals(*(int(value) for value in sums)) for meter_id, *sums in rows}


def matching_first_days(household: Household, meter_ids: list[int], q: str) -> dict[int, date]:
    """Each meter's earliest record whose note contains ``q``."""
    if not meter_ids:
        return {}
    rows = db.session.execute(
        select(Record.meter_id, func.min(Record.date))
        .where(
            Record.household_id == household.id,
            Record.meter_id.in_(meter_ids),
            contains_ignoring_case(Record.note, q),
        )
        .group_by(Record.meter_id)
    ).all()
    return {meter_id: as_date(day) for meter_id, day in rows}


def _add_up(group: Group, totals: dict[int, Totals]) -> _Sums:
    sums = _Sums()
    for meter in group.meters:
        found = totals.get(meter.id)
        if found is None:
            continue
        sums.milli[meter.id] = found.milli
        sums.count += found.count
        sums.cents += found.cents
        low = convert({meter.id: found.min_milli}, group.factors)
        high = convert({meter.id: found.max_milli}, group.factors)
        sums.minimum = low if sums.minimum is None else min(sums.minimum, low)
        sums.maximum = high if sums.maximum is None else max(sums.maximum, high)
    return sums


def _complete(group: Group, firsts: dict[int, date], previous_from: date) -> bool:
    """Whether the group had data by the day the previous period starts."""
    known = [firsts[m.id] for m in group.meters if m.id in firsts]
    return bool(known) and min(known) <= previous_from


def group_cost(group: Group, cents: int, tariff: dict[costs.Key, costs.Cost], bucket: date | None = None) -> costs.Cost:
    """A group's exact cost: its explicit costs and its meters' tariff charges."""
    cost = costs.Cost(explicit_cents=cents)
    for meter in group.meters:
        if (found := tariff.get((meter.id, bucket))) is not None:
            cost.add(found)
    return cost


def _figures(group: Group, now: _Sums, before: _Sums, days: int, complete: bool, cost: costs.Cost) -> dict[str, Any]:
    total = convert(now.milli, group.factors)
    previous = convert(before.milli, group.factors)
    return {
        "key": group.key,
        "label": group.label,
        "unit": group.unit,
        "total": round_amount(total),
        "count": now.count,
        "average_per_day": round_amount(EXACT.divide(total, Decimal(days))),
        "min": None if now.minimum is None else round_amount(now.minimum),
        "max": None if now.maximum is None else round_amount(now.maximum),
        **cost.figures(),
        "previous_total": round_amount(previous),
        "change_pct": change_pct(total, previous) if complete else None,
    }


def summary(household: Household, query: SummaryQuery) -> dict[str, Any]:
    date_from, date_to = window(query, lambda to: to.replace(day=1), household)
    prev_from, prev_to = previous_period(date_from, date_to, query.compare)
    meters = selected_meters(household, query)
    q = query.q
    if q:
        # A note search: the matching records themselves, with their explicit costs only.
        current = matching_totals(household, meters, date_from, date_to, q)
        previous = matching_totals(household, meters, prev_from, prev_to, q)
    else:
        current, previous = windows_totals(household, meters, [(date_from, date_to), (prev_from, prev_to)])
    with_data = {meter_id for meter_id, t in (*current.items(), *previous.items()) if t.count}
    groups = form_groups(meters, query.group_by, with_data, query.unit)
    grouped = [m.id for g in groups for m in g.meters]
    firsts = matching_first_days(household, grouped, q) if q else first_days(household, grouped)
    days = (date_to - date_from).days + 1
    tariff: dict[costs.Key, costs.Cost] = (
        {} if q else costs.tariff_costs(household.id, [m.id for m in meters], date_from, date_to, today_for(household))
    )
    return {
        "period": {"from": date_from, "to": date_to},
        "previous_period": {"from": prev_from, "to": prev_to},
        "groups": [
            _figures(
                g, now, _add_up(g, previous), days, _complete(g, firsts, prev_from), group_cost(g, now.cents, tariff)
            )
            for g in groups
            for now in (_add_up(g, current),)
        ],
    }

"""Totals per day, week (Monday start), month or year, over the daily rollups."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, DateTime, cast, func, select

from ...errors import FieldError
from ...extensions import db
from ...models import DailyRollup, Household
from ...services import costs
from .groups import ZERO, Group, as_date, convert, form_groups, round_amount, selected_meters
from .periods import add_months, bucket_count, bucket_start, bucket_starts, next_bucket, today_for, window
from .schemas import MAX_POINTS, TimeseriesQuery
from .summary import group_cost

Cell = tuple[int, int, int]  # thousandths, count, cents


def _bucket_sql(granularity: str) -> Any:
    """The SQL expression of a rollup row's bucket start (Monday weeks), per dialect."""
    d = DailyRollup.__table__.c.date
    if granularity == "day":
        return d
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc(granularity, cast(d, DateTime)), Date)
    modifiers = {"week": ("weekday 0", "-6 days"), "month": ("start of month",), "year": ("start of year",)}
    return func.date(d, *modifiers[granularity])


def _last_twelve_months(date_to: date) -> date:
    return add_months(date_to, -11)


def _cells(
    household: Household, meter_ids: list[int], date_from: date, date_to: date, granularity: str
) -> dict[Any, Cell]:
    """Per (meter id, bucket start), the sums of the window's rollup rows (one row each)."""
    if not meter_ids:
        return {}
    r = DailyRollup.__table__.c
    bucket = _bucket_sql(granularity).label("bucket")
    rows = db.session.execute(
        select(r.meter_id, bucket, func.sum(r.total_milli), func.sum(r.count), func.sum(r.cost_cents))
        .where(r.household_id == household.id, r.meter_id.in_(meter_ids), r.date >= date_from, r.date <= date_to)
        .group_by(r.meter_id, bucket)
    ).all()
    return {
        (meter_id, as_date(start)): (int(milli), int(count), int(cents))
        for meter_id, start, milli, count, cents in rows
    }


def buckets(granularity: str) -> costs.Buckets:
    return costs.Buckets(
        _bucket_sql(granularity), lambda day: bucket_start(day, granularity), lambda s: next_bucket(s, granularity)
    )


def _points(
    group: Group, starts: list[date], cells: dict[Any, Cell], tariff: dict[costs.Key, costs.Cost]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in starts:
        sums: dict[int, int] = {}
        count = cents = 0
        for meter in group.meters:
            cell = cells.get((meter.id, start))
            if cell is not None:
                sums[meter.id] = cell[0]
                count += cell[1]
                cents += cell[2]
        total = round_amount(convert(sums, group.factors)) if sums else ZERO
        figures = group_cost(group, cents, tariff, start).figures()
        out.append(
            {
                "period_start": start,
                "total": total,
                "count": count,
                "cost": figures.pop("cost_total"),
                **figures,
            }
        )
    return out


def timeseries(household: Household, query: TimeseriesQuery) -> dict[str, Any]:
    granularity = query.granularity
    date_from, date_to = window(query, _last_twelve_months, household)
    points = bucket_count(date_from, date_to, granularity)
    if points > MAX_POINTS:
        raise FieldError.single(
            ["query", "granularity"],
            f"the window has {points} {granularity} periods; at most {MAX_POINTS} are allowed",
            "too_many_points",
        )
    meters = selected_meters(household, query)
    cells = _cells(household, [m.id for m in meters], date_from, date_to, granularity)
    with_data = {meter_id for (meter_id, _), cell in cells.items() if cell[1]}
    starts = bucket_starts(date_from, date_to, granularity)
    tariff = costs.tariff_costs(
        household.id, [m.id for m in meters], date_from, date_to, today_for(household), buckets(granularity)
    )
    series = [
        {"key": g.key, "label": g.label, "unit": g.unit, "points": _points(g, starts, cells, tariff)}
        for g in form_groups(meters, query.group_by, with_data, query.unit)
    ]
    return {"granularity": granularity, "period": {"from": date_from, "to": date_to}, "series": series}

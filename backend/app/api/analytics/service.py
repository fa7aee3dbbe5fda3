"""Summary and time series over the daily rollups (never over the records).

Each query reads at most one rollup row per meter and day of the window, so its cost depends
on the window and the number of meters, not on how many records the user has. Sums are kept
as integer thousandths and cents per meter; the conversion to canonical units and the
rounding happen once, in exact Decimal arithmetic, when the answer is built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, cast, func, select

from ...errors import FieldError
from ...extensions import db
from ...models import DailyRollup, Meter, User
from ...services import clock
from ...services.units import CANONICAL, factor
from .schemas import AnalyticsQuery, TimeseriesQuery

MAX_POINTS = 3660
TYPE_ORDER = ("electricity", "water", "gas", "other")
MILLI = Decimal("0.001")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
# Wide enough that no product or sum of amounts (< 10^9, 3 places) and factors (12 places) is ever
# rounded; rounding to the answer's places is half-up, once, at the end.
_EXACT = Context(prec=80, rounding=ROUND_HALF_UP)


# Dates -------------------------------------------------------------------------------


def today_for(user: User) -> date:
    """Today's date in the user's time zone."""
    return clock.now().astimezone(ZoneInfo(user.timezone)).date()


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "year":
        return date(day.year, 1, 1)
    return day


def next_bucket(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return add_months(start, 1)
    if granularity == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=1)


def bucket_count(date_from: date, date_to: date, granularity: str) -> int:
    first, last = bucket_start(date_from, granularity), bucket_start(date_to, granularity)
    if granularity == "day":
        return (last - first).days + 1
    if granularity == "week":
        return (last - first).days // 7 + 1
    if granularity == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def _window(query: AnalyticsQuery, default_from: Callable[[date], date], user: User) -> tuple[date, date]:
    date_to = query.date_to or today_for(user)
    date_from = query.date_from or default_from(date_to)
    if date_from > date_to:
        loc: list[str | int] = ["query", "date_to"] if query.date_to is not None else ["query", "date_from"]
        msg = "must not be before date_from" if query.date_to is not None else "must not be after today"
        raise FieldError.single(loc, msg)
    return date_from, date_to


# Groups ------------------------------------------------------------------------------


@dataclass
class Group:
    key: str
    label: str
    unit: str
    meters: list[Meter] = field(default_factory=list)
    # Per meter, the factor from its unit to the group's unit (1 when grouped by meter).
    factors: dict[int, Decimal] = field(default_factory=dict)


def _group_key(meter: Meter, group_by: str) -> tuple[str, str, str]:
    if group_by == "meter":
        return str(meter.id), meter.name, meter.unit
    if meter.type == "other":
        # Other meters are never converted: one group per unit, so unlike quantities never add up.
        return f"other:{meter.unit}", f"Other ({meter.unit})", meter.unit
    return meter.type, meter.type.capitalize(), CANONICAL[meter.type]


def _meters(user: User, query: AnalyticsQuery) -> list[Meter]:
    stmt = select(Meter).where(Meter.user_id == user.id)
    if query.meter_id is not None:
        stmt = stmt.where(Meter.id == query.meter_id)
    if query.type:
        stmt = stmt.where(Meter.type.in_(query.type))
    meters = list(db.session.scalars(stmt.order_by(Meter.id)))
    if query.meter_id is not None and not meters:
        owned = db.session.scalar(select(Meter.id).where(Meter.user_id == user.id, Meter.id == query.meter_id))
        if owned is None:
            raise FieldError.single(["query", "meter_id"], "Meter not found.", "not_found")
    return meters


def _groups(meters: list[Meter], group_by: str, with_data: set[int]) -> list[Group]:
    """Groups of the selected meters; an archived meter counts only when it has data in the window."""
    groups: dict[str, Group] = {}
    for meter in meters:
        if meter.archived and meter.id not in with_data:
            continue
        key, label, unit = _group_key(meter, group_by)
        group = groups.setdefault(key, Group(key, label, unit))
        group.meters.append(meter)
        group.factors[meter.id] = factor(meter.type, meter.unit) if group_by == "type" else Decimal(1)
    ordered = list(groups.values())
    if group_by == "type":
        ordered.sort(key=lambda g: (TYPE_ORDER.index(g.meters[0].type), g.unit if g.key.startswith("other:") else ""))
    return ordered


# Exact arithmetic --------------------------------------------------------------------


def _amount(milli_by_meter: dict[int, int], factors: dict[int, Decimal]) -> Decimal:
    """Sum of per-meter thousandths converted to the group's unit, exact."""
    whole = 0
    total = Decimal(0)
    for meter_id, milli in milli_by_meter.items():
        ratio = factors[meter_id]
        if ratio == 1:
            whole += milli  # integers: no Decimal work on the common, unconverted path
        else:
            total = _EXACT.add(total, _EXACT.multiply(Decimal(milli), ratio))
    return _EXACT.multiply(_EXACT.add(total, Decimal(whole)), MILLI)


def round_amount(value: Decimal) -> Decimal:
    return value.quantize(MILLI, context=_EXACT)


def round_cost(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def change_pct(current: Decimal, previous: Decimal) -> Decimal | None:
    if previous == 0:
        return None
    change = _EXACT.divide(_EXACT.multiply(_EXACT.subtract(current, previous), HUNDRED), previous)
    return change.quantize(CENT, context=_EXACT)


# Summary -----------------------------------------------------------------------------


@dataclass
class _Totals:
    milli: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    count: int = 0
    cents: int = 0
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def summary(user: User, query: AnalyticsQuery) -> dict[str, Any]:
    date_from, date_to = _window(query, lambda to: to.replace(day=1), user)
    days = (date_to - date_from).days + 1
    prev_to = date_from - timedelta(days=1)
    prev_from = prev_to - timedelta(days=days - 1)
    meters = _meters(user, query)
    by_id = {m.id: m for m in meters}

    r = DailyRollup.__table__.c
    current = r.date >= date_from
    rows = (
        db.session.execute(
            select(
                r.meter_id,
                current.label("current"),
                func.sum(r.total_milli),
                func.sum(r.count),
                func.sum(r.cost_cents),
                func.min(r.min_milli),
                func.max(r.max_milli),
            )
            .where(r.user_id == user.id, r.meter_id.in_(list(by_id)), r.date >= prev_from, r.date <= date_to)
            .group_by(r.meter_id, current)
        ).all()
        if by_id
        else []
    )

    totals: dict[tuple[int, bool], tuple[int, int, int, int, int]] = {}
    for meter_id, is_current, milli, count, cents, lo, hi in rows:
        totals[(meter_id, bool(is_current))] = (int(milli), int(count), int(cents), int(lo), int(hi))
    with_data = {meter_id for (meter_id, _), t in totals.items() if t[1]}

    groups = []
    for group in _groups(meters, query.group_by, with_data):
        now, before = _Totals(), _Totals()
        for meter in group.meters:
            for is_current, acc in ((True, now), (False, before)):
                found = totals.get((meter.id, is_current))
                if found is None:
                    continue
                milli, count, cents, lo, hi = found
                acc.milli[meter.id] += milli
                acc.count += count
                acc.cents += cents
                low, high = _amount({meter.id: lo}, group.factors), _amount({meter.id: hi}, group.factors)
                acc.minimum = low if acc.minimum is None else min(acc.minimum, low)
                acc.maximum = high if acc.maximum is None else max(acc.maximum, high)
        total = _amount(now.milli, group.factors)
        previous = _amount(before.milli, group.factors)
        average = _EXACT.divide(total, Decimal(days))
        groups.append(
            {
                "key": group.key,
                "label": group.label,
                "unit": group.unit,
                "total": round_amount(total),
                "count": now.count,
                "average_per_day": round_amount(average),
                "min": None if now.minimum is None else round_amount(now.minimum),
                "max": None if now.maximum is None else round_amount(now.maximum),
                "cost_total": round_cost(now.cents),
                "previous_total": round_amount(previous),
                "change_pct": change_pct(total, previous),
            }
        )
    return {
        "period": {"from": date_from, "to": date_to},
        "previous_period": {"from": prev_from, "to": prev_to},
        "groups": groups,
    }


# Time series -------------------------------------------------------------------------


def _bucket_sql(granularity: str) -> Any:
    """The SQL expression of a rollup row's bucket start (Monday weeks), per dialect."""
    d = DailyRollup.__table__.c.date
    if granularity == "day":
        return d
    if db.engine.dialect.name == "postgresql":
        return cast(func.date_trunc(granularity, cast(d, DateTime)), Date)
    modifiers = {"week": ("weekday 0", "-6 days"), "month": ("start of month",), "year": ("start of year",)}
    return func.date(d, *modifiers[granularity])


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _last_twelve_months(date_to: date) -> date:
    return add_months(date_to, -11)


def timeseries(user: User, query: TimeseriesQuery) -> dict[str, Any]:
    granularity = query.granularity
    date_from, date_to = _window(query, _last_twelve_months, user)
    points = bucket_count(date_from, date_to, granularity)
    if points > MAX_POINTS:
        raise FieldError.single(
            ["query", "granularity"],
            f"the window has {points} {granularity} periods; at most {MAX_POINTS} are allowed",
            "too_many_points",
        )
    meters = _meters(user, query)
    by_id = {m.id: m for m in meters}

    r = DailyRollup.__table__.c
    bucket = _bucket_sql(granularity).label("bucket")
    rows = (
        db.session.execute(
            select(r.meter_id, bucket, func.sum(r.total_milli), func.sum(r.count), func.sum(r.cost_cents))
            .where(r.user_id == user.id, r.meter_id.in_(list(by_id)), r.date >= date_from, r.date <= date_to)
            .group_by(r.meter_id, bucket)
        ).all()
        if by_id
        else []
    )
    cells: dict[tuple[int, date], tuple[int, int, int]] = {}
    for meter_id, start, milli, count, cents in rows:
        cells[(meter_id, _as_date(start))] = (int(milli), int(count), int(cents))
    with_data = {meter_id for (meter_id, _), cell in cells.items() if cell[1]}

    starts = []
    start = bucket_start(date_from, granularity)
    for _ in range(points):
        starts.append(start)
        start = next_bucket(start, granularity)

    series = []
    for group in _groups(meters, query.group_by, with_data):
        out = []
        for start in starts:
            sums: dict[int, int] = {}
            count = cents = 0
            for meter in group.meters:
                cell = cells.get((meter.id, start))
                if cell is not None:
                    sums[meter.id] = cell[0]
                    count += cell[1]
                    cents += cell[2]
            if not sums:
                out.append({"period_start": start, "total": ZERO, "count": 0, "cost": ZERO})
                continue
            total = round_amount(_amount(sums, group.factors))
            out.append({"period_start": start, "total": total, "count": count, "cost": round_cost(cents)})
        series.append({"key": group.key, "label": group.label, "unit": group.unit, "points": out})
    return {"granularity": granularity, "period": {"from": date_from, "to": date_to}, "series": series}

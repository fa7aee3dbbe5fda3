"""The cost rule of tariffs (PRODUCT §11), computed when asked from the rollups and the tariff versions.

The cost of one meter-day is its explicit record costs, plus the day's amount without an
explicit cost (``uncosted_milli``) x the unit price, plus the standing charge on every day up
to today on which a tariff applies, the last two with tax on top. Nothing is stored: a
corrected tariff changes every past figure at once.

One statement reads the uncosted thousandths per (meter, bucket, tariff version) — the rollups
are grouped, never read row by row — and the standing charges are counted from the calendar, so
the cost of a query grows with the number of meters, versions and buckets, not of records.
Everything is exact (``Decimal`` with 80 digits); each figure is rounded once, half-up to cents.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from ..extensions import db
from ..models import DailyRollup, TariffVersion

__all__ = [
    "Buckets",
    "Cost",
    "Price",
    "meter_figures",
    "price_at",
    "prices_of",
    "round_cents",
    "segments",
    "tariff_costs",
    "windows_costs",
]

EXACT = Context(prec=80, rounding=ROUND_HALF_UP)
CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_cents(value: Decimal) -> Decimal:
    """Half-up to cents, once, at the edge."""
    return value.quantize(CENT, context=EXACT)


@dataclass(frozen=True)
class Price:
    """A tariff version's prices: millionths of the currency (per unit, per day) and thousandths of a percent."""

    valid_from: date
    unit_price_micro: int
    standing_charge_micro: int
    tax_pct_milli: int

    @classmethod
    def of(cls, version: TariffVersion) -> Price:
        return cls(version.valid_from, version.unit_price_micro, version.standing_charge_micro, version.tax_pct_milli)

    @property
    def rates(self) -> tuple[int, int, int]:
        return self.unit_price_micro, self.standing_charge_micro, self.tax_pct_milli

    def usage(self, milli: int | Decimal) -> Decimal:
        """Before tax: thousandths x millionths, exact."""
        return EXACT.multiply(Decimal(milli), Decimal(self.unit_price_micro)).scaleb(-9, EXACT)

    def standing(self, days: int) -> Decimal:
        return Decimal(days * self.standing_charge_micro).scaleb(-6, EXACT)

    def tax(self, before_tax: Decimal) -> Decimal:
        return EXACT.multiply(before_tax, Decimal(self.tax_pct_milli).scaleb(-5, EXACT))


@dataclass
class Cost:
    """Exact sums of one meter (or group) over some days; ``figures`` rounds each once."""

    explicit_cents: int = 0
    usage: Decimal = ZERO  # the tariffs' usage charge, before tax
    standing: Decimal = ZERO  # before tax
    tax: Decimal = ZERO

    def add(self, other: Cost) -> Cost:
        self.explicit_cents += other.explicit_cents
        self.usage = EXACT.add(self.usage, other.usage)
        self.standing = EXACT.add(self.standing, other.standing)
        self.tax = EXACT.add(self.tax, other.tax)
        return self

    def add_usage(self, price: Price, milli: int | Decimal) -> None:
        usage = price.usage(milli)
        self.usage = EXACT.add(self.usage, usage)
        self.tax = EXACT.add(self.tax, price.tax(usage))

    def add_standing(self, price: Price, days: int) -> None:
        standing = price.standing(days)
        self.standing = EXACT.add(self.standing, standing)
        self.tax = EXACT.add(self.tax, price.tax(standing))

    def figures(self) -> dict[str, Decimal]:
        """``cost_usage`` (explicit costs + tariff usage before tax), ``cost_standing``, ``cost_tax``,
        each the exact sum rounded half-up to cents, and ``cost_total``, their sum."""
        usage = round_cents(EXACT.add(Decimal(self.explicit_cents).scaleb(-2), self.usage))
        standing = round_cents(self.standing)
        tax = round_cents(self.tax)
        return {"cost_usage": usage, "cost_standing": standing, "cost_tax": tax, "cost_total": usage + standing + tax}

    @property
    def total(self) -> Decimal:
        return self.figures()["cost_total"]


@dataclass(frozen=True)
class Buckets:
    """How days fall into time buckets: the SQL expression of a rollup row's bucket start, and the
    same rule in Python (the start of a day's bucket, the start of the next bucket)."""

    sql: Any
    start: Callable[[date], date]
    following: Callable[[date], date]


Key = tuple[int, date | None]
Prices = dict[int, list[Price]]


def prices_of(household_id: int, meter_ids: Iterable[int]) -> Prices:
    """Every tariff version of the meters, oldest first (one statement; a meter has a handful)."""
    ids = list(meter_ids)
    found: Prices = {}
    if not ids:
        return found
    rows = db.session.scalars(
        select(TariffVersion)
        .where(TariffVersion.household_id == household_id, TariffVersion.meter_id.in_(ids))
        .order_by(TariffVersion.meter_id, TariffVersion.valid_from)
    )
    for version in rows:
        found.setdefault(version.meter_id, []).append(Price.of(version))
    return found


def segments(prices: list[Price], start: date, end: date) -> list[tuple[date, date, Price]]:
    """The days from ``start`` to ``end`` on which a version applies, as (first, last, price) runs."""
    runs = []
    for index, price in enumerate(prices):
        last = prices[index + 1].valid_from - timedelta(days=1) if index + 1 < len(prices) else end
        first, last = max(price.valid_from, start), min(last, end)
        if first <= last:
            runs.append((first, last, price))
    return runs


def price_at(prices: list[Price], day: date) -> Price | None:
    """The version that applies on ``day`` (the latest valid_from not after it), else None."""
    found = None
    for price in prices:
        if price.valid_from > day:
            break
        found = price
    return found


def _standing_days(first: date, last: date, buckets: Buckets | None) -> dict[date | None, int]:
    if buckets is None:
        return {None: (last - first).days + 1}
    out: dict[date | None, int] = {}
    day = first
    while day <= last:
        bucket = buckets.start(day)
        end = min(last, buckets.following(bucket) - timedelta(days=1))
        out[bucket] = out.get(bucket, 0) + (end - day).days + 1
        day = end + timedelta(days=1)
    return out


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def tariff_costs(
    household_id: int,
    meter_ids: Iterable[int],
    start: date,
    end: date,
    today: date,
    buckets: Buckets | None = None,
    prices: Prices | None = None,
) -> dict[Key, Cost]:
    """The tariff part of the cost (usage, standing and their tax; no explicit costs) per (meter,
    bucket start) — the bucket None without ``buckets`` — from ``start`` to ``end``.

    Usage is priced on every day a version applies; standing charges on every calendar day from
    the version's valid_from that is not after ``today`` (the household's today). ``prices``
    replaces the stored versions (a dry run of a tariff change).
    """
    tariffed = _tariffed(household_id, meter_ids, prices)
    out: dict[Key, Cost] = {}
    if not tariffed or start > end:
        return out
    _add_standing(out, tariffed, start, min(end, today), buckets)
    bucket_sql = buckets.sql if buckets is not None else literal(0)
    for meter_id, bucket, version, milli in _usage(household_id, tariffed, start, end, bucket_sql):
        key = (meter_id, _as_date(bucket) if buckets is not None else None)
        out.setdefault(key, Cost()).add_usage(tariffed[meter_id][int(version)], int(milli))
    return out


def windows_costs(
    household_id: int,
    meter_ids: Iterable[int],
    windows: list[tuple[date, date]],
    today: date,
    prices: Prices | None = None,
) -> list[dict[Key, Cost]]:
    """``tariff_costs`` (bucket None) of each window, in one statement when they do not overlap."""
    tariffed = _tariffed(household_id, meter_ids, prices)
    spans = sorted((start, end, index) for index, (start, end) in enumerate(windows) if start <= end)
    if any(following[0] <= before[1] for before, following in itertools.pairwise(spans)):
        return [tariff_costs(household_id, tariffed, start, end, today, prices=tariffed) for start, end in windows]
    out: list[dict[Key, Cost]] = [{} for _ in windows]
    if not tariffed or not spans:
        return out
    r = DailyRollup.__table__.c
    which = case(*((and_(r.date >= s, r.date <= e), literal(i)) for s, e, i in spans), else_=literal(-1))
    for meter_id, index, version, milli in _usage(household_id, tariffed, spans[0][0], spans[-1][1], which):
        if index >= 0:  # -1: a day between two windows
            out[index].setdefault((meter_id, None), Cost()).add_usage(tariffed[meter_id][int(version)], int(milli))
    for start, end, index in spans:
        _add_standing(out[index], tariffed, start, min(end, today), None)
    return out


def _add_standing(out: dict[Key, Cost], tariffed: Prices, start: date, end: date, buckets: Buckets | None) -> None:
    """The standing charges of every calendar day from ``start`` to ``end`` a version applies on."""
    for meter_id, versions in tariffed.items():
        for first, last, price in segments(versions, start, end):
            for bucket, days in _standing_days(first, last, buckets).items():
                out.setdefault((meter_id, bucket), Cost()).add_standing(price, days)


def _tariffed(household_id: int, meter_ids: Iterable[int], prices: Prices | None) -> Prices:
    """The versions of each meter that has any (read unless ``prices`` gives them)."""
    ids = sorted(set(meter_ids))
    if prices is None:
        prices = prices_of(household_id, ids)
    return {meter_id: list(prices[meter_id]) for meter_id in ids if prices.get(meter_id)}


def _usage(household_id: int, tariffed: Prices, start: date, end: date, bucket: Any) -> Sequence[Any]:
    """The uncosted thousandths per (meter, ``bucket`` of the day, index of the version that
    prices the day) from ``start`` to ``end``: the rollups grouped in one statement."""
    r = DailyRollup.__table__.c
    whens = [
        (and_(r.meter_id == meter_id, r.date >= price.valid_from), literal(index))
        for meter_id, versions in tariffed.items()
        for index, price in reversed(list(enumerate(versions)))
    ]
    inner = (
        select(
            r.meter_id.label("meter_id"),
            bucket.label("bucket"),
            case(*whens, else_=literal(-1)).label("version"),
            r.uncosted_milli.label("milli"),
        )
        .where(
            r.household_id == household_id,
            r.meter_id.in_(list(tariffed)),
            r.date >= max(start, min(v[0].valid_from for v in tariffed.values())),
            r.date <= end,
            r.uncosted_milli != 0,
        )
        .subquery()
    )
    keys = (inner.c.meter_id, inner.c.bucket, inner.c.version)
    return db.session.execute(select(*keys, func.sum(inner.c.milli)).where(inner.c.version >= 0).group_by(*keys)).all()


def meter_figures(household_id: int, meter_id: int, start: date, end: date, today: date) -> tuple[int, Cost]:
    """One meter's consumption (thousandths of its unit) and exact cost from ``start`` to ``end``."""
    r = DailyRollup.__table__.c
    milli, cents = db.session.execute(
        select(func.coalesce(func.sum(r.total_milli), 0), func.coalesce(func.sum(r.cost_cents), 0)).where(
            r.household_id == household_id, r.meter_id == meter_id, r.date >= start, r.date <= end
        )
    ).one()
    cost = Cost(explicit_cents=int(cents))
    for part in tariff_costs(household_id, [meter_id], start, end, today).values():
        cost.add(part)
    return int(milli), cost

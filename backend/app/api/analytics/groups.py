"""The meters a query selects, the groups they form, and the exact arithmetic of the figures.

Sums are kept as integer thousandths and cents per meter; the conversion to the group's unit
and the rounding happen once, in exact Decimal arithmetic, when the answer is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ...extensions import db
from ...models import DailyRollup, Meter
from ...services.units import CANONICAL, METER_TYPES, canonical_unit, factor

if TYPE_CHECKING:
    from ...models import Household
    from .schemas import AnalyticsQuery, BillingQuery

MILLI = Decimal("0.001")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
# Wide enough that no product or sum of amounts (< 10^9, 3 places) and factors (12 places) is ever
# rounded; rounding to the answer's places is half-up, once, at the end.
EXACT = Context(prec=80, rounding=ROUND_HALF_UP)


# Meters and groups -------------------------------------------------------------------


@dataclass
class Group:
    key: str
    label: str
    unit: str
    meters: list[Meter] = field(default_factory=list)
    # Per meter, the factor from its unit to the group's unit (1 when grouped by meter in its own unit).
    factors: dict[int, Decimal] = field(default_factory=dict)


def meter_in(household_id: int, meter_id: int) -> bool:
    """Whether the meter (archived or not) belongs to the household."""
    found = db.session.scalar(select(Meter.id).where(Meter.household_id == household_id, Meter.id == meter_id))
    return found is not None


def selected_meters(household: Household, query: AnalyticsQuery | BillingQuery) -> list[Meter]:
    """The household's meters narrowed by the query's ``type`` and ``meter_id``, by id.

    The household was checked against the actor before (``tenancy.target_household``, or a
    share link): every analytics read is limited to that one household."""
    stmt = select(Meter).where(Meter.household_id == household.id)
    if query.meter_id is not None:
        stmt = stmt.where(Meter.id == query.meter_id)
    if query.type:
        stmt = stmt.where(Meter.type.in_(query.type))
    return list(db.session.scalars(stmt.order_by(Meter.id)))


def _group_key(meter: Meter, group_by: str, unit: str) -> tuple[str, str, str]:
    if group_by == "meter":
        # unit=type: the meter in its type's canonical unit (other meters keep their own).
        return str(meter.id), meter.name, canonical_unit(meter.type, meter.unit) if unit == "type" else meter.unit
    if meter.type == "other":
        # Other meters are never converted: one group per unit, so unlike quantities never add up.
        return f"other:{meter.unit}", f"Other ({meter.unit})", meter.unit
    return meter.type, meter.type.capitalize(), CANONICAL[meter.type]


def form_groups(meters: list[Meter], group_by: str, with_data: set[int], unit: str = "meter") -> list[Group]:
    """Groups of the selected meters; an archived meter counts only when it has data in the window.

    ``unit`` matters when grouped by meter: ``meter`` answers each meter in its own unit,
    ``type`` in its type's canonical unit. Grouped by type, amounts are always canonical."""
    convert_units = group_by == "type" or unit == "type"
    groups: dict[str, Group] = {}
    for meter in meters:
        if meter.archived and meter.id not in with_data:
            continue
        key, label, group_unit = _group_key(meter, group_by, unit)
        group = groups.setdefault(key, Group(key, label, group_unit))
        group.meters.append(meter)
        group.factors[meter.id] = factor(meter.type, meter.unit) if convert_units else Decimal(1)
    ordered = list(groups.values())
    if group_by == "type":
        ordered.sort(key=lambda g: (METER_TYPES.index(g.meters[0].type), g.unit if g.key.startswith("other:") else ""))
    return ordered


def first_days(household: Household, meter_ids: list[int]) -> dict[int, date]:
    """Each meter's earliest rollup day (its first data), for the meters that have any.

    One statement of one ``min(date)`` per meter: each is a single step down the primary key
    ``(household_id, meter_id, date)``, however many days the meter has.
    """
    if not meter_ids:
        return {}
    r = DailyRollup.__table__.c
    firsts = [
        select(func.min(r.date)).where(r.household_id == household.id, r.meter_id == meter_id).scalar_subquery()
        for meter_id in meter_ids
    ]
    row = db.session.execute(select(*firsts)).one()
    return {meter_id: as_date(day) for meter_id, day in zip(meter_ids, row, strict=True) if day is not None}


def as_date(value: object) -> date:
    """A date read back from SQL (SQLite answers computed dates as text)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# Exact arithmetic --------------------------------------------------------------------


def convert(milli_by_meter: dict[int, int], factors: dict[int, Decimal]) -> Decimal:
    """Sum of per-meter thousandths converted to the group's unit, exact."""
    whole = 0
    total = Decimal(0)
    for meter_id, milli in milli_by_meter.items():
        ratio = factors[meter_id]
        if ratio == 1:
            whole += milli  # integers: no Decimal work on the common, unconverted path
        else:
            total = EXACT.add(total, EXACT.multiply(Decimal(milli), ratio))
    return EXACT.multiply(EXACT.add(total, Decimal(whole)), MILLI)


def round_amount(value: Decimal) -> Decimal:
    return value.quantize(MILLI, context=EXACT)


def round_cost(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def change_pct(current: Decimal, previous: Decimal) -> Decimal | None:
    if previous == 0:
        return None
    change = EXACT.divide(EXACT.multiply(EXACT.subtract(current, previous), HUNDRED), previous)
    return change.quantize(CENT, context=EXACT)

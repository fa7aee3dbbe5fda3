"""A budget's progress: the billing figures of §11 (``analytics.billing.group_figures``) over its
current month or billing period."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ...extensions import db
from ...models import Budget, Household, Meter
from ...services.billing import billing_period
from ...services.units import CANONICAL, factor
from ..analytics.billing import group_figures
from ..analytics.groups import EXACT, Group, round_amount
from ..analytics.periods import today_for

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Progress:
    """A budget's figures now, exact: percentages unrounded (alerts compare them exactly)."""

    start: date
    end: date
    used: Decimal
    limit: Decimal
    forecast: Decimal

    @property
    def pct(self) -> Decimal:
        return EXACT.divide(EXACT.multiply(self.used, HUNDRED), self.limit)

    @property
    def forecast_pct(self) -> Decimal:
        return EXACT.divide(EXACT.multiply(self.forecast, HUNDRED), self.limit)


def current_period(budget: Budget, household: Household, today: date) -> tuple[date, date]:
    if budget.period == "billing":
        return billing_period(today, household.billing_day)
    return today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1])


def group_of(budget: Budget) -> Group:
    """The meters a budget measures, with their factors to the budget's unit."""
    if budget.meter_id is not None:
        meter = db.session.get(Meter, budget.meter_id)
        assert meter is not None
        return Group(str(meter.id), meter.name, meter.unit, [meter], {meter.id: Decimal(1)})
    assert budget.type is not None
    meters = list(
        db.session.scalars(
            select(Meter).where(Meter.household_id == budget.household_id, Meter.type == budget.type).order_by(Meter.id)
        )
    )
    # "other" meters are never converted: their amounts add up as they are.
    unit = CANONICAL.get(budget.type) or (meters[0].unit if len({m.unit for m in meters}) == 1 else "")
    return Group(budget.type, budget.type.capitalize(), unit, meters, {m.id: factor(m.type, m.unit) for m in meters})


def progress(budget: Budget, household: Household | None = None, today: date | None = None) -> Progress:
    household = household or db.session.get(Household, budget.household_id)
    assert household is not None
    today = today or today_for(household)
    start, end = current_period(budget, household, today)
    used_total, used_cost, forecast_total, forecast_cost = group_figures(household, group_of(budget), start, end, today)
    if budget.limit_cents is not None:
        return Progress(start, end, used_cost, Decimal(budget.limit_cents).scaleb(-2), forecast_cost)
    assert budget.limit_milli is not None
    return Progress(
        start, end, round_amount(used_total), Decimal(budget.limit_milli).scaleb(-3), round_amount(forecast_total)
    )

"""The billing period of a day: to date, forecast, the period before and the same period a year earlier.

Forecast (PRODUCT §11): the figures to date (today included) + the mean daily consumption over
the 28 days before today (days before the meter's first data left out; none: 0) x the days of
the period after today; its cost prices those days with the tariff valid today, standing
charge included. A period already over forecasts its actual figures; one not begun yet is all
forecast.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ...models import Household, Meter
from ...services import costs
from ...services.billing import billing_period, period_a_year_before, period_before
from .groups import EXACT, Group, convert, first_days, form_groups, round_amount, selected_meters
from .periods import today_for
from .schemas import BillingQuery
from .summary import Totals, group_cost, windows_totals

MEAN_DAYS = 28


class _Window:
    """One window's sums per meter: thousandths, explicit cents and the tariff charges."""

    def __init__(self, totals: dict[int, Totals], tariff: dict[costs.Key, costs.Cost]) -> None:
        self.totals = totals
        self.tariff = tariff

    def milli(self, group: Group) -> dict[int, Decimal]:
        return {m.id: Decimal(self.totals[m.id].milli) for m in group.meters if m.id in self.totals}

    def totals_milli(self, group: Group) -> dict[int, int]:
        return {m.id: self.totals[m.id].milli for m in group.meters if m.id in self.totals}

    def cost(self, group: Group) -> costs.Cost:
        cents = sum(self.totals[m.id].cents for m in group.meters if m.id in self.totals)
        return group_cost(group, cents, self.tariff)


def _mean_window(today: date) -> tuple[date, date]:
    """The days whose mean is the forecast's daily figure: the 28 before today."""
    return today - timedelta(days=MEAN_DAYS), today - timedelta(days=1)


def _means(household: Household, meters: list[Meter], today: date, totals: dict[int, Totals]) -> dict[int, Decimal]:
    """Per meter, the mean daily thousandths over the 28 days before today (from its first data),
    from ``totals``, the sums of ``_mean_window``."""
    start = _mean_window(today)[0]
    firsts = first_days(household, [m.id for m in meters])
    means: dict[int, Decimal] = {}
    for meter in meters:
        first = max(start, firsts.get(meter.id, today))
        days = (today - first).days
        found = totals.get(meter.id)
        if days > 0 and found is not None:
            means[meter.id] = EXACT.divide(Decimal(found.milli), Decimal(days))
    return means


def _windows(
    household: Household, meters: list[Meter], spans: list[tuple[date, date]], today: date, prices: costs.Prices
) -> tuple[list[_Window], dict[int, Totals]]:
    """A window for each span, and the sums of the mean window: the sums of all in one statement,
    the tariff charges of the spans in another."""
    *found, mean = windows_totals(household, meters, [*spans, _mean_window(today)])
    charges = costs.windows_costs(household.id, [m.id for m in meters], spans, today, prices)
    return [_Window(totals, tariff) for totals, tariff in zip(found, charges, strict=True)], mean


def _converted(milli: dict[int, Decimal], group: Group) -> Decimal:
    total = Decimal(0)
    for meter_id, value in milli.items():
        total = EXACT.add(total, EXACT.multiply(value, group.factors[meter_id]))
    return EXACT.multiply(total, Decimal("0.001"))


def _forecast(
    group: Group, to_date: _Window, means: dict[int, Decimal], days_left: int, today: date, prices: costs.Prices
) -> tuple[Decimal, costs.Cost]:
    milli = to_date.milli(group)
    cost = to_date.cost(group)
    if days_left <= 0:
        return _converted(milli, group), cost
    for meter in group.meters:
        extra = EXACT.multiply(means.get(meter.id, Decimal(0)), Decimal(days_left))
        milli[meter.id] = EXACT.add(milli.get(meter.id, Decimal(0)), extra)
        price = costs.price_at(prices.get(meter.id, []), today)
        if price is not None:
            part = costs.Cost()
            part.add_usage(price, extra)
            part.add_standing(price, days_left)
            cost.add(part)
    return _converted(milli, group), cost


def billing(household: Household, query: BillingQuery) -> dict[str, Any]:
    today = today_for(household)
    start, end = billing_period(query.date or today, household.billing_day)
    meters = selected_meters(household, query)
    prices = costs.prices_of(household.id, [m.id for m in meters])
    (to_date, previous, last_year), mean = _windows(
        household, meters, [(start, min(end, today)), period_before(start), period_a_year_before(start)], today, prices
    )
    days_total = (end - start).days + 1
    days_elapsed = max(0, min(days_total, (today - start).days + 1))
    days_left = days_total - days_elapsed
    means = _means(household, meters, today, mean) if days_left else {}
    windows = (to_date, previous, last_year)
    with_data = {meter_id for w in windows for meter_id, t in w.totals.items() if t.count}
    groups = []
    for group in form_groups(meters, query.group_by, with_data):
        forecast_total, forecast_cost = _forecast(group, to_date, means, days_left, today, prices)
        groups.append(
            {
                "key": group.key,
                "label": group.label,
                "unit": group.unit,
                "to_date_total": round_amount(convert(to_date.totals_milli(group), group.factors)),
                "to_date_cost": to_date.cost(group).total,
                "forecast_total": round_amount(forecast_total),
                "forecast_cost": forecast_cost.total,
                "previous_total": round_amount(convert(previous.totals_milli(group), group.factors)),
                "previous_cost": previous.cost(group).total,
                "last_year_total": round_amount(convert(last_year.totals_milli(group), group.factors)),
                "last_year_cost": last_year.cost(group).total,
            }
        )
    return {
        "period": {"from": start, "to": end},
        "days_elapsed": days_elapsed,
        "days_total": days_total,
        "groups": groups,
    }


def group_figures(
    household: Household, group: Group, start: date, end: date, today: date
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """One group's figures over ``start``..``end`` by the billing rules above, unrounded amounts:
    (to-date total, to-date cost, forecast total, forecast cost) — what budgets measure."""
    prices = costs.prices_of(household.id, [m.id for m in group.meters])
    (to_date,), mean = _windows(household, group.meters, [(start, min(end, today))], today, prices)
    days_total = (end - start).days + 1
    days_left = days_total - max(0, min(days_total, (today - start).days + 1))
    means = _means(household, group.meters, today, mean) if days_left else {}
    forecast_total, forecast_cost = _forecast(group, to_date, means, days_left, today, prices)
    to_date_total = convert(to_date.totals_milli(group), group.factors)
    return to_date_total, to_date.cost(group).total, forecast_total, forecast_cost.total

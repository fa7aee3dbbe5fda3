from __future__ import annotations

from typing import Any

from ...security import current_user
from ...services import tenancy
from ..caching import cached_answer
from ..decorators import authenticated, query, response
from . import billing as billings
from . import bp
from . import summary as summaries
from . import timeseries as series
from .periods import today_for
from .schemas import Billing, BillingQuery, Summary, SummaryQuery, Timeseries, TimeseriesQuery


@bp.get("/summary")
@authenticated
@response(Summary)
@query(SummaryQuery)
def summary(query: SummaryQuery) -> Any:
    """Totals per type or meter for a period, beside its previous period (see `compare`)."""
    household = tenancy.target_household(current_user(), query.household_id, "viewer")
    return cached_answer(
        household, "summary", query, today_for(household), Summary, lambda: summaries.summary(household, query)
    )


@bp.get("/timeseries")
@authenticated
@response(Timeseries)
@query(TimeseriesQuery)
def timeseries(query: TimeseriesQuery) -> Any:
    """Totals per day, week (Monday start), month or year, with empty periods as zeros."""
    household = tenancy.target_household(current_user(), query.household_id, "viewer")
    return cached_answer(
        household, "timeseries", query, today_for(household), Timeseries, lambda: series.timeseries(household, query)
    )


@bp.get("/billing")
@authenticated
@response(Billing)
@query(BillingQuery)
def billing(query: BillingQuery) -> Any:
    """The billing period of a day (from the household's billing_day): to date, forecast, the period
    before and the same period a year earlier."""
    household = tenancy.target_household(current_user(), query.household_id, "viewer")
    return cached_answer(
        household, "billing", query, today_for(household), Billing, lambda: billings.billing(household, query)
    )

from __future__ import annotations

from typing import Any

from ...security import current_user
from ...services import tenancy
from ..decorators import authenticated, query, response
from . import billing as billings
from . import bp
from . import summary as summaries
from . import timeseries as series
from .schemas import Billing, BillingQuery, Summary, SummaryQuery, Timeseries, TimeseriesQuery


@bp.get("/summary")
@authenticated
@response(Summary)
@query(SummaryQuery)
def summary(query: SummaryQuery) -> Any:
    """Totals per type or meter for a period, beside its previous period (see `compare`)."""
    household = tenancy.target_household(current_user(), query.household_id, "viewer")
    return summaries.summary(household, query)


@bp.get("/timeseries")
@authenticated
@response(Timeseries)
@query(TimeseriesQuery)
def timeseries(query: TimeseriesQuery) -> Any:
    """Totals per day, week (Monday start), month or year, with empty periods as zeros."""
    household = tenancy.target_household(current_user(), query.household_id, "viewer")
    return series.timeseries(household, query)


@bp.get("/billing")
@authenticated
@response(Billing)
@query(BillingQuery)
def billing(query: BillingQuery) -> Any:
    """The billing period of a day (from the household's billing_day): to date, forecast, the period
    before and the same period a year earlier."""
    household = tenancy.target_household(current_user(), query.household_id, "viewer")
    return billings.billing(household, query)

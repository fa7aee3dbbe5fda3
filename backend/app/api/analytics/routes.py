from __future__ import annotations

from typing import Any

from ...security import current_user
from ..decorators import authenticated, query, response
from . import bp, service
from .schemas import AnalyticsQuery, Summary, Timeseries, TimeseriesQuery


@bp.get("/summary")
@authenticated
@response(Summary)
@query(AnalyticsQuery)
def summary(query: AnalyticsQuery) -> Any:
    """Totals per type or meter for a period, beside the previous period of the same length."""
    return service.summary(current_user(), query)


@bp.get("/timeseries")
@authenticated
@response(Timeseries)
@query(TimeseriesQuery)
def timeseries(query: TimeseriesQuery) -> Any:
    """Totals per day, week (Monday start), month or year, with empty periods as zeros."""
    return service.timeseries(current_user(), query)

"""The public side of share links: a household's name, meters and analytics, nothing else.

Its analytics come from the answer cache as a member's do (their own entries: scope "shared")."""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from ..analytics import billing as billings
from ..analytics import summary as summaries
from ..analytics import timeseries as series
from ..analytics.groups import meter_in
from ..analytics.periods import today_for
from ..analytics.schemas import Billing, BillingQuery, Summary, SummaryQuery, Timeseries, TimeseriesQuery
from ..caching import cached_answer
from ..decorators import limit_ip, other_responses, public, query, response, tags
from . import bp, share_links
from .schemas import SharedView

UNKNOWN_LINK = {404: "Unknown, revoked or expired share link"}


class SharedSummaryQuery(SummaryQuery):
    # The link names the household; a household_id in the query is ignored.
    household_id: SkipJsonSchema[int | None] = Field(default=None, exclude=True)
    # Notes are not shared: a note search would let anyone with the link probe them; refused (422).
    q: SkipJsonSchema[None] = Field(default=None, exclude=True)


class SharedTimeseriesQuery(TimeseriesQuery):
    household_id: SkipJsonSchema[int | None] = Field(default=None, exclude=True)


class SharedBillingQuery(BillingQuery):
    household_id: SkipJsonSchema[int | None] = Field(default=None, exclude=True)


def _link_household() -> dict[str, Any]:
    """Validation context: the link is resolved first (404 before any 422), and a ``meter_id``
    must be one of its household's meters."""
    household = share_links.shared_household((request.view_args or {})["token"])
    return {"household_id": household.id, "meter_in": lambda _named, meter_id: meter_in(household.id, meter_id)}


@bp.get("/shared/<token>")
@tags("shared")
@public
@limit_ip("RATELIMIT_AUTHENTICATED", "shared")
@other_responses(UNKNOWN_LINK)
@response(SharedView)
def shared_view(token: str) -> Any:
    """The household behind a share link and its meters. **Public** (the token is the key)."""
    return share_links.public_view(token)


@bp.get("/shared/<token>/analytics/summary")
@tags("shared")
@public
@limit_ip("RATELIMIT_AUTHENTICATED", "shared")
@other_responses(UNKNOWN_LINK)
@response(Summary)
@query(SharedSummaryQuery, context=_link_household)
def shared_summary(token: str, query: SharedSummaryQuery) -> Any:
    """The analytics summary of the household behind a share link (aggregates only). **Public.**"""
    household = share_links.shared_household(token)
    compute = lambda: summaries.summary(household, query)  # noqa: E731
    return cached_answer(household, "summary", query, today_for(household), Summary, compute, "shared")


@bp.get("/shared/<token>/analytics/timeseries")
@tags("shared")
@public
@limit_ip("RATELIMIT_AUTHENTICATED", "shared")
@other_responses(UNKNOWN_LINK)
@response(Timeseries)
@query(SharedTimeseriesQuery, context=_link_household)
def shared_timeseries(token: str, query: SharedTimeseriesQuery) -> Any:
    """The analytics time series of the household behind a share link (aggregates only). **Public.**"""
    household = share_links.shared_household(token)
    return cached_answer(
        household,
        "timeseries",
        query,
        today_for(household),
        Timeseries,
        lambda: series.timeseries(household, query),
        "shared",
    )


@bp.get("/shared/<token>/analytics/billing")
@tags("shared")
@public
@limit_ip("RATELIMIT_AUTHENTICATED", "shared")
@other_responses(UNKNOWN_LINK)
@response(Billing)
@query(SharedBillingQuery, context=_link_household)
def shared_billing(token: str, query: SharedBillingQuery) -> Any:
    """The billing figures of the household behind a share link (aggregates only). **Public.**"""
    household = share_links.shared_household(token)
    compute = lambda: billings.billing(household, query)  # noqa: E731
    return cached_answer(household, "billing", query, today_for(household), Billing, compute, "shared")

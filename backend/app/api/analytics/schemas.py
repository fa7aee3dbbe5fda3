from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ...security import current_user
from ...services import tenancy
from ...services.units import MeterType
from ..common import Day, Id, NoControl, OutSchema, QuerySchema, TextPattern, _to_float
from .groups import meter_in

GroupBy = Literal["type", "meter"]
Granularity = Literal["day", "week", "month", "year"]
Compare = Literal["previous", "year"]
UnitMode = Literal["meter", "type"]
MAX_POINTS = 3660

# Figures are computed as exact Decimals and rounded once, at the edge (3 places for amounts, 2 for costs).
Figure = Annotated[
    Decimal,
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number"}),
]
NullableFigure = Annotated[
    Decimal | None,
    PlainSerializer(lambda v: None if v is None else _to_float(v), return_type=float | None, when_used="json"),
    WithJsonSchema({"type": "number", "nullable": True}),
]


def _own_household(household_id: int, info: ValidationInfo) -> int:
    # Checked while the query is validated, so that a 422 lists it beside every other problem.
    exists = (info.context or {}).get("household_exists")
    if not (exists(household_id) if exists is not None else tenancy.readable(current_user(), household_id)):
        raise PydanticCustomError("not_found", "Household not found.")
    return household_id


def _own_meter(meter_id: int, info: ValidationInfo) -> int:
    """The meter must belong to the household analysed: the one named (when it is valid), else
    the default one. A validation context may bring its own ``meter_in(household_id, meter_id)``
    check (a share link's household)."""
    context = info.context or {}
    check = context.get("meter_in", meter_in)
    household_id = info.data.get("household_id") or context.get("household_id")
    if household_id is None and "household_id" not in info.data:
        return meter_id  # the household itself is invalid: that is the problem reported
    if household_id is None:
        household_id = current_user().default_household_id
    if household_id is None or not check(household_id, meter_id):
        raise PydanticCustomError("not_found", "Meter not found.")
    return meter_id


class AnalyticsQuery(QuerySchema):
    """The filters both analytics operations share (fields are validated in this order)."""

    household_id: Annotated[Id, AfterValidator(_own_household)] | None = Field(
        default=None, description="One of your households; default: your default household"
    )
    date_from: Day | None = Field(
        default=None, description="First day (inclusive); default depends on the operation. Not after `date_to`."
    )
    date_to: Day | None = Field(
        default=None, description="Last day (inclusive); default: today in the household's time zone"
    )
    group_by: GroupBy = "type"
    unit: UnitMode = Field(
        default="meter",
        description=(
            "With `group_by=meter`: `meter` answers each meter in its own unit, `type` in its type's "
            "canonical unit (kWh, m3), so the meters of a type add up. `other` meters are never "
            "converted. Ignored with `group_by=type` (always canonical)."
        ),
    )
    type: list[MeterType] | None = Field(default=None, description="Repeat to match several types")
    meter_id: Annotated[Id, AfterValidator(_own_meter)] | None = Field(
        default=None, description="A meter of the household; any other id answers 422 `not_found`"
    )

    @field_validator("date_to")
    @classmethod
    def _not_before_date_from(cls, date_to: date | None, info: ValidationInfo) -> date | None:
        # A field validator, not a model validator: those run only once every field is valid,
        # and a 422 lists every problem of the request at once.
        date_from = info.data.get("date_from")
        if date_to is not None and date_from is not None and date_from > date_to:
            raise ValueError("must not be before date_from")
        return date_to


class SummaryQuery(AnalyticsQuery):
    compare: Compare = Field(
        default="previous",
        description=(
            "`previous`: a month to date against the same days of the previous month, a year to date "
            "against the same dates a year earlier, any other window against as many days just before. "
            "`year`: the same dates a year earlier."
        ),
    )
    q: Annotated[str, StringConstraints(max_length=200), NoControl, TextPattern] | None = Field(
        default=None,
        description=(
            "Text in the note (case ignored), as the records list's `q`: the figures are then computed "
            "from the matching records (both periods), their explicit costs only, without tariff charges. "
            "Readings meters have no notes: they match nothing."
        ),
    )


class TimeseriesQuery(AnalyticsQuery):
    granularity: Granularity = Field(
        default="month",
        description=f"Bucket size; a window may hold at most {MAX_POINTS} buckets (about ten years by day)",
    )


class BillingQuery(QuerySchema):
    """The filters of the billing figures (fields are validated in this order)."""

    household_id: Annotated[Id, AfterValidator(_own_household)] | None = Field(
        default=None, description="One of your households; default: your default household"
    )
    group_by: GroupBy = "type"
    type: list[MeterType] | None = Field(default=None, description="Repeat to match several types")
    meter_id: Annotated[Id, AfterValidator(_own_meter)] | None = Field(
        default=None, description="A meter of the household; any other id answers 422 `not_found`"
    )
    date: Day | None = Field(
        default=None, description="Any day of the billing period wanted; default: today in the household's time zone"
    )


class Period(OutSchema):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class SummaryGroup(OutSchema):
    key: str = Field(description="Meter type, `other:<unit>` for other meters, or the meter id when grouped by meter")
    label: str
    unit: str
    total: Figure
    count: int
    average_per_day: Figure
    min: NullableFigure
    max: NullableFigure
    cost_usage: Figure = Field(description="Explicit record costs + tariff usage charges before tax")
    cost_standing: Figure = Field(description="Tariff standing charges before tax")
    cost_tax: Figure = Field(description="Tax on the tariff charges")
    cost_total: Figure = Field(description="cost_usage + cost_standing + cost_tax")
    previous_total: Figure
    change_pct: NullableFigure = Field(
        description=(
            "Percent change from the previous period; null when its total is 0 or it starts before "
            "the group's first data (an incomplete comparison)"
        )
    )


class Summary(OutSchema):
    period: Period
    previous_period: Period
    groups: list[SummaryGroup]


class Point(OutSchema):
    period_start: date
    total: Figure
    count: int
    cost: Figure = Field(description="cost_usage + cost_standing + cost_tax")
    cost_usage: Figure
    cost_standing: Figure
    cost_tax: Figure


class Series(OutSchema):
    key: str
    label: str
    unit: str
    points: list[Point]


class Timeseries(OutSchema):
    granularity: Granularity
    period: Period
    series: list[Series]


class BillingGroup(OutSchema):
    key: str
    label: str
    unit: str
    to_date_total: Figure = Field(description="From the period's first day to today (the whole period once over)")
    to_date_cost: Figure
    forecast_total: Figure = Field(
        description="To date + the mean daily amount of the 28 days before today x the days left after today"
    )
    forecast_cost: Figure = Field(description="To date + the days left priced with the tariff valid today")
    previous_total: Figure = Field(description="The whole billing period before")
    previous_cost: Figure
    last_year_total: Figure = Field(description="The same billing period a year earlier")
    last_year_cost: Figure


class Billing(OutSchema):
    period: Period
    days_elapsed: int = Field(description="Days of the period up to today, today included")
    days_total: int
    groups: list[BillingGroup]

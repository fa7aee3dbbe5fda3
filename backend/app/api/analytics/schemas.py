from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, PlainSerializer, WithJsonSchema

from ..common import Day, Id, OutSchema, QuerySchema, _to_float
from ..records.schemas import MeterType

GroupBy = Literal["type", "meter"]
Granularity = Literal["day", "week", "month", "year"]

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


class AnalyticsQuery(QuerySchema):
    date_from: Day | None = Field(default=None, description="First day (inclusive); default depends on the endpoint")
    date_to: Day | None = Field(default=None, description="Last day (inclusive); default: today in your time zone")
    group_by: GroupBy = "type"
    type: list[MeterType] | None = Field(default=None, description="Repeat to match several types")
    meter_id: Id | None = None


class TimeseriesQuery(AnalyticsQuery):
    granularity: Granularity = "month"


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
    cost_total: Figure
    previous_total: Figure
    change_pct: NullableFigure = Field(description="Percent change from the previous period; null when it was 0")


class Summary(OutSchema):
    period: Period
    previous_period: Period
    groups: list[SummaryGroup]


class Point(OutSchema):
    period_start: date
    total: Figure
    count: int
    cost: Figure


class Series(OutSchema):
    key: str
    label: str
    unit: str
    points: list[Point]


class Timeseries(OutSchema):
    granularity: Granularity
    period: Period
    series: list[Series]

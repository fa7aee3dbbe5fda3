"""Request and response shapes of budgets (PRODUCT §12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from ...services.units import MeterType
from ..analytics.schemas import Figure, NullableFigure, Period
from ..common import Amount, Cost, OutSchema, Pagination, Schema, Timestamp
from ..meters.schemas import HouseholdId, MeterId, MeterName
from ..tariffs.schemas import not_nullable, refuse_null

BudgetPeriod = Literal["month", "billing"]
THRESHOLD_MIN, THRESHOLD_MAX = 1, 500
DEFAULT_THRESHOLDS = [80, 100]
ONE_TARGET = "give exactly one of meter_id and type"
ONE_LIMIT = "give exactly one of limit_amount and limit_cost"

BudgetName = MeterName  # 1-64 characters on one line, as a meter's name
Threshold = Annotated[int, Field(ge=THRESHOLD_MIN, le=THRESHOLD_MAX)]


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


_LIMIT_SCHEMA = {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1e9, "exclusiveMaximum": True}
LimitAmount = Annotated[Amount, AfterValidator(_positive), WithJsonSchema({**_LIMIT_SCHEMA, "multipleOf": 0.001})]
LimitCost = Annotated[Cost, AfterValidator(_positive), WithJsonSchema({**_LIMIT_SCHEMA, "multipleOf": 0.01})]


def _thresholds(values: list[int]) -> list[int]:
    """Sorted, each once."""
    return sorted(set(values))


Thresholds = Annotated[
    list[Threshold],
    Field(min_length=1, max_length=10, description=f"Percentages of the limit, {THRESHOLD_MIN}-{THRESHOLD_MAX}"),
    AfterValidator(_thresholds),
]


def _exactly_one(first: str, problem: str):  # type: ignore[no-untyped-def]
    """A validator for the second of two fields of which exactly one is given (not null).

    When the first field failed its own rules it is missing from ``info.data``: then only that
    error is reported."""

    def check(value: object, info: ValidationInfo) -> object:
        if first not in info.data:
            return value
        if (info.data[first] is None) == (value is None):
            raise ValueError(problem)
        return value

    return check


class BudgetCreate(Schema):
    """A budget on one meter (``meter_id``) or on every meter of a ``type``, with one limit."""

    name: BudgetName
    household_id: HouseholdId | None = Field(
        default=None, description="Default: the meter's household, or your default household for a type"
    )
    meter_id: MeterId | None = Field(default=None, description="The meter measured (or give type)")
    type: MeterType | None = Field(
        default=None, validate_default=True, description="Every meter of this type in the household (or give meter_id)"
    )
    period: BudgetPeriod = Field(default="month", description="Calendar month, or the household's billing period")
    limit_amount: LimitAmount | None = Field(
        default=None, description="In the meter's unit, or the type's canonical unit (or give limit_cost)"
    )
    limit_cost: LimitCost | None = Field(
        default=None, validate_default=True, description="In the household's currency (or give limit_amount)"
    )
    thresholds: Thresholds = Field(default_factory=lambda: list(DEFAULT_THRESHOLDS))

    _one_target = field_validator("type")(_exactly_one("meter_id", ONE_TARGET))
    _one_limit = field_validator("limit_cost")(_exactly_one("limit_amount", ONE_LIMIT))


class BudgetUpdate(Schema):
    """Partial update: fields left out stay. A new ``meter_id`` replaces the ``type`` (and the
    other way round), a new limit replaces the other one; sending both of a pair is refused."""

    name: BudgetName | None = None
    meter_id: MeterId | None = None
    type: MeterType | None = None
    period: BudgetPeriod | None = None
    limit_amount: LimitAmount | None = None
    limit_cost: LimitCost | None = None
    thresholds: Thresholds | None = None

    model_config = ConfigDict(
        json_schema_extra=not_nullable("name", "meter_id", "type", "period", "limit_amount", "limit_cost", "thresholds")
    )
    _not_null = field_validator("name", "meter_id", "type", "period", "limit_amount", "limit_cost", "thresholds")(
        refuse_null
    )

    @field_validator("type")
    @classmethod
    def _one_target(cls, value: object, info: ValidationInfo) -> object:
        if info.data.get("meter_id") is not None:
            raise ValueError(ONE_TARGET)
        return value

    @field_validator("limit_cost")
    @classmethod
    def _one_limit(cls, value: object, info: ValidationInfo) -> object:
        if info.data.get("limit_amount") is not None:
            raise ValueError(ONE_LIMIT)
        return value


class BudgetQuery(Pagination):
    household_id: HouseholdId | None = Field(default=None, description="Only this household's budgets")


class Progress(OutSchema):
    period: Period = Field(description="The current month or billing period, in the household's time zone")
    used: Figure = Field(description="Consumption (or cost) to date, today included, as in the billing figures")
    limit: Figure
    pct: Figure = Field(description="used in percent of the limit, 2 places")
    forecast: Figure = Field(description="The billing forecast of the whole period")
    forecast_pct: Figure = Field(description="forecast in percent of the limit, 2 places")


class BudgetOut(OutSchema):
    id: int
    household_id: int
    name: str
    meter_id: int | None
    type: MeterType | None
    period: BudgetPeriod
    limit_amount: NullableFigure
    limit_cost: NullableFigure
    unit: str | None = Field(description="The unit of limit_amount and of used/forecast for an amount budget")
    thresholds: list[int]
    progress: Progress
    created_at: Timestamp
    updated_at: Timestamp


class BudgetPage(OutSchema):
    items: list[BudgetOut]
    page: int
    per_page: int
    total: int
    pages: int

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from ..analytics.schemas import Figure
from ..common import Day, OutSchema, QuerySchema, Schema, Timestamp, _json_number, _places, _to_float

#: Prices are below a million of the currency (per unit or per day), with at most 6 places.
MAX_PRICE = Decimal(10) ** 6

Price = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(6)),
    Field(ge=0, lt=MAX_PRICE),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e6, "exclusiveMaximum": True, "multipleOf": 0.000001}),
]
TaxPct = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(3)),
    Field(ge=0, le=100),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.001}),
]


class TariffCreate(Schema):
    """A tariff version: it applies from `valid_from` to the day before the meter's next version."""

    valid_from: Day
    unit_price: Price = Field(description="Currency per unit of the meter, at most 6 decimal places")
    standing_charge: Price = Field(default=Decimal(0), description="Currency per day, at most 6 decimal places")
    tax_pct: TaxPct = Field(default=Decimal(0), description="Percent added to usage and standing charge (0-100)")


class TariffUpdate(Schema):
    valid_from: Day | None = None
    unit_price: Price | None = None
    standing_charge: Price | None = None
    tax_pct: TaxPct | None = None


class TariffOut(OutSchema):
    id: int
    meter_id: int
    valid_from: date
    valid_to: date | None = Field(description="The day before the next version; null for the latest")
    unit_price: Figure
    standing_charge: Figure
    tax_pct: Figure
    created_at: Timestamp


class TariffList(OutSchema):
    items: list[TariffOut]


class DryRunQuery(QuerySchema):
    dry_run: bool = Field(
        default=False, description="Answer 200 with what would change in past costs, and write nothing"
    )


class CostChange(OutSchema):
    """What a tariff change would do to the meter's costs up to today."""

    days: int = Field(description="Days up to today whose prices would change")
    cost_before: Figure = Field(description="The meter's cost up to today now")
    cost_after: Figure = Field(description="The meter's cost up to today after the change")
    difference: Figure = Field(description="cost_after - cost_before")

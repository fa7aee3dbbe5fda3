from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

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


def not_nullable(*fields: str) -> Any:
    """A ``json_schema_extra`` stating that these optional fields may be left out but not sent as null."""

    def edit(schema: dict[str, Any]) -> None:
        for name in fields:
            prop = schema["properties"][name]
            options = [option for option in prop.pop("anyOf", []) if option.get("type") != "null"]
            if len(options) == 1:
                prop.update(options[0])
            prop.pop("default", None)

    return edit


def refuse_null(value: object) -> object:
    """For fields validated only when sent: leaving one out keeps it, sending null is refused."""
    if value is None:
        raise ValueError("must not be null")
    return value


class TariffUpdate(Schema):
    """Partial update: fields left out stay."""

    valid_from: Day | None = None
    unit_price: Price | None = None
    standing_charge: Price | None = None
    tax_pct: TaxPct | None = None

    model_config = ConfigDict(json_schema_extra=not_nullable("valid_from", "unit_price", "standing_charge", "tax_pct"))
    _not_null = field_validator("valid_from", "unit_price", "standing_charge", "tax_pct")(refuse_null)


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

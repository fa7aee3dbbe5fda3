"""Request and response shapes of meters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from ...services.units import METER_TYPES, UNIT_MAX, UNITS, MeterType, unit_error
from ..common import Id, OneLine, OutSchema, QuerySchema, Schema, Timestamp

# The limits of records and meters: the request models below and the CSV import read them here.
METER_NAME_MAX = 64

# JSON-schema patterns for what the validators enforce beyond lengths (no control character,
# something besides spaces; units of "other" meters without surrounding spaces).
_CHAR = r"[^\x00-\x1f\x7f-\x9f]"
_VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f]"
NAME_PATTERN = f"^{_CHAR}*{_VISIBLE}{_CHAR}*$"
UNIT_PATTERN = f"^{_VISIBLE}({_CHAR}*{_VISIBLE})?$"

MeterName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=METER_NAME_MAX),
    OneLine,
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
Unit = Annotated[
    str,
    StringConstraints(min_length=1, max_length=UNIT_MAX),
    OneLine,
    Field(json_schema_extra={"pattern": UNIT_PATTERN}),
]


def _known_meter(value: int, info: ValidationInfo) -> int:
    """With a ``meter_exists`` check in the validation context, refuse ids of no meter of the user.

    The check runs with the other field rules, so one 422 lists every problem of a request;
    the services check again under the user's lock.
    """
    exists: Callable[[int], bool] | None = (info.context or {}).get("meter_exists")
    if exists is not None and not exists(value):
        raise PydanticCustomError("not_found", "Meter not found.")
    return value


MeterId = Annotated[Id, AfterValidator(_known_meter)]


def _known_household(value: int, info: ValidationInfo) -> int:
    """With a ``household_exists`` check in the validation context, refuse ids of no household
    of the user (a household one is not a member of does not exist for them: 422, never 403)."""
    exists: Callable[[int], bool] | None = (info.context or {}).get("household_exists")
    if exists is not None and not exists(value):
        raise PydanticCustomError("not_found", "Household not found.")
    return value


HouseholdId = Annotated[Id, AfterValidator(_known_household)]


def _type_variants(properties: dict[str, Any], required: list[str]) -> list[dict[str, Any]]:
    """One object schema per meter type, each with the units that type allows."""
    variants = []
    for kind in METER_TYPES:
        unit = {"type": "string", "enum": list(UNITS[kind])} if kind in UNITS else properties["unit"]
        variants.append(
            {
                "type": "object",
                "title": f"{kind.capitalize()} meter",
                "properties": {**properties, "type": {"type": "string", "enum": [kind]}, "unit": unit},
                "required": required,
                "additionalProperties": False,
            }
        )
    return variants


class MeterCreate(Schema):
    """A new meter: the unit must suit the type (see the variants)."""

    name: MeterName
    type: MeterType
    unit: Unit
    household_id: HouseholdId | None = Field(default=None, description="Default: your default household")

    @field_validator("unit")
    @classmethod
    def _unit_fits_type(cls, unit: str, info: ValidationInfo) -> str:
        meter_type = info.data.get("type")
        if meter_type is not None and (problem := unit_error(meter_type, unit)):
            raise ValueError(problem)
        return unit

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        target = handler.resolve_ref_schema(schema)
        variants = _type_variants(target.pop("properties"), target.pop("required"))
        target.pop("additionalProperties", None)
        target.pop("type", None)
        target["oneOf"] = variants
        return schema


class MeterUpdate(Schema):
    """Fields left out stay. A type and a unit sent together must suit each other; either one
    alone must suit the meter's current other one."""

    name: MeterName | None = None
    type: MeterType | None = None
    unit: Unit | None = None
    archived: bool | None = None

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        target = handler.resolve_ref_schema(schema)
        # A type and a unit sent together are one of the pairs; either alone depends on the meter.
        pairs = _type_variants(target["properties"], ["type", "unit"])
        target["anyOf"] = [{"not": {"required": ["type", "unit"]}}, *pairs]
        return schema


class MeterOut(OutSchema):
    id: int
    household_id: int
    name: str
    type: MeterType
    unit: str
    archived: bool
    created_at: Timestamp
    updated_at: Timestamp


class MeterList(OutSchema):
    items: list[MeterOut]


class MeterListQuery(QuerySchema):
    household_id: HouseholdId | None = Field(default=None, description="Only this household's meters")


class MeterDeleteQuery(QuerySchema):
    cascade: bool = False

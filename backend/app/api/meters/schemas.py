"""Request and response shapes of meters."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from ...services.units import METER_TYPES, UNIT_MAX, UNITS, MeterType, unit_error
from ..common import Id, OneLine, OutSchema, QuerySchema, Schema, Timestamp, _json_number, _places, _to_float

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

# Register values (readings) and the readings settings of a meter: at most 3 places, below 10^12.
MAX_REGISTER = Decimal(10) ** 12
_REGISTER_SCHEMA = {"type": "number", "maximum": 1e12, "exclusiveMaximum": True, "multipleOf": 0.001}
RegisterValue = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(3)),
    Field(ge=0, lt=10**12),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({**_REGISTER_SCHEMA, "minimum": 0}),
]
PositiveRegister = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(3)),
    Field(gt=0, lt=10**12),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({**_REGISTER_SCHEMA, "minimum": 0, "exclusiveMinimum": True}),
]


def from_milli(milli: int | None) -> Decimal | None:
    return None if milli is None else Decimal(milli).scaleb(-3)


def to_milli(value: Decimal | None) -> int | None:
    return None if value is None else int(value.scaleb(3))


# Alert settings (PRODUCT §12): a day above anomaly_factor x the median of its previous days is an
# anomaly; a readings meter unread for reading_reminder_days is overdue. Null turns either off.
DEFAULT_ANOMALY_FACTOR = Decimal(3)
DEFAULT_REMINDER_DAYS = 35
AnomalyFactor = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(3)),
    Field(ge=1, le=1000),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 1, "maximum": 1000, "multipleOf": 0.001}),
]
ReminderDays = Annotated[int, Field(ge=1, le=3650)]
ANOMALY_DOC = "Alerts: a finished day above this many times the median of its previous days (1-1000); null: off"
REMINDER_DOC = "Alerts (readings meters): remind after this many days without a reading (1-3650); null: off"

MeterMode = Literal["consumption", "readings"]
READINGS_ONLY = ("rollover_at", "max_per_day")
READINGS_ONLY_ERROR = "applies to readings meters only (mode 'readings')"
# The same rule for the OpenAPI document: a meter sent as (or left) a consumption meter has no
# readings settings.
_READINGS_ONLY_SCHEMA = {
    "anyOf": [
        {"properties": {"mode": {"enum": ["readings"]}}, "required": ["mode"]},
        {"not": {"anyOf": [{"required": [name]} for name in READINGS_ONLY]}},
    ]
}


def _readings_only(data: Any, mode: str | None) -> None:
    """Refuse readings settings (not null) sent with mode ``consumption``."""
    if mode == "consumption":
        for name in READINGS_ONLY:
            if getattr(data, name) is not None:
                raise PydanticCustomError("readings_only", f"{name} {READINGS_ONLY_ERROR}")


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
                **_READINGS_ONLY_SCHEMA,
            }
        )
    return variants


class MeterCreate(Schema):
    """A new meter: the unit must suit the type (see the variants)."""

    name: MeterName
    type: MeterType
    unit: Unit
    household_id: HouseholdId | None = Field(default=None, description="Default: your default household")
    mode: MeterMode = Field(default="consumption", description="readings: register values, consumption derived")
    rollover_at: PositiveRegister | None = Field(default=None, description="Readings meters: the register wraps to 0")
    max_per_day: PositiveRegister | None = Field(default=None, description="Readings meters: plausible most per day")
    anomaly_factor: AnomalyFactor | None = Field(default=DEFAULT_ANOMALY_FACTOR, description=ANOMALY_DOC)
    reading_reminder_days: ReminderDays | None = Field(default=DEFAULT_REMINDER_DAYS, description=REMINDER_DOC)

    @model_validator(mode="after")
    def _settings_fit_mode(self) -> MeterCreate:
        _readings_only(self, self.mode)
        return self

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
    mode: MeterMode | None = Field(default=None, description="Only while the meter has no records and no readings")
    rollover_at: PositiveRegister | None = Field(default=None, description="Readings meters; null removes it")
    max_per_day: PositiveRegister | None = Field(default=None, description="Readings meters; null removes it")
    anomaly_factor: AnomalyFactor | None = Field(default=None, description=ANOMALY_DOC)
    reading_reminder_days: ReminderDays | None = Field(default=None, description=REMINDER_DOC)

    @model_validator(mode="after")
    def _settings_fit_mode(self) -> MeterUpdate:
        _readings_only(self, self.mode)
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        target = handler.resolve_ref_schema(schema)
        # A type and a unit sent together are one of the pairs; either alone depends on the meter.
        pairs = _type_variants(target["properties"], ["type", "unit"])
        target["anyOf"] = [{"not": {"required": ["type", "unit"]}}, *pairs]
        consumption = {"properties": {"mode": {"enum": ["consumption"]}}, "required": ["mode"]}
        settings = [{"properties": {name: {"type": "number"}}, "required": [name]} for name in READINGS_ONLY]
        target["not"] = {"allOf": [consumption, {"anyOf": settings}]}
        return schema


class LastReading(OutSchema):
    taken_at: Timestamp
    value: RegisterValue


class MeterOut(OutSchema):
    id: int
    household_id: int
    name: str
    type: MeterType
    unit: str
    archived: bool
    mode: MeterMode = "consumption"
    rollover_at: PositiveRegister | None = Field(default=None, description="Readings meters: the register wraps to 0")
    max_per_day: PositiveRegister | None = Field(default=None, description="Readings meters: plausible most per day")
    last_reading: LastReading | None = Field(default=None, description="The latest reading (readings meters)")
    anomaly_factor: AnomalyFactor | None = Field(default=DEFAULT_ANOMALY_FACTOR, description=ANOMALY_DOC)
    reading_reminder_days: ReminderDays | None = Field(default=DEFAULT_REMINDER_DAYS, description=REMINDER_DOC)
    created_at: Timestamp
    updated_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _from_meter(cls, data: Any) -> Any:
        """Read a ``Meter`` row: its readings settings are stored in thousandths."""
        if isinstance(data, dict):
            return data
        fields = ("id", "household_id", "name", "type", "unit", "archived", "mode", "created_at", "updated_at")
        values = {name: getattr(data, name) for name in fields}
        values["rollover_at"] = from_milli(data.rollover_at_milli)
        values["max_per_day"] = from_milli(data.max_per_day_milli)
        values["anomaly_factor"] = from_milli(data.anomaly_factor_milli)
        values["reading_reminder_days"] = data.reading_reminder_days
        return values


class MeterList(OutSchema):
    items: list[MeterOut]


class MeterListQuery(QuerySchema):
    household_id: HouseholdId | None = Field(default=None, description="Only this household's meters")


class MeterDeleteQuery(QuerySchema):
    cascade: bool = False

"""Request and response shapes of readings (PRODUCT §10)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..attachments.schemas import AttachmentIds
from ..common import DATE_MAX, DATE_MIN, DateWindow, OutSchema, Pagination, QuerySchema, Schema, Timestamp
from ..meters.schemas import HouseholdId, MeterId, RegisterValue, from_milli
from ..records.schemas import ImportRowError, Note, _not_nullable

Kind = Literal["reading", "replacement"]
Sort = Literal["taken_at", "-taken_at"]
OFFSET_ERROR = "must be an ISO-8601 timestamp with a UTC offset, e.g. 2026-03-01T08:00:00+01:00"
# RFC 3339 date-times the API accepts (years 1900-2999, no leap second, up to microseconds).
TAKEN_AT_PATTERN = (
    r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$"
)


def _instant(value: Any) -> datetime:
    """An ISO-8601 string with an offset (or an aware datetime), as UTC."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value) if "T" in value else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise PydanticCustomError("datetime", OFFSET_ERROR)
        value = parsed
    if not isinstance(value, datetime):
        raise PydanticCustomError("datetime", OFFSET_ERROR)
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("datetime", f"has no UTC offset: {OFFSET_ERROR}")
    instant = value.astimezone(UTC)
    if not DATE_MIN <= instant.date() <= DATE_MAX:
        raise PydanticCustomError("datetime", f"must be between {DATE_MIN.year} and {DATE_MAX.year}")
    return instant


TakenAt = Annotated[
    datetime,
    BeforeValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": TAKEN_AT_PATTERN}),
]

# A replacement carries the old register's final value; a plain reading does not.
_KIND_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "properties": {"kind": {"enum": ["replacement"]}, "previous_final_value": {"type": "number"}},
            "required": ["kind", "previous_final_value"],
        },
        {"properties": {"kind": {"enum": ["reading"]}}, "not": {"required": ["previous_final_value"]}},
    ]
}
PREVIOUS_FINAL_REQUIRED = "is required for a replacement: the old register's last value"
PREVIOUS_FINAL_FORBIDDEN = "is for replacements only (kind 'replacement')"


class ReadingCreate(Schema):
    """A register value; a ``replacement`` starts a new register at ``value``."""

    meter_id: MeterId
    taken_at: TakenAt = Field(description="With its UTC offset; stored as UTC")
    value: RegisterValue
    kind: Kind = "reading"
    previous_final_value: RegisterValue | None = Field(
        default=None, validate_default=True, description="Replacements only: the old register's last value"
    )
    note: Note | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list)

    model_config = ConfigDict(json_schema_extra=lambda schema: schema.update(_KIND_SCHEMA))

    @field_validator("previous_final_value")
    @classmethod
    def _fits_kind(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        kind = info.data.get("kind")
        if kind == "replacement" and value is None:
            raise PydanticCustomError("missing", PREVIOUS_FINAL_REQUIRED)
        if kind == "reading" and value is not None:
            raise PydanticCustomError("extra_forbidden", PREVIOUS_FINAL_FORBIDDEN)
        return value


class ReadingUpdate(Schema):
    """Fields left out stay; ``note`` and ``previous_final_value`` may be set to null."""

    taken_at: TakenAt | None = None
    value: RegisterValue | None = None
    kind: Kind | None = None
    previous_final_value: RegisterValue | None = None
    note: Note | None = None
    attachment_ids: AttachmentIds | None = None

    model_config = ConfigDict(
        json_schema_extra=lambda schema: _not_nullable(schema, ("taken_at", "value", "kind", "attachment_ids"))
    )

    @field_validator("taken_at", "value", "kind", "attachment_ids")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null")
        return value


class ReadingFlags(OutSchema):
    wrapped: bool = Field(description="The register wrapped at rollover_at since the reading before")
    high_rate: bool = Field(description="The interval ending here averages more per day than max_per_day")


class ReadingOut(OutSchema):
    id: int
    household_id: int
    meter_id: int
    taken_at: Timestamp
    value: RegisterValue
    kind: Kind
    previous_final_value: RegisterValue | None
    note: str | None
    attachment_ids: list[int] = Field(description="Its photos (GET /api/attachments/{id} for links)")
    flags: ReadingFlags
    created_by: int | None = Field(description="Who wrote it; null once that account is deleted")
    created_at: Timestamp
    updated_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _from_reading(cls, data: Any) -> Any:
        """Read a ``Reading`` row: values in thousandths, flags as columns."""
        if isinstance(data, dict):
            return data
        fields = (
            "id",
            "household_id",
            "meter_id",
            "taken_at",
            "kind",
            "note",
            "attachment_ids",
            "created_by",
            "created_at",
            "updated_at",
        )
        values = {name: getattr(data, name) for name in fields}
        values["value"] = from_milli(data.value_milli)
        values["previous_final_value"] = from_milli(data.previous_final_milli)
        values["flags"] = {"wrapped": data.wrapped, "high_rate": data.high_rate}
        return values


class ReadingFilters(DateWindow):
    """The list filters, shared by the paginated list and the export; days are the household's local days."""

    household_id: HouseholdId | None = Field(default=None, description="Only this household's readings")
    meter_id: MeterId | None = None


class ReadingQuery(ReadingFilters, Pagination):
    sort: Sort = "-taken_at"


class ReadingPage(OutSchema):
    items: list[ReadingOut]
    page: int
    per_page: int
    total: int
    pages: int


class ReadingImportQuery(QuerySchema):
    household_id: HouseholdId | None = Field(default=None, description="Default: your default household")
    dry_run: bool = Field(default=False, description="Validate and report without writing anything")


class ReadingImportResult(OutSchema):
    imported: int
    skipped_duplicates: int = Field(description="Rows equal to a stored reading or to an earlier row")
    errors: list[ImportRowError]
    dry_run: bool


class ReadingExportQuery(ReadingFilters):
    format: Literal["csv", "json"] = "csv"
    sort: Sort = "taken_at"


class ReadingExportRow(OutSchema):
    taken_at: str = Field(description="In the household's local time, with its offset")
    meter: str
    value: RegisterValue
    kind: Kind
    previous_final_value: RegisterValue | None
    note: str | None
    attachment_ids: list[int] = Field(default_factory=list, description="Its photos (the JSON export only)")


class ReadingExportDocument(OutSchema):
    items: list[ReadingExportRow]

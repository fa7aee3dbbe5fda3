from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from ...services.units import MeterType
from ..attachments.schemas import AttachmentIds
from ..common import (
    Amount,
    Cost,
    DateWindow,
    Day,
    NoControl,
    OutSchema,
    Pagination,
    QuerySchema,
    Schema,
    TextPattern,
    Timestamp,
)
from ..meters.schemas import METER_NAME_MAX as METER_NAME_MAX  # noqa: PLC0414 (the CSV import's limit)
from ..meters.schemas import NAME_PATTERN as NAME_PATTERN  # noqa: PLC0414 (re-exported)
from ..meters.schemas import HouseholdId, MeterId

NOTE_MAX = 500

# An empty note is no note: stored as null, so an export (empty field) imports back as the same record.
Note = Annotated[
    str, StringConstraints(max_length=NOTE_MAX), NoControl, TextPattern, AfterValidator(lambda v: v or None)
]
Sort = Literal["date", "-date", "amount", "-amount", "created_at", "-created_at", "meter", "-meter", "cost", "-cost"]


class RecordCreate(Schema):
    meter_id: MeterId
    date: Day
    amount: Amount
    cost: Cost | None = None
    note: Note | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list)


def _not_nullable(schema: dict[str, Any], fields: tuple[str, ...]) -> None:
    """State in the document that these optional fields may be left out but not sent as null."""
    for name in fields:
        prop = schema["properties"][name]
        options = [option for option in prop.pop("anyOf", []) if option.get("type") != "null"]
        if len(options) == 1:
            prop.update(options[0])
        prop.pop("default", None)


class RecordUpdate(Schema):
    """Partial update: fields left out stay; ``cost`` and ``note`` may be set to null."""

    meter_id: MeterId | None = None
    date: Day | None = None
    amount: Amount | None = None
    cost: Cost | None = None
    note: Note | None = None
    attachment_ids: AttachmentIds | None = None

    model_config = ConfigDict(
        json_schema_extra=lambda schema: _not_nullable(schema, ("meter_id", "date", "amount", "attachment_ids"))
    )

    @field_validator("meter_id", "date", "amount", "attachment_ids")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for fields that are sent: leaving one out keeps it, sending null is refused.
        if value is None:
            raise ValueError("must not be null")
        return value


class RecordOut(OutSchema):
    id: int
    household_id: int
    meter_id: int
    meter_name: str
    type: MeterType
    unit: str
    date: Day
    amount: Amount
    cost: Cost | None
    note: str | None
    attachment_ids: list[int] = Field(description="Its photos (GET /api/attachments/{id} for links)")
    created_by: int | None = Field(description="Who wrote it; null once that account is deleted")
    created_at: Timestamp
    updated_at: Timestamp


class RecordFilters(DateWindow):
    """The list filters, shared by the paginated list and the export."""

    household_id: HouseholdId | None = Field(default=None, description="Only this household's records")
    meter_id: MeterId | None = None
    type: list[MeterType] | None = Field(default=None, description="Repeat to match several types")
    q: Annotated[str, StringConstraints(max_length=200), NoControl, TextPattern] | None = Field(
        default=None, description="Text in the note (case ignored)"
    )


class RecordQuery(RecordFilters, Pagination):
    sort: Sort = "-date"


class RecordPage(OutSchema):
    items: list[RecordOut]
    page: int
    per_page: int
    total: int
    pages: int


# Import and export ---------------------------------------------------------------------


class ImportQuery(QuerySchema):
    household_id: HouseholdId | None = Field(default=None, description="Default: your default household")
    dry_run: bool = Field(default=False, description="Validate and report without writing anything")


class ImportRowError(OutSchema):
    row: int = Field(description="1 = first data row; 0 = the header line")
    field: str | None = Field(description="Column name, or null for a problem with the whole row")
    message: str


class ImportResult(OutSchema):
    imported: int
    skipped_duplicates: int
    errors: list[ImportRowError]
    dry_run: bool
    meters_created: list[str] = Field(description="Names of the meters the import created (or would create)")


class ExportQuery(RecordFilters):
    format: Literal["csv", "json"] = "csv"
    sort: Sort = "date"


class ExportRow(OutSchema):
    date: Day
    meter: str
    amount: Amount
    cost: Cost | None
    note: str | None
    type: MeterType
    unit: str
    attachment_ids: list[int] = Field(default_factory=list, description="Its photos (the JSON export only)")


class ExportDocument(OutSchema):
    items: list[ExportRow]

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator

from ...services.units import unit_error
from ..common import Amount, Cost, Day, Id, NoControl, OutSchema, Pagination, QuerySchema, Schema, Timestamp

MeterType = Literal["electricity", "water", "gas", "other"]
MeterName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NoControl]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=16), NoControl]
# An empty note is no note: stored as null, so an export (empty field) imports back as the same record.
Note = Annotated[str, StringConstraints(max_length=500), NoControl, AfterValidator(lambda v: v or None)]
Sort = Literal["date", "-date", "amount", "-amount", "created_at", "-created_at"]


class MeterCreate(Schema):
    name: MeterName
    type: MeterType
    unit: Unit

    @field_validator("unit")
    @classmethod
    def _unit_fits_type(cls, unit: str, info: ValidationInfo) -> str:
        meter_type = info.data.get("type")
        if meter_type is not None and (problem := unit_error(meter_type, unit)):
            raise ValueError(problem)
        return unit


class MeterUpdate(Schema):
    name: MeterName | None = None
    type: MeterType | None = None
    unit: Unit | None = None
    archived: bool | None = None


class MeterOut(OutSchema):
    id: int
    name: str
    type: MeterType
    unit: str
    archived: bool
    created_at: Timestamp
    updated_at: Timestamp


class MeterList(OutSchema):
    items: list[MeterOut]


class MeterDeleteQuery(QuerySchema):
    cascade: bool = False


class RecordCreate(Schema):
    meter_id: Id
    date: Day
    amount: Amount
    cost: Cost | None = None
    note: Note | None = None


class RecordUpdate(Schema):
    """Partial update: fields left out stay; ``cost`` and ``note`` may be set to null."""

    meter_id: Id | None = None
    date: Day | None = None
    amount: Amount | None = None
    cost: Cost | None = None
    note: Note | None = None


class RecordOut(OutSchema):
    id: int
    meter_id: int
    meter_name: str
    type: MeterType
    unit: str
    date: Day
    amount: Amount
    cost: Cost | None
    note: str | None
    created_at: Timestamp
    updated_at: Timestamp


class RecordFilters(QuerySchema):
    """The list filters, shared by the paginated list and the export."""

    meter_id: Id | None = None
    type: list[MeterType] | None = Field(default=None, description="Repeat to match several types")
    date_from: Day | None = None
    date_to: Day | None = None
    q: Annotated[str, StringConstraints(max_length=200), NoControl] | None = Field(
        default=None, description="Text in the note"
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


class ExportDocument(OutSchema):
    items: list[ExportRow]

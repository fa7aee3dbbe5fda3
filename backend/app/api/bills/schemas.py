from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from ..analytics.schemas import Figure, NullableFigure
from ..attachments.schemas import AttachmentIds
from ..common import Amount, Cost, Day, NoControl, OutSchema, Pagination, Schema, TextPattern, Timestamp
from ..meters.schemas import HouseholdId, MeterId
from ..tariffs.schemas import not_nullable, refuse_null

#: The longest a bill may run, in days (both ends included).
MAX_BILL_DAYS = 400
NOTE_MAX = 500

Note = Annotated[
    str, StringConstraints(max_length=NOTE_MAX), NoControl, TextPattern, AfterValidator(lambda v: v or None)
]


def period_error(period_from: date, period_to: date) -> str | None:
    """Why a bill's days are not a period, or None."""
    if period_to < period_from:
        return "must not be before period_from"
    if (period_to - period_from).days + 1 > MAX_BILL_DAYS:
        return f"a bill covers at most {MAX_BILL_DAYS} days"
    return None


class BillCreate(Schema):
    """A bill of one meter: what the supplier billed for the days from period_from to period_to."""

    meter_id: MeterId
    household_id: HouseholdId | None = Field(default=None, description="Default: the meter's household")
    period_from: Day
    period_to: Day = Field(description=f"Not before period_from; at most {MAX_BILL_DAYS} days in all")
    amount: Amount | None = Field(default=None, description="Billed consumption in the meter's unit")
    cost: Cost = Field(description="Billed total in the household's currency")
    note: Note | None = None
    attachment_ids: AttachmentIds = Field(default_factory=list, description="Photos of the paper bill")

    @field_validator("period_to")
    @classmethod
    def _a_period(cls, period_to: date, info: ValidationInfo) -> date:
        start = info.data.get("period_from")
        if start is not None and (problem := period_error(start, period_to)):
            raise ValueError(problem)
        return period_to


class BillUpdate(Schema):
    """Partial update: fields left out stay; ``amount`` and ``note`` may be set to null."""

    period_from: Day | None = None
    period_to: Day | None = None
    amount: Amount | None = None
    cost: Cost | None = None
    note: Note | None = None
    attachment_ids: AttachmentIds | None = None

    model_config = ConfigDict(json_schema_extra=not_nullable("period_from", "period_to", "cost", "attachment_ids"))
    _not_null = field_validator("period_from", "period_to", "cost", "attachment_ids")(refuse_null)


class BillQuery(Pagination):
    household_id: HouseholdId | None = Field(default=None, description="Only this household's bills")
    meter_id: MeterId | None = Field(default=None, description="Only this meter's bills")


class Computed(OutSchema):
    amount: Figure = Field(description="The meter's consumption over the bill's days, from its records and readings")
    cost: Figure = Field(description="Their cost by the cost rule (explicit costs and tariffs)")


class Difference(OutSchema):
    amount: NullableFigure = Field(description="Billed - computed; null when the bill has no amount")
    cost: Figure = Field(description="Billed - computed")
    cost_pct: NullableFigure = Field(description="The cost difference in percent of the computed cost; null when 0")


class BillOut(OutSchema):
    id: int
    household_id: int
    meter_id: int
    period_from: date
    period_to: date
    amount: NullableFigure
    cost: Figure
    note: str | None
    attachment_ids: list[int] = Field(description="Photos of the paper bill (GET /api/attachments/{id} for links)")
    computed: Computed
    difference: Difference
    created_at: Timestamp
    updated_at: Timestamp


class BillPage(OutSchema):
    items: list[BillOut]
    page: int
    per_page: int
    total: int
    pages: int

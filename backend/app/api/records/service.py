"""Records of households. Reads go through ``tenancy.scoped``; writes through
``tenancy.require_role`` (editor) and the household's lock (see ``meters.service``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ...errors import InvalidField
from ...extensions import db
from ...models import Attachment, DailyRollup, Meter, Record, User
from ...services import attachments, events, locks, rollups, tenancy
from ..common import contains_ignoring_case
from ..meters.service import meter_household, readable, writable
from .schemas import RecordCreate, RecordFilters, RecordOut, RecordQuery, RecordUpdate

READINGS_METER_ERROR = "is a readings meter: its consumption comes from its readings; add a reading instead."


def record_payload(record: Record) -> dict[str, Any]:
    return RecordOut.model_validate(record).model_dump(mode="json")


# Records -----------------------------------------------------------------------------

_METER_NAME = (
    select(func.lower(Meter.name)).where(Meter.id == Record.meter_id).correlate_except(Meter).scalar_subquery()
)

SORTS: dict[str, tuple[Any, ...]] = {
    "date": (Record.date.asc(), Record.id.asc()),
    "-date": (Record.date.desc(), Record.id.desc()),
    "amount": (Record.amount_milli.asc(), Record.id.asc()),
    "-amount": (Record.amount_milli.desc(), Record.id.desc()),
    "created_at": (Record.created_at.asc(), Record.id.asc()),
    "-created_at": (Record.created_at.desc(), Record.id.desc()),
    # By meter name (case ignored), newest first within a meter; records without a cost last either way.
    "meter": (_METER_NAME.asc(), Record.date.desc(), Record.id.desc()),
    "-meter": (_METER_NAME.desc(), Record.date.desc(), Record.id.desc()),
    "cost": (Record.cost_cents.asc().nulls_last(), Record.id.asc()),
    "-cost": (Record.cost_cents.desc().nulls_last(), Record.id.desc()),
}


def filtered(user: User, query: RecordFilters) -> Select[Any]:
    """The user's records matching the list filters (shared by the list and the export)."""
    stmt = tenancy.scoped(Record, user, query.household_id)
    if query.meter_id is not None:
        stmt = stmt.where(Record.meter_id == query.meter_id)
    if query.type:
        meter_ids = tenancy.scoped(Meter, user).with_only_columns(Meter.id).where(Meter.type.in_(query.type))
        stmt = stmt.where(Record.meter_id.in_(meter_ids))
    if query.date_from is not None:
        stmt = stmt.where(Record.date >= query.date_from)
    if query.date_to is not None:
        stmt = stmt.where(Record.date <= query.date_to)
    if query.q:
        stmt = stmt.where(contains_ignoring_case(Record.note, query.q))
    return stmt


def _count(user: User, query: RecordQuery, stmt: Select[Any]) -> int:
    """How many records match: from the daily rollups (one row per meter and day, kept exact in
    every write's transaction) unless the note is searched, so a page does not count every record."""
    if query.q:
        return db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Record.id).subquery())) or 0
    r = DailyRollup
    counted = tenancy.scoped(r, user, query.household_id).with_only_columns(func.coalesce(func.sum(r.count), 0))
    # A readings meter's rows count its readings, not records.
    readings_meters = tenancy.scoped(Meter, user).with_only_columns(Meter.id).where(Meter.mode == "readings")
    counted = counted.where(r.meter_id.not_in(readings_meters))
    if query.meter_id is not None:
        counted = counted.where(r.meter_id == query.meter_id)
    if query.type:
        counted = counted.where(
            r.meter_id.in_(tenancy.scoped(Meter, user).with_only_columns(Meter.id).where(Meter.type.in_(query.type)))
        )
    if query.date_from is not None:
        counted = counted.where(r.date >= query.date_from)
    if query.date_to is not None:
        counted = counted.where(r.date <= query.date_to)
    return int(db.session.scalar(counted) or 0)


def list_records(user: User, query: RecordQuery) -> tuple[list[Record], int]:
    """One page of the user's records matching the filters, and how many match in all."""
    stmt = filtered(user, query)
    total = _count(user, query, stmt)
    # Find the page's ids first (an index-only walk for the date sorts), then load those rows with
    # their meters: deep pages then skip index entries, not joined rows.
    page_ids = (
        stmt.with_only_columns(Record.id)
        .order_by(*SORTS[query.sort])
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    )
    page_stmt = (
        select(Record)
        .where(Record.id.in_(page_ids.scalar_subquery()))
        .order_by(*SORTS[query.sort])
        .options(selectinload(Record.attachments))
    )
    return list(db.session.scalars(page_stmt)), total


def get_record(user: User, record_id: int) -> Record:
    return readable(Record, user, record_id, "Record")


def _meter_for_record(user: User, meter_id: int) -> Meter:
    """A meter to write a record on: readable (else 422 on ``meter_id``), the user an editor of
    its household (else 403). The caller takes the household's lock."""
    row = db.session.execute(tenancy.with_role(select(Meter).where(Meter.id == meter_id), Meter.household_id, user))
    found = row.first()
    if found is None:
        raise InvalidField("meter_id", "Meter not found.", "not_found")
    meter: Meter = found[0]
    tenancy.check_role(found[1], "editor")
    if meter.mode == "readings":
        raise InvalidField("meter_id", READINGS_METER_ERROR, "meter_mode")
    return meter


def create_record(user: User, data: RecordCreate) -> Record:
    record = add_record(user, data)
    db.session.commit()
    return record


def add_record(user: User, data: RecordCreate) -> Record:
    """Add a record in the current transaction (the caller commits; a batch adds many)."""
    # The lock's key only: which household, and whether the user may write there, is checked
    # under the lock (a meter moved or a role changed meanwhile is seen).
    household_id = meter_household(data.meter_id)
    if household_id is None:
        raise InvalidField("meter_id", "Meter not found.", "not_found")
    locks.lock_household(household_id)
    meter = _meter_for_record(user, data.meter_id)
    record = Record(household_id=meter.household_id, meter=meter, created_by=user.id, date=data.date, note=data.note)
    record.amount = data.amount
    record.cost = data.cost
    db.session.add(record)
    db.session.flush()
    rollups.add_record(meter.household_id, meter.id, data.date, record.amount_milli, record.cost_cents)
    attachments.attach_new(meter.household_id, "record_id", record, data.attachment_ids)
    events.emit_household(meter.household_id, "record.created", record=record_payload(record))
    return record


def update_record(user: User, record_id: int, data: RecordUpdate | RecordCreate, replace: bool) -> Record:
    current = readable(Record, user, record_id, "Record").household_id
    tenancy.require_role(user, current, "editor")
    households = {current}
    if data.meter_id is not None:
        # Moving a record to a meter of another household: both households' writers wait.
        households.add(_meter_for_record(user, data.meter_id).household_id)
    locks.lock_households(households)
    record = writable(Record, user, record_id, "Record")
    before = record.household_id
    touched: set[tuple[int, date]] = {(record.meter_id, record.date)}
    fields = data.model_fields_set
    if data.meter_id is not None and data.meter_id != record.meter_id:
        record.meter = _meter_for_record(user, data.meter_id)
        record.household_id = record.meter.household_id
    if data.date is not None:
        record.date = data.date
    if data.amount is not None:
        record.amount = data.amount
    if replace or "cost" in fields:
        record.cost = data.cost
    if replace or "note" in fields:
        record.note = data.note
    db.session.flush()
    if before != record.household_id:
        rollups.refresh_days(before, touched)
        touched = set()
    touched.add((record.meter_id, record.date))
    rollups.refresh_days(record.household_id, touched)
    if before != record.household_id:  # a record moved to another household takes its photos along
        attachments.move(Attachment.record_id == record.id, record.household_id)
    if "attachment_ids" in fields:
        attachments.attach(record.household_id, "record_id", record.id, data.attachment_ids, replace=True)
    attachments.refresh(record)
    if before != record.household_id:
        events.emit_household(before, "record.deleted", id=record_id)
    events.emit_household(record.household_id, "record.updated", record=record_payload(record))
    db.session.commit()
    return record


def delete_record(user: User, record_id: int) -> None:
    record = writable(Record, user, record_id, "Record")
    key = (record.meter_id, record.date)
    household_id = record.household_id
    attachments.forget(Attachment.record_id == record_id)  # the database deletes the rows with it
    db.session.delete(record)
    rollups.refresh_days(household_id, [key])
    events.emit_household(household_id, "record.deleted", id=record_id)
    db.session.commit()

"""Readings of households' meters (PRODUCT §10): reads through ``tenancy.scoped``, writes as an
editor under the household's lock, each in one transaction with the rollups of the days it
touches (``services.readings.recompute``) and its live event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from ...errors import Conflict, InvalidField
from ...extensions import db
from ...models import Attachment, Household, Meter, Reading, User
from ...services import attachments, events, locks, tenancy
from ...services import readings as derived
from ...services.interpolation import day_start
from ..meters.schemas import to_milli
from ..meters.service import readable, writable
from .schemas import (
    PREVIOUS_FINAL_FORBIDDEN,
    PREVIOUS_FINAL_REQUIRED,
    ReadingCreate,
    ReadingFilters,
    ReadingOut,
    ReadingQuery,
    ReadingUpdate,
)

ORDER = "reading_order"
SORTS: dict[str, tuple[Any, ...]] = {
    "taken_at": (Reading.taken_at.asc(), Reading.id.asc()),
    "-taken_at": (Reading.taken_at.desc(), Reading.id.desc()),
}


def reading_payload(reading: Reading) -> dict[str, Any]:
    return ReadingOut.model_validate(reading).model_dump(mode="json")


# Reads -------------------------------------------------------------------------------


def filtered(user: User, query: ReadingFilters) -> Select[Any]:
    """The user's readings matching the filters; days are each household's local days."""
    stmt = tenancy.scoped(Reading, user, query.household_id)
    if query.meter_id is not None:
        stmt = stmt.where(Reading.meter_id == query.meter_id)
    if query.date_from is not None or query.date_to is not None:
        ids = [query.household_id] if query.household_id is not None else tenancy.readable_ids(user)
        zones = db.session.execute(select(Household.id, Household.timezone).where(Household.id.in_(ids)))
        stmt = stmt.where(or_(false(), *(_window(household, zone, query) for household, zone in zones)))
    return stmt


def _window(household_id: int, zone_name: str, query: ReadingFilters) -> ColumnElement[bool]:
    zone = ZoneInfo(zone_name)
    conditions = [Reading.household_id == household_id]
    if query.date_from is not None:
        conditions.append(Reading.taken_at >= day_start(query.date_from, zone))
    if query.date_to is not None:
        conditions.append(Reading.taken_at < day_start(query.date_to + timedelta(days=1), zone))
    return and_(*conditions)


def list_readings(user: User, query: ReadingQuery) -> tuple[list[Reading], int]:
    stmt = filtered(user, query)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Reading.id).subquery())) or 0
    page = stmt.order_by(*SORTS[query.sort]).offset((query.page - 1) * query.per_page).limit(query.per_page)
    return list(db.session.scalars(page.options(selectinload(Reading.attachments)))), int(total)


def get_reading(user: User, reading_id: int) -> Reading:
    return readable(Reading, user, reading_id, "Reading")


# Rules -------------------------------------------------------------------------------


def _meter_for_reading(user: User, meter_id: int) -> Meter:
    """A readings meter to write on: readable (else 422 on ``meter_id``), the user an editor (else 403)."""
    meter = db.session.scalar(tenancy.scoped(Meter, user).where(Meter.id == meter_id))
    if meter is None:
        raise InvalidField("meter_id", "Meter not found.", "not_found")
    tenancy.require_role(user, meter.household_id, "editor")
    if meter.mode != "readings":
        raise InvalidField(
            "meter_id",
            "is a consumption meter: record amounts on it, or use a meter with mode 'readings'.",
            "meter_mode",
        )
    return meter


def show(milli: int) -> str:
    return f"{Decimal(milli).scaleb(-3):.3f}"


def _described(reading: Reading, zone: ZoneInfo) -> str:
    when = reading.taken_at.astimezone(zone).isoformat(timespec="seconds")
    return f"the reading of {when} ({show(reading.value_milli)})"


def _neighbour(meter_id: int, taken_at: datetime, exclude: int | None, later: bool) -> Reading | None:
    r = Reading
    stmt = select(r).where(r.meter_id == meter_id, r.taken_at > taken_at if later else r.taken_at < taken_at)
    if exclude is not None:
        stmt = stmt.where(r.id != exclude)
    return db.session.scalar(stmt.order_by(r.taken_at.asc() if later else r.taken_at.desc()).limit(1))


def _pair_ok(meter: Meter, before: Reading, after: Reading) -> bool:
    found = derived.interval(
        before.value_milli, after.value_milli, after.kind, after.previous_final_milli, meter.rollover_at_milli
    )
    return found is not None


def _check(meter: Meter, reading: Reading, zone: ZoneInfo) -> tuple[date, date]:
    """The rules of one reading at its place among the others (422 naming the neighbour); the
    local days of the intervals on both sides of it."""
    rollover = meter.rollover_at_milli
    for name, milli in (("value", reading.value_milli), ("previous_final_value", reading.previous_final_milli)):
        if rollover is not None and milli is not None and milli > rollover:
            raise InvalidField(name, f"must not be above the meter's rollover_at ({show(rollover)})", ORDER)
    clash = db.session.scalar(
        select(Reading.id).where(
            Reading.meter_id == meter.id, Reading.taken_at == reading.taken_at, Reading.id != (reading.id or 0)
        )
    )
    if clash is not None:
        raise Conflict("The meter already has a reading at this instant: edit that one instead.")
    before = _neighbour(meter.id, reading.taken_at, reading.id, later=False)
    after = _neighbour(meter.id, reading.taken_at, reading.id, later=True)
    if before is not None and not _pair_ok(meter, before, reading):
        if reading.kind == "replacement":
            raise InvalidField(
                "previous_final_value",
                f"is below {_described(before, zone)}: the old register's last value cannot be lower",
                ORDER,
            )
        raise InvalidField(
            "value",
            f"is below {_described(before, zone)}; if the meter was replaced, record a replacement",
            ORDER,
        )
    if after is not None and not _pair_ok(meter, reading, after):
        what = (
            f"the final value of the old register ({show(after.previous_final_milli or 0)}) replaced at "
            f"{after.taken_at.astimezone(zone).isoformat(timespec='seconds')}"
            if after.kind == "replacement"
            else _described(after, zone)
        )
        raise InvalidField(
            "value", f"is above {what}; if the meter was replaced after this reading, record a replacement", ORDER
        )
    return derived.span_between(before, reading.taken_at, after, zone)


def _check_gap(meter: Meter, reading: Reading, zone: ZoneInfo) -> None:
    """Removing ``reading`` from its place must leave its neighbours in order (409 otherwise)."""
    before = _neighbour(meter.id, reading.taken_at, reading.id, later=False)
    after = _neighbour(meter.id, reading.taken_at, reading.id, later=True)
    if before is not None and after is not None and not _pair_ok(meter, before, after):
        raise Conflict(
            f"Without this reading, {_described(after, zone)} would be below {_described(before, zone)}: "
            "delete or correct the later readings first."
        )


# Writes ------------------------------------------------------------------------------


def create_reading(user: User, data: ReadingCreate) -> Reading:
    reading = add_reading(user, data)
    db.session.commit()
    return reading


def add_reading(user: User, data: ReadingCreate) -> Reading:
    """Add a reading in the current transaction (the caller commits; a batch adds many)."""
    locks.lock_household(_meter_for_reading(user, data.meter_id).household_id)
    meter = _meter_for_reading(user, data.meter_id)  # again, under the lock
    zone = derived.zone_of(meter.household_id)
    reading = Reading(
        household_id=meter.household_id,
        meter_id=meter.id,
        created_by=user.id,
        taken_at=data.taken_at,
        value_milli=to_milli(data.value),
        kind=data.kind,
        previous_final_milli=to_milli(data.previous_final_value),
        note=data.note,
        wrapped=False,
        high_rate=False,
    )
    span = _check(meter, reading, zone)
    db.session.add(reading)
    derived.recompute(meter, *span, zone=zone)
    db.session.flush()
    attachments.attach(meter.household_id, "reading_id", reading.id, data.attachment_ids, replace=False)
    attachments.refresh(reading)
    events.emit_household(meter.household_id, events.READING_CREATED, reading=reading_payload(reading))
    return reading


def update_reading(user: User, reading_id: int, data: ReadingUpdate) -> Reading:
    reading = writable(Reading, user, reading_id, "Reading")
    meter = db.session.get(Meter, reading.meter_id)
    assert meter is not None
    zone = derived.zone_of(meter.household_id)
    fields = data.model_fields_set
    moved = data.taken_at is not None and data.taken_at != reading.taken_at
    spans = [derived.span_of(meter.id, [reading.taken_at], zone)]
    if moved:
        _check_gap(meter, reading, zone)
        reading.taken_at = data.taken_at  # type: ignore[assignment]
    if data.value is not None:
        reading.value_milli = to_milli(data.value)  # type: ignore[assignment]
    if data.kind is not None:
        reading.kind = data.kind
    if "previous_final_value" in fields:
        reading.previous_final_milli = to_milli(data.previous_final_value)
    if "note" in fields:
        reading.note = data.note
    if reading.kind == "reading" and reading.previous_final_milli is not None:
        if "previous_final_value" in fields:
            raise InvalidField("previous_final_value", PREVIOUS_FINAL_FORBIDDEN, "extra_forbidden")
        reading.previous_final_milli = None  # a replacement turned into a plain reading
    if reading.kind == "replacement" and reading.previous_final_milli is None:
        raise InvalidField("previous_final_value", PREVIOUS_FINAL_REQUIRED, "missing")
    with db.session.no_autoflush:
        spans.append(_check(meter, reading, zone))
    db.session.flush()
    for first, last in derived.merge(spans):
        derived.recompute(meter, first, last, zone=zone)
    attachments.attach(meter.household_id, "reading_id", reading.id, data.attachment_ids, replace=True)
    attachments.refresh(reading)
    events.emit_household(meter.household_id, events.READING_UPDATED, reading=reading_payload(reading))
    db.session.commit()
    return reading


def delete_reading(user: User, reading_id: int) -> None:
    reading = writable(Reading, user, reading_id, "Reading")
    meter = db.session.get(Meter, reading.meter_id)
    assert meter is not None
    zone = derived.zone_of(meter.household_id)
    _check_gap(meter, reading, zone)
    span = derived.span_of(meter.id, [reading.taken_at], zone)
    household_id = meter.household_id
    attachments.forget(Attachment.reading_id == reading_id)  # the database deletes the rows with it
    db.session.delete(reading)
    derived.recompute(meter, *span, zone=zone)
    events.emit_household(household_id, events.READING_DELETED, id=reading_id)
    db.session.commit()

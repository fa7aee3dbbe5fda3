"""Meters of households. Reads go through ``tenancy.scoped``; writes through
``tenancy.require_role`` (editor) and the household's lock.

Every write first takes the household's lock (``locks.lock_household``), before reading what
it changes: one household's writes take turns, so each check (a name taken, a meter with
records) sees the writes that came before it, and rollups stay exact.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import g, has_request_context
from sqlalchemy import delete, exists, select

from ...errors import Conflict, InvalidField, NotFound
from ...extensions import db
from ...models import Attachment, Bill, DailyRollup, Meter, Reading, Record, User
from ...services import attachments, events, locks, readings, tenancy
from ...services.units import unit_error
from ..common import MAX_ID
from .schemas import (
    DEFAULT_ANOMALY_FACTOR,
    DEFAULT_REMINDER_DAYS,
    READINGS_ONLY_ERROR,
    LastReading,
    MeterCreate,
    MeterOut,
    MeterUpdate,
    from_milli,
    to_milli,
)

T = TypeVar("T", Meter, Record, Reading)


def readable(model: type[T], user: User, item_id: int, what: str) -> T:
    """The item of one of the user's households (else 404)."""
    if not 1 <= item_id <= MAX_ID:
        raise NotFound(what)
    item = db.session.scalar(tenancy.scoped(model, user).where(model.id == item_id))
    if item is None:
        raise NotFound(what)
    return item


def writable(model: type[T], user: User, item_id: int, what: str) -> T:
    """The item, for a write: readable (else 404), the user at least an editor of its household
    (else 403), read again under the household's lock."""
    household_id = readable(model, user, item_id, what).household_id
    tenancy.require_role(user, household_id, "editor")
    locks.lock_household(household_id)
    item = db.session.scalar(select(model).where(model.id == item_id).execution_options(populate_existing=True))
    if item is None or item.household_id != household_id:  # deleted (or moved) before the lock
        raise NotFound(what)
    return item


def meter_views(meters: list[Meter]) -> list[MeterOut]:
    """The meters as answered, each with its latest reading (one query for all of them)."""
    latest = readings.latest_of([meter.id for meter in meters if meter.mode == "readings"])
    views = []
    for meter in meters:
        view = MeterOut.model_validate(meter)
        if (last := latest.get(meter.id)) is not None:
            view.last_reading = LastReading(taken_at=last[0], value=from_milli(last[1]) or 0)
        views.append(view)
    return views


def meter_payload(meter: Meter) -> dict[str, Any]:
    return meter_views([meter])[0].model_dump(mode="json")


# Meters ------------------------------------------------------------------------------


def list_meters(user: User, household_id: int | None = None) -> list[MeterOut]:
    return meter_views(list(db.session.scalars(tenancy.scoped(Meter, user, household_id).order_by(Meter.id))))


def get_meter(user: User, meter_id: int) -> MeterOut:
    return meter_views([readable(Meter, user, meter_id, "Meter")])[0]


def _name_taken(household_id: int, name: str, except_id: int | None = None) -> bool:
    # Compared in Python: SQLite's lower() folds ASCII letters only ("Ä" stays "Ä"). A household
    # has a handful of meters; on PostgreSQL a unique index on lower(name) backs this up.
    wanted = name.lower()
    rows = db.session.execute(select(Meter.id, Meter.name).where(Meter.household_id == household_id))
    return any(other.lower() == wanted and meter_id != except_id for meter_id, other in rows)


def meter_exists(user: User, meter_id: int) -> bool:
    """Whether ``meter_id`` is a meter of one of the user's households (one query); its household
    is kept for ``meter_household`` in this request."""
    mine = Meter.household_id.in_(tenancy.household_ids(user))
    household_id = db.session.scalar(select(Meter.household_id).where(Meter.id == meter_id, mine))
    if household_id is not None and has_request_context():
        g.setdefault("meterbook_meter_households", {})[meter_id] = household_id
    return household_id is not None


def meter_household(meter_id: int) -> int | None:
    """The household of a meter as validation found it in this request, else read now: the key
    of the lock to take, no more (what the lock protects is read again under it)."""
    known = g.get("meterbook_meter_households", {}) if has_request_context() else {}
    if meter_id in known:
        return int(known[meter_id])
    return db.session.scalar(select(Meter.household_id).where(Meter.id == meter_id))


def id_checks(user: User) -> dict[str, Any]:
    """The validation context of a request naming meters and households: a ``meter_id`` must be a
    meter, and a ``household_id`` a household, of the caller's households (else 422 not_found)."""
    return {
        "meter_exists": lambda meter_id: meter_exists(user, meter_id),
        "household_exists": lambda household_id: tenancy.readable(user, household_id),
    }


def add_meter(household_id: int, name: str, meter_type: str, unit: str, data: MeterCreate | None = None) -> Meter:
    """Add a meter in the current transaction (the caller holds the household's lock and commits)."""
    meter = Meter(household_id=household_id, name=name, type=meter_type, unit=unit, mode="consumption")
    if data is not None:
        meter.mode = data.mode
        meter.rollover_at_milli = to_milli(data.rollover_at)
        meter.max_per_day_milli = to_milli(data.max_per_day)
        meter.anomaly_factor_milli = to_milli(data.anomaly_factor)
        meter.reading_reminder_days = data.reading_reminder_days
    else:
        meter.anomaly_factor_milli = to_milli(DEFAULT_ANOMALY_FACTOR)
        meter.reading_reminder_days = DEFAULT_REMINDER_DAYS
    db.session.add(meter)
    db.session.flush()
    return meter


def create_meter(user: User, data: MeterCreate) -> Meter:
    household = tenancy.target_household(user, data.household_id, "editor")
    locks.lock_household(household.id)
    if _name_taken(household.id, data.name):
        raise Conflict("The household already has a meter with this name.")
    meter = add_meter(household.id, data.name, data.type, data.unit, data)
    events.emit_household(household.id, "meter.changed", meter=meter_payload(meter))
    db.session.commit()
    return meter


def _has_records(meter: Meter) -> bool:
    return bool(db.session.scalar(select(exists().where(Record.meter_id == meter.id))))


def _has_readings(meter: Meter) -> bool:
    return bool(db.session.scalar(select(exists().where(Reading.meter_id == meter.id))))


def _has_data(meter: Meter) -> bool:
    return _has_records(meter) or _has_readings(meter)


def _update_readings_settings(meter: Meter, data: MeterUpdate) -> None:
    """Mode (only without data), rollover and plausibility limit; readings days and flags follow."""
    fields = data.model_fields_set
    if data.mode is not None and data.mode != meter.mode:
        if _has_data(meter):
            raise Conflict("The mode of a meter with records or readings cannot change.")
        meter.mode = data.mode
        if meter.mode == "consumption":  # the readings settings mean nothing any more
            meter.rollover_at_milli = meter.max_per_day_milli = None
    before = (meter.rollover_at_milli, meter.max_per_day_milli)
    for name in ("rollover_at", "max_per_day"):
        if name in fields and getattr(data, name) is not None and meter.mode != "readings":
            raise InvalidField(name, f"{name} {READINGS_ONLY_ERROR}", "readings_only")
    if "rollover_at" in fields:
        meter.rollover_at_milli = to_milli(data.rollover_at)
    if "max_per_day" in fields:
        meter.max_per_day_milli = to_milli(data.max_per_day)
    if (meter.rollover_at_milli, meter.max_per_day_milli) != before:
        readings.settings_changed(meter, rollover_changed=meter.rollover_at_milli != before[0])
    if "anomaly_factor" in fields:
        meter.anomaly_factor_milli = to_milli(data.anomaly_factor)
    if "reading_reminder_days" in fields:
        meter.reading_reminder_days = data.reading_reminder_days


def update_meter(user: User, meter_id: int, data: MeterUpdate) -> MeterOut:
    meter: Meter = writable(Meter, user, meter_id, "Meter")
    if data.name is not None and data.name != meter.name:
        if _name_taken(meter.household_id, data.name, except_id=meter.id):
            raise Conflict("The household already has a meter with this name.")
        meter.name = data.name
    new_type = data.type or meter.type
    new_unit = data.unit or meter.unit
    if (new_type, new_unit) != (meter.type, meter.unit):
        if problem := unit_error(new_type, new_unit):
            raise InvalidField("unit", problem)
        if _has_data(meter):
            raise Conflict(
                "The type and unit of a meter with records or readings cannot change: its amounts would change meaning."
            )
        meter.type, meter.unit = new_type, new_unit
    if data.archived is not None:
        meter.archived = data.archived
    _update_readings_settings(meter, data)
    db.session.flush()
    view = meter_views([meter])[0]
    events.emit_household(meter.household_id, "meter.changed", meter=view.model_dump(mode="json"))
    db.session.commit()
    return view


def delete_meter(user: User, meter_id: int, cascade: bool) -> None:
    meter: Meter = writable(Meter, user, meter_id, "Meter")
    has_data = _has_data(meter)
    if has_data and not cascade:
        raise Conflict("The meter has records or readings. Delete them first, or pass cascade=true to delete them too.")
    # Photos of its records, readings and bills: their rows go with them (below, and the bills by
    # the database with the meter), the files after the commit.
    attachments.forget(
        Attachment.record_id.in_(select(Record.id).where(Record.meter_id == meter.id))
        | Attachment.reading_id.in_(select(Reading.id).where(Reading.meter_id == meter.id))
        | Attachment.bill_id.in_(select(Bill.id).where(Bill.meter_id == meter.id))
    )
    if has_data:
        db.session.execute(delete(DailyRollup).where(DailyRollup.meter_id == meter.id))
        db.session.execute(delete(Record).where(Record.meter_id == meter.id))
        db.session.execute(delete(Reading).where(Reading.meter_id == meter.id))
    payload = meter_payload(meter)
    household_id = meter.household_id
    db.session.delete(meter)
    events.emit_household(household_id, "meter.changed", meter=payload, deleted=True)
    db.session.commit()

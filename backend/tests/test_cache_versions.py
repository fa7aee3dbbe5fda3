"""The household data version: every write to a household's data bumps it, in its transaction.

The household-scoped models are read from the metadata (every mapped class with a
``household_id`` column, and ``Household`` itself), so a table added later is covered
without this file changing: a row of each is inserted, changed and deleted through the
ORM, each write bumping the version by exactly one; bulk Core writes and a rollback too.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
    delete,
    insert,
    select,
    update,
)

from app.extensions import db
from app.models import DailyRollup, Household, Meter, Record
from app.services import versions

from .factories import add_meter, add_record, create_user, home_of

_serial = itertools.count(1)

# Columns a generic value does not fit (a choice among a few words, checked by the services).
KNOWN = {
    ("meters", "type"): "electricity",
    ("meters", "unit"): "kWh",
    ("meters", "mode"): "records",
    ("memberships", "role"): "viewer",
    ("readings", "kind"): "reading",
    ("invitations", "role"): "viewer",
    ("share_links", "scope"): "summary",
}


def household_models() -> list[type[Any]]:
    """Every mapped class whose rows belong to a household."""
    found = []
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if mapper.class_ is Household or "household_id" in table.c:
            found.append(mapper.class_)
    return sorted(found, key=lambda cls: cls.__tablename__)


def _value(table: Any, column: Any, household_id: int, ids: dict[str, int]) -> Any:
    if (table.name, column.name) in KNOWN:
        return KNOWN[(table.name, column.name)]
    if column.name == "household_id":
        return household_id
    for fk in column.foreign_keys:
        # an optional parent not built yet (an attachment's reading, record or bill) stays empty
        return ids.get(fk.column.table.name) if column.nullable else ids[fk.column.table.name]
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    n = next(_serial)
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, (Integer, BigInteger)):
        return n
    if isinstance(kind, Numeric):
        return Decimal(n)
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC).replace(second=n % 60, minute=(n // 60) % 60)
    if isinstance(kind, Date):
        return date(2027, 1, 1 + n % 28)
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, LargeBinary):
        return b"x"
    if isinstance(kind, (String, Text)):
        length = getattr(kind, "length", None) or 40
        return f"v{n}"[:length]
    return getattr(kind, "python_type", str)()


def build(model: type[Any], household_id: int, ids: dict[str, int]) -> Any:
    """A row of ``model`` in ``household_id``: every required column given a value of its type."""
    table = model.__table__
    values: dict[str, Any] = {}
    for column in table.c:
        serial = column.primary_key and not column.foreign_keys and isinstance(column.type, (Integer, BigInteger))
        if serial and column.autoincrement is not False and len(table.primary_key.columns) == 1:
            continue
        if column.nullable and not column.foreign_keys and column.name != "household_id":
            continue
        defaulted = column.default is not None or column.server_default is not None
        if defaulted and (table.name, column.name) not in KNOWN and not column.foreign_keys and not column.primary_key:
            continue
        values[column.key] = _value(table, column, household_id, ids)
    return model(**values)


def changeable(model: type[Any]) -> str:
    """A column of ``model`` to change: the first plain, non-key column."""
    for column in model.__table__.c:
        if column.primary_key or column.foreign_keys or column.name in ("household_id", "data_version"):
            continue
        if isinstance(column.type, (String, Text)) and (model.__tablename__, column.name) not in KNOWN:
            return column.key
    for column in model.__table__.c:
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
        plain = not (column.primary_key or column.foreign_keys or column.name == "data_version")
        if plain and isinstance(kind, (Integer, BigInteger, DateTime, Date, Numeric)):
            return column.key
    raise AssertionError(f"{model.__name__} has no column to change")


def version(app: Flask, household_id: int) -> int:
    with app.app_context():
        return versions.version_of(household_id)


@pytest.fixture
def scene(app: Flask) -> dict[str, Any]:
    user_id, _ = create_user(app, "ver@example.com")
    household_id = home_of(app, user_id)
    other, _ = create_user(app, "other@example.com")
    meter_id = add_meter(app, user_id, "Main", "electricity", "kWh")
    record_id = add_record(app, user_id, meter_id, "2026-01-05", "1.5")
    ids = {"users": other, "households": household_id, "meters": meter_id, "records": record_id}
    return {"user_id": user_id, "household_id": household_id, "ids": ids}


def test_models_enumerated_from_the_metadata_include_the_known_ones() -> None:
    names = {model.__tablename__ for model in household_models()}
    assert {
        "households",
        "memberships",
        "meters",
        "records",
        "daily_rollups",
        "readings",
        "tariff_versions",
        "bills",
        "invitations",
        "share_links",
    } <= names


@pytest.mark.parametrize("model", household_models(), ids=lambda m: m.__tablename__)
def test_every_write_of_every_household_model_bumps_the_version_once(
    app: Flask, scene: dict[str, Any], model: type[Any]
) -> None:
    household_id = scene["household_id"]
    before = version(app, household_id)
    with app.app_context():
        if model is Household:
            row = db.session.get(Household, household_id)
        else:
            row = build(model, household_id, scene["ids"])
            db.session.add(row)
            db.session.commit()
            assert version(app, household_id) == before + 1, "insert"
            before += 1
        key = db.inspect(row).identity
        column = changeable(model)
        current = getattr(row, column)
        if isinstance(current, str):
            setattr(row, column, current[:-1] + ("y" if current[-1:] != "y" else "z"))
        elif isinstance(current, (datetime, date)):
            setattr(row, column, current.replace(day=2 if current.day != 2 else 3))
        else:
            setattr(row, column, (current or 0) + 1)
        db.session.commit()
        assert version(app, household_id) == before + 1, f"update of {column}"
        if model is not Household:
            db.session.delete(db.session.get(model, key))
            db.session.commit()
            assert version(app, household_id) == before + 2, "delete"


def test_a_flush_without_a_change_and_other_households_writes_leave_it(app: Flask, scene: dict[str, Any]) -> None:
    household_id = scene["household_id"]
    other_household = home_of(app, scene["ids"]["users"])
    before, theirs = version(app, household_id), version(app, other_household)
    add_meter(app, scene["ids"]["users"], "Theirs", "water", "m3")
    with app.app_context():
        meter = db.session.get(Meter, scene["ids"]["meters"])
        meter.name = meter.name  # no net change
        db.session.commit()
    assert version(app, household_id) == before
    assert version(app, other_household) == theirs + 1


def test_bulk_core_writes_bump_the_households_they_name(app: Flask, scene: dict[str, Any]) -> None:
    household_id, meter_id = scene["household_id"], scene["ids"]["meters"]
    before = version(app, household_id)
    with app.app_context():
        db.session.execute(update(Record).where(Record.household_id == household_id).values(note="bulk"))
        db.session.commit()
    assert version(app, household_id) == before + 1
    with app.app_context():
        db.session.execute(
            delete(DailyRollup.__table__).where(
                DailyRollup.__table__.c.household_id.in_([household_id]), DailyRollup.__table__.c.meter_id == meter_id
            )
        )
        db.session.commit()
    assert version(app, household_id) == before + 2
    with app.app_context():
        db.session.execute(
            insert(DailyRollup.__table__),
            [
                {
                    "household_id": household_id,
                    "meter_id": meter_id,
                    "date": date(2026, 2, 1),
                    "total_milli": 5,
                    "count": 1,
                    "cost_cents": 0,
                    "cost_count": 0,
                    "min_milli": 5,
                    "max_milli": 5,
                }
            ],
        )
        db.session.commit()
    assert version(app, household_id) == before + 3


def test_a_bulk_write_naming_no_household_bumps_every_one(app: Flask, scene: dict[str, Any]) -> None:
    household_id = scene["household_id"]
    other_household = home_of(app, scene["ids"]["users"])
    mine, theirs = version(app, household_id), version(app, other_household)
    with app.app_context():
        db.session.execute(update(Record).values(note="all"))
        db.session.commit()
    assert (version(app, household_id), version(app, other_household)) == (mine + 1, theirs + 1)


def test_a_bulk_update_of_households_bumps_the_ones_it_names(app: Flask, scene: dict[str, Any]) -> None:
    household_id = scene["household_id"]
    other_household = home_of(app, scene["ids"]["users"])
    mine, theirs = version(app, household_id), version(app, other_household)
    with app.app_context():
        db.session.execute(update(Household).where(Household.id == household_id).values(timezone="Europe/Berlin"))
        db.session.commit()
    assert (version(app, household_id), version(app, other_household)) == (mine + 1, theirs)
    with app.app_context():
        db.session.execute(update(Household).values(currency="EUR"))  # names none: every one
        db.session.commit()
    assert (version(app, household_id), version(app, other_household)) == (mine + 2, theirs + 1)


def test_a_rolled_back_write_does_not_bump_and_a_read_does_not(app: Flask, scene: dict[str, Any]) -> None:
    household_id = scene["household_id"]
    before = version(app, household_id)
    with app.app_context():
        db.session.get(Record, scene["ids"]["records"]).note = "gone"
        db.session.flush()
        db.session.rollback()
        db.session.execute(select(Record)).all()
        db.session.commit()
    assert version(app, household_id) == before


def test_the_version_moves_with_the_write_in_one_transaction(app: Flask, scene: dict[str, Any]) -> None:
    """The bump is part of the writing transaction: a reader sees both or neither."""
    household_id = scene["household_id"]
    before = version(app, household_id)
    with app.app_context():
        db.session.get(Record, scene["ids"]["records"]).note = "seen with its version"
        db.session.commit()
        row = db.session.execute(
            select(Household.data_version, Record.note)
            .join(Record, Record.household_id == Household.id)
            .where(Household.id == household_id)
        ).one()
    assert tuple(row) == (before + 1, "seen with its version")

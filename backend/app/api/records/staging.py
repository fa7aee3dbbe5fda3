"""The staging table of an import: valid rows go there in batches (COPY on PostgreSQL,
batched inserts elsewhere), then one ``INSERT ... SELECT`` writes the rows that are neither
repeated in the file nor already stored, keeping file order."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, Table, exists, func, insert, literal, select, text
from sqlalchemy import Text as TextColumn

from ...extensions import db
from ...models import Record
from ...services import clock, rollups

STAGE_CHUNK = 10_000
_NAME = "meterbook_import_rows"
_COPY_NULL = "\\N"
STAGING = Table(
    _NAME,
    MetaData(),
    Column("line", Integer, nullable=False),
    Column("meter_id", Integer, nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_milli", BigInteger, nullable=False),
    Column("cost_cents", BigInteger),
    Column("note", TextColumn),
    prefixes=["TEMPORARY"],
)


def copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def drop_staging() -> None:
    db.session.execute(text(f"DROP TABLE IF EXISTS {_NAME}"))


class Stage:
    """Rows waiting in the staging table of the current transaction."""

    def __init__(self, household_id: int, created_by: int) -> None:
        self.household_id = household_id
        self.created_by = created_by
        self.count = 0
        self.postgres = db.session.get_bind().dialect.name == "postgresql"
        self._buffer: list[Any] = []
        drop_staging()
        if self.postgres:
            # Enough memory for the de-duplicating sort and hash of a 10 MiB file, for this transaction only.
            db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        STAGING.create(db.session.connection())

    def add(
        self, line: int, meter_id: int, day: date, amount_milli: int, cost_cents: int | None, note: str | None
    ) -> None:
        self.count += 1
        if self.postgres:
            cost = _COPY_NULL if cost_cents is None else cost_cents
            copy_note = _COPY_NULL if note is None else copy_escape(note)
            self._buffer.append(f"{line}\t{meter_id}\t{day.isoformat()}\t{amount_milli}\t{cost}\t{copy_note}\n")
        else:
            self._buffer.append(
                {
                    "line": line,
                    "meter_id": meter_id,
                    "date": day,
                    "amount_milli": amount_milli,
                    "cost_cents": cost_cents,
                    "note": note,
                }
            )
        if len(self._buffer) >= STAGE_CHUNK:
            self.flush()

    def discard(self) -> None:
        self._buffer.clear()

    def flush(self) -> None:
        if not self._buffer:
            return
        if self.postgres:
            dbapi = db.session.connection().connection.dbapi_connection
            assert dbapi is not None
            cursor: Any = dbapi.cursor()
            try:
                cursor.copy_expert(
                    f"COPY {_NAME} (line, meter_id, date, amount_milli, cost_cents, note) FROM STDIN",
                    io.StringIO("".join(self._buffer)),
                )
            finally:
                cursor.close()
        else:
            db.session.execute(insert(STAGING), self._buffer)
        self._buffer.clear()

    def write(self, dry_run: bool) -> int:
        """Insert the new rows (or, for a dry run, count them) and refresh their rollups."""
        self.flush()
        s = STAGING.c
        r = Record.__table__.c
        if self.postgres:
            db.session.execute(text(f"ANALYZE {_NAME}"))
        first_of_each = select(func.min(s.line)).group_by(s.meter_id, s.date, s.amount_milli, s.cost_cents, s.note)
        already_there = exists().where(
            r.household_id == self.household_id,
            r.meter_id == s.meter_id,
            r.date == s.date,
            r.amount_milli == s.amount_milli,
            r.cost_cents.is_not_distinct_from(s.cost_cents),
            r.note.is_not_distinct_from(s.note),
        )
        now = clock.now()
        fresh = select(
            literal(self.household_id),
            literal(self.created_by),
            s.meter_id,
            s.date,
            s.amount_milli,
            s.cost_cents,
            s.note,
            literal(now, r.created_at.type),
            literal(now, r.updated_at.type),
        ).where(s.line.in_(first_of_each), ~already_there)
        if dry_run:
            return int(db.session.scalar(select(func.count()).select_from(fresh.subquery())) or 0)
        result = db.session.execute(
            insert(Record.__table__).from_select(
                [
                    "household_id",
                    "created_by",
                    "meter_id",
                    "date",
                    "amount_milli",
                    "cost_cents",
                    "note",
                    "created_at",
                    "updated_at",
                ],
                fresh.order_by(s.line),
            )
        )
        imported = int(getattr(result, "rowcount", 0) or 0)
        if imported:
            spans = db.session.execute(
                select(s.meter_id, func.min(s.date), func.max(s.date)).group_by(s.meter_id).order_by(s.meter_id)
            ).all()
            for meter_id, first, last in spans:
                rollups.refresh_range(self.household_id, meter_id, first, last)
        return imported

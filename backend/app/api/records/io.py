"""Bulk import (CSV) and export (CSV or JSON) of one user's records.

Import streams the file through the csv module, validates every row in Python (exact
``{row, field, message}`` errors), stages the valid rows in a temporary table (COPY on
PostgreSQL, batched inserts elsewhere) and lets the database drop duplicates and insert
the rest in one statement, inside one transaction. Export streams a server-side cursor.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, Table, exists, func, insert, literal, select, text
from sqlalchemy import Text as TextColumn

from ...errors import APIError, FieldError
from ...extensions import db
from ...models import Meter, Record, User
from ...models.meter import METER_TYPES
from ...services import clock, events, locks, rollups
from ...services.units import unit_error
from .schemas import ExportQuery, MeterOut
from .service import SORTS, filtered

REQUIRED_COLUMNS = ("date", "meter", "amount", "cost", "note")
OPTIONAL_COLUMNS = ("type", "unit")
EXPORT_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ERRORS = 1000
STAGE_CHUNK = 10_000
EXPORT_CHUNK = 1000
NOTE_MAX = 500
METER_NAME_MAX = 64

_STAGING_NAME = "meterbook_import_rows"
STAGING = Table(
    _STAGING_NAME,
    MetaData(),
    Column("line", Integer, nullable=False),
    Column("meter_id", Integer, nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_milli", BigInteger, nullable=False),
    Column("cost_cents", BigInteger),
    Column("note", TextColumn),
    prefixes=["TEMPORARY"],
)

_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_COPY_NULL = "\\N"
_NUMBER_HINT = "must be a number written with a decimal point, e.g. 12.5"


@dataclass
class ImportSummary:
    imported: int = 0
    skipped_duplicates: int = 0
    dry_run: bool = False
    meters_created: list[str] = field(default_factory=list)


@dataclass
class _MeterRef:
    id: int
    name: str
    type: str
    unit: str


def _scaled(raw: str, places: int) -> int | str:
    """``raw`` as an integer count of 10^-places, or the reason it is not acceptable."""
    match = _NUMBER.fullmatch(raw)
    if match is None:
        if raw.startswith("-") and _NUMBER.fullmatch(raw[1:]):
            return "must not be negative"
        return _NUMBER_HINT
    whole, fraction = match.group(1), (match.group(2) or "").rstrip("0")
    if len(fraction) > places:
        return f"must have at most {places} decimal places"
    if len(whole.lstrip("0")) > 9:
        return "must be less than 1000000000"
    scaled: int = int(whole) * 10**places + (int(fraction.ljust(places, "0")) if fraction else 0)
    return scaled


def _parse_date(raw: str) -> date | str:
    if not _ISO_DATE.fullmatch(raw):
        return "must be a date in the form YYYY-MM-DD"
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return "must be a real calendar date in the form YYYY-MM-DD"
    if not date(1900, 1, 1) <= value <= date(2999, 12, 31):
        return "must be between 1900-01-01 and 2999-12-31"
    return value


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Importer:
    def __init__(self, user: User, dry_run: bool, progress: Callable[[int], None] | None) -> None:
        self.user_id = user.id
        self.dry_run = dry_run
        self.progress = progress
        self.errors: list[dict[str, Any]] = []
        self.truncated = False
        self.postgres = db.session.get_bind().dialect.name == "postgresql"
        self.meters: dict[str, _MeterRef] = {}
        self.created: list[Meter] = []
        self.staged = 0
        self._buffer: list[Any] = []
        self._dates: dict[str, date | str] = {}

    # errors ----------------------------------------------------------------------------

    def error(self, row: int, column: str | None, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.truncated = True
            return
        self.errors.append({"row": row, "field": column, "message": message})

    def fail(self) -> APIError:
        count = f"the first {MAX_ERRORS} problems are listed" if self.truncated else "every problem is listed"
        return APIError(
            422,
            "validation_error",
            f"The file has invalid rows; nothing was imported ({count}).",
            details=list(self.errors),
        )

    # reading ---------------------------------------------------------------------------

    def run(self, stream: IO[bytes]) -> None:
        text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
        try:
            self._read(text_stream, stream)
        except UnicodeDecodeError:
            raise APIError(
                415, "unsupported_media_type", "The file is not UTF-8 text: export it as CSV (UTF-8) and try again."
            ) from None
        finally:
            text_stream.detach()

    def _read(self, text_stream: io.TextIOWrapper, raw: IO[bytes]) -> None:
        header_line = text_stream.readline()
        if "\x00" in header_line:
            raise APIError(415, "unsupported_media_type", "The file is binary, not CSV text.")
        if not header_line.strip():
            self.error(0, None, "The file is empty: its first line must be the header date,meter,amount,cost,note.")
            raise self.fail()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        columns = self._header(next(csv.reader([header_line], delimiter=delimiter)))
        self._load_meters()
        self._create_staging()
        reader = csv.reader(text_stream, delimiter=delimiter)
        width = len(columns)
        at = columns.index
        i_date, i_meter, i_amount, i_cost, i_note = (at(name) for name in REQUIRED_COLUMNS)
        i_type = at("type") if "type" in columns else None
        i_unit = at("unit") if "unit" in columns else None
        row_no = 0
        try:
            for row_no, row in enumerate(reader, start=1):
                if len(row) != width:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue  # blank line
                    self.error(row_no, None, f"has {len(row)} fields; the header has {width}")
                    continue
                self._row(
                    row_no,
                    row[i_date].strip(),
                    row[i_meter].strip(),
                    row[i_amount].strip(),
                    row[i_cost].strip(),
                    row[i_note],
                    row[i_type].strip() if i_type is not None else "",
                    row[i_unit].strip() if i_unit is not None else "",
                )
                if self.truncated:
                    break
                if row_no % STAGE_CHUNK == 0:
                    self._flush()
                    if self.progress is not None:
                        self.progress(raw.tell())
        except csv.Error as exc:
            self.error(row_no + 1, None, f"is not valid CSV ({exc})")
        self._flush()
        if self.progress is not None:
            self.progress(raw.tell())

    def _header(self, names: list[str]) -> list[str]:
        columns = [name.strip().lower() for name in names]
        seen: set[str] = set()
        for name in columns:
            if name not in EXPORT_COLUMNS:
                self.error(
                    0, name, "unknown column; the columns are date, meter, amount, cost, note and optionally type, unit"
                )
            elif name in seen:
                self.error(0, name, "column appears more than once")
            seen.add(name)
        for name in REQUIRED_COLUMNS:
            if name not in seen:
                self.error(0, name, "required column is missing")
        if self.errors:
            raise self.fail()
        return columns

    # rows ------------------------------------------------------------------------------

    def _row(
        self, row_no: int, raw_date: str, name: str, raw_amount: str, raw_cost: str, note: str, kind: str, unit: str
    ) -> None:
        if not (raw_date or name or raw_amount or raw_cost or kind or unit or note.strip()):
            return  # a row of empty fields, as spreadsheets write below the data
        ok = True
        day = self._dates.get(raw_date)
        if day is None:
            day = self._dates[raw_date] = _parse_date(raw_date) if raw_date else "is required"
        if isinstance(day, str):
            self.error(row_no, "date", day)
            ok = False
        amount = _scaled(raw_amount, 3) if raw_amount else "is required"
        if isinstance(amount, str):
            self.error(row_no, "amount", amount)
            ok = False
        cost: int | str | None = _scaled(raw_cost, 2) if raw_cost else None
        if isinstance(cost, str):
            self.error(row_no, "cost", cost)
            ok = False
        if note:
            if len(note) > NOTE_MAX:
                self.error(row_no, "note", f"must be at most {NOTE_MAX} characters")
                ok = False
            elif _CONTROL.search(note):
                self.error(row_no, "note", "must not contain control characters")
                ok = False
        meter = self._meter(row_no, name, kind, unit)
        if meter is None or not ok or self.errors:
            return
        assert isinstance(day, date) and isinstance(amount, int) and not isinstance(cost, str)
        self.staged += 1
        if self.postgres:
            copy_cost = _COPY_NULL if cost is None else cost
            copy_note = _copy_escape(note) if note else _COPY_NULL
            self._buffer.append(f"{row_no}\t{meter.id}\t{day.isoformat()}\t{amount}\t{copy_cost}\t{copy_note}\n")
        else:
            self._buffer.append(
                {
                    "line": row_no,
                    "meter_id": meter.id,
                    "date": day,
                    "amount_milli": amount,
                    "cost_cents": cost,
                    "note": note or None,
                }
            )

    def _meter(self, row_no: int, name: str, kind: str, unit: str) -> _MeterRef | None:
        if not name:
            self.error(row_no, "meter", "is required")
            return None
        meter = self.meters.get(name.lower())
        if meter is not None:
            ok = True
            if kind and kind != meter.type:
                self.error(row_no, "type", f"does not match the type of meter '{meter.name}' ({meter.type})")
                ok = False
            if unit and unit != meter.unit:
                self.error(row_no, "unit", f"does not match the unit of meter '{meter.name}' ({meter.unit})")
                ok = False
            return meter if ok else None
        ok = True
        if len(name) > METER_NAME_MAX:
            self.error(row_no, "meter", f"must be at most {METER_NAME_MAX} characters")
            ok = False
        elif _CONTROL.search(name):
            self.error(row_no, "meter", "must not contain control characters")
            ok = False
        if not kind:
            self.error(row_no, "type", f"is required to create the new meter '{name}'")
            ok = False
        elif kind not in METER_TYPES:
            self.error(row_no, "type", f"must be one of {', '.join(METER_TYPES)}")
            ok = False
        if not unit:
            self.error(row_no, "unit", f"is required to create the new meter '{name}'")
            ok = False
        elif kind in METER_TYPES and (problem := unit_error(kind, unit)):
            self.error(row_no, "unit", problem)
            ok = False
        if not ok:
            return None
        created = Meter(user_id=self.user_id, name=name, type=kind, unit=unit)
        db.session.add(created)
        db.session.flush()
        self.created.append(created)
        ref = self.meters[name.lower()] = _MeterRef(created.id, name, kind, unit)
        return ref

    # staging ---------------------------------------------------------------------------

    def _load_meters(self) -> None:
        rows = db.session.execute(
            select(Meter.id, Meter.name, Meter.type, Meter.unit).where(Meter.user_id == self.user_id)
        )
        for meter_id, name, kind, unit in rows:
            self.meters[name.lower()] = _MeterRef(meter_id, name, kind, unit)

    def _create_staging(self) -> None:
        drop_staging()
        if self.postgres:
            # Enough memory for the de-duplicating sort and hash of a 10 MiB file, for this transaction only.
            db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        STAGING.create(db.session.connection())

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self.errors:
            self._buffer.clear()
            return
        if self.postgres:
            dbapi = db.session.connection().connection.dbapi_connection
            assert dbapi is not None
            cursor: Any = dbapi.cursor()
            try:
                cursor.copy_expert(
                    f"COPY {_STAGING_NAME} (line, meter_id, date, amount_milli, cost_cents, note) FROM STDIN",
                    io.StringIO("".join(self._buffer)),
                )
            finally:
                cursor.close()
        else:
            db.session.execute(insert(STAGING), self._buffer)
        self._buffer.clear()

    # writing ---------------------------------------------------------------------------

    def finish(self) -> ImportSummary:
        s = STAGING.c
        r = Record.__table__.c
        if self.postgres:
            db.session.execute(text(f"ANALYZE {_STAGING_NAME}"))
        first_of_each = select(func.min(s.line)).group_by(s.meter_id, s.date, s.amount_milli, s.cost_cents, s.note)
        already_there = exists().where(
            r.user_id == self.user_id,
            r.meter_id == s.meter_id,
            r.date == s.date,
            r.amount_milli == s.amount_milli,
            r.cost_cents.is_not_distinct_from(s.cost_cents),
            r.note.is_not_distinct_from(s.note),
        )
        now = clock.now()
        fresh = select(
            literal(self.user_id),
            s.meter_id,
            s.date,
            s.amount_milli,
            s.cost_cents,
            s.note,
            literal(now, r.created_at.type),
            literal(now, r.updated_at.type),
        ).where(s.line.in_(first_of_each), ~already_there)
        if self.dry_run:
            imported = int(db.session.scalar(select(func.count()).select_from(fresh.subquery())) or 0)
        else:
            result = db.session.execute(
                insert(Record.__table__).from_select(
                    ["user_id", "meter_id", "date", "amount_milli", "cost_cents", "note", "created_at", "updated_at"],
                    fresh.order_by(s.line),
                )
            )
            imported = int(getattr(result, "rowcount", 0) or 0)
            if imported:
                spans = db.session.execute(
                    select(s.meter_id, func.min(s.date), func.max(s.date)).group_by(s.meter_id).order_by(s.meter_id)
                ).all()
                for meter_id, first, last in spans:
                    rollups.refresh_range(self.user_id, meter_id, first, last)
        return ImportSummary(
            imported=imported,
            skipped_duplicates=self.staged - imported,
            dry_run=self.dry_run,
            meters_created=[meter.name for meter in self.created],
        )


def drop_staging() -> None:
    db.session.execute(text(f"DROP TABLE IF EXISTS {_STAGING_NAME}"))


def import_records(
    user: User, stream: IO[bytes], dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> ImportSummary:
    """Import a CSV file all or nothing; raises APIError (415/422) and writes nothing on any problem."""
    job = _Importer(user, dry_run, progress)
    try:
        if not dry_run:
            # Before the user's meters are read: a file imported twice at once is then
            # imported once and found duplicate the second time.
            locks.lock_user(user.id)
        job.run(stream)
        if job.errors:
            raise job.fail()
        summary = job.finish()
        drop_staging()
    except BaseException:
        db.session.rollback()
        drop_staging()
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        return summary
    for meter in job.created:
        events.emit(user.id, "meter.changed", meter=MeterOut.model_validate(meter).model_dump(mode="json"))
    if summary.imported:
        events.emit(user.id, "records.imported", count=summary.imported)
    db.session.commit()
    return summary


# Export --------------------------------------------------------------------------------


def _amount_text(milli: int) -> str:
    whole, rest = divmod(milli, 1000)
    return str(whole) if rest == 0 else f"{whole}.{rest:03d}".rstrip("0")


def _cost_csv(cents: int | None) -> str:
    if cents is None:
        return ""
    whole, rest = divmod(cents, 100)
    return f"{whole}.{rest:02d}"


def _cost_json(cents: int | None) -> str:
    if cents is None:
        return "null"
    whole, rest = divmod(cents, 100)
    return str(whole) if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")


def _rows(user: User, query: ExportQuery) -> Iterator[list[Any]]:
    stmt = (
        filtered(user, query)
        .join(Meter, Meter.id == Record.meter_id)
        .with_only_columns(
            Record.date, Meter.name, Record.amount_milli, Record.cost_cents, Record.note, Meter.type, Meter.unit
        )
        .order_by(*SORTS[query.sort])
        .execution_options(yield_per=EXPORT_CHUNK)
    )
    result = db.session.execute(stmt)
    try:
        for partition in result.partitions(EXPORT_CHUNK):
            yield list(partition)
    finally:
        result.close()


def export_csv(user: User, query: ExportQuery) -> Iterator[str]:
    """The export as CSV text, one chunk per ~1000 records (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    yield buffer.getvalue()
    for rows in _rows(user, query):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(
            (day.isoformat(), name, _amount_text(milli), _cost_csv(cents), note or "", kind, unit)
            for day, name, milli, cents, note, kind, unit in rows
        )
        yield buffer.getvalue()


def export_json(user: User, query: ExportQuery) -> Iterator[str]:
    """The export as one JSON document ``{"items": [...]}``, streamed in chunks."""
    yield '{"items": ['
    separator = ""
    dumps = json.dumps
    meters: dict[tuple[str, str, str], tuple[str, str, str]] = {}  # few meters: encode their strings once
    for rows in _rows(user, query):
        parts = []
        for day, name, milli, cents, note, kind, unit in rows:
            encoded = meters.get((name, kind, unit))
            if encoded is None:
                encoded = meters[(name, kind, unit)] = (dumps(name), dumps(kind), dumps(unit))
            parts.append(
                f'{separator}{{"date": "{day.isoformat()}", "meter": {encoded[0]}, "amount": {_amount_text(milli)}, '
                f'"cost": {_cost_json(cents)}, "note": {"null" if note is None else dumps(note)}, '
                f'"type": {encoded[1]}, "unit": {encoded[2]}}}'
            )
            separator = ", "
        yield "".join(parts)
    yield "]}\n"


def export_filename(user: User, fmt: str) -> str:
    try:
        today = clock.now().astimezone(ZoneInfo(user.timezone)).date()
    except (KeyError, ValueError):
        today = clock.now().date()
    return f"meterbook-records-{today.isoformat()}.{fmt}"


def export_chunks(user: User, query: ExportQuery) -> Iterator[str]:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise FieldError.single(["query", "date_to"], "must not be before date_from")
    return export_csv(user, query) if query.format == "csv" else export_json(user, query)

"""Import of readings from a CSV file (``taken_at,meter,value,kind,previous_final_value,note``),
all or nothing, with the rules of ``POST /api/readings`` checked over the file and the stored
readings together.

Decoding, problems, cell escapes and number parsing are the records import's (``csv_rows``).
Rows equal to a stored reading or an earlier row are skipped; the rest are checked in time
order per meter (the order rule, one reading per instant), written in one statement (COPY on
PostgreSQL) and the days they touch derived again, in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from ...errors import APIError
from ...extensions import db
from ...models import Meter, Reading, User
from ...services import clock, events, locks, tenancy
from ...services import readings as derived
from ..records.csv_rows import NOT_UTF8, Problems, _note_error, scaled, text_of, unescape_cell
from ..records.staging import STAGE_CHUNK, copy_escape
from .schemas import _instant

COLUMNS = ("taken_at", "meter", "value", "kind", "previous_final_value", "note")
KINDS = ("reading", "replacement")


@dataclass
class ImportSummary:
    imported: int = 0
    skipped_duplicates: int = 0
    dry_run: bool = False


@dataclass(frozen=True, order=True)
class Row:
    """One valid row; ``key`` is what makes two readings the same."""

    taken_at: datetime
    meter_id: int
    value: int
    kind: str
    previous_final: int | None
    note: str | None
    line: int = field(compare=False)


def _cells(text: io.TextIOWrapper, problems: Problems) -> Iterator[tuple[int, dict[str, str]]]:
    header = text.readline()
    if "\x00" in header:
        raise APIError(415, "unsupported_media_type", "The file is binary, not CSV text.")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    names = [name.strip().lower() for name in next(csv.reader([header], delimiter=delimiter), [])]
    if names != list(COLUMNS):
        problems.add(0, None, f"The first line must be the header {','.join(COLUMNS)}.")
        raise problems.error()
    row_no = 0
    try:
        for row_no, fields in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            if not any(cell.strip() for cell in fields):
                continue  # a blank line or a row of empty fields
            if len(fields) != len(COLUMNS):
                problems.add(row_no, None, f"has {len(fields)} fields; the header has {len(COLUMNS)}")
                continue
            yield row_no, dict(zip(COLUMNS, fields, strict=True))
            if problems.truncated:
                return
    except csv.Error as exc:
        problems.add(row_no + 1, None, f"is not valid CSV ({exc})")


def _number(raw: str) -> int | str:
    return scaled(raw.strip(), 3, whole_digits=12)


def _parse(line: int, cells: dict[str, str], meters: dict[str, int], problems: Problems) -> Row | None:
    found: dict[str, Any] = {}
    try:
        found["taken_at"] = _instant(cells["taken_at"].strip())
    except ValueError as exc:
        found["taken_at"] = str(exc) if cells["taken_at"].strip() else "is required"
    name = unescape_cell(cells["meter"].strip())
    found["meter"] = (
        meters.get(name.lower(), f"'{name}' is not a readings meter of the household") if name else ("is required")
    )
    found["value"] = _number(cells["value"]) if cells["value"].strip() else "is required"
    kind = cells["kind"].strip() or "reading"
    found["kind"] = kind if kind in KINDS else "must be reading or replacement"
    final_raw = cells["previous_final_value"].strip()
    final = _number(final_raw) if final_raw else None
    if kind == "replacement" and final is None:
        final = "is required for a replacement: the old register's last value"
    elif kind == "reading" and final is not None:
        final = "is for replacements only (kind 'replacement')"
    found["previous_final_value"] = final
    note = unescape_cell(cells["note"])
    found["note"] = _note_error(note) if note else None
    bad = {column: value for column, value in found.items() if isinstance(value, str) and column != "kind"}
    if found["kind"] != kind:
        bad["kind"] = found["kind"]
    for column in COLUMNS:
        if column in bad:
            problems.add(line, column, str(bad[column]).removeprefix("Value error, "))
    if bad:
        return None
    return Row(
        found["taken_at"], found["meter"], found["value"], kind, found["previous_final_value"], note or None, line
    )


def _stored(rows: list[Row]) -> dict[int, list[Row]]:
    """Per meter of ``rows``, the stored readings the checks need: those within the rows' time
    span, and the one just before and just after it (the rest cannot clash or break the order)."""
    spans: dict[int, tuple[datetime, datetime]] = {}
    for row in rows:
        first, last = spans.get(row.meter_id, (row.taken_at, row.taken_at))
        spans[row.meter_id] = (min(first, row.taken_at), max(last, row.taken_at))
    r = Reading
    columns = (r.taken_at, r.meter_id, r.value_milli, r.kind, r.previous_final_milli, r.note)
    stored: dict[int, list[Row]] = defaultdict(list)
    for meter_id, (first, last) in sorted(spans.items()):
        mine = r.meter_id == meter_id
        found = [
            *db.session.execute(select(*columns).where(mine, r.taken_at < first).order_by(r.taken_at.desc()).limit(1)),
            *db.session.execute(
                select(*columns).where(mine, r.taken_at >= first, r.taken_at <= last).order_by(r.taken_at)
            ),
            *db.session.execute(select(*columns).where(mine, r.taken_at > last).order_by(r.taken_at).limit(1)),
        ]
        stored[meter_id] = [
            Row(taken_at, m, value, kind, final, note, 0) for taken_at, m, value, kind, final, note in found
        ]
    return stored


def _check_order(meter: Meter, rows: list[Row], zone: ZoneInfo, problems: Problems) -> None:
    """The order rule and one reading per instant over one meter's stored and new readings
    (sorted by time, stored ones first at one instant); a clashing row is left out of the order checks."""
    if not rows:
        return
    before = rows[0]
    for after in rows[1:]:
        if before.taken_at == after.taken_at:
            problems.add(after.line, "taken_at", "the meter already has a reading at this instant")
            continue
        pair = derived.interval(before.value, after.value, after.kind, after.previous_final, meter.rollover_at_milli)
        if pair is None:
            when = before.taken_at.astimezone(zone).isoformat(timespec="seconds")
            if after.line:
                column = "previous_final_value" if after.kind == "replacement" else "value"
                message = f"is below the reading of {when} ({before.value / 1000:.3f})"
                problems.add(after.line, column, f"{message}; if the meter was replaced, record a replacement")
            else:
                later = after.taken_at.astimezone(zone).isoformat(timespec="seconds")
                message = f"is above the reading of {later} ({after.value / 1000:.3f})"
                problems.add(before.line, "value", f"{message}; if the meter was replaced, record a replacement")
        before = after


def _write(household_id: int, user_id: int, rows: list[Row]) -> None:
    now = clock.now()
    if db.session.get_bind().dialect.name == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            final = "\\N" if row.previous_final is None else row.previous_final
            note = "\\N" if row.note is None else copy_escape(row.note)
            buffer.write(
                f"{household_id}\t{row.meter_id}\t{user_id}\t{row.taken_at.isoformat()}\t{row.value}\t{row.kind}"
                f"\t{final}\t{note}\tf\tf\t{now.isoformat()}\t{now.isoformat()}\n"
            )
        buffer.seek(0)
        cursor: Any = db.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.copy_expert(
                "COPY readings (household_id, meter_id, created_by, taken_at, value_milli, kind, "
                "previous_final_milli, note, wrapped, high_rate, created_at, updated_at) FROM STDIN",
                buffer,
            )
        finally:
            cursor.close()
        return
    values = [
        {
            "household_id": household_id,
            "meter_id": row.meter_id,
            "created_by": user_id,
            "taken_at": row.taken_at,
            "value_milli": row.value,
            "kind": row.kind,
            "previous_final_milli": row.previous_final,
            "note": row.note,
            "wrapped": False,
            "high_rate": False,
            "created_at": now,
            "updated_at": now,
        }
        for row in rows
    ]
    for start in range(0, len(values), STAGE_CHUNK):
        db.session.execute(insert(Reading.__table__), values[start : start + STAGE_CHUNK])


def _read(stream: IO[bytes], by_name: dict[str, int], progress: Callable[[int], None] | None) -> tuple[list[Row], int]:
    """The file's valid rows without repeats (and how many repeats), or its problems raised."""
    problems = Problems()
    text = text_of(stream)
    seen: set[Row] = set()
    rows: list[Row] = []
    repeated = 0
    try:
        for line, cells in _cells(text, problems):
            row = _parse(line, cells, by_name, problems)
            if row is not None and row in seen:
                repeated += 1
            elif row is not None:
                seen.add(row)
                rows.append(row)
            if progress is not None and line % STAGE_CHUNK == 0:
                progress(stream.tell())
    except UnicodeDecodeError:
        raise NOT_UTF8 from None
    finally:
        text.detach()
    if progress is not None:
        progress(stream.tell())
    if problems:
        raise problems.error()
    return rows, repeated


def _new_rows(rows: list[Row], meters: dict[int, Meter], zone: ZoneInfo) -> tuple[dict[int, list[Row]], int]:
    """The rows not stored yet, by meter, checked with the stored ones; and how many were stored already."""
    stored = _stored(rows)
    known = {meter_id: set(readings) for meter_id, readings in stored.items()}
    new_by_meter: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row not in known.get(row.meter_id, ()):
            new_by_meter[row.meter_id].append(row)
    problems = Problems()
    for meter_id, new in new_by_meter.items():
        merged = sorted(stored[meter_id] + new, key=lambda r: (r.taken_at, r.line))
        _check_order(meters[meter_id], merged, zone, problems)
    if problems:
        problems.items.sort(key=lambda item: item["row"])  # checked in time order, listed in file order
        raise problems.error()
    return new_by_meter, len(rows) - sum(len(new) for new in new_by_meter.values())


def import_readings(
    user: User,
    stream: IO[bytes],
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    household_id: int | None = None,
) -> ImportSummary:
    """Import a CSV file into a household's readings meters (editor) all or nothing; raises
    APIError (403/415/422) and writes nothing on any problem."""
    household = tenancy.target_household(user, household_id, "editor")
    if not dry_run:
        locks.lock_household(household.id)
    meters = {m.id: m for m in db.session.scalars(select(Meter).where(Meter.household_id == household.id))}
    by_name = {m.name.lower(): m.id for m in meters.values() if m.mode == "readings"}
    rows, repeated = _read(stream, by_name, progress)
    zone = derived.zone_of(household.id)
    new_by_meter, stored_already = _new_rows(rows, meters, zone)
    imported = sum(len(new) for new in new_by_meter.values())
    summary = ImportSummary(imported, repeated + stored_already, dry_run)
    if dry_run or not imported:
        db.session.rollback()
        return summary
    for meter_id, new in new_by_meter.items():
        span = derived.span_of(meter_id, [min(new).taken_at, max(new).taken_at], zone)
        _write(household.id, user.id, new)
        derived.recompute(meters[meter_id], *span, zone=zone)
    events.emit_household(household.id, events.READINGS_IMPORTED, count=imported)
    db.session.commit()
    return summary

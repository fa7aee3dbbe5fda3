"""Export of readings as CSV or JSON, streamed from a server-side cursor.

The columns are the import's (``taken_at,meter,value,kind,previous_final_value,note``); times
are written in the household's local time with its offset, values without trailing zeros, and
cells a spreadsheet would run are escaped, so an export imports back as the same readings and
exports again byte for byte.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ...extensions import db
from ...models import Household, Meter, Reading, User
from ...services import attachments, clock
from ..records.csv_rows import escape_cell
from ..records.export import EXPORT_CHUNK
from .importer import COLUMNS
from .schemas import ReadingExportQuery, ReadingExportRow
from .service import SORTS, filtered

_MILLI = Decimal("0.001")


def _number(milli: int | None) -> str:
    if milli is None:
        return ""
    text = f"{milli * _MILLI:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _local(instant: datetime, zone_name: str, zones: dict[str, ZoneInfo]) -> str:
    zone = zones.get(zone_name)
    if zone is None:
        zone = zones[zone_name] = ZoneInfo(zone_name)
    return instant.astimezone(zone).isoformat()


def _rows(user: User, query: ReadingExportQuery) -> Iterator[list[tuple[Any, ...]]]:
    stmt = (
        filtered(user, query)
        .join(Meter, Meter.id == Reading.meter_id)
        .join(Household, Household.id == Reading.household_id)
        .with_only_columns(
            Reading.taken_at,
            Household.timezone,
            Meter.name,
            Reading.value_milli,
            Reading.kind,
            Reading.previous_final_milli,
            Reading.note,
            Reading.id,
        )
        .order_by(*SORTS[query.sort])
        .execution_options(yield_per=EXPORT_CHUNK)
    )
    result = db.session.execute(stmt)
    zones: dict[str, ZoneInfo] = {}
    try:
        for partition in result.partitions(EXPORT_CHUNK):
            photos = attachments.ids_by_parent("reading_id", [row[-1] for row in partition])
            yield [
                (_local(taken_at, zone, zones), name, value, kind, final, note, photos.get(reading_id, []))
                for taken_at, zone, name, value, kind, final, note, reading_id in partition
            ]
    finally:
        result.close()


def export_csv(user: User, query: ReadingExportQuery) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for rows in _rows(user, query):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(
            (when, escape_cell(name), _number(value), kind, _number(final), escape_cell(note or ""))
            for when, name, value, kind, final, note, _photos in rows
        )
        yield buffer.getvalue()


def export_json(user: User, query: ReadingExportQuery) -> Iterator[str]:
    yield '{"items": ['
    separator = ""
    for rows in _rows(user, query):
        items = [
            ReadingExportRow.model_construct(
                taken_at=when,
                meter=name,
                value=value * _MILLI,
                kind=kind,
                previous_final_value=None if final is None else final * _MILLI,
                note=note,
                attachment_ids=photos,
            ).model_dump_json()
            for when, name, value, kind, final, note, photos in rows
        ]
        yield separator + ", ".join(items)
        separator = ", " if items else separator
    yield "]}\n"


def export_filename(user: User, fmt: str) -> str:
    try:
        today = clock.now().astimezone(ZoneInfo(user.timezone)).date()
    except (KeyError, ValueError):
        today = clock.now().date()
    return f"meterbook-readings-{today.isoformat()}.{fmt}"


def export_chunks(user: User, query: ReadingExportQuery) -> Iterator[str]:
    return export_csv(user, query) if query.format == "csv" else export_json(user, query)

"""Export of a user's records as CSV or JSON, streamed from a server-side cursor.

Each item is an ``ExportRow``, the model the OpenAPI document gives for the JSON answer.
CSV cells a spreadsheet would run as a formula are escaped (``csv_rows.escape_cell``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ...extensions import db
from ...models import Meter, Record, User
from ...services import attachments, clock
from .csv_rows import COLUMNS, escape_cell
from .schemas import ExportQuery, ExportRow
from .service import SORTS, filtered

EXPORT_CHUNK = 1000
_MILLI = Decimal("0.001")
_CENT = Decimal("0.01")


def _amount_text(amount: Decimal) -> str:
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cost_text(cost: Decimal | None) -> str:
    return "" if cost is None else f"{cost:.2f}"


def _items(user: User, query: ExportQuery) -> Iterator[list[ExportRow]]:
    stmt = (
        filtered(user, query)
        .join(Meter, Meter.id == Record.meter_id)
        .with_only_columns(
            Record.date,
            Meter.name,
            Record.amount_milli,
            Record.cost_cents,
            Record.note,
            Meter.type,
            Meter.unit,
            Record.id,
        )
        .order_by(*SORTS[query.sort])
        .execution_options(yield_per=EXPORT_CHUNK)
    )
    result = db.session.execute(stmt)
    try:
        for partition in result.partitions(EXPORT_CHUNK):
            photos = attachments.ids_by_parent("record_id", [row[-1] for row in partition])
            yield [
                ExportRow.model_construct(
                    date=day,
                    meter=name,
                    amount=milli * _MILLI,
                    cost=None if cents is None else cents * _CENT,
                    note=note,
                    type=kind,
                    unit=unit,
                    attachment_ids=photos.get(record_id, []),
                )
                for day, name, milli, cents, note, kind, unit, record_id in partition
            ]
    finally:
        result.close()


def _csv_cells(item: ExportRow) -> tuple[Any, ...]:
    return (
        item.date.isoformat(),
        escape_cell(item.meter),
        _amount_text(item.amount),
        _cost_text(item.cost),
        escape_cell(item.note or ""),
        item.type,
        escape_cell(item.unit),
    )


def export_csv(user: User, query: ExportQuery) -> Iterator[str]:
    """The export as CSV text, one chunk per ~1000 records (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for items in _items(user, query):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_cells(item) for item in items)
        yield buffer.getvalue()


def export_json(user: User, query: ExportQuery) -> Iterator[str]:
    """The export as one JSON document ``{"items": [...]}``, streamed in chunks."""
    yield '{"items": ['
    separator = ""
    for items in _items(user, query):
        yield separator + ", ".join(item.model_dump_json() for item in items)
        separator = ", " if items else separator
    yield "]}\n"


def export_filename(user: User, fmt: str) -> str:
    try:
        today = clock.now().astimezone(ZoneInfo(user.timezone)).date()
    except (KeyError, ValueError):
        today = clock.now().date()
    return f"meterbook-records-{today.isoformat()}.{fmt}"


def export_chunks(user: User, query: ExportQuery) -> Iterator[str]:
    return export_csv(user, query) if query.format == "csv" else export_json(user, query)

"""Reading an import file: decoding, the delimiter, the header, each row's fields, and the
spreadsheet escape shared with the CSV export.

Limits come from the request schemas (``schemas.NOTE_MAX``, ``schemas.METER_NAME_MAX``,
``common.date_range_error``, ``common.has_control``), so a row is held to the rules of
``POST /api/records`` and ``POST /api/meters``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from ...errors import APIError
from ..common import CONTROL_ERROR, date_range_error, has_control
from .schemas import METER_NAME_MAX, NOTE_MAX

REQUIRED_COLUMNS = ("date", "meter", "amount", "cost", "note")
OPTIONAL_COLUMNS = ("type", "unit")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ERRORS = 1000

# A cell a spreadsheet would run as a formula starts with one of these (OWASP "CSV injection").
FORMULA_STARTS = frozenset("=+-@\t\r")
ESCAPE = "'"

_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER_HINT = "must be a number written with a decimal point, e.g. 12.5"


def escape_cell(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run, and to text ``unescape_cell`` would change."""
    if text and (text[0] in FORMULA_STARTS or (text[0] == ESCAPE and len(text) > 1 and _escaped(text))):
        return ESCAPE + text
    return text


def unescape_cell(text: str) -> str:
    """Remove the one ``'`` that ``escape_cell`` adds: a ``'`` followed by a formula character or another ``'``."""
    return text[1:] if _escaped(text) else text


def _escaped(text: str) -> bool:
    return len(text) > 1 and text[0] == ESCAPE and (text[1] in FORMULA_STARTS or text[1] == ESCAPE)


@dataclass(frozen=True)
class Row:
    """One data row; ``valid`` is False when a field has a problem (already noted), and then
    only the meter columns are to be trusted (so their problems are listed too)."""

    line: int
    meter: str
    type: str
    unit: str
    valid: bool
    day: date = date.min
    amount_milli: int = 0
    cost_cents: int | None = None
    note: str | None = None


class Problems:
    """Every problem of a file as ``{row, field, message}``, up to ``MAX_ERRORS``."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.truncated = False

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, row: int, column: str | None, message: str) -> None:
        if len(self.items) >= MAX_ERRORS:
            self.truncated = True
            return
        self.items.append({"row": row, "field": column, "message": message})

    def error(self) -> APIError:
        count = f"the first {MAX_ERRORS} problems are listed" if self.truncated else "every problem is listed"
        return APIError(
            422,
            "validation_error",
            f"The file has invalid rows; nothing was imported ({count}).",
            details=list(self.items),
        )


def scaled(raw: str, places: int, whole_digits: int = 9) -> int | str:
    """``raw`` as an integer count of 10^-places, or the reason it is not acceptable (below
    10^whole_digits)."""
    match = _NUMBER.fullmatch(raw)
    if match is None:
        if raw.startswith("-") and _NUMBER.fullmatch(raw[1:]):
            return "must not be negative"
        return _NUMBER_HINT
    whole, fraction = match.group(1), (match.group(2) or "").rstrip("0")
    if len(fraction) > places:
        return f"must have at most {places} decimal places"
    if len(whole.lstrip("0")) > whole_digits:
        return f"must be less than {10**whole_digits}"
    value: int = int(whole) * 10**places + (int(fraction.ljust(places, "0")) if fraction else 0)
    return value


def parse_date(raw: str) -> date | str:
    if not _ISO_DATE.fullmatch(raw):
        return "must be a date in the form YYYY-MM-DD"
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return "must be a real calendar date in the form YYYY-MM-DD"
    return date_range_error(value) or value


def meter_name_error(name: str) -> str | None:
    """Why ``name`` cannot name a new meter (the rules of ``MeterName``), or None."""
    if len(name) > METER_NAME_MAX:
        return f"must be at most {METER_NAME_MAX} characters"
    if has_control(name):
        return CONTROL_ERROR
    return None


def unit_text_error(unit: str) -> str | None:
    """Why ``unit`` is not one line of text (the ``SingleLine`` rule of ``Unit``), or None."""
    return CONTROL_ERROR if has_control(unit) else None


def _note_error(note: str) -> str | None:
    if len(note) > NOTE_MAX:
        return f"must be at most {NOTE_MAX} characters"
    if has_control(note, multiline=True):
        return CONTROL_ERROR
    return None


class Reader:
    """The rows of one CSV file, checked field by field; problems go to ``problems``."""

    def __init__(self, text: io.TextIOWrapper, problems: Problems) -> None:
        self.text = text
        self.problems = problems
        self._dates: dict[str, date | str] = {}
        header = text.readline()
        if "\x00" in header:
            raise APIError(415, "unsupported_media_type", "The file is binary, not CSV text.")
        if not header.strip():
            problems.add(0, None, "The file is empty: its first line must be the header date,meter,amount,cost,note.")
            raise problems.error()
        self.delimiter = ";" if header.count(";") > header.count(",") else ","
        self.columns = self._header(next(csv.reader([header], delimiter=self.delimiter)))

    def _header(self, names: list[str]) -> list[str]:
        columns = [name.strip().lower() for name in names]
        seen: set[str] = set()
        for name in columns:
            if name not in COLUMNS:
                self.problems.add(
                    0, name, "unknown column; the columns are date, meter, amount, cost, note and optionally type, unit"
                )
            elif name in seen:
                self.problems.add(0, name, "column appears more than once")
            seen.add(name)
        for name in REQUIRED_COLUMNS:
            if name not in seen:
                self.problems.add(0, name, "required column is missing")
        if self.problems:
            raise self.problems.error()
        return columns

    def __iter__(self) -> Iterator[Row]:
        """Each data row that is not blank (rows of the wrong width are noted, not yielded)."""
        width = len(self.columns)
        at = {name: self.columns.index(name) for name in self.columns}
        row_no = 0
        try:
            for row_no, fields in enumerate(csv.reader(self.text, delimiter=self.delimiter), start=1):
                if len(fields) != width:
                    if fields and not (len(fields) == 1 and not fields[0].strip()):
                        self.problems.add(row_no, None, f"has {len(fields)} fields; the header has {width}")
                    continue  # else a blank line
                cells = {name: fields[i] if name == "note" else fields[i].strip() for name, i in at.items()}
                if any(value for name, value in cells.items() if name != "note") or cells["note"].strip():
                    yield self._row(row_no, cells)  # else a row of empty fields, as spreadsheets write
                if self.problems.truncated:
                    return
        except csv.Error as exc:
            self.problems.add(row_no + 1, None, f"is not valid CSV ({exc})")

    def _row(self, row_no: int, cells: dict[str, str]) -> Row:
        raw_date = cells["date"]
        day = self._dates.get(raw_date)
        if day is None:
            day = self._dates[raw_date] = parse_date(raw_date) if raw_date else "is required"
        amount = scaled(cells["amount"], 3) if cells["amount"] else "is required"
        cost: int | str | None = scaled(cells["cost"], 2) if cells["cost"] else None
        note = unescape_cell(cells["note"])
        name = unescape_cell(cells["meter"])
        checks = {
            "date": day,
            "amount": amount,
            "cost": cost,
            "note": _note_error(note) if note else None,
            "meter": None if name else "is required",
        }
        problems = {column: value for column, value in checks.items() if isinstance(value, str)}
        for column, message in problems.items():
            self.problems.add(row_no, column, message)
        kind, unit = cells.get("type", ""), unescape_cell(cells.get("unit", ""))
        if problems:
            return Row(row_no, name, kind, unit, valid=False)
        assert isinstance(day, date) and isinstance(amount, int) and not isinstance(cost, str)
        return Row(row_no, name, kind, unit, True, day, amount, cost, note or None)


def text_of(stream: IO[bytes]) -> io.TextIOWrapper:
    """The upload as text (UTF-8, a byte-order mark dropped), read as it streams."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


NOT_UTF8 = APIError(
    415, "unsupported_media_type", "The file is not UTF-8 text: export it as CSV (UTF-8) and try again."
)

"""Shared field types and models for request and response shapes."""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from sqlalchemy import func

from ..extensions import db

MAX_AMOUNT = Decimal(10) ** 9


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError("must be a JSON number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return Decimal(repr(value))
    return Decimal(value)


def _places(limit: int) -> Any:
    def check(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("must be a finite number")
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -limit:
            raise ValueError(f"must have at most {limit} decimal places")
        return value

    return check


def _to_float(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


Amount = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(3)),
    Field(ge=0, lt=MAX_AMOUNT),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e9, "exclusiveMaximum": True, "multipleOf": 0.001}),
]
Cost = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    AfterValidator(_places(2)),
    Field(ge=0, lt=MAX_AMOUNT),
    PlainSerializer(_to_float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e9, "exclusiveMaximum": True, "multipleOf": 0.01}),
]


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


Timestamp = Annotated[datetime, PlainSerializer(_utc, return_type=str, when_used="json")]


def _strict_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else _reject_date()
        except ValueError:
            raise ValueError("must be a real calendar date in the form YYYY-MM-DD") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("must be a date string in the form YYYY-MM-DD")


def _reject_date() -> date:
    raise ValueError


DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
DATE_RANGE_ERROR = f"must be between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"
# The calendar days the API accepts, as a pattern for the OpenAPI document (years 1900-2999).
DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def date_range_error(value: date) -> str | None:
    """Why ``value`` is outside the days the API accepts, or None."""
    return None if DATE_MIN <= value <= DATE_MAX else DATE_RANGE_ERROR


def _date_range(value: date) -> date:
    if problem := date_range_error(value):
        raise ValueError(problem)
    return value


Day = Annotated[
    date,
    BeforeValidator(_strict_date),
    AfterValidator(_date_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


MAX_ID = 2**31 - 1


CONTROL_ERROR = "must not contain control characters"


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` holds a control character: any of Unicode's (C0, DEL, C1) for one line;
    for ``multiline`` text, a C0 character other than tab and line breaks."""
    if multiline:
        return any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value)
    # Cc (C0, DEL, C1) plus the Unicode line and paragraph separators: anything that could
    # start a new line in an e-mail, a log line or a CSV cell.
    return any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in value)


def _no_control(value: str) -> str:
    if has_control(value, multiline=True):
        raise ValueError(CONTROL_ERROR)
    return value


def _single_line(value: str) -> str:
    if has_control(value):
        raise ValueError(CONTROL_ERROR)
    return value


# The same rules as patterns, so that the OpenAPI document states them (generated clients and
# fuzzers then know them). Not enforced through the pattern: the validators above give the message.
_LINE_CHAR = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]"
_VISIBLE_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]"
LINE_PATTERN = f"^{_LINE_CHAR}*{_VISIBLE_CHAR}{_LINE_CHAR}*$"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"

Text = Annotated[str, AfterValidator(_no_control), Field(json_schema_extra={"pattern": TEXT_PATTERN})]


NoControl = AfterValidator(_no_control)
TextPattern = Field(json_schema_extra={"pattern": TEXT_PATTERN})
# The one-line rule as a marker for ``Annotated`` fields that carry their own constraints.
OneLine = AfterValidator(_single_line)

SingleLine = Annotated[
    str, StringConstraints(strip_whitespace=True), OneLine, Field(json_schema_extra={"pattern": LINE_PATTERN})
]
"""A one-line text field (names, units): surrounding whitespace stripped, then no control
character at all, not even a tab or a newline. Add limits outside, where they apply to the
stripped text: ``Annotated[SingleLine, Field(min_length=1, max_length=100)]``."""


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Schema(BaseModel):
    """Request models: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class OutSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class QuerySchema(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DateWindow(QuerySchema):
    """``date_from``/``date_to`` filters (inclusive); ``date_to`` before ``date_from`` is refused on ``date_to``.

    Subclasses may redeclare either field (e.g. with a description): the rule still applies.
    """

    date_from: Day | None = None
    date_to: Day | None = None

    @field_validator("date_to")
    @classmethod
    def _not_before_date_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise ValueError("must not be before date_from")
        return value


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Pagination(QuerySchema):
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=20, ge=1, le=100)


def contains_ignoring_case(column: Any, text: str) -> Any:
    """SQL for ``column`` containing ``text`` literally, case ignored in every script.

    SQLite's own lower() and LIKE fold ASCII letters only, so its connections get
    ``unicode_lower`` (Python's ``str.lower``, registered in ``app/__init__.py``).
    """
    pattern = f"%{escape_like(text.lower())}%"
    lower = func.unicode_lower if db.session.get_bind().dialect.name == "sqlite" else func.lower
    return lower(column).like(pattern, escape="\\")


def escape_like(text: str) -> str:
    """Make user text match literally inside a LIKE pattern (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def page_body(result: tuple[list[Any], int], page: Pagination) -> dict[str, Any]:
    """``{items, page, per_page, total, pages}`` of one page: its items and how many match in all."""
    items, total = result
    return {
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": total,
        "pages": (total + page.per_page - 1) // page.per_page,
    }

"""Shared field types and models for request and response shapes."""

from __future__ import annotations

import math
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
    WithJsonSchema,
)

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


def _date_range(value: date) -> date:
    if not date(1900, 1, 1) <= value <= date(2999, 12, 31):
        raise ValueError("must be between 1900-01-01 and 2999-12-31")
    return value


Day = Annotated[
    date,
    BeforeValidator(_strict_date),
    AfterValidator(_date_range),
    WithJsonSchema({"type": "string", "format": "date"}),
]


MAX_ID = 2**31 - 1


def _no_control(value: str) -> str:
    if any(ch == "\x00" or (ord(ch) < 32 and ch not in "\t\n\r") for ch in value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[str, AfterValidator(_no_control)]


NoControl = AfterValidator(_no_control)


def _single_line(value: str) -> str:
    # Cc (C0, DEL, C1) plus the Unicode line and paragraph separators: anything that could
    # start a new line in an e-mail, a log line or a CSV cell.
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029" for ch in value):
        raise ValueError("must be a single line without control characters")
    return value


SingleLine = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_single_line)]
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


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Pagination(QuerySchema):
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=20, ge=1, le=100)


def page_body(items: list[Any], total: int, query: Pagination) -> dict[str, Any]:
    """The body of one page of a paginated collection."""
    return {
        "items": items,
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
        "pages": (total + query.per_page - 1) // query.per_page,
    }


def escape_like(text: str) -> str:
    """Make user text match literally inside a LIKE pattern (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

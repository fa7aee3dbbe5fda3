"""One error envelope for every layer: domain errors, HTTP, validation, JWT, limiter, DB."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

# PostgreSQL's deadlock_detected and serialization_failure.
_RACE_STATES = {"40P01", "40001"}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    423: "account_locked",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    503: "service_unavailable",
}

HTTP_MESSAGES = {
    404: "The requested resource was not found.",
    405: "The method is not allowed for the requested URL.",
    413: "The request body is too large.",
    415: "The request body must be JSON (Content-Type: application/json).",
    500: "An unexpected error occurred.",
    503: "The service is temporarily unavailable. Please retry shortly.",
}


class APIError(Exception):
    """A failure the client can act on, rendered as the contract's envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


class NotFound(APIError):
    def __init__(self, what: str = "Resource") -> None:
        super().__init__(404, "not_found", f"{what} not found.")


class Conflict(APIError):
    def __init__(self, message: str) -> None:
        super().__init__(409, "conflict", message)


class Forbidden(APIError):
    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(403, "forbidden", message)


class Unauthorized(APIError):
    def __init__(self, message: str = "Authentication is required.", code: str = "unauthorized") -> None:
        super().__init__(401, code, message)


class FieldError(APIError):
    """A 422 for one or more fields, in the same shape Pydantic errors take."""

    def __init__(self, errors: list[dict[str, Any]], message: str = "The request is invalid.") -> None:
        super().__init__(422, "validation_error", message, details=errors)

    @classmethod
    def single(cls, loc: list[str | int], msg: str, type_: str = "value_error") -> FieldError:
        return cls([{"loc": loc, "msg": msg, "type": type_}], message=msg)


class InvalidField(Exception):
    """A domain rule broken by one input field, raised by services, which do not know where the
    field came from; ``@body`` / ``@query`` turn it into a ``FieldError`` at ``[location, field]``."""

    def __init__(self, field: str, message: str, type_: str = "value_error") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.type = type_


def envelope(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _message(err: Any) -> str:
    # A length limit on a string checked after a validator (SingleLine with a max_length)
    # speaks of "items": say what the limit is in the words pydantic uses for strings.
    ctx = err.get("ctx") or {}
    if err["type"] in ("too_short", "too_long") and isinstance(err.get("input"), str):
        limit = ctx.get("min_length") if err["type"] == "too_short" else ctx.get("max_length")
        bound = "at least" if err["type"] == "too_short" else "at most"
        return f"String should have {bound} {limit} character{'' if limit == 1 else 's'}"
    return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def pydantic_details(exc: ValidationError, location: str) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors(include_url=False):
        loc = [location, *err["loc"]] if location else list(err["loc"])
        details.append({"loc": loc, "msg": _message(err), "type": err["type"]})
    return details


# The app answers oversized headers itself, in the envelope, below the servers' own limits
# (gunicorn: 16 KiB a field in gunicorn.conf.py; Werkzeug: 64 KiB a line), which answer
# without it. docs/deployment.md says what the proxy in front does.
MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 32 * 1024


def _check_header_sizes() -> None:
    sizes = [len(name) + len(value) for name, value in request.headers.items()]
    if any(size > MAX_HEADER_BYTES for size in sizes) or sum(sizes) > MAX_HEADERS_BYTES:
        raise APIError(
            431,
            "headers_too_large",
            f"A request header is larger than {MAX_HEADER_BYTES} bytes, or all of them than {MAX_HEADERS_BYTES}.",
        )


def register_errorhandlers(app: Flask) -> None:
    app.before_request(_check_header_sizes)

    @app.errorhandler(APIError)
    def _api_error(exc: APIError) -> Response:
        return envelope(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_error")
        message = HTTP_MESSAGES.get(status) or (exc.description or exc.name)
        headers = {}
        if status == 405 and exc.response is None:
            allowed = getattr(exc, "valid_methods", None)
            if allowed:
                headers["Allow"] = ", ".join(sorted(allowed))
        if status == 429:
            code = "rate_limited"
            message = "Too many requests. Please slow down and retry later."
            headers["Retry-After"] = str(_retry_after(exc))
        return envelope(status, code, message, headers=headers)

    @app.errorhandler(OperationalError)
    def _db_down(exc: OperationalError) -> Response:
        state = getattr(exc.orig, "pgcode", None)
        if state in _RACE_STATES:
            # A deadlock or serialisation failure: the database is fine, the request lost a race.
            log.warning("transaction aborted by a concurrent one (%s)", state)
            _rollback_quietly()
            return envelope(409, "conflict", "The change met another one made at the same moment; try again.")
        log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else "OperationalError")
        _rollback_quietly()
        return envelope(503, "service_unavailable", HTTP_MESSAGES[503], headers={"Retry-After": "5"})

    @app.errorhandler(PoolTimeout)
    def _pool_exhausted(_exc: PoolTimeout) -> Response:
        # Every database connection of this process is busy: shed load instead of queueing forever.
        log.warning("database connection pool exhausted")
        return envelope(503, "service_unavailable", HTTP_MESSAGES[503], headers={"Retry-After": "1"})

    @app.errorhandler(IntegrityError)
    def _conflict(exc: IntegrityError) -> Response:
        # A race that a service's own checks could not see (two requests creating the same name).
        log.warning("integrity error answered as a conflict: %s", type(exc.orig).__name__ if exc.orig else "")
        _rollback_quietly()
        return envelope(409, "conflict", "The change conflicts with existing data; reload and try again.")

    @app.errorhandler(StaleDataError)
    def _gone_meanwhile(exc: StaleDataError) -> Response:
        # The row was deleted by another request between this one reading and writing it.
        log.warning("stale data answered as a conflict")
        _rollback_quietly()
        return envelope(409, "conflict", "The item was changed or deleted by another request; reload and try again.")

    @app.errorhandler(DBAPIError)
    def _db_error(exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            _rollback_quietly()
            return envelope(503, "service_unavailable", HTTP_MESSAGES[503], headers={"Retry-After": "5"})
        log.exception("database error")
        _rollback_quietly()
        return envelope(500, "internal_error", HTTP_MESSAGES[500])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        _rollback_quietly()
        return envelope(500, "internal_error", HTTP_MESSAGES[500])


def _retry_after(exc: HTTPException) -> int:
    """Seconds until the breached limit's window resets (Flask-Limiter decorators' 429s)."""
    retry: float | None = getattr(exc, "retry_after", None)
    if retry is None:
        for extension in current_app.extensions.get("limiter", ()):
            try:
                current = extension.current_limit
                if current is not None and current.breached:
                    retry = current.window.reset_time - time.time()
                    break
            except Exception:  # an uninitialised limiter or unreachable storage: use the window
                log.debug("could not read the breached limit", exc_info=True)
    limit = getattr(exc, "limit", None)
    if retry is None and limit is not None:
        retry = limit.limit.get_expiry()
    return max(1, math.ceil(retry if retry is not None else 60))


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the connection may already be gone
        log.debug("rollback after error failed", exc_info=True)

"""Pooled connections checked before use only when they may have gone stale.

``pool_pre_ping`` sends ``SELECT 1`` on every checkout: one more round trip on every request,
for a failure (the database restarted or a connection dropped) that shows on connections left
idle. Here a connection is pinged only when it has been idle for ``IDLE_PING_SECONDS``; a
failed ping makes the pool discard it and connect afresh (``DisconnectionError``), as
pre-ping does. A connection that breaks while in constant use (the database restarted under
traffic) fails that one request with 503, and SQLAlchemy then renews the whole pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

IDLE_PING_SECONDS = 1.0
_IDLE_SINCE = "meterbook.idle_since"
_AUTOCOMMIT = "meterbook.autocommit"


def _checkin(dbapi_connection: Any, record: Any) -> None:
    if record is None:
        return
    record.info[_IDLE_SINCE] = time.monotonic()
    if record.info.pop(_AUTOCOMMIT, False) and dbapi_connection is not None:
        try:
            dbapi_connection.autocommit = False  # the driver's flag: nothing sent to the server
        except Exception:
            record.invalidate()  # broken meanwhile: never handed out again


def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    since = record.info.pop(_IDLE_SINCE, None)
    if since is not None and time.monotonic() - since >= IDLE_PING_SECONDS:
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # the ping's own transaction, if the driver began one
        except Exception as exc:
            raise DisconnectionError("the pooled connection was closed while idle") from exc
    if reads_in_autocommit() and type(dbapi_connection).__module__.startswith("psycopg2"):
        # No BEGIN before the first statement, no ROLLBACK after the last: a flag of the driver,
        # set and cleared here without a round trip (SQLAlchemy's isolation_level option would
        # reset the level with one when the connection comes back).
        dbapi_connection.autocommit = True
        record.info[_AUTOCOMMIT] = True


def init_pool_checks() -> None:
    """Install the checks on every pool (once per process)."""
    if not event.contains(Pool, "checkout", _checkout):
        event.listen(Pool, "checkin", _checkin)
        event.listen(Pool, "checkout", _checkout)


# --- reads without a transaction ----------------------------------------------------------------
#
# On PostgreSQL a transaction costs two round trips of its own (the driver's BEGIN before the
# first statement, the ROLLBACK at the end). A GET under /api/ only reads, and at READ COMMITTED
# each statement sees its own snapshot anyway, so its connection is checked out in autocommit
# (psycopg2's flag, set at checkout and cleared at checkin, nothing sent): the same answers, two
# round trips fewer. Requests with a personal access token keep their transaction (the token's
# use is recorded). GET is safe by contract: a GET that tried to write (or take a
# transaction's lock) would be refused before its first such statement (``ReadOnlyRequest``,
# 500), so nothing is ever written half outside a transaction; the test suite runs on
# PostgreSQL with this on, so no route does.

_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CREATE", "ALTER", "DROP")


class ReadOnlyRequest(RuntimeError):
    """A GET tried to write: GETs read only (their statements run without a transaction)."""


def reads_in_autocommit() -> bool:
    """Whether this request's statements run without a transaction (a GET under /api/ on
    PostgreSQL, not with a personal token)."""
    return has_request_context() and request.method in ("GET", "HEAD") and bool(g.get("meterbook_autocommit"))


def _guard(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
    if not reads_in_autocommit():
        return
    head = statement.lstrip()[:12].upper()
    if head.startswith(_WRITES) or "pg_advisory_xact_lock" in statement:
        raise ReadOnlyRequest(f"a {request.method} request may not write: {statement[:80]!r}")


def init_read_requests(app: Flask, db: Any, personal_token: Callable[[], bool]) -> None:
    """``db`` the app's Flask-SQLAlchemy; ``personal_token`` tells whether a request comes with a
    personal access token (whose use is recorded, so its requests write)."""

    @app.before_request
    def _reads_in_autocommit() -> None:
        if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/"):
            return
        if db.engine.dialect.name != "postgresql" or personal_token():
            return  # a personal token's use is recorded (last_used_at): that request writes
        g.meterbook_autocommit = True  # the connection is put in autocommit at its checkout

    @app.teardown_request
    def _end_autocommit(_error: BaseException | None) -> None:
        # The connection goes back to the pool (its isolation level reset) with the request, not
        # with the app context, which a test (or a CLI) may keep for further requests.
        # Ended by a commit that expires nothing (in autocommit it sends nothing): the objects read
        # stay loaded for what runs after the view (a streamed export's generator).
        if not g.pop("meterbook_autocommit", False):
            return
        session = db.session()
        keep, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        except Exception:
            session.rollback()
        finally:
            session.expire_on_commit = keep

    if not event.contains(Engine, "before_cursor_execute", _guard):
        event.listen(Engine, "before_cursor_execute", _guard)

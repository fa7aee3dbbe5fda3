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
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

IDLE_PING_SECONDS = 1.0
_IDLE_SINCE = "meterbook.idle_since"


def _checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    since = record.info.pop(_IDLE_SINCE, None)
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return  # just connected, or back in use at once
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as exc:
        raise DisconnectionError("the pooled connection was closed while idle") from exc


def init_pool_checks() -> None:
    """Install the checks on every pool (once per process)."""
    if not event.contains(Pool, "checkout", _checkout):
        event.listen(Pool, "checkin", _checkin)
        event.listen(Pool, "checkout", _checkout)

"""Raising an alert once: its key inserted with INSERT ... ON CONFLICT DO NOTHING, and only the
inserter notifies and publishes (see ``alerts``)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Household, RaisedAlert
from . import clock, events, notifications

log = logging.getLogger(__name__)


def _insert_key(key: str, household_id: int | None, kind: str) -> bool:
    """Insert the alert's key; True only for the caller whose row went in."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(RaisedAlert)
        .values(key=key, household_id=household_id, kind=kind, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = db.session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


def raise_alert(
    key: str,
    household_id: int | None,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any],
    *,
    link: str | None = None,
    user_ids: list[int] | None = None,
) -> bool:
    """Raise an alert once: insert its key, and when this call inserted it, notify the members
    concerned (``notifications.notify``) and publish the event ``kind`` {alert: data} to the
    household (to ``user_ids`` for an alert about an account). In the caller's transaction:
    nothing happens unless it commits. Returns whether this call raised it."""
    if not _insert_key(key, household_id, kind):
        return False
    notifications.notify(household_id, kind, title, body, data, user_ids=user_ids, link=link)
    if household_id is not None:
        events.emit_household(household_id, kind, alert=data)
    else:
        for user_id in user_ids or ():
            events.emit(user_id, kind, alert=data)
    log.info("alert %s raised", key)
    return True


def _today(household: Household, now: datetime) -> date:
    return now.astimezone(ZoneInfo(household.timezone)).date()


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"

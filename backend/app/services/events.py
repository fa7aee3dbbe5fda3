"""Domain events, published to the broker only after the transaction that raised them commits."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from ..extensions import db
from .brokers import Broker, Listener, LocalBroker, RedisBroker, make_broker

__all__ = [
    "AUTH_CHANGED",
    "HOUSEHOLD_CHANGED",
    "INTERNAL_TYPES",
    "MEMBERSHIPS_CHANGED",
    "MEMBER_CHANGED",
    "READINGS_IMPORTED",
    "READING_CREATED",
    "READING_DELETED",
    "READING_UPDATED",
    "Broker",
    "Listener",
    "LocalBroker",
    "RedisBroker",
    "close_broker",
    "emit",
    "emit_household",
    "get_broker",
    "household_changed",
    "household_key",
    "household_of",
    "init_events",
    "make_broker",
    "membership_changed",
    "queued",
    "user_key",
]

log = logging.getLogger(__name__)
_PENDING = "meterbook.pending_events"

#: Published when a user's sessions or account state change (logout, revoked session, password
#: change, deactivation, deletion). Not forwarded to clients: live sockets re-check their token.
AUTH_CHANGED = "auth.changed"
#: Published to a user when one of their memberships starts, ends or changes role. Not forwarded
#: either: live sockets re-read the user's households and subscribe to exactly those.
MEMBERSHIPS_CHANGED = "memberships.changed"
INTERNAL_TYPES = frozenset({AUTH_CHANGED, MEMBERSHIPS_CHANGED})

#: Public events about households (PRODUCT §9).
HOUSEHOLD_CHANGED = "household.changed"
MEMBER_CHANGED = "member.changed"
#: Readings (PRODUCT §10): ``{reading}`` for created and updated, ``{id}`` for deleted, and
#: ``{count}`` after an import.
READING_CREATED = "reading.created"
READING_UPDATED = "reading.updated"
READING_DELETED = "reading.deleted"
READINGS_IMPORTED = "readings.imported"


def user_key(user_id: int) -> str:
    """The broker key of one user's own events (session and membership changes)."""
    return f"user:{user_id}"


def household_key(household_id: int) -> str:
    """The broker key of one household's events: every member's sockets listen to it."""
    return f"household:{household_id}"


def household_of(key: str) -> int | None:
    """The household id of a household key, else None."""
    kind, _, value = key.partition(":")
    return int(value) if kind == "household" and value.isdigit() else None


def close_broker(app: Flask, timeout: float = 5.0) -> None:
    """Stop the broker's background work with its app (for shutdown and tests)."""
    broker = app.extensions.get("meterbook.broker")
    if broker is not None:
        broker.close(timeout)


def get_broker(app: Flask | None = None) -> Broker:
    return (app or current_app).extensions["meterbook.broker"]  # type: ignore[no-any-return]


def _queue(key: str, message: dict[str, Any], once: bool = False) -> None:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still discards the event
    pending = session.info.setdefault(_PENDING, [])
    if not once or (key, message) not in pending:
        pending.append((key, message))


def emit(user_id: int, type_: str, **payload: Any) -> None:
    """Queue an event for one user's sockets; it is published when the current transaction commits."""
    _queue(user_key(user_id), {"type": type_, **payload})


def emit_household(household_id: int, type_: str, **payload: Any) -> None:
    """Queue an event for the sockets of every member of a household (it carries ``household_id``);
    published when the current transaction commits."""
    _queue(household_key(household_id), {"type": type_, "household_id": household_id, **payload})


def membership_changed(household_id: int, user_id: int, role: str | None) -> None:
    """Call in the transaction that adds, changes or ends a membership (``role`` None: it ended,
    the household included). After the commit the user's open sockets re-read their households
    at once (a removed member receives nothing more from this one), and the household's members
    and the user get ``member.changed`` {household_id, user_id, role}.

    Membership rows added, changed or deleted through the ORM session announce the internal
    re-check by themselves; bulk statements (a household deleted with its memberships) need
    this call for each member.
    """
    _queue(user_key(user_id), {"type": MEMBERSHIPS_CHANGED}, once=True)
    emit_household(household_id, MEMBER_CHANGED, user_id=user_id, role=role)
    if role is None:  # no longer on the household's key: tell the user directly
        _queue(
            user_key(user_id), {"type": MEMBER_CHANGED, "household_id": household_id, "user_id": user_id, "role": None}
        )


def household_changed(household_id: int, household: dict[str, Any] | None = None, deleted: bool = False) -> None:
    """Queue ``household.changed`` for the household's members (``deleted`` when it is gone)."""
    payload: dict[str, Any] = {"household": household} if household is not None else {}
    if deleted:
        payload["deleted"] = True
    emit_household(household_id, HOUSEHOLD_CHANGED, **payload)


def queued(session: OrmSession) -> list[tuple[str, dict[str, Any]]]:
    """The events this transaction has queued so far, as (broker key, message): for what must
    happen in the same transaction (webhook deliveries are written from them before the commit)."""
    return list(session.info.get(_PENDING, []))


def _after_commit(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        broker = get_broker()
    except RuntimeError:  # no app context: nothing can be listening
        return
    for key, message in pending:
        try:
            broker.publish(key, message)
        except Exception:
            log.exception("publishing %s failed", message.get("type"))


def _after_rollback(session: OrmSession, _previous: object) -> None:
    session.info.pop(_PENDING, None)


def _membership_changes(session: OrmSession) -> set[int]:
    """The users whose memberships this flush adds, deletes or changes the role of."""
    from sqlalchemy import inspect

    from ..models import Membership

    members = {obj.user_id for obj in (*session.new, *session.deleted) if isinstance(obj, Membership)}
    for obj in session.dirty:
        if isinstance(obj, Membership) and inspect(obj).attrs.role.history.added:
            members.add(obj.user_id)
    return members


def _before_flush(session: OrmSession, _context: object, _instances: object) -> None:
    """Announce session revocations, deactivations and membership changes so live sockets act at once."""
    from sqlalchemy import inspect

    from ..models import TokenFamily, User

    members = _membership_changes(session)
    affected: set[int] = set()
    for obj in session.dirty:
        if isinstance(obj, TokenFamily) and inspect(obj).attrs.revoked_at.history.added:
            affected.add(obj.user_id)
        elif isinstance(obj, User) and inspect(obj).attrs.is_active.history.added:
            affected.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, User):
            affected.add(obj.id)
        elif isinstance(obj, TokenFamily):
            affected.add(obj.user_id)
    pending = session.info.setdefault(_PENDING, [])
    for kind, users in ((AUTH_CHANGED, affected), (MEMBERSHIPS_CHANGED, members)):
        for user_id in sorted(users):
            if (user_key(user_id), {"type": kind}) not in pending:
                pending.append((user_key(user_id), {"type": kind}))


def init_events(app: Flask) -> None:
    app.extensions.setdefault("meterbook.broker", make_broker(app))
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)

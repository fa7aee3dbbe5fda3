"""What every authenticated request looks up, kept per process: a session's user and a user's
memberships, valid while the shared *auth epoch* has not moved; and the households read
requests name (their data version above all), valid while the *data epoch* has not moved
(``services/epochs.py``), and for ``HOUSEHOLD_MAX_AGE_SECONDS`` at most.

Without this, each request reads its session (token family) joined with its user, then the
user's memberships, then the household: three queries that answer the same thing thousands of
times between two changes. Here the request reads two counters instead (one Redis ``MGET``),
and reads the database only when a counter moved since the process last looked.

The epoch moves (``INCR``, after the commit) whenever a transaction changes what these
lookups answer: any change to a user, a session (revoked, deleted, rotated), a membership
(added, removed, new role), or a household deleted; ORM writes and bulk statements through the
session alike, noticed by session hooks as for the data version (``services/versions.py``), so
nothing calls this module to invalidate. A request reads the epoch *before* it reads the
database, and the writer moves it *after* its commit: a cache entry made from data older than a
change always carries an epoch older than the change's, so the very next request on every
process, after the change was answered, misses and reads the database again.

- ``AUTH_CACHE=auto`` (default): on with the epoch in Redis when ``REDIS_URL`` is set, off
  otherwise (several processes without Redis could not tell each other).
- ``AUTH_CACHE=local``: the epoch is a counter in this process (one process only: tests,
  ``make dev``). ``AUTH_CACHE=off``: every request reads the database.
- Redis unreachable: the request reads the database (never a cached answer without a current
  epoch). An epoch that could not be moved after a commit is bounded by ``MAX_AGE_SECONDS``.

See docs/caching.md ("The authenticated request").
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import ORMExecuteState
from sqlalchemy.sql.dml import Delete, Insert, Update

from ..models import Household, Membership, TokenFamily, User
from . import versions
from .epochs import DATA_EPOCH_KEY, EPOCH_KEY, Epoch, Epochs, LocalEpoch, RedisEpoch

__all__ = ["DATA_EPOCH_KEY", "EPOCH_KEY", "AuthCache", "Epoch", "Epochs", "LocalEpoch", "RedisEpoch"]

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 60.0  # an entry is read again after this long, whatever the epoch says
HOUSEHOLD_MAX_AGE_SECONDS = 2.0  # a household copy (its data version) is read again after this long
MAX_ENTRIES = 20_000  # per kind and process; past it the cache starts afresh
_CHANGED = "meterbook.auth_changed"
_KEY = "meterbook.authcache"
_EPOCHS = "meterbook.auth_epochs"
Row = TypeVar("Row", User, Household)
_WATCHED = {User.__tablename__, TokenFamily.__tablename__, Membership.__tablename__}


@dataclass(frozen=True)
class _Entry:
    epoch: int
    at: float
    value: Any


class AuthCache:
    def __init__(self, epoch: Epoch) -> None:
        self.epoch = epoch
        self._sessions: dict[str, _Entry] = {}
        self._members: dict[int, _Entry] = {}
        self._households: dict[int, _Entry] = {}
        self._lock = threading.Lock()

    def _get(self, table: dict[Any, _Entry], key: Any, epoch: int, max_age: float = MAX_AGE_SECONDS) -> Any:
        entry = table.get(key)
        if entry is None or entry.epoch != epoch or time.monotonic() - entry.at > max_age:
            return None
        return entry.value

    def _put(self, table: dict[Any, _Entry], key: Any, epoch: int, value: Any) -> None:
        with self._lock:
            if len(table) >= MAX_ENTRIES:
                table.clear()
            table[key] = _Entry(epoch, time.monotonic(), value)

    def session_user(self, family_id: str, epoch: int) -> User | None:
        """The user of a valid session as cached at ``epoch`` (detached: merge it), or None."""
        return self._get(self._sessions, family_id, epoch)  # type: ignore[no-any-return]

    def keep_session(self, family_id: str, epoch: int, user: User) -> None:
        self._put(self._sessions, family_id, epoch, detached_copy(user))

    def roles(self, user_id: int, epoch: int, load: Callable[[], dict[int, str]]) -> dict[int, str]:
        """The user's role per household: cached at ``epoch``, else ``load()`` kept."""
        found = self._get(self._members, user_id, epoch)
        if found is None:
            found = load()
            self._put(self._members, user_id, epoch, found)
        return found  # type: ignore[no-any-return]

    def household(self, household_id: int, data_epoch: int) -> Household | None:
        """The household as cached at data epoch ``data_epoch`` (detached: merge it), or None.
        Trusted for ``HOUSEHOLD_MAX_AGE_SECONDS`` at most: its data version is what cached
        answers are found by, and a writer that died between its commit and the epoch's move
        must not leave a version behind for longer."""
        return self._get(self._households, household_id, data_epoch, HOUSEHOLD_MAX_AGE_SECONDS)  # type: ignore[no-any-return]

    def keep_household(self, household: Household, data_epoch: int) -> None:
        self._put(self._households, household.id, data_epoch, detached_copy(household))

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._members.clear()
            self._households.clear()


def detached_copy(row: Row) -> Row:
    """A detached copy of ``row`` (a User, a Household) with its column values and nothing pending,
    never in a session: each request merges it (``load=False``) into its own session, so no two
    threads share an instance."""
    mapper = type(row).__mapper__
    copy: Row = mapper.class_manager.new_instance()
    for attr in mapper.column_attrs:
        set_committed_value(copy, attr.key, getattr(row, attr.key))
    make_transient_to_detached(copy)
    return copy


# --- which stores this process moves after a commit --------------------------------------------

_epochs: weakref.WeakSet[Any] = weakref.WeakSet()


def _mark(session: Session, data: bool = False) -> None:
    session.info[_CHANGED] = True
    if data:  # a household deleted: its copies go too
        session.info[versions.DATA_CHANGED] = True


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if _CHANGED in session.info:
        return
    for obj in session.new:
        if isinstance(obj, Membership):
            return _mark(session)
    for obj in session.deleted:
        if isinstance(obj, (User, TokenFamily, Membership, Household)):
            return _mark(session, data=isinstance(obj, Household))
    for obj in session.dirty:
        if isinstance(obj, (User, TokenFamily, Membership)) and session.is_modified(obj, include_collections=False):
            return _mark(session)
    return None


def _on_execute(state: ORMExecuteState) -> None:
    statement = state.statement
    if not isinstance(statement, (Insert, Update, Delete)):
        return
    name = getattr(getattr(statement, "table", None), "name", None)
    if name in _WATCHED:
        _mark(state.session)
    elif name == Household.__tablename__ and isinstance(statement, Delete):
        _mark(state.session, data=True)


def _after_commit(session: Session) -> None:
    auth = bool(session.info.pop(_CHANGED, None))
    data = bool(session.info.pop(versions.DATA_CHANGED, None))
    if auth or data:
        bump(auth=auth, data=data)


def _forget(session: Session, transaction: Any) -> None:
    """A rolled-back outermost transaction forgets its changes (a committed one has bumped);
    a savepoint's end keeps them (a bump too many is harmless, one too few is not)."""
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(versions.DATA_CHANGED, None)


def touch(session: Session | None = None) -> None:
    """Count a change the hooks cannot see (raw SQL text on users, sessions or memberships)."""
    from ..extensions import db

    _mark(session or db.session())


def changed(session: Session) -> bool:
    """Whether this transaction has flushed a change the auth epoch covers (not yet committed)."""
    return _CHANGED in session.info


def bump(auth: bool = True, data: bool = False) -> None:
    """Move the epochs this app keeps (every app's of this process, outside an app context).
    The request that moved them reads the database from now on: its epochs predate its change."""
    if has_request_context():
        if auth:
            g.meterbook_auth_epoch = None
        if data:
            g.meterbook_data_epoch = None
    mine = current_app.extensions.get(_EPOCHS) if has_app_context() else None
    seen: set[str] = set()
    for epoch in mine if mine is not None else list(_epochs):
        key = getattr(epoch, "url", "local")
        if key not in seen:
            seen.add(key)
            epoch.bump(auth=auth, data=data)


def init_authcache(app: Flask) -> None:
    """The cache this app reads (``AUTH_CACHE``), and the epochs it moves after a commit: Redis's
    whenever ``REDIS_URL`` is set, whatever this process reads (a CLI moves it for the API), and
    this process's own."""
    mode = str(app.config.get("AUTH_CACHE", "auto"))
    url = app.config.get("REDIS_URL")
    epochs: list[Epoch] = [LocalEpoch()]
    if url:
        epochs.insert(0, RedisEpoch(str(url)))
    reads: Epoch | None = None
    if mode == "local":
        reads = epochs[-1]
    elif mode == "auto" and url:
        reads = epochs[0]
    app.extensions[_KEY] = AuthCache(reads) if reads is not None else None
    app.extensions[_EPOCHS] = epochs
    _epochs.update(epochs)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _forget)


def current() -> AuthCache | None:
    """The cache this app reads, or None (``AUTH_CACHE=off``, or ``auto`` without Redis)."""
    if not has_app_context():
        return None
    return current_app.extensions.get(_KEY)


def request_epoch() -> int | None:
    """The auth epoch this request read before its first lookup (None: read the database)."""
    if not has_request_context():
        return None
    return g.get("meterbook_auth_epoch")  # type: ignore[no-any-return]


def request_data_epoch() -> int | None:
    """The data epoch this request read before its first lookup (None: read the database)."""
    if not has_request_context():
        return None
    return g.get("meterbook_data_epoch")  # type: ignore[no-any-return]

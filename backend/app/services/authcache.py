"""What every authenticated request looks up, kept per process: a session's user and a user's
memberships, valid while the shared *auth epoch* has not moved.

Without this, each request reads its session (token family) joined with its user, then the
user's memberships: two queries that answer the same thing thousands of times between two
changes. Here the request reads one counter instead (a Redis ``GET``), and reads the database
only when the counter moved since the process last looked.

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

import itertools
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import ORMExecuteState
from sqlalchemy.sql.dml import Delete, Insert, Update

from ..models import Household, Membership, TokenFamily, User

log = logging.getLogger(__name__)

EPOCH_KEY = "meterbook:auth-epoch"
MAX_AGE_SECONDS = 60.0  # an entry is read again after this long, whatever the epoch says
MAX_ENTRIES = 20_000  # per kind and process; past it the cache starts afresh
_CHANGED = "meterbook.auth_changed"
_KEY = "meterbook.authcache"
_EPOCHS = "meterbook.auth_epochs"
_WATCHED = {User.__tablename__, TokenFamily.__tablename__, Membership.__tablename__}


class Epoch(Protocol):
    def read(self) -> int | None: ...
    def bump(self) -> None: ...


class LocalEpoch:
    """A counter shared by every app of this process (one process: its changes are all here)."""

    _counter = itertools.count(1)
    _value = 0

    def read(self) -> int | None:
        return LocalEpoch._value

    def bump(self) -> None:
        LocalEpoch._value = next(LocalEpoch._counter)


class RedisEpoch:
    """The counter in Redis, shared by every API process."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def read(self) -> int | None:
        try:
            found: Any = self._redis.get(EPOCH_KEY)
            if found is None:  # first use, or Redis restarted empty: start somewhere new
                self._redis.set(EPOCH_KEY, _fresh_start(), nx=True)
                found = self._redis.get(EPOCH_KEY)
        except Exception:
            log.warning("the auth epoch could not be read; reading the database", exc_info=True)
            return None
        return int(found or 0)

    def bump(self) -> None:
        for attempt in range(2):
            try:
                pipe = self._redis.pipeline(transaction=False)
                pipe.set(EPOCH_KEY, _fresh_start(), nx=True)  # never INCR an emptied Redis from 0
                pipe.incr(EPOCH_KEY)
                pipe.execute()
                return
            except Exception:
                if attempt == 1:
                    log.error("the auth epoch could not be moved; cached sessions expire within %ss", MAX_AGE_SECONDS)


def _fresh_start() -> int:
    """A random starting value: a Redis that lost the counter (restarted without persistence)
    never counts up again through values that caches made before hold."""
    return secrets.randbits(52)


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
        self._lock = threading.Lock()

    def _get(self, table: dict[Any, _Entry], key: Any, epoch: int) -> Any:
        entry = table.get(key)
        if entry is None or entry.epoch != epoch or time.monotonic() - entry.at > MAX_AGE_SECONDS:
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

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._members.clear()


def detached_copy(user: User) -> User:
    """A detached User with ``user``'s column values and nothing pending, never in a session: each
    request merges it (``load=False``) into its own session, so no two threads share an instance."""
    copy: User = User.__mapper__.class_manager.new_instance()
    for attr in User.__mapper__.column_attrs:
        set_committed_value(copy, attr.key, getattr(user, attr.key))
    make_transient_to_detached(copy)
    return copy


# --- which stores this process moves after a commit --------------------------------------------

_epochs: weakref.WeakSet[Any] = weakref.WeakSet()


def _mark(session: Session) -> None:
    session.info[_CHANGED] = True


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if _CHANGED in session.info:
        return
    for obj in session.new:
        if isinstance(obj, Membership):
            return _mark(session)
    for obj in session.deleted:
        if isinstance(obj, (User, TokenFamily, Membership, Household)):
            return _mark(session)
    for obj in session.dirty:
        if isinstance(obj, (User, TokenFamily, Membership)) and session.is_modified(obj, include_collections=False):
            return _mark(session)
    return None


def _on_execute(state: ORMExecuteState) -> None:
    statement = state.statement
    if not isinstance(statement, (Insert, Update, Delete)):
        return
    name = getattr(getattr(statement, "table", None), "name", None)
    if name in _WATCHED or (name == Household.__tablename__ and isinstance(statement, Delete)):
        _mark(state.session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, None):
        bump()


def _forget(session: Session, transaction: Any) -> None:
    """A rolled-back outermost transaction forgets its changes (a committed one has bumped);
    a savepoint's end keeps them (a bump too many is harmless, one too few is not)."""
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


def touch(session: Session | None = None) -> None:
    """Count a change the hooks cannot see (raw SQL text on users, sessions or memberships)."""
    from ..extensions import db

    _mark(session or db.session())


def changed(session: Session) -> bool:
    """Whether this transaction has flushed a change the auth epoch covers (not yet committed)."""
    return _CHANGED in session.info


def bump() -> None:
    """Move the epochs this app keeps (every app's of this process, outside an app context).
    The request that moved them reads the database from now on: its epoch predates its change."""
    if has_request_context():
        g.meterbook_auth_epoch = None
    mine = current_app.extensions.get(_EPOCHS) if has_app_context() else None
    seen: set[str] = set()
    for epoch in mine if mine is not None else list(_epochs):
        key = getattr(epoch, "url", "local")
        if key not in seen:
            seen.add(key)
            epoch.bump()


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
    """The epoch this request read before its first lookup (None: read the database)."""
    if not has_request_context():
        return None
    return g.get("meterbook_auth_epoch")  # type: ignore[no-any-return]

"""Domain events, published to the broker only after the transaction that raised them commits."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from ..extensions import db

log = logging.getLogger(__name__)
Listener = Callable[[dict[str, Any]], None]
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


class Broker(Protocol):
    def publish(self, key: str, message: dict[str, Any]) -> None: ...
    def subscribe(self, key: str, listener: Listener) -> Callable[[], None]: ...
    def close(self, timeout: float = 5.0) -> None: ...


class LocalBroker:
    """In-process fan-out: the embedded default for one API process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, list[Listener]] = defaultdict(list)

    def publish(self, key: str, message: dict[str, Any]) -> None:
        self.deliver(key, message)

    def deliver(self, key: str, message: dict[str, Any]) -> None:
        with self._lock:
            listeners = list(self._listeners.get(key, ()))
        for listener in listeners:
            try:
                listener(message)
            except Exception:
                log.exception("event listener failed")

    def subscribe(self, key: str, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners[key].append(listener)

        def unsubscribe() -> None:
            with self._lock:
                items = self._listeners.get(key)
                if items and listener in items:
                    items.remove(listener)
                if not items:
                    self._listeners.pop(key, None)

        return unsubscribe

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(items) for items in self._listeners.values())

    def close(self, timeout: float = 5.0) -> None:
        """Nothing runs in the background."""


class RedisBroker:
    """Redis pub/sub: every process publishes to one channel and delivers to its own sockets.

    Messages carry their key (a user's or a household's); one subscriber thread per process
    (started with the first local subscription) hands each message to the in-process fan-out.
    """

    CHANNEL = "meterbook:events"

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        import redis

        self.url = url
        self.channel = channel
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._local = LocalBroker()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._subscribed = threading.Event()
        self._stopping = threading.Event()

    def publish(self, key: str, message: dict[str, Any]) -> None:
        self._redis.publish(self.channel, json.dumps({"key": key, "message": message}, default=str))

    def subscribe(self, key: str, listener: Listener) -> Callable[[], None]:
        unsubscribe = self._local.subscribe(key, listener)
        self._ensure_listening()
        return unsubscribe

    def subscriber_count(self) -> int:
        return self._local.subscriber_count()

    @property
    def thread(self) -> threading.Thread | None:
        """The subscriber thread, once a local subscription started it."""
        return self._thread

    def close(self, timeout: float = 5.0) -> None:
        """End the subscriber thread (it checks the stop event at least every half second) and wait for it."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the Redis event subscriber did not stop within %.1f s", timeout)
        self._redis.close()

    def _ensure_listening(self, timeout: float = 5.0) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()  # a forked child needs its own subscriber
                self._subscribed.clear()
                self._thread = threading.Thread(target=self._listen, name="meterbook-redis-events", daemon=True)
                self._thread.start()
        if not self._subscribed.wait(timeout):
            log.warning("the Redis event subscription is not ready; events may be missed")

    def _listen(self) -> None:
        import redis

        delay = 0.2
        while not self._stopping.is_set():
            client = redis.Redis.from_url(self.url, socket_connect_timeout=5, health_check_interval=30)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                pubsub.get_message(timeout=5)  # the subscription confirmation
                self._subscribed.set()
                delay = 0.2
                while not self._stopping.is_set():
                    # A bounded wait (returns as soon as a message arrives) so that close() is heard.
                    item = pubsub.get_message(timeout=0.5)
                    if item is None or item.get("type") != "message":
                        continue
                    try:
                        data = json.loads(item["data"])
                        self._local.deliver(str(data["key"]), data["message"])
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignoring a malformed event on %s", self.channel)
            except Exception:
                self._subscribed.clear()
                if self._stopping.is_set():
                    break
                log.exception("the Redis event subscription failed; reconnecting in %.1f s", delay)
                self._stopping.wait(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
                    client.close()


def make_broker(app: Flask) -> Broker:
    url = app.config.get("REDIS_URL")
    return RedisBroker(str(url)) if url else LocalBroker()


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


def _before_flush(session: OrmSession, _context: object, _instances: object) -> None:
    """Announce session revocations, deactivations and membership changes so live sockets act at once."""
    from sqlalchemy import inspect

    from ..models import Membership, TokenFamily, User

    members: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Membership):
            members.add(obj.user_id)
    for obj in session.dirty:
        if isinstance(obj, Membership) and inspect(obj).attrs.role.history.added:
            members.add(obj.user_id)
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

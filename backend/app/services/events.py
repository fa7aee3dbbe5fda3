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
INTERNAL_TYPES = frozenset({AUTH_CHANGED})


class Broker(Protocol):
    def publish(self, user_id: int, message: dict[str, Any]) -> None: ...
    def subscribe(self, user_id: int, listener: Listener) -> Callable[[], None]: ...
    def close(self, timeout: float = 5.0) -> None: ...


class LocalBroker:
    """In-process fan-out: the embedded default for one API process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[int, list[Listener]] = defaultdict(list)

    def publish(self, user_id: int, message: dict[str, Any]) -> None:
        self.deliver(user_id, message)

    def deliver(self, user_id: int, message: dict[str, Any]) -> None:
        with self._lock:
            listeners = list(self._listeners.get(user_id, ()))
        for listener in listeners:
            try:
                listener(message)
            except Exception:
                log.exception("event listener failed")

    def subscribe(self, user_id: int, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners[user_id].append(listener)

        def unsubscribe() -> None:
            with self._lock:
                items = self._listeners.get(user_id)
                if items and listener in items:
                    items.remove(listener)
                if not items:
                    self._listeners.pop(user_id, None)

        return unsubscribe

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(items) for items in self._listeners.values())

    def close(self, timeout: float = 5.0) -> None:
        """Nothing runs in the background."""


class RedisBroker:
    """Redis pub/sub: every process publishes to one channel and delivers to its own sockets.

    Messages carry the user id; one subscriber thread per process (started with the first
    local subscription) hands each message to the in-process fan-out for that user.
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

    def publish(self, user_id: int, message: dict[str, Any]) -> None:
        self._redis.publish(self.channel, json.dumps({"user": user_id, "message": message}, default=str))

    def subscribe(self, user_id: int, listener: Listener) -> Callable[[], None]:
        unsubscribe = self._local.subscribe(user_id, listener)
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
                        self._local.deliver(int(data["user"]), data["message"])
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


def emit(user_id: int, type_: str, **payload: Any) -> None:
    """Queue an event for ``user_id``; it is published when the current transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still discards the event
    session.info.setdefault(_PENDING, []).append((user_id, {"type": type_, **payload}))


def _after_commit(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        broker = get_broker()
    except RuntimeError:  # no app context: nothing can be listening
        return
    for user_id, message in pending:
        try:
            broker.publish(user_id, message)
        except Exception:
            log.exception("publishing %s failed", message.get("type"))


def _after_rollback(session: OrmSession, _previous: object) -> None:
    session.info.pop(_PENDING, None)


def _before_flush(session: OrmSession, _context: object, _instances: object) -> None:
    """Announce session revocations and deactivations so live sockets close at once."""
    from sqlalchemy import inspect

    from ..models import TokenFamily, User

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
    for user_id in sorted(affected):
        if (user_id, {"type": AUTH_CHANGED}) not in pending:
            pending.append((user_id, {"type": AUTH_CHANGED}))


def init_events(app: Flask) -> None:
    app.extensions.setdefault("meterbook.broker", make_broker(app))
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)

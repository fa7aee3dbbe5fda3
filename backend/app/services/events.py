"""Domain events, published to the broker only after the transaction that raised them commits."""

from __future__ import annotations

import logging
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


class Broker(Protocol):
    def publish(self, user_id: int, message: dict[str, Any]) -> None: ...
    def subscribe(self, user_id: int, listener: Listener) -> Callable[[], None]: ...


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


def get_broker(app: Flask | None = None) -> Broker:
    return (app or current_app).extensions["meterbook.broker"]  # type: ignore[no-any-return]


def emit(user_id: int, type_: str, **payload: Any) -> None:
    """Queue an event for ``user_id``; it is published when the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((user_id, {"type": type_, **payload}))


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


def init_events(app: Flask) -> None:
    app.extensions.setdefault("meterbook.broker", LocalBroker())
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)

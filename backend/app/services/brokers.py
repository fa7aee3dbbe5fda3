"""Event brokers: in-process fan-out, or Redis pub/sub so every API process delivers to its sockets.

A message is published under a key (a user's or a household's, see ``events``); listeners
subscribe to keys.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask

log = logging.getLogger(__name__)
Listener = Callable[[dict[str, Any]], None]


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

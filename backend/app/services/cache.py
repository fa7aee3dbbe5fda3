"""Answers cached per household data version: in Redis when REDIS_URL is set, in process otherwise.

``cached(household_id, key, compute)`` returns the bytes ``compute`` made for the household's
current data version and this ``key`` (everything else the answer depends on: the route, the
normalised query, "today"...). A write bumps the version in its own transaction
(``services/versions.py``), so the next read misses and computes afresh: never a stale answer.
Old versions are never read again; they expire (Redis) or fall out of the bounded LRU (in
process). A cache that fails (Redis down) only costs the computation, never the answer.
See docs/caching.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app

from . import versions

log = logging.getLogger(__name__)

TTL_SECONDS = 3600  # a version not read for an hour is dropped (Redis)
LOCAL_ENTRIES = 4096  # answers kept per process without Redis (least recently used dropped)
LOCAL_BYTES = 64 * 1024 * 1024  # and at most this many bytes of them
NEAR_ENTRIES = 1024  # with Redis, the answers this process also keeps (an answer's key never changes meaning)
NEAR_BYTES = 16 * 1024 * 1024
PREFIX = "meterbook:cache:"


class Backend(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes) -> None: ...
    def clear(self) -> None: ...


class LocalCache:
    """A bounded LRU in this process (one process: its versions are the database's)."""

    def __init__(self, entries: int = LOCAL_ENTRIES, max_bytes: int = LOCAL_BYTES) -> None:
        self._entries = entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self._max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            self._bytes += len(value) - (len(old) if old is not None else 0)
            self._data[key] = value
            while len(self._data) > self._entries or self._bytes > self._max_bytes:
                self._bytes -= len(self._data.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0


class RedisCache:
    """Redis, shared by every API process; entries expire after ``TTL_SECONDS``. The answers this
    process read or made lately are also kept here (``NEAR_ENTRIES``): a key names a household's
    data version, so what it holds never changes, and a repeated read costs no round trip."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._near = LocalCache(NEAR_ENTRIES, NEAR_BYTES)

    def get(self, key: str) -> bytes | None:
        near = self._near.get(key)
        if near is not None:
            return near
        found: Any = self._redis.get(key)
        if not isinstance(found, bytes):
            return None
        self._near.set(key, found)
        return found

    def set(self, key: str, value: bytes) -> None:
        self._redis.set(key, value, ex=TTL_SECONDS)
        self._near.set(key, value)

    def clear(self) -> None:
        self._near.clear()
        keys = list(self._redis.scan_iter(match=PREFIX + "*"))
        if keys:
            self._redis.delete(*keys)


def init_cache(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["meterbook.cache"] = RedisCache(str(url)) if url else LocalCache()


def backend() -> Backend:
    return current_app.extensions["meterbook.cache"]  # type: ignore[no-any-return]


def normalised(*parts: Any) -> str:
    """A key from JSON-able parts (a query's ``model_dump(mode="json")``, a date...): the same
    parts in any key order give the same key."""
    return json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)


def cached(household_id: int, key: str, compute: Callable[[], bytes], version: int | None = None) -> bytes:
    """The bytes ``compute()`` gives for ``key`` at the household's data version (read now
    unless given: read it BEFORE reading the data the answer is computed from)."""
    if version is None:
        version = versions.version_of(household_id)
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    full = f"{PREFIX}{household_id}:{version}:{digest}"
    store = backend()
    try:
        found = store.get(full)
    except Exception:
        log.warning("the answer cache could not be read; computing", exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        store.set(full, value)
    except Exception:
        log.warning("the answer cache could not be written", exc_info=True)
    return value


def cached_json(household_id: int, key: str, compute: Callable[[], Any], version: int | None = None) -> Any:
    """As ``cached`` for a JSON-able value (e.g. a budget's progress)."""
    raw = cached(household_id, key, lambda: json.dumps(compute(), default=str).encode(), version)
    return json.loads(raw)

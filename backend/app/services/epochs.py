"""Two shared counters that tell every API process when what it keeps is out of date.

- The *auth epoch* moves after a commit that changed a user, a session, a membership or
  deleted a household: the per-process session and role caches (``services/authcache.py``).
- The *data epoch* moves after a commit that bumped any household's data version
  (``services/versions.py``) or deleted a household: the per-process copies of households
  (their data version, time zone...) that cached answers are looked up with.

A request reads both in one round trip (``MGET``) before it reads the database, and a writer
moves them (``INCR``) after its commit, so an entry made from data older than a change always
carries an older epoch than the change's. In Redis when ``REDIS_URL`` is set; a counter in this
process otherwise (one process only).
"""

from __future__ import annotations

import itertools
import logging
import os
import secrets
from collections import deque
from typing import Any, NamedTuple, Protocol

log = logging.getLogger(__name__)

EPOCH_KEY = "meterbook:auth-epoch"
DATA_EPOCH_KEY = "meterbook:data-epoch"


class Epochs(NamedTuple):
    auth: int
    data: int


class Epoch(Protocol):
    def read(self) -> Epochs | None: ...
    def bump(self, auth: bool = True, data: bool = False) -> None: ...


class LocalEpoch:
    """Counters shared by every app of this process (one process: its changes are all here)."""

    _counter = itertools.count(1)
    _auth = 0
    _data = 0

    def read(self) -> Epochs | None:
        return Epochs(LocalEpoch._auth, LocalEpoch._data)

    def bump(self, auth: bool = True, data: bool = False) -> None:
        if auth:
            LocalEpoch._auth = next(LocalEpoch._counter)
        if data:
            LocalEpoch._data = next(LocalEpoch._counter)


class RedisEpoch:
    """The counters in Redis, shared by every API process."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._idle: deque[Any] = deque()  # connections of this process, free between reads
        self._pid = os.getpid()

    def _mget(self) -> list[Any]:
        """Both counters, on a connection kept for this read alone: every request reads them, and
        checking one out of redis-py's pool (a lock, a poll of the socket for stray data, the retry
        and metrics wrappers) cost as much CPU as the round trip itself. As many connections as
        reads ever ran at once (a deque is safe under threads and greenlets alike); one that
        failed is dropped with the idle ones, not reused, and a forked process never uses its
        parent's. After a failure the read is tried once more, on a new connection."""
        if self._pid != os.getpid():
            self._idle, self._pid = deque(), os.getpid()
        for attempt in range(2):
            try:
                connection = self._idle.pop()
            except IndexError:
                connection = self._redis.connection_pool.make_connection()
            try:
                connection.send_command("MGET", EPOCH_KEY, DATA_EPOCH_KEY)
                found = list(connection.read_response())
            except Exception:
                connection.disconnect()
                if attempt == 1:
                    raise
                self._drop_idle()  # a restarted Redis closed them all: the retry opens a new one
                continue
            self._idle.append(connection)
            return found
        raise AssertionError("unreachable")

    def _drop_idle(self) -> None:
        while self._idle:
            try:
                self._idle.pop().disconnect()
            except IndexError:
                return  # another read took the last one

    def read(self) -> Epochs | None:
        try:
            found: list[Any] = self._mget()
            if None in found:  # first use, or Redis restarted empty: start somewhere new
                pipe = self._redis.pipeline(transaction=False)
                pipe.set(EPOCH_KEY, _fresh_start(), nx=True)
                pipe.set(DATA_EPOCH_KEY, _fresh_start(), nx=True)
                pipe.mget(EPOCH_KEY, DATA_EPOCH_KEY)
                found = pipe.execute()[-1]
        except Exception:
            log.warning("the epochs could not be read; reading the database", exc_info=True)
            return None
        return Epochs(int(found[0] or 0), int(found[1] or 0))

    def bump(self, auth: bool = True, data: bool = False) -> None:
        keys = [key for key, wanted in ((EPOCH_KEY, auth), (DATA_EPOCH_KEY, data)) if wanted]
        if not keys:
            return
        for attempt in range(2):
            try:
                pipe = self._redis.pipeline(transaction=False)
                for key in keys:
                    pipe.set(key, _fresh_start(), nx=True)  # never INCR an emptied Redis from 0
                    pipe.incr(key)
                pipe.execute()
                return
            except Exception:
                if attempt == 1:
                    log.error("the epochs %s could not be moved; cached entries expire on their own", keys)


def _fresh_start() -> int:
    """A random starting value: a Redis that lost the counter (restarted without persistence)
    never counts up again through values that caches made before hold."""
    return secrets.randbits(52)

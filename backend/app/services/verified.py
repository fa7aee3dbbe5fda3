"""Tokens this process has verified, kept so that the next request with the same token skips
the signature check and the decoding (a third of an authenticated request's own CPU time).

An entry is the claims of a token that passed every check (signature, required claims,
audience, issuer, not before, issued at) under a given secret; only the expiry changes with
time, so it is checked again on every use, and an expired token goes back to the full path,
which refuses it as before. Revocation is not a property of the token: the session check that
follows runs on every request as before (``security._check_request_session``)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 4096  # the least recently used go first


class VerifiedTokens:
    def __init__(self, entries: int = MAX_ENTRIES) -> None:
        self._entries = entries
        self._data: OrderedDict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, secret: str, token: str, leeway: float) -> dict[str, Any] | None:
        """A copy of the claims of ``token`` verified under ``secret``, unless expired or unknown."""
        with self._lock:
            found = self._data.get((secret, token))
            if found is None:
                return None
            if not time.time() < float(found[0]["exp"]) + leeway:
                del self._data[(secret, token)]
                return None
            self._data.move_to_end((secret, token))
        return dict(found[0])

    def header(self, secret: str, token: str) -> dict[str, Any] | None:
        """A copy of the header of ``token`` as verified under ``secret``, or None."""
        found = self._data.get((secret, token))
        return None if found is None else dict(found[1])

    def keep(self, secret: str, token: str, claims: dict[str, Any], header: dict[str, Any]) -> None:
        with self._lock:
            self._data[(secret, token)] = (dict(claims), dict(header))
            while len(self._data) > self._entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

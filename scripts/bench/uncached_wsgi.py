"""The API as wsgi.py serves it, with an answer cache that keeps nothing: the benchmark's
"uncached" column (every analytics answer computed, as before the cache existed)."""

from __future__ import annotations

from wsgi import app  # gunicorn runs in the backend directory


class NoCache:
    def get(self, _key: str) -> None:
        return None

    def set(self, _key: str, _value: bytes) -> None:
        return None

    def clear(self) -> None:
        return None


app.extensions["meterbook.cache"] = NoCache()

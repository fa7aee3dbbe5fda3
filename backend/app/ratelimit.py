"""Rate limits, counted by Flask-Limiter's engine in the configured storage (memory or Redis).

Each app gets its own ``Limiter`` (Flask-Limiter's object keeps its storage and on/off
switch on the instance, so one shared instance cannot serve two differently configured apps
in one process). The limits are checked explicitly where the key is known: per client IP,
per e-mail address (read from the validated body) and per signed-in user.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string

from .errors import APIError

log = logging.getLogger(__name__)

EXTENSION = "meterbook.limiter"
COUNTERS = "meterbook.counters"
MESSAGE = "Too many requests. Please slow down and retry later."


def init_ratelimit(app: Flask) -> None:
    enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    limiter = Limiter(
        get_remote_address,
        default_limits=[],
        enabled=enabled,
        storage_uri=str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://"),
        key_prefix="meterbook",
        headers_enabled=False,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    # Counters that are not rate limits (sign-in failures per address) live in the same
    # storage, so they hold across processes with Redis, and count even with limits off.
    app.extensions[COUNTERS] = storage_from_string(str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://"))
    app.after_request(_limit_headers)


def _limit_headers(response: Response) -> Response:
    """X-RateLimit-* of the tightest limit the request was counted against (also on a 429)."""
    tightest = g.pop("meterbook_rate_limit", None)
    if tightest is not None:
        limit, remaining, reset = tightest
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset)
    return response


def _note(item: RateLimitItem, remaining: int, reset_at: float) -> None:
    current = g.get("meterbook_rate_limit")
    if current is None or remaining < current[1]:
        g.meterbook_rate_limit = (item.amount, max(0, remaining), math.ceil(reset_at))


def counters() -> Storage:
    """The shared counter storage (memory, or Redis when configured)."""
    return current_app.extensions[COUNTERS]  # type: ignore[no-any-return]


def _items(setting: str) -> list[RateLimitItem]:
    return parse_many(str(current_app.config[setting]))


def client_ip() -> str:
    return get_remote_address() or "unknown"


def hit(setting: str, scope: str, key: str) -> None:
    """Count one request against the limits in ``setting`` for ``key``; over the limit → 429."""
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    if limiter is None or not limiter.enabled:
        return
    for item in _items(setting):
        try:
            allowed = limiter.limiter.hit(item, scope, key)
            reset_at, remaining = limiter.limiter.get_window_stats(item, scope, key)
        except Exception as exc:  # storage unreachable: serve the request rather than fail it
            log.error("rate-limit storage unavailable (%s); %s not counted", type(exc).__name__, scope)
            return
        _note(item, remaining, reset_at)
        if not allowed:
            retry = max(1, math.ceil(reset_at - time.time()))
            log.warning("rate limit %s (%s) exceeded; client %s", scope, item, client_ip())
            raise APIError(429, "rate_limited", MESSAGE, headers={"Retry-After": str(retry)})


def per_ip(setting: str, scope: str) -> None:
    hit(setting, f"{scope}:ip", client_ip())


def per_email(setting: str, scope: str, email: str) -> None:
    hit(setting, f"{scope}:email", email.strip().lower())


def per_user(user_id: int) -> None:
    hit("RATELIMIT_AUTHENTICATED", "user", str(user_id))

"""Signed, single-purpose, expiring e-mail tokens.

A token carries the user id and a fingerprint of the state it may change (for example
the current password hash). Once that state changes the fingerprint no longer matches,
so every token is single-use without a table of used tokens.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from . import clock

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
INVITE = "invite"
MAX_AGE = {VERIFY_EMAIL: 24 * 3600, RESET_PASSWORD: 3600, INVITE: 7 * 24 * 3600}


class _ClockSigner(TimestampSigner):
    """Stamps and checks ages with the application's clock, so expiry follows ``clock.now``."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"meterbook.{purpose}", signer=_ClockSigner)


def fingerprint(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def make_token(purpose: str, user_id: int, state: str) -> str:
    return _serializer(purpose).dumps({"u": user_id, "f": fingerprint(state)})


def read_token(purpose: str, token: str) -> tuple[int, str] | None:
    """Return (user_id, fingerprint), or None for a bad, foreign-purpose or expired token."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        return None
    return data["u"], data["f"]

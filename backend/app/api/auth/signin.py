"""Signing in: credentials, and the lockout after repeated failures (for every address)."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import update

from ... import ratelimit
from ...errors import APIError, Unauthorized
from ...extensions import db
from ...models import User
from ...services import audit, clock, totp, users
from ...services.passwords import verify_password
from .schemas import LoginRequest

log = logging.getLogger(__name__)

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
# How long failures against an address without an account are remembered (an account's
# count lives on its row until a success or a lock resets it).
UNKNOWN_COUNT_TTL = 24 * 3600


def check_lock(locked_until: datetime | None) -> None:
    now = clock.now()
    if locked_until is not None and locked_until > now:
        retry = max(1, math.ceil((locked_until - now).total_seconds()))
        raise APIError(
            423,
            "account_locked",
            "Too many failed sign-in attempts. The account is locked for a while; try again later.",
            headers={"Retry-After": str(retry)},
        )


# An address without an account locks exactly as an account does (5 failures, 15 minutes),
# so a 423 says nothing about which addresses are registered. Its count and lock live in the
# rate-limit storage; the lock's value is its end, in epoch milliseconds of the app's clock.


def _unknown_keys(email: str) -> tuple[str, str]:
    return f"meterbook:signin-failures:{email}", f"meterbook:signin-lock:{email}"


def _unknown_locked_until(email: str) -> datetime | None:
    try:
        until = ratelimit.counters().get(_unknown_keys(email)[1])
    except Exception as exc:  # storage unreachable: no lock rather than no sign-in
        log.error("counter storage unavailable (%s); sign-in lock not checked", type(exc).__name__)
        return None
    return datetime.fromtimestamp(until / 1000, UTC) if until else None


def _count_unknown_failure(email: str) -> None:
    failures, lock = _unknown_keys(email)
    storage = ratelimit.counters()
    try:
        if storage.incr(failures, UNKNOWN_COUNT_TTL) >= LOCK_AFTER:
            storage.clear(failures)
            storage.clear(lock)
            until = clock.now() + LOCK_FOR
            storage.incr(lock, int(LOCK_FOR.total_seconds()) + 60, amount=int(until.timestamp() * 1000))
    except Exception as exc:
        log.error("counter storage unavailable (%s); sign-in failure not counted", type(exc).__name__)


def count_failure(user: User, method: str = "password") -> None:
    """Count a wrong password or code toward the lockout, with its audit entries."""
    # One atomic UPDATE so concurrent failures in other processes all count.
    now = clock.now()
    db.session.execute(update(User).where(User.id == user.id).values(failed_login_count=User.failed_login_count + 1))
    db.session.refresh(user)
    audit.record(audit.LOGIN_FAILED, user.id, method=method)
    if user.failed_login_count >= LOCK_AFTER:
        user.locked_until = now + LOCK_FOR
        user.failed_login_count = 0
        audit.record(audit.LOGIN_LOCKED, user.id, until=user.locked_until.isoformat())
        log.warning("account %s locked after %d failed sign-ins", user.id, LOCK_AFTER)
    db.session.commit()


def reset_failures(user: User) -> None:
    """A complete sign-in clears the failure count (committed with the new session)."""
    if user.failed_login_count or user.locked_until:
        user.failed_login_count = 0
        user.locked_until = None


def authenticate(data: LoginRequest) -> User:
    """Check credentials, counting failures toward the lockout.

    Without two-factor sign-in the success is recorded here and committed with the session."""
    email = users.normalise_email(data.email)
    user = users.find_by_email(email)
    check_lock(user.locked_until if user is not None else _unknown_locked_until(email))
    if not verify_password(user.password_hash if user else None, data.password) or user is None:
        if user is not None:
            count_failure(user)
        else:
            _count_unknown_failure(email)
        raise Unauthorized("The e-mail address or password is incorrect.")
    if not user.is_active:
        raise APIError(403, "forbidden", "This account has been deactivated.")
    if current_app.config["REQUIRE_EMAIL_VERIFICATION"] and user.email_verified_at is None:
        raise APIError(403, "email_not_verified", "Please confirm your e-mail address before signing in.")
    if not totp.is_enabled(user.id):
        # With two-factor sign-in the count is cleared only by the second step: a known
        # password must not reset the count of wrong codes.
        reset_failures(user)
        audit.record(audit.LOGIN_SUCCEEDED, user.id, method="password")
    return user

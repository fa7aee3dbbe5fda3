"""Signing in: credentials, and the lockout after repeated failures (for every address)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from ...errors import APIError, Unauthorized
from ...extensions import db
from ...models import User
from ...services import clock, users
from ...services.passwords import verify_password
from .schemas import LoginRequest

log = logging.getLogger(__name__)

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)


def _check_lock(user: User) -> None:
    now = clock.now()
    if user.locked_until is not None and user.locked_until > now:
        retry = max(1, int((user.locked_until - now).total_seconds() + 0.999))
        raise APIError(
            423,
            "account_locked",
            "Too many failed sign-in attempts. The account is locked for a while; try again later.",
            headers={"Retry-After": str(retry)},
        )


def authenticate(data: LoginRequest) -> User:
    """Check credentials, counting failures toward the lockout."""
    user = users.find_by_email(data.email)
    if user is not None:
        _check_lock(user)
    if not verify_password(user.password_hash if user else None, data.password) or user is None:
        if user is not None:
            # One atomic UPDATE so concurrent failures in other processes all count.
            now = clock.now()
            db.session.execute(
                update(User).where(User.id == user.id).values(failed_login_count=User.failed_login_count + 1)
            )
            db.session.refresh(user)
            if user.failed_login_count >= LOCK_AFTER:
                user.locked_until = now + LOCK_FOR
                user.failed_login_count = 0
                log.warning("account %s locked after %d failed sign-ins", user.id, LOCK_AFTER)
            db.session.commit()
        raise Unauthorized("The e-mail address or password is incorrect.")
    if not user.is_active:
        raise APIError(403, "forbidden", "This account has been deactivated.")
    if current_app.config["REQUIRE_EMAIL_VERIFICATION"] and user.email_verified_at is None:
        raise APIError(403, "email_not_verified", "Please confirm your e-mail address before signing in.")
    if user.failed_login_count or user.locked_until:
        user.failed_login_count = 0
        user.locked_until = None
        db.session.commit()
    return user

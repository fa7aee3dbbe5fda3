"""Two-factor sign-in: turning it on and off, recovery codes, and the second login step."""

from __future__ import annotations

from typing import Any

from ...errors import Conflict, FieldError, Unauthorized
from ...extensions import db
from ...models import User
from ...services import audit, clock, totp
from ...services.passwords import verify_password
from . import signin
from .schemas import MfaLoginRequest

WRONG_CODE = "The code is incorrect or was already used."
STEP_GONE = "This sign-in step has expired or was already completed; sign in again."


def _password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise FieldError.single(["body", "password"], "The password is incorrect.", "invalid_password")


def _enabled(user: User) -> Any:
    found = totp.settings(user.id)
    if found is None or found.enabled_at is None:
        raise Conflict("Two-factor sign-in is not on.")
    return found


def _code(found: Any, code: str) -> None:
    if not totp.check_code(found, code):
        raise FieldError.single(["body", "code"], WRONG_CODE, "invalid_code")


def setup(user: User, password: str) -> dict[str, str]:
    _password(user, password)
    found = totp.settings(user.id)
    if found is not None and found.enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on; turn it off first to set up another device.")
    secret, uri = totp.start_setup(user)
    db.session.commit()
    return {"secret": secret, "otpauth_uri": uri}


def enable(user: User, code: str) -> dict[str, list[str]]:
    found = totp.settings(user.id)
    if found is None:
        raise Conflict("Set up two-factor sign-in first (POST /api/auth/2fa/setup).")
    if found.enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on.")
    _code(found, code)
    found.enabled_at = clock.now()
    codes = totp.new_recovery_codes(user.id)
    audit.record(audit.TWO_FACTOR_ENABLED, user.id)
    db.session.commit()
    return {"recovery_codes": codes}


def disable(user: User, password: str, code: str) -> None:
    found = _enabled(user)
    _password(user, password)
    _code(found, code)
    totp.disable(user.id)
    audit.record(audit.TWO_FACTOR_DISABLED, user.id)
    db.session.commit()


def renew_recovery_codes(user: User, password: str, code: str) -> dict[str, list[str]]:
    found = _enabled(user)
    _password(user, password)
    _code(found, code)
    codes = totp.new_recovery_codes(user.id)
    audit.record(audit.RECOVERY_CODES_RENEWED, user.id)
    db.session.commit()
    return {"recovery_codes": codes}


def challenge(user: User) -> dict[str, Any]:
    """The first step's answer for an account with two-factor sign-in: no session yet."""
    token = totp.open_challenge(user.id)
    db.session.commit()
    return {"mfa_required": True, "mfa_token": token, "expires_in": totp.MFA_TOKEN_SECONDS}


def second_step(data: MfaLoginRequest) -> User:
    """The user once the code (or a recovery code) of a live challenge is right.

    A wrong or replayed code counts toward the lockout as a wrong password does."""
    found = totp.find_challenge(data.mfa_token)
    user = db.session.get(User, found.user_id) if found is not None else None
    if found is None or user is None:
        raise Unauthorized(STEP_GONE)
    signin.check_lock(user.locked_until)
    if not user.is_active:
        raise Unauthorized(STEP_GONE)
    settings = totp.settings(user.id)
    method = "recovery_code" if data.recovery_code is not None else "totp"
    if settings is None or settings.enabled_at is None:
        ok = False
    elif data.recovery_code is not None:
        ok = totp.use_recovery_code(user.id, data.recovery_code)
    else:
        ok = totp.check_code(settings, data.code or "")
    if not ok:
        db.session.rollback()
        signin.count_failure(user, method=method)
        raise Unauthorized(WRONG_CODE)
    if not totp.close_challenge(found):
        db.session.rollback()
        raise Unauthorized(STEP_GONE)
    if method == "recovery_code":
        audit.record(audit.RECOVERY_CODE_USED, user.id, remaining=totp.remaining_recovery_codes(user.id))
    signin.reset_failures(user)
    audit.record(audit.LOGIN_SUCCEEDED, user.id, method=method)
    return user

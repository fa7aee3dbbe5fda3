"""Accounts and sessions: registration, verification, login, token families."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from jwt import ExpiredSignatureError, InvalidTokenError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ...errors import APIError, Conflict, FieldError, Unauthorized
from ...extensions import db
from ...models import Meter, OutboxMessage, TokenFamily, User
from ...services import clock, events, locks, mail, signed_tokens, users
from ...services.passwords import hash_password, verify_password
from ...services.units import DEFAULT_METERS
from .schemas import (
    DeleteAccountRequest,
    LoginRequest,
    MeUpdate,
    PasswordChangeRequest,
    RegisterRequest,
    ResetPasswordRequest,
)

log = logging.getLogger(__name__)

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
TOKEN_INVALID = "The link is invalid, has expired or has already been used."


def _verify_state(user: User) -> str:
    return f"verify:{user.email}:{user.email_verified_at}"


def queue_verification(user: User) -> None:
    token = signed_tokens.make_token(signed_tokens.VERIFY_EMAIL, user.id, _verify_state(user))
    mail.queue("verify_email", user.email, name=user.name, link=mail.frontend_link("verify-email", token))


def register(data: RegisterRequest) -> User:
    if users.find_by_email(data.email) is not None:
        raise Conflict("An account with this e-mail address already exists.")
    user = User(email=data.email, name=data.name, password_hash=hash_password(data.password))
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("An account with this e-mail address already exists.") from None
    for name, meter_type, unit in DEFAULT_METERS:
        db.session.add(Meter(user_id=user.id, name=name, type=meter_type, unit=unit))
    queue_verification(user)
    db.session.commit()
    return user


def verify_email(token: str) -> User:
    found = signed_tokens.read_token(signed_tokens.VERIFY_EMAIL, token)
    user = db.session.get(User, found[0]) if found else None
    if (
        found is None
        or user is None
        or user.email_verified_at is not None
        or found[1] != signed_tokens.fingerprint(_verify_state(user))
    ):
        raise FieldError.single(["body", "token"], TOKEN_INVALID, "invalid_token")
    user.email_verified_at = clock.now()
    db.session.commit()
    return user


def resend_verification(email: str) -> None:
    user = users.find_by_email(email)
    if user is not None and user.is_active and user.email_verified_at is None:
        queue_verification(user)
        db.session.commit()


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


def _issue(user: User, family: TokenFamily) -> dict[str, Any]:
    claims = {"fam": family.id}
    # Being seen is not a change to the account: leave updated_at as it is. The user row is
    # written before the family, the order every writer of both takes (deactivation,
    # password changes, deletion), so a refresh cannot deadlock with them.
    seen = clock.now()
    db.session.execute(update(User).where(User.id == user.id).values(last_seen_at=seen, updated_at=User.updated_at))
    set_committed_value(user, "last_seen_at", seen)
    access = create_access_token(identity=user, additional_claims=claims)
    refresh = create_refresh_token(identity=user, additional_claims=claims)
    family.current_jti = decode_token(refresh, allow_expired=True)["jti"]
    family.expires_at = clock.now() + timedelta(seconds=int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]))
    db.session.commit()
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]),
        "user": user,
    }


def start_session(user: User) -> dict[str, Any]:
    family = TokenFamily(id=str(uuid.uuid4()), user_id=user.id, current_jti="", expires_at=clock.now())
    db.session.add(family)
    return _issue(user, family)


def _decode_refresh(token: str) -> dict[str, Any]:
    try:
        data = decode_token(token)
    except ExpiredSignatureError:
        raise Unauthorized("The token has expired.", code="token_expired") from None
    except (InvalidTokenError, ValueError, KeyError):
        raise Unauthorized("The token is invalid.") from None
    if data.get("type") != "refresh":
        raise Unauthorized("A refresh token is required.")
    return data


def rotate(token_data: dict[str, Any] | None = None, encoded: str | None = None) -> dict[str, Any]:
    """Exchange the family's current refresh token for a new pair; reuse revokes the family."""
    data = token_data if token_data is not None else _decode_refresh(encoded or "")
    family_id = data.get("fam")
    family = db.session.get(TokenFamily, family_id) if isinstance(family_id, str) else None
    if family is not None:
        # Lock the user row, then the family, and read the family again under the lock: of
        # concurrent presentations of one token exactly one finds it current; the others are
        # reuse, as they would be one after another. (The SPA takes turns across tabs.)
        db.session.execute(select(User.id).where(User.id == family.user_id).with_for_update(key_share=True))
        family = db.session.scalar(
            select(TokenFamily)
            .where(TokenFamily.id == family_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    if family is None or family.revoked_at is not None or str(family.user_id) != str(data.get("sub")):
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    if data.get("jti") != family.current_jti:
        family.revoked_at = clock.now()
        db.session.commit()
        log.warning("refresh token reuse detected for user %s; session revoked", family.user_id)
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    user = db.session.get(User, family.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The account no longer exists or has been deactivated.")
    return _issue(user, family)


def revoke_family(family_id: str) -> None:
    family = db.session.get(TokenFamily, family_id)
    if family is not None and family.revoked_at is None:
        family.revoked_at = clock.now()
    db.session.commit()


def revoke_all_sessions(user_id: int, at: datetime | None = None, keep: str | None = None) -> None:
    """Revoke every live session of the user (except the family ``keep``), in this transaction."""
    condition = [TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None)]
    if keep is not None:
        condition.append(TokenFamily.id != keep)
    db.session.execute(update(TokenFamily).where(*condition).values(revoked_at=at or clock.now()))
    events.emit(user_id, events.AUTH_CHANGED)  # a bulk UPDATE: tell open sockets to re-check


# --- password reset, change, account deletion -------------------------------------------


def _reset_state(user: User) -> str:
    # The password hash changes with every new password, so a used link stops matching.
    return f"reset:{user.password_hash}"


def forgot_password(email: str) -> None:
    """Send a reset link when the address belongs to an active account; silent otherwise."""
    user = users.find_by_email(email)
    if user is None or not user.is_active:
        return
    token = signed_tokens.make_token(signed_tokens.RESET_PASSWORD, user.id, _reset_state(user))
    mail.queue("reset_password", user.email, name=user.name, link=mail.frontend_link("reset-password", token))
    db.session.commit()
    log.info("password reset requested for user %s", user.id)


def _password_not_email(user: User, password: str, field: str = "password") -> None:
    if password.strip().lower() == user.email.lower():
        raise FieldError.single(["body", field], "password must not be the e-mail address", "value_error")


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.failed_login_count = 0
    user.locked_until = None


def _queue_password_changed(user: User) -> None:
    link = f"{current_app.config['FRONTEND_URL']}/forgot-password"
    mail.queue("password_changed", user.email, name=user.name, link=link)


def reset_password(data: ResetPasswordRequest) -> User:
    found = signed_tokens.read_token(signed_tokens.RESET_PASSWORD, data.token)
    # Locked until commit: the same link used twice at once sets one password, not two.
    user = db.session.get(User, found[0], with_for_update=True, populate_existing=True) if found else None
    if found is None or user is None or not user.is_active or found[1] != signed_tokens.fingerprint(_reset_state(user)):
        raise FieldError.single(["body", "token"], TOKEN_INVALID, "invalid_token")
    _password_not_email(user, data.password)
    _set_password(user, data.password)
    revoke_all_sessions(user.id)
    _queue_password_changed(user)
    db.session.commit()
    log.info("password reset for user %s; every session revoked", user.id)
    return user


def _check_current_password(user: User, password: str, field: str) -> None:
    if not verify_password(user.password_hash, password):
        raise FieldError.single(["body", field], "The password is incorrect.", "invalid_password")


def change_password(user: User, data: PasswordChangeRequest, keep_family: str | None) -> None:
    _check_current_password(user, data.current_password, "current_password")
    _password_not_email(user, data.password)
    if verify_password(user.password_hash, data.password):
        raise FieldError.single(
            ["body", "password"], "The new password must differ from the current one.", "value_error"
        )
    _set_password(user, data.password)
    revoke_all_sessions(user.id, keep=keep_family)
    _queue_password_changed(user)
    db.session.commit()
    log.info("password changed by user %s; other sessions revoked", user.id)


def delete_user(user_id: int) -> None:
    """Remove the user and everything they own (meters, records, rollups and sessions cascade)."""
    locks.lock_user(user_id)  # after any write of the user's data in flight, never inside it
    email = db.session.scalar(select(User.email).where(User.id == user_id))
    db.session.execute(delete(User).where(User.id == user_id))
    if email is not None:
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == email))
    events.emit(user_id, events.AUTH_CHANGED)  # open sockets of the account close at once
    db.session.commit()
    db.session.expunge_all()


def delete_account(user: User, data: DeleteAccountRequest) -> None:
    _check_current_password(user, data.password, "password")
    user_id = user.id
    delete_user(user_id)
    log.info("user %s deleted their account", user_id)


def update_me(user: User, data: MeUpdate) -> User:
    if data.name is not None:
        user.name = data.name
    if data.preferences is not None:
        if data.preferences.currency is not None:
            user.currency = data.preferences.currency
        if data.preferences.timezone is not None:
            user.timezone = data.preferences.timezone
    db.session.commit()
    return user

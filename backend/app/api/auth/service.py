"""Accounts: registration, verification, password reset and change, deletion, profile.

Signing in is in ``signin.py``, token families in ``sessions.py``.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ...errors import Conflict, FieldError
from ...extensions import db
from ...models import OutboxMessage, User
from ...services import (
    audit,
    clock,
    events,
    households,
    locks,
    mail,
    notifications,
    signed_tokens,
    tenancy,
    tokens,
    users,
    versions,
)
from ...services.passwords import hash_password, verify_password
from .schemas import (
    DeleteAccountRequest,
    MeUpdate,
    PasswordChangeRequest,
    RegisterRequest,
    ResetPasswordRequest,
)
from .sessions import revoke_all_sessions, start_session

__all__ = [  # start_session and revoke_all_sessions too: the admin service and tests use them here
    "change_password",
    "delete_account",
    "delete_user",
    "forgot_password",
    "queue_verification",
    "register",
    "resend_verification",
    "reset_password",
    "revoke_all_sessions",
    "sign_out_everywhere",
    "start_session",
    "update_me",
    "verify_email",
]

log = logging.getLogger(__name__)

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
    households.create_household(user, households.FIRST_HOUSEHOLD_NAME)
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
    audit.record(audit.EMAIL_VERIFIED, user.id)
    db.session.commit()
    return user


def _link_mail(kind: str, purpose: str, path: str, email: str, user: User | None, state: str) -> None:
    """Queue an e-mail with a link for ``user``; without one, do the same work and drop it.

    Whether an address has an account must not show in how long the answer takes: both
    cases sign a token, render the message, write it to the outbox and run the same
    statements; without an account the row is deleted again in the same transaction, so
    nothing is ever sent."""
    address = user.email if user else email.strip().lower()
    carried = address if purpose == signed_tokens.RESET_PASSWORD else None
    token = signed_tokens.make_token(purpose, user.id if user else 0, state, email=carried)
    name = user.name if user else ""
    message = mail.queue(kind, user.email if user else email, name=name, link=mail.frontend_link(path, token))
    db.session.flush()
    # The same statement either way; it removes the row only when there is no account.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == (message.id if user is None else 0)))
    db.session.commit()


def resend_verification(email: str) -> None:
    found = users.find_by_email(email)
    user = found if found is not None and found.is_active and found.email_verified_at is None else None
    state = _verify_state(user) if user else f"verify:{email}:None"
    _link_mail("verify_email", signed_tokens.VERIFY_EMAIL, "verify-email", email, user, state)


# --- password reset, change, account deletion -------------------------------------------


def _reset_state(user: User) -> str:
    # The password hash changes with every new password, so a used link stops matching.
    return f"reset:{user.password_hash}"


def forgot_password(email: str) -> None:
    """Send a reset link when the address belongs to an active account; silent otherwise."""
    found = users.find_by_email(email)
    user = found if found is not None and found.is_active else None
    state = _reset_state(user) if user else f"reset:{email}"
    _link_mail("reset_password", signed_tokens.RESET_PASSWORD, "reset-password", email, user, state)
    if user is not None:
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
    tokens.revoke_all(user.id)
    audit.record(audit.PASSWORD_RESET, user.id)
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
    audit.record(audit.PASSWORD_CHANGED, user.id)
    _queue_password_changed(user)
    db.session.commit()
    log.info("password changed by user %s; other sessions revoked", user.id)


def delete_user(user_id: int) -> None:
    """Remove the user: their memberships end (a household they owned alone passes to its
    longest-standing member; one left empty is deleted with its data), their records stay with
    their households (``created_by`` becomes null), their sessions go."""
    # After any write of their households' data in flight, never inside it.
    held = db.session.scalars(tenancy.household_ids(user_id)).all()
    locks.lock_households(held)
    households.leave_all(user_id)
    versions.touch_authored(user_id)  # their rows' created_by becomes null: cached answers change
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


def sign_out_everywhere(user: User) -> None:
    """End every session and every personal access token of the account."""
    revoke_all_sessions(user.id)
    tokens.revoke_all(user.id)
    audit.record(audit.SIGNED_OUT_EVERYWHERE, user.id)
    db.session.commit()


def update_me(user: User, data: MeUpdate) -> User:
    if data.name is not None:
        user.name = data.name
    if data.preferences is not None:
        if data.preferences.currency is not None:
            user.currency = data.preferences.currency
        if data.preferences.timezone is not None:
            user.timezone = data.preferences.timezone
        if data.preferences.notify_email:
            notifications.set_email_preferences(user.id, {str(k): v for k, v in data.preferences.notify_email.items()})
    if data.default_household_id is not None:
        tenancy.require_role(user, data.default_household_id, "viewer", field="default_household_id")
        user.default_household_id = data.default_household_id
    db.session.commit()
    return user

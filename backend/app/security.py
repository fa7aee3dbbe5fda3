"""JWT wiring: identities, per-request user and session checks, and errors in the envelope."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g
from flask_jwt_extended import current_user as _current_user
from jwt import InvalidTokenError
from sqlalchemy import select

from .errors import envelope
from .extensions import db, jwt
from .models import TokenFamily, User


def current_user() -> User:
    return _current_user  # type: ignore[no-any-return]


def session_user(data: dict[str, Any]) -> User | None:
    """The active user a token's claims name, or None (the check every authenticated request makes)."""
    try:
        user_id = int(data["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


def session_revoked(data: dict[str, Any]) -> bool:
    """True when the token's session (refresh-token family) is unknown, revoked or another user's."""
    family_id = data.get("fam")
    if not isinstance(family_id, str):
        return True
    family = db.session.get(TokenFamily, family_id)
    return family is None or family.revoked_at is not None or str(family.user_id) != str(data.get("sub"))


REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "type", "fam")


def _signing_key(_header: dict[str, Any], unverified: dict[str, Any]) -> str:
    """The key to verify with, once the token names every claim we rely on.

    The library fills in a missing ``type`` (as "access") and ``jti`` and accepts a token
    without ``exp``; ours always carry them, so a token without is not one of ours. The
    claims checked here are the ones the signature then covers."""
    missing = [claim for claim in REQUIRED_CLAIMS if claim not in unverified]
    if missing or unverified.get("type") not in ("access", "refresh"):
        raise InvalidTokenError("The token lacks a required claim.")
    return str(current_app.config["JWT_SECRET_KEY"])


def _check_request_session(data: dict[str, Any]) -> bool:
    """One query per request for the session and its user: True when revoked.

    The user found with the session is kept for the user lookup that follows, so an
    authenticated request costs one round trip for both checks."""
    family_id = data.get("fam")
    if not isinstance(family_id, str):
        return True
    row = db.session.execute(
        select(TokenFamily.revoked_at, User)
        .join(User, User.id == TokenFamily.user_id)
        .where(TokenFamily.id == family_id)
    ).first()
    if row is None or row.revoked_at is not None:
        return True
    if str(row.User.id) != str(data.get("sub")):
        return True  # a session is only ever valid for the user it was opened for
    g.meterbook_session_user = row.User
    return False


def register_jwt(app: Flask) -> None:
    jwt.decode_key_loader(_signing_key)

    @jwt.user_identity_loader
    def _identity(user: User | int | str) -> str:
        return str(user.id if isinstance(user, User) else user)

    @jwt.user_lookup_loader
    def _lookup(_header: dict[str, Any], data: dict[str, Any]) -> User | None:
        user = g.pop("meterbook_session_user", None)
        if user is not None and str(user.id) == str(data.get("sub")):
            return user if user.is_active else None
        return session_user(data)

    @jwt.token_in_blocklist_loader
    def _revoked(_header: dict[str, Any], data: dict[str, Any]) -> bool:
        return _check_request_session(data)

    @jwt.expired_token_loader
    def _expired(_header: dict[str, Any], _data: dict[str, Any]) -> Response:
        return envelope(401, "token_expired", "The token has expired.")

    @jwt.revoked_token_loader
    def _revoked_answer(_header: dict[str, Any], _data: dict[str, Any]) -> Response:
        return envelope(401, "token_revoked", "The token has been revoked.")

    @jwt.invalid_token_loader
    def _invalid(_reason: str) -> Response:
        return envelope(401, "unauthorized", "The token is invalid.")

    @jwt.unauthorized_loader
    def _missing(reason: str) -> Response:
        if "CSRF" in reason:
            return envelope(401, "unauthorized", "The CSRF token is missing or does not match.")
        return envelope(401, "unauthorized", "Authentication is required.")

    @jwt.user_lookup_error_loader
    def _lookup_failed(_header: dict[str, Any], _data: dict[str, Any]) -> Response:
        return envelope(401, "unauthorized", "The account no longer exists or has been deactivated.")

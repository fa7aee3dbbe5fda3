"""Personal access tokens: ``mbp_`` + 40 random URL-safe characters, stored as a SHA-256 hash.

The secret has 240 random bits, so a fast hash is enough (nothing to brute-force) and lets
a request find its token by one indexed lookup. Tokens end on password reset, deactivation,
account deletion (the rows cascade) and signing out everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import has_request_context, request
from sqlalchemy import or_, select, update

from ..errors import InvalidField, NotFound, Unauthorized
from ..extensions import db
from ..models import AccessToken, User
from . import audit, clock, events, tenancy

PREFIX = "mbp_"
SECRET_CHARS = 40
SHOWN_PREFIX = 12  # "mbp_" and the first 8 characters: enough to tell tokens apart in a list
SCOPES = ("read", "write")
TOUCH_EVERY = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def looks_like_token(raw: str) -> bool:
    return raw.startswith(PREFIX)


def _secret() -> str:
    # token_urlsafe(30) is exactly 40 characters of [A-Za-z0-9_-] (30 bytes, base64 without padding).
    return secrets.token_urlsafe(30)


def create(
    user: User, name: str, scopes: Sequence[str], household_ids: Sequence[int] | None, days: int
) -> tuple[AccessToken, str]:
    """A new token and its secret; ``household_ids`` None means every household of the user now."""
    mine = tenancy.readable_ids(user)
    if household_ids is not None and not set(household_ids) <= set(mine):
        raise InvalidField("household_ids", "Each id must name one of your households.", "not_found")
    raw = PREFIX + _secret()
    now = clock.now()
    token = AccessToken(
        user_id=user.id,
        name=name,
        token_hash=_hash(raw),
        prefix=raw[:SHOWN_PREFIX],
        scopes=[scope for scope in SCOPES if scope in scopes],
        household_ids=sorted(set(household_ids if household_ids is not None else mine)),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(audit.TOKEN_CREATED, user.id, token_id=token.id, name=name, scopes=token.scopes)
    db.session.commit()
    return token, raw


def list_for(user: User) -> list[AccessToken]:
    """The user's tokens that still work, newest first."""
    now = clock.now()
    return list(
        db.session.scalars(
            select(AccessToken)
            .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None), AccessToken.expires_at > now)
            .order_by(AccessToken.id.desc())
        )
    )


def revoke(user: User, token_id: int) -> None:
    token = db.session.get(AccessToken, token_id) if 1 <= token_id <= 2**31 - 1 else None
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("Token")
    token.revoked_at = clock.now()
    audit.record(audit.TOKEN_REVOKED, user.id, token_id=token.id, name=token.name)
    events.emit(user.id, events.AUTH_CHANGED)  # a socket opened with the token closes at once
    db.session.commit()


def revoke_all(user_id: int, at: datetime | None = None) -> None:
    """End every live token of the user, in the caller's transaction (its open sockets close on commit)."""
    events.emit(user_id, events.AUTH_CHANGED)
    db.session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=at or clock.now())
    )


def authenticate(raw: str) -> tuple[AccessToken, User]:
    """The token and its active user, or 401 (unknown, revoked, expired)."""
    row = db.session.execute(
        select(AccessToken, User).join(User, User.id == AccessToken.user_id).where(AccessToken.token_hash == _hash(raw))
    ).first()
    if row is None:
        raise Unauthorized("The token is invalid.")
    token, user = row.AccessToken, row.User
    if token.revoked_at is not None:
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    if not user.is_active:
        raise Unauthorized("The account no longer exists or has been deactivated.")
    now = clock.now()
    if token.expires_at <= now:
        raise Unauthorized("The token has expired.", code="token_expired")
    _touch(token, now)
    return token, user


def _touch(token: AccessToken, now: datetime) -> None:
    """Record the last use at most once a minute per token (a script polling every second
    must not turn every read into a write), committed on its own."""
    ip = request.remote_addr if has_request_context() else None
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    db.session.execute(
        update(AccessToken)
        .where(AccessToken.id == token.id)
        .where(or_(AccessToken.last_used_at.is_(None), AccessToken.last_used_at < now - TOUCH_EVERY))
        .values(last_used_at=now, last_used_ip=ip)
    )
    db.session.commit()
    token.last_used_at, token.last_used_ip = now, ip

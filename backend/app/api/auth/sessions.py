"""Sessions: token families, issuing and rotating token pairs, revocation."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from jwt import ExpiredSignatureError, InvalidTokenError
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ...errors import Unauthorized
from ...extensions import db
from ...models import TokenFamily, User
from ...services import clock, events

log = logging.getLogger(__name__)


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

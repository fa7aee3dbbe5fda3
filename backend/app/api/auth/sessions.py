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

from ... import ratelimit
from ...errors import Unauthorized
from ...extensions import db
from ...models import TokenFamily, User
from ...services import audit, clock, events

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
    replaced = family.current_jti
    family.current_jti = decode_token(refresh, allow_expired=True)["jti"]
    family.expires_at = clock.now() + timedelta(seconds=int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]))
    if replaced:
        # Before the commit, which lets a concurrent presentation of the replaced token in:
        # it must find the rotation recorded, or it would take itself for a late reuse.
        _remember_rotation(replaced)
    db.session.commit()
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]),
        "user": user,
    }


# The refresh grace window: a rotated refresh token stays exchangeable for
# REFRESH_REUSE_GRACE_SECONDS after its rotation (a reload that never stored the new cookie
# must not sign the user out). When each token was rotated is kept in the rate-limit storage
# (Redis across processes), in epoch milliseconds of the app's clock, for as long as it matters.


def _now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def _rotation_key(jti: str) -> str:
    return f"meterbook:refresh-rotated:{jti}"


def _remember_rotation(jti: str) -> None:
    grace = int(current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    if grace <= 0:
        return
    try:
        storage = ratelimit.counters()
        storage.clear(_rotation_key(jti))  # the storage adds up: a repeated record must not
        storage.incr(_rotation_key(jti), grace + 60, amount=_now_ms())
    except Exception as exc:  # without the record, a reuse is treated as reuse: safe, if abrupt
        log.error("counter storage unavailable (%s); refresh rotation not recorded", type(exc).__name__)


def _within_grace(jti: object) -> bool:
    grace = int(current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    if grace <= 0 or not isinstance(jti, str):
        return False
    try:
        rotated_at = ratelimit.counters().get(_rotation_key(jti))
    except Exception as exc:
        log.error("counter storage unavailable (%s); refresh grace not checked", type(exc).__name__)
        return False
    return bool(rotated_at) and _now_ms() - rotated_at <= grace * 1000


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
    """Exchange the family's current refresh token for a new pair; reuse revokes the family.

    A token rotated less than REFRESH_REUSE_GRACE_SECONDS ago still answers, with a fresh
    pair of the same family; after that its reuse revokes the family."""
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
    if family is None or str(family.user_id) != str(data.get("sub")):
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    owner = db.session.get(User, family.user_id)
    if owner is not None and not owner.is_active:
        # Deactivation revokes every session too; saying why lets the SPA tell the person.
        raise Unauthorized("The account no longer exists or has been deactivated.")
    if family.revoked_at is not None:
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    if data.get("jti") != family.current_jti and not _within_grace(data.get("jti")):
        family.revoked_at = clock.now()
        audit.record(audit.REFRESH_REUSED, family.user_id)
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
        audit.record(audit.LOGOUT, family.user_id)
    db.session.commit()


def revoke_all_sessions(user_id: int, at: datetime | None = None, keep: str | None = None) -> None:
    """Revoke every live session of the user (except the family ``keep``), in this transaction."""
    condition = [TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None)]
    if keep is not None:
        condition.append(TokenFamily.id != keep)
    db.session.execute(update(TokenFamily).where(*condition).values(revoked_at=at or clock.now()))
    events.emit(user_id, events.AUTH_CHANGED)  # a bulk UPDATE: tell open sockets to re-check

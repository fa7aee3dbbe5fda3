"""Read-only share links: random tokens, stored as their SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import delete, select

from ...errors import InvalidField, NotFound
from ...extensions import db
from ...models import Household, Meter, ShareLink, User
from ...services import clock
from . import access

TOKEN_BYTES = 32  # 256 random bits


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(user: User, household_id: int, label: str, expires_at: datetime | None) -> dict[str, Any]:
    access.require(user, household_id, "owner")
    if expires_at is not None and expires_at <= clock.now():
        raise InvalidField("expires_at", "must be in the future")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink(
        household_id=household_id,
        label=label,
        token_hash=digest(token),
        created_by=user.id,
        created_at=clock.now(),
        expires_at=expires_at,
    )
    db.session.add(link)
    db.session.commit()
    return {
        "id": link.id,
        "label": link.label,
        "token": token,
        "url": f"{current_app.config['FRONTEND_URL']}/shared/{token}",
        "created_at": link.created_at,
        "expires_at": link.expires_at,
    }


def list_links(user: User, household_id: int) -> list[ShareLink]:
    access.require(user, household_id, "owner")
    return list(
        db.session.scalars(select(ShareLink).where(ShareLink.household_id == household_id).order_by(ShareLink.id))
    )


def delete_link(user: User, household_id: int, link_id: int) -> None:
    access.require(user, household_id, "owner")
    access.known_id(link_id, "Share link")
    deleted = db.session.execute(
        delete(ShareLink).where(ShareLink.household_id == household_id, ShareLink.id == link_id)
    )
    if not getattr(deleted, "rowcount", 0):
        raise NotFound("Share link")
    db.session.commit()


def shared_household(token: str) -> Household:
    """The household behind a share token; 404 for an unknown, revoked or expired one (looked up
    once per request: the validation context and the view both ask)."""
    known = g.get("meterbook_shared")
    if known is not None and known[0] == token:
        return known[1]  # type: ignore[no-any-return]
    wanted = digest(token)
    link = db.session.scalars(select(ShareLink).where(ShareLink.token_hash == wanted)).first()
    # The lookup finds the row by its hash; the comparison that decides is constant-time.
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        raise NotFound("Share link")
    if link.expires_at is not None and link.expires_at <= clock.now():
        raise NotFound("Share link")
    household = db.session.get(Household, link.household_id)
    if household is None:
        raise NotFound("Share link")
    g.meterbook_shared = (token, household)
    return household


def public_view(token: str) -> dict[str, Any]:
    """What a share link shows besides analytics: the household's name, zone, currency and meters."""
    household = shared_household(token)
    # The link is the authority here, not a membership: its household is the only one read.
    meters = db.session.scalars(select(Meter).where(Meter.household_id == household.id).order_by(Meter.id))
    return {"household": household, "meters": list(meters)}

"""``token.expiring``: a notice to the owner of a personal access token 7 days before it
expires, once per token (a unique key in ``raised_alerts``, taken with one INSERT)."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import AccessToken, RaisedAlert
from ..services import clock, notifications
from .sweep import periodic_sweep

NOTICE_AHEAD = timedelta(days=7)
KIND = "token.expiring"
LINK = "/settings/security"


def take_key(key: str) -> bool:
    """Insert the alert's key; whether this call took it (a second, or a concurrent one, did not)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(RaisedAlert)
        .values(key=key, household_id=None, kind=KIND, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(getattr(db.session.execute(statement), "rowcount", 0))


@periodic_sweep
def token_expiry_notices() -> int:
    """Notify the owner of every live token that expires within 7 days; returns how many."""
    now = clock.now()
    tokens = db.session.scalars(
        select(AccessToken)
        .where(
            AccessToken.revoked_at.is_(None),
            AccessToken.expires_at > now,
            AccessToken.expires_at <= now + NOTICE_AHEAD,
        )
        .order_by(AccessToken.id)
    ).all()
    sent = 0
    for token in tokens:
        if not take_key(f"token:{token.id}:expiring"):
            continue
        expires = token.expires_at.astimezone(UTC)
        notifications.notify(
            None,
            KIND,
            f'Your access token "{token.name}" expires on {expires:%Y-%m-%d}',
            f"The token {token.prefix}… stops working at {expires:%Y-%m-%d %H:%M} UTC. "
            "Create a new one in your security settings and give it to the scripts that use this one.",
            data={"token_id": token.id, "name": token.name, "expires_at": expires.isoformat()},
            user_ids=[token.user_id],
            link=LINK,
        )
        sent += 1
    return sent

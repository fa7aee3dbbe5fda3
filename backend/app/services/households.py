"""Households' life cycle shared by registration, the households API and account deletion.

Nothing here commits: callers hold the households' locks and commit.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ..extensions import db
from ..models import Attachment, Household, Membership, Meter, User
from . import attachments, clock, events
from .units import DEFAULT_METERS

FIRST_HOUSEHOLD_NAME = "Home"


def create_household(
    owner: User, name: str, timezone: str | None = None, currency: str | None = None, billing_day: int = 1
) -> Household:
    """A new household with ``owner`` as its owner and the three default meters in it; it becomes
    the owner's default household if they have none. Time zone and currency default to the
    owner's preferences."""
    household = Household(
        name=name,
        timezone=timezone or owner.timezone or "UTC",
        currency=currency or owner.currency or "USD",
        billing_day=billing_day,
    )
    db.session.add(household)
    db.session.flush()
    db.session.add(Membership(household_id=household.id, user_id=owner.id, role="owner", joined_at=clock.now()))
    for meter_name, meter_type, unit in DEFAULT_METERS:
        db.session.add(Meter(household_id=household.id, name=meter_name, type=meter_type, unit=unit))
    if owner.default_household_id is None:
        owner.default_household_id = household.id
    db.session.flush()
    return household


def fallback_default(user_id: int) -> int | None:
    """Point a user's default household at their oldest remaining membership with write rights
    (editor or owner), else null; call when their default household is gone or they left it."""
    candidates = (
        select(Membership.household_id)
        .where(Membership.user_id == user_id, Membership.role.in_(("editor", "owner")))
        .order_by(Membership.joined_at, Membership.household_id)
        .limit(1)
    )
    household_id = db.session.scalar(candidates)
    db.session.execute(update(User).where(User.id == user_id).values(default_household_id=household_id))
    return household_id


def members_of(household_id: int) -> list[Membership]:
    """The household's members, longest-standing first."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.household_id == household_id)
            .order_by(Membership.joined_at, Membership.user_id)
        )
    )


def delete_household(household_id: int) -> None:
    """Delete a household with all of its data (meters, records and rollups cascade); its members
    hear ``member.changed`` with role null, their sockets stop receiving its events, and the
    default household of whoever had it falls back. The caller holds its lock."""
    members = members_of(household_id)
    defaults = list(db.session.scalars(select(User.id).where(User.default_household_id == household_id)))
    for member in members:
        events.membership_changed(household_id, member.user_id, None)
    events.household_changed(household_id, deleted=True)
    attachments.forget(Attachment.household_id == household_id)  # files after the commit; rows cascade
    db.session.execute(delete(Household).where(Household.id == household_id))
    db.session.expire_all()
    for user_id in defaults:
        fallback_default(user_id)


def leave_all(user_id: int) -> list[int]:
    """End every membership of a user whose account goes: a household whose last owner leaves
    passes to its longest-standing remaining member (who becomes owner); a household left with
    no member is deleted with its data. Returns the households touched (the caller locked them
    with ``locks.lock_households`` first)."""
    mine = list(db.session.scalars(select(Membership).where(Membership.user_id == user_id)))
    touched = []
    for own in sorted(mine, key=lambda m: m.household_id):
        household_id, role = own.household_id, own.role
        touched.append(household_id)
        others = [m for m in members_of(household_id) if m.user_id != user_id]
        if not others:
            delete_household(household_id)
            continue
        if role == "owner" and not any(m.role == "owner" for m in others):
            heir = others[0]
            heir.role = "owner"
            events.membership_changed(household_id, heir.user_id, "owner")
        db.session.delete(own)
        events.membership_changed(household_id, user_id, None)
    db.session.flush()
    return touched


__all__ = [
    "FIRST_HOUSEHOLD_NAME",
    "create_household",
    "delete_household",
    "fallback_default",
    "leave_all",
    "members_of",
]

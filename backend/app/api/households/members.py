"""Members of a household: list, change a role, remove (or leave)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...errors import Conflict, NotFound
from ...extensions import db
from ...models import Membership, User
from ...services import audit, events, households
from . import access
from .service import member_ids

announce = events.membership_changed


def list_members(user: User, household_id: int) -> list[dict[str, Any]]:
    access.require(user, household_id)
    rows = db.session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.household_id == household_id)
        .order_by(Membership.joined_at, Membership.user_id)
    ).all()
    return [_view(membership, member) for membership, member in rows]


def _view(membership: Membership, member: User) -> dict[str, Any]:
    return {
        "user_id": member.id,
        "name": member.name,
        "email": member.email,
        "role": membership.role,
        "joined_at": membership.joined_at,
    }


def _target(household_id: int, user_id: int) -> Membership:
    access.known_id(user_id, "Member")
    membership = db.session.scalars(
        select(Membership)
        .where(Membership.household_id == household_id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()
    if membership is None:
        raise NotFound("Member")
    return membership


def _owners(household_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(Membership.household_id == household_id, Membership.role == "owner")
        )
        or 0
    )


def change_role(user: User, household_id: int, user_id: int, role: str) -> dict[str, Any]:
    # The lock comes first: of two owners demoting each other at once, the second one reads
    # the first one's committed change (and is no longer an owner).
    access.lock(household_id)
    access.require(user, household_id, "owner")
    target = _target(household_id, user_id)
    if target.role == "owner" and role != "owner" and _owners(household_id) == 1:
        raise Conflict("The last owner cannot be demoted; make another member owner first.")
    if target.role != role:
        target.role = role
        db.session.flush()
        announce(household_id, user_id, role)
        audit.record(audit.MEMBER_ROLE_CHANGED, user_id, actor_id=user.id, household_id=household_id, role=role)
    member = db.session.get(User, user_id)
    db.session.commit()
    assert member is not None
    return _view(target, member)


def remove_member(user: User, household_id: int, user_id: int) -> None:
    access.lock(household_id)
    access.require(user, household_id, "viewer" if user_id == user.id else "owner")
    target = _target(household_id, user_id)
    others = len(member_ids(household_id)) - 1
    if others == 0:
        raise Conflict("You are the last member; delete the household instead.")
    if target.role == "owner" and _owners(household_id) == 1:
        raise Conflict("The last owner cannot leave while others remain; make another member owner first.")
    db.session.delete(target)
    announce(household_id, user_id, None)
    audit.record(audit.MEMBER_REMOVED, user_id, actor_id=user.id, household_id=household_id)
    db.session.flush()
    if db.session.scalar(select(User.default_household_id).where(User.id == user_id)) == household_id:
        households.fallback_default(user_id)
    db.session.commit()

"""Households: list, create, change, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...errors import InvalidField
from ...extensions import db
from ...models import Household, Membership, User
from ...services import events, households, readings
from . import access
from .schemas import HouseholdCreate, HouseholdEvent, HouseholdUpdate


def _member_counts(household_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Membership.household_id, func.count())
        .where(Membership.household_id.in_(household_ids))
        .group_by(Membership.household_id)
    )
    return {int(household_id): int(count) for household_id, count in rows}


def view(household: Household, role: str, member_count: int | None = None) -> dict[str, Any]:
    """A household as its member ``role`` sees it (the shape of ``HouseholdOut``)."""
    if member_count is None:
        member_count = _member_counts([household.id]).get(household.id, 0)
    return {
        "id": household.id,
        "name": household.name,
        "timezone": household.timezone,
        "currency": household.currency,
        "billing_day": household.billing_day,
        "role": role,
        "member_count": member_count,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
    }


def list_households(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Household, Membership.role)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.user_id == user.id)
        .order_by(Household.id)
    ).all()
    counts = _member_counts([household.id for household, _ in rows])
    return [view(household, role, counts.get(household.id, 0)) for household, role in rows]


def create_household(user: User, data: HouseholdCreate) -> dict[str, Any]:
    household = households.create_household(user, data.name, data.timezone, data.currency, data.billing_day)
    db.session.commit()
    return view(household, "owner", 1)


def get_household(user: User, household_id: int) -> dict[str, Any]:
    household, role = access.require(user, household_id)
    return view(household, role)


def member_ids(household_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id).where(Membership.household_id == household_id).order_by(Membership.user_id)
        )
    )


def announce_household(household: Household) -> None:
    """Queue ``household.changed`` for every member (sent when the transaction commits); the
    household without ``role``, which differs from member to member."""
    payload = HouseholdEvent.model_validate(view(household, "viewer")).model_dump(mode="json")
    events.household_changed(household.id, payload)


def update_household(user: User, household_id: int, data: HouseholdUpdate) -> dict[str, Any]:
    access.lock(household_id)
    household, role = access.require(user, household_id, "owner")
    zone = household.timezone
    for field in ("name", "timezone", "currency", "billing_day"):
        value = getattr(data, field)
        if value is not None:
            setattr(household, field, value)
    db.session.flush()
    if household.timezone != zone:  # local midnights moved: readings meters' days are derived again
        readings.rebuild(household_id)
    announce_household(household)
    db.session.commit()
    return view(household, role)


def delete_household(user: User, household_id: int, confirm: str | None) -> None:
    access.lock(household_id)
    household, _ = access.require(user, household_id, "owner")
    if confirm != household.name:
        raise InvalidField("confirm", "must be the household's name, exactly", "confirmation")
    households.delete_household(household_id)
    db.session.commit()
    db.session.expunge_all()

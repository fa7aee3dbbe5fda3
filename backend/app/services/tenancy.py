"""Tenancy in one place: which households a user may read, and what a member may do in one.

Every read of household data starts from ``scoped`` (a select already limited to the
households of the actor) and every write passes ``require_role`` (``viewer < editor <
owner``). A household the user is not a member of does not exist for them: 404 when its id
is in the path, 422 on the field when it comes in a body or a query; a member without the
right gets 403 ``forbidden``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import g, has_request_context, request
from sqlalchemy import Select, select

from ..errors import Forbidden, InvalidField, NotFound
from ..extensions import db
from ..models import ROLES, DailyRollup, Household, Membership, Meter, Reading, Record, User
from . import authcache

__all__ = [
    "RANK",
    "can",
    "household_ids",
    "membership",
    "readable",
    "readable_ids",
    "require_role",
    "role_in",
    "scoped",
    "target_household",
]

MAX_ID = 2**31 - 1
RANK = {role: rank for rank, role in enumerate(ROLES)}
HOUSEHOLD_NOT_FOUND = "Household not found."

Tenant = TypeVar("Tenant", Meter, Record, Reading, DailyRollup)

_ROLE_WORDS = {"editor": "edit this household's data", "owner": "manage this household"}


def _token_households(user_id: int) -> list[int] | None:
    """The households this request's personal access token is limited to, when it acts for
    ``user_id``: the others do not exist for it (404 / 422, as for a non-member)."""
    if not has_request_context():
        return None
    token = g.get("meterbook_token")
    if token is None or token.user_id != user_id or token.household_ids is None:
        return None
    return list(token.household_ids)


def household_ids(user: User | int) -> Select[tuple[int]]:
    """The ids of the households a user (or user id) is a member of, any role, as a subquery-ready select."""
    user_id = user if isinstance(user, int) else user.id
    stmt = select(Membership.household_id).where(Membership.user_id == user_id)
    limited = _token_households(user_id)
    if limited is not None:
        stmt = stmt.where(Membership.household_id.in_(limited))
    return stmt


def _cached_roles(user_id: int) -> dict[int, str] | None:
    """The user's role per household from the per-process auth cache, when this request may use
    it (``services/authcache.py``): reads only (a write checks the role under its household's
    lock, so a role changed meanwhile is seen), never with a personal token, never with changes
    pending in this transaction."""
    cache = authcache.current()
    epoch = authcache.request_epoch()
    if cache is None or epoch is None or request.method not in ("GET", "HEAD") or g.get("meterbook_token") is not None:
        return None
    session = db.session()
    if session.new or session.dirty or session.deleted or authcache.changed(session):
        return None

    def load() -> dict[int, str]:
        rows = db.session.execute(select(Membership.household_id, Membership.role).where(Membership.user_id == user_id))
        return dict(rows.tuples().all())

    return cache.roles(user_id, epoch, load)


def readable_ids(user: User) -> list[int]:
    """The ids of the user's households, read now (a handful of rows by an index)."""
    roles = _cached_roles(user.id)
    if roles is not None:
        return sorted(roles)
    return list(db.session.scalars(household_ids(user).order_by(Membership.household_id)))


def scoped(model: type[Tenant], user: User, household_id: int | None = None) -> Select[tuple[Tenant]]:
    """``model``'s rows that ``user`` may read; only those of ``household_id`` when one is given.

    The ids are read first and inlined: with one household the condition is an equality, so
    the planner walks the ``(household_id, date, id)`` index in order for a page of records.
    """
    ids = readable_ids(user)
    if household_id is not None:
        ids = [household_id] if household_id in ids else []
    column: Any = model.household_id
    return select(model).where(column == ids[0] if len(ids) == 1 else column.in_(ids))


def membership(user: User, household_id: int) -> Membership | None:
    if not 1 <= household_id <= MAX_ID:
        return None
    limited = _token_households(user.id)
    if limited is not None and household_id not in limited:
        return None
    return db.session.get(Membership, (household_id, user.id))


def role_in(user: User, household_id: int) -> str | None:
    if not 1 <= household_id <= MAX_ID:
        return None
    roles = _cached_roles(user.id)
    if roles is not None:
        return roles.get(household_id)
    found = membership(user, household_id)
    return None if found is None else found.role


def can(role: str | None, needed: str) -> bool:
    return role is not None and RANK[role] >= RANK[needed]


def readable(user: User, household_id: int) -> bool:
    return role_in(user, household_id) is not None


def require_role(user: User, household_id: int, needed: str, *, field: str | None = None) -> Household:
    """The household, if ``user`` holds at least ``needed`` in it.

    Not a member: 404 when the id came in the path (``field`` None), else 422 on ``field``
    (``@body`` / ``@query`` give it its location). A member with a lesser role: 403.
    """
    role = role_in(user, household_id)
    if role is None:
        if field is None:
            raise NotFound("Household")
        raise InvalidField(field, HOUSEHOLD_NOT_FOUND, "not_found")
    if not can(role, needed):
        raise Forbidden(f"Your role in this household ({role}) does not allow you to {_ROLE_WORDS[needed]}.")
    household = db.session.get(Household, household_id)
    if household is None:  # deleted since the membership was read
        raise NotFound("Household")
    return household


def target_household(user: User, household_id: int | None, needed: str, field: str = "household_id") -> Household:
    """The household a request names in ``field``, or the user's default household."""
    if household_id is None:
        household_id = user.default_household_id
        if household_id is None:
            raise InvalidField(field, "You have no household: create one, or name one you belong to.", "missing")
    return require_role(user, household_id, needed, field=field)

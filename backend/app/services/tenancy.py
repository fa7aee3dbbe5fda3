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
from sqlalchemy import Select, and_, select

from ..errors import Forbidden, InvalidField, NotFound
from ..extensions import db
from ..models import ROLES, DailyRollup, Household, Membership, Meter, Reading, Record, User
from . import authcache, versions

__all__ = [
    "RANK",
    "can",
    "check_role",
    "household",
    "household_ids",
    "membership",
    "readable",
    "readable_ids",
    "require_role",
    "role_in",
    "scoped",
    "target_household",
    "versions_of",
    "with_role",
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


def _read_cache(epoch: int | None) -> authcache.AuthCache | None:
    """The per-process auth cache, when this request read ``epoch`` and may use it
    (``services/authcache.py``): reads only (a write checks the role under its household's lock,
    so a role changed meanwhile is seen), never with a personal token, never with changes pending
    in this transaction."""
    cache = authcache.current()
    if epoch is None or cache is None or request.method not in ("GET", "HEAD") or g.get("meterbook_token") is not None:
        return None
    session = db.session()
    if session.new or session.dirty or session.deleted or authcache.changed(session):
        return None
    return cache


def _cached_roles(user_id: int) -> dict[int, str] | None:
    """The user's role per household from the per-process auth cache, when this request may use it."""
    epoch = authcache.request_epoch()
    cache = _read_cache(epoch)
    if cache is None or epoch is None:
        return None

    def load() -> dict[int, str]:
        rows = db.session.execute(select(Membership.household_id, Membership.role).where(Membership.user_id == user_id))
        return dict(rows.tuples().all())

    return cache.roles(user_id, epoch, load)


def household(household_id: int) -> Household | None:
    """The household row, from this process's copy when the data epoch this request read says it
    is current (a read request, as for the roles), else read now (and kept for the next request)."""
    epoch = authcache.request_data_epoch()
    cache = _read_cache(epoch)
    if cache is None or epoch is None:
        return db.session.get(Household, household_id)
    found = cache.household(household_id, epoch)
    if found is not None:
        return db.session.merge(found, load=False)
    loaded = db.session.get(Household, household_id)
    if loaded is not None:
        cache.keep_household(loaded, epoch)
    return loaded


def versions_of(household_ids: list[int]) -> dict[int, int]:
    """The data versions of these households (unknown ones left out), from this process's copies
    when they are current (``household``), the others read now in one query."""
    epoch = authcache.request_data_epoch()
    cache = _read_cache(epoch)
    if cache is None or epoch is None:
        return versions.versions_of(household_ids)
    found, missing = {}, []
    for household_id in sorted(set(household_ids)):
        copy = cache.household(household_id, epoch)
        if copy is None:
            missing.append(household_id)
        else:
            found[household_id] = copy.data_version
    if missing:
        for loaded in db.session.scalars(select(Household).where(Household.id.in_(missing))):
            cache.keep_household(loaded, epoch)
            found[loaded.id] = loaded.data_version
    return found


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
    check_role(role, needed)
    found = household(household_id)
    if found is None:  # deleted since the membership was read
        raise NotFound("Household")
    return found


def check_role(role: str, needed: str) -> None:
    """403 unless ``role`` is at least ``needed``."""
    if not can(role, needed):
        raise Forbidden(f"Your role in this household ({role}) does not allow you to {_ROLE_WORDS[needed]}.")


def with_role(stmt: Select[Any], column: Any, user: User) -> Select[Any]:
    """``stmt`` joined with ``user``'s membership of the household in ``column``, the role added
    as its last column: rows of households the user is not a member of, or that their personal
    token does not reach, are left out (one query for a row and the right to write it)."""
    on = and_(Membership.household_id == column, Membership.user_id == user.id)
    stmt = stmt.add_columns(Membership.role).join(Membership, on)
    limited = _token_households(user.id)
    return stmt if limited is None else stmt.where(column.in_(limited))


def target_household(user: User, household_id: int | None, needed: str, field: str = "household_id") -> Household:
    """The household a request names in ``field``, or the user's default household."""
    if household_id is None:
        household_id = user.default_household_id
        if household_id is None:
            raise InvalidField(field, "You have no household: create one, or name one you belong to.", "missing")
    return require_role(user, household_id, needed, field=field)

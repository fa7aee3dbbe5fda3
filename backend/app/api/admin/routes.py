"""Administration: users (search, activate/deactivate, role, delete) and statistics."""

from __future__ import annotations

import functools
import logging
import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import func, or_, select

from ...errors import Conflict, Forbidden, NotFound
from ...extensions import db
from ...models import Record, User
from ...security import current_user
from ...services import clock
from ..auth import service as auth_service
from ..validation import _annotate, authenticated, body, other_responses, query, response
from . import bp
from .schemas import AdminUserOut, AdminUserUpdate, Stats, UserPage, UserSearch

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
ACTIVE_WINDOW = timedelta(days=30)


def admin_required(func: F) -> F:
    """Only administrators; everyone else gets 403 ``forbidden``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user().role != "admin":
            raise Forbidden("Administrator rights are required.")
        return func(*args, **kwargs)

    _annotate(wrapper, responses={403: "Not an administrator"})
    return typing.cast(F, wrapper)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("User")
    return user


@bp.get("/users")
@authenticated
@admin_required
@response(UserPage)
@query(UserSearch)
def list_users(query: UserSearch) -> Any:
    """Accounts, newest first; ``q`` searches the e-mail address and the name."""
    stmt = select(User)
    if query.q:
        pattern = f"%{_escape_like(query.q.lower())}%"
        stmt = stmt.where(
            or_(func.lower(User.email).like(pattern, escape="\\"), func.lower(User.name).like(pattern, escape="\\"))
        )
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        db.session.scalars(
            stmt.order_by(User.id.desc()).offset((query.page - 1) * query.per_page).limit(query.per_page)
        )
    )
    return {
        "items": items,
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
        "pages": (total + query.per_page - 1) // query.per_page,
    }


@bp.patch("/users/<int:user_id>")
@authenticated
@admin_required
@other_responses({404: "No such user", 409: "Administrators cannot demote or deactivate themselves"})
@response(AdminUserOut)
@body(AdminUserUpdate)
def update_user(data: AdminUserUpdate, user_id: int) -> Any:
    """Activate or deactivate an account, or change its role.

    Deactivating revokes every session at once: the user's tokens stop working.
    """
    me = current_user()
    user = _get_user(user_id)
    if user.id == me.id and (data.is_active is False or data.role == "user"):
        raise Conflict("You cannot demote or deactivate your own account.")
    if data.role is not None:
        user.role = data.role
    if data.is_active is not None and data.is_active != user.is_active:
        user.is_active = data.is_active
        if not data.is_active:
            auth_service.revoke_all_sessions(user.id)
    db.session.commit()
    log.info("admin %s updated user %s: %s", me.id, user.id, data.model_dump(exclude_none=True))
    return user


@bp.delete("/users/<int:user_id>")
@authenticated
@admin_required
@other_responses({404: "No such user", 409: "Administrators cannot delete themselves"})
@response(None, 204, "The account and all its data were deleted")
def delete_user(user_id: int) -> Any:
    """Delete an account and all its data."""
    me = current_user()
    if user_id == me.id:
        raise Conflict("You cannot delete your own account here.")
    _get_user(user_id)
    admin_id = me.id
    auth_service.delete_user(user_id)
    log.info("admin %s deleted user %s", admin_id, user_id)


@bp.get("/stats")
@authenticated
@admin_required
@response(Stats)
def stats() -> Any:
    """Counts of accounts, records, and accounts active in the last 30 days."""
    cutoff = clock.now() - ACTIVE_WINDOW
    wrote = select(Record.user_id).where(or_(Record.created_at >= cutoff, Record.updated_at >= cutoff))
    active = select(func.count()).select_from(User).where(or_(User.last_seen_at >= cutoff, User.id.in_(wrote)))
    return {
        "users": db.session.scalar(select(func.count()).select_from(User)) or 0,
        "records": db.session.scalar(select(func.count()).select_from(Record)) or 0,
        "active_last_30d": db.session.scalar(active) or 0,
    }

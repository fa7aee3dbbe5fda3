"""Administration of accounts, and platform statistics."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, or_, select

from ...errors import Conflict, NotFound
from ...extensions import db
from ...models import Household, Record, User
from ...services import audit, clock, tokens
from ..auth import service as auth_service
from ..common import MAX_ID, contains_ignoring_case
from .schemas import AdminUserUpdate, UserSearch

log = logging.getLogger(__name__)
ACTIVE_WINDOW = timedelta(days=30)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if user is None:
        raise NotFound("User")
    return user


def list_users(query: UserSearch) -> tuple[list[User], int]:
    """One page of accounts, newest first, and how many match in all."""
    stmt = select(User)
    if query.q:
        stmt = stmt.where(or_(contains_ignoring_case(User.email, query.q), contains_ignoring_case(User.name, query.q)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(User.id.desc()).offset((query.page - 1) * query.per_page).limit(query.per_page)
    return list(db.session.scalars(page)), total


def update_user(admin: User, user_id: int, data: AdminUserUpdate) -> User:
    """Change role or activation; deactivating revokes every session of the user at once."""
    user = get_user(user_id)
    if user.id == admin.id and (data.is_active is False or data.role == "user"):
        raise Conflict("You cannot demote or deactivate your own account.")
    changes: dict[str, object] = {}
    if data.role is not None and data.role != user.role:
        changes["role"] = data.role
        user.role = data.role
    if data.is_active is not None and data.is_active != user.is_active:
        changes["is_active"] = data.is_active
        user.is_active = data.is_active
        if not data.is_active:
            auth_service.revoke_all_sessions(user.id)
            tokens.revoke_all(user.id)
    if changes:
        audit.record(audit.ADMIN_USER_UPDATED, user.id, actor_id=admin.id, **changes)
    db.session.commit()
    log.info("admin %s updated user %s: %s", admin.id, user.id, data.model_dump(exclude_none=True))
    return user


def delete_user(admin: User, user_id: int) -> None:
    if user_id == admin.id:
        raise Conflict("You cannot delete your own account here.")
    get_user(user_id)
    admin_id = admin.id
    audit.record(audit.ADMIN_USER_DELETED, user_id, actor_id=admin_id)
    auth_service.delete_user(user_id)
    log.info("admin %s deleted user %s", admin_id, user_id)


def stats() -> dict[str, int]:
    cutoff = clock.now() - ACTIVE_WINDOW
    wrote = select(Record.created_by).where(or_(Record.created_at >= cutoff, Record.updated_at >= cutoff))
    active = select(func.count()).select_from(User).where(or_(User.last_seen_at >= cutoff, User.id.in_(wrote)))
    return {
        "users": db.session.scalar(select(func.count()).select_from(User)) or 0,
        "households": db.session.scalar(select(func.count()).select_from(Household)) or 0,
        "records": db.session.scalar(select(func.count()).select_from(Record)) or 0,
        "active_last_30d": db.session.scalar(active) or 0,
    }

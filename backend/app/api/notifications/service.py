"""A user's own notifications: only theirs, and only of the households they (and their token) reach."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select

from ...errors import NotFound
from ...extensions import db
from ...models import Notification, User
from ...services import notifications, tenancy
from ..common import MAX_ID
from .schemas import NotificationQuery


def _scoped(user: User) -> Select[tuple[Notification]]:
    ids = tenancy.readable_ids(user)
    return select(Notification).where(
        Notification.user_id == user.id,
        or_(Notification.household_id.is_(None), Notification.household_id.in_(ids)),
    )


def _unread(user: User) -> int:
    stmt = _scoped(user).where(Notification.read_at.is_(None))
    return int(db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def list_notifications(user: User, query: NotificationQuery) -> dict[str, Any]:
    stmt = _scoped(user)
    if query.unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = int(db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    page = db.session.scalars(
        stmt.order_by(Notification.id.desc()).limit(query.per_page).offset((query.page - 1) * query.per_page)
    )
    return {
        "items": [notifications.out(n) for n in page],
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
        "pages": (total + query.per_page - 1) // query.per_page,
        "unread_count": _unread(user),
    }


def mark_read(user: User, notification_id: int) -> dict[str, Any]:
    if not 1 <= notification_id <= MAX_ID:
        raise NotFound("Notification")
    found = db.session.scalar(_scoped(user).where(Notification.id == notification_id))
    if found is None:
        raise NotFound("Notification")
    notifications.mark_read(found)
    db.session.commit()
    return notifications.out(found)


def mark_all_read(user: User) -> dict[str, int]:
    ids = [n.id for n in db.session.scalars(_scoped(user).where(Notification.read_at.is_(None)))]
    for notification in db.session.scalars(select(Notification).where(Notification.id.in_(ids))):
        notifications.mark_read(notification)
    db.session.commit()
    return {"unread_count": _unread(user)}

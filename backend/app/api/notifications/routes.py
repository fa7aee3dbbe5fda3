from __future__ import annotations

from typing import Any

from ...security import current_user
from ..decorators import authenticated, other_responses, query, response
from . import bp, service
from .schemas import NotificationOut, NotificationPage, NotificationQuery, UnreadCount


@bp.get("/notifications")
@authenticated
@response(NotificationPage)
@query(NotificationQuery)
def list_notifications(query: NotificationQuery) -> Any:
    """List your notifications, newest first, with the number still unread."""
    return service.list_notifications(current_user(), query)


@bp.post("/notifications/<int:notification_id>/read")
@authenticated
@other_responses({404: "No such notification"})
@response(NotificationOut)
def mark_read(notification_id: int) -> Any:
    """Mark one notification read."""
    return service.mark_read(current_user(), notification_id)


@bp.post("/notifications/read-all")
@authenticated
@response(UnreadCount)
def mark_all_read() -> Any:
    """Mark every notification read."""
    return service.mark_all_read(current_user())

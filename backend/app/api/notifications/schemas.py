"""Request and response shapes of notifications."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..common import OutSchema, Pagination, Timestamp


class NotificationQuery(Pagination):
    unread: bool = Field(default=False, description="Only the notifications not read yet")


class NotificationOut(OutSchema):
    id: int
    household_id: int | None = Field(description="The household concerned; null for notices about the account")
    kind: str = Field(description="budget.threshold, budget.forecast, usage.anomaly, reading.overdue, ...")
    title: str
    body: str
    data: dict[str, Any] = Field(description="What the notice is about, by kind (ids, figures); see docs/alerts.md")
    link: str | None = Field(description="The path of the page concerned in the web app, e.g. /budgets")
    created_at: Timestamp
    read_at: Timestamp | None


class NotificationPage(OutSchema):
    items: list[NotificationOut]
    page: int
    per_page: int
    total: int
    pages: int
    unread_count: int = Field(description="How many of your notifications are unread (whatever the filter)")


class UnreadCount(OutSchema):
    unread_count: int

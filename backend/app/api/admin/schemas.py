from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ...services.audit import EVENTS
from ..auth.schemas import UserOut
from ..common import Id, NoControl, OutSchema, Pagination, Schema, Timestamp


class UserSearch(Pagination):
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoControl] | None = Field(
        default=None, description="Part of the e-mail address or name (case-insensitive)"
    )


class AdminUserOut(UserOut):
    last_seen_at: Timestamp | None = None
    locked_until: Timestamp | None = None


class UserPage(OutSchema):
    items: list[AdminUserOut]
    page: int
    per_page: int
    total: int
    pages: int


class AdminUserUpdate(Schema):
    is_active: bool | None = None
    role: Literal["user", "admin"] | None = None


class Stats(OutSchema):
    users: int = Field(description="Every account")
    households: int = Field(description="Every household")
    records: int = Field(description="Every record of every account")
    active_last_30d: int = Field(
        description="Accounts that signed in, refreshed a session or wrote a record in the last 30 days"
    )


AuditEventKind = Literal[EVENTS]  # type: ignore[valid-type]


class AuditSearch(Pagination):
    user_id: Id | None = Field(default=None, description="Only the entries about this account")
    event: AuditEventKind | None = Field(default=None, description="Only this kind of event")

"""Request and response shapes of households, members, invitations and share links."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from ..auth.schemas import Currency, Email, TimeZone
from ..common import OneLine, OutSchema, QuerySchema, Schema, Timestamp
from ..meters.schemas import NAME_PATTERN

Role = Literal["owner", "editor", "viewer"]
InviteRole = Literal["editor", "viewer", "owner"]

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    OneLine,
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
BillingDay = Annotated[int, Field(ge=1, le=28)]


class HouseholdCreate(Schema):
    name: Name
    timezone: TimeZone | None = Field(default=None, description="IANA zone; default: your own")
    currency: Currency | None = Field(default=None, description="ISO 4217; default: your own")
    billing_day: BillingDay = 1


class HouseholdUpdate(Schema):
    name: Name | None = None
    timezone: TimeZone | None = None
    currency: Currency | None = None
    billing_day: BillingDay | None = None


class HouseholdOut(OutSchema):
    id: int
    name: str
    timezone: str
    currency: str
    billing_day: int
    role: Role = Field(description="Your role in the household")
    member_count: int
    created_at: Timestamp
    updated_at: Timestamp


class HouseholdEvent(OutSchema):
    """The household in a ``household.changed`` event (each member's role is their own)."""

    id: int
    name: str
    timezone: str
    currency: str
    billing_day: int
    member_count: int
    created_at: Timestamp
    updated_at: Timestamp


class HouseholdList(OutSchema):
    items: list[HouseholdOut]


class HouseholdDeleteQuery(QuerySchema):
    confirm: str | None = Field(default=None, description="The household's name, exactly")


class MemberOut(OutSchema):
    user_id: int
    name: str
    email: str
    role: Role
    joined_at: Timestamp


class MemberList(OutSchema):
    items: list[MemberOut]


class MemberUpdate(Schema):
    role: Role


class InvitationCreate(Schema):
    email: Email
    role: InviteRole


class InvitationOut(OutSchema):
    id: int
    email: str
    role: Role
    created_at: Timestamp
    expires_at: Timestamp


class InvitationList(OutSchema):
    items: list[InvitationOut]


class InvitationAccept(Schema):
    token: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


ShareLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    OneLine,
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]


class ShareLinkCreate(Schema):
    label: ShareLabel
    expires_at: AwareDatetime | None = Field(
        default=None, description="ISO-8601 with offset, in the future; default: never"
    )


class ShareLinkOut(OutSchema):
    id: int
    label: str
    created_at: Timestamp
    expires_at: Timestamp | None


class ShareLinkCreated(ShareLinkOut):
    token: str = Field(description="Shown only in this answer")
    url: str


class ShareLinkList(OutSchema):
    items: list[ShareLinkOut]


class SharedHousehold(OutSchema):
    name: str
    timezone: str
    currency: str


class SharedMeter(OutSchema):
    id: int
    name: str
    type: str
    unit: str


class SharedView(OutSchema):
    household: SharedHousehold
    meters: list[SharedMeter]

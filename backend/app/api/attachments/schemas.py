"""Request and response shapes of attachments."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from ..common import Id, OutSchema, QuerySchema, Schema, Timestamp
from ..meters.schemas import HouseholdId

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class AttachmentForm(Schema):
    """The form fields of an upload beside its ``file`` part (text, so numbers are parsed)."""

    model_config = ConfigDict(extra="forbid", strict=False)

    household_id: HouseholdId | None = Field(default=None, description="Default: your default household")


class AttachmentOut(OutSchema):
    id: int
    household_id: int
    content_type: str = Field(description="image/jpeg, image/png, image/gif or image/webp: what the file decoded as")
    size: int = Field(description="Bytes of the stored (re-encoded) image")
    width: int
    height: int
    url: str = Field(description="Signed link to the image, valid one hour, no header needed")
    thumbnail_url: str = Field(description="Signed link to a thumbnail of at most 320 px a side, valid one hour")
    created_at: Timestamp


class SignedLinkQuery(QuerySchema):
    expires: str | None = Field(default=None, description="Unix time the link stops working")
    signature: str | None = Field(default=None, description="HMAC of the id, the variant and expires")


MAX_PER_PARENT = 20

AttachmentIds = Annotated[
    list[Id],
    Field(
        max_length=MAX_PER_PARENT,
        description="Attachments of the same household, each attached to nothing else yet (else 409);"
        " on an update the list replaces the attachments, and those left out are deleted",
    ),
]

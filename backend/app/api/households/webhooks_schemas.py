"""Request and response shapes of webhooks and their delivery log."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ...services import webhooks
from ..common import OneLine, OutSchema, Schema, Timestamp

WebhookEvent = Literal[webhooks.EVENTS]  # type: ignore[valid-type]
DeliveryStatus = Literal["pending", "delivered", "failed"]


_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]"
# The shape the document states: an http(s) scheme and a host part without a user name. What a
# pattern cannot say (a port above 65535, a malformed IPv6 literal) and the address checks are
# the service's, refused as ``url_refused`` on the same field.
URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@{_CHAR[2:-1]}]+([/?#]{_CHAR}*)?$"
_URL = re.compile(URL_PATTERN)


def _url_shape(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("must be an http or https URL with a host (and no user name)")
    return value


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2048),
    AfterValidator(_url_shape),
    Field(
        description="https (http only where allowed); its host must resolve to public addresses",
        json_schema_extra={"pattern": URL_PATTERN},
    ),
]
Events = Annotated[
    list[WebhookEvent],
    Field(min_length=1, max_length=len(webhooks.EVENTS), description="The events to deliver (at least one)"),
    AfterValidator(webhooks.subscribed),
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    OneLine,
    Field(json_schema_extra={"pattern": r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"}),
]


class WebhookCreate(Schema):
    url: Url
    events: Events
    description: Description = ""


class WebhookUpdate(Schema):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = Field(default=None, description="Turning it on again resets the failure count")


class WebhookOut(OutSchema):
    id: int
    url: str
    events: list[str]
    description: str
    enabled: bool
    consecutive_failures: int = Field(description="Failed attempts in a row; 20 turn the webhook off")
    created_at: Timestamp


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown only in this answer")


class WebhookList(OutSchema):
    items: list[WebhookOut]


class DeliveryOut(OutSchema):
    id: int
    delivery_id: str = Field(description="The `Meterbook-Delivery` header and the payload's `id`")
    event: str
    status: DeliveryStatus
    attempt: int = Field(description="Attempts made so far (at most 6)")
    status_code: int | None = Field(description="The receiver's answer to the last attempt")
    error: str | None
    created_at: Timestamp
    next_attempt_at: Timestamp | None = Field(description="When the next attempt is due (pending only)")
    delivered_at: Timestamp | None


class DeliveryList(OutSchema):
    items: list[DeliveryOut] = Field(description="The last 100 deliveries, newest first")

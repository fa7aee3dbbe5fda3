"""Request and response shapes of webhooks and their delivery log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ...services import webhooks
from ..common import OneLine, OutSchema, Schema, Timestamp

WebhookEvent = Literal[webhooks.EVENTS]  # type: ignore[valid-type]
DeliveryStatus = Literal["pending", "delivered", "failed"]


def _url_shape(value: str) -> str:
    webhooks.split_url(value)  # scheme, host and port; the address is checked by the service
    return value


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2048),
    OneLine,
    AfterValidator(_url_shape),
    Field(description="https (http only where allowed); its host must resolve to public addresses"),
]
Events = Annotated[
    list[WebhookEvent],
    Field(min_length=1, max_length=len(webhooks.EVENTS), description="The events to deliver (at least one)"),
    AfterValidator(webhooks.subscribed),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), OneLine]


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

"""Webhooks of a household (HTTP only; the logic is in ``webhooks``). Owners only; personal
access tokens are refused here (PRODUCT §13)."""

from __future__ import annotations

from typing import Any

from ...security import current_user
from ..decorators import authenticated, body, other_responses, response
from . import bp, webhooks
from .webhooks_schemas import (
    DeliveryList,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
    WebhookUpdate,
)

WEBHOOKS = "/households/<int:household_id>/webhooks"
ONE = f"{WEBHOOKS}/<int:webhook_id>"
OWNER_ONLY = {404: "No such household or webhook (or you are not a member)", 403: "Only an owner may do this"}


@bp.post(WEBHOOKS)
@authenticated
@other_responses(OWNER_ONLY)
@response(WebhookCreated, 201)
@body(WebhookCreate)
def create_webhook(data: WebhookCreate, household_id: int) -> Any:
    """Add a webhook (owner); its signing `secret` is shown only in this answer."""
    return webhooks.create(current_user(), household_id, data)


@bp.get(WEBHOOKS)
@authenticated
@other_responses(OWNER_ONLY)
@response(WebhookList)
def list_webhooks(household_id: int) -> Any:
    """The webhooks of a household, without their secrets (owner)."""
    return {"items": webhooks.list_webhooks(current_user(), household_id)}


@bp.get(ONE)
@authenticated
@other_responses(OWNER_ONLY)
@response(WebhookOut)
def get_webhook(household_id: int, webhook_id: int) -> Any:
    """One webhook (owner)."""
    return webhooks.get(current_user(), household_id, webhook_id)


@bp.patch(ONE)
@authenticated
@other_responses(OWNER_ONLY)
@response(WebhookOut)
@body(WebhookUpdate)
def update_webhook(data: WebhookUpdate, household_id: int, webhook_id: int) -> Any:
    """Change a webhook's URL, events or description, or turn it off or on (owner)."""
    return webhooks.update(current_user(), household_id, webhook_id, data)


@bp.delete(ONE)
@authenticated
@other_responses(OWNER_ONLY)
@response(None, 204, "Deleted with its delivery log")
def delete_webhook(household_id: int, webhook_id: int) -> Any:
    """Delete a webhook and its delivery log (owner)."""
    webhooks.remove(current_user(), household_id, webhook_id)


@bp.post(f"{ONE}/test")
@authenticated
@other_responses({**OWNER_ONLY, 409: "The webhook is turned off"})
@response(DeliveryOut, 202)
def test_webhook(household_id: int, webhook_id: int) -> Any:
    """Queue a `webhook.test` delivery to the webhook (owner)."""
    return webhooks.send_test(current_user(), household_id, webhook_id)


@bp.get(f"{ONE}/deliveries")
@authenticated
@other_responses(OWNER_ONLY)
@response(DeliveryList)
def list_deliveries(household_id: int, webhook_id: int) -> Any:
    """The webhook's last 100 deliveries, newest first (owner)."""
    return {"items": webhooks.deliveries(current_user(), household_id, webhook_id)}

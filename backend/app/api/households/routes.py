"""Households, members, invitations and share links (HTTP only; the logic is in the services)."""

from __future__ import annotations

from typing import Any

from ...security import current_user
from ..decorators import authenticated, body, other_responses, query, response
from . import bp, invitations, members, service, share_links
from .schemas import (
    HouseholdCreate,
    HouseholdDeleteQuery,
    HouseholdList,
    HouseholdOut,
    HouseholdUpdate,
    InvitationAccept,
    InvitationCreate,
    InvitationList,
    InvitationOut,
    MemberList,
    MemberOut,
    MemberUpdate,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkList,
)

NO_HOUSEHOLD = {404: "No such household (or you are not a member)"}
OWNER_ONLY = {**NO_HOUSEHOLD, 403: "Only an owner may do this"}


@bp.get("/households")
@authenticated
@response(HouseholdList)
def list_households() -> Any:
    """List the households you are a member of, with your role in each."""
    return {"items": service.list_households(current_user())}


@bp.post("/households")
@authenticated
@response(HouseholdOut, 201)
@body(HouseholdCreate)
def create_household(data: HouseholdCreate) -> Any:
    """Create a household with you as its owner and the three default meters."""
    return service.create_household(current_user(), data)


@bp.get("/households/<int:household_id>")
@authenticated
@other_responses(NO_HOUSEHOLD)
@response(HouseholdOut)
def get_household(household_id: int) -> Any:
    """One of your households."""
    return service.get_household(current_user(), household_id)


@bp.patch("/households/<int:household_id>")
@authenticated
@other_responses(OWNER_ONLY)
@response(HouseholdOut)
@body(HouseholdUpdate)
def update_household(data: HouseholdUpdate, household_id: int) -> Any:
    """Rename a household or change its time zone, currency or billing day (owner)."""
    return service.update_household(current_user(), household_id, data)


@bp.delete("/households/<int:household_id>")
@authenticated
@other_responses(OWNER_ONLY)
@response(None, 204, "Deleted with all of its data")
@query(HouseholdDeleteQuery)
def delete_household(household_id: int, query: HouseholdDeleteQuery) -> Any:
    """Delete a household and all of its data (owner); `confirm` must be its name."""
    service.delete_household(current_user(), household_id, query.confirm)


@bp.get("/households/<int:household_id>/members")
@authenticated
@other_responses(NO_HOUSEHOLD)
@response(MemberList)
def list_members(household_id: int) -> Any:
    """The members of a household and their roles."""
    return {"items": members.list_members(current_user(), household_id)}


@bp.patch("/households/<int:household_id>/members/<int:user_id>")
@authenticated
@other_responses({**OWNER_ONLY, 409: "The last owner cannot be demoted"})
@response(MemberOut)
@body(MemberUpdate)
def update_member(data: MemberUpdate, household_id: int, user_id: int) -> Any:
    """Change a member's role (owner)."""
    return members.change_role(current_user(), household_id, user_id, data.role)


@bp.delete("/households/<int:household_id>/members/<int:user_id>")
@authenticated
@other_responses({**OWNER_ONLY, 409: "The last owner cannot leave while others remain, nor the last member"})
@response(None, 204, "Removed")
def remove_member(household_id: int, user_id: int) -> Any:
    """Remove a member (owner), or leave the household (your own user id)."""
    members.remove_member(current_user(), household_id, user_id)


@bp.post("/households/<int:household_id>/invitations")
@authenticated
@other_responses({**OWNER_ONLY, 409: "The address belongs to a member already"})
@response(InvitationOut, 201)
@body(InvitationCreate)
def create_invitation(data: InvitationCreate, household_id: int) -> Any:
    """Invite someone by e-mail (owner); a pending invitation to the same address is replaced."""
    return invitations.create_invitation(current_user(), household_id, data.email, data.role)


@bp.get("/households/<int:household_id>/invitations")
@authenticated
@other_responses(OWNER_ONLY)
@response(InvitationList)
def list_invitations(household_id: int) -> Any:
    """The pending invitations of a household (owner)."""
    return {"items": invitations.list_invitations(current_user(), household_id)}


@bp.delete("/households/<int:household_id>/invitations/<int:invitation_id>")
@authenticated
@other_responses(OWNER_ONLY)
@response(None, 204, "Withdrawn")
def delete_invitation(household_id: int, invitation_id: int) -> Any:
    """Withdraw an invitation (owner); its link stops working."""
    invitations.delete_invitation(current_user(), household_id, invitation_id)


@bp.post("/invitations/accept")
@authenticated
@other_responses({403: "The invitation is for another (or an unverified) e-mail address", 409: "Member already"})
@response(HouseholdOut)
@body(InvitationAccept)
def accept_invitation(data: InvitationAccept) -> Any:
    """Join a household with the token of an invitation e-mail."""
    return invitations.accept(current_user(), data.token)


@bp.post("/households/<int:household_id>/share-links")
@authenticated
@other_responses(OWNER_ONLY)
@response(ShareLinkCreated, 201)
@body(ShareLinkCreate)
def create_share_link(data: ShareLinkCreate, household_id: int) -> Any:
    """Create a read-only link to the household's aggregates (owner); the token is shown only here."""
    return share_links.create_link(current_user(), household_id, data.label, data.expires_at)


@bp.get("/households/<int:household_id>/share-links")
@authenticated
@other_responses(OWNER_ONLY)
@response(ShareLinkList)
def list_share_links(household_id: int) -> Any:
    """The share links of a household, without their tokens (owner)."""
    return {"items": share_links.list_links(current_user(), household_id)}


@bp.delete("/households/<int:household_id>/share-links/<int:link_id>")
@authenticated
@other_responses(OWNER_ONLY)
@response(None, 204, "Revoked")
def delete_share_link(household_id: int, link_id: int) -> Any:
    """Revoke a share link (owner); it answers 404 at once."""
    share_links.delete_link(current_user(), household_id, link_id)

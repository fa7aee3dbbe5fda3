"""Invitations by e-mail: create (replacing a pending one), list, delete, accept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select

from ...errors import Conflict, FieldError, Forbidden, NotFound
from ...extensions import db
from ...models import Household, Invitation, Membership, User
from ...services import alerts, audit, clock, mail, signed_tokens
from . import access
from .members import announce
from .service import view

VALID_FOR = timedelta(seconds=signed_tokens.MAX_AGE[signed_tokens.INVITE])
BAD_TOKEN = "The invitation link is invalid, expired or already used."


def _state(invitation: Invitation) -> str:
    # A replaced invitation is a new row, so a token of the old one never matches again.
    return f"{invitation.id}:{invitation.household_id}:{invitation.email}:{invitation.created_at.isoformat()}"


def create_invitation(user: User, household_id: int, email: str, role: str) -> Invitation:
    email = email.lower()
    access.lock(household_id)
    household, _ = access.require(user, household_id, "owner")
    is_member = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.household_id == household_id, User.email == email)
    )
    if is_member:
        raise Conflict("This address belongs to a member of the household already.")
    db.session.execute(delete(Invitation).where(Invitation.household_id == household_id, Invitation.email == email))
    now = clock.now()
    invitation = Invitation(
        household_id=household_id,
        email=email,
        role=role,
        invited_by=user.id,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    db.session.add(invitation)
    db.session.flush()
    token = signed_tokens.make_token(signed_tokens.INVITE, invitation.id, _state(invitation))
    mail.queue(
        "invitation",
        email,
        inviter=user.name,
        household=household.name,
        role=role,
        link=f"{current_app.config['FRONTEND_URL']}/invitations/accept?token={token}",
    )
    audit.record(audit.INVITATION_SENT, user.id, household_id=household_id, email=email, role=role)
    db.session.commit()
    return invitation


def list_invitations(user: User, household_id: int) -> list[Invitation]:
    access.require(user, household_id, "owner")
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.household_id == household_id, Invitation.expires_at > clock.now())
            .order_by(Invitation.id)
        )
    )


def delete_invitation(user: User, household_id: int, invitation_id: int) -> None:
    access.lock(household_id)
    access.require(user, household_id, "owner")
    access.known_id(invitation_id, "Invitation")
    deleted = db.session.execute(
        delete(Invitation).where(Invitation.household_id == household_id, Invitation.id == invitation_id)
    )
    if not getattr(deleted, "rowcount", 0):
        raise NotFound("Invitation")
    db.session.commit()


def _bad_token() -> FieldError:
    return FieldError.single(["body", "token"], BAD_TOKEN, "invalid_token")


def _pending(invitation_id: int) -> Invitation | None:
    return db.session.scalars(
        select(Invitation).where(Invitation.id == invitation_id).execution_options(populate_existing=True)
    ).first()


def _tell_owners(household: Household, user: User, invitation_id: int, role: str) -> None:
    """The ``invitation.accepted`` alert, to the household's owners (the new member aside)."""
    owners = db.session.scalars(
        select(Membership.user_id).where(
            Membership.household_id == household.id, Membership.role == "owner", Membership.user_id != user.id
        )
    )
    alerts.raise_alert(
        f"invitation:{invitation_id}:accepted",
        household.id,
        alerts.INVITATION_ACCEPTED,
        f"{user.name} joined {household.name}",
        f"{user.name} ({user.email}) accepted the invitation to \u201c{household.name}\u201d and is now {role}.",
        {"user_id": user.id, "name": user.name, "email": user.email, "role": role},
        link=f"/households/{household.id}",
        user_ids=list(owners),
    )


def accept(user: User, token: str) -> dict[str, Any]:
    """Join the household of the invitation; its row goes, so the link works once."""
    claims = signed_tokens.read_token(signed_tokens.INVITE, token)
    if claims is None:
        raise _bad_token()
    invitation_id, fingerprint = claims
    found = _pending(invitation_id)
    if found is None:
        raise _bad_token()
    # Of two acceptances at once, the second waits here and then finds the row gone.
    access.lock(found.household_id)
    invitation = _pending(invitation_id)
    if (
        invitation is None
        or signed_tokens.fingerprint(_state(invitation)) != fingerprint
        or invitation.expires_at <= clock.now()
    ):
        raise _bad_token()
    household = db.session.get(Household, invitation.household_id)
    if household is None:
        raise _bad_token()
    if user.email_verified_at is None or user.email.lower() != invitation.email:
        raise Forbidden("This invitation was sent to another e-mail address.")
    already = db.session.scalars(
        select(Membership).where(Membership.household_id == household.id, Membership.user_id == user.id)
    ).first()
    if already is not None:
        raise Conflict("You are a member of this household already.")
    db.session.add(Membership(household_id=household.id, user_id=user.id, role=invitation.role, joined_at=clock.now()))
    db.session.delete(invitation)
    if user.default_household_id is None and invitation.role != "viewer":
        user.default_household_id = household.id
    db.session.flush()
    announce(household.id, user.id, invitation.role)
    audit.record(audit.INVITATION_ACCEPTED, user.id, household_id=household.id, role=invitation.role)
    _tell_owners(household, user, invitation_id, invitation.role)
    answer = view(household, invitation.role)
    db.session.commit()
    return answer

"""The audit log: one append-only row per security event, written in the event's transaction.

``record`` only adds the row to the session; the caller's commit writes it with the change
it describes, so a rolled-back change leaves no entry and a committed one always has one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import AuditEvent
from . import clock

LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
LOGIN_LOCKED = "login.locked"
LOGOUT = "logout"
SIGNED_OUT_EVERYWHERE = "logout.everywhere"
REFRESH_REUSED = "refresh.reused"
PASSWORD_CHANGED = "password.changed"
PASSWORD_RESET = "password.reset"
EMAIL_VERIFIED = "email.verified"
TWO_FACTOR_ENABLED = "2fa.enabled"
TWO_FACTOR_DISABLED = "2fa.disabled"
RECOVERY_CODE_USED = "2fa.recovery_code_used"
RECOVERY_CODES_RENEWED = "2fa.recovery_codes_renewed"
TOKEN_CREATED = "token.created"
TOKEN_REVOKED = "token.revoked"
MEMBER_ROLE_CHANGED = "member.role_changed"
MEMBER_REMOVED = "member.removed"
INVITATION_SENT = "invitation.sent"
INVITATION_ACCEPTED = "invitation.accepted"
ADMIN_USER_UPDATED = "admin.user_updated"
ADMIN_USER_DELETED = "admin.user_deleted"

EVENTS = (
    LOGIN_SUCCEEDED,
    LOGIN_FAILED,
    LOGIN_LOCKED,
    LOGOUT,
    SIGNED_OUT_EVERYWHERE,
    REFRESH_REUSED,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    EMAIL_VERIFIED,
    TWO_FACTOR_ENABLED,
    TWO_FACTOR_DISABLED,
    RECOVERY_CODE_USED,
    RECOVERY_CODES_RENEWED,
    TOKEN_CREATED,
    TOKEN_REVOKED,
    MEMBER_ROLE_CHANGED,
    MEMBER_REMOVED,
    INVITATION_SENT,
    INVITATION_ACCEPTED,
    ADMIN_USER_UPDATED,
    ADMIN_USER_DELETED,
)

KEEP = timedelta(days=365)


def record(event: str, user_id: int | None, *, actor_id: int | None = None, **details: Any) -> AuditEvent:
    """Add an entry about ``user_id`` to the current transaction (the caller commits)."""
    assert event in EVENTS, event
    ip = user_agent = None
    if has_request_context():
        ip = request.remote_addr  # after ProxyFix: the client as the configured proxies report it
        user_agent = (request.user_agent.string or "")[:255] or None
    entry = AuditEvent(
        at=clock.now(),
        user_id=user_id,
        actor_id=actor_id if actor_id != user_id else None,
        event=event,
        ip=ip,
        user_agent=user_agent,
        details=details,
    )
    db.session.add(entry)
    return entry


def prune() -> int:
    """Delete entries older than a year; answers how many went."""
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < clock.now() - KEEP))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def page(
    number: int, per_page: int, user_id: int | None = None, event: str | None = None
) -> tuple[list[AuditEvent], int]:
    """One page of entries, newest first, and how many match."""
    stmt = select(AuditEvent)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if event is not None:
        stmt = stmt.where(AuditEvent.event == event)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(AuditEvent.id.desc()).offset((number - 1) * per_page).limit(per_page))
    return list(rows), total

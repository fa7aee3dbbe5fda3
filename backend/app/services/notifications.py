"""Notifications (PRODUCT §12): one row per member concerned, the live ``notification.created``
event after the commit, and an e-mail through the outbox when the user's preference for the kind
is on (the default).

``notify`` adds to the caller's transaction and does not commit: the notice, its event and its
e-mail happen with the change that caused them, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from flask import current_app, render_template
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Membership, Notification, NotificationSetting, OutboxMessage, User
from . import clock, events, mail

__all__ = [
    "KINDS",
    "NOTIFICATION_CREATED",
    "email_preferences",
    "mark_all_read",
    "mark_read",
    "notify",
    "out",
    "set_email_preferences",
    "unread_count",
]

NOTIFICATION_CREATED = "notification.created"

#: Every kind of notice, with the role a member needs to be concerned by it by default.
KINDS: dict[str, str] = {
    "budget.threshold": "viewer",
    "budget.forecast": "viewer",
    "usage.anomaly": "viewer",
    "reading.overdue": "editor",
    "token.expiring": "viewer",
    "invitation.accepted": "owner",
    "webhook.disabled": "owner",
}
SETTINGS_PATH = "/settings"


def out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "household_id": notification.household_id,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "link": notification.link,
        "created_at": notification.created_at.astimezone(UTC).isoformat(),
        "read_at": None if notification.read_at is None else notification.read_at.astimezone(UTC).isoformat(),
    }


def _members(household_id: int, kind: str) -> list[int]:
    from .tenancy import RANK

    needed = RANK[KINDS.get(kind, "viewer")]
    rows = db.session.execute(
        select(Membership.user_id, Membership.role).where(Membership.household_id == household_id)
    ).all()
    return sorted(user_id for user_id, role in rows if RANK[role] >= needed)


def email_preferences(user_id: int) -> dict[str, bool]:
    """Every kind with whether the user is e-mailed for it (on unless turned off)."""
    rows = db.session.execute(
        select(NotificationSetting.kind, NotificationSetting.email).where(NotificationSetting.user_id == user_id)
    ).all()
    chosen: dict[str, bool] = {kind: bool(email) for kind, email in rows}
    return {kind: bool(chosen.get(kind, True)) for kind in KINDS}


def set_email_preferences(user_id: int, choices: Mapping[str, bool]) -> None:
    """Store the choices given (the request model has refused unknown kinds); no commit."""
    for kind, email in choices.items():
        found = db.session.get(NotificationSetting, (user_id, kind))
        if found is None:
            db.session.add(NotificationSetting(user_id=user_id, kind=kind, email=email))
        else:
            found.email = email


def _queue_email(user: User, kind: str, title: str, body: str, link: str | None) -> None:
    base = current_app.config["FRONTEND_URL"]
    context = {
        "name": user.name,
        "kind": kind,
        "title": title,
        "body": body,
        "link": f"{base}{link}" if link else None,
        "settings_link": f"{base}{SETTINGS_PATH}",
    }
    # in the notice's transaction; its delivery job is queued once that commits
    mail.add(
        OutboxMessage(
            kind="notification",
            recipient=user.email,
            subject=title[:200],
            text_body=render_template("email/notification.txt", **context),
            html_body=render_template("email/notification.html", **context),
            next_attempt_at=clock.now(),
        )
    )


def notify(
    household_id: int | None,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
    user_ids: Iterable[int] | None = None,
    link: str | None = None,
) -> list[Notification]:
    """Create one notification per user concerned, in the current transaction (no commit).

    ``user_ids`` None: every member of the household whose role the kind concerns (owners for
    ``invitation.accepted`` and ``webhook.disabled``, editors for ``reading.overdue``, everyone
    else). ``link`` is the SPA path of the page concerned (e.g. ``/budgets``). After the commit
    each user's sockets get ``notification.created`` {notification}; users whose ``notify_email``
    preference for the kind is on get an e-mail.
    """
    if user_ids is None:
        if household_id is None:
            raise ValueError("notify needs user_ids when no household is given")
        targets = _members(household_id, kind)
    else:
        targets = sorted(set(user_ids))
    created = []
    now = clock.now()
    for user_id in targets:
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        notification = Notification(
            user_id=user_id,
            household_id=household_id,
            kind=kind,
            title=title[:200],
            body=body,
            data=data or {},
            link=link,
            created_at=now,
        )
        db.session.add(notification)
        db.session.flush()
        events.emit(user_id, NOTIFICATION_CREATED, notification=out(notification))
        if email_preferences(user_id).get(kind, True):
            _queue_email(user, kind, title, body, link)
        created.append(notification)
    return created


def unread_count(user_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock.now()


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )

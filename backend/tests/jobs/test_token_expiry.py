"""token.expiring: 7 days before a personal access token expires, once per token, by the sweep."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.jobs import run_sweeps
from app.jobs.token_expiry import take_key, token_expiry_notices
from app.models import AccessToken, Notification, User
from app.services import tokens
from tests.factories import create_user
from tests.smtp import Mailbox, text_of


def new_token(app: Flask, user_id: int, name: str, days: int) -> int:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        token, _ = tokens.create(user, name, ["read"], None, days)
        return token.id


def notices(app: Flask) -> list[tuple[int, str, str, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        return [(n.user_id, n.kind, n.title, n.data) for n in rows]


def sweep(app: Flask) -> int:
    with app.app_context():
        count = token_expiry_notices()
        db.session.commit()
        return int(count)


def test_a_notice_seven_days_before_expiry_once_per_token(
    app: Flask, clock: Any, send_mail: Any, mailbox: Mailbox
) -> None:
    user_id, email = create_user(app, "tokens@example.com")
    other_id, _ = create_user(app)
    token_id = new_token(app, user_id, "backup script", days=30)
    revoked_id = new_token(app, other_id, "revoked", days=30)
    with app.app_context():
        revoked = db.session.get(AccessToken, revoked_id)
        live = db.session.get(AccessToken, token_id)
        assert revoked is not None and live is not None
        revoked.revoked_at = clock.now()
        expires = live.expires_at.astimezone(UTC)
        db.session.commit()

    clock.advance(days=23, seconds=-1)  # 7 days and a second left: not yet
    assert sweep(app) == 0
    clock.advance(seconds=1)  # exactly 7 days left
    assert sweep(app) == 1
    assert notices(app) == [
        (
            user_id,
            "token.expiring",
            f'Your access token "backup script" expires on {expires:%Y-%m-%d}',
            {"token_id": token_id, "name": "backup script", "expires_at": expires.isoformat()},
        )
    ]
    clock.advance(days=3)
    assert sweep(app) == 0  # once per token
    clock.advance(days=5)  # expired
    assert sweep(app) == 0
    assert len(notices(app)) == 1

    assert send_mail() == 1
    [message] = mailbox.messages
    assert message["To"] == email
    assert message["Subject"] == f'Your access token "backup script" expires on {expires:%Y-%m-%d}'
    assert "/settings/security" in text_of(message)


def test_the_sweep_runs_it_and_a_taken_key_is_never_taken_twice(app: Flask, clock: Any) -> None:
    user_id, _ = create_user(app)
    token_id = new_token(app, user_id, "ci", days=5)
    with app.app_context():
        assert take_key(f"token:{token_id}:expiring") is True  # as a concurrent worker would
        assert take_key(f"token:{token_id}:expiring") is False
        db.session.commit()
        assert run_sweeps("sweep")["app.jobs.token_expiry.token_expiry_notices"] is True
    assert notices(app) == []

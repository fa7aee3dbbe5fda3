"""Notifications (PRODUCT §12): one per member concerned, the live event, e-mail per preference,
the list with its unread count, read and read-all, and the e-mail preferences of /me."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMessage
from app.services import notifications
from tests.api.households_helpers import listen, member, stop_listening  # noqa: F401
from tests.factories import Account, account

KINDS = {
    "budget.threshold": True,
    "budget.forecast": True,
    "usage.anomaly": True,
    "reading.overdue": True,
    "token.expiring": True,
    "invitation.accepted": True,
    "webhook.disabled": True,
}


def _notify(app: Flask, household_id: int | None, kind: str = "budget.threshold", **kwargs: Any) -> list[int]:
    with app.app_context():
        made = notifications.notify(
            household_id,
            kind,
            kwargs.pop("title", "Electricity budget at 80%"),
            kwargs.pop("body", "80.5 of 100 kWh used."),
            kwargs.pop("data", {"budget_id": 1}),
            link=kwargs.pop("link", "/budgets"),
            **kwargs,
        )
        db.session.commit()
        return [n.user_id for n in made]


def _outbox(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(m.recipient, m.subject) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_one_notification_per_member_concerned_with_its_event(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, name="Olga")
    editor = member(app, client, owner.household_id, "editor", "editor@example.com")
    viewer = member(app, client, owner.household_id, "viewer", "viewer@example.com")
    heard = {who.id: listen(app, who.id) for who in (owner, editor, viewer)}

    assert _notify(app, owner.household_id) == sorted([owner.id, editor.id, viewer.id])
    for who in (owner, editor, viewer):
        [event] = heard[who.id]
        assert event["type"] == "notification.created"
        assert event["notification"]["kind"] == "budget.threshold"
        assert event["notification"]["household_id"] == owner.household_id
        assert event["notification"]["read_at"] is None
    # Owners only for an accepted invitation; editors and owners for an overdue reading.
    assert _notify(app, owner.household_id, "invitation.accepted") == [owner.id]
    assert _notify(app, owner.household_id, "reading.overdue") == sorted([owner.id, editor.id])


def test_the_e_mail_links_to_the_page_and_follows_the_preference(
    app: Flask, client: FlaskClient, mailbox: Any, send_mail: Any
) -> None:
    owner = account(app, client)
    viewer = member(app, client, owner.household_id, "viewer", "quiet@example.com")
    response = client.patch(
        "/api/auth/me", headers=viewer.headers, json={"preferences": {"notify_email": {"budget.threshold": False}}}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["preferences"]["notify_email"] == {**KINDS, "budget.threshold": False}

    _notify(app, owner.household_id)
    assert _outbox(app) == [(owner.email, "Electricity budget at 80%")]
    assert send_mail() == 1
    [message] = mailbox.wait_for(1)
    from tests.smtp import html_of, text_of

    assert "80.5 of 100 kWh used." in text_of(message)
    assert "http://localhost:3000/budgets" in text_of(message)
    assert 'href="http://localhost:3000/budgets"' in html_of(message)
    # Another kind still reaches the viewer by e-mail.
    _notify(app, owner.household_id, "budget.forecast", title="Forecast above the budget")
    assert _outbox(app)[1:] == [
        (owner.email, "Forecast above the budget"),
        ("quiet@example.com", "Forecast above the budget"),
    ]


def test_the_e_mail_is_sent_once_the_notice_commits_not_by_the_next_round(
    app: Flask, client: FlaskClient, make_app: Any, mailbox: Any
) -> None:
    owner = account(app, client)
    inline = make_app(JOBS_URL="immediate://")  # jobs run as they are queued
    with inline.app_context():
        notifications.notify(owner.household_id, "budget.threshold", "Budget at 80%", "80 of 100 kWh.", {})
        assert mailbox.messages == []  # nothing leaves before the commit
        db.session.commit()
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Budget at 80%"


def test_me_shows_every_kind_on_by_default_and_refuses_unknown_kinds(app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    me = client.get("/api/auth/me", headers=who.headers).get_json()
    assert me["preferences"] == {"currency": "USD", "timezone": "UTC", "notify_email": KINDS}
    for bad in ({"nope": True}, {"usage.anomaly": "yes"}, ["usage.anomaly"]):
        response = client.patch("/api/auth/me", headers=who.headers, json={"preferences": {"notify_email": bad}})
        assert response.status_code == 422, bad
        assert response.get_json()["error"]["code"] == "validation_error"
        assert response.get_json()["error"]["details"][0]["loc"][:3] == ["body", "preferences", "notify_email"]
    assert client.get("/api/auth/me", headers=who.headers).get_json()["preferences"]["notify_email"] == KINDS


def _list(client: FlaskClient, who: Account, query: str = "") -> Any:
    response = client.get(f"/api/notifications{query}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_list_unread_read_and_read_all(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 3, 8, tzinfo=UTC)
    who = account(app, client)
    other = account(app, client)
    for n in range(3):
        _notify(app, who.household_id, title=f"Notice {n}", data={"n": n})
    _notify(app, other.household_id, title="Not yours")

    page = _list(client, who, "?per_page=2")
    assert [item["title"] for item in page["items"]] == ["Notice 2", "Notice 1"]
    first = page["items"][0]
    assert first == {
        "id": first["id"],
        "household_id": who.household_id,
        "kind": "budget.threshold",
        "title": "Notice 2",
        "body": "80.5 of 100 kWh used.",
        "data": {"n": 2},
        "link": "/budgets",
        "created_at": "2026-11-03T08:00:00+00:00",
        "read_at": None,
    }
    assert {k: page[k] for k in ("page", "per_page", "total", "pages", "unread_count")} == {
        "page": 1,
        "per_page": 2,
        "total": 3,
        "pages": 2,
        "unread_count": 3,
    }

    clock.advance(minutes=5)
    response = client.post(f"/api/notifications/{first['id']}/read", headers=who.headers)
    assert response.status_code == 200
    assert response.get_json() == {**first, "read_at": "2026-11-03T08:05:00+00:00"}
    unread = _list(client, who, "?unread=true")
    assert [item["title"] for item in unread["items"]] == ["Notice 1", "Notice 0"]
    assert (unread["total"], unread["unread_count"]) == (2, 2)

    # Someone else's notification does not exist for you.
    theirs = _list(client, other)["items"][0]["id"]
    response = client.post(f"/api/notifications/{theirs}/read", headers=who.headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.post("/api/notifications/2147483648/read", headers=who.headers).status_code == 404

    response = client.post("/api/notifications/read-all", headers=who.headers)
    assert (response.status_code, response.get_json()) == (200, {"unread_count": 0})
    assert _list(client, who)["unread_count"] == 0
    assert _list(client, other)["unread_count"] == 1
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at).where(Notification.id == theirs)) is None


def test_a_former_members_notices_of_that_household_are_hidden(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client)
    viewer = member(app, client, owner.household_id, "viewer", "leaver@example.com")
    _notify(app, owner.household_id)
    _notify(app, None, "token.expiring", user_ids=[viewer.id], title="Your token expires soon", link=None)
    assert [n["kind"] for n in _list(client, viewer)["items"]] == ["token.expiring", "budget.threshold"]
    response = client.delete(f"/api/households/{owner.household_id}/members/{viewer.id}", headers=owner.headers)
    assert response.status_code == 204
    listed = _list(client, viewer)
    assert [n["kind"] for n in listed["items"]] == ["token.expiring"]
    assert listed["unread_count"] == 1


def test_unread_must_be_a_boolean(app: Flask, client: FlaskClient) -> None:
    who = account(app, client)
    response = client.get("/api/notifications?unread=maybe", headers=who.headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["loc"] == ["query", "unread"]

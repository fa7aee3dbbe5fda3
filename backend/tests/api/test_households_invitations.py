"""Invitations: created by owners, e-mailed through the outbox, accepted once by the invited address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from tests.factories import account
from tests.smtp import Mailbox, html_of, link_token, text_of

from .households_helpers import home_id, member

BAD_TOKEN = {
    "code": "validation_error",
    "message": "The invitation link is invalid, expired or already used.",
    "details": [
        {
            "loc": ["body", "token"],
            "msg": "The invitation link is invalid, expired or already used.",
            "type": "invalid_token",
        }
    ],
}


def _invite(client: FlaskClient, headers: dict[str, str], household: int, email: str, role: str = "editor") -> Any:
    return client.post(f"/api/households/{household}/invitations", headers=headers, json={"email": email, "role": role})


def _token(app: Flask, email: str) -> str:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None and message.kind == "invitation"
        text = message.text_body
    marker = "/invitations/accept?token="
    return text.split(marker, 1)[1].split()[0]


def test_create_answers_the_invitation_and_lists_it(app: Flask, client: FlaskClient, clock: Any) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = _invite(client, owner.headers, household, "Friend@Example.com", "viewer")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "email": "friend@example.com",
        "role": "viewer",
        "created_at": clock.now().isoformat(),
        "expires_at": (clock.now() + timedelta(days=7)).isoformat(),
    }
    listed = client.get(f"/api/households/{household}/invitations", headers=owner.headers).get_json()
    assert listed == {"items": [body]}


def test_inviting_again_replaces_the_pending_invitation(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    friend = account(app, client, "friend@example.com")
    household = home_id(client, owner)
    first = _invite(client, owner.headers, household, "friend@example.com", "viewer").get_json()
    old_token = _token(app, "friend@example.com")
    second = _invite(client, owner.headers, household, "friend@example.com", "editor").get_json()
    assert second["id"] != first["id"] and second["role"] == "editor"
    listed = client.get(f"/api/households/{household}/invitations", headers=owner.headers).get_json()["items"]
    assert [i["id"] for i in listed] == [second["id"]]
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": old_token})
    assert response.status_code == 422
    assert response.get_json()["error"] == BAD_TOKEN


def test_only_owners_invite_and_members_cannot_be_invited(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    stranger = account(app, client, "stranger@example.com")
    assert _invite(client, editor.headers, household, "new@example.com").status_code == 403
    assert client.get(f"/api/households/{household}/invitations", headers=editor.headers).status_code == 403
    assert _invite(client, stranger.headers, household, "new@example.com").status_code == 404
    response = _invite(client, owner.headers, household, "EDITOR@example.com")
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "This address belongs to a member of the household already."
    response = client.post(
        f"/api/households/{household}/invitations", headers=owner.headers, json={"email": "nope", "role": "boss"}
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["body", "email"], ["body", "role"]]


def test_the_invitation_flow_over_smtp(app: Flask, client: FlaskClient, mailbox: Mailbox, send_mail: Any) -> None:
    owner = account(app, client, "owner@example.com", name="Olive Owner")
    household = home_id(client, owner)
    assert _invite(client, owner.headers, household, "friend@example.com", "editor").status_code == 201
    assert send_mail() == 1
    [message] = mailbox.messages
    assert message["To"] == "friend@example.com"
    assert message["Subject"] == "You are invited to a Meterbook household"
    text = text_of(message)
    assert 'Olive Owner invites you to the household "Home" on Meterbook, as editor.' in text
    token = link_token(message, "invitations/accept")
    assert f"{app.config['FRONTEND_URL']}/invitations/accept?token={token}" in text
    assert f"{app.config['FRONTEND_URL']}/invitations/accept?token={token}" in html_of(message)

    friend = account(app, client, "Friend@example.com")
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": token})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["name"], body["role"], body["member_count"]) == (household, "Home", "editor", 2)
    members = client.get(f"/api/households/{household}/members", headers=owner.headers).get_json()["items"]
    assert [(m["email"], m["role"]) for m in members] == [
        ("owner@example.com", "owner"),
        ("friend@example.com", "editor"),
    ]
    assert client.get(f"/api/households/{household}/invitations", headers=owner.headers).get_json() == {"items": []}
    # single use
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": token})
    assert response.status_code == 422
    assert response.get_json()["error"] == BAD_TOKEN


def test_accepting_needs_the_invited_verified_address(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    _invite(client, owner.headers, household, "friend@example.com")
    token = _token(app, "friend@example.com")
    other = account(app, client, "other@example.com")
    response = client.post("/api/invitations/accept", headers=other.headers, json={"token": token})
    assert response.status_code == 403
    assert response.get_json()["error"] == {
        "code": "forbidden",
        "message": "This invitation was sent to another e-mail address.",
    }
    # the invitation is still there for the right person
    friend = account(app, client, "friend@example.com")
    assert client.post("/api/invitations/accept", headers=friend.headers, json={"token": token}).status_code == 200


def test_expired_withdrawn_foreign_and_garbage_tokens_answer_422(app: Flask, client: FlaskClient, clock: Any) -> None:
    owner = account(app, client, "owner@example.com")
    friend = account(app, client, "friend@example.com")
    household = home_id(client, owner)

    _invite(client, owner.headers, household, "friend@example.com")
    expiring = _token(app, "friend@example.com")
    clock.advance(days=7, seconds=1)
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": expiring})
    assert (response.status_code, response.get_json()["error"]) == (422, BAD_TOKEN)
    assert client.get(f"/api/households/{household}/invitations", headers=owner.headers).get_json() == {"items": []}

    invitation = _invite(client, owner.headers, household, "friend@example.com").get_json()
    withdrawn = _token(app, "friend@example.com")
    url = f"/api/households/{household}/invitations/{invitation['id']}"
    assert client.delete(url, headers=owner.headers).status_code == 204
    assert client.delete(url, headers=owner.headers).status_code == 404
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": withdrawn})
    assert (response.status_code, response.get_json()["error"]) == (422, BAD_TOKEN)

    for token in ("garbage", expiring[:-2] + "xx"):
        response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": token})
        assert (response.status_code, response.get_json()["error"]) == (422, BAD_TOKEN)


def test_a_token_for_a_deleted_household_answers_422(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    friend = account(app, client, "friend@example.com")
    household = client.post("/api/households", headers=owner.headers, json={"name": "Cabin"}).get_json()["id"]
    _invite(client, owner.headers, household, "friend@example.com")
    token = _token(app, "friend@example.com")
    assert client.delete(f"/api/households/{household}?confirm=Cabin", headers=owner.headers).status_code == 204
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": token})
    assert (response.status_code, response.get_json()["error"]) == (422, BAD_TOKEN)


def test_a_signed_token_of_another_purpose_is_refused(app: Flask, client: FlaskClient) -> None:
    from app.services import signed_tokens

    friend = account(app, client, "friend@example.com")
    with app.test_request_context():
        token = signed_tokens.make_token(signed_tokens.VERIFY_EMAIL, 1, "x")
    response = client.post("/api/invitations/accept", headers=friend.headers, json={"token": token})
    assert (response.status_code, response.get_json()["error"]) == (422, BAD_TOKEN)

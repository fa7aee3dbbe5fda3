"""WS /ws opened with a personal access token (PRODUCT §13: ``read`` allows the WebSocket):
only the token's households, refusals with 4401 and the token's error code, and the socket
closing when the token is revoked or expires while connected."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.models import AccessToken, User
from app.services import clock
from tests import test_live
from tests.factories import account, join
from tests.test_live import Live, http, token

# the live server and socket fixtures of the WebSocket tests
live_host, sockets, connect = test_live.live_host, test_live.sockets, test_live.connect


def make_token(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/api/auth/tokens", json={"name": "live", "scopes": ["read"], **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def refused(live_host: str, raw: str) -> tuple[int | None, str]:
    live = Live(live_host)
    try:
        live.send({"type": "auth", "token": raw})
        closed = live.expect_close()
        return closed.code, closed.reason
    finally:
        live.close()


def test_a_read_token_receives_only_its_households_events(
    app: Flask, client: FlaskClient, live_host: str, connect: Any
) -> None:
    owner, other = account(app, client), account(app, client)
    join(app, owner.id, other.household_id, "editor")  # the owner is a member of two households
    pat = make_token(client, owner.headers, household_ids=[owner.household_id])
    live = connect(pat["token"])

    body = {"meter_id": other.meters["Gas"], "date": "2026-03-02", "amount": 7}
    status, _ = http(live_host, "POST", "/api/records", token(other), body)
    assert status == 201
    body = {"meter_id": owner.meters["Water"], "date": "2026-03-02", "amount": 1.5}
    status, record = http(live_host, "POST", "/api/records", token(owner), body)
    assert status == 201
    # the first event is of the token's household: the other household's record never arrived
    assert live.recv_event() == {"type": "record.created", "household_id": owner.household_id, "record": record}
    live.assert_silent(0.5)

    with app.app_context():
        used = db.session.scalars(select(AccessToken)).one()
        assert used.last_used_at is not None
        assert used.last_used_ip == "127.0.0.1"


def test_a_token_without_read_is_refused(app: Flask, client: FlaskClient, live_host: str) -> None:
    acc = account(app, client)
    pat = make_token(client, acc.headers, scopes=["write"])
    assert refused(live_host, pat["token"]) == (4401, "This token lacks the read scope.")


def test_unknown_expired_and_revoked_tokens_are_refused(app: Flask, client: FlaskClient, live_host: str) -> None:
    acc = account(app, client)
    expired, revoked = make_token(client, acc.headers), make_token(client, acc.headers)
    with app.app_context():
        db.session.execute(
            update(AccessToken)
            .where(AccessToken.id == expired["id"])
            .values(expires_at=clock.now() - timedelta(seconds=1))
        )
        db.session.commit()
    assert client.delete(f"/api/auth/tokens/{revoked['id']}", headers=acc.headers).status_code == 204

    assert refused(live_host, expired["token"]) == (4401, "token_expired: The token has expired.")
    assert refused(live_host, revoked["token"]) == (4401, "token_revoked: The token has been revoked.")
    assert refused(live_host, "mbp_" + "A" * 40) == (4401, "The token is invalid.")


def test_revoking_the_token_closes_its_socket_at_once(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    pat, kept = make_token(client, acc.headers), make_token(client, acc.headers)
    live, untouched = connect(pat["token"]), connect(kept["token"])
    session_socket = connect(token(acc))
    started = time.monotonic()
    assert client.delete(f"/api/auth/tokens/{pat['id']}", headers=acc.headers).status_code == 204
    closed = live.expect_close()
    assert (closed.code, closed.reason) == (4401, "token_revoked: The token has been revoked.")
    assert time.monotonic() - started < 5  # far below the 25 s ping interval
    untouched.assert_silent(0.3)
    session_socket.assert_silent(0.3)


def test_a_token_expiring_while_connected_closes_its_socket(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    pat = make_token(client, acc.headers)
    with app.app_context():
        db.session.execute(
            update(AccessToken).where(AccessToken.id == pat["id"]).values(expires_at=clock.now() + timedelta(seconds=2))
        )
        db.session.commit()
    live = connect(pat["token"])
    closed = live.expect_close()
    assert (closed.code, closed.reason) == (4401, "token_expired: The token has expired.")


def test_a_token_for_every_household_follows_the_memberships(
    app: Flask, client: FlaskClient, live_host: str, connect: Any
) -> None:
    owner, other = account(app, client), account(app, client)
    pat = make_token(client, owner.headers)
    with app.app_context():  # a token stored without a list: every household of the user, now and later
        db.session.execute(update(AccessToken).where(AccessToken.id == pat["id"]).values(household_ids=None))
        db.session.commit()
    live = connect(pat["token"])
    test_live._wait_for_subscriptions(app, 2)  # the user's key and the one household's
    join(app, owner.id, other.household_id, "viewer")
    test_live._wait_for_subscriptions(app, 3)  # and now the household joined

    body = {"meter_id": other.meters["Gas"], "date": "2026-03-02", "amount": 7}
    status, record = http(live_host, "POST", "/api/records", token(other), body)
    assert status == 201
    assert live.recv_event() == {"type": "record.created", "household_id": other.household_id, "record": record}


def test_deactivating_the_user_closes_a_token_socket_at_once(app: Flask, client: FlaskClient, connect: Any) -> None:
    acc = account(app, client)
    live = connect(make_token(client, acc.headers)["token"])
    with app.app_context():
        user = db.session.get(User, acc.id)
        assert user is not None
        user.is_active = False
        db.session.commit()
    closed = live.expect_close()
    assert (closed.code, closed.reason) == (4401, "The account no longer exists or has been deactivated.")

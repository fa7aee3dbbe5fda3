"""Personal access tokens (PRODUCT §13): creation, use, scopes, household restriction,
expiry, revocation and the events that end them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AccessToken
from tests.api.security_helpers import error
from tests.factories import account, add_meter
from tests.http import bearer
from tests.smtp import Mailbox, link_token


def make_token(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(
        "/api/auth/tokens", json={"name": "script", "scopes": ["read", "write"], **body}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_create_answers_the_token_once_and_stores_only_its_hash(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    body = make_token(client, acct.headers, name="Home Assistant", scopes=["write", "read"])
    assert set(body) == {"id", "name", "scopes", "household_ids", "prefix", "token", "created_at", "expires_at"}
    assert re.fullmatch(r"mbp_[A-Za-z0-9_-]{40}", body["token"])
    assert body["prefix"] == body["token"][:12]
    assert body["scopes"] == ["read", "write"]
    assert body["household_ids"] == [acct.household_id]
    assert body["name"] == "Home Assistant"
    created = datetime.fromisoformat(body["created_at"])
    assert created == clock.now().replace(microsecond=created.microsecond)
    assert datetime.fromisoformat(body["expires_at"]) - created == timedelta(days=90)
    with app.app_context():
        stored = db.session.scalars(select(AccessToken)).one()
        assert body["token"] not in (stored.token_hash, stored.prefix)
        assert len(stored.token_hash) == 64
    listed = client.get("/api/auth/tokens", headers=acct.headers).get_json()
    assert listed == {
        "items": [
            {
                "id": body["id"],
                "name": "Home Assistant",
                "scopes": ["read", "write"],
                "household_ids": [acct.household_id],
                "prefix": body["prefix"],
                "created_at": body["created_at"],
                "expires_at": body["expires_at"],
                "last_used_at": None,
                "last_used_ip": None,
            }
        ]
    }


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"expires_in_days": 0}, ["body", "expires_in_days"]),
        ({"expires_in_days": 366}, ["body", "expires_in_days"]),
        ({"scopes": []}, ["body", "scopes"]),
        ({"scopes": ["admin"]}, ["body", "scopes", 0]),
        ({"scopes": ["read", "read"]}, ["body", "scopes"]),
        ({"name": ""}, ["body", "name"]),
        ({"household_ids": []}, ["body", "household_ids"]),
    ],
)
def test_create_refuses_bad_input(app: Flask, client: FlaskClient, change: dict[str, Any], loc: list[Any]) -> None:
    acct = account(app, client)
    response = client.post(
        "/api/auth/tokens", json={"name": "script", "scopes": ["read"], **change}, headers=acct.headers
    )
    assert response.status_code == 422
    assert [d["loc"] for d in error(response)["details"]] == [loc]


def test_expiry_of_one_and_365_days(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    for days in (1, 365):
        body = make_token(client, acct.headers, expires_in_days=days)
        span = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["created_at"])
        assert span == timedelta(days=days)


def test_a_household_of_someone_else_is_refused(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    other = account(app, client)
    response = client.post(
        "/api/auth/tokens",
        json={"name": "x", "scopes": ["read"], "household_ids": [other.household_id]},
        headers=acct.headers,
    )
    assert response.status_code == 422
    assert error(response)["details"] == [
        {"loc": ["body", "household_ids"], "msg": "Each id must name one of your households.", "type": "not_found"}
    ]


def test_a_token_reads_and_writes_with_its_scopes(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    read = make_token(client, acct.headers, scopes=["read"])["token"]
    write = make_token(client, acct.headers, scopes=["write"])["token"]
    record = {"meter_id": acct.meters["Electricity"], "date": "2026-11-01", "amount": 3.5}
    assert client.get("/api/meters", headers=bearer(read)).status_code == 200
    refused = client.post("/api/records", json=record, headers=bearer(read))
    assert refused.status_code == 403
    assert error(refused) == {"code": "forbidden", "message": "This token lacks the write scope."}
    created = client.post("/api/records", json=record, headers=bearer(write))
    assert created.status_code == 201
    assert created.get_json()["amount"] == 3.5
    assert client.get("/api/records", headers=bearer(write)).status_code == 403
    summary = client.get("/api/analytics/summary?date_from=2026-11-01&date_to=2026-11-30", headers=bearer(read))
    assert summary.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/api/auth/me", None),
        ("patch", "/api/auth/me", {"name": "X"}),
        ("get", "/api/auth/tokens", None),
        ("post", "/api/auth/tokens", {"name": "x", "scopes": ["read"]}),
        ("delete", "/api/auth/tokens/1", None),
        ("post", "/api/auth/me/password", {"current_password": "x", "password": "y" * 10}),
        ("post", "/api/auth/2fa/setup", {"password": "x"}),
        ("delete", "/api/auth/me", {"password": "x"}),
        ("post", "/api/auth/logout-all", None),
        ("get", "/api/households", None),
        ("get", "/api/admin/users", None),
    ],
)
def test_a_token_cannot_reach_the_account_or_household_settings(
    app: Flask, client: FlaskClient, method: str, path: str, payload: Any
) -> None:
    acct = account(app, client, role="admin")
    token = make_token(client, acct.headers)["token"]
    response = getattr(client, method)(path, json=payload, headers=bearer(token))
    assert response.status_code == 403
    assert error(response) == {
        "code": "forbidden",
        "message": "Personal access tokens cannot be used here; sign in instead.",
    }
    assert len(client.get("/api/auth/tokens", headers=acct.headers).get_json()["items"]) == 1


def test_last_use_is_recorded_at_most_once_a_minute(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    body = make_token(client, acct.headers)

    def last_used() -> tuple[str | None, str | None]:
        [item] = client.get("/api/auth/tokens", headers=acct.headers).get_json()["items"]
        return item["last_used_at"], item["last_used_ip"]

    first_use = clock.now()
    client.get("/api/meters", headers=bearer(body["token"]))
    at, ip = last_used()
    assert ip == "127.0.0.1"
    assert datetime.fromisoformat(at) == first_use  # type: ignore[arg-type]
    clock.advance(seconds=59)
    client.get("/api/meters", headers=bearer(body["token"]))
    assert last_used()[0] == at
    clock.advance(seconds=2)
    client.get("/api/meters", headers=bearer(body["token"]), environ_base={"REMOTE_ADDR": "10.0.0.7"})
    at2, ip2 = last_used()
    assert datetime.fromisoformat(at2) == first_use + timedelta(seconds=61)  # type: ignore[arg-type]
    assert ip2 == "10.0.0.7"


def test_expired_revoked_and_unknown_tokens_are_401(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    short = make_token(client, acct.headers, expires_in_days=1)
    revoked = make_token(client, acct.headers)
    assert client.delete(f"/api/auth/tokens/{revoked['id']}", headers=acct.headers).status_code == 204
    assert client.delete(f"/api/auth/tokens/{revoked['id']}", headers=acct.headers).status_code == 404
    gone = client.get("/api/meters", headers=bearer(revoked["token"]))
    assert gone.status_code == 401
    assert error(gone) == {"code": "token_revoked", "message": "The token has been revoked."}
    assert client.get("/api/meters", headers=bearer(short["token"])).status_code == 200
    clock.advance(days=1)
    expired = client.get("/api/meters", headers=bearer(short["token"]))
    assert expired.status_code == 401
    assert error(expired) == {"code": "token_expired", "message": "The token has expired."}
    unknown = client.get("/api/meters", headers=bearer("mbp_" + "A" * 40))
    assert unknown.status_code == 401
    assert error(unknown)["code"] == "unauthorized"
    # The list shows only the tokens that still work.
    assert client.get("/api/auth/tokens", headers=acct.headers).get_json()["items"] == []


def test_someone_elses_token_cannot_be_revoked(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    other = account(app, client)
    theirs = make_token(client, other.headers)
    assert client.delete(f"/api/auth/tokens/{theirs['id']}", headers=acct.headers).status_code == 404
    assert client.get("/api/meters", headers=bearer(theirs["token"])).status_code == 200


def test_signing_out_everywhere_ends_sessions_and_tokens(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    token = make_token(client, acct.headers)["token"]
    assert client.post("/api/auth/logout-all", headers=acct.headers).status_code == 204
    assert error(client.get("/api/meters", headers=bearer(token)))["code"] == "token_revoked"
    assert error(client.get("/api/auth/me", headers=acct.headers))["code"] == "token_revoked"


def test_deactivation_ends_tokens(app: Flask, client: FlaskClient) -> None:
    admin = account(app, client, role="admin")
    acct = account(app, client)
    token = make_token(client, acct.headers)["token"]
    assert (
        client.patch(f"/api/admin/users/{acct.id}", json={"is_active": False}, headers=admin.headers).status_code == 200
    )
    assert client.get("/api/meters", headers=bearer(token)).status_code == 401
    client.patch(f"/api/admin/users/{acct.id}", json={"is_active": True}, headers=admin.headers)
    assert error(client.get("/api/meters", headers=bearer(token)))["code"] == "token_revoked"


def test_deleting_the_account_ends_tokens(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    token = make_token(client, acct.headers)["token"]
    assert client.delete("/api/auth/me", json={"password": acct.password}, headers=acct.headers).status_code == 204
    assert error(client.get("/api/meters", headers=bearer(token)))["code"] == "unauthorized"


def test_a_password_reset_ends_tokens_and_a_password_change_does_not(
    app: Flask, client: FlaskClient, mailbox: Mailbox, send_mail: Any
) -> None:
    acct = account(app, client)
    token = make_token(client, acct.headers)["token"]
    changed = client.post(
        "/api/auth/me/password",
        json={"current_password": acct.password, "password": "another long password"},
        headers=acct.headers,
    )
    assert changed.status_code == 204
    assert client.get("/api/meters", headers=bearer(token)).status_code == 200
    client.post("/api/auth/forgot-password", json={"email": acct.email})
    send_mail()
    reset_token = link_token(mailbox.messages[-1], "reset-password")
    reset = client.post("/api/auth/reset-password", json={"token": reset_token, "password": "a third password!"})
    assert reset.status_code == 200
    assert error(client.get("/api/meters", headers=bearer(token)))["code"] == "token_revoked"


def test_a_token_limited_to_one_household_sees_no_other(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    flat = client.post("/api/households", json={"name": "Flat"}, headers=acct.headers).get_json()["id"]
    flat_meter = add_meter(app, acct.id, "Flat power", "electricity", "kWh", household_id=flat)
    limited = make_token(client, acct.headers, household_ids=[acct.household_id])
    assert limited["household_ids"] == [acct.household_id]
    headers = bearer(limited["token"])
    meters = client.get("/api/meters", headers=headers).get_json()["items"]
    assert sorted(m["id"] for m in meters) == sorted(acct.meters.values())
    assert client.get(f"/api/meters/{flat_meter}", headers=headers).status_code == 404
    narrowed = client.get(f"/api/meters?household_id={flat}", headers=headers)
    assert narrowed.status_code == 422
    assert error(narrowed)["details"][0]["loc"] == ["query", "household_id"]
    write = client.post(
        "/api/records", json={"meter_id": flat_meter, "date": "2026-11-01", "amount": 1}, headers=headers
    )
    assert write.status_code == 422
    assert error(write)["details"][0]["loc"] == ["body", "meter_id"]
    # The same user's session still sees both households; a token for all sees them too.
    assert client.get(f"/api/meters/{flat_meter}", headers=acct.headers).status_code == 200
    both = make_token(client, acct.headers)
    assert both["household_ids"] == sorted([acct.household_id, flat])
    assert client.get(f"/api/meters/{flat_meter}", headers=bearer(both["token"])).status_code == 200


def test_a_viewer_token_still_cannot_write(app: Flask, client: FlaskClient) -> None:
    from tests.factories import join

    owner = account(app, client)
    viewer = account(app, client)
    join(app, viewer.id, owner.household_id, "viewer")
    token = make_token(client, viewer.headers, household_ids=[owner.household_id])["token"]
    response = client.post(
        "/api/records",
        json={"meter_id": owner.meters["Electricity"], "date": "2026-11-01", "amount": 1},
        headers=bearer(token),
    )
    assert response.status_code == 403

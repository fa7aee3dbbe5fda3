"""Webhooks: owners manage them, the URL guard refuses private targets, and every household event
becomes a delivery row in the transaction of the change (none when it rolls back)."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Record, Webhook, WebhookDelivery
from app.services import events, webhooks
from tests.factories import account

from .households_helpers import home_id, member

PUBLIC = "https://93.184.216.34/hook"  # an address literal: resolves without DNS
ALL = list(webhooks.EVENTS)
SHAPE = "must be an http or https URL with a host (and no user name)"


def _url(household: int, *rest: Any) -> str:
    return "/".join([f"/api/households/{household}/webhooks", *map(str, rest)])


def _create(client: FlaskClient, headers: dict[str, str], household: int, **body: Any) -> Any:
    return client.post(_url(household), headers=headers, json={"url": PUBLIC, "events": ["record.created"], **body})


def _deliveries(app: Flask) -> list[WebhookDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        db.session.expunge_all()
        return rows


def test_create_shows_the_secret_once(app: Flask, client: FlaskClient, clock: Any) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = _create(
        client,
        owner.headers,
        household,
        events=["reading.created", "record.created", "record.created"],
        description="Sheet",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) == 6 + 40
    expected = {
        "id": 1,
        "url": PUBLIC,
        "events": ["record.created", "reading.created"],  # documented order, no repeats
        "description": "Sheet",
        "enabled": True,
        "consecutive_failures": 0,
        "created_at": clock.now().isoformat(),
    }
    assert body == {**expected, "secret": secret}
    listed = client.get(_url(household), headers=owner.headers)
    assert listed.get_json() == {"items": [expected]}
    assert secret not in listed.get_data(as_text=True)
    assert client.get(_url(household, 1), headers=owner.headers).get_json() == expected
    assert _create(client, owner.headers, household).get_json()["secret"] != secret


def test_update_delete_and_turning_on_again_resets_the_failures(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    hook = _create(client, owner.headers, household).get_json()
    with app.app_context():
        db.session.get(Webhook, hook["id"]).consecutive_failures = 20  # type: ignore[union-attr]
        db.session.get(Webhook, hook["id"]).enabled = False  # type: ignore[union-attr]
        db.session.commit()
    changed = client.patch(
        _url(household, hook["id"]),
        headers=owner.headers,
        json={"url": "https://93.184.216.35/other", "events": ALL, "description": "All", "enabled": True},
    )
    assert changed.status_code == 200, changed.get_json()
    assert {k: changed.get_json()[k] for k in ("url", "events", "description", "enabled", "consecutive_failures")} == {
        "url": "https://93.184.216.35/other",
        "events": ALL,
        "description": "All",
        "enabled": True,
        "consecutive_failures": 0,
    }
    assert client.delete(_url(household, hook["id"]), headers=owner.headers).status_code == 204
    assert client.get(_url(household, hook["id"]), headers=owner.headers).status_code == 404
    assert client.get(_url(household), headers=owner.headers).get_json() == {"items": []}


def test_only_owners_non_members_see_nothing(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    stranger = account(app, client, "stranger@example.com")
    hook = _create(client, owner.headers, household).get_json()
    for who, status in ((editor, 403), (viewer, 403), (stranger, 404)):
        assert _create(client, who.headers, household).status_code == status
        for method, path in (
            ("GET", _url(household)),
            ("GET", _url(household, hook["id"])),
            ("PATCH", _url(household, hook["id"])),
            ("DELETE", _url(household, hook["id"])),
            ("POST", _url(household, hook["id"], "test")),
            ("GET", _url(household, hook["id"], "deliveries")),
        ):
            response = client.open(path, method=method, headers=who.headers, json={} if method == "PATCH" else None)
            assert response.status_code == status, (who.email, method, path)
    # Another household's webhook id under one's own household: 404.
    other = _create(client, stranger.headers, home_id(client, stranger)).get_json()
    assert client.get(_url(household, other["id"]), headers=owner.headers).status_code == 404
    assert client.get(_url(household, 2**40), headers=owner.headers).status_code == 404
    assert len(_deliveries(app)) == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "resolves to a loopback address (127.0.0.1)"),
        ("https://10.1.2.3/hook", "resolves to a private address (10.1.2.3)"),
        ("https://192.168.0.10:8443/hook", "resolves to a private address (192.168.0.10)"),
        ("https://169.254.169.254/latest/meta-data", "resolves to a private address (169.254.169.254)"),
        ("https://[::1]/hook", "resolves to a loopback address (::1)"),
        ("https://[::ffff:127.0.0.1]/hook", "resolves to a loopback address (127.0.0.1)"),
        ("https://[fe80::1]/hook", "resolves to a private address (fe80::1)"),
        ("https://0.0.0.0/hook", "resolves to a private address (0.0.0.0)"),
        ("https://224.0.0.1/hook", "resolves to a multicast address (224.0.0.1)"),
        ("https://240.0.0.1/hook", "resolves to a private address (240.0.0.1)"),
        ("https://100.64.0.1/hook", "resolves to a non-public address (100.64.0.1)"),
        ("https://localhost:9000/hook", "resolves to a loopback address (127.0.0.1)"),
        ("http://93.184.216.34/hook", "must be an https URL"),
        ("https://no-such-host.invalid/hook", "host 'no-such-host.invalid' could not be resolved"),
    ],
)
def test_urls_that_reach_inside_are_refused(app: Flask, client: FlaskClient, url: str, message: str) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = _create(client, owner.headers, household, url=url)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"] == [{"loc": ["body", "url"], "msg": message, "type": "url_refused"}]
    hook = _create(client, owner.headers, household).get_json()
    patched = client.patch(_url(household, hook["id"]), headers=owner.headers, json={"url": url})
    assert patched.status_code == 422
    assert client.get(_url(household), headers=owner.headers).get_json()["items"][0]["url"] == PUBLIC


def test_a_name_resolving_to_any_private_address_is_refused(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every address of the name is checked, not only the first."""
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)

    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "hooks.example.com"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    response = _create(client, owner.headers, household, url="https://hooks.example.com/in")
    assert response.get_json()["error"]["details"][0]["msg"] == "resolves to a private address (10.0.0.7)"


def test_configuration_allows_http_and_private_addresses(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", True)
    assert _create(client, owner.headers, household, url="http://127.0.0.1:9/x").status_code == 422
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    assert _create(client, owner.headers, household, url="http://127.0.0.1:9/x").status_code == 201
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", False)
    refused = _create(client, owner.headers, household, url="http://127.0.0.1:9/x")
    assert refused.get_json()["error"]["details"][0]["msg"] == "must be an https URL"


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"url": "ftp://93.184.216.34/"}, ["body", "url"], SHAPE),
        ({"url": "https://user:pw@93.184.216.34/"}, ["body", "url"], SHAPE),
        ({"url": "https:///path"}, ["body", "url"], SHAPE),
        ({"url": "https://exa mple.com/"}, ["body", "url"], SHAPE),
        ({"url": "https://93.184.216.34:99999/"}, ["body", "url"], "has an invalid port"),
        ({"url": "https://[::zz]/"}, ["body", "url"], None),
        ({"events": []}, ["body", "events"], "List should have at least 1 item after validation, not 0"),
        ({"events": ["auth.changed"]}, ["body", "events", 0], None),
        ({"events": ["webhook.test"]}, ["body", "events", 0], None),
        ({"description": "x" * 201}, ["body", "description"], "String should have at most 200 characters"),
    ],
)
def test_bad_input(app: Flask, client: FlaskClient, body: dict[str, Any], loc: list[Any], msg: str | None) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = _create(client, owner.headers, household, **body)
    assert response.status_code == 422
    [detail] = response.get_json()["error"]["details"]
    assert detail["loc"] == loc
    if msg is not None:
        assert detail["msg"] == msg
    assert client.get(_url(household), headers=owner.headers).get_json() == {"items": []}


def test_household_events_become_deliveries_of_subscribed_enabled_webhooks(
    app: Flask, client: FlaskClient, clock: Any
) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    stranger = account(app, client, "stranger@example.com")
    records = _create(client, owner.headers, household, events=["record.created", "record.deleted"]).get_json()
    meters = _create(client, owner.headers, household, events=["meter.changed"]).get_json()
    off = _create(client, owner.headers, household, events=["record.created"]).get_json()
    client.patch(_url(household, off["id"]), headers=owner.headers, json={"enabled": False})
    _create(client, stranger.headers, home_id(client, stranger), events=ALL)

    created = client.post(
        "/api/records",
        headers=owner.headers,
        json={"meter_id": owner.meters["Water"], "date": "2026-01-02", "amount": 5},
    ).get_json()
    rows = _deliveries(app)
    assert [(row.webhook_id, row.event, row.status, row.attempt) for row in rows] == [
        (records["id"], "record.created", "pending", 0)
    ]
    [row] = rows
    assert row.next_attempt_at == clock.now()
    assert json.loads(row.payload) == {
        "id": row.delivery_id,
        "type": "record.created",
        "household_id": household,
        "created_at": clock.now().isoformat(),
        "data": {"record": created},
    }
    assert client.delete(f"/api/records/{created['id']}", headers=owner.headers).status_code == 204
    client.patch(f"/api/meters/{owner.meters['Water']}", headers=owner.headers, json={"name": "Cold water"})
    rows = _deliveries(app)
    assert [(row.webhook_id, row.event) for row in rows] == [
        (records["id"], "record.created"),
        (records["id"], "record.deleted"),
        (meters["id"], "meter.changed"),
    ]
    assert json.loads(rows[1].payload)["data"] == {"id": created["id"]}
    assert json.loads(rows[2].payload)["data"]["meter"]["name"] == "Cold water"


def test_a_rolled_back_write_leaves_no_delivery(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    _create(client, owner.headers, household, events=ALL)
    with app.app_context():
        events.emit_household(household, "record.deleted", id=1)
        db.session.add(Record(household_id=household, meter_id=owner.meters["Water"], date=None))
        with pytest.raises(Exception):  # noqa: B017 - the NOT NULL of the change itself
            db.session.commit()
        db.session.rollback()
        db.session.commit()
    assert _deliveries(app) == []
    # An import refused as a whole writes neither its records nor a delivery.
    bad = "date,meter,amount\n2026-01-01,Water,1\n2026-01-02,Water,-5\n"
    response = client.post(
        "/api/records/import",
        headers=owner.headers,
        data={"file": (__import__("io").BytesIO(bad.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert _deliveries(app) == []
    with app.app_context():  # the same event, committed: one delivery
        events.emit_household(household, "record.deleted", id=1)
        db.session.commit()
    assert [row.event for row in _deliveries(app)] == ["record.deleted"]


def test_internal_and_personal_events_are_never_delivered(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    _create(client, owner.headers, household, events=ALL)
    with app.app_context():
        events.emit_household(household, events.AUTH_CHANGED)
        events.emit_household(household, events.MEMBERSHIPS_CHANGED)
        events.emit_household(household, "something.else")
        events.emit(owner.id, "record.created", record={})  # a user's key, not a household's
        db.session.commit()
    assert _deliveries(app) == []
    with app.app_context():
        events.emit_household(household, "budget.threshold", budget_id=3, threshold=80)
        db.session.commit()
    [row] = _deliveries(app)
    assert json.loads(row.payload)["data"] == {"budget_id": 3, "threshold": 80}


def test_send_test_queues_a_test_delivery_and_the_log_lists_the_last_100(
    app: Flask, client: FlaskClient, clock: Any
) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    hook = _create(client, owner.headers, household, events=["record.deleted"]).get_json()
    response = client.post(_url(household, hook["id"], "test"), headers=owner.headers)
    assert response.status_code == 202, response.get_json()
    [row] = _deliveries(app)
    now = clock.now().isoformat()
    assert response.get_json() == {
        "id": row.id,
        "delivery_id": row.delivery_id,
        "event": "webhook.test",
        "status": "pending",
        "attempt": 0,
        "status_code": None,
        "error": None,
        "created_at": now,
        "next_attempt_at": now,
        "delivered_at": None,
    }
    assert json.loads(row.payload)["data"] == {"webhook_id": hook["id"]}
    with app.app_context():
        for number in range(105):
            events.emit_household(household, "record.deleted", id=number)
        db.session.commit()
    log = client.get(_url(household, hook["id"], "deliveries"), headers=owner.headers).get_json()["items"]
    assert len(log) == 100
    assert [json.loads(r.payload)["data"]["id"] for r in _deliveries(app)[-100:]][::-1] == list(range(104, 4, -1))
    assert [item["id"] for item in log] == list(range(row.id + 105, row.id + 5, -1))
    client.patch(_url(household, hook["id"]), headers=owner.headers, json={"enabled": False})
    refused = client.post(_url(household, hook["id"], "test"), headers=owner.headers)
    assert refused.status_code == 409


def test_personal_access_tokens_are_refused(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    hook = _create(client, owner.headers, household).get_json()
    token = client.post(
        "/api/auth/tokens", headers=owner.headers, json={"name": "script", "scopes": ["read", "write"]}
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for method, path in (
        ("POST", _url(household)),
        ("GET", _url(household)),
        ("GET", _url(household, hook["id"])),
        ("PATCH", _url(household, hook["id"])),
        ("DELETE", _url(household, hook["id"])),
        ("POST", _url(household, hook["id"], "test")),
        ("GET", _url(household, hook["id"], "deliveries")),
    ):
        response = client.open(path, method=method, headers=bearer, json={"url": PUBLIC, "events": ALL})
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"]["message"] == "Personal access tokens cannot be used here; sign in instead."
    assert len(client.get(_url(household), headers=owner.headers).get_json()["items"]) == 1
    assert _deliveries(app) == []


def test_an_alert_raised_by_the_api_becomes_a_delivery(app: Flask, client: FlaskClient) -> None:
    """An accepted invitation raises ``invitation.accepted``: delivered with the alert's data."""
    from tests.api.test_households_invitations import _invite, _token

    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    friend = account(app, client, "friend@example.com", name="Friend")
    _create(client, owner.headers, household, events=["invitation.accepted"])
    assert _invite(client, owner.headers, household, "friend@example.com", "viewer").status_code == 201
    accepted = client.post("/api/invitations/accept", headers=friend.headers, json={"token": _token(app, friend.email)})
    assert accepted.status_code == 200, accepted.get_json()
    [row] = _deliveries(app)
    assert row.event == "invitation.accepted"
    assert json.loads(row.payload)["data"] == {
        "alert": {"user_id": friend.id, "name": "Friend", "email": "friend@example.com", "role": "viewer"}
    }

"""Webhook deliveries to a real HTTP receiver started by the test: the signature verified with the
documented recipes (Python and JavaScript), retries on schedule after a 500, a timeout and a
closed connection, no redirect followed, disabling after 20 failures with the owners told, the
claim that sends a row once, the sweep's view of overdue rows, and the address check at delivery.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMessage, Webhook, WebhookDelivery
from app.services import events
from app.services import webhooks_delivery as delivery
from tests.api.households_helpers import home_id, member
from tests.factories import Account, account
from tests.webhook_receiver import Receiver

DOC = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"
TIMEOUT = 0.5


def _snippet(language: str) -> str:
    [code] = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return code


def _python_verify() -> Any:
    namespace: dict[str, Any] = {}
    exec(_snippet("python"), namespace)  # noqa: S102 - the documented recipe, as a reader copies it
    return namespace["verify"]


@pytest.fixture
def receiver(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", TIMEOUT)
    with Receiver() as running:
        yield running


def _setup(
    app: Flask, client: FlaskClient, receiver: Receiver, events_: list[str] | None = None
) -> tuple[Account, int, dict[str, Any]]:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = client.post(
        f"/api/households/{household}/webhooks",
        headers=owner.headers,
        json={"url": f"{receiver.url}/in?src=mb", "events": events_ or ["record.deleted"]},
    )
    assert response.status_code == 201, response.get_json()
    return owner, household, response.get_json()


def _emit(app: Flask, household: int, count: int = 1) -> list[int]:
    with app.app_context():
        for number in range(count):
            events.emit_household(household, "record.deleted", id=number + 1)
        db.session.commit()
        return list(db.session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id)))[-count:]


def _deliver(app: Flask, delivery_id: int) -> bool:
    with app.app_context():
        return delivery.deliver(delivery_id)


def _row(app: Flask, delivery_id: int) -> dict[str, Any]:
    with app.app_context():
        row = db.session.get(WebhookDelivery, delivery_id)
        assert row is not None
        return {
            "attempt": row.attempt,
            "status": row.status,
            "status_code": row.status_code,
            "error": row.error,
            "next_attempt_at": row.next_attempt_at,
            "delivered_at": row.delivered_at,
        }


def test_a_delivery_is_signed_as_documented_and_arrives_once(
    app: Flask, client: FlaskClient, receiver: Receiver, clock: Any
) -> None:
    owner, household, hook = _setup(app, client, receiver, ["record.created"])
    record = client.post(
        "/api/records",
        headers=owner.headers,
        json={"meter_id": owner.meters["Water"], "date": "2026-01-02", "amount": 5},
    ).get_json()
    assert receiver.received == []  # the request itself never calls the receiver
    with app.app_context():
        [row] = db.session.scalars(select(WebhookDelivery)).all()
        delivery_id, uuid, payload = row.id, row.delivery_id, row.payload
    assert _deliver(app, delivery_id) is True
    assert _deliver(app, delivery_id) is False  # delivered: a second job sends nothing
    [got] = receiver.received
    assert got.path == "/in?src=mb"
    assert got.body == payload.encode()
    assert json.loads(got.body) == {
        "id": uuid,
        "type": "record.created",
        "household_id": household,
        "created_at": clock.now().isoformat(),
        "data": {"record": record},
    }
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Meterbook-Event"] == "record.created"
    assert got.headers["Meterbook-Delivery"] == uuid
    assert got.headers["Host"] == f"127.0.0.1:{receiver.port}"
    signature = got.headers["Meterbook-Signature"]
    assert re.fullmatch(rf"t={int(clock.now().timestamp())},v1=[0-9a-f]{{64}}", signature)
    verify = _python_verify()
    assert verify(hook["secret"], signature, got.body) is True
    assert verify(hook["secret"], signature, got.body.replace(b"record.created", b"record.deleted")) is False
    assert verify("whsec_" + "0" * 40, signature, got.body) is False
    assert _row(app, delivery_id) == {
        "attempt": 1,
        "status": "delivered",
        "status_code": 200,
        "error": None,
        "next_attempt_at": None,
        "delivered_at": clock.now(),
    }
    log = client.get(f"/api/households/{household}/webhooks/{hook['id']}/deliveries", headers=owner.headers)
    assert log.get_json()["items"][0] | {"id": 0} == {
        "id": 0,
        "delivery_id": uuid,
        "event": "record.created",
        "status": "delivered",
        "attempt": 1,
        "status_code": 200,
        "error": None,
        "created_at": clock.now().isoformat(),
        "next_attempt_at": None,
        "delivered_at": clock.now().isoformat(),
    }


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_javascript_recipe_verifies_a_signed_delivery(
    app: Flask, client: FlaskClient, receiver: Receiver, tmp_path: Path
) -> None:
    _, household, hook = _setup(app, client, receiver)
    [delivery_id] = _emit(app, household)
    assert _deliver(app, delivery_id) is True
    [got] = receiver.received
    script = tmp_path / "verify.js"
    script.write_text(
        _snippet("js")
        + """
const fs = require("node:fs");
const [secret, header, bodyFile] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const tampered = Buffer.concat([body, Buffer.from(" ")]);
const wrongSecret = secret.slice(0, -1) + "x";
const answers = [verify(secret, header, body), verify(secret, header, tampered), verify(wrongSecret, header, body)];
console.log(JSON.stringify(answers));
"""
    )
    body_file = tmp_path / "body.json"
    body_file.write_bytes(got.body)
    result = subprocess.run(
        ["node", str(script), hook["secret"], got.headers["Meterbook-Signature"], str(body_file)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == [True, False, False]


def test_failures_are_retried_on_schedule_then_marked_failed(
    app: Flask, client: FlaskClient, receiver: Receiver, clock: Any
) -> None:
    _, household, hook = _setup(app, client, receiver)
    receiver.script = ["500", "slow", "close", "redirect", "503", "500"]
    [delivery_id] = _emit(app, household)
    start = clock.now()
    expected_errors = [
        (500, "HTTP 500 Internal Server Error"),
        (None, f"timed out after {TIMEOUT:g} s"),
        (None, "RemoteDisconnected: Remote end closed connection without response"),
        (302, "HTTP 302 Found"),
        (503, "HTTP 503 Service Unavailable"),
    ]
    waits = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12)]
    for attempt, ((code, error), wait) in enumerate(zip(expected_errors, waits, strict=True), start=1):
        assert _deliver(app, delivery_id) is False
        assert _row(app, delivery_id) == {
            "attempt": attempt,
            "status": "pending",
            "status_code": code,
            "error": error,
            "next_attempt_at": clock.now() + wait,
            "delivered_at": None,
        }
        clock.advance(seconds=wait.total_seconds() - 1)
        assert _deliver(app, delivery_id) is False  # not due yet: nothing sent
        assert len(receiver.received) == attempt
        clock.advance(seconds=1)
    assert _deliver(app, delivery_id) is False
    assert _row(app, delivery_id) == {
        "attempt": 6,
        "status": "failed",
        "status_code": 500,
        "error": "HTTP 500 Internal Server Error",
        "next_attempt_at": None,
        "delivered_at": None,
    }
    assert clock.now() - start == sum(waits, timedelta())
    assert len(receiver.received) == 6  # the redirect was not followed
    assert {r.headers["Meterbook-Delivery"] for r in receiver.received} == {
        receiver.received[0].headers["Meterbook-Delivery"]
    }
    assert {r.body for r in receiver.received} == {receiver.received[0].body}
    clock.advance(days=2)
    assert _deliver(app, delivery_id) is False
    assert len(receiver.received) == 6
    with app.app_context():
        assert db.session.get(Webhook, hook["id"]).consecutive_failures == 6  # type: ignore[union-attr]


def test_a_success_after_failures_is_delivered_and_resets_the_count(
    app: Flask, client: FlaskClient, receiver: Receiver, clock: Any
) -> None:
    _, household, hook = _setup(app, client, receiver)
    receiver.script = ["500", "500"]
    [delivery_id] = _emit(app, household)
    _deliver(app, delivery_id)
    clock.advance(minutes=1)
    _deliver(app, delivery_id)
    with app.app_context():
        assert db.session.get(Webhook, hook["id"]).consecutive_failures == 2  # type: ignore[union-attr]
    clock.advance(minutes=5)
    assert _deliver(app, delivery_id) is True
    assert _row(app, delivery_id) | {"delivered_at": None} == {
        "attempt": 3,
        "status": "delivered",
        "status_code": 200,
        "error": None,
        "next_attempt_at": None,
        "delivered_at": None,
    }
    with app.app_context():
        assert db.session.get(Webhook, hook["id"]).consecutive_failures == 0  # type: ignore[union-attr]


def test_twenty_failures_in_a_row_disable_the_webhook_and_tell_the_owners(
    app: Flask, client: FlaskClient, receiver: Receiver
) -> None:
    owner, household, hook = _setup(app, client, receiver)
    second = member(app, client, household, "owner", "second-owner@example.com")
    member(app, client, household, "editor", "editor@example.com")
    receiver.default = "500"
    ids = _emit(app, household, 21)
    for number, delivery_id in enumerate(ids[:19], start=1):
        _deliver(app, delivery_id)
        with app.app_context():
            webhook = db.session.get(Webhook, hook["id"])
            assert (webhook.enabled, webhook.consecutive_failures) == (True, number)  # type: ignore[union-attr]
    with app.app_context():
        assert db.session.scalars(select(Notification)).all() == []
    _deliver(app, ids[19])
    with app.app_context():
        webhook = db.session.get(Webhook, hook["id"])
        assert (webhook.enabled, webhook.consecutive_failures) == (False, 20)  # type: ignore[union-attr]
        notices = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
        assert [(n.user_id, n.household_id, n.kind, n.link) for n in notices] == [
            (owner.id, household, "webhook.disabled", f"/households/{household}"),
            (second.id, household, "webhook.disabled", f"/households/{household}"),
        ]
        assert notices[0].title == "A webhook was turned off"
        assert notices[0].body == (
            f"{receiver.url}/in?src=mb failed 20 times in a row and was turned off. Check the receiver, "
            "then turn the webhook on again."
        )
        assert notices[0].data == {"webhook_id": hook["id"], "url": f"{receiver.url}/in?src=mb", "failures": 20}
        mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
        assert [(m.recipient, m.subject) for m in mails] == [
            ("owner@example.com", "A webhook was turned off"),
            ("second-owner@example.com", "A webhook was turned off"),
        ]
    assert len(receiver.received) == 20
    # The last pending delivery is not sent to a disabled webhook.
    assert _deliver(app, ids[20]) is False
    assert len(receiver.received) == 20
    assert _row(app, ids[20])["status"] == "failed"
    assert _row(app, ids[20])["error"] == "the webhook is disabled"
    listed = client.get(f"/api/households/{household}/webhooks/{hook['id']}", headers=owner.headers).get_json()
    assert (listed["enabled"], listed["consecutive_failures"]) == (False, 20)
    # Turned on again: the count starts over and deliveries flow.
    client.patch(f"/api/households/{household}/webhooks/{hook['id']}", headers=owner.headers, json={"enabled": True})
    receiver.default = "ok"
    [again] = _emit(app, household)
    assert _deliver(app, again) is True


def test_two_workers_given_the_same_delivery_send_it_once(app: Flask, client: FlaskClient, receiver: Receiver) -> None:
    _, household, _hook = _setup(app, client, receiver)
    receiver.default = "slow"
    receiver.slow_seconds = 0.2
    [delivery_id] = _emit(app, household)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def work() -> None:
        with app.app_context():
            barrier.wait()
            results.append(delivery.deliver(delivery_id))
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, False, False, True]
    assert len(receiver.received) == 1
    assert _row(app, delivery_id)["attempt"] == 1


def test_the_sweep_finds_rows_whose_worker_died(
    app: Flask, client: FlaskClient, receiver: Receiver, clock: Any
) -> None:
    _, household, _hook = _setup(app, client, receiver)
    [delivery_id] = _emit(app, household)
    with app.app_context():
        assert [found for found, _ in delivery.due()] == [delivery_id]
        row = db.session.get(WebhookDelivery, delivery_id)
        assert delivery._claim(row, timedelta(seconds=TIMEOUT * 3 + 60)) == 1  # claimed, then the worker dies
        assert delivery.due() == []
    assert _deliver(app, delivery_id) is False  # claimed by someone else: not sent
    assert receiver.received == []
    clock.advance(seconds=TIMEOUT * 3 + 60)
    with app.app_context():
        assert [found for found, _ in delivery.due()] == [delivery_id]
    assert _deliver(app, delivery_id) is True
    assert _row(app, delivery_id)["attempt"] == 2
    with app.app_context():
        assert delivery.due() == []


def test_the_address_is_checked_again_at_delivery(
    app: Flask, client: FlaskClient, receiver: Receiver, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, household, _hook = _setup(app, client, receiver)
    [delivery_id] = _emit(app, household)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    assert _deliver(app, delivery_id) is False
    assert receiver.received == []
    assert _row(app, delivery_id) == {
        "attempt": 1,
        "status": "pending",
        "status_code": None,
        "error": "refused: resolves to a loopback address (127.0.0.1)",
        "next_attempt_at": clock.now() + timedelta(minutes=1),
        "delivered_at": None,
    }


def test_the_connection_goes_to_the_address_checked(
    app: Flask, client: FlaskClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is resolved once per attempt, checked, and that address is the one connected to
    (a second resolution could answer something else: DNS rebinding)."""
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    real = socket.getaddrinfo
    answers = {"hooks.example.test": "127.0.0.1"}
    lookups: list[str] = []

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], int(port)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    url = f"http://hooks.example.test:{receiver.port}/in"
    hook = client.post(
        f"/api/households/{household}/webhooks", headers=owner.headers, json={"url": url, "events": ["record.deleted"]}
    )
    assert hook.status_code == 201
    [delivery_id] = _emit(app, household)
    lookups.clear()
    assert _deliver(app, delivery_id) is True
    assert lookups == ["hooks.example.test"]
    [got] = receiver.received
    assert got.headers["Host"] == f"hooks.example.test:{receiver.port}"

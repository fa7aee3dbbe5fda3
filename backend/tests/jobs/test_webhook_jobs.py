"""Webhook deliveries as jobs: queued after the commit of the change (never after a rollback),
the next attempt scheduled after a failure, the minute round queueing what is due, and the real
worker process delivering to a real receiver."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.jobs import queue_of
from app.models import WebhookDelivery
from app.services import events
from app.services import webhooks_delivery as delivery
from tests.api.households_helpers import home_id
from tests.conftest import TEST_SECRETS
from tests.factories import account
from tests.webhook_receiver import Receiver

from .worker_process import WorkerProcess, wait_until


def queued(app: Flask) -> list[tuple[str, tuple[Any, ...], Any]]:
    """The queued webhook jobs (name, arguments, start time as huey keeps it: naive UTC)."""
    tasks = queue_of(app).huey.pending()
    return [(type(task).__name__, task.args, task.eta) for task in tasks if type(task).__name__ == "send_delivery"]


def _world(api: Flask, receiver: Receiver) -> tuple[Any, int, dict[str, Any]]:
    client = api.test_client()
    owner = account(api, client, "owner@example.com")
    household = home_id(client, owner)
    hook = client.post(
        f"/api/households/{household}/webhooks",
        headers=owner.headers,
        json={"url": f"{receiver.url}/in", "events": ["record.created", "record.deleted"]},
    )
    assert hook.status_code == 201, hook.get_json()
    return owner, household, hook.get_json()


@pytest.fixture
def receiver() -> Any:
    with Receiver() as running:
        yield running


def _allow(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 0.5)


def test_a_delivery_is_queued_after_its_commit_and_never_after_a_rollback(
    app: Flask, make_app: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, clock: Any
) -> None:
    api = make_app(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT=0.5)
    owner, household, hook = _world(api, receiver)
    queue_of(api).huey.flush()
    with api.app_context():
        events.emit_household(household, "record.deleted", id=9)
        db.session.rollback()
        db.session.commit()
    assert queued(api) == []
    response = api.test_client().post(
        "/api/records",
        headers=owner.headers,
        json={"meter_id": owner.meters["Water"], "date": "2026-01-02", "amount": 5},
    )
    assert response.status_code == 201
    with api.app_context():
        [delivery_id] = db.session.scalars(select(WebhookDelivery.id)).all()
    assert queued(api) == [("send_delivery", (delivery_id,), None)]
    assert receiver.received == []  # queued, not sent, by the request
    test = api.test_client().post(f"/api/households/{household}/webhooks/{hook['id']}/test", headers=owner.headers)
    assert queued(api)[1] == ("send_delivery", (test.get_json()["id"],), None)

    queue_of(api).huey.flush()
    receiver.default = "500"
    with api.app_context():
        delivery.send_delivery(delivery_id)  # the job, as the worker runs it
    [(name, args, eta)] = queued(api)
    assert (name, args) == ("send_delivery", (delivery_id,))
    assert eta == (clock.now() + timedelta(minutes=1)).astimezone(UTC).replace(tzinfo=None)


def test_the_minute_round_queues_what_is_due(app: Flask, make_app: Any, receiver: Receiver, clock: Any) -> None:
    api = make_app(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOW_PRIVATE=True)
    _, household, _ = _world(api, receiver)
    with api.app_context():
        for number in (1, 2):
            events.emit_household(household, "record.deleted", id=number)
        db.session.commit()
        first, second = db.session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id)).all()
        db.session.get(WebhookDelivery, second).next_attempt_at = clock.now() + timedelta(seconds=30)  # type: ignore[union-attr]
        db.session.commit()
    queue_of(api).huey.flush()  # as if the jobs were lost with a killed worker
    with api.app_context():
        delivery.requeue_webhook_deliveries()
    assert [(name, args) for name, args, _ in queued(api)] == [
        ("send_delivery", (first,)),
        ("send_delivery", (second,)),
    ]
    assert [eta is None for _, _, eta in queued(api)] == [True, False]


@pytest.mark.slow
def test_the_worker_process_delivers_to_a_real_receiver(
    app: Flask, make_app: Any, database_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    jobs_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    settings = {"WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOW_PRIVATE": "true"}
    api = make_app(JOBS_URL=jobs_url, **settings)
    worker = WorkerProcess(
        env={
            "APP_ENV": "testing",
            "DATABASE_URL": database_url,
            "JOBS_URL": jobs_url,
            "RATELIMIT_ENABLED": "false",
            "LOG_LEVEL": "INFO",
            **settings,
            **TEST_SECRETS,
        },
        log=tmp_path / "worker.log",
    )
    worker.start()
    try:
        worker.wait_ready(api)
        owner, _, _ = _world(api, receiver)
        response = api.test_client().post(
            "/api/records",
            headers=owner.headers,
            json={"meter_id": owner.meters["Water"], "date": "2026-01-02", "amount": 5},
        )
        assert response.status_code == 201
        wait_until(lambda: len(receiver.received) == 1, 30, worker.why)
        [got] = receiver.received
        assert json.loads(got.body)["data"]["record"]["id"] == response.get_json()["id"]
        assert got.headers["Meterbook-Event"] == "record.created"

        def delivered() -> bool:
            with api.app_context():
                row = db.session.scalars(select(WebhookDelivery)).one()
                db.session.remove()
                return row.status == "delivered"

        wait_until(delivered, 30, worker.why)
    finally:
        worker.stop()

"""Alerts under concurrency (PostgreSQL): two evaluators of one household at the same moment raise
each alert once, and only the one whose insert took the key notifies."""

# Each round's closures run (in threads) and finish before the loop moves on.
# ruff: noqa: B023

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, OutboxMessage, RaisedAlert
from app.services import alerts, alerts_raise
from tests.api.households_helpers import member
from tests.factories import account, add_record

from .helpers import need_pg, run_all

ROUNDS = 5


def test_two_evaluators_at_once_raise_each_alert_once(
    app: Flask, client: FlaskClient, db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_pg(db_kind)
    insert = alerts_raise._insert_key
    local = threading.local()
    for n in range(ROUNDS):
        owner = account(app, client, f"owner{n}@example.com")
        viewer = member(app, client, owner.household_id, "viewer", f"viewer{n}@example.com")
        meter = owner.meters["Electricity"]
        response = client.post(
            "/api/budgets",
            headers=owner.headers,
            json={"name": "Power", "meter_id": meter, "limit_amount": 10, "thresholds": [50, 100]},
        )
        assert response.status_code == 201
        budget_id = response.get_json()["id"]
        for day in range(1, 11):
            add_record(app, owner.id, meter, f"2026-11-{day:02d}", "1.2")
        barrier = threading.Barrier(2)

        def meet_then_insert(*args: Any) -> bool:
            # Both evaluators reach their first insert together; the later one waits on the
            # earlier one's uncommitted row, then finds the key taken.
            if not getattr(local, "met", False):
                local.met = True
                barrier.wait(timeout=10)
            return insert(*args)

        monkeypatch.setattr(alerts_raise, "_insert_key", meet_then_insert)

        def evaluate() -> list[str]:
            local.met = False
            with app.app_context():
                return alerts.evaluate_household(owner.household_id, datetime(2026, 11, 10, 12, tzinfo=UTC))

        first, second = run_all([evaluate, evaluate], 2)
        period = f"budget:{budget_id}:2026-11-01"
        expected = {f"{period}:threshold:50", f"{period}:threshold:100", f"{period}:forecast"}
        assert sorted(first + second) == sorted(expected), (first, second)
        with app.app_context():
            keys = list(db.session.scalars(select(RaisedAlert.key).where(RaisedAlert.key.like(f"{period}:%"))))
            assert sorted(keys) == sorted(expected)
            for user_id in (owner.id, viewer.id):
                count = db.session.scalar(
                    select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
                )
                assert count == 3
            mails = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "notification", OutboxMessage.recipient == owner.email)
            )
            assert mails == 3
        monkeypatch.setattr(alerts_raise, "_insert_key", insert)

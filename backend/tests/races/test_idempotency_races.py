"""Idempotency-Key under concurrency (PostgreSQL): 50 requests with one key write once."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account

from .helpers import consistency, need_pg, run_all


def test_fifty_concurrent_requests_with_one_key_write_once(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    acct = account(app, client)
    body = {"meter_id": acct.meters["Electricity"], "date": "2026-10-01", "amount": 4.25}
    headers = {**acct.headers, "Idempotency-Key": "one-key-for-all"}
    barrier = threading.Barrier(50)

    def send() -> Any:
        own = app.test_client()
        barrier.wait()
        return own.post("/api/records", json=body, headers=headers)

    answers = run_all([send] * 50, workers=50)
    assert [a.status_code for a in answers] == [201] * 50, [a.get_json() for a in answers if a.status_code != 201]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert sum(1 for a in answers if a.headers.get("Idempotent-Replayed") == "true") == 49
    records = client.get("/api/records", headers=acct.headers).get_json()
    assert records["total"] == 1
    assert records["items"][0]["amount"] == 4.25
    assert consistency(app) == []

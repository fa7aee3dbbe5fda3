"""The authenticated request path: the token verified and decoded once, one query for the
session and its user, and the token's required claims still enforced."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from tests.factories import Account, account


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per ``jwt.decode`` call: whether the signature was verified."""
    calls: list[bool] = []
    original = jwt.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append((kwargs.get("options") or {}).get("verify_signature", True))
        return original(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return calls


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_an_authenticated_request_decodes_the_token_once(
    client: FlaskClient, acc: Account, decodes: list[bool]
) -> None:
    assert client.get("/api/meters", headers=acc.headers).status_code == 200
    assert decodes == [True]


@pytest.mark.parametrize("missing", ["exp", "fam", "jti", "type", "sub", "iat"])
def test_a_signed_token_without_a_required_claim_is_invalid(
    app: Flask, client: FlaskClient, acc: Account, missing: str
) -> None:
    claims = jwt.decode(acc.tokens["access_token"], options={"verify_signature": False})
    del claims[missing]
    forged = jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")
    reply = client.get("/api/meters", headers={"Authorization": f"Bearer {forged}"})
    assert (reply.status_code, reply.get_json()["error"]["code"]) == (401, "unauthorized")


def test_a_token_of_another_type_and_an_expired_one(app: Flask, client: FlaskClient, acc: Account) -> None:
    claims = jwt.decode(acc.tokens["access_token"], options={"verify_signature": False})
    odd = jwt.encode({**claims, "type": "other"}, app.config["JWT_SECRET_KEY"], algorithm="HS256")
    expired = jwt.encode({**claims, "exp": claims["iat"] - 10}, app.config["JWT_SECRET_KEY"], algorithm="HS256")
    bad_key = jwt.encode(claims, "another-key-that-is-long-enough-0123456789abcdef", algorithm="HS256")
    answers = [
        client.get("/api/meters", headers={"Authorization": f"Bearer {token}"}) for token in (odd, expired, bad_key)
    ]
    assert [(a.status_code, a.get_json()["error"]["code"]) for a in answers] == [
        (401, "unauthorized"),
        (401, "token_expired"),
        (401, "unauthorized"),
    ]


def test_a_record_create_costs_these_statements(client: FlaskClient, acc: Account, statements: list[str]) -> None:
    body = {"meter_id": acc.meters["Electricity"], "date": "2026-03-01", "amount": 1}
    assert client.post("/api/records", headers=acc.headers, json=body).status_code == 201
    statements.clear()
    assert client.post("/api/records", headers=acc.headers, json=body).status_code == 201
    kinds = [
        s.split(" FROM ")[-1].split()[0] if s.startswith("SELECT") else " ".join(s.split()[:3]) for s in statements
    ]
    locks = [s for s in statements if "pg_advisory_xact_lock" in s]
    assert [k for k, s in zip(kinds, statements, strict=True) if s not in locks] == [
        # the session and its user: from the auth cache (a write checks roles in the database)
        "memberships",  # validation: the meter is one of the user's households'
        "meters",
        "meters",  # the household to lock
        "memberships",  # under the lock: readable, editor, not a readings meter
        "meters",
        "memberships",
        "households",
        "INSERT INTO records",
        "INSERT INTO daily_rollups",  # the day's rollup, one upsert
        "UPDATE households SET",  # the data version
        "webhooks",  # the household's webhooks: deliveries commit with the change
    ]
    assert len(locks) == (1 if client.application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") else 0)

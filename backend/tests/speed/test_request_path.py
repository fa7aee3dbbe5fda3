"""The authenticated request path: the token verified and decoded once, one query for the
session and its user, and the token's required claims still enforced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app import security
from app.extensions import db
from tests.factories import Account, account


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per token verified and decoded by the app (``jwt.decode_complete``), and per
    header parsed again (False)."""
    calls: list[bool] = []
    original, header = jwt.decode_complete, jwt.get_unverified_header

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append((kwargs.get("options") or {}).get("verify_signature", True))
        return original(*args, **kwargs)

    def parsing(*args: Any, **kwargs: Any) -> Any:
        calls.append(False)
        return header(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode_complete", counting)
    monkeypatch.setattr(jwt, "get_unverified_header", parsing)
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


def test_a_token_is_verified_once_per_process_and_its_expiry_checked_every_time(
    client: FlaskClient, acc: Account, decodes: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    security._verified.clear()
    assert client.get("/api/meters", headers=acc.headers).status_code == 200
    assert decodes == [True]  # verified and decoded in one pass, its header kept
    assert client.get("/api/meters", headers=acc.headers).status_code == 200
    assert decodes == [True]  # the same token again: its claims as verified, no second check
    claims = jwt.decode(acc.tokens["access_token"], options={"verify_signature": False})
    decodes.clear()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + claims["exp"] - claims["iat"] + 5)
    client.get("/api/meters", headers=acc.headers)
    assert decodes == [True]  # past its expiry the kept claims are not used: the full check runs
    # (which refuses an expired token: test_a_token_of_another_type_and_an_expired_one)


def test_a_token_verified_under_one_secret_is_not_taken_under_another(
    make_app: Any, client: FlaskClient, acc: Account
) -> None:
    assert client.get("/api/meters", headers=acc.headers).status_code == 200  # verified, kept
    other = make_app(JWT_SECRET_KEY="another-key-that-is-long-enough-0123456789abcdef")
    reply = other.test_client().get("/api/meters", headers=acc.headers)
    assert (reply.status_code, reply.get_json()["error"]["code"]) == (401, "unauthorized")


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
        "memberships",  # validation: the meter in one of the user's households (subquery); the lock's key
        "meters",  # under the lock: the meter and the user's role there (editor, not a readings meter)
        "INSERT INTO records",
        "INSERT INTO daily_rollups",  # the day's rollup, one upsert
        "UPDATE households SET",  # the data version
        "webhooks",  # the household's webhooks: deliveries commit with the change
    ]
    assert len(locks) == (1 if client.application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") else 0)

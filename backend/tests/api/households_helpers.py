"""Shared steps of the household tests: a user's first household, members added directly."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Membership
from app.services import clock
from app.services.events import INTERNAL_TYPES, get_broker, household_key, user_key
from tests.factories import Account, account


def home_id(client: FlaskClient, who: Account) -> int:
    [home] = client.get("/api/households", headers=who.headers).get_json()["items"]
    return int(home["id"])


def join(app: Flask, household_id: int, user_id: int, role: str) -> None:
    with app.app_context():
        db.session.add(Membership(household_id=household_id, user_id=user_id, role=role, joined_at=clock.now()))
        db.session.commit()


def member(app: Flask, client: FlaskClient, household_id: int, role: str, email: str) -> Account:
    """A new account that is also ``role`` in ``household_id``."""
    who = account(app, client, email)
    join(app, household_id, who.id, role)
    return who


def _listen(app: Flask, key: str) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    get_broker(app).subscribe(key, lambda message: message["type"] in INTERNAL_TYPES or received.append(message))
    return received


def listen(app: Flask, user_id: int) -> list[dict[str, Any]]:
    """The client events published to one user's own key from now on (in-process broker)."""
    return _listen(app, user_key(user_id))


def listen_household(app: Flask, household_id: int) -> list[dict[str, Any]]:
    """The events published to every member of a household from now on (in-process broker)."""
    return _listen(app, household_key(household_id))

"""Test data factories: users, sessions, meters and records created through the real code paths."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Meter, Record, User
from app.services import clock, households, rollups
from app.services.passwords import hash_password

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Account:
    id: int
    email: str
    password: str
    headers: dict[str, str]
    meters: dict[str, int]
    tokens: dict[str, Any]
    household_id: int


def create_user(
    app: Flask,
    email: str | None = None,
    *,
    verified: bool = True,
    role: str = "user",
    name: str = "Test User",
    password: str = PASSWORD,
    active: bool = True,
) -> tuple[int, str]:
    email = email or f"user{next(_seq)}@example.com"
    with app.app_context():
        user = User(
            email=email.lower(),
            name=name,
            password_hash=hash_password(password),
            role=role,
            is_active=active,
            email_verified_at=clock.now() if verified else None,
        )
        db.session.add(user)
        db.session.flush()
        households.create_household(user, households.FIRST_HOUSEHOLD_NAME)
        db.session.commit()
        return user.id, user.email


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def account(app: Flask, client: FlaskClient, email: str | None = None, **kwargs: Any) -> Account:
    user_id, email = create_user(app, email, **kwargs)
    tokens = login(client, email, kwargs.get("password", PASSWORD))
    household_id = home_of(app, user_id)
    with app.app_context():
        meters = {m.name: m.id for m in db.session.scalars(select(Meter).where(Meter.household_id == household_id))}
    return Account(
        user_id,
        email,
        kwargs.get("password", PASSWORD),
        {"Authorization": f"Bearer {tokens['access_token']}"},
        meters,
        tokens,
        household_id,
    )


def home_of(app: Flask, user_id: int) -> int:
    """The user's default household (their first one, "Home", for a user made here)."""
    with app.app_context():
        household_id = db.session.get(User, user_id).default_household_id  # type: ignore[union-attr]
        assert household_id is not None
        return household_id


def add_meter(app: Flask, user_id: int, name: str, type_: str, unit: str, household_id: int | None = None) -> int:
    """A meter in ``household_id`` (default: the user's default household)."""
    household_id = household_id or home_of(app, user_id)
    with app.app_context():
        meter = Meter(household_id=household_id, name=name, type=type_, unit=unit)
        db.session.add(meter)
        db.session.commit()
        return meter.id


def add_record(
    app: Flask,
    user_id: int,
    meter_id: int,
    day: date | str,
    amount: str | Decimal,
    cost: str | Decimal | None = None,
    note: str | None = None,
) -> int:
    """Insert a record directly (with its rollup), bypassing HTTP for speed; ``user_id`` writes it
    on a meter of one of their households."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    with app.app_context():
        meter = db.session.get(Meter, meter_id)
        assert meter is not None
        record = Record(household_id=meter.household_id, created_by=user_id, meter=meter, date=day, note=note)
        record.amount = Decimal(amount)
        record.cost = None if cost is None else Decimal(cost)
        db.session.add(record)
        rollups.refresh_days(meter.household_id, [(meter_id, day)])
        db.session.commit()
        return record.id


def join(app: Flask, user_id: int, household_id: int, role: str, joined_at: Any = None) -> None:
    """Make a user a member of a household (the households API does this by invitation)."""
    from app.models import Membership
    from app.services import events

    with app.app_context():
        db.session.add(
            Membership(household_id=household_id, user_id=user_id, role=role, joined_at=joined_at or clock.now())
        )
        events.membership_changed(household_id, user_id, role)
        db.session.commit()

"""Households under concurrency (PostgreSQL): owners demoting each other, one invitation accepted twice."""

# Each round's closures run (in threads) and finish before the loop moves on.
# ruff: noqa: B023

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Membership
from tests.api.households_helpers import home_id, member
from tests.factories import account

from .helpers import need_pg, run_all, statuses

ROUNDS = 5


def _count(app: Flask, household: int, role: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Membership).where(Membership.household_id == household)
        if role is not None:
            query = query.where(Membership.role == role)
        return int(db.session.scalar(query) or 0)


def test_two_owners_demoting_each_other_at_once_leave_one_owner(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    for n in range(ROUNDS):
        first = account(app, client, f"first{n}@example.com")
        household = home_id(client, first)
        second = member(app, client, household, "owner", f"second{n}@example.com")
        barrier = threading.Barrier(2)

        def demote(actor_headers: dict[str, str], target: int) -> object:
            c = app.test_client()
            barrier.wait()
            return c.patch(
                f"/api/households/{household}/members/{target}", headers=actor_headers, json={"role": "editor"}
            )

        answers = run_all([lambda: demote(first.headers, second.id), lambda: demote(second.headers, first.id)], 2)
        assert sorted(statuses(answers).elements()) == [200, 403], [a.get_json() for a in answers]
        assert _count(app, household, "owner") == 1
        assert _count(app, household) == 2


def test_one_invitation_accepted_twice_at_once_makes_one_membership(
    app: Flask, client: FlaskClient, db_kind: str
) -> None:
    need_pg(db_kind)
    from tests.api.test_households_invitations import _token

    for n in range(ROUNDS):
        owner = account(app, client, f"owner{n}@example.com")
        household = home_id(client, owner)
        friend = account(app, client, f"friend{n}@example.com")
        response = client.post(
            f"/api/households/{household}/invitations",
            headers=owner.headers,
            json={"email": friend.email, "role": "viewer"},
        )
        assert response.status_code == 201
        token = _token(app, friend.email)
        barrier = threading.Barrier(2)

        def accept() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/invitations/accept", headers=friend.headers, json={"token": token})

        answers = run_all([accept, accept], 2)
        assert sorted(statuses(answers).elements()) == [200, 422], [a.get_json() for a in answers]
        assert _count(app, household) == 2

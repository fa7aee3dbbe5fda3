"""Households as the tenant: members read, editors write, viewers get 403, others see nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Membership, Meter, Record, User
from app.services import clock, households
from tests.factories import PASSWORD, Account, account, add_record, join

FORBIDDEN = {
    "error": {
        "code": "forbidden",
        "message": "Your role in this household (viewer) does not allow you to edit this household's data.",
    }
}


def _meter_ids(client: FlaskClient, acc: Account, **query: Any) -> list[int]:
    response = client.get("/api/meters", headers=acc.headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return [m["id"] for m in response.get_json()["items"]]


def test_a_viewer_reads_everything_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    owner, viewer = account(app, client), account(app, client)
    join(app, viewer.id, owner.household_id, "viewer")
    record_id = add_record(app, owner.id, owner.meters["Gas"], "2026-01-05", "4.5", "2.00")
    gas = owner.meters["Gas"]

    # Reads: every household of the viewer, or one.
    theirs, mine = sorted(owner.meters.values()), sorted(viewer.meters.values())
    assert _meter_ids(client, viewer) == sorted(theirs + mine)
    assert _meter_ids(client, viewer, household_id=owner.household_id) == theirs
    assert client.get(f"/api/records/{record_id}", headers=viewer.headers).get_json()["household_id"] == (
        owner.household_id
    )
    listed = client.get("/api/records", headers=viewer.headers).get_json()
    assert (listed["total"], [r["id"] for r in listed["items"]]) == (1, [record_id])
    summary = client.get(
        "/api/analytics/summary",
        headers=viewer.headers,
        query_string={"household_id": owner.household_id, "date_from": "2026-01-01", "date_to": "2026-01-31"},
    ).get_json()
    assert [(g["key"], g["total"], g["cost_total"]) for g in summary["groups"]] == [
        ("electricity", 0, 0),
        ("water", 0, 0),
        ("gas", 4.5, 2),
    ]

    # Writes: 403, and nothing changes.
    writes = [
        ("post", "/api/records", {"meter_id": gas, "date": "2026-01-06", "amount": 1}),
        ("patch", f"/api/records/{record_id}", {"amount": 9}),
        ("put", f"/api/records/{record_id}", {"meter_id": gas, "date": "2026-01-06", "amount": 1}),
        ("delete", f"/api/records/{record_id}", None),
        (
            "post",
            "/api/meters",
            {"name": "Solar", "type": "electricity", "unit": "kWh", "household_id": owner.household_id},
        ),
        ("patch", f"/api/meters/{gas}", {"name": "Town gas"}),
        ("delete", f"/api/meters/{gas}?cascade=true", None),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, headers=viewer.headers, json=body)
        assert (response.status_code, response.get_json()) == (403, FORBIDDEN), (method, url)
    imported = client.post(
        f"/api/records/import?household_id={owner.household_id}",
        headers=viewer.headers,
        data={"file": (io.BytesIO(b"date,meter,amount,cost,note\n2026-01-07,Gas,1,,\n"), "r.csv")},
        content_type="multipart/form-data",
    )
    assert (imported.status_code, imported.get_json()) == (403, FORBIDDEN)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Record)) == 1
        assert db.session.get(Meter, gas).name == "Gas"  # type: ignore[union-attr]


def test_an_editor_writes_and_the_record_keeps_its_writer(app: Flask, client: FlaskClient) -> None:
    owner, editor = account(app, client), account(app, client)
    join(app, editor.id, owner.household_id, "editor")
    body = {"meter_id": owner.meters["Water"], "date": "2026-02-01", "amount": 0.25}
    created = client.post("/api/records", headers=editor.headers, json=body)
    assert created.status_code == 201
    record = created.get_json()
    assert (record["household_id"], record["created_by"]) == (owner.household_id, editor.id)
    # The owner sees it; names are unique per household, not per user.
    assert client.get(f"/api/records/{record['id']}", headers=owner.headers).status_code == 200
    meter = {"name": "Electricity", "type": "electricity", "unit": "kWh", "household_id": owner.household_id}
    taken = client.post("/api/meters", headers=editor.headers, json=meter)
    assert (taken.status_code, taken.get_json()["error"]["message"]) == (
        409,
        "The household already has a meter with this name.",
    )
    solar = client.post("/api/meters", headers=editor.headers, json={**meter, "name": "Solar"})
    assert (solar.status_code, solar.get_json()["household_id"]) == (201, owner.household_id)
    # Without household_id a meter goes to the writer's default household (their own Home).
    own = client.post(
        "/api/meters", headers=editor.headers, json={"name": "Solar", "type": "electricity", "unit": "kWh"}
    )
    assert (own.status_code, own.get_json()["household_id"]) == (201, editor.household_id)


def test_a_non_member_gets_404_in_the_path_and_422_in_a_body_or_query(app: Flask, client: FlaskClient) -> None:
    owner, stranger = account(app, client), account(app, client)
    record_id = add_record(app, owner.id, owner.meters["Gas"], "2026-01-05", "1")
    hid = owner.household_id
    for url in (f"/api/meters/{owner.meters['Gas']}", f"/api/records/{record_id}"):
        assert client.get(url, headers=stranger.headers).status_code == 404
        assert client.delete(url, headers=stranger.headers).status_code == 404

    def problem(response: Any) -> tuple[int, list[Any]]:
        return response.status_code, [(d["loc"], d["type"]) for d in response.get_json()["error"]["details"]]

    meter = {"name": "Spy", "type": "gas", "unit": "m3", "household_id": hid}
    assert problem(client.post("/api/meters", headers=stranger.headers, json=meter)) == (
        422,
        [(["body", "household_id"], "not_found")],
    )
    for url in (
        "/api/meters",
        "/api/records",
        "/api/records/export",
        "/api/analytics/summary",
        "/api/analytics/timeseries",
    ):
        response = client.get(url, headers=stranger.headers, query_string={"household_id": hid})
        assert problem(response) == (422, [(["query", "household_id"], "not_found")]), url
    body = {"meter_id": owner.meters["Gas"], "date": "2026-01-06", "amount": 1}
    assert problem(client.post("/api/records", headers=stranger.headers, json=body)) == (
        422,
        [(["body", "meter_id"], "not_found")],
    )
    assert problem(client.patch("/api/auth/me", headers=stranger.headers, json={"default_household_id": hid})) == (
        422,
        [(["body", "default_household_id"], "not_found")],
    )
    # A meter of one's own household is still not found in another household's analytics.
    join(app, stranger.id, hid, "viewer")
    response = client.get(
        "/api/analytics/summary",
        headers=stranger.headers,
        query_string={"household_id": hid, "meter_id": stranger.meters["Gas"]},
    )
    assert problem(response) == (422, [(["query", "meter_id"], "not_found")])


def test_the_default_household_is_settable_and_used_by_analytics(app: Flask, client: FlaskClient) -> None:
    owner, member = account(app, client), account(app, client)
    add_record(app, owner.id, owner.meters["Gas"], "2026-01-05", "3")
    join(app, member.id, owner.household_id, "viewer")
    assert client.get("/api/auth/me", headers=member.headers).get_json()["default_household_id"] == member.household_id
    changed = client.patch("/api/auth/me", headers=member.headers, json={"default_household_id": owner.household_id})
    assert (changed.status_code, changed.get_json()["default_household_id"]) == (200, owner.household_id)
    window = {"date_from": "2026-01-01", "date_to": "2026-01-31", "type": "gas"}
    summary = client.get("/api/analytics/summary", headers=member.headers, query_string=window).get_json()
    assert [(g["key"], g["total"]) for g in summary["groups"]] == [("gas", 3)]
    # A viewer's default household takes no meter: writing there is the owner's or an editor's.
    created = client.post("/api/meters", headers=member.headers, json={"name": "X", "type": "gas", "unit": "m3"})
    assert created.status_code == 403


def test_deleting_an_account_hands_its_households_on(app: Flask, client: FlaskClient) -> None:
    """The longest-standing member becomes owner; a household left empty goes with its data;
    records the account wrote stay, without their writer."""
    ada, bob, cy = account(app, client), account(app, client), account(app, client)
    now = clock.now()
    join(app, cy.id, ada.household_id, "viewer", joined_at=now - timedelta(days=2))
    join(app, bob.id, ada.household_id, "editor", joined_at=now - timedelta(days=1))
    record_id = add_record(app, ada.id, ada.meters["Gas"], "2026-01-05", "1")
    deleted = client.delete("/api/auth/me", headers=ada.headers, json={"password": PASSWORD})
    assert deleted.status_code == 204
    with app.app_context():
        roles = dict(
            db.session.execute(
                select(Membership.user_id, Membership.role).where(Membership.household_id == ada.household_id)
            ).all()
        )
        assert roles == {cy.id: "owner", bob.id: "editor"}  # Cy joined first
        record = db.session.get(Record, record_id)
        assert record is not None and record.created_by is None
        assert db.session.scalar(select(func.count()).select_from(Household)) == 3

    # Cy, now alone in her own Home and owner of Ada's, deletes her account: her Home goes, Ada's passes to Bob.
    assert client.delete("/api/auth/me", headers=cy.headers, json={"password": PASSWORD}).status_code == 204
    with app.app_context():
        assert db.session.get(Household, cy.household_id) is None
        assert (
            db.session.scalar(select(func.count()).select_from(Meter).where(Meter.household_id == cy.household_id)) == 0
        )
        assert db.session.get(Membership, (ada.household_id, bob.id)).role == "owner"  # type: ignore[union-attr]
    assert client.get(f"/api/records/{record_id}", headers=bob.headers).status_code == 200


def test_a_gone_household_leaves_the_oldest_writable_one_as_default(app: Flask, client: FlaskClient) -> None:
    ada, bob = account(app, client), account(app, client)
    now = clock.now()
    with app.app_context():
        cabin = households.create_household(db.session.get(User, ada.id), "Cabin")  # type: ignore[arg-type]
        cabin_id = cabin.id
        db.session.commit()
    join(app, bob.id, cabin_id, "editor", joined_at=now + timedelta(days=1))
    join(app, bob.id, ada.household_id, "viewer", joined_at=now + timedelta(days=2))
    assert client.patch("/api/auth/me", headers=bob.headers, json={"default_household_id": cabin_id}).status_code == 200
    with app.app_context():
        households.delete_household(cabin_id)
        db.session.commit()
        # Bob's own Home (owner) is older than his viewer membership, which gives no write rights anyway.
        assert db.session.get(User, bob.id).default_household_id == bob.household_id  # type: ignore[union-attr]
        db.session.execute(
            Membership.__table__.delete().where(
                Membership.user_id == bob.id, Membership.household_id == bob.household_id
            )
        )
        assert households.fallback_default(bob.id) is None  # only a viewer membership is left
        db.session.commit()
    assert client.get("/api/auth/me", headers=bob.headers).get_json()["default_household_id"] is None
    created = client.post("/api/meters", headers=bob.headers, json={"name": "X", "type": "gas", "unit": "m3"})
    assert (created.status_code, created.get_json()["error"]["details"][0]["loc"]) == (422, ["body", "household_id"])

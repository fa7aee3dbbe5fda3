"""Share links: owners create and revoke them; the public token reads aggregates and nothing else."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import ShareLink
from tests.factories import account, add_record

from .households_helpers import home_id, member


def _create(client: FlaskClient, headers: dict[str, str], household: int, **body: Any) -> Any:
    return client.post(f"/api/households/{household}/share-links", headers=headers, json={"label": "Family", **body})


def test_create_shows_the_token_once_and_stores_only_its_hash(app: Flask, client: FlaskClient, clock: Any) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = _create(client, owner.headers, household)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    token = body["token"]
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    assert body == {
        "id": body["id"],
        "label": "Family",
        "token": token,
        "url": f"{app.config['FRONTEND_URL']}/shared/{token}",
        "created_at": clock.now().isoformat(),
        "expires_at": None,
    }
    with app.app_context():
        [stored] = db.session.scalars(select(ShareLink)).all()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    listed = client.get(f"/api/households/{household}/share-links", headers=owner.headers)
    assert listed.get_json() == {
        "items": [{"id": body["id"], "label": "Family", "created_at": body["created_at"], "expires_at": None}]
    }
    assert token not in listed.get_data(as_text=True)
    second = _create(client, owner.headers, household).get_json()
    assert second["token"] != token


def test_only_owners_manage_share_links(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    stranger = account(app, client, "stranger@example.com")
    link = _create(client, owner.headers, household).get_json()
    assert _create(client, editor.headers, household).status_code == 403
    assert client.get(f"/api/households/{household}/share-links", headers=editor.headers).status_code == 403
    url = f"/api/households/{household}/share-links/{link['id']}"
    assert client.delete(url, headers=editor.headers).status_code == 403
    assert _create(client, stranger.headers, household).status_code == 404
    assert client.delete(url, headers=stranger.headers).status_code == 404


def test_expiry_must_lie_ahead(app: Flask, client: FlaskClient, clock: Any) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    for expires_at in ((clock.now() - timedelta(minutes=1)).isoformat(), "2026-01-01T00:00:00"):
        response = _create(client, owner.headers, household, expires_at=expires_at)
        assert response.status_code == 422, expires_at
        assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["body", "expires_at"]]
    response = _create(client, owner.headers, household, label="", extra=1)
    assert response.status_code == 422


def test_the_public_view_shows_the_household_and_its_meters_only(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    add_record(app, owner.id, owner.meters["Electricity"], "2026-01-15", "12.5", "3.10", "secret note")
    token = _create(client, owner.headers, household).get_json()["token"]
    response = client.get(f"/api/shared/{token}")
    assert response.status_code == 200
    assert response.get_json() == {
        "household": {"name": "Home", "timezone": "UTC", "currency": "USD"},
        "meters": [
            {"id": owner.meters["Electricity"], "name": "Electricity", "type": "electricity", "unit": "kWh"},
            {"id": owner.meters["Water"], "name": "Water", "type": "water", "unit": "m3"},
            {"id": owner.meters["Gas"], "name": "Gas", "type": "gas", "unit": "m3"},
        ],
    }
    assert "owner@example.com" not in response.get_data(as_text=True)


def test_public_analytics_equal_the_members_analytics(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    add_record(app, owner.id, owner.meters["Electricity"], "2026-01-15", "12.5", "3.10", "secret note")
    add_record(app, owner.id, owner.meters["Water"], "2026-01-20", "0.75")
    token = _create(client, owner.headers, household).get_json()["token"]
    for path, params in (
        ("summary", "date_from=2026-01-01&date_to=2026-01-31"),
        ("summary", f"date_from=2026-01-01&date_to=2026-01-31&group_by=meter&meter_id={owner.meters['Water']}"),
        ("timeseries", "granularity=week&date_from=2026-01-01&date_to=2026-01-31"),
    ):
        shared = client.get(f"/api/shared/{token}/analytics/{path}?{params}")
        mine = client.get(f"/api/analytics/{path}?household_id={household}&{params}", headers=owner.headers)
        assert shared.status_code == 200, shared.get_json()
        assert shared.get_json() == mine.get_json()
    summary = client.get(f"/api/shared/{token}/analytics/summary?date_from=2026-01-01&date_to=2026-01-31").get_json()
    electricity = next(g for g in summary["groups"] if g["key"] == "electricity")
    assert (electricity["total"], electricity["cost_total"], electricity["count"]) == (12.5, 3.1, 1)
    assert "secret note" not in str(summary)


def test_a_meter_of_another_household_is_refused_through_a_share_link(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    other = account(app, client, "other@example.com")
    token = _create(client, owner.headers, home_id(client, owner)).get_json()["token"]
    response = client.get(f"/api/shared/{token}/analytics/summary?meter_id={other.meters['Water']}")
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["query", "meter_id"]]


def test_revoked_expired_and_unknown_tokens_answer_404(app: Flask, client: FlaskClient, clock: Any) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    link = _create(client, owner.headers, household).get_json()
    assert client.get(f"/api/shared/{link['token']}").status_code == 200
    assert (
        client.delete(f"/api/households/{household}/share-links/{link['id']}", headers=owner.headers).status_code == 204
    )
    for path in ("", "/analytics/summary", "/analytics/timeseries"):
        response = client.get(f"/api/shared/{link['token']}{path}")
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    expiring = _create(client, owner.headers, household, expires_at=(clock.now() + timedelta(hours=1)).isoformat())
    token = expiring.get_json()["token"]
    assert client.get(f"/api/shared/{token}").status_code == 200
    clock.advance(hours=1)
    assert client.get(f"/api/shared/{token}").status_code == 404
    assert client.get("/api/shared/not-a-token").status_code == 404
    assert (
        client.delete(f"/api/households/{household}/share-links/{link['id']}", headers=owner.headers).status_code == 404
    )

"""Households: list, create, read, change and delete; roles decide who may."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account, add_record

from .households_helpers import home_id, listen, listen_household, member, stop_listening  # noqa: F401

TS = "2026-01-01T00:00:00+00:00"


def _no_times(body: dict[str, Any]) -> dict[str, Any]:
    assert body["created_at"].endswith("+00:00") and body["updated_at"].endswith("+00:00")
    return {k: v for k, v in body.items() if k not in ("created_at", "updated_at")}


def test_a_new_user_has_one_household_home_as_owner(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    response = client.get("/api/households", headers=owner.headers)
    assert response.status_code == 200
    [home] = response.get_json()["items"]
    assert _no_times(home) == {
        "id": home["id"],
        "name": "Home",
        "timezone": "UTC",
        "currency": "USD",
        "billing_day": 1,
        "role": "owner",
        "member_count": 1,
    }


def test_create_makes_the_caller_owner_with_the_three_default_meters(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    response = client.post(
        "/api/households",
        headers=owner.headers,
        json={"name": " Cabin ", "timezone": "Europe/Oslo", "currency": "NOK", "billing_day": 15},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert _no_times(body) == {
        "id": body["id"],
        "name": "Cabin",
        "timezone": "Europe/Oslo",
        "currency": "NOK",
        "billing_day": 15,
        "role": "owner",
        "member_count": 1,
    }
    meters = client.get(f"/api/meters?household_id={body['id']}", headers=owner.headers).get_json()["items"]
    assert sorted((m["name"], m["type"], m["unit"]) for m in meters) == [
        ("Electricity", "electricity", "kWh"),
        ("Gas", "gas", "m3"),
        ("Water", "water", "m3"),
    ]
    names = [h["name"] for h in client.get("/api/households", headers=owner.headers).get_json()["items"]]
    assert names == ["Home", "Cabin"]


def test_create_takes_the_users_own_time_zone_and_currency_by_default(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    client.patch(
        "/api/auth/me", headers=owner.headers, json={"preferences": {"timezone": "Asia/Tokyo", "currency": "JPY"}}
    )
    body = client.post("/api/households", headers=owner.headers, json={"name": "Flat"}).get_json()
    assert (body["timezone"], body["currency"], body["billing_day"]) == ("Asia/Tokyo", "JPY", 1)


def test_create_refuses_bad_fields_in_one_answer(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    response = client.post(
        "/api/households",
        headers=owner.headers,
        json={"name": "", "timezone": "Mars/Base", "currency": "XTS", "billing_day": 29},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert [d["loc"] for d in error["details"]] == [
        ["body", "name"],
        ["body", "timezone"],
        ["body", "currency"],
        ["body", "billing_day"],
    ]


def test_get_answers_members_and_404_to_anyone_else(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    stranger = account(app, client, "stranger@example.com")
    body = client.get(f"/api/households/{household}", headers=viewer.headers).get_json()
    assert (body["name"], body["role"], body["member_count"]) == ("Home", "viewer", 2)
    response = client.get(f"/api/households/{household}", headers=stranger.headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/households/999999", headers=owner.headers).status_code == 404


def test_only_an_owner_changes_the_household(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    change = {"name": "Main house", "timezone": "Europe/Paris", "currency": "EUR", "billing_day": 28}
    for who in (editor, viewer):
        response = client.patch(f"/api/households/{household}", headers=who.headers, json=change)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    events = listen_household(app, household)
    response = client.patch(f"/api/households/{household}", headers=owner.headers, json=change)
    assert response.status_code == 200
    assert _no_times(response.get_json()) == {
        "id": household,
        "name": "Main house",
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "billing_day": 28,
        "role": "owner",
        "member_count": 3,
    }
    [event] = events
    assert (event["type"], event["household_id"]) == ("household.changed", household)
    expected = {k: v for k, v in response.get_json().items() if k != "role"}
    assert event["household"] == expected


def test_delete_needs_the_exact_name_and_removes_all_data(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    add_record(app, owner.id, owner.meters["Electricity"], "2026-01-15", "12.5")
    response = client.delete(f"/api/households/{household}", headers=editor.headers)
    assert response.status_code == 403
    for query in ("", "?confirm=home", "?confirm=Home%20"):
        response = client.delete(f"/api/households/{household}{query}", headers=owner.headers)
        assert response.status_code == 422, query
        [detail] = response.get_json()["error"]["details"]
        assert detail["loc"] == ["query", "confirm"]
    events = listen(app, editor.id)
    assert client.delete(f"/api/households/{household}?confirm=Home", headers=owner.headers).status_code == 204
    assert client.get(f"/api/households/{household}", headers=owner.headers).status_code == 404
    editor_households = client.get("/api/households", headers=editor.headers).get_json()["items"]
    assert [h["id"] for h in editor_households] == [home_id(client, editor)]
    assert household not in [h["id"] for h in editor_households]
    assert client.get(f"/api/meters/{owner.meters['Electricity']}", headers=owner.headers).status_code == 404
    assert client.get("/api/records", headers=owner.headers).get_json()["total"] == 0
    assert events == [{"type": "member.changed", "household_id": household, "user_id": editor.id, "role": None}]

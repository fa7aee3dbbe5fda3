"""Members: list, roles (owner only), removal and leaving; the last owner stays."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account

from .households_helpers import home_id, listen, listen_household, member


def test_any_member_lists_the_members(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com", name="Olive Owner")
    household = home_id(client, owner)
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    response = client.get(f"/api/households/{household}/members", headers=viewer.headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    for item in items:
        assert item.pop("joined_at").endswith("+00:00")
    assert items == [
        {"user_id": owner.id, "name": "Olive Owner", "email": "owner@example.com", "role": "owner"},
        {"user_id": viewer.id, "name": "Test User", "email": "viewer@example.com", "role": "viewer"},
    ]
    stranger = account(app, client, "stranger@example.com")
    assert client.get(f"/api/households/{household}/members", headers=stranger.headers).status_code == 404


def test_an_owner_changes_roles_and_everyone_hears_of_it(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    events = listen_household(app, household)
    response = client.patch(
        f"/api/households/{household}/members/{viewer.id}", headers=owner.headers, json={"role": "editor"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["joined_at"].endswith("+00:00")
    assert {k: v for k, v in body.items() if k != "joined_at"} == {
        "user_id": viewer.id,
        "name": "Test User",
        "email": "viewer@example.com",
        "role": "editor",
    }
    expected = {"type": "member.changed", "household_id": household, "user_id": viewer.id, "role": "editor"}
    assert events == [expected]


def test_editors_and_viewers_cannot_change_roles(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    for who, target in ((editor, editor), (editor, viewer), (viewer, viewer)):
        response = client.patch(
            f"/api/households/{household}/members/{target.id}", headers=who.headers, json={"role": "owner"}
        )
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    roles = {
        m["user_id"]: m["role"]
        for m in client.get(f"/api/households/{household}/members", headers=owner.headers).get_json()["items"]
    }
    assert roles == {owner.id: "owner", editor.id: "editor", viewer.id: "viewer"}


def test_the_last_owner_can_be_neither_demoted_nor_leave_while_others_remain(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    url = f"/api/households/{household}/members/{owner.id}"
    response = client.patch(url, headers=owner.headers, json={"role": "editor"})
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "conflict",
        "message": "The last owner cannot be demoted; make another member owner first.",
    }
    response = client.delete(url, headers=owner.headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        "The last owner cannot leave while others remain; make another member owner first."
    )
    # With a second owner, the first may step down, then leave.
    editor_url = f"/api/households/{household}/members/{editor.id}"
    assert client.patch(editor_url, headers=owner.headers, json={"role": "owner"}).status_code == 200
    assert client.patch(url, headers=owner.headers, json={"role": "viewer"}).status_code == 200
    assert client.delete(url, headers=owner.headers).status_code == 204
    assert client.get(f"/api/households/{household}", headers=owner.headers).status_code == 404


def test_the_last_member_cannot_leave(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    response = client.delete(f"/api/households/{household}/members/{owner.id}", headers=owner.headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "You are the last member; delete the household instead."


def test_owner_removes_anyone_members_remove_only_themselves(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    editor = member(app, client, household, "editor", "editor@example.com")
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    base = f"/api/households/{household}/members"
    assert client.delete(f"{base}/{viewer.id}", headers=editor.headers).status_code == 403
    assert client.delete(f"{base}/{owner.id}", headers=viewer.headers).status_code == 403
    viewer_events, household_events = listen(app, viewer.id), listen_household(app, household)
    assert client.delete(f"{base}/{viewer.id}", headers=viewer.headers).status_code == 204
    left = {"type": "member.changed", "household_id": household, "user_id": viewer.id, "role": None}
    assert viewer_events == [left]
    assert household_events == [left]
    assert client.get(f"/api/households/{household}", headers=viewer.headers).status_code == 404
    assert client.delete(f"{base}/{editor.id}", headers=owner.headers).status_code == 204
    assert client.delete(f"{base}/{editor.id}", headers=owner.headers).status_code == 404
    assert [m["user_id"] for m in client.get(base, headers=owner.headers).get_json()["items"]] == [owner.id]


def test_a_role_outside_the_three_is_refused(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    viewer = member(app, client, household, "viewer", "viewer@example.com")
    response = client.patch(
        f"/api/households/{household}/members/{viewer.id}", headers=owner.headers, json={"role": "admin"}
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.get_json()["error"]["details"]] == [["body", "role"]]


def test_ids_too_large_for_the_database_name_nothing(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    household = home_id(client, owner)
    huge = 2**63
    for method, url, body in (
        ("PATCH", f"/api/households/{household}/members/{huge}", {"role": "viewer"}),
        ("DELETE", f"/api/households/{household}/members/{huge}", None),
        ("DELETE", f"/api/households/{household}/invitations/{huge}", None),
        ("DELETE", f"/api/households/{household}/share-links/{huge}", None),
        ("GET", f"/api/households/{huge}", None),
    ):
        response = client.open(url, method=method, headers=owner.headers, json=body)
        assert response.status_code == 404, (method, url, response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"

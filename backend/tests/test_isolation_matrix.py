"""Tenant isolation, generated from the URL map: a new route that is not covered fails here.

Every route with an id in its path is called by three actors with the ids of one household's
data: a non-member (404, never 403, nothing changes, nothing shown), a viewer (reads answer,
writes 403) and an editor (owner-only routes 403). The public share-link routes show
aggregates only, and a share token opens nothing else. Every collection, analytics and export
route read by a non-member must not contain a trace of the household's data.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.api.attachments_helpers import png, upload
from tests.api.households_helpers import home_id, member
from tests.factories import Account, account, add_meter, add_record
from tests.test_hostile import _snapshot

# Path parameters that name a household's data, and where the owner's id for each comes from.
OWNED_PARAMS = {
    "household_id",
    "meter_id",
    "record_id",
    "reading_id",
    "user_id",
    "invitation_id",
    "link_id",
    "tariff_id",
    "bill_id",
    "attachment_id",
}
SHARE_PARAM = "token"
# Public routes whose id comes with a signature (an attachment's file in an <img>): the link is
# the credential, whoever holds it; without one, or with one of another id, every caller gets 404.
SIGNED_ROUTES = {"/api/attachments/<int:attachment_id>/content", "/api/attachments/<int:attachment_id>/thumbnail"}
# Routes whose id is another account's by design: only admins reach them, everyone else gets 403.
ADMIN_PREFIX = "/api/admin/"
# The account's own things (personal access tokens): not household data; another account's id
# answers 404 (tests/api/test_tokens.py).
PERSONAL_PREFIX = "/api/auth/"
# A notification is its user's alone: every other account, members of its household included,
# gets 404 (test_notifications_are_their_users_alone below).
PERSONAL_PARAMS = {"notification_id"}
MARKERS = ("OwnerSecretMeter", "owner-secret-note", "777.777", "owner@example.com")
# What a share link may show (aggregates, meter names) leaves these: no notes, no member data.
SHARE_MARKERS = ("owner-secret-note", "owner@example.com", "viewer@example.com", "editor@example.com")
HOUSEHOLD = "/api/households/<int:household_id>"
# The member-level reads of a household; every other route under it is for owners only.
MEMBER_READS = {HOUSEHOLD, f"{HOUSEHOLD}/members"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
TARIFFS = "/api/meters/<int:meter_id>/tariffs"


def _bodies(ids: dict[str, int]) -> dict[tuple[str, str], dict[str, Any]]:
    """Valid bodies, so that the answer is about membership and roles, not validation."""
    return {
        ("PATCH", "/api/meters/<int:meter_id>"): {"name": "Hijacked"},
        ("PATCH", "/api/records/<int:record_id>"): {"amount": 1},
        ("PATCH", "/api/readings/<int:reading_id>"): {"note": "checked"},
        ("PUT", "/api/records/<int:record_id>"): {"meter_id": ids["meter_id"], "date": "2026-01-01", "amount": 1},
        ("PATCH", HOUSEHOLD): {"name": "Hijacked"},
        ("PATCH", f"{HOUSEHOLD}/members/<int:user_id>"): {"role": "viewer"},
        ("POST", f"{HOUSEHOLD}/invitations"): {"email": "new@example.com", "role": "viewer"},
        ("POST", f"{HOUSEHOLD}/share-links"): {"label": "Hijack"},
        ("POST", TARIFFS): {"valid_from": "2026-02-01", "unit_price": 9},
        ("PATCH", f"{TARIFFS}/<int:tariff_id>"): {"unit_price": 9},
        ("PATCH", "/api/bills/<int:bill_id>"): {"cost": 9},
    }


def _api_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _is_public(app: Flask, rule: Rule) -> bool:
    return getattr(app.view_functions[rule.endpoint], "__openapi__", {}).get("auth") is False


def _owner_only(method: str, rule: str) -> bool:
    return rule.startswith(HOUSEHOLD) and not (method == "GET" and rule in MEMBER_READS)


class World:
    """One household (owner, editor, viewer) with secret data, and a stranger with their own."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.owner = account(app, client, "owner@example.com")
        self.household = home_id(client, self.owner)
        self.editor = member(app, client, self.household, "editor", "editor@example.com")
        self.viewer = member(app, client, self.household, "viewer", "viewer@example.com")
        self.stranger = account(app, client, "intruder@example.com")
        secret_meter = add_meter(app, self.owner.id, "OwnerSecretMeter", "other", "kg")
        record = add_record(app, self.owner.id, secret_meter, "2026-01-15", "777.777", "77.77", "owner-secret-note")
        add_record(
            app, self.owner.id, self.owner.meters["Electricity"], "2026-01-15", "777.777", None, "owner-secret-note"
        )
        readings_meter = client.post(
            "/api/meters",
            headers=self.owner.headers,
            json={"name": "OwnerSecretMeterReadings", "type": "water", "unit": "m3", "mode": "readings"},
        ).get_json()["id"]
        reading = client.post(
            "/api/readings",
            headers=self.owner.headers,
            json={
                "meter_id": readings_meter,
                "taken_at": "2026-01-15T08:00:00+00:00",
                "value": 777.777,
                "note": "owner-secret-note",
            },
        ).get_json()
        url = f"/api/households/{self.household}"
        invitation = client.post(
            f"{url}/invitations", headers=self.owner.headers, json={"email": "invitee@example.com", "role": "viewer"}
        ).get_json()
        link = client.post(f"{url}/share-links", headers=self.owner.headers, json={"label": "Family"}).get_json()
        self.share_token: str = link["token"]
        tariff = client.post(
            f"/api/meters/{secret_meter}/tariffs",
            headers=self.owner.headers,
            json={"valid_from": "2026-01-01", "unit_price": 0.5},
        ).get_json()
        attachment = upload(client, self.owner.headers, png(), household_id=self.household).get_json()
        self.attachment_links = {"content": attachment["url"], "thumbnail": attachment["thumbnail_url"]}
        bill = client.post(
            "/api/bills",
            headers=self.owner.headers,
            json={"meter_id": secret_meter, "period_from": "2026-01-01", "period_to": "2026-01-31", "cost": 77.77},
        ).get_json()
        self.ids = {
            "household_id": self.household,
            "meter_id": secret_meter,
            "record_id": record,
            "reading_id": reading["id"],
            "user_id": self.owner.id,  # a member's id: the owner's, whom only an owner may touch
            "invitation_id": invitation["id"],
            "link_id": link["id"],
            "tariff_id": tariff["id"],
            "bill_id": bill["id"],
            "attachment_id": attachment["id"],
        }

    def url(self, rule: Rule) -> str:
        url = rule.rule
        for name in rule.arguments:
            value = self.share_token if name == SHARE_PARAM else self.ids[name]
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        return url


def _id_routes(app: Flask) -> list[Rule]:
    rules = []
    for rule in _api_rules(app):
        if not rule.arguments or rule.rule.startswith((ADMIN_PREFIX, PERSONAL_PREFIX)) or SHARE_PARAM in rule.arguments:
            continue
        if rule.rule in SIGNED_ROUTES:
            continue
        if PERSONAL_PARAMS & set(rule.arguments):
            continue
        unknown = set(rule.arguments) - OWNED_PARAMS
        assert not unknown, f"{rule.rule}: path parameters {unknown} are not covered by the isolation matrix"
        rules.append(rule)
    return rules


def _call(client: FlaskClient, world: World, who: Account, method: str, rule: Rule) -> Any:
    body = _bodies(world.ids).get((method, rule.rule))
    return client.open(world.url(rule), method=method, headers=who.headers, json=body)


def _no_markers(response: Any, markers: tuple[str, ...] = MARKERS) -> None:
    text = response.get_data(as_text=True)
    for marker in markers:
        assert marker not in text, (response.request.path, marker)


def test_every_id_route_for_a_non_member_a_viewer_and_an_editor(
    app: Flask, client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(app, client)
    pairs = [(method, rule) for rule in _id_routes(app) for method in _methods(rule)]
    # Writes that delete come last, records before meters, so the editor's own writes leave
    # every route something to answer about.
    pairs.sort(key=lambda pair: (pair[0] == "DELETE", pair[1].rule == "/api/meters/<int:meter_id>"))

    for method, rule in pairs:  # a non-member: 404 and nothing else, whatever the route
        before = _snapshot(app)
        response = _call(client, world, world.stranger, method, rule)
        assert response.status_code == 404, (method, rule.rule, response.status_code, response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"
        assert _snapshot(app) == before, f"{method} {rule.rule} changed the household's data"
        _no_markers(response)

    for method, rule in pairs:  # a viewer: reads answer, every write is refused
        before = _snapshot(app)
        response = _call(client, world, world.viewer, method, rule)
        if method in WRITES or _owner_only(method, rule.rule):
            assert response.status_code == 403, (method, rule.rule, response.status_code, response.get_json())
            assert response.get_json()["error"]["code"] == "forbidden"
            assert _snapshot(app) == before, f"{method} {rule.rule} changed data for a viewer"
        else:
            assert response.status_code == 200, (method, rule.rule, response.status_code, response.get_json())

    for method, rule in pairs:  # an editor: owner-only routes refused, the rest allowed
        before = _snapshot(app)
        response = _call(client, world, world.editor, method, rule)
        if _owner_only(method, rule.rule):
            assert response.status_code == 403, (method, rule.rule, response.status_code, response.get_json())
            assert _snapshot(app) == before, f"{method} {rule.rule} changed data for an editor"
        else:
            assert response.status_code in (200, 201, 204), (method, rule.rule, response.status_code)

    owner_only = sum(1 for method, rule in pairs if _owner_only(method, rule.rule))
    with capsys.disabled():
        print(
            f"\nisolation matrix: {len(pairs)} operations on {len({r.rule for _, r in pairs})} id routes"
            f" x 3 actors (non-member, viewer, editor); {owner_only} owner-only"
        )
    assert len(pairs) == EXPECTED_ID_OPERATIONS, [f"{m} {r.rule}" for m, r in pairs]


# Every operation with an id in its path (admin routes aside); a new one must be counted here
# and in docs/security.md.
EXPECTED_ID_OPERATIONS = 31


def test_signed_attachment_links_open_one_file_and_nothing_without_a_signature(app: Flask, client: FlaskClient) -> None:
    world = World(app, client)
    public_id_routes = {
        rule.rule
        for rule in _api_rules(app)
        if _is_public(app, rule) and rule.arguments and SHARE_PARAM not in rule.arguments
    }
    assert public_id_routes == SIGNED_ROUTES
    other = upload(client, world.stranger.headers, png()).get_json()
    for rule in SIGNED_ROUTES:
        variant = rule.rsplit("/", 1)[1]
        bare = world.url(next(r for r in _api_rules(app) if r.rule == rule))
        link = world.attachment_links[variant]
        signed = link[link.index("/api/") :]
        query = signed.split("?", 1)[1]
        for who in (world.stranger, world.viewer, world.editor, world.owner):
            response = client.get(bare, headers=who.headers)  # signed in, but no signature: 404
            assert response.status_code == 404, (rule, who.email)
            # another file's signature on this id: 404
            foreign = other["url" if variant == "content" else "thumbnail_url"].split("?", 1)[1]
            assert client.get(f"{bare}?{foreign}", headers=who.headers).status_code == 404
        response = client.get(signed)  # the link itself, no header: the image
        assert response.status_code == 200, rule
        assert response.headers["Content-Type"] == ("image/png" if variant == "content" else "image/jpeg")
        assert client.get(f"{bare}?{query}").status_code == 200


def test_notifications_are_their_users_alone(app: Flask, client: FlaskClient) -> None:
    from app.extensions import db
    from app.services import notifications

    world = World(app, client)
    with app.app_context():
        [made] = notifications.notify(
            world.household, "budget.threshold", "owner-secret-note", "x", user_ids=[world.owner.id]
        )
        db.session.commit()
        notification_id = made.id
    rules = [rule for rule in _api_rules(app) if PERSONAL_PARAMS & set(rule.arguments)]
    assert {rule.rule for rule in rules} == {"/api/notifications/<int:notification_id>/read"}
    for rule in rules:
        url = rule.rule.replace("<int:notification_id>", str(notification_id))
        for who in (world.stranger, world.viewer, world.editor):
            for method in _methods(rule):
                before = _snapshot(app)
                response = client.open(url, method=method, headers=who.headers, json={})
                assert response.status_code == 404, (method, url, response.status_code)
                assert _snapshot(app) == before
                _no_markers(response)
            listed = client.get("/api/notifications", headers=who.headers).get_json()
            assert (listed["total"], listed["unread_count"]) == (0, 0)
        response = client.post(url, headers=world.owner.headers)
        assert response.status_code == 200
        assert response.get_json()["title"] == "owner-secret-note"


def test_admin_routes_refuse_everyone_else(app: Flask, client: FlaskClient) -> None:
    world = World(app, client)
    for rule in _api_rules(app):
        if not rule.rule.startswith(ADMIN_PREFIX):
            continue
        url = rule.rule.replace("<int:user_id>", str(world.owner.id))
        for method in _methods(rule):
            response = client.open(url, method=method, headers=world.owner.headers, json={})
            assert response.status_code == 403, (method, url, response.status_code)


def test_a_share_token_shows_aggregates_and_opens_nothing_else(
    app: Flask, client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(app, client)
    shared = [rule for rule in _api_rules(app) if SHARE_PARAM in rule.arguments]
    assert {rule.rule for rule in shared} == {
        "/api/shared/<token>",
        "/api/shared/<token>/analytics/summary",
        "/api/shared/<token>/analytics/timeseries",
        "/api/shared/<token>/analytics/billing",
    }
    for rule in shared:
        assert _methods(rule) == ["GET"]
        for query in ("", "date_from=2026-01-01&date_to=2026-01-31&group_by=meter"):
            response = client.get(f"{world.url(rule)}?{query}")
            assert response.status_code == 200, (rule.rule, response.get_json())
            _no_markers(response, SHARE_MARKERS)
        other = world.share_token[:-1] + ("B" if world.share_token.endswith("A") else "A")
        response = client.get(world.url(rule).replace(world.share_token, other))
        assert response.status_code == 404

    # The token is no credential anywhere else: as a bearer token, every signed-in route says 401.
    bearer = {"Authorization": f"Bearer {world.share_token}"}
    refused = 0
    for rule in _api_rules(app):
        if _is_public(app, rule) or SHARE_PARAM in rule.arguments:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(world.ids.get(name, world.owner.id)))
        for method in _methods(rule):
            response = client.open(url, method=method, headers=bearer, json={})
            assert response.status_code == 401, (method, url, response.status_code)
            refused += 1
    with capsys.disabled():
        print(f"\nshare links: {len(shared)} public routes show aggregates only; {refused} operations refuse the token")


def test_collections_and_analytics_never_show_another_households_data(app: Flask, client: FlaskClient) -> None:
    world = World(app, client)
    owner, intruder = world.owner, world.stranger
    read = []
    windows = "date_from=2026-01-01&date_to=2026-01-31"
    for rule in _api_rules(app):
        if rule.arguments or "GET" not in (rule.methods or set()) or rule.rule.startswith(ADMIN_PREFIX):
            continue
        for query in (
            "",
            windows,
            f"{windows}&meter_id={owner.meters['Electricity']}",
            f"{windows}&household_id={world.household}",
            "q=owner-secret",
        ):
            response = client.get(f"{rule.rule}?{query}", headers=intruder.headers)
            assert response.status_code in (200, 422), (rule.rule, query, response.status_code)
            _no_markers(response)
            read.append(rule.rule)
    # the owner really does see the markers through the same route (the check has teeth)
    owner_view = client.get("/api/records", headers=owner.headers).get_data(as_text=True)
    assert "owner-secret-note" in owner_view and "777.777" in owner_view
    assert "/api/records" in read and "/api/meters" in read and "/api/households" in read

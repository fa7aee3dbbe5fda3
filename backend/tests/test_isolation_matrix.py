"""Tenant isolation, generated from the URL map: a new route that is not covered fails here.

Every route with an id in its path is called by a second user with the first user's ids
(404, and nothing changes); every collection, analytics and export route is read by the
second user and must not contain a trace of the first user's data.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.factories import account, add_meter, add_record
from tests.test_hostile import _snapshot

# Path parameters a user owns, and where the owner's id for each comes from.
OWNED_PARAMS = {"meter_id", "record_id"}
# Routes whose id is another account's by design: only admins reach them, everyone else gets 403.
ADMIN_PREFIX = "/api/admin/"
MARKERS = ("OwnerSecretMeter", "owner-secret-note", "777.777", "owner@example.com")
# Valid bodies, so that the answer is about ownership, not validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "meters"): {"name": "Hijacked"},
    ("PATCH", "records"): {"amount": 1},
    ("PUT", "records"): {"meter_id": 1, "date": "2026-01-01", "amount": 1},
}


def _body(method: str, rule: str) -> dict[str, Any] | None:
    return next((body for (m, part), body in BODIES.items() if m == method and f"/{part}/" in rule), None)


def _api_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _setup(app: Flask, client: FlaskClient) -> tuple[Any, Any, dict[str, int]]:
    owner = account(app, client, "owner@example.com")
    intruder = account(app, client, "intruder@example.com")
    secret_meter = add_meter(app, owner.id, "OwnerSecretMeter", "other", "kg")
    record = add_record(app, owner.id, secret_meter, "2026-01-15", "777.777", "77.77", "owner-secret-note")
    add_record(app, owner.id, owner.meters["Electricity"], "2026-01-15", "777.777", None, "owner-secret-note")
    return owner, intruder, {"meter_id": secret_meter, "record_id": record}


def test_every_id_route_answers_404_to_another_user(app: Flask, client: FlaskClient) -> None:
    owner, intruder, ids = _setup(app, client)
    covered = []
    for rule in _api_rules(app):
        if not rule.arguments:
            continue
        unknown = set(rule.arguments) - OWNED_PARAMS
        if rule.rule.startswith(ADMIN_PREFIX):
            url = rule.rule.replace("<int:user_id>", str(owner.id))
            for method in _methods(rule):
                response = client.open(
                    url, method=method, headers=intruder.headers, json=_body(method, rule.rule) or {}
                )
                assert response.status_code == 403, (method, url, response.status_code)
                covered.append((method, rule.rule))
            continue
        assert not unknown, f"{rule.rule}: path parameters {unknown} are not covered by the isolation matrix"
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(ids[name]))
        for method in _methods(rule):
            before = _snapshot(app)
            response = client.open(url, method=method, headers=intruder.headers, json=_body(method, rule.rule))
            assert response.status_code == 404, (method, url, response.status_code, response.get_json())
            assert response.get_json()["error"]["code"] == "not_found"
            assert _snapshot(app) == before, f"{method} {url} changed the owner's data"
            for marker in MARKERS:
                assert marker not in response.get_data(as_text=True)
            covered.append((method, rule.rule))
    assert len(covered) >= 7, covered


def test_collections_and_analytics_never_show_another_users_data(app: Flask, client: FlaskClient) -> None:
    owner, intruder, _ = _setup(app, client)
    read = []
    windows = "date_from=2026-01-01&date_to=2026-01-31"
    for rule in _api_rules(app):
        if rule.arguments or "GET" not in (rule.methods or set()) or rule.rule.startswith(ADMIN_PREFIX):
            continue
        for query in ("", windows, f"{windows}&meter_id={owner.meters['Electricity']}", "q=owner-secret"):
            response = client.get(f"{rule.rule}?{query}", headers=intruder.headers)
            assert response.status_code in (200, 422), (rule.rule, query, response.status_code)
            text = response.get_data(as_text=True)
            for marker in MARKERS:
                assert marker not in text, (rule.rule, query, marker)
            read.append(rule.rule)
        # the owner really does see the markers through the same route (the check has teeth)
    owner_view = client.get("/api/records", headers=owner.headers).get_data(as_text=True)
    assert "owner-secret-note" in owner_view and "777.777" in owner_view
    assert "/api/records" in read and "/api/meters" in read

"""Readings by role and household, and their live events."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.api.households_helpers import listen_household, member, stop_listening
from tests.api.readings_helpers import days, read, readings_meter
from tests.factories import account

__all__ = ["stop_listening"]


def test_viewer_reads_editor_writes_stranger_sees_nothing(app: Flask, client: FlaskClient) -> None:
    owner = account(app, client, "owner@example.com")
    meter = readings_meter(client, owner)
    first = read(client, owner, meter, "2026-03-01T08:00:00+01:00", 10).get_json()
    viewer = member(app, client, owner.household_id, "viewer", "viewer@example.com")
    editor = member(app, client, owner.household_id, "editor", "editor@example.com")
    stranger = account(app, client, "stranger@example.com")

    assert client.get("/api/readings", headers=viewer.headers).get_json()["total"] == 1
    assert client.get(f"/api/readings/{first['id']}", headers=viewer.headers).status_code == 200
    refused = [
        read(client, viewer, meter, "2026-03-02T08:00:00+01:00", 11),
        client.patch(f"/api/readings/{first['id']}", headers=viewer.headers, json={"value": 9}),
        client.delete(f"/api/readings/{first['id']}", headers=viewer.headers),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert {r.get_json()["error"]["code"] for r in refused} == {"forbidden"}
    assert days(app, meter) == {"2026-03-01": (0, 1)}

    made = read(client, editor, meter, "2026-03-02T08:00:00+01:00", 11)
    assert made.status_code == 201
    assert made.get_json()["created_by"] == editor.id
    assert client.patch(f"/api/readings/{first['id']}", headers=editor.headers, json={"note": "ok"}).status_code == 200

    assert client.get("/api/readings", headers=stranger.headers).get_json()["total"] == 0
    assert client.get(f"/api/readings/{first['id']}", headers=stranger.headers).status_code == 404
    assert client.delete(f"/api/readings/{first['id']}", headers=stranger.headers).status_code == 404
    wrong = read(client, stranger, meter, "2026-03-03T08:00:00+01:00", 12)
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["details"][0]["loc"] == ["body", "meter_id"]
    assert wrong.get_json()["error"]["details"][0]["type"] == "not_found"
    assert client.get(f"/api/readings?meter_id={meter}", headers=stranger.headers).status_code == 422
    assert client.get(f"/api/readings?household_id={owner.household_id}", headers=stranger.headers).status_code == 422


def test_list_filters_sort_and_pages(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    meter = readings_meter(client, acc, "Europe/Berlin")
    other = readings_meter(client, acc, "Europe/Berlin", name="Other")
    for day in range(1, 6):
        read(client, acc, meter, f"2026-03-0{day}T00:30:00+01:00", day)
    read(client, acc, other, "2026-03-02T12:00:00+01:00", 1)

    def ids(query: str) -> list[str]:
        body = client.get(f"/api/readings?{query}", headers=acc.headers).get_json()
        return [item["taken_at"] for item in body["items"]]

    # 00:30 local on 2 March is 23:30 UTC on 1 March: days are the household's local days.
    assert ids(f"meter_id={meter}&date_from=2026-03-02&date_to=2026-03-03&sort=taken_at") == [
        "2026-03-01T23:30:00+00:00",
        "2026-03-02T23:30:00+00:00",
    ]
    page = client.get(f"/api/readings?meter_id={meter}&per_page=2&page=2", headers=acc.headers).get_json()
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (5, 3, 2, 2)
    assert [item["value"] for item in page["items"]] == [3, 2]
    assert client.get("/api/readings", headers=acc.headers).get_json()["total"] == 6


def test_live_events(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    meter = readings_meter(client, acc)
    events = listen_household(app, acc.household_id)
    created = read(client, acc, meter, "2026-03-01T08:00:00+01:00", 1).get_json()
    updated = client.patch(f"/api/readings/{created['id']}", headers=acc.headers, json={"value": 2}).get_json()
    client.delete(f"/api/readings/{created['id']}", headers=acc.headers)
    read(client, acc, meter, "2026-03-01T08:00:00+01:00", -1)  # refused: no event
    assert [(e["type"], e.get("reading"), e.get("id")) for e in events] == [
        ("reading.created", created, None),
        ("reading.updated", updated, None),
        ("reading.deleted", None, created["id"]),
    ]
    assert {e["household_id"] for e in events} == {acc.household_id}

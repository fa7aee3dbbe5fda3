"""attachment_ids on readings, records and bills; what deleting a parent, a meter, a household
or an account does to attachments and their files; the clean-up of unattached uploads."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.services.storage import Storage
from tests.api.attachments_helpers import png, upload
from tests.api.conftest import stored_keys
from tests.api.households_helpers import home_id
from tests.factories import Account, account


def _photo(client: FlaskClient, who: Account, **fields: Any) -> int:
    response = upload(client, who.headers, png(), **fields)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def _readings_meter(client: FlaskClient, who: Account) -> int:
    body = {"name": "Water main", "type": "water", "unit": "m3", "mode": "readings"}
    response = client.post("/api/meters", headers=who.headers, json=body)
    return int(response.get_json()["id"])


def _record(client: FlaskClient, who: Account, **extra: Any) -> Any:
    body = {"meter_id": who.meters["Electricity"], "date": "2026-03-01", "amount": 5, **extra}
    return client.post("/api/records", headers=who.headers, json=body)


def test_a_record_takes_its_photos_and_deleting_it_deletes_them(
    app: Flask, client: FlaskClient, store: Storage
) -> None:
    owner = account(app, client)
    first, second = _photo(client, owner), _photo(client, owner)
    created = _record(client, owner, attachment_ids=[second, first])
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert record["attachment_ids"] == [first, second]
    assert client.get(f"/api/records/{record['id']}", headers=owner.headers).get_json()["attachment_ids"] == [1, 2]
    page = client.get("/api/records", headers=owner.headers).get_json()
    assert page["items"][0]["attachment_ids"] == [1, 2]
    exported = client.get("/api/records/export?format=json", headers=owner.headers).get_json()
    assert exported["items"][0]["attachment_ids"] == [1, 2]
    assert len(stored_keys(store)) == 4

    # an update naming the list replaces it: the one left out goes, with its files
    changed = client.patch(f"/api/records/{record['id']}", headers=owner.headers, json={"attachment_ids": [second]})
    assert changed.status_code == 200
    assert changed.get_json()["attachment_ids"] == [second]
    assert client.get(f"/api/attachments/{first}", headers=owner.headers).status_code == 404
    assert len(stored_keys(store)) == 2
    # an update without the list keeps it
    kept = client.patch(f"/api/records/{record['id']}", headers=owner.headers, json={"note": "x"}).get_json()
    assert kept["attachment_ids"] == [second]

    assert client.delete(f"/api/records/{record['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/api/attachments/{second}", headers=owner.headers).status_code == 404
    assert stored_keys(store) == set()


def test_another_households_attachment_is_422_and_one_attached_elsewhere_409(
    app: Flask, client: FlaskClient, store: Storage
) -> None:
    owner, stranger = account(app, client), account(app, client)
    theirs = _photo(client, stranger)
    refused = _record(client, owner, attachment_ids=[theirs])
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == [
        {"loc": ["body", "attachment_ids"], "msg": f"Attachment {theirs} not found.", "type": "not_found"}
    ]
    unknown = _record(client, owner, attachment_ids=[999])
    assert unknown.status_code == 422
    mine = _photo(client, owner)
    assert _record(client, owner, attachment_ids=[mine]).status_code == 201
    twice = _record(client, owner, attachment_ids=[mine], date="2026-03-02")
    assert twice.status_code == 409
    assert twice.get_json()["error"] == {
        "code": "conflict",
        "message": f"Attachment {mine} is already attached to another reading, record or bill.",
    }
    # nothing of the refused requests was written
    assert len(client.get("/api/records", headers=owner.headers).get_json()["items"]) == 1
    assert client.get(f"/api/attachments/{theirs}", headers=stranger.headers).status_code == 200
    too_many = _record(client, owner, attachment_ids=list(range(1, 22)))
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["details"][0]["loc"] == ["body", "attachment_ids"]


def test_readings_take_photos_and_deleting_one_deletes_them(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    meter = _readings_meter(client, owner)
    photo = _photo(client, owner)
    body = {"meter_id": meter, "taken_at": "2026-03-01T08:00:00+00:00", "value": 10, "attachment_ids": [photo]}
    created = client.post("/api/readings", headers=owner.headers, json=body)
    assert created.status_code == 201, created.get_json()
    reading = created.get_json()
    assert reading["attachment_ids"] == [photo]
    listed = client.get("/api/readings", headers=owner.headers).get_json()
    assert listed["items"][0]["attachment_ids"] == [photo]
    exported = client.get("/api/readings/export?format=json", headers=owner.headers).get_json()
    assert exported["items"][0]["attachment_ids"] == [photo]
    null = client.patch(f"/api/readings/{reading['id']}", headers=owner.headers, json={"attachment_ids": None})
    assert null.status_code == 422
    assert client.delete(f"/api/readings/{reading['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/api/attachments/{photo}", headers=owner.headers).status_code == 404
    assert stored_keys(store) == set()


def test_bills_take_photos_of_the_paper_bill(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    photo, other = _photo(client, owner), _photo(client, owner)
    body = {
        "meter_id": owner.meters["Gas"],
        "period_from": "2026-01-01",
        "period_to": "2026-01-31",
        "cost": 50,
        "attachment_ids": [photo],
    }
    created = client.post("/api/bills", headers=owner.headers, json=body)
    assert created.status_code == 201, created.get_json()
    bill = created.get_json()
    assert bill["attachment_ids"] == [photo]
    changed = client.patch(f"/api/bills/{bill['id']}", headers=owner.headers, json={"attachment_ids": [photo, other]})
    assert changed.get_json()["attachment_ids"] == [photo, other]
    assert client.get("/api/bills", headers=owner.headers).get_json()["items"][0]["attachment_ids"] == [photo, other]
    assert client.delete(f"/api/bills/{bill['id']}", headers=owner.headers).status_code == 204
    assert stored_keys(store) == set()


def test_deleting_a_meter_with_cascade_removes_the_photos_of_its_data(
    app: Flask, client: FlaskClient, store: Storage
) -> None:
    owner = account(app, client)
    kept = _photo(client, owner)
    _record(client, owner, attachment_ids=[_photo(client, owner)])
    response = client.delete(f"/api/meters/{owner.meters['Electricity']}?cascade=true", headers=owner.headers)
    assert response.status_code == 204
    assert client.get("/api/attachments/2", headers=owner.headers).status_code == 404
    assert client.get(f"/api/attachments/{kept}", headers=owner.headers).status_code == 200
    assert len(stored_keys(store)) == 2


def test_deleting_a_household_or_an_account_removes_the_files(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner = account(app, client)
    home = home_id(client, owner)
    second = client.post("/api/households", headers=owner.headers, json={"name": "Cabin"}).get_json()["id"]
    _photo(client, owner, household_id=second)
    _record(client, owner, attachment_ids=[_photo(client, owner, household_id=home)])
    assert len(stored_keys(store)) == 4
    gone = client.delete(f"/api/households/{second}?confirm=Cabin", headers=owner.headers)
    assert gone.status_code == 204
    assert len(stored_keys(store)) == 2
    deleted = client.delete("/api/auth/me", headers=owner.headers, json={"password": owner.password})
    assert deleted.status_code == 204, deleted.get_json()
    assert stored_keys(store) == set()


def test_a_refused_write_keeps_the_files(app: Flask, client: FlaskClient, store: Storage) -> None:
    owner, stranger = account(app, client), account(app, client)
    photo = _photo(client, owner)
    record = _record(client, owner, attachment_ids=[photo]).get_json()
    theirs = _photo(client, stranger)
    refused = client.patch(f"/api/records/{record['id']}", headers=owner.headers, json={"attachment_ids": [theirs]})
    assert refused.status_code == 422
    assert client.get(f"/api/records/{record['id']}", headers=owner.headers).get_json()["attachment_ids"] == [photo]
    assert len(stored_keys(store)) == 4


def test_clean_removes_uploads_unattached_for_24_hours(
    app: Flask, client: FlaskClient, store: Storage, clock: Any
) -> None:
    owner = account(app, client)
    old_loose, old_kept = _photo(client, owner), _photo(client, owner)
    assert _record(client, owner, attachment_ids=[old_kept]).status_code == 201
    clock.advance(hours=23)
    young = _photo(client, owner)
    clock.advance(hours=1, seconds=1)
    result = app.test_cli_runner().invoke(args=["attachments", "clean"])
    assert result.exit_code == 0, result.output
    assert result.output == "Removed 1 unattached upload(s).\n"
    assert client.get(f"/api/attachments/{old_loose}", headers=owner.headers).status_code == 404
    assert client.get(f"/api/attachments/{old_kept}", headers=owner.headers).status_code == 200
    assert client.get(f"/api/attachments/{young}", headers=owner.headers).status_code == 200
    assert len(stored_keys(store)) == 4
    again = app.test_cli_runner().invoke(args=["attachments", "clean", "--hours", "0"])
    assert again.output == "Removed 1 unattached upload(s).\n"
    assert len(stored_keys(store)) == 2


def test_the_periodic_sweep_cleans_unattached_uploads(
    app: Flask, client: FlaskClient, store: Storage, clock: Any
) -> None:
    from app.jobs import run_sweeps

    owner = account(app, client)
    loose = _photo(client, owner)
    clock.advance(hours=24, seconds=1)
    with app.app_context():
        outcome = run_sweeps("sweep")
    assert outcome["app.services.attachments.sweep_unattached_uploads"] is True
    assert client.get(f"/api/attachments/{loose}", headers=owner.headers).status_code == 404
    assert stored_keys(store) == set()

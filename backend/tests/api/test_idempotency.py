"""The Idempotency-Key rule (PRODUCT §13) on create, batch and import POSTs."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.security_helpers import error
from tests.factories import account


def _record(acct: Any, amount: float = 2.5) -> dict[str, Any]:
    return {"meter_id": acct.meters["Electricity"], "date": "2026-10-01", "amount": amount}


def _with_key(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def _total(client: FlaskClient, headers: dict[str, str]) -> int:
    return client.get("/api/records", headers=headers).get_json()["total"]  # type: ignore[no-any-return]


def test_a_replay_answers_the_first_answer_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    headers = _with_key(acct.headers, "reading-2026-10-01")
    first = client.post("/api/records", json=_record(acct), headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = client.post("/api/records", json=_record(acct), headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Content-Type"] == "application/json"
    assert again.get_json() == first.get_json()
    assert _total(client, acct.headers) == 1


def test_the_same_key_with_another_body_or_route_is_409(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    headers = _with_key(acct.headers, "k1")
    assert client.post("/api/records", json=_record(acct), headers=headers).status_code == 201
    other_body = client.post("/api/records", json=_record(acct, 3), headers=headers)
    assert other_body.status_code == 409
    assert error(other_body) == {
        "code": "conflict",
        "message": "This Idempotency-Key was used with another request; use a new key for a new request.",
    }
    other_route = client.post("/api/meters", json={"name": "Pump", "type": "other", "unit": "h"}, headers=headers)
    assert other_route.status_code == 409
    assert _total(client, acct.headers) == 1


def test_keys_belong_to_the_user_and_the_token(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    other = account(app, client)
    assert client.post("/api/records", json=_record(acct), headers=_with_key(acct.headers, "same")).status_code == 201
    theirs = client.post("/api/records", json=_record(other), headers=_with_key(other.headers, "same"))
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    token = client.post(
        "/api/auth/tokens", json={"name": "ha", "scopes": ["write", "read"]}, headers=acct.headers
    ).get_json()["token"]
    by_token = client.post(
        "/api/records", json=_record(acct), headers=_with_key({"Authorization": f"Bearer {token}"}, "same")
    )
    assert by_token.status_code == 201
    assert "Idempotent-Replayed" not in by_token.headers
    assert _total(client, acct.headers) == 2
    assert _total(client, other.headers) == 1


def test_a_key_is_kept_24_hours(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    headers = _with_key(acct.headers, "daily")
    first = client.post("/api/records", json=_record(acct), headers=headers)
    clock.advance(hours=23, minutes=59)
    assert client.post("/api/records", json=_record(acct), headers=headers).headers["Idempotent-Replayed"] == "true"
    clock.advance(minutes=1)
    later = client.post("/api/records", json=_record(acct), headers=headers)
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later.headers
    assert later.get_json()["id"] != first.get_json()["id"]
    assert _total(client, acct.headers) == 2


def test_a_refused_request_is_not_remembered(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    headers = _with_key(acct.headers, "retry-me")
    bad = client.post("/api/records", json={**_record(acct), "amount": -1}, headers=headers)
    assert bad.status_code == 422
    fixed = client.post("/api/records", json=_record(acct), headers=headers)
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers


def test_the_key_is_1_to_255_visible_characters(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    too_long = client.post("/api/records", json=_record(acct), headers=_with_key(acct.headers, "k" * 256))
    assert too_long.status_code == 422
    assert error(too_long)["details"] == [
        {
            "loc": ["header", "Idempotency-Key"],
            "msg": "must be 1 to 255 visible ASCII characters (no spaces)",
            "type": "value_error",
        }
    ]
    assert (
        client.post("/api/records", json=_record(acct), headers=_with_key(acct.headers, "k" * 255)).status_code == 201
    )
    assert _total(client, acct.headers) == 1


def test_batches_and_imports_are_idempotent(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    items = {"items": [_record(acct, 1), _record(acct, 2)]}
    headers = _with_key(acct.headers, "batch-1")
    first = client.post("/api/records/batch", json=items, headers=headers)
    again = client.post("/api/records/batch", json=items, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    csv = "date,meter,amount,cost,note\n2026-10-02,Water,1.5,,\n2026-10-03,Gas,4,,\n"

    def upload() -> Any:
        return client.post(
            "/api/records/import",
            data={"file": (io.BytesIO(csv.encode()), "records.csv")},
            headers=_with_key(acct.headers, "import-1"),
        )

    imported = upload()
    assert imported.status_code == 200
    replayed = upload()
    assert replayed.get_json() == imported.get_json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert _total(client, acct.headers) == 4


def test_a_multipart_part_without_a_name_is_fingerprinted(app: Flask, client: FlaskClient) -> None:
    """A part without a name parses with the name None; sorting it beside named parts must not fail."""
    acct = account(app, client)
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\nnamed\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\ndate,meter,amount,cost,note\r\n2026-10-02,Water,1.5,,\r\n"
        f"--{boundary}--\r\n"
    )
    response = client.post(
        "/api/records/import",
        data=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=_with_key(acct.headers, "nameless-1"),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["imported"] == 1

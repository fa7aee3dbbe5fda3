"""Every layer answers in the one error envelope."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account


@pytest.fixture
def headers(app: Flask, client: FlaskClient) -> dict[str, str]:
    return account(app, client).headers


def test_unknown_route_is_404_envelope(client: FlaskClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "The requested resource was not found."}}


def test_wrong_method_is_405_envelope(client: FlaskClient) -> None:
    response = client.put("/api/meters")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/api/records", headers={**headers, "Content-Type": "application/json"}, data="{bad")
    assert response.status_code == 400
    assert response.get_json() == {"error": {"code": "invalid_json", "message": "The request body is not valid JSON."}}


def test_empty_body_is_400(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/api/records", headers={**headers, "Content-Type": "application/json"}, data="")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_non_json_content_type_is_415(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/api/records", headers=headers, data="meter_id=1", content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_array_instead_of_object_is_422(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/api/records", headers=headers, json=[1, 2])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["loc"] == ["body"]


def test_nan_and_infinity_are_rejected(client: FlaskClient, headers: dict[str, str]) -> None:
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        raw = f'{{"meter_id": 1, "date": "2026-01-01", "amount": {literal}}}'
        response = client.post("/api/records", headers={**headers, "Content-Type": "application/json"}, data=raw)
        assert response.status_code in (400, 422), literal
        assert "error" in response.get_json()


def test_body_over_one_mebibyte_is_413(client: FlaskClient, headers: dict[str, str]) -> None:
    raw = '{"note": "' + "x" * (1024 * 1024 + 10) + '"}'
    response = client.post("/api/records", headers={**headers, "Content-Type": "application/json"}, data=raw)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_body_over_ten_mebibytes_is_413_before_reading(client: FlaskClient) -> None:
    response = client.post("/api/auth/login", data=b"x" * (10 * 1024 * 1024 + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_unexpected_exception_is_500_without_details(
    app: Flask, client: FlaskClient, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api.meters import service

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(service, "list_meters", boom)
    response = client.get("/api/meters", headers=headers)
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "internal_error", "message": "An unexpected error occurred."}}
    assert b"hunter2" not in response.data


def test_health(client: FlaskClient) -> None:
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/health/ready").get_json() == {"status": "ok"}


def test_ready_is_503_when_database_is_unreachable(make_app: Any) -> None:
    broken = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    response = broken.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"


def test_api_answers_503_when_database_is_unreachable(make_app: Any) -> None:
    broken = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    response = broken.test_client().post("/api/auth/login", json={"email": "a@example.com", "password": "whatever1"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"


def test_integrity_error_from_a_race_is_a_409(
    app: Flask, client: FlaskClient, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api.meters import service

    # Simulate the race: the name check sees no clash, the unique constraint then does.
    monkeypatch.setattr(service, "_name_taken", lambda *_args, **_kwargs: False)
    response = client.post("/api/meters", headers=headers, json={"name": "Water", "type": "water", "unit": "m3"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert client.get("/api/meters", headers=headers).status_code == 200

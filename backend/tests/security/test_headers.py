"""CORS answers vary by Origin; oversized headers answer the envelope."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize("origin", [None, "http://localhost:3000", "https://elsewhere.example"])
def test_api_answers_vary_by_origin(client: FlaskClient, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    for response in (
        client.get("/api/auth/me", headers=headers),
        client.post("/api/auth/login", json={"email": "a@example.com", "password": "x"}, headers=headers),
        client.options("/api/auth/me", headers={**headers, "Access-Control-Request-Method": "GET"}),
    ):
        assert "Origin" in response.vary, (origin, response.status_code)


def test_an_oversized_header_answers_the_envelope(client: FlaskClient) -> None:
    response = client.get("/api/auth/me", headers={"X-Padding": "x" * (8 * 1024)})
    assert response.status_code == 431
    assert response.get_json() == {
        "error": {
            "code": "headers_too_large",
            "message": "A request header is larger than 8192 bytes, or all of them than 32768.",
        }
    }
    assert response.headers["X-Request-ID"]


def test_many_headers_together_answer_the_envelope(client: FlaskClient) -> None:
    headers = {f"X-Part-{i}": "y" * 4000 for i in range(9)}
    response = client.get("/health", headers=headers)
    assert (response.status_code, response.get_json()["error"]["code"]) == (431, "headers_too_large")


def test_headers_below_the_limit_pass(client: FlaskClient) -> None:
    assert client.get("/health", headers={"X-Padding": "x" * 8000}).status_code == 200

"""Tokens: a session is only valid for its own user; every claim we rely on is required; keys."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import Settings, _instance_key
from tests.factories import account


def _claims(app: Flask, token: str) -> dict[str, Any]:
    key = app.config["JWT_SECRET_KEY"]
    return jwt.decode(token, key, algorithms=["HS256"])  # type: ignore[no-any-return]


def _sign(app: Flask, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")


def test_a_session_of_one_user_does_not_vouch_for_another(client: FlaskClient, app: Flask) -> None:
    admin = account(app, client, role="admin")
    attacker = account(app, client)
    forged = {**_claims(app, attacker.tokens["access_token"]), "sub": str(admin.id)}
    headers = {"Authorization": f"Bearer {_sign(app, forged)}"}
    for url in ("/api/admin/stats", "/api/auth/me"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "token_revoked"
    # The attacker's own, unaltered token still works.
    assert client.get("/api/auth/me", headers=attacker.headers).get_json()["id"] == attacker.id


def test_a_refresh_token_naming_another_user_is_refused(client: FlaskClient, app: Flask) -> None:
    victim = account(app, client)
    attacker = account(app, client)
    forged = {**_claims(app, attacker.tokens["refresh_token"]), "sub": str(victim.id)}
    response = client.post("/api/auth/refresh", json={"refresh_token": _sign(app, forged)})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_revoked"


@pytest.mark.parametrize("claim", ["exp", "type", "jti", "fam", "iat"])
def test_a_token_without_a_required_claim_is_invalid(client: FlaskClient, app: Flask, claim: str) -> None:
    acc = account(app, client)
    claims = _claims(app, acc.tokens["access_token"])
    del claims[claim]
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {_sign(app, claims)}"})
    assert response.status_code == 401
    assert response.get_json()["error"] == {"code": "unauthorized", "message": "The token is invalid."}


def test_a_token_of_an_unknown_type_is_invalid(client: FlaskClient, app: Flask) -> None:
    acc = account(app, client)
    claims = {**_claims(app, acc.tokens["access_token"]), "type": "id"}
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {_sign(app, claims)}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_development_keys_are_random_per_instance_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    first = Settings(APP_ENV="development").flask_config()
    again = Settings(APP_ENV="development").flask_config()
    assert first["JWT_SECRET_KEY"] == again["JWT_SECRET_KEY"]
    assert first["SECRET_KEY"] == again["SECRET_KEY"]
    assert first["JWT_SECRET_KEY"] != first["SECRET_KEY"]
    assert len(str(first["JWT_SECRET_KEY"])) == 64
    assert (tmp_path / "jwt_secret_key").read_text().strip() == first["JWT_SECRET_KEY"]
    assert stat.S_IMODE(os.stat(tmp_path / "jwt_secret_key").st_mode) == 0o600
    assert "dev-jwt-secret" not in Path(config.__file__).read_text()
    # Another installation draws another key.
    other = tmp_path / "other"
    assert _instance_key("jwt_secret_key", other) != first["JWT_SECRET_KEY"]
    # A configured key wins over the generated one.
    configured = Settings(APP_ENV="development", JWT_SECRET_KEY="k" * 40).flask_config()
    assert configured["JWT_SECRET_KEY"] == "k" * 40


def test_an_empty_key_file_is_refused_not_used(tmp_path: Path) -> None:
    (tmp_path / "jwt_secret_key").write_text("\n")
    with pytest.raises(RuntimeError, match="holds no usable key"):
        _instance_key("jwt_secret_key", tmp_path)


def test_a_rotation_recorded_twice_keeps_the_grace_window_of_the_latest(app: Flask, clock: Any) -> None:
    from app.api.auth import sessions

    with app.test_request_context():
        sessions._remember_rotation("jti-recorded-twice")
        clock.advance(seconds=10)
        sessions._remember_rotation("jti-recorded-twice")  # a rotation retried after a failed commit
        clock.advance(seconds=30)
        assert sessions._within_grace("jti-recorded-twice")
        clock.advance(milliseconds=1)
        assert not sessions._within_grace("jti-recorded-twice")

"""Two-factor sign-in (PRODUCT §13): setup, enable, the two-step login, replays, lockout,
recovery codes, disable."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import Flask
from flask.testing import FlaskClient

from tests.api.security_helpers import code_at, enable_2fa, error
from tests.factories import account


def _login(client: FlaskClient, email: str, password: str) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def _step(client: FlaskClient, mfa_token: str, **body: str) -> Any:
    return client.post("/api/auth/login/2fa", json={"mfa_token": mfa_token, **body})


def test_setup_answers_a_secret_and_its_otpauth_uri(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    response = client.post("/api/auth/2fa/setup", json={"password": acct.password}, headers=acct.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"secret", "otpauth_uri"}
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query) == {"secret": [body["secret"]], "issuer": ["Meterbook"]}
    # Not on until a first code confirms it.
    assert client.get("/api/auth/me", headers=acct.headers).get_json()["two_factor_enabled"] is False


def test_setup_with_a_wrong_password_is_422(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    response = client.post("/api/auth/2fa/setup", json={"password": "not it at all"}, headers=acct.headers)
    assert response.status_code == 422
    assert error(response)["details"] == [
        {"loc": ["body", "password"], "msg": "The password is incorrect.", "type": "invalid_password"}
    ]


def test_enable_needs_a_valid_code_and_answers_ten_recovery_codes(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret = client.post("/api/auth/2fa/setup", json={"password": acct.password}, headers=acct.headers).get_json()[
        "secret"
    ]
    wrong = client.post("/api/auth/2fa/enable", json={"code": "000000"}, headers=acct.headers)
    if code_at(secret, clock.now()) != "000000":
        assert wrong.status_code == 422
        assert error(wrong)["details"][0]["loc"] == ["body", "code"]
    badly_formed = client.post("/api/auth/2fa/enable", json={"code": "12345"}, headers=acct.headers)
    assert badly_formed.status_code == 422
    response = client.post("/api/auth/2fa/enable", json={"code": code_at(secret, clock.now())}, headers=acct.headers)
    assert response.status_code == 200
    codes = response.get_json()["recovery_codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    assert client.get("/api/auth/me", headers=acct.headers).get_json()["two_factor_enabled"] is True
    again = client.post("/api/auth/2fa/setup", json={"password": acct.password}, headers=acct.headers)
    assert again.status_code == 409


def test_enable_without_setup_is_409(app: Flask, client: FlaskClient) -> None:
    acct = account(app, client)
    response = client.post("/api/auth/2fa/enable", json={"code": "123456"}, headers=acct.headers)
    assert response.status_code == 409
    assert error(response)["code"] == "conflict"


def test_login_with_2fa_answers_an_mfa_token_and_no_session(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    first = _login(client, acct.email, acct.password)
    assert first.status_code == 200
    body = first.get_json()
    assert set(body) == {"mfa_required", "mfa_token", "expires_in"}
    assert body["mfa_required"] is True
    assert body["expires_in"] == 300
    assert "Set-Cookie" not in first.headers
    second = _step(client, body["mfa_token"], code=code_at(secret, clock.now()))
    assert second.status_code == 200
    signed_in = second.get_json()
    assert set(signed_in) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert signed_in["user"]["two_factor_enabled"] is True
    assert second.headers["Set-Cookie"].startswith("refresh_token=")
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {signed_in['access_token']}"})
    assert me.status_code == 200


def test_an_mfa_token_works_once(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    assert _step(client, token, code=code_at(secret, clock.now())).status_code == 200
    clock.advance(seconds=30)
    again = _step(client, token, code=code_at(secret, clock.now()))
    assert again.status_code == 401
    assert error(again) == {
        "code": "unauthorized",
        "message": "This sign-in step has expired or was already completed; sign in again.",
    }


def test_an_mfa_token_expires_after_five_minutes(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    clock.advance(seconds=299)
    token2 = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    clock.advance(seconds=1)
    late = _step(client, token, code=code_at(secret, clock.now()))
    assert late.status_code == 401
    assert _step(client, token2, code=code_at(secret, clock.now())).status_code == 200


def test_a_replayed_code_is_refused(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    code = code_at(secret, clock.now())
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    assert _step(client, token, code=code).status_code == 200
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    replay = _step(client, token, code=code)
    assert replay.status_code == 401
    assert error(replay)["message"] == "The code is incorrect or was already used."
    # The code of the previous step (within ±1 step) is older than the one used: refused too.
    clock.advance(seconds=1)
    older = code_at(secret, clock.now().timestamp() - 30)
    assert _step(client, token, code=older).status_code == 401
    clock.advance(seconds=30)
    assert _step(client, token, code=code_at(secret, clock.now())).status_code == 200


def test_codes_one_step_either_side_are_accepted(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    two_ahead = code_at(secret, clock.now().timestamp() + 60)
    if two_ahead != code_at(secret, clock.now().timestamp() + 30) and two_ahead != code_at(secret, clock.now()):
        assert _step(client, token, code=two_ahead).status_code == 401
    assert _step(client, token, code=code_at(secret, clock.now().timestamp() + 30)).status_code == 200


def test_five_wrong_codes_lock_the_account(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    right = code_at(secret, clock.now())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert _step(client, token, code=wrong).status_code == 401
    locked = _step(client, token, code=right)
    assert locked.status_code == 423
    assert error(locked)["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) == 900
    # The password alone does not reset the count either while locked.
    assert _login(client, acct.email, acct.password).status_code == 423


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    right = code_at(secret, clock.now())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
        assert _step(client, token, code=wrong).status_code == 401
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    assert _step(client, token, code=wrong).status_code == 401
    assert _login(client, acct.email, acct.password).status_code == 423


def test_recovery_codes_sign_in_once_each(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    _, codes = enable_2fa(client, acct, clock)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    assert _step(client, token, recovery_code=codes[0].upper().replace("-", " ")).status_code == 200
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    assert _step(client, token, recovery_code=codes[0]).status_code == 401
    assert _step(client, token, recovery_code=codes[1]).status_code == 200


def test_the_second_step_takes_exactly_one_of_code_and_recovery_code(
    app: Flask, client: FlaskClient, clock: Any
) -> None:
    acct = account(app, client)
    enable_2fa(client, acct, clock)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    neither = client.post("/api/auth/login/2fa", json={"mfa_token": token})
    assert neither.status_code == 422
    both = _step(client, token, code="123456", recovery_code="abcde-fghjk")
    assert both.status_code == 422


def test_disable_needs_password_and_code(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, _ = enable_2fa(client, acct, clock)
    bad_password = client.post(
        "/api/auth/2fa/disable",
        json={"password": "wrong password", "code": code_at(secret, clock.now())},
        headers=acct.headers,
    )
    assert bad_password.status_code == 422
    assert error(bad_password)["details"][0]["loc"] == ["body", "password"]
    ok = client.post(
        "/api/auth/2fa/disable",
        json={"password": acct.password, "code": code_at(secret, clock.now())},
        headers=acct.headers,
    )
    assert ok.status_code == 204
    assert client.get("/api/auth/me", headers=acct.headers).get_json()["two_factor_enabled"] is False
    plain = _login(client, acct.email, acct.password)
    assert set(plain.get_json()) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    again = client.post(
        "/api/auth/2fa/disable", json={"password": acct.password, "code": "123456"}, headers=acct.headers
    )
    assert again.status_code == 409


def test_new_recovery_codes_replace_the_old_ones(app: Flask, client: FlaskClient, clock: Any) -> None:
    acct = account(app, client)
    secret, old = enable_2fa(client, acct, clock)
    response = client.post(
        "/api/auth/2fa/recovery-codes",
        json={"password": acct.password, "code": code_at(secret, clock.now())},
        headers=acct.headers,
    )
    assert response.status_code == 200
    new = response.get_json()["recovery_codes"]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    token = _login(client, acct.email, acct.password).get_json()["mfa_token"]
    assert _step(client, token, recovery_code=old[0]).status_code == 401
    assert _step(client, token, recovery_code=new[0]).status_code == 200

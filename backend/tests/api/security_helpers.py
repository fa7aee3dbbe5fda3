"""Helpers for the two-factor, token and audit tests."""

from __future__ import annotations

from typing import Any

import pyotp
from flask.testing import FlaskClient

from tests.factories import Account


def code_at(secret: str, when: Any) -> str:
    """The TOTP code of ``secret`` at ``when`` (a datetime)."""
    return pyotp.TOTP(secret).at(when)


def enable_2fa(client: FlaskClient, acct: Account, clock: Any) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for ``acct``: (secret, recovery codes)."""
    setup = client.post("/api/auth/2fa/setup", json={"password": acct.password}, headers=acct.headers)
    assert setup.status_code == 200, setup.get_json()
    secret = setup.get_json()["secret"]
    enabled = client.post("/api/auth/2fa/enable", json={"code": code_at(secret, clock.now())}, headers=acct.headers)
    assert enabled.status_code == 200, enabled.get_json()
    clock.advance(seconds=30)  # the next code is a new step
    return secret, enabled.get_json()["recovery_codes"]


def error(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]

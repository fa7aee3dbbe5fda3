"""Schema-driven fuzzing: every operation of /apispec.json with generated input and a valid token.

No 5xx, every response matches its documented schema and status, every error is the envelope.
`FUZZ_EXAMPLES` sets the examples per operation (a few in `make test`, many in `make fuzz`).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from tests.factories import create_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


def _error_is_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"error"}, body
        assert isinstance(body["error"].get("code"), str) and isinstance(body["error"].get("message"), str), body
    return None


error_is_envelope = schemathesis.check(_error_is_envelope)


@pytest.fixture(scope="module")
def fuzz_app(make_app: Any, app: Flask) -> Flask:
    return make_app(REQUIRE_EMAIL_VERIFICATION=False)  # type: ignore[no-any-return]


def _spec() -> dict[str, Any]:
    """The document the app serves; it does not depend on the database, so build it at collection."""
    from app import create_app

    spec_app = create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", "LOG_LEVEL": "ERROR"})
    return spec_app.extensions["meterbook.openapi"]  # type: ignore[no-any-return]


schema = schemathesis.openapi.from_dict(_spec())


@pytest.fixture
def fuzz_user(fuzz_app: Flask) -> int:
    user_id, _ = create_user(fuzz_app, "fuzz@example.com")
    return user_id


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_operation(case: Any, fuzz_app: Flask, fuzz_user: int) -> None:
    from app.api.auth.service import start_session
    from app.extensions import db
    from app.models import User

    with fuzz_app.test_request_context():
        user = db.session.get(User, fuzz_user)
        if user is None:  # a fuzzed DELETE /api/auth/me removed it: make it again
            pytest.skip("the fuzz user was deleted by an earlier example")
        token = start_session(user)["access_token"]
    case.call_and_validate(
        app=fuzz_app,
        headers={"Authorization": f"Bearer {token}"},
        checks=CHECKS,
        additional_checks=[error_is_envelope],
    )

"""Schema-driven fuzzing: every operation of /apispec.json with generated input and a valid token.

No 5xx, every response matches its documented schema and status, every error is the envelope.
`FUZZ_EXAMPLES` sets the examples per operation (a few in `make test`, many in `make fuzz`).

It also checks the other direction (schemathesis' positive data, every check; in `make test`
with a few examples, in `make fuzz` with many): a request the document calls valid must not
be refused as invalid. Refusals that depend on the data, not on its shape, are
allowed: 401/403/404/409/423/429, and the contract's 422s listed in `ALLOWED_422` (an id that
is unknown or another user's, a token or password that is not the right one, and rules that
tie two parameters together, which OpenAPI 3.0 cannot state), and an import file that is not
good UTF-8 CSV (415, or 422 with row errors).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
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

#: 422 detail types a schema-valid request may still get: the contract's checks against the data.
ALLOWED_422 = {
    "not_found": "an id in the body or query that is unknown or another user's",
    "invalid_token": "an e-mail link token that is not one the API issued (or is used up)",
    "invalid_password": "a current password that is not the account's",
    "invalid_code": "a two-factor code that is not the current one",
    "too_many_points": "a time series window too long for its granularity (two parameters together)",
    "confirmation": "a household delete whose `confirm` is not the household's name",
    "meter_mode": "a meter of the other mode (records on a readings meter, readings on a consumption meter)",
    "reading_order": "a reading out of order with the meter's other readings, or above its rollover_at",
    "readings_only": "rollover_at or max_per_day set on a meter that is (still) a consumption meter",
}
#: Cross-parameter rules OpenAPI 3.0 cannot state, recognised by their message.
ALLOWED_422_MESSAGES = {
    "must not be before date_from",
    "must not be after today",
    "must be in the future",
    "send either code or recovery_code",  # the two-factor step: one of two fields
    "must not be before period_from",
    "a bill covers at most 400 days",
}
#: Statuses that answer the state of the data, not the shape of the request.
STATE_STATUSES = {401, 403, 404, 409, 423, 429}
#: An import file's content (UTF-8 text, then CSV rows) is judged by the import, not the document:
#: it can name the part's type, not what the file says.
CONTENT_REFUSALS = {(415, "unsupported_media_type")}


#: An upload's bytes are judged by decoding them (PRODUCT §14): not an image 415, over 5 MiB 413,
#: over 40 megapixels 422 without details; the document can say none of it.
IMAGE_REFUSALS = {(415, "unsupported_media_type"), (413, "payload_too_large"), (422, "validation_error")}


def _file_refusal(case: Any, status: int, error: dict[str, Any]) -> bool:
    if case.operation.path == "/api/attachments":
        return (status, error.get("code")) in IMAGE_REFUSALS and not error.get("details")
    if not case.operation.path.endswith("/import"):
        return False
    rows = error.get("details") or []
    return (status, error.get("code")) in CONTENT_REFUSALS or (
        status == 422 and bool(rows) and all(isinstance(d, dict) and "row" in d for d in rows)
    )


def _allowed(detail: Any) -> bool:
    return isinstance(detail, dict) and (detail.get("type") in ALLOWED_422 or detail.get("msg") in ALLOWED_422_MESSAGES)


def _valid_data_is_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in STATE_STATUSES:
        return None
    try:
        body = response.json()
    except ValueError:
        body = response.text
    error = body.get("error", {}) if isinstance(body, dict) else {}
    if _file_refusal(case, status, error):
        return None
    details = error.get("details", [])
    if status == 422 and details and all(_allowed(d) for d in details):
        return None
    raise AssertionError(f"A request valid by the OpenAPI document was refused with {status}: {body}")


valid_data_is_accepted = schemathesis.check(_valid_data_is_accepted)


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


positive_schema = schemathesis.openapi.from_dict(_spec())
positive_schema.config.generation.update(modes=[GenerationMode.POSITIVE])


@positive_schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_valid_data_is_accepted(case: Any, fuzz_app: Flask, fuzz_user: int) -> None:
    from app.api.auth.service import start_session
    from app.extensions import db
    from app.models import User

    with fuzz_app.test_request_context():
        user = db.session.get(User, fuzz_user)
        if user is None:
            pytest.skip("the fuzz user was deleted by an earlier example")
        token = start_session(user)["access_token"]
    # The app on the schema (as a WSGI-loaded one has it): checks that send a request again reach it too.
    case.operation.schema.app = fuzz_app
    # Every built-in check (`--checks all`), with the acceptance check replaced by its allow-listed form.
    case.call_and_validate(
        app=fuzz_app,
        headers={"Authorization": f"Bearer {token}"},
        additional_checks=[error_is_envelope, valid_data_is_accepted],
        excluded_checks=[st_checks.positive_data_acceptance],
    )

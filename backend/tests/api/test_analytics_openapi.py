"""The analytics operations' OpenAPI document states what they enforce.

Schemathesis generates positive (schema-valid) queries for both operations; every one must be
accepted. The only rules a query parameter's schema cannot state are those joining two
parameters, or a parameter and the user's data: `date_from` not after `date_to` (or today),
at most 3,660 buckets, and a `household_id` and `meter_id` of one's own. Their descriptions state them, and the
test makes each generated query keep to them, so that anything else refused fails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from app.api.analytics.periods import add_months, bucket_count
from app.api.analytics.schemas import MAX_POINTS
from tests.factories import create_user

EXAMPLES = 40


def _spec() -> dict[str, Any]:
    from app import create_app

    spec_app = create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", "LOG_LEVEL": "ERROR"})
    return spec_app.extensions["meterbook.openapi"]  # type: ignore[no-any-return]


schema = schemathesis.openapi.from_dict(_spec()).include(path_regex="^/api/analytics/")
schema.config.generation.update(modes=[GenerationMode.POSITIVE])


def keep_joint_rules(path: str, query: dict[str, Any], meter_id: int, household_id: int) -> dict[str, Any]:
    """Keep to the rules that join parameters; leave every single-parameter value as generated."""
    query = dict(query)
    if "meter_id" in query:
        query["meter_id"] = meter_id
    if "household_id" in query:
        query["household_id"] = household_id
    start, end = _day(query.get("date_from")), _day(query.get("date_to"))
    if start and end and start > end:
        query["date_from"], query["date_to"] = query["date_to"], query["date_from"]
        start, end = end, start
    today = datetime.now(UTC).date()
    if start and not end and start > today:
        query["date_to"], end = query["date_from"], start
    if path.endswith("/timeseries"):
        granularity = query.get("granularity", "month")
        end = end or today
        start = start or add_months(end, -11)
        if bucket_count(start, end, granularity) > MAX_POINTS:
            query["date_from"] = end.isoformat()
    return query


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


@pytest.fixture(scope="module")
def fuzz_app(make_app: Any, app: Flask) -> Flask:
    return make_app(REQUIRE_EMAIL_VERIFICATION=False)  # type: ignore[no-any-return]


@pytest.fixture
def fuzz_user(fuzz_app: Flask) -> tuple[str, int, int]:
    """A user's access token, the id of one of their meters and of their household."""
    from sqlalchemy import select

    from app.api.auth.service import start_session
    from app.extensions import db
    from app.models import Meter, User

    user_id, _ = create_user(fuzz_app)
    with fuzz_app.test_request_context():
        user = db.session.get(User, user_id)
        assert user is not None
        household_id = user.default_household_id
        meter_id = db.session.scalars(select(Meter.id).where(Meter.household_id == household_id)).first()
        assert meter_id is not None
        assert household_id is not None
        return start_session(user)["access_token"], meter_id, household_id


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_schema_valid_queries_are_accepted(case: Any, fuzz_app: Flask, fuzz_user: tuple[str, int, int]) -> None:
    token, meter_id, household_id = fuzz_user
    if case.query:
        case.query = keep_joint_rules(case.operation.path, case.query, meter_id, household_id)
    case.call_and_validate(
        app=fuzz_app,
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            st_checks.positive_data_acceptance,
            st_checks.not_a_server_error,
            st_checks.response_schema_conformance,
        ],
    )

"""Never a stale figure: random writes (records added, edited and deleted, readings, tariffs,
bills, a meter renamed, the household's time zone) interleaved with cached reads on two app
instances sharing the database and one Redis cache; every cached answer (analytics, record,
reading and bill pages, the meters list) equals a fresh computation by a third instance that caches nothing."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import account

_emails = itertools.count(1)

QUERIES = [
    ("analytics/summary", {"date_from": "2026-03-01", "date_to": "2026-03-31"}),
    ("analytics/summary", {"date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "meter"}),
    ("analytics/timeseries", {"date_from": "2026-02-25", "date_to": "2026-03-10", "granularity": "day"}),
    ("analytics/billing", {"date": "2026-03-15"}),
    ("analytics/billing", {}),
    ("records", {"per_page": 3}),
    ("records", {"sort": "-amount", "date_from": "2026-03-05", "per_page": 2, "page": 2}),
    ("meters", {}),
    ("readings", {"per_page": 3}),
    ("bills", {}),
]
ZONES = ["UTC", "Europe/Berlin", "Pacific/Auckland", "America/New_York"]

day = st.integers(min_value=1, max_value=28).map(lambda d: f"2026-03-{d:02d}")
steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.integers(0, 1), day, st.integers(1, 5000)),
        st.tuples(st.just("reading"), st.integers(0, 1), st.integers(1, 40), st.integers(1, 9000)),
        st.tuples(st.just("tariff"), st.integers(0, 1), day, st.integers(1, 90)),
        st.tuples(st.just("bill"), st.integers(0, 1), day, st.integers(1, 900)),
        st.tuples(st.just("zone"), st.integers(0, 1), st.sampled_from(ZONES)),
        st.tuples(st.just("edit"), st.integers(0, 1), st.integers(1, 5000)),
        st.tuples(st.just("delete"), st.integers(0, 1)),
        st.tuples(st.just("rename"), st.integers(0, 1), st.sampled_from(["Mains", "Grid", "Electricity"])),
        st.tuples(st.just("read"), st.integers(0, 1), st.integers(0, len(QUERIES) - 1)),
    ),
    min_size=1,
    max_size=14,
)


class NoCache:
    """A cache that keeps nothing: every answer computed afresh."""

    def get(self, _key: str) -> None:
        return None

    def set(self, _key: str, _value: bytes) -> None:
        return None

    def clear(self) -> None:
        return None


def test_every_cached_answer_equals_a_fresh_computation(
    app: Flask, client: FlaskClient, make_app: Any, redis_url: str
) -> None:
    # both read the epochs in Redis, as two API processes would: each keeps its own copies of
    # sessions, roles and households, and hears of the other's writes only through Redis
    pair = [make_app(REDIS_URL=redis_url, AUTH_CACHE="auto").test_client() for _ in range(2)]
    fresh_app = make_app()
    fresh_app.extensions["meterbook.cache"] = NoCache()
    fresh = fresh_app.test_client()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(steps=steps)
    def run(steps: list[tuple[Any, ...]]) -> None:
        acc = account(app, client, f"prop{next(_emails)}@example.com")
        headers = acc.headers
        register = client.post(
            "/api/meters",
            headers=headers,
            json={"name": "Register", "type": "electricity", "unit": "kWh", "mode": "readings"},
        )
        assert register.status_code == 201, register.get_json()
        meters = [acc.meters["Electricity"], register.get_json()["id"]]
        reading_value, reading_hour = 0, 0
        records: list[int] = []

        def check(which: int, index: int) -> None:
            name, params = QUERIES[index]
            cached = pair[which].get(f"/api/{name}", headers=headers, query_string=params)
            truth = fresh.get(f"/api/{name}", headers=headers, query_string=params)
            assert cached.status_code == truth.status_code == 200, cached.get_json()
            assert cached.get_json() == truth.get_json(), (name, params)

        for step in steps:
            kind, which = step[0], step[1]
            writer = pair[which]
            if kind == "record":
                body = {"meter_id": meters[0], "date": step[2], "amount": step[3] / 100}
                made = writer.post("/api/records", headers=headers, json=body)
                assert made.status_code == 201
                records.append(made.get_json()["id"])
            elif kind == "edit" and records:
                body = {"amount": step[2] / 100, "note": f"edited {step[2]}"}
                assert writer.patch(f"/api/records/{records[-1]}", headers=headers, json=body).status_code == 200
            elif kind == "delete" and records:
                assert writer.delete(f"/api/records/{records.pop()}", headers=headers).status_code == 204
            elif kind == "rename":
                reply = writer.patch(f"/api/meters/{meters[0]}", headers=headers, json={"name": step[2]})
                assert reply.status_code == 200, reply.get_json()
            elif kind == "reading":
                reading_hour += step[2]
                reading_value += step[3]
                taken = f"2026-03-{1 + reading_hour // 24:02d}T{reading_hour % 24:02d}:00:00Z"
                if reading_hour // 24 < 28:
                    body = {"meter_id": meters[1], "taken_at": taken, "value": reading_value / 10}
                    reply = writer.post("/api/readings", headers=headers, json=body)
                    assert reply.status_code == 201, reply.get_json()
            elif kind == "tariff":
                body = {"valid_from": step[2], "unit_price": step[3] / 100, "standing_charge": 0.5}
                reply = writer.post(f"/api/meters/{meters[0]}/tariffs", headers=headers, json=body)
                assert reply.status_code in (201, 409), reply.get_json()
            elif kind == "bill":
                body = {"meter_id": meters[0], "period_from": "2026-03-01", "period_to": step[2], "cost": step[3]}
                reply = writer.post("/api/bills", headers=headers, json=body)
                assert reply.status_code in (201, 409), reply.get_json()
            elif kind == "zone":
                reply = writer.patch(f"/api/households/{acc.household_id}", headers=headers, json={"timezone": step[2]})
                assert reply.status_code == 200, reply.get_json()
            elif kind == "read":
                check(which, step[2])
                check(1 - which, step[2])
        for index in range(len(QUERIES)):
            check(0, index)
            check(1, index)

    run()

"""Random readings, replacements, inserts, edits, moves and deletes through the API; the derived
days must equal an independent computation over the stored readings, done here with fractions
and a day-by-day overlap, and every interval's days must add up to its difference."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from app.extensions import db
from app.models import DailyRollup, Reading
from tests.api.readings_helpers import days, readings_meter
from tests.factories import account

ZONE = ZoneInfo("Europe/Berlin")
# Around the spring change (29 March): 23-hour days among normal ones.
BASE = datetime(2026, 3, 25, tzinfo=ZONE)
ROLLOVER = 5_000_000  # thousandths


def _stamp(quarter_hours: int) -> str:
    return (BASE + timedelta(minutes=15 * quarter_hours)).isoformat()


ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 1200), st.integers(0, 400_000)),
        st.tuples(st.just("replace"), st.integers(0, 1200), st.integers(0, 50_000), st.integers(0, 300_000)),
        st.tuples(st.just("edit"), st.integers(0, 30), st.integers(0, 400_000)),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 1200)),
        st.tuples(st.just("delete"), st.integers(0, 30)),
    ),
    min_size=3,
    max_size=16,
)


def _expected(readings: list[dict[str, Any]], rollover: int | None) -> tuple[dict[str, tuple[int, int]], int]:
    """Days from the readings: each interval's exact share of every local day it overlaps (hour
    by hour of real time), rounded down, then the largest remainders, ties to the earlier day."""
    totals: dict[date, int] = defaultdict(int)
    counts: dict[date, int] = defaultdict(int)
    whole = 0
    ordered = sorted(readings, key=lambda r: r["taken_at"])
    for reading in ordered:
        counts[datetime.fromisoformat(reading["taken_at"]).astimezone(ZONE).date()] += 1
    for before, after in pairwise(ordered):
        start, end = datetime.fromisoformat(before["taken_at"]), datetime.fromisoformat(after["taken_at"])
        v1 = round(before["value"] * 1000)
        v2 = round((after["previous_final_value"] if after["kind"] == "replacement" else after["value"]) * 1000)
        delta = v2 - v1 if v2 >= v1 else (rollover or 0) - v1 + v2
        assert v2 >= v1 or rollover is not None, "a stored pair breaks the order rule"
        whole += delta
        day = start.astimezone(ZONE).date()
        parts: list[tuple[date, Fraction]] = []
        total_seconds = (end - start).total_seconds()
        while True:
            day_begin = datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)
            next_day = day + timedelta(days=1)
            day_end = datetime(next_day.year, next_day.month, next_day.day, tzinfo=ZONE).astimezone(UTC)
            overlap = (min(end, day_end) - max(start, day_begin)).total_seconds()
            if overlap > 0:
                parts.append((day, Fraction(delta) * Fraction(overlap) / Fraction(total_seconds)))
            if day_end >= end:
                break
            day = next_day
        floors = {d: int(share) for d, share in parts}
        left = delta - sum(floors.values())
        ranked = sorted(parts, key=lambda p: (-(p[1] - int(p[1])), p[0]))
        for d, _ in ranked[:left]:
            floors[d] += 1
        assert sum(floors.values()) == delta  # the interval's days add up to its difference
        for d, share in floors.items():
            totals[d] += share
    result = {
        d.isoformat(): (totals.get(d, 0), counts.get(d, 0))
        for d in sorted(set(totals) | set(counts))
        if totals.get(d, 0) or counts.get(d, 0)
    }
    return result, whole


def test_derived_days_match_an_independent_computation(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    plain = readings_meter(client, acc, name="Plain")
    wrapping = readings_meter(client, acc, name="Wrapping", rollover_at=ROLLOVER / 1000)

    def listed(meter: int) -> list[dict[str, Any]]:
        body = client.get(f"/api/readings?meter_id={meter}&per_page=100&sort=taken_at", headers=acc.headers)
        return list(body.get_json()["items"])

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(steps=ops, on_wrapping=st.booleans())
    def run(steps: list[tuple[Any, ...]], on_wrapping: bool) -> None:
        meter, rollover = (wrapping, ROLLOVER) if on_wrapping else (plain, None)
        with app.app_context():
            db.session.execute(delete(DailyRollup).where(DailyRollup.meter_id == meter))
            db.session.execute(delete(Reading).where(Reading.meter_id == meter))
            db.session.commit()
        for step in steps:
            current = listed(meter)
            before = days(app, meter)
            if step[0] in ("add", "replace"):
                at = _stamp(step[1])
                earlier = [r for r in current if r["taken_at"] < datetime.fromisoformat(at).astimezone(UTC).isoformat()]
                last = round(earlier[-1]["value"] * 1000) if earlier else 0
                body: dict[str, Any] = {"meter_id": meter, "taken_at": at}
                if step[0] == "add":
                    body["value"] = ((last + step[2]) % (rollover or 10**15)) / 1000
                else:
                    body.update(kind="replacement", value=step[2] / 1000, previous_final_value=(last + step[3]) / 1000)
                    if rollover is not None:
                        body["previous_final_value"] = min(last + step[3], rollover) / 1000
                response = client.post("/api/readings", headers=acc.headers, json=body)
            elif not current:
                continue
            else:
                target = current[step[1] % len(current)]
                url = f"/api/readings/{target['id']}"
                if step[0] == "edit":
                    value = (round(target["value"] * 1000) + step[2] - 200_000) % (rollover or 10**15)
                    response = client.patch(url, headers=acc.headers, json={"value": max(value, 0) / 1000})
                elif step[0] == "move":
                    response = client.patch(url, headers=acc.headers, json={"taken_at": _stamp(step[2])})
                else:
                    response = client.delete(url, headers=acc.headers)
            assert response.status_code in (200, 201, 204, 409, 422), response.get_json()
            if response.status_code >= 400:
                assert days(app, meter) == before, "a refused write changed the days"
                assert listed(meter) == current, "a refused write changed the readings"
            expected, whole = _expected(listed(meter), rollover)
            got = days(app, meter)
            assert got == expected
            assert sum(total for total, _ in got.values()) == whole
        # A full rebuild (the one writer, over the whole history) leaves the same rows.
        incremental = days(app, meter)
        with app.app_context():
            from app.services import rollups

            rollups.rebuild(acc.household_id)
            db.session.commit()
        assert days(app, meter) == incremental

    run()

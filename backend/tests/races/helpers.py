"""Helpers for the race tests: run requests in threads, then check the data afterwards."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from app.extensions import db


def need_pg(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("needs PostgreSQL")


def run_all(fns: list[Callable[[], Any]], workers: int = 8) -> list[Any]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(f) for f in fns]
        return [f.result() for f in futures]


def consistency(app: Flask) -> list[str]:
    """Problems found in the data: rollups vs records, orphans, cross-household rows."""
    problems: list[str] = []
    with app.app_context():
        q = lambda sql: db.session.execute(text(sql)).all()  # noqa: E731
        diff = q(
            """
            WITH agg AS (
              SELECT household_id, meter_id, date, sum(amount_milli) t, count(*) c, coalesce(sum(cost_cents),0) cc,
                     count(cost_cents) ccount, min(amount_milli) lo, max(amount_milli) hi
              FROM records GROUP BY household_id, meter_id, date)
            SELECT 'missing-or-wrong' k, a.* FROM agg a LEFT JOIN daily_rollups r USING (household_id, meter_id, date)
              WHERE r.total_milli IS DISTINCT FROM a.t OR r.count IS DISTINCT FROM a.c
                 OR r.cost_cents IS DISTINCT FROM a.cc OR r.cost_count IS DISTINCT FROM a.ccount
                 OR r.min_milli IS DISTINCT FROM a.lo OR r.max_milli IS DISTINCT FROM a.hi
            UNION ALL
            SELECT 'extra' k, r.household_id, r.meter_id, r.date, r.total_milli, r.count, r.cost_cents, r.cost_count,
                   r.min_milli, r.max_milli
              FROM daily_rollups r LEFT JOIN agg a USING (household_id, meter_id, date) WHERE a.c IS NULL
            """
        )
        problems += [f"rollup mismatch {tuple(row)}" for row in diff]
        cross = q(
            "SELECT r.id FROM records r JOIN meters m ON m.id = r.meter_id WHERE m.household_id <> r.household_id"
        )
        problems += [f"record {row[0]} on another household's meter" for row in cross]
        dup = q(
            "SELECT household_id, lower(name), count(*) FROM meters GROUP BY household_id, lower(name)"
            " HAVING count(*) > 1"
        )
        problems += [f"meter names equal ignoring case {tuple(row)}" for row in dup]
    return problems


def statuses(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def csv_file(text_: str, name: str = "r.csv") -> dict[str, Any]:
    return {"file": (io.BytesIO(text_.encode()), name)}

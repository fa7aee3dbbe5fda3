"""Random creates, edits and deletes through the API; every analytics figure must equal a naive
computation over the records, done here with Decimals and no rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from app.extensions import db
from app.models import DailyRollup, Record
from tests.factories import account, add_meter, add_record

FIRST, LAST = date(2024, 1, 1), date(2024, 3, 12)  # spans a year start, a leap day, month ends, many weeks
FACTORS = {"kWh": Decimal(1), "Wh": Decimal("0.001"), "m3": Decimal(1), "gal": Decimal("0.003785411784")}


@dataclass(frozen=True)
class M:
    id: int
    name: str
    type: str
    unit: str

    @property
    def type_key(self) -> tuple[str, str]:
        if self.type == "other":
            return f"other:{self.unit}", self.unit
        return self.type, {"electricity": "kWh", "water": "m3", "gas": "m3"}[self.type]

    def factor(self) -> Decimal:
        return Decimal(1) if self.type == "other" else FACTORS[self.unit]


days = st.dates(min_value=FIRST, max_value=LAST)
amounts = st.decimals(min_value=0, max_value=Decimal("999999.999"), places=3)
costs = st.none() | st.decimals(min_value=0, max_value=Decimal("9999.99"), places=2)
month_to_date = st.sampled_from([1, 2, 3]).flatmap(
    lambda month: st.integers(1, 12 if month == 3 else 29 if month == 2 else 31).map(
        lambda day: [date(2024, month, 1), date(2024, month, day)]
    )
)
year_to_date = st.dates(min_value=date(2024, 2, 1), max_value=LAST).map(lambda day: [FIRST, day])
windows = st.tuples(days, days).map(sorted) | month_to_date | year_to_date
compares = st.sampled_from(["previous", "year"])
# Meters given a record long before any window or previous period: only their first data moves.
HISTORY = date(2022, 12, 1)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[tuple[Any, ...]], list[date], str, set[int]]:
    """A window, its compare mode, and writes whose days mostly fall in it or in its previous period."""
    window, compare = draw(windows), draw(compares)
    p1, p2 = naive_previous(window[0], window[1], compare)
    record_days = (
        st.dates(min_value=window[0], max_value=window[1])
        | st.dates(min_value=p1, max_value=p2)
        | days
        | st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 3, 12))
    )
    create = st.tuples(st.just("create"), st.integers(0, 5), record_days, amounts, costs)
    edit = st.tuples(
        st.just("edit"), st.integers(0, 50), st.integers(0, 5) | st.none(), record_days | st.none(), amounts, costs
    )
    remove = st.tuples(st.just("delete"), st.integers(0, 50))
    ops = draw(st.lists(st.one_of(create, create, edit, remove), min_size=1, max_size=20))
    history = draw(st.sets(st.integers(0, 5)))
    return ops, window, compare, history


def q3(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_year(day: date) -> date:
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return date(day.year - 1, day.month, day.day)


def naive_previous(d1: date, d2: date, compare: str) -> tuple[date, date]:
    """PRODUCT.md's previous-period rule, spelled out case by case."""
    if compare == "year" or (d1.month == 1 and d1.day == 1 and d2.year == d1.year and d2.month > 1):
        return last_year(d1), last_year(d2)
    if d1.day == 1 and (d2.year, d2.month) == (d1.year, d1.month):
        p1 = (d1 - timedelta(days=1)).replace(day=1)
        days_in_p1 = ((p1 + timedelta(days=32)).replace(day=1) - p1).days
        return p1, p1.replace(day=min(d2.day, days_in_p1))
    length = (d2 - d1).days + 1
    return d1 - timedelta(days=length), d1 - timedelta(days=1)


def naive_summary(
    records: dict[int, tuple[M, date, Decimal, Decimal | None]],
    meters: list[M],
    d1: date,
    d2: date,
    by: str,
    compare: str,
) -> list[dict[str, Any]]:
    length = (d2 - d1).days + 1
    p1, p2 = naive_previous(d1, d2, compare)
    out: dict[str, dict[str, Any]] = {}
    for meter in meters:
        key, unit = (str(meter.id), meter.unit) if by == "meter" else meter.type_key
        out.setdefault(key, {"key": key, "unit": unit, "cur": [], "prev": [], "cost": Decimal(0), "days": []})
    with localcontext() as ctx:
        ctx.prec = 80
        for meter, day, amount, cost in records.values():
            key = str(meter.id) if by == "meter" else meter.type_key[0]
            value = amount if by == "meter" else amount * meter.factor()
            out[key]["days"].append(day)
            if d1 <= day <= d2:
                out[key]["cur"].append(value)
                out[key]["cost"] += cost or 0
            if p1 <= day <= p2:
                out[key]["prev"].append(value)
        result = []
        for group in out.values():
            total, previous = sum(group["cur"], Decimal(0)), sum(group["prev"], Decimal(0))
            change = None
            # No change when the previous period starts before the group's first record.
            if previous and min(group["days"]) <= p1:
                change = float(((total - previous) * 100 / previous).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            result.append(
                {
                    "key": group["key"],
                    "unit": group["unit"],
                    "total": q3(total),
                    "count": len(group["cur"]),
                    "average_per_day": q3(total / length),
                    "min": q3(min(group["cur"])) if group["cur"] else None,
                    "max": q3(max(group["cur"])) if group["cur"] else None,
                    "cost_usage": float(group["cost"]),
                    "cost_standing": 0.0,
                    "cost_tax": 0.0,
                    "cost_total": float(group["cost"]),
                    "previous_total": q3(previous),
                    "change_pct": change,
                }
            )
    return result


def naive_series(
    records: dict[int, tuple[M, date, Decimal, Decimal | None]], meters: list[M], d1: date, d2: date, gran: str, by: str
) -> list[dict[str, Any]]:
    def start(day: date) -> date:
        return {"day": day, "week": monday(day), "month": day.replace(day=1)}[gran]

    starts = sorted({start(d1 + timedelta(days=i)) for i in range((d2 - d1).days + 1)})
    out: dict[str, dict[str, Any]] = {}
    for meter in meters:
        key, unit = (str(meter.id), meter.unit) if by == "meter" else meter.type_key
        out.setdefault(key, {"key": key, "unit": unit, "cells": {s: [Decimal(0), 0, Decimal(0)] for s in starts}})
    with localcontext() as ctx:
        ctx.prec = 80
        for meter, day, amount, cost in records.values():
            if not d1 <= day <= d2:
                continue
            key = str(meter.id) if by == "meter" else meter.type_key[0]
            cell = out[key]["cells"][start(day)]
            cell[0] += amount if by == "meter" else amount * meter.factor()
            cell[1] += 1
            cell[2] += cost or 0
    return [
        {
            "key": g["key"],
            "unit": g["unit"],
            "points": [
                {
                    "period_start": s.isoformat(),
                    "total": q3(c[0]),
                    "count": c[1],
                    "cost": float(c[2]),
                    "cost_usage": float(c[2]),
                    "cost_standing": 0.0,
                    "cost_tax": 0.0,
                }
                for s, c in g["cells"].items()
            ],
        }
        for g in out.values()
    ]


def test_figures_match_a_naive_sum_over_the_records(app: Flask, client: FlaskClient) -> None:
    acc = account(app, client)
    other = account(app, client)
    # Another user's records on the same days must never be counted.
    for offset in range(0, 22, 3):
        add_record(app, other.id, other.meters["Electricity"], FIRST + timedelta(days=offset), "1000", "50")
    extra = [
        M(add_meter(app, acc.id, "Plug", "electricity", "Wh"), "Plug", "electricity", "Wh"),
        M(add_meter(app, acc.id, "Garden", "water", "gal"), "Garden", "water", "gal"),
        M(add_meter(app, acc.id, "Firewood", "other", "stere"), "Firewood", "other", "stere"),
    ]
    meters = [
        M(acc.meters["Electricity"], "Electricity", "electricity", "kWh"),
        M(acc.meters["Water"], "Water", "water", "m3"),
        M(acc.meters["Gas"], "Gas", "gas", "m3"),
        *extra,
    ]
    meters.sort(key=lambda m: m.id)
    type_order = ["electricity", "water", "gas", "other:stere"]

    def api(path: str, **params: Any) -> Any:
        response = client.get(f"/api/analytics/{path}", headers=acc.headers, query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(scenario=scenarios())
    def run(scenario: tuple[list[tuple[Any, ...]], list[date], str, set[int]]) -> None:
        ops, window, compare, history = scenario
        with app.app_context():
            db.session.execute(delete(DailyRollup).where(DailyRollup.household_id == acc.household_id))
            db.session.execute(delete(Record).where(Record.household_id == acc.household_id))
            db.session.commit()
        records: dict[int, tuple[M, date, Decimal, Decimal | None]] = {}
        for index in sorted(history):
            ops = [("create", index, HISTORY, Decimal(1), None), *ops]
        for op in ops:
            if op[0] == "create":
                _, index, day, amount, cost = op
                meter = meters[index]
                payload = {
                    "meter_id": meter.id,
                    "date": day.isoformat(),
                    "amount": number(amount),
                    "cost": number(cost),
                }
                response = client.post("/api/records", headers=acc.headers, json=payload)
                assert response.status_code == 201, response.get_json()
                records[response.get_json()["id"]] = (meter, day, amount, cost)
            elif records:
                ids = sorted(records)
                record_id = ids[op[1] % len(ids)]
                if op[0] == "delete":
                    assert client.delete(f"/api/records/{record_id}", headers=acc.headers).status_code == 204
                    del records[record_id]
                    continue
                _, _, index, day, amount, cost = op
                meter, old_day, _, _ = records[record_id]
                change: dict[str, Any] = {"amount": number(amount), "cost": number(cost)}
                if index is not None:
                    meter = meters[index]
                    change["meter_id"] = meter.id
                if day is not None:
                    change["date"] = day.isoformat()
                response = client.patch(f"/api/records/{record_id}", headers=acc.headers, json=change)
                assert response.status_code == 200, response.get_json()
                records[record_id] = (meter, day or old_day, amount, cost)

        d1, d2 = window
        # The records list counts from the same rollups: its totals must match too.
        listings = [
            ({}, list(records.values())),
            ({"meter_id": meters[0].id}, [r for r in records.values() if r[0] == meters[0]]),
            ({"type": "electricity"}, [r for r in records.values() if r[0].type == "electricity"]),
            (
                {"date_from": d1.isoformat(), "date_to": d2.isoformat()},
                [r for r in records.values() if d1 <= r[1] <= d2],
            ),
        ]
        for params, matching in listings:
            listed = client.get("/api/records", headers=acc.headers, query_string={**params, "per_page": 100})
            assert listed.get_json()["total"] == len(matching), params
            assert len(listed.get_json()["items"]) == len(matching), params
        for by in ("type", "meter"):
            body = api("summary", date_from=d1.isoformat(), date_to=d2.isoformat(), group_by=by, compare=compare)
            p1, p2 = naive_previous(d1, d2, compare)
            assert body["previous_period"] == {"from": p1.isoformat(), "to": p2.isoformat()}
            got = [{k: v for k, v in g.items() if k != "label"} for g in body["groups"]]
            expected = naive_summary(records, meters, d1, d2, by, compare)
            if by == "type":
                expected.sort(key=lambda g: type_order.index(g["key"]))
            assert got == expected
            for gran in ("day", "week", "month"):
                body = api(
                    "timeseries", date_from=d1.isoformat(), date_to=d2.isoformat(), group_by=by, granularity=gran
                )
                got = [{k: v for k, v in s.items() if k != "label"} for s in body["series"]]
                expected = naive_series(records, meters, d1, d2, gran, by)
                if by == "type":
                    expected.sort(key=lambda s: type_order.index(s["key"]))
                assert got == expected, (gran, by)

    run()

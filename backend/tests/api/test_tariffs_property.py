"""Hypothesis: every cost figure (summary, time series, billing, bills) equals an independent
computation over the records, readings-derived days and tariff versions, meter-day by meter-day,
in exact Decimals with one rounding per figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from app.extensions import db
from app.models import Bill, DailyRollup, Record, TariffVersion
from tests.factories import account, add_meter, add_record

FIRST, LAST = date(2024, 1, 1), date(2024, 3, 31)  # a leap February, month ends
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Version:
    valid_from: date
    unit_price: Decimal
    standing: Decimal
    tax: Decimal


days = st.dates(min_value=FIRST, max_value=LAST)
prices = st.decimals(min_value=0, max_value=Decimal("3"), places=6)
versions = st.lists(
    st.builds(Version, days, prices, prices, st.decimals(min_value=0, max_value=Decimal(100), places=3)),
    max_size=3,
    unique_by=lambda v: v.valid_from,
)
records = st.lists(
    st.tuples(
        st.integers(0, 2),
        days,
        st.decimals(min_value=0, max_value=Decimal("9999.999"), places=3),
        st.none() | st.decimals(min_value=0, max_value=Decimal("999.99"), places=2),
    ),
    max_size=12,
)
derived = st.dictionaries(days, st.integers(0, 99_999_999), max_size=6)  # a readings meter's days (thousandths)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    window = sorted([draw(days), draw(days)])
    return {
        "records": draw(records),
        "derived": draw(derived),
        "versions": [draw(versions) for _ in range(4)],
        "today": draw(st.dates(min_value=date(2023, 12, 20), max_value=date(2024, 4, 10))),
        "window": window,
        "bill": sorted([draw(days), draw(days)]),
    }


def r2(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def naive(
    meters: list[int],
    day_amounts: dict[tuple[int, date], tuple[Decimal, Decimal]],
    tariffs: dict[int, list[Version]],
    d1: date,
    d2: date,
    today: date,
) -> tuple[float, float, float, float]:
    """(usage, standing, tax, total) of the meters over d1..d2, day by day."""
    usage = standing = tax = Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 90
        day = d1
        while day <= d2:
            for meter in meters:
                explicit, uncosted = day_amounts.get((meter, day), (Decimal(0), Decimal(0)))
                usage += explicit
                valid = [v for v in tariffs.get(meter, []) if v.valid_from <= day]
                if not valid:
                    continue
                version = max(valid, key=lambda v: v.valid_from)
                charge = uncosted * version.unit_price + (version.standing if day <= today else 0)
                usage += uncosted * version.unit_price
                standing += version.standing if day <= today else 0
                tax += charge * version.tax / 100
            day += timedelta(days=1)
    figures = r2(usage), r2(standing), r2(tax)
    return (*figures, float(sum(Decimal(str(f)) for f in figures)))


def test_every_cost_figure_matches_a_day_by_day_computation(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2024, 2, 1, tzinfo=UTC)
    acc = account(app, client)
    other = account(app, client)  # another household's prices and records never count
    add_record(app, other.id, other.meters["Electricity"], FIRST, "1000")
    response = client.post(
        f"/api/meters/{other.meters['Electricity']}/tariffs",
        headers=other.headers,
        json={"valid_from": "2023-01-01", "unit_price": 5, "standing_charge": 5},
    )
    assert response.status_code == 201
    plug = add_meter(app, acc.id, "Plug", "electricity", "Wh")
    readings = add_meter(app, acc.id, "Register", "electricity", "kWh")  # rollups as a readings meter writes them
    meters = [acc.meters["Electricity"], plug, acc.meters["Water"], readings]
    electricity = [acc.meters["Electricity"], plug, readings]

    def get(path: str, **params: Any) -> Any:
        response = client.get(path, headers=acc.headers, query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(scenario=scenarios())
    def run(scenario: dict[str, Any]) -> None:
        with app.app_context():
            for model in (Bill, TariffVersion, DailyRollup, Record):
                db.session.execute(delete(model).where(model.household_id == acc.household_id))
            db.session.commit()
        clock.current = datetime.combine(scenario["today"], datetime.min.time(), UTC) + timedelta(hours=12)
        day_amounts: dict[tuple[int, date], tuple[Decimal, Decimal]] = {}
        for index, day, amount, cost in scenario["records"]:
            add_record(app, acc.id, meters[index], day, amount, cost)
            explicit, uncosted = day_amounts.get((meters[index], day), (Decimal(0), Decimal(0)))
            day_amounts[(meters[index], day)] = (explicit + (cost or 0), uncosted + (amount if cost is None else 0))
        with app.app_context():
            for day, milli in scenario["derived"].items():
                db.session.add(
                    DailyRollup(
                        household_id=acc.household_id,
                        meter_id=readings,
                        date=day,
                        total_milli=milli,
                        count=0,
                        cost_cents=0,
                        cost_count=0,
                        uncosted_milli=milli,
                        min_milli=milli,
                        max_milli=milli,
                    )
                )
                day_amounts[(readings, day)] = (Decimal(0), Decimal(milli).scaleb(-3))
            db.session.commit()
        tariffs: dict[int, list[Version]] = {}
        for meter, chosen in zip(meters, scenario["versions"], strict=True):
            for version in chosen:
                response = client.post(
                    f"/api/meters/{meter}/tariffs",
                    headers=acc.headers,
                    json={
                        "valid_from": version.valid_from.isoformat(),
                        "unit_price": float(version.unit_price),
                        "standing_charge": float(version.standing),
                        "tax_pct": float(version.tax),
                    },
                )
                assert response.status_code == 201, response.get_json()
            tariffs[meter] = chosen
        today = scenario["today"]
        d1, d2 = scenario["window"]
        window = {"date_from": d1.isoformat(), "date_to": d2.isoformat()}

        def figures(group: dict[str, Any], *names: str) -> tuple[float, ...]:
            return tuple(float(group[name]) for name in names)

        body = get("/api/analytics/summary", group_by="meter", **window)
        for group in body["groups"]:
            expected = naive([int(group["key"])], day_amounts, tariffs, d1, d2, today)
            assert figures(group, "cost_usage", "cost_standing", "cost_tax", "cost_total") == expected, group["key"]
        [group] = [g for g in get("/api/analytics/summary", **window)["groups"] if g["key"] == "electricity"]
        expected = naive(electricity, day_amounts, tariffs, d1, d2, today)
        assert figures(group, "cost_usage", "cost_standing", "cost_tax", "cost_total") == expected

        body = get("/api/analytics/timeseries", granularity="month", **window)
        [series] = [s for s in body["series"] if s["key"] == "electricity"]
        for point in series["points"]:
            start = date.fromisoformat(point["period_start"])
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            expected = naive(electricity, day_amounts, tariffs, max(start, d1), min(end, d2), today)
            assert figures(point, "cost_usage", "cost_standing", "cost_tax", "cost") == expected, start

        billing = get("/api/analytics/billing", date=d1.isoformat(), group_by="meter")
        start = d1.replace(day=1)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        before = (start - timedelta(days=1)).replace(day=1)
        for group in billing["groups"]:
            meter = [int(group["key"])]
            to_date = naive(meter, day_amounts, tariffs, start, min(end, today), today)[3] if start <= today else 0
            assert float(group["to_date_cost"]) == to_date
            assert (
                float(group["previous_cost"])
                == naive(meter, day_amounts, tariffs, before, start - timedelta(1), today)[3]
            )

        b1, b2 = scenario["bill"]
        bill = client.post(
            "/api/bills",
            headers=acc.headers,
            json={"meter_id": readings, "period_from": b1.isoformat(), "period_to": b2.isoformat(), "cost": 10},
        ).get_json()
        assert float(bill["computed"]["cost"]) == naive([readings], day_amounts, tariffs, b1, b2, today)[3]

    run()

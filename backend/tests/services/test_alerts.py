"""Alert evaluation with a frozen clock (PRODUCT §12): budget thresholds and forecast across a
month, an anomaly only once a day has 7 days of history, an overdue reading once per gap, the
job queued after a write, and the invitation.accepted notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import queue_of
from app.models import Notification, RaisedAlert
from app.services import alerts
from tests.api.households_helpers import listen_household, member, stop_listening  # noqa: F401
from tests.factories import Account, account, add_record


def evaluate(app: Flask, household_id: int, at: datetime, sweep: bool = False) -> list[str]:
    with app.app_context():
        return alerts.evaluate_household(household_id, at, sweep=sweep)


def notices(app: Flask, user_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.kind, Notification.title)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id)
        )
        return [(kind, title) for kind, title in rows]


def budget(client: FlaskClient, who: Account, **body: Any) -> int:
    response = client.post("/api/budgets", headers=who.headers, json=body)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def test_budget_thresholds_and_forecast_across_a_month(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 1, 6, tzinfo=UTC)
    who = account(app, client)
    viewer = member(app, client, who.household_id, "viewer", "viewer@example.com")
    meter = who.meters["Electricity"]
    bid = budget(client, who, name="Power", meter_id=meter, limit_amount=100, thresholds=[50, 80, 100])
    events = listen_household(app, who.household_id)

    raised: dict[str, list[str]] = {}
    for day in range(1, 31):
        today = date(2026, 11, day)
        add_record(app, who.id, meter, today, "5")  # 5 kWh a day: 150 in the month
        noon = datetime(2026, 11, day, 12, tzinfo=UTC)
        keys = evaluate(app, who.household_id, noon)
        assert evaluate(app, who.household_id, noon + timedelta(hours=1)) == []  # a second run raises nothing
        if keys:
            raised[today.isoformat()] = keys

    period = f"budget:{bid}:2026-11-01"
    # Day 1: no day before it to average, the forecast is 5. Day 2: 10 + 5/day x 28 days = 150.
    # Used 5 x day: 50 on the 10th, 80 on the 16th, 100 on the 20th.
    assert raised == {
        "2026-11-02": [f"{period}:forecast"],
        "2026-11-10": [f"{period}:threshold:50"],
        "2026-11-16": [f"{period}:threshold:80"],
        "2026-11-20": [f"{period}:threshold:100"],
    }
    expected = [
        ("budget.forecast", "Power: forecast above the budget"),
        ("budget.threshold", "Power: 50% of the budget"),
        ("budget.threshold", "Power: 80% of the budget"),
        ("budget.threshold", "Power: 100% of the budget"),
    ]
    assert notices(app, who.id) == expected
    assert notices(app, viewer.id) == expected
    assert [(e["type"], e["alert"].get("threshold")) for e in events if e["type"].startswith("budget.t")] == [
        ("budget.threshold", 50),
        ("budget.threshold", 80),
        ("budget.threshold", 100),
    ]
    [forecast] = [e for e in events if e["type"] == "budget.forecast"]
    assert forecast == {
        "type": "budget.forecast",
        "household_id": who.household_id,
        "alert": {
            "budget_id": bid,
            "name": "Power",
            "period": {"from": "2026-11-01", "to": "2026-11-30"},
            "used": 10.0,
            "limit": 100.0,
            "forecast": 150.0,
        },
    }

    # December is a new period: its forecast (nothing yet + 5/day x 29 days left = 145) is above the
    # limit at once; its thresholds come when reached.
    assert evaluate(app, who.household_id, datetime(2026, 12, 1, 12, tzinfo=UTC)) == [
        f"budget:{bid}:2026-12-01:forecast"
    ]
    for day in range(1, 11):
        add_record(app, who.id, meter, date(2026, 12, day), "5")
    assert evaluate(app, who.household_id, datetime(2026, 12, 10, 12, tzinfo=UTC)) == [
        f"budget:{bid}:2026-12-01:threshold:50"
    ]


def test_a_cost_budget_with_the_billing_period(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 20, 6, tzinfo=UTC)
    who = account(app, client)
    meter = who.meters["Water"]
    assert (
        client.patch(f"/api/households/{who.household_id}", headers=who.headers, json={"billing_day": 15}).status_code
        == 200
    )
    tariff = {"valid_from": "2026-11-01", "unit_price": 2, "standing_charge": 0}
    assert client.post(f"/api/meters/{meter}/tariffs", headers=who.headers, json=tariff).status_code == 201
    bid = budget(client, who, name="Water cost", meter_id=meter, limit_cost=10, period="billing", thresholds=[50])
    add_record(app, who.id, meter, "2026-11-14", "10")  # the period before: not counted
    add_record(app, who.id, meter, "2026-11-16", "2.5")  # 5.00: half the limit
    assert evaluate(app, who.household_id, datetime(2026, 11, 20, 12, tzinfo=UTC)) == [
        f"budget:{bid}:2026-11-15:threshold:50",
        f"budget:{bid}:2026-11-15:forecast",
    ]


def test_an_anomaly_needs_seven_days_of_history(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 1, 6, tzinfo=UTC)
    who = account(app, client)
    water = who.meters["Water"]
    for day in range(1, 7):
        add_record(app, who.id, water, date(2026, 11, day), "1")
    add_record(app, who.id, water, "2026-11-07", "10")  # 6 days before it: no anomaly, however high
    assert evaluate(app, who.household_id, datetime(2026, 11, 8, 0, 30, tzinfo=UTC), sweep=True) == []
    add_record(app, who.id, water, "2026-11-08", "3.5")  # 7 days before it, median 1: 3.5 > 3 x 1
    # Not before the 8th is over in the household's time zone.
    assert evaluate(app, who.household_id, datetime(2026, 11, 8, 23, 59, tzinfo=UTC), sweep=True) == []
    assert evaluate(app, who.household_id, datetime(2026, 11, 9, 0, 1, tzinfo=UTC), sweep=True) == [
        f"anomaly:{water}:2026-11-08"
    ]
    assert evaluate(app, who.household_id, datetime(2026, 11, 9, 1, 0, tzinfo=UTC), sweep=True) == []
    add_record(app, who.id, water, "2026-11-09", "3")  # exactly 3 x the median: not above it
    assert evaluate(app, who.household_id, datetime(2026, 11, 10, 1, 0, tzinfo=UTC), sweep=True) == []
    [(kind, title)] = notices(app, who.id)
    assert (kind, title) == ("usage.anomaly", "Water: unusual use on 2026-11-08")
    with app.app_context():
        body = db.session.scalar(select(Notification.body).where(Notification.user_id == who.id))
    assert (
        body
        == "Water used 3.5 m3 on 2026-11-08, more than 3 times its usual day (1 m3, the median of its previous 7 days)."
    )

    # A meter whose anomaly_factor is null is never checked.
    response = client.patch(f"/api/meters/{water}", headers=who.headers, json={"anomaly_factor": None})
    assert response.get_json()["anomaly_factor"] is None
    add_record(app, who.id, water, "2026-11-10", "100")
    assert evaluate(app, who.household_id, datetime(2026, 11, 11, 1, 0, tzinfo=UTC), sweep=True) == []


def test_an_overdue_reading_is_reminded_once_per_gap(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 1, 8, tzinfo=UTC)
    who = account(app, client)
    editor = member(app, client, who.household_id, "editor", "editor@example.com")
    viewer = member(app, client, who.household_id, "viewer", "viewer@example.com")
    meter = client.post(
        "/api/meters",
        headers=who.headers,
        json={"name": "Main", "type": "electricity", "unit": "kWh", "mode": "readings"},
    ).get_json()
    assert meter["reading_reminder_days"] == 35

    def read(at: str, value: float) -> None:
        body = {"meter_id": meter["id"], "taken_at": at, "value": value}
        assert client.post("/api/readings", headers=who.headers, json=body).status_code == 201

    read("2026-11-01T08:00:00+00:00", 100)
    first = evaluate(app, who.household_id, datetime(2026, 12, 5, 23, tzinfo=UTC), sweep=True)  # 34 days
    assert first == []
    with app.app_context():
        from app.models import Reading

        reading_id = db.session.scalar(select(Reading.id).where(Reading.meter_id == meter["id"]))
    assert evaluate(app, who.household_id, datetime(2026, 12, 6, 1, tzinfo=UTC), sweep=True) == [
        f"overdue:{meter['id']}:{reading_id}"
    ]
    assert evaluate(app, who.household_id, datetime(2026, 12, 20, 1, tzinfo=UTC), sweep=True) == []
    clock.current = datetime(2026, 12, 21, 8, tzinfo=UTC)
    read("2026-12-21T08:00:00+00:00", 150)
    assert evaluate(app, who.household_id, datetime(2027, 1, 24, 1, tzinfo=UTC), sweep=True) == []  # 34 days
    second = evaluate(app, who.household_id, datetime(2027, 1, 25, 1, tzinfo=UTC), sweep=True)
    assert len(second) == 1 and second[0].startswith(f"overdue:{meter['id']}:") and second != first
    reminder = ("reading.overdue", "Main: time to read the meter")
    assert notices(app, who.id) == [reminder, reminder]
    assert notices(app, editor.id) == [reminder, reminder]
    assert notices(app, viewer.id) == []  # viewers cannot add readings


def test_a_write_queues_the_households_check(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 10, 12, tzinfo=UTC)
    who = account(app, client)
    meter = who.meters["Electricity"]
    bid = budget(client, who, name="Power", meter_id=meter, limit_amount=10, thresholds=[100])
    huey = queue_of(app).huey
    huey.flush()
    response = client.post(
        "/api/records", headers=who.headers, json={"meter_id": meter, "date": "2026-11-10", "amount": 12}
    )
    assert response.status_code == 201
    names = []
    while huey.pending_count():
        task = huey.dequeue()
        names.append(task.name)
        huey.execute(task)
    # the check, then the two alerts' e-mails, queued as the check commits
    assert names == ["check_household", "deliver_message", "deliver_message"]
    with app.app_context():
        keys = list(db.session.scalars(select(RaisedAlert.key).order_by(RaisedAlert.id)))
    assert keys == [f"budget:{bid}:2026-11-01:threshold:100", f"budget:{bid}:2026-11-01:forecast"]
    # A refused write queues nothing.
    bad = client.post("/api/records", headers=who.headers, json={"meter_id": meter, "date": "2026-11-10", "amount": -1})
    assert bad.status_code == 422
    assert huey.pending_count() == 0


def test_the_sweep_evaluates_every_household(app: Flask, client: FlaskClient, clock: Any) -> None:
    clock.current = datetime(2026, 11, 10, 12, tzinfo=UTC)
    first, second = account(app, client), account(app, client)
    ids = [budget(client, who, name="Gas", type="gas", limit_amount=1, thresholds=[100]) for who in (first, second)]
    for who in (first, second):
        add_record(app, who.id, who.meters["Gas"], "2026-11-10", "1")
    with app.app_context():
        alerts.sweep_alerts()
        keys = sorted(db.session.scalars(select(RaisedAlert.key)))
    # Today's data only: no day before it to average, so the forecast (1) is not above the limit.
    assert keys == sorted(f"budget:{i}:2026-11-01:threshold:100" for i in ids)


def test_an_accepted_invitation_tells_the_owners(app: Flask, client: FlaskClient) -> None:
    from tests.api.test_households_invitations import _token

    owner = account(app, client, "owner@example.com")
    co_owner = member(app, client, owner.household_id, "owner", "co@example.com")
    editor = member(app, client, owner.household_id, "editor", "ed@example.com")
    friend = account(app, client, "friend@example.com", name="Friend")
    response = client.post(
        f"/api/households/{owner.household_id}/invitations",
        headers=owner.headers,
        json={"email": "friend@example.com", "role": "viewer"},
    )
    assert response.status_code == 201
    token = _token(app, "friend@example.com")
    assert client.post("/api/invitations/accept", headers=friend.headers, json={"token": token}).status_code == 200
    notice = ("invitation.accepted", "Friend joined Home")
    assert notices(app, owner.id) == [notice]
    assert notices(app, co_owner.id) == [notice]
    assert notices(app, editor.id) == []
    assert notices(app, friend.id) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RaisedAlert)) == 1

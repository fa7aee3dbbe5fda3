"""Alerts (PRODUCT §12), each raised exactly once.

Every alert has a unique key (``budget:12:2026-11-01:threshold:80``); raising it inserts the key
into ``raised_alerts`` with INSERT ... ON CONFLICT DO NOTHING, and only the evaluator whose insert
took the key notifies the members and publishes the event named by the alert's kind. Two
workers evaluating the same budget at the same moment, or a job retried after it raised, cannot
raise it twice: the database decides, not a check before the insert.

- ``budget.threshold``: a budget's use reached a threshold (once per budget, period, threshold);
- ``budget.forecast``: its forecast went above 100% (once per budget and period);
- ``usage.anomaly``: a finished day of a meter above ``anomaly_factor`` x the median of its
  previous 28 days with data, given at least 7 such days (once per meter and day);
- ``reading.overdue``: a readings meter without a reading for ``reading_reminder_days`` (once
  per gap: the key names the last reading);
- ``invitation.accepted``: raised by the invitation's acceptance.

Budgets are evaluated after every write that changes consumption (a job per household, queued
after the commit) and by the sweep; anomalies and reminders by the sweep, over finished days
(before the household's local today).
"""

from __future__ import annotations

import logging
import statistics
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..jobs import enqueue_after_commit, job, periodic_sweep
from ..models import Budget, DailyRollup, Household, Meter, Reading
from . import clock
from .alerts_raise import _fmt, _today, raise_alert

log = logging.getLogger(__name__)

__all__ = [
    "ALERT_KINDS",
    "BUDGET_FORECAST",
    "BUDGET_THRESHOLD",
    "INVITATION_ACCEPTED",
    "READING_OVERDUE",
    "USAGE_ANOMALY",
    "after_write",
    "check_household",
    "evaluate_anomalies",
    "evaluate_budgets",
    "evaluate_household",
    "evaluate_overdue",
    "raise_alert",
    "sweep_alerts",
    "sweep_all",
]

BUDGET_THRESHOLD = "budget.threshold"
BUDGET_FORECAST = "budget.forecast"
USAGE_ANOMALY = "usage.anomaly"
READING_OVERDUE = "reading.overdue"
INVITATION_ACCEPTED = "invitation.accepted"
TOKEN_EXPIRING = "token.expiring"
ALERT_KINDS = (BUDGET_THRESHOLD, BUDGET_FORECAST, USAGE_ANOMALY, READING_OVERDUE, TOKEN_EXPIRING, INVITATION_ACCEPTED)

#: Anomalies: the median of (up to) this many days with data before the day, and at least this many.
HISTORY_DAYS = 28
MIN_HISTORY = 7
#: How far back the sweep looks for finished days not yet checked (a worker down for a while).
ANOMALY_LOOKBACK_DAYS = 3
MILLI = Decimal("0.001")
PENDING = "meterbook.alerts.pending"


def evaluate_budgets(household: Household, now: datetime) -> list[str]:
    """Raise the threshold and forecast alerts of the household's budgets; the keys raised."""
    from ..api.budgets.progress import progress

    today = _today(household, now)
    raised = []
    budgets = db.session.scalars(select(Budget).where(Budget.household_id == household.id).order_by(Budget.id))
    for budget in list(budgets):
        figures = progress(budget, household, today)
        period = figures.start.isoformat()
        what = "cost" if budget.limit_cents is not None else "use"
        data = {
            "budget_id": budget.id,
            "name": budget.name,
            "period": {"from": period, "to": figures.end.isoformat()},
            "used": float(figures.used),
            "limit": float(figures.limit),
            "forecast": float(figures.forecast),
        }
        for threshold in sorted(budget.thresholds):
            if figures.used * 100 < figures.limit * threshold:
                break
            key = f"budget:{budget.id}:{period}:threshold:{threshold}"
            title = f"{budget.name}: {threshold}% of the budget"
            body = (
                f"The {what} of \u201c{budget.name}\u201d reached {_fmt(figures.used)} of {_fmt(figures.limit)} "
                f"({threshold}% threshold) in the period from {period} to {figures.end.isoformat()}."
            )
            if raise_alert(
                key,
                household.id,
                BUDGET_THRESHOLD,
                title,
                body,
                {**data, "threshold": threshold},
                link="/budgets",
            ):
                raised.append(key)
        if figures.forecast > figures.limit:
            key = f"budget:{budget.id}:{period}:forecast"
            title = f"{budget.name}: forecast above the budget"
            body = (
                f"At this pace the {what} of \u201c{budget.name}\u201d will reach {_fmt(figures.forecast)} "
                f"by {figures.end.isoformat()}, above the limit of {_fmt(figures.limit)}."
            )
            if raise_alert(key, household.id, BUDGET_FORECAST, title, body, data, link="/budgets"):
                raised.append(key)
    return raised


def _is_anomaly(amount: int, history: list[int], factor_milli: int) -> tuple[bool, Decimal]:
    median = Decimal(str(statistics.median(history)))
    return Decimal(amount) * 1000 > median * factor_milli, median


def evaluate_anomalies(household: Household, now: datetime) -> list[str]:
    """Raise ``usage.anomaly`` for the finished days (the last few before today) of every meter with
    ``anomaly_factor`` set whose amount is above factor x the median of its previous 28 days with data."""
    today = _today(household, now)
    first_day = today - timedelta(days=ANOMALY_LOOKBACK_DAYS)
    raised = []
    meters = db.session.scalars(
        select(Meter)
        .where(Meter.household_id == household.id, Meter.anomaly_factor_milli.is_not(None), Meter.archived.is_(False))
        .order_by(Meter.id)
    )
    for meter in list(meters):
        assert meter.anomaly_factor_milli is not None
        r = DailyRollup
        rows = db.session.execute(
            select(r.date, r.total_milli)
            .where(r.household_id == household.id, r.meter_id == meter.id, r.date < today)
            .order_by(r.date.desc())
            .limit(HISTORY_DAYS + ANOMALY_LOOKBACK_DAYS + 1)
        ).all()
        days = list(reversed(rows))  # oldest first
        for index, (day, milli) in enumerate(days):
            if day < first_day:
                continue
            history = [m for _, m in days[max(0, index - HISTORY_DAYS) : index]]
            if len(history) < MIN_HISTORY:
                continue
            flagged, median = _is_anomaly(milli, history, meter.anomaly_factor_milli)
            if not flagged:
                continue
            key = f"anomaly:{meter.id}:{day.isoformat()}"
            amount = Decimal(milli).scaleb(-3)
            typical = (median * MILLI).quantize(MILLI)
            factor = Decimal(meter.anomaly_factor_milli).scaleb(-3)
            title = f"{meter.name}: unusual use on {day.isoformat()}"
            body = (
                f"{meter.name} used {_fmt(amount)} {meter.unit} on {day.isoformat()}, more than {_fmt(factor)} times "
                f"its usual day ({_fmt(typical)} {meter.unit}, the median of its previous {len(history)} days)."
            )
            data = {
                "meter_id": meter.id,
                "name": meter.name,
                "date": day.isoformat(),
                "amount": float(amount),
                "median": float(typical),
                "factor": float(factor),
                "unit": meter.unit,
            }
            if raise_alert(key, household.id, USAGE_ANOMALY, title, body, data, link=f"/meters/{meter.id}"):
                raised.append(key)
    return raised


def evaluate_overdue(household: Household, now: datetime) -> list[str]:
    """Raise ``reading.overdue`` for readings meters whose last reading is ``reading_reminder_days``
    (household days) old or more: once per gap, the key naming the last reading."""
    zone = ZoneInfo(household.timezone)
    today = _today(household, now)
    raised = []
    meters = db.session.scalars(
        select(Meter)
        .where(
            Meter.household_id == household.id,
            Meter.mode == "readings",
            Meter.reading_reminder_days.is_not(None),
            Meter.archived.is_(False),
        )
        .order_by(Meter.id)
    )
    for meter in list(meters):
        assert meter.reading_reminder_days is not None
        last = db.session.execute(
            select(Reading.id, Reading.taken_at)
            .where(Reading.meter_id == meter.id)
            .order_by(Reading.taken_at.desc(), Reading.id.desc())
            .limit(1)
        ).first()
        if last is None:
            continue
        reading_id, taken_at = last
        last_day = taken_at.astimezone(zone).date()
        days = (today - last_day).days
        if days < meter.reading_reminder_days:
            continue
        key = f"overdue:{meter.id}:{reading_id}"
        title = f"{meter.name}: time to read the meter"
        body = f"The last reading of {meter.name} was taken on {last_day.isoformat()}, {days} days ago."
        data = {
            "meter_id": meter.id,
            "name": meter.name,
            "last_reading_at": taken_at.isoformat(),
            "days": days,
            "reminder_days": meter.reading_reminder_days,
        }
        if raise_alert(key, household.id, READING_OVERDUE, title, body, data, link="/readings"):
            raised.append(key)
    return raised


def evaluate_household(household_id: int, now: datetime | None = None, *, sweep: bool = False) -> list[str]:
    """Evaluate one household's budgets (and, for the sweep, anomalies and reminders), commit, and
    answer the keys raised. Safe to run any number of times, by any number of workers at once."""
    household = db.session.get(Household, household_id)
    if household is None:
        return []
    now = now or clock.now()
    raised = evaluate_budgets(household, now)
    if sweep:
        raised += evaluate_anomalies(household, now)
        raised += evaluate_overdue(household, now)
    db.session.commit()
    return raised


def sweep_all(now: datetime | None = None) -> list[str]:
    """The sweep: every household, each in its own transaction."""
    raised = []
    for household_id in list(db.session.scalars(select(Household.id).order_by(Household.id))):
        try:
            raised += evaluate_household(household_id, now, sweep=True)
        except Exception:
            db.session.rollback()
            log.exception("alert evaluation of household %s failed", household_id)
    return raised


@job(retries=3, retry_delay=30, backoff=2)
def check_household(household_id: int) -> None:
    """After a write: the household's budget alerts (each raised once, however often this runs)."""
    evaluate_household(household_id)


@periodic_sweep
def sweep_alerts() -> None:
    """Every sweep: every household's budgets, anomalies of finished days and overdue readings.
    It also catches what a lost ``check_household`` job left undone."""
    sweep_all()


def _forget_pending(session: Session, *_args: object) -> None:
    session.info.pop(PENDING, None)


def after_write(household_id: int) -> None:
    """Call in a write's transaction that changes consumption, costs or a budget: one
    ``check_household`` job per household is queued when it commits (none on a rollback)."""
    session = db.session()
    if not event.contains(Session, "after_commit", _forget_pending):
        event.listen(Session, "after_commit", _forget_pending)
        event.listen(Session, "after_soft_rollback", _forget_pending)
    pending = session.info.setdefault(PENDING, set())
    if household_id in pending:
        return
    pending.add(household_id)
    enqueue_after_commit(check_household, household_id)

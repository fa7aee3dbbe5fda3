"""Billing periods (PRODUCT §11): from the household's billing_day to the day before it a month later."""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["billing_period", "month_later", "period_a_year_before", "period_before"]


def month_later(day: date, months: int = 1) -> date:
    """The same day of the month ``months`` later (days 1-28 only, which every month has)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


def billing_period(day: date, billing_day: int) -> tuple[date, date]:
    """The billing period that holds ``day``: it starts on the latest ``billing_day`` not after it."""
    start = day.replace(day=billing_day) if day.day >= billing_day else month_later(day.replace(day=billing_day), -1)
    return start, month_later(start) - timedelta(days=1)


def period_before(start: date) -> tuple[date, date]:
    """The billing period just before the one starting on ``start``."""
    return month_later(start, -1), start - timedelta(days=1)


def period_a_year_before(start: date) -> tuple[date, date]:
    """The same billing period a year earlier."""
    begin = month_later(start, -12)
    return begin, month_later(begin) - timedelta(days=1)

"""Calendar rules of the analytics: the window asked for, its previous period, time buckets."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ...errors import FieldError
from ...services import clock

if TYPE_CHECKING:
    from ...models import Household
    from .schemas import AnalyticsQuery, Compare

Window = tuple[date, date]


def today_for(household: Household) -> date:
    """Today's date in the household's time zone."""
    return clock.now().astimezone(ZoneInfo(household.timezone)).date()


def window(query: AnalyticsQuery, default_from: Callable[[date], date], household: Household) -> Window:
    """The window asked for, with the defaults filled in (``date_to`` defaults to today)."""
    date_to = query.date_to or today_for(household)
    date_from = query.date_from or default_from(date_to)
    if date_from > date_to:
        # Only reachable when date_to is the default: the query model refuses a later date_from
        # than a given date_to, but "today" depends on the household's time zone.
        raise FieldError.single(["query", "date_from"], "must not be after today")
    return date_from, date_to


# Months and years ----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def year_earlier(day: date) -> date:
    """The same date a year earlier; 29 February becomes 28 February."""
    return day.replace(year=day.year - 1, day=min(day.day, monthrange(day.year - 1, day.month)[1]))


# The previous period -------------------------------------------------------------------


def previous_period(date_from: date, date_to: date, compare: Compare = "previous") -> Window:
    """The period a window is compared with.

    ``compare="year"``: the same dates a year earlier. ``compare="previous"``: a window from
    the 1st of a month to a day of that month takes the same days of the previous month (its
    last day clamped to that month's length); a window from 1 January to a day after January
    of the same year takes the same dates a year earlier; any other window takes as many
    days just before it.
    """
    if compare == "year":
        return year_earlier(date_from), year_earlier(date_to)
    same_year = date_from.year == date_to.year
    if date_from.day == 1 and same_year and date_from.month == date_to.month:
        start = add_months(date_from, -1)
        return start, start.replace(day=min(date_to.day, month_end(start).day))
    if (date_from.month, date_from.day) == (1, 1) and same_year:
        return year_earlier(date_from), year_earlier(date_to)
    days = (date_to - date_from).days + 1
    end = date_from - timedelta(days=1)
    return end - timedelta(days=days - 1), end


# Time buckets --------------------------------------------------------------------------


def bucket_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "year":
        return date(day.year, 1, 1)
    return day


def next_bucket(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return add_months(start, 1)
    if granularity == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=1)


def bucket_count(date_from: date, date_to: date, granularity: str) -> int:
    first, last = bucket_start(date_from, granularity), bucket_start(date_to, granularity)
    if granularity == "day":
        return (last - first).days + 1
    if granularity == "week":
        return (last - first).days // 7 + 1
    if granularity == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def bucket_starts(date_from: date, date_to: date, granularity: str) -> list[date]:
    """The start of every bucket the window touches, in order."""
    starts = []
    start = bucket_start(date_from, granularity)
    for _ in range(bucket_count(date_from, date_to, granularity)):
        starts.append(start)
        start = next_bucket(start, granularity)
    return starts

"""Spreading a register's consumption over local days (PRODUCT §10), exactly.

Between two readings at ``start`` and ``end`` the consumption ``delta`` (in thousandths) is spread
over ``[start, end)`` in proportion to real elapsed time, cut at the local midnights of a time
zone. A day of 23 or 25 hours (a change to or from daylight saving time) is simply 23 or 25 hours
of the interval. Each day's exact share ``delta * part / whole`` is rounded down to a thousandth,
and the thousandths left over go one each to the days with the largest remainders (ties to the
earlier day), so the days of one interval add up to ``delta`` exactly. Pure: no database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["day_start", "local_day", "segments", "shares", "split"]

_MICROSECOND = timedelta(microseconds=1)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a local day begins: its midnight, or the end of a gap that skips midnight."""
    naive = datetime.combine(day, time())
    # fold=0 reads a midnight that falls in a gap with the offset before the change, which names
    # the instant the gap ends: the first instant of the day that exists.
    return naive.replace(tzinfo=zone).astimezone(UTC)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _micros(span: timedelta) -> int:
    return span // _MICROSECOND


def segments(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, int]]:
    """``[start, end)`` cut at local midnights: each local day it touches with the microseconds it spends there."""
    if end <= start:
        raise ValueError("end must be after start")
    parts: list[tuple[date, int]] = []
    day = local_day(start, zone)
    cursor = start
    while cursor < end:
        following = day + timedelta(days=1)
        cut = min(day_start(following, zone), end)
        if cut > cursor:
            parts.append((day, _micros(cut - cursor)))
            cursor = cut
        day = following
    return parts


def shares(delta: int, weights: list[int]) -> list[int]:
    """``delta`` split in proportion to ``weights`` in whole units, adding up to ``delta`` exactly.

    Each part is rounded down; the units left go one each to the largest remainders, ties to the
    earlier part.
    """
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("weights must add up to more than 0")
    floors = [delta * weight // whole for weight in weights]
    remainders = [delta * weight % whole for weight in weights]
    left = delta - sum(floors)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    return floors


def split(start: datetime, end: datetime, delta: int, zone: ZoneInfo) -> list[tuple[date, int]]:
    """The local days of ``[start, end)`` with their shares of ``delta`` (thousandths, ≥ 0)."""
    if delta < 0:
        raise ValueError("delta must not be negative")
    parts = segments(start, end, zone)
    return list(zip([day for day, _ in parts], shares(delta, [micros for _, micros in parts]), strict=True))

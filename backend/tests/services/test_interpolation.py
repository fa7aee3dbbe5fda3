"""The pure interpolation: local days, DST days by real elapsed time, largest remainder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.interpolation import day_start, segments, shares, split

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3_600_000_000


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def test_berlin_spring_forward_day_gets_23_of_24() -> None:
    # 2026-03-29 has 23 hours in Berlin: three days of 24, 23 and 24 hours.
    start, end = local(BERLIN, 2026, 3, 28), local(BERLIN, 2026, 3, 31)
    assert segments(start, end, BERLIN) == [
        (date(2026, 3, 28), 24 * HOUR),
        (date(2026, 3, 29), 23 * HOUR),
        (date(2026, 3, 30), 24 * HOUR),
    ]
    assert split(start, end, 71_000, BERLIN) == [
        (date(2026, 3, 28), 24_000),
        (date(2026, 3, 29), 23_000),
        (date(2026, 3, 30), 24_000),
    ]


def test_berlin_fall_back_day_gets_25_of_24() -> None:
    start, end = local(BERLIN, 2026, 10, 24), local(BERLIN, 2026, 10, 27)
    assert split(start, end, 73_000, BERLIN) == [
        (date(2026, 10, 24), 24_000),
        (date(2026, 10, 25), 25_000),
        (date(2026, 10, 26), 24_000),
    ]


def test_new_york_both_changes() -> None:
    spring = split(local(NEW_YORK, 2026, 3, 7), local(NEW_YORK, 2026, 3, 10), 71_000, NEW_YORK)
    assert spring == [(date(2026, 3, 7), 24_000), (date(2026, 3, 8), 23_000), (date(2026, 3, 9), 24_000)]
    fall = split(local(NEW_YORK, 2026, 10, 31), local(NEW_YORK, 2026, 11, 3), 73_000, NEW_YORK)
    assert fall == [(date(2026, 10, 31), 24_000), (date(2026, 11, 1), 25_000), (date(2026, 11, 2), 24_000)]


def test_a_whole_day_of_a_normal_and_a_dst_week() -> None:
    # One kWh a day on normal days: the 23-hour day gets 23/24 kWh (958.333... → 958 or 959).
    start, end = local(BERLIN, 2026, 3, 26), local(BERLIN, 2026, 4, 2)
    hours = 7 * 24 - 1
    days = split(start, end, hours * 1000 // 24, BERLIN)  # 6958 thousandths over 167 hours
    assert [share for _, share in days] == [1000, 1000, 1000, 958, 1000, 1000, 1000]
    assert sum(share for _, share in days) == 6958


def test_leap_day() -> None:
    start = datetime(2028, 2, 28, 12, tzinfo=UTC)
    end = datetime(2028, 3, 1, 12, tzinfo=UTC)
    assert split(start, end, 4_800, ZoneInfo("UTC")) == [
        (date(2028, 2, 28), 1_200),
        (date(2028, 2, 29), 2_400),
        (date(2028, 3, 1), 1_200),
    ]


def test_minutes_apart_within_one_day() -> None:
    start = local(BERLIN, 2026, 5, 1, 8, 0)
    end = local(BERLIN, 2026, 5, 1, 8, 5)
    assert split(start, end, 123, BERLIN) == [(date(2026, 5, 1), 123)]


def test_minutes_apart_across_midnight() -> None:
    # 23:58 to 00:03: 2 and 3 minutes; 1.001 split 2:3 → 400.4 and 600.6 → 400 and 601.
    start = local(BERLIN, 2026, 5, 1, 23, 58)
    end = local(BERLIN, 2026, 5, 2, 0, 3)
    assert split(start, end, 1_001, BERLIN) == [(date(2026, 5, 1), 400), (date(2026, 5, 2), 601)]


def test_months_apart() -> None:
    start = local(BERLIN, 2026, 1, 1)
    end = local(BERLIN, 2026, 4, 1)  # 90 days, one of them 23 hours
    days = split(start, end, 2_159_000, BERLIN)  # 2159 hours' worth at 1000 an hour
    assert len(days) == 90
    assert days[0] == (date(2026, 1, 1), 24_000)
    assert dict(days)[date(2026, 3, 29)] == 23_000
    assert sum(share for _, share in days) == 2_159_000


def test_largest_remainder_ties_go_to_the_earlier_day() -> None:
    assert shares(1, [1, 1]) == [1, 0]
    assert shares(10, [1, 1, 1]) == [4, 3, 3]
    assert shares(2, [1, 1, 1]) == [1, 1, 0]
    assert shares(5, [3, 1]) == [4, 1]  # 3.75 and 1.25: floors 3 and 1, the .75 gets the unit


def test_zero_delta_and_bad_input() -> None:
    start, end = local(BERLIN, 2026, 5, 1, 12), local(BERLIN, 2026, 5, 2, 12)
    assert split(start, end, 0, BERLIN) == [(date(2026, 5, 1), 0), (date(2026, 5, 2), 0)]
    with pytest.raises(ValueError):
        split(end, start, 1, BERLIN)
    with pytest.raises(ValueError):
        split(start, end, -1, BERLIN)


def test_a_midnight_inside_a_gap_starts_the_day_when_the_gap_ends() -> None:
    # Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06: that day starts at 04:00 UTC.
    santiago = ZoneInfo("America/Santiago")
    assert day_start(date(2026, 9, 6), santiago) == datetime(2026, 9, 6, 4, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=1, max_value=400 * 24 * 3600),
    st.integers(min_value=0, max_value=10**15),
    st.sampled_from(["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe", "Asia/Kolkata"]),
)
def test_days_add_up_to_delta_and_follow_elapsed_time(start: datetime, seconds: int, delta: int, name: str) -> None:
    zone = ZoneInfo(name)
    begin = start.replace(tzinfo=UTC)
    end = datetime.fromtimestamp(begin.timestamp() + seconds, UTC)
    days = split(begin, end, delta, zone)
    assert sum(share for _, share in days) == delta
    parts = segments(begin, end, zone)
    whole = sum(micros for _, micros in parts)
    assert whole == seconds * 1_000_000
    for (day, share), (same_day, micros) in zip(days, parts, strict=True):
        assert day == same_day
        assert abs(share * whole - delta * micros) < whole  # within one thousandth of the exact share
    assert [day for day, _ in days] == sorted({day for day, _ in days})

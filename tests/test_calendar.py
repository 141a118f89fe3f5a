"""Billing cycles and days: cycle starts clamp to the month's end and always count from ``start``."""

from __future__ import annotations

from datetime import date

import pytest

from planner.calendar import Calendar, Weekday, add_months


def test_cycles_from_the_31st_clamp_and_come_back() -> None:
    cal = Calendar.build(date(2027, 1, 31), 3)
    assert [cal.date_of(t) for t in cal.cycle_starts] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]
    assert cal.date_of(cal.n_days - 1) == date(2027, 4, 29)  # the day before 30 April


def test_a_leap_day_start_clamps_to_the_28th_and_returns_to_the_29th() -> None:
    # 29 Feb 2028: 29 Mar, ..., 28 Feb 2029 (no leap day), then 29 Mar 2029
    assert add_months(date(2028, 2, 29), 1) == date(2028, 3, 29)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2028, 2, 29), 13) == date(2029, 3, 29)


def test_every_day_belongs_to_exactly_one_cycle() -> None:
    cal = Calendar.build(date(2026, 12, 15), 12)
    covered = [t for k in range(cal.cycles) for t in cal.cycle_days(k)]
    assert covered == list(range(cal.n_days))
    assert all(cal.cycle_of(t) == k for k in range(cal.cycles) for t in cal.cycle_days(k))


def test_day_indices_and_dates_round_trip() -> None:
    cal = Calendar.build(date(2026, 2, 2), 2)
    assert all(cal.index_of(cal.date_of(t)) == t for t in range(cal.n_days))
    assert cal.days[0] == date(2026, 2, 2) and len(cal.days) == cal.n_days


@pytest.mark.parametrize(("day", "weekday"), [(date(2026, 12, 1), Weekday.TUE), (date(2028, 2, 29), Weekday.TUE)])
def test_weekday_of_a_date(day: date, weekday: Weekday) -> None:
    assert Weekday.of(day) is weekday

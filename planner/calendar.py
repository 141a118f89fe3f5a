"""Billing cycles and days: which day belongs to which cycle, and which days can send.

Cycle k starts on ``start + k months``, always counted from ``start`` and
clamped to the month's last day, so 31 Jan -> 28/29 Feb -> 31 Mar.
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Weekday(StrEnum):
    """Weekday names as scenarios spell them."""

    MON = "Mon"
    TUE = "Tue"
    WED = "Wed"
    THU = "Thu"
    FRI = "Fri"
    SAT = "Sat"
    SUN = "Sun"

    @classmethod
    def of(cls, day: date) -> Weekday:
        """The weekday of a date.

        >>> Weekday.of(date(2026, 12, 1))
        <Weekday.TUE: 'Tue'>
        """
        return list(cls)[day.weekday()]


WORKDAYS = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months, clamped to the month's last day.

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 1, 31), 2)
    (datetime.date(2026, 2, 28), datetime.date(2026, 3, 31))
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


@dataclass(frozen=True)
class Calendar:
    """The days of a horizon of whole cycles.

    Day indices are t_d, the days since ``start`` (0-based).

    >>> cal = Calendar.build(date(2026, 1, 31), 2)
    >>> cal.cycle_starts, cal.n_days, cal.days[-1]
    ((0, 28), 59, datetime.date(2026, 3, 30))
    """

    start: date
    cycle_starts: tuple[int, ...]
    n_days: int

    @classmethod
    def build(cls, start: date, cycles: int) -> Calendar:
        bounds = [(add_months(start, k) - start).days for k in range(cycles + 1)]
        return cls(start=start, cycle_starts=tuple(bounds[:-1]), n_days=bounds[-1])

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=t) for t in range(self.n_days)]

    @property
    def cycles(self) -> int:
        return len(self.cycle_starts)

    def cycle_end(self, k: int) -> int:
        """Index of the last day of cycle k."""
        return (self.cycle_starts[k + 1] if k + 1 < self.cycles else self.n_days) - 1

    def cycle_days(self, k: int) -> range:
        return range(self.cycle_starts[k], self.cycle_end(k) + 1)

    def cycle_of(self, t: int) -> int:
        """The cycle that day index t belongs to (days past the horizon: the last cycle)."""
        return max(0, bisect_right(self.cycle_starts, t) - 1)

    def date_of(self, t: int) -> date:
        return self.start + timedelta(days=t)

    def index_of(self, day: date) -> int:
        return (day - self.start).days

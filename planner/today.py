"""What do I send today: one day's sends of a schedule, and the next day that has any.

The Plan page asks it of the plan, the Track page of the re-plan from today;
both show :meth:`DaySends.sentence`, so the answer reads the same on both.
Plain text: a page escapes it (:func:`planner.text.literal`) before a
markdown element shows it, since bucket names are the user's.

>>> import pandas as pd
>>> schedule = pd.DataFrame(
...     {"date": [date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 3)], "bucket": ["A", "Open", "A"],
...      "sends": [3, 2, 1], "credits_used": [3, 0, 1]}
... )
>>> sends_on(schedule, date(2026, 12, 1)).sentence()
'Tue 1 Dec 2026: send 3 x A, 2 x Open (free); 3 credits.'
>>> sends_on(schedule, date(2026, 12, 2)).sentence()
'Nothing to send on Wed 2 Dec 2026. Next sends: Thu 3 Dec 2026.'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from planner.charts import format_day


@dataclass(frozen=True)
class BucketSends:
    """The sends of one bucket on the day."""

    bucket: str
    sends: int
    credits: int  # 0 for a free bucket

    @property
    def free(self) -> bool:
        return self.credits == 0


@dataclass(frozen=True)
class DaySends:
    """A day's sends (in the schedule's bucket order) and the next day after it with sends, if any."""

    day: date
    items: tuple[BucketSends, ...]
    next_day: date | None

    @property
    def credits(self) -> int:
        """Credits the day's sends use."""
        return sum(item.credits for item in self.items)

    def sentence(self) -> str:
        """The answer in words: what to send and the credits it takes, or when the next sends are."""
        when = format_day(self.day)
        if not self.items:
            following = (
                f" Next sends: {format_day(self.next_day)}." if self.next_day is not None else " Nothing is planned after it."
            )
            return f"Nothing to send on {when}.{following}"
        sends = ", ".join(f"{i.sends} x {i.bucket}" + (" (free)" if i.free else "") for i in self.items)
        return f"{when}: send {sends}; {self.credits} credit{'' if self.credits == 1 else 's'}."


def sends_on(schedule: pd.DataFrame, day: date) -> DaySends:
    """The sends a schedule (:data:`planner.plan.SCHEDULE_COLUMNS`) plans on ``day``.

    Parameters
    ----------
    schedule
        A plan's or a re-plan's schedule: one row per day and bucket with sends.
    day
        The day asked about.

    Returns
    -------
    DaySends
        The day's sends per bucket, and the first later day with sends.
    """
    rows = schedule[schedule["date"] == day]
    items = tuple(
        BucketSends(str(r.bucket), int(r.sends), int(r.credits_used)) for r in rows.itertuples(index=False) if int(r.sends) > 0
    )
    later = schedule[(schedule["date"] > day) & (schedule["sends"] > 0)]
    next_day = min(later["date"]) if not later.empty else None
    return DaySends(day=day, items=items, next_day=next_day)

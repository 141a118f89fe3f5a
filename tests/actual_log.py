"""The two-cycle scenario and the ten-day usage log that the tracking tests share; not a test module.

Used by ``tests/test_logtable.py``, ``tests/test_tracking.py``,
``tests/test_tracking_charts.py`` and ``tests/test_history.py``. The scenario
is conftest's :data:`ACTUALS_SCENARIO` (1 June 2026 is a Monday; cycle 1 is
June, cycle 2 July); numbers in those tests are worked out by hand from it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import ACTUALS_SCENARIO

from planner.problem import Problem, resolve
from planner.scenario import parse_scenario
from planner.usage import Outcome, UsageEntry

P, A, D, R = Outcome.PENDING, Outcome.ACCEPTED, Outcome.DECLINED, Outcome.REPLIED

SCENARIO = parse_scenario(ACTUALS_SCENARIO)  # 1 June 2026 is a Monday; cycle 1 is June, cycle 2 July
PROBLEM = resolve(SCENARIO)


def entry(sent: date, bucket: str, outcome: Outcome, on: date | None = None, **extra: Any) -> UsageEntry:
    return UsageEntry(sent, bucket, outcome, on, **extra)


def june(day: int) -> date:
    return date(2026, 6, day)


# ten days of sends, some replies, some declines, 4 June missed (as in test_actuals.py)
LOG = [
    entry(june(1), "A", R, june(3)),
    entry(june(1), "A", P),
    entry(june(2), "A", D, june(5)),
    entry(june(2), "A", P),
    entry(june(3), "A", A, june(4)),
    entry(june(5), "F", P),
    entry(june(8), "A", P),
    entry(june(9), "A", R, june(10)),
    entry(june(10), "F", P),
]
TODAY = june(11)


def cycle_problem(credits: int) -> Problem:
    """Two use-it-or-lose-it cycles of ``credits`` from 1 June 2026, one sales bucket "A" (rate 0.2)."""
    return resolve(
        parse_scenario(
            {
                "start": date(2026, 6, 1),
                "cycles": 2,
                "tier": {"name": f"Cycle {credits}", "monthly_credits": credits, "policy": "cycle"},
                "buckets": [{"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.2}],
            }
        )
    )

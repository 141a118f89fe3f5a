"""Re-plans for the consumer tests: problems that start today, built the way the app and the CLI build them.

Every consumer of a :class:`~planner.problem.Problem` (model, diagnosis,
check, ledger, plan) is tested with one of these beside a plan from day 0.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from planner.actuals import start_state
from planner.problem import Problem, resolve
from planner.scenario import parse_scenario
from planner.usage import Outcome, UsageEntry

# Monday 1 March 2027, two cycles (March, April) of a 10-credit use-it-or-lose-it tier
REPLAN_SCENARIO: dict[str, Any] = {
    "start": date(2027, 3, 1),
    "cycles": 2,
    "tier": {"name": "Ten", "monthly_credits": 10, "policy": "cycle"},
    "buckets": [
        {"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.2, "pool": 8},
        {"name": "B", "goal": "sales", "priority": "low", "response_rate": 0.1},
    ],
}

# three sends of A logged on 1-3 March
LOG = [UsageEntry(date(2027, 3, d), "A", Outcome.PENDING, None) for d in (1, 2, 3)]


def replan_problem(today: date, entries: list[UsageEntry] | None = None, **fields: Any) -> Problem:
    """The re-plan of REPLAN_SCENARIO (with ``fields`` changed) from ``today`` given the log."""
    problem = resolve(parse_scenario({**REPLAN_SCENARIO, **fields}))
    return replace(problem, start=start_state(problem, LOG if entries is None else entries, today))

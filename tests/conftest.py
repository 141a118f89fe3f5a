"""Tiny named fixtures: scenarios small enough that their optimum is known by hand.

tests/apps/ holds Streamlit entry scripts for the app tests, not tests:
``--doctest-modules`` would import them, and importing one runs the app.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.scenario import Scenario, parse_scenario

collect_ignore = ["apps"]

# The pages import app_pages.common, which `streamlit run app.py` finds beside its entry script. AppTest runs
# of a page file, or of tests/apps/track_app.py, have another entry folder: the repository root goes on the path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

# the browser tests' module-scoped fixtures (server, browser) live beside their helpers in tests/browser.py
pytest_plugins = ["browser"]

# Monday 2 Feb 2026; one cycle runs to Sunday 1 Mar (28 days, 20 weekdays)
START = date(2026, 2, 2)

# no plan: at least 40 sends a cycle, but the tier grants 15 credits
INFEASIBLE_TOML = """version = 1
title = "Too many minimums"
start = 2026-06-01
tier = "Premium Business"

[[buckets]]
name = "Prospects"
goal = "sales"
priority = "high"
response_rate = 0.2
min = 40
"""


# two cycles from Monday 1 June 2026 on a 90-day rollover tier with a cap and credit-back:
# the scenario of the actuals and tracking tests, whose numbers are worked out by hand
ACTUALS_SCENARIO: dict[str, Any] = {
    "start": date(2026, 6, 1),
    "cycles": 2,
    "tier": {
        "name": "T",
        "monthly_credits": 10,
        "policy": "rollover",
        "max_age_days": 90,
        "balance_cap": 30,
        "credit_back": True,
    },
    "refund_reliance": 0.5,
    "refund_lag_days": 7,
    "buckets": [
        {"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.2, "pool": 10},
        {"name": "F", "goal": "sales", "priority": "medium", "response_rate": 0.1, "follows": "A", "gap_days": 3},
    ],
}


def tier(credits: int = 10, **extra: Any) -> dict[str, Any]:
    """An inline use-it-or-lose-it tier with ``credits`` a month."""
    return {"name": f"Test {credits}", "monthly_credits": credits, "policy": "cycle", **extra}


def bucket(name: str = "A", **extra: Any) -> dict[str, Any]:
    """A sales bucket, high priority, response rate 0.2, no pool."""
    return {"name": name, "goal": "sales", "priority": "high", "response_rate": 0.2, **extra}


def make(**fields: Any) -> Scenario:
    """A scenario: one cycle from START on a 10-credit tier with one bucket, unless overridden."""
    data: dict[str, Any] = {"start": START, "tier": tier(), "buckets": [bucket()]}
    data.update(fields)
    return parse_scenario(data)


@pytest.fixture
def one_bucket() -> Scenario:
    return make()

"""Tiny named fixtures: scenarios small enough that their optimum is known by hand.

tests/apps/ holds Streamlit entry scripts for the app tests, not tests:
``--doctest-modules`` would import them, and importing one runs the app.
"""

from __future__ import annotations

import sys
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

# Monday 2 Feb 2026; one cycle runs to Sunday 1 Mar (28 days, 20 weekdays)
START = "2026-02-02"

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

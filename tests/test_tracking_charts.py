"""planner.tracking_charts: the planned, actual and re-planned balance on one chart, with today and the gap."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from actual_log import LOG, PROBLEM, SCENARIO, TODAY, P, cycle_problem, entry, june

from planner.actuals import actual_ledger, replan
from planner.solve import make_plan
from planner.tracking import gap_words, spend_gap
from planner.tracking_charts import actual_burndown_figure


@pytest.fixture(scope="module")
def original() -> Any:
    plan = make_plan(SCENARIO, time_limit=30)
    assert plan.is_ok
    return plan


def test_the_figure_draws_plan_actual_and_replan_with_today_and_the_gap(original: Any) -> None:
    result = replan(SCENARIO, LOG, TODAY, time_limit=30)
    fig = actual_burndown_figure(PROBLEM, original.ledger, result.actual.table, TODAY, result.plan.ledger)
    names = [t.name for t in fig.data]
    assert names[:2] == ["Planned", "Actual"]
    assert {"Returned by a response", "Re-plan from today"} <= set(names)
    actual = next(t for t in fig.data if t.name == "Actual")
    assert list(actual.x) == [june(d) for d in range(1, 11)]
    assert list(actual.y) == list(result.actual.table["closing"])
    replanned = next(t for t in fig.data if t.name == "Re-plan from today")
    assert replanned.x[0] == TODAY
    texts = [a.text for a in fig.layout.annotations]
    assert "Today, Thu 11 Jun 2026" in texts
    gap = spend_gap(original.ledger, result.actual.table, TODAY)
    assert gap is not None and f"<b>{gap_words(gap)}</b>" in texts
    assert "Cycle 2: T" in texts
    assert "Actual" in actual.text[2] and "+1 back from responses" in actual.text[2]  # 3 June: a reply's credit


def test_the_figure_without_anything_to_draw_says_so() -> None:
    empty = actual_ledger(PROBLEM, [], june(1)).table
    fig = actual_burndown_figure(PROBLEM, None, empty, june(1))
    assert not fig.data
    assert "Nothing to draw yet" in fig.layout.annotations[0].text


def test_the_figure_shows_actual_expiry() -> None:
    problem = cycle_problem(3)
    actual = actual_ledger(problem, [entry(june(2), "A", P)], date(2026, 7, 5))
    fig = actual_burndown_figure(problem, None, actual.table, date(2026, 7, 5))
    expiry = next(t for t in fig.data if t.name == "Expiry")
    assert list(expiry.x) == [june(30)] and list(expiry.text) == ["−2"]

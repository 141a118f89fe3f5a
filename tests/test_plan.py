"""Plans: schedule, ledger, totals and goal-mix tables built from a schedule, for a plan from day 0 and a re-plan."""

from __future__ import annotations

import json
from datetime import date

from conftest import bucket, make
from replans import replan_problem

from planner.plan import PlanStatus, empty_plan
from planner.problem import resolve
from planner.solve import make_plan


def test_a_plan_covers_the_whole_horizon_with_one_ledger_row_a_day() -> None:
    plan = make_plan(make(cycles=2))
    assert plan.days == range(0, plan.problem.n_days)
    assert len(plan.ledger) == len(plan.days)
    assert plan.ledger["date"].iloc[0] == plan.problem.calendar.date_of(plan.days.start)


def test_a_replan_plan_says_which_days_its_ledger_covers() -> None:
    # what a burn-down of a re-plan needs: row i of the ledger is day plan.days[i], from today
    plan = make_plan(replan_problem(date(2027, 3, 4)))
    cal = plan.problem.calendar
    assert plan.is_ok and plan.problem.is_replan
    assert plan.days.start == cal.index_of(date(2027, 3, 4))
    assert len(plan.ledger) == len(plan.days)
    assert list(plan.ledger["date"]) == [cal.date_of(t) for t in plan.days]
    assert plan.schedule["date"].min() >= date(2027, 3, 4)


def test_replan_totals_count_from_today() -> None:
    plan = make_plan(replan_problem(date(2027, 3, 4)))
    assert plan.totals is not None
    # 7 credits held today plus April's 10; A's pool of 8 less the 3 logged leaves 5 of A in March
    assert plan.totals.credits_granted == 10
    assert plan.totals.credits_spent == 17
    march = plan.schedule[plan.schedule["cycle"] == 1].groupby("bucket")["sends"].sum().to_dict()
    assert march == {"A": 5, "B": 2}


def test_goal_mix_table_reports_target_paid_sends_and_shortfall() -> None:
    plan = make_plan(make(goals={"sales": 0.5, "networking": 0.5}, buckets=[bucket(pool=3)]))
    rows = plan.goal_mix.to_dict(orient="records")
    assert {"goal": "networking", "cycle": 1, "target": 5, "paid_sends": 0, "shortfall": 5} in rows
    assert {"goal": "sales", "cycle": 1, "target": 5, "paid_sends": 3, "shortfall": 2} in rows


def test_summary_is_plain_json() -> None:
    plan = make_plan(make())
    data = json.loads(json.dumps(plan.summary()))
    assert data["status"] == "optimal" and data["totals"]["credits_spent"] == 10


def test_an_empty_plan_has_no_totals_and_no_ledger() -> None:
    plan = empty_plan(resolve(make()), PlanStatus.INFEASIBLE, message="none")
    assert not plan.is_ok and plan.totals is None and plan.ledger.empty and plan.schedule.empty

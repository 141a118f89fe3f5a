"""The brief's canonical scenarios (data/examples) and their known optima."""

from __future__ import annotations

import pytest

from planner.check import violations
from planner.paths import EXAMPLES_DIR
from planner.plan import Plan
from planner.scenario import load_scenario
from planner.solve import make_plan


def plan_of(name: str) -> Plan:
    plan = make_plan(load_scenario(EXAMPLES_DIR / f"{name}.toml"))
    assert plan.is_ok, plan.message
    assert violations(plan.problem, plan.sends) == []
    return plan


def sends(plan: Plan) -> dict[str, int]:
    return dict(zip(plan.allocation["bucket"], plan.allocation["sends"], strict=True))


def test_sales_rep_worked_example() -> None:
    plan = plan_of("sales_rep")
    assert sends(plan) == {"Initial prospecting": 25, "Follow-up": 15, "Account expansion": 10}
    assert plan.totals is not None
    assert plan.totals.expired_unused == 0 and plan.totals.credits_spent == 50
    # initial sends early enough that the follow-ups fit after the five-day gap
    initial = plan.schedule[plan.schedule["bucket"] == "Initial prospecting"]["date"].min()
    follow = plan.schedule[plan.schedule["bucket"] == "Follow-up"]["date"].min()
    assert (follow - initial).days >= 5


def test_recruiter_example() -> None:
    plan = plan_of("recruiter")
    assert sends(plan) == {"Passive candidates": 50, "Referral requests": 15, "Engaged candidate follow-up": 10}
    assert plan.totals is not None and plan.totals.goal_shortfall == 0


def test_job_seeker_example() -> None:
    plan = plan_of("job_seeker")
    assert sends(plan) == {
        "Research and identification": 2,
        "Hiring manager": 4,
        "Senior influencer": 3,
        "Hiring manager follow-up": 1,
    }


def test_model_md_scenario_file_example() -> None:
    plan = plan_of("team_upgrade")
    assert list(plan.ledger.groupby("cycle")["tier"].first()) == ["Premium Business", "Sales Navigator Core"]
    assert plan.totals is not None and plan.totals.expected_credit_backs > 0
    assert plan.schedule["date"].astype(str).isin(["2026-12-24", "2026-12-25"]).sum() == 0
    assert plan.schedule.groupby("date")["sends"].sum().max() <= 6


@pytest.mark.parametrize("name", ["sales_rep", "recruiter", "job_seeker", "team_upgrade"])
def test_examples_solve_to_a_proven_gap(name: str) -> None:
    plan = plan_of(name)
    assert plan.gap is not None and plan.gap <= 0.005

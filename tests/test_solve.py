"""make_plan and the solver layer: one deadline for the whole answer, and a gap on the value that is true.

The gap cases are those of issue 8, where a forced goal-mix shortfall once hid
a plan 8.6 % below the optimum's value behind a 0.2 % gap on the whole
objective. Each is checked against the exact optimum of the same MIP: HiGHS on
the full model to gap 0 (no box, no heuristic stage), with a long limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
from conftest import INFEASIBLE_TOML, bucket, make

from planner import backends
from planner.model import build_model, forced_shortfall
from planner.plan import Plan, PlanStatus
from planner.problem import Problem, resolve
from planner.scenario import parse_scenario, scenario_from_toml
from planner.solve import make_plan
from planner.solver import Deadline, Solver, Status, Target, run

BENCH = Path(__file__).resolve().parent.parent / "bench" / "hard"

ROLLOVER = {"name": "Rollover 50", "monthly_credits": 50, "policy": "rollover", "max_age_days": 90, "balance_cap": 150}
SALES = [
    {"name": "Prospects", "goal": "sales", "priority": "high", "response_rate": 0.15, "pool": 25},
    {"name": "Follow-up", "goal": "sales", "priority": "medium", "response_rate": 0.1, "follows": "Prospects", "gap_days": 5},
    {"name": "Expansion", "goal": "sales", "priority": "high", "response_rate": 0.2, "pool": 10},
]
RECRUITING = [{"name": "Engineers", "goal": "recruiting", "priority": "medium", "response_rate": 0.25, "pool": 8}]


def exact_solve(problem: Problem, seconds: float) -> backends.RunResult:
    """The full MIP of the problem in HiGHS to gap 0 (no box, no heuristic stage), in this process."""
    session = backends.Session(build_model(problem).prob)
    session.make_integer()
    session.set_option("mip_rel_gap", 0.0)
    return session.run(seconds)


def mip_bounds(session: backends.Session, budgets: Sequence[float]) -> Iterator[float]:
    """HiGHS's bound on the session's full MIP (to gap 0, no box, no heuristic stage) after each budget in turn, the
    least so far: each is at least the optimum, so a check one of them passes is passed."""
    session.make_integer()
    session.set_option("mip_rel_gap", 0.0)
    bound = float("inf")
    for seconds in budgets:
        result = session.run(seconds)
        assert result.bound is not None
        bound = min(bound, result.bound)
        yield bound


def first_bound_that_proves(problem: Problem, proves: Callable[[float], bool], budgets: Sequence[float] = (2.0, 15.0)) -> float:
    """The first of :func:`mip_bounds` on the problem's model that ``proves`` accepts, else the last: the longer
    solves run only when a shorter one's bound is too loose to decide."""
    bound = float("inf")
    for bound in mip_bounds(backends.Session(build_model(problem).prob), budgets):
        if proves(bound):
            break
    return bound


def exact_optimum(problem: Problem) -> tuple[float, float]:
    """The exact optimum's objective and the proven bound."""
    result = exact_solve(problem, 300.0)
    assert result.status is backends.RunStatus.OPTIMAL and result.objective is not None and result.bound is not None
    return result.objective, result.bound


def assert_true_value_gap(plan: Plan, optimum: float) -> None:
    """Within 0.5 % of the optimum's value, and the reported gap and bound hold against the optimum."""
    assert plan.is_ok and plan.totals is not None and plan.gap is not None and plan.bound is not None
    problem = plan.problem
    objective = float(plan.totals.objective)
    unavoidable = problem.shortfall_penalty * forced_shortfall(problem)
    # the optimum's shortfall is at least the unavoidable one, so its value is at least this
    optimum_value = optimum + unavoidable
    assert objective >= optimum - 0.005 * optimum_value - 1e-6
    assert plan.bound >= optimum - 1e-6
    assert optimum - objective <= plan.gap * (objective + unavoidable) + 1e-6


def test_a_mix_mostly_on_a_goal_without_buckets_is_planned_within_half_a_percent_of_its_value() -> None:
    # issue 8: sales 0.06 / recruiting 0.04 / thought_leadership 0.9 with no thought-leadership bucket, 3 rollover cycles
    scenario = parse_scenario(
        {
            "start": date(2026, 2, 2),
            "cycles": 3,
            "tier": {**ROLLOVER, "credit_back": True},
            "refund_reliance": 0.5,
            "daily_cap": 6,
            "goals": {"sales": 0.06, "recruiting": 0.04, "thought_leadership": 0.9},
            "buckets": SALES + RECRUITING,
        }
    )
    problem = resolve(scenario)
    plan = make_plan(problem)
    assert plan.totals is not None and plan.totals.goal_shortfall >= 3 * 45  # 90 % of 50 a cycle, no bucket for it
    assert plan.gap is not None and plan.gap <= 0.002 + 1e-4
    optimum, _ = exact_optimum(problem)
    assert_true_value_gap(plan, optimum)


def test_a_free_bucket_with_a_minimum_and_most_of_the_mix_on_an_empty_goal() -> None:
    free = {
        "name": "Open profiles",
        "goal": "networking",
        "priority": "low",
        "response_rate": 0.1,
        "pool": 12,
        "min": 4,
        "free": True,
    }
    scenario = parse_scenario(
        {
            "start": date(2026, 2, 2),
            "cycles": 2,
            "tier": ROLLOVER,
            "daily_cap": 5,
            "goals": {"sales": 0.1, "networking": 0.0, "job_seeking": 0.9},
            "buckets": [*SALES, free],
        }
    )
    problem = resolve(scenario)
    plan = make_plan(problem)
    optimum, _ = exact_optimum(problem)
    assert_true_value_gap(plan, optimum)


def test_twelve_cycles_with_thirty_percent_on_a_goal_without_buckets() -> None:
    problem = resolve(scenario_from_toml((BENCH / "forced_shortfall.toml").read_text()))
    plan = make_plan(problem, time_limit=120)  # about 1 s here; the limit only keeps a loaded machine from cutting it short
    assert plan.status is PlanStatus.OPTIMAL and plan.gap is not None and plan.gap <= 0.002 + 1e-4
    # the exact optimum of 12 cycles can take long to prove: its bound is enough (the optimum is below it)
    assert plan.totals is not None and plan.gap is not None
    objective, gap, unavoidable = float(plan.totals.objective), plan.gap, problem.shortfall_penalty * forced_shortfall(problem)
    found = first_bound_that_proves(problem, lambda bound: bound - objective <= gap * (objective + unavoidable) + 1e-6)
    assert_true_value_gap(plan, min(found, plan.bound or found))


def test_a_shortfall_no_plan_can_avoid_is_counted_from_pools_and_send_days() -> None:
    # a goal without buckets: its whole target; a goal whose pools hold 3 of its 5: 2
    problem = resolve(make(goals={"sales": 0.5, "networking": 0.5}, buckets=[bucket(pool=3)]))
    assert forced_shortfall(problem) == 5 + 2


def test_every_stage_takes_its_time_from_the_one_deadline() -> None:
    deadline = Deadline(60.0)
    plan = make_plan(resolve(make(cycles=2, daily_cap=2)), deadline=deadline)
    assert plan.is_ok
    stages = [stage for stage, _ in deadline.stages]
    # the LP's sends rounded through the ledger prove this one: no MIP stage is needed
    assert stages[0] == "LP relaxation" and plan.solver == "HiGHS (LP rounded)"
    seconds = [given for _, given in deadline.stages]
    assert all(0 < s <= 60.0 for s in seconds) and seconds == sorted(seconds, reverse=True)


def test_the_diagnosis_of_an_infeasible_scenario_runs_on_the_plans_deadline() -> None:
    deadline = Deadline(60.0)
    plan = make_plan(scenario_from_toml(INFEASIBLE_TOML), deadline=deadline)
    assert plan.status is PlanStatus.INFEASIBLE
    stages = [stage for stage, _ in deadline.stages]
    # the plan's LP found no plan; the elastic model of the diagnosis was solved on the same deadline after it
    assert stages.count("LP relaxation") == 2, stages
    assert any("minimums need 40" in reason for reason in plan.diagnosis)


def test_a_deadline_already_spent_gives_a_time_limit_result_and_a_diagnosis_without_the_elastic_model() -> None:
    spent = Deadline(1.0, clock=iter([0.0] + [5.0] * 1000).__next__)
    plan = make_plan(resolve(make(cycles=2)), deadline=spent)
    assert plan.status is PlanStatus.TIME_LIMIT and "before any plan was found" in plan.message
    from planner.diagnose import diagnose

    spent = Deadline(1.0, clock=iter([0.0] + [5.0] * 1000).__next__)
    reasons = diagnose(resolve(make(buckets=[bucket(min=8)], reserve=5, reserve_release_days=10)), deadline=spent)
    assert all("only" not in r for r in reasons)  # no elastic reason: no time was left for it
    assert spent.stages == []


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_the_callers_solver_choice_is_honoured_by_the_plan_and_its_diagnosis(solver: str) -> None:
    plan = make_plan(make(buckets=[bucket(min=12)]), solver=solver)
    assert plan.status is PlanStatus.INFEASIBLE
    assert plan.solver.startswith("HiGHS" if solver == "highs" else "CBC")
    assert any("A needs at least 12 sends" in reason for reason in plan.diagnosis), plan.diagnosis


def test_a_maximisation_keeps_its_sign_through_the_adapter() -> None:
    import pulp

    prob = pulp.LpProblem("signs", pulp.LpMaximize)
    x = prob.add_variable("x", lowBound=0, upBound=3, cat=pulp.LpInteger)
    y = prob.add_variable("y", lowBound=0, upBound=10, cat=pulp.LpInteger)
    prob += 2 * x + 3 * y <= 7.5
    prob.setObjective(x + y + 3)
    for solver in Solver:
        solution = run(prob, Deadline(30.0), Target(0.0), solver=solver)
        assert solution.status is Status.OPTIMAL and solution.objective == pytest.approx(6.0)
        assert solution.value(x) + solution.value(y) == pytest.approx(3.0)

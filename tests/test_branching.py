"""Branching on the send counts (planner.solver._branch_counts) and the gap a plan is accepted at.

The branching's bound is checked against the exact optimum of scenarios small
enough for HiGHS to solve to gap 0 in a few seconds (credit-backs, rollover
under caps, tier changes): it must never fall below the optimum, and the rows
it leaves in the session must keep the optimum. Then the hard benchmark it was
written for: its 12 cycles are planned within MODEL.md's 0.5 %, proven, by the
cheap stages alone, and without acceptance the same plan goes on to the full MIP.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import oracle
import pytest
from test_solve import exact_optimum

from planner import backends
from planner.catalog import load_catalog
from planner.compare import current_tier, tier_scenario
from planner.curve import at_credits
from planner.model import Model, build_model, cycle_ends, day_sends
from planner.paths import EXAMPLES_DIR
from planner.plan import PlanStatus
from planner.problem import Problem, resolve
from planner.scenario import load_scenario
from planner.solve import ACCEPT_GAP, make_plan
from planner.solver import Counts, Deadline, Target, _branch_counts

BENCH = Path(__file__).resolve().parent.parent / "bench"
CATALOG = load_catalog()


def team_upgrade_at(credits: int) -> Problem:
    scenario = load_scenario(EXAMPLES_DIR / "team_upgrade.toml")
    tier = current_tier(scenario, CATALOG)
    return at_credits(resolve(tier_scenario(scenario, tier, CATALOG), CATALOG), tier, credits)


def bench(path: str, cycles: int) -> Problem:
    return resolve(load_scenario(BENCH / path).model_copy(update={"cycles": cycles}))


def counts(model: Model, problem: Problem) -> Counts:
    return Counts(day_sends(model, problem), cycle_ends(problem))


CASES: dict[str, Callable[[], Problem]] = {
    # 23.38 credit-paid sends in the first month of its LP, at most 23 in any schedule
    "team_upgrade at 22 credits": lambda: team_upgrade_at(22),
    "team_upgrade at 18 credits": lambda: team_upgrade_at(18),
    # caps from 15 to 150 and credit-back relied on in full
    "a tier change every cycle, 2 cycles": lambda: bench("hard/tier_change_every_cycle.toml", 2),
    "five buckets, 1 cycle": lambda: bench("five_buckets.toml", 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_branching_on_the_send_counts_never_cuts_off_the_optimum(name: str) -> None:
    problem = CASES[name]()
    optimum, _ = exact_optimum(problem)
    model = build_model(problem)
    session = backends.Session(model.prob)
    lp = session.run(60.0)
    assert lp.objective is not None
    # no incumbent and a zero gap: it branches until the largest node's counts are all whole
    bound = _branch_counts(session, Deadline(60.0), counts(model, problem), lp.objective, None, Target(0.0))
    assert optimum - 1e-6 <= bound <= lp.objective + 1e-9
    # the rows it leaves behind (each count's range over the open nodes) keep the optimum too
    session.make_integer()
    session.set_option("mip_rel_gap", 0.0)
    mip = session.run(120.0)
    assert mip.status is backends.RunStatus.OPTIMAL and mip.objective == pytest.approx(optimum, abs=1e-6)


def test_branching_tightens_the_bound_where_the_lp_spends_a_fraction_of_a_send() -> None:
    problem = team_upgrade_at(22)
    optimum, _ = exact_optimum(problem)
    model = build_model(problem)
    session = backends.Session(model.prob)
    lp = session.run(60.0)
    assert lp.objective is not None and lp.objective > optimum * 1.002  # the LP alone cannot prove 0.2 %
    bound = _branch_counts(session, Deadline(60.0), counts(model, problem), lp.objective, None, Target(0.0))
    assert bound <= optimum * 1.0005


def test_twelve_alternating_cycles_are_accepted_within_half_a_percent_before_the_full_mip() -> None:
    path = BENCH / "hard" / "alternating_tiers.toml"
    problem = resolve(load_scenario(path))
    deadline = Deadline(60.0)
    plan = make_plan(problem, deadline=deadline)
    stages = [stage for stage, _ in deadline.stages]
    assert plan.status is PlanStatus.OPTIMAL and plan.gap is not None and plan.totals is not None
    # proven within MODEL.md's 0.5 % (the reported bound includes the expiry allowance), not within the 0.2 % aimed for
    assert 0.002 < plan.gap <= ACCEPT_GAP
    assert f"proven within {plan.gap:.2%}" in plan.message
    assert "send count branching" in stages and "full MIP" not in stages and "widened boxed MIP" not in stages
    # feasible by the oracle's own ledger and rules (it shares no code with the planner's)
    raw = tomllib.loads(path.read_text())
    spec = oracle.Spec.from_dict(raw)
    x = oracle.sends_by_name(spec, [b.name for b in problem.buckets], plan.sends)
    assert oracle.violations(spec, x) == []
    assert oracle.objective(spec, x).objective == pytest.approx(plan.totals.objective)


def test_without_acceptance_only_the_gap_asked_for_ends_the_search() -> None:
    problem = resolve(load_scenario(BENCH / "hard" / "alternating_tiers.toml").model_copy(update={"cycles": 6}))
    accepted = make_plan(problem, time_limit=60.0)
    assert accepted.status is PlanStatus.OPTIMAL and accepted.gap is not None
    assert 0.002 < accepted.gap <= ACCEPT_GAP  # accepted, not proven within the 0.2 % aimed for (0.37 % here)
    deadline = Deadline(3.0)
    strict = make_plan(problem, deadline=deadline, accept=None)
    assert "full MIP" in [stage for stage, _ in deadline.stages]
    assert strict.gap is not None and strict.is_ok
    # optimal only if proven within the 0.2 % asked for (up to the expiry allowance), else the time limit's best
    assert (strict.status is PlanStatus.OPTIMAL) == (strict.gap <= 0.002 + 1e-4)

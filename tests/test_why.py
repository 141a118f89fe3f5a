"""Tests of planner.why: every reason given is true of the plan, and one more credit's value matches a re-solve.

Real solves throughout. A reason is checked against the schedule and the real
ledger, independently of how :mod:`planner.why` found it: a pool said to be
used up is used up in every cycle it is named for; a bucket said to be worth
less per credit loses value when one send of a bucket named as worth more
moves to it (re-scored, or refused by the checker); a credit value is the
difference a cold re-solve with that grant one larger finds, within the two
plans' proven gaps.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from outreach import initial_and_follow_up

from planner.check import score, violations
from planner.paths import EXAMPLES_DIR
from planner.plan import Plan
from planner.scenario import Scenario, load_scenario, parse_scenario
from planner.solve import make_plan
from planner.why import Limit, Why, credit_value, explain, follow_up_room, with_grant

BENCH = Path(__file__).resolve().parent.parent / "bench" / "five_buckets.toml"


def _scenario(cycles: int = 1, **extra: object) -> Scenario:
    """Two goals, a pool, a follow-up and a low-value bucket that gets what is left."""
    data: dict[str, object] = {
        "start": date(2026, 3, 2),
        "cycles": cycles,
        "tier": "Sales Navigator Core",
        "goals": {"sales": 0.8, "networking": 0.2},
        "buckets": [
            *initial_and_follow_up(20),
            {"name": "Peers", "goal": "networking", "priority": "low", "response_rate": 0.12, "pool": 30},
            {"name": "Cold list", "goal": "sales", "priority": "low", "response_rate": 0.05, "min": 3},
        ],
        **extra,
    }
    return parse_scenario(data)


PLANS = {
    "sales_rep": lambda: make_plan(load_scenario(EXAMPLES_DIR / "sales_rep.toml")),
    "team_upgrade": lambda: make_plan(load_scenario(EXAMPLES_DIR / "team_upgrade.toml")),
    "two_goals": lambda: make_plan(_scenario()),
    "two_goals_capped": lambda: make_plan(_scenario(cycles=2, daily_cap=3)),
    "two_goals_paced": lambda: make_plan(_scenario(speed_guard={"base": 1, "growth": 0.5}, replies_per_day=0.3)),
}


@pytest.fixture(scope="module", params=sorted(PLANS))
def planned(request: pytest.FixtureRequest) -> tuple[Plan, Why]:
    plan = PLANS[request.param]()
    assert plan.is_ok
    return plan, explain(plan)


def _index(plan: Plan, name: str) -> int:
    return next(b.index for b in plan.problem.buckets if b.name == name)


def test_every_bucket_has_a_reason(planned: tuple[Plan, Why]) -> None:
    plan, why = planned
    assert [b.bucket for b in why.buckets] == [b.name for b in plan.problem.buckets]
    for b in why.buckets:
        assert b.reason and len(b.cycles) == plan.problem.calendar.cycles
        assert b.sends == int(plan.sends[_index(plan, b.bucket)].sum())


def test_a_pool_said_used_up_is_used_up(planned: tuple[Plan, Why]) -> None:
    plan, why = planned
    problem = plan.problem
    for b in why.buckets:
        bucket = problem.buckets[_index(plan, b.bucket)]
        for c in b.cycles:
            if c.limit is Limit.POOL:
                days = problem.days_of(c.cycle)
                assert bucket.pool is not None
                assert plan.sends[bucket.index, days.start : days.stop].sum() == problem.pool_of(bucket, c.cycle)


def test_worth_less_means_moving_a_send_to_it_is_worse(planned: tuple[Plan, Why]) -> None:
    """Every bucket named as worth more (or as needed by its goal share): one of its sends moved to this bucket, on
    any day it sends, makes the plan worse (a lower objective, or a rule broken)."""
    plan, why = planned
    problem = plan.problem
    base = score(problem, plan.sends).objective
    checked = 0
    for b in why.buckets:
        to = _index(plan, b.bucket)
        for c in b.cycles:
            if c.limit not in (Limit.WORTH_LESS, Limit.MINIMUM, Limit.GOAL_SHARE):
                continue
            assert c.others or c.share_of
            days = problem.days_of(c.cycle)
            for name in c.others + c.share_of:
                donor = _index(plan, name)
                for t in [d for d in days if plan.sends[donor, d] > 0]:
                    moved = plan.sends.copy()
                    moved[donor, t] -= 1
                    moved[to, t] += 1
                    worse = bool(violations(problem, moved)) or score(problem, moved).objective < base - 1e-9
                    assert worse, (b.bucket, name, t)
                    checked += 1
    if any(c.limit is Limit.WORTH_LESS for b in why.buckets for c in b.cycles):
        assert checked > 0


def test_the_sales_example_reads_as_its_optimum() -> None:
    """MODEL.md's worked example: the pools of initial and expansion are full; the follow-up gets the rest."""
    plan = PLANS["sales_rep"]()
    reasons = explain(plan).reasons()
    assert reasons["Initial prospecting"] == "pool of 25 used up"
    assert reasons["Account expansion"] == "pool of 10 used up"
    assert reasons["Follow-up"] == "every credit is worth more on Initial prospecting and Account expansion"


def test_a_follow_up_said_held_by_eligibility_has_no_recipient_left() -> None:
    """Plenty of credits and no pool: the follow-up reaches every non-responder the parent's sends made eligible."""
    plan = make_plan(_scenario(tier="Recruiter (Corporate)"))
    why = {b.bucket: b for b in explain(plan).buckets}
    follow = why["Follow-up"]
    assert follow.limits == {Limit.FOLLOW_UP}
    problem = plan.problem
    f = problem.buckets[_index(plan, "Follow-up")]
    assert f.parent is not None
    parent_sent = plan.sends[f.parent].sum()
    # another follow-up on any day would exceed alpha times the parent's sends
    assert plan.sends[f.index].sum() + 1 > f.alpha * parent_sent
    for t in range(problem.n_days):
        if problem.can_send(t):
            more = plan.sends.copy()
            more[f.index, t] += 1
            assert violations(problem, more)


def test_a_minimum_said_holding_is_met_exactly() -> None:
    plan = PLANS["two_goals"]()
    why = {b.bucket: b for b in explain(plan).buckets}
    cold = why["Cold list"]
    assert cold.limits == {Limit.MINIMUM}
    assert cold.sends == 3
    assert "minimum of 3" in cold.reason


def test_the_daily_cap_said_full_is_full() -> None:
    plan = make_plan(_scenario(daily_cap=1, tier="Recruiter (Corporate)"))
    problem = plan.problem
    for b in explain(plan).buckets:
        for c in b.cycles:
            if c.limit is Limit.DAILY_CAP:
                days = [t for t in problem.days_of(c.cycle) if problem.can_send(t)]
                assert all(plan.sends[:, t].sum() == 1 for t in days)
    assert any(c.limit is Limit.DAILY_CAP for b in explain(plan).buckets for c in b.cycles)


@pytest.mark.parametrize(
    ("pace", "limit", "said", "broken"),
    [
        ({"speed_guard": {"base": 1, "growth": 0.5}}, Limit.SPEED_GUARD, "speed guard", "speed guard"),
        ({"replies_per_day": 0.2}, Limit.REPLY_CAPACITY, "reply capacity", "replies_per_day"),
    ],
)
def test_a_pace_said_full_leaves_no_room_for_one_more_send(pace: dict[str, Any], limit: Limit, said: str, broken: str) -> None:
    """A bucket held by the speed guard or the reply capacity: one more of its sends on any day it could send
    (a send day on which its follow-up eligibility has room) breaks that limit."""
    plan = make_plan(_scenario(**pace))
    problem = plan.problem
    held = [(b, c) for b in explain(plan).buckets for c in b.cycles if c.limit is limit]
    assert held, [(b.bucket, b.reason) for b in explain(plan).buckets]
    for b, c in held:
        assert said in b.reason
        bucket = problem.buckets[_index(plan, b.bucket)]
        days = [d for d in problem.days_of(c.cycle) if problem.can_send(d)]
        for t in [d for d in days if follow_up_room(problem, plan.sends, bucket, d) >= 1]:
            more = plan.sends.copy()
            more[bucket.index, t] += 1
            assert any(broken in v for v in violations(problem, more)), (b.bucket, t)


def test_credits_said_none_left_cannot_pay_one_more_send() -> None:
    """The Free tier grants nothing: a credit-paid bucket is held by the credits, and one more send breaks the ledger."""
    plan = make_plan(
        _scenario(
            tier="Free (Basic)",
            goals={"sales": 1.0},
            buckets=[
                {"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.2},
            ],
        )
    )
    why = explain(plan)
    assert why.buckets[0].limits == {Limit.CREDITS}
    more = plan.sends.copy()
    more[0, 0] += 1
    assert violations(plan.problem, more)


@pytest.mark.parametrize("name", ["sales_rep", "two_goals", "team_upgrade"])
def test_credit_value_matches_a_cold_re_solve_within_the_gaps(name: str) -> None:
    plan = PLANS[name]()
    assert plan.totals is not None and plan.gap is not None
    for k in plan.problem.cycles_ahead():
        mine = credit_value(plan, k)
        again = make_plan(with_grant(plan.problem, k))
        assert again.totals is not None and again.gap is not None and mine.gap is not None
        theirs = again.totals.weighted_value - plan.totals.weighted_value
        # both re-solves are within their proven gaps of the same optimum
        tolerance = (mine.gap + again.gap) * again.totals.weighted_value + 1e-6
        assert abs(mine.value - theirs) <= tolerance, (k, mine, theirs, tolerance)
        assert mine.value >= -1e-9  # the plan itself stays feasible with one more credit


def test_credit_value_of_a_credit_that_buys_a_send() -> None:
    """Sales example: one more credit pays one more follow-up (w 2, r 0.1) at its best day's value."""
    plan = PLANS["sales_rep"]()
    value = credit_value(plan, 0)
    assert value.responses == pytest.approx(0.1)
    assert 0.19 < value.value <= 0.2


def test_credit_value_is_zero_when_every_pool_is_full() -> None:
    plan = make_plan(load_scenario(EXAMPLES_DIR / "recruiter.toml"))
    assert all(b.limits <= {Limit.POOL, Limit.FOLLOW_UP} for b in explain(plan).buckets)
    assert credit_value(plan, 0).value == pytest.approx(0.0, abs=1e-9)


def test_why_of_a_plan_without_schedule_is_empty() -> None:
    plan = make_plan(_scenario(buckets=[{"name": "A", "goal": "sales", "response_rate": 0.2, "min": 500}], goals={"sales": 1.0}))
    assert not plan.is_ok
    assert explain(plan).buckets == ()


def test_summary_keys() -> None:
    from planner.why import why

    plan = PLANS["two_goals_capped"]()
    data = why(plan).summary()
    assert set(data) == {"why", "credit_value", "credit_weighted_value"}
    assert set(data["why"]) == {b.name for b in plan.problem.buckets}
    assert set(data["credit_value"]) == {"1", "2"}
    assert all(np.isfinite(float(v)) for v in data["credit_value"].values())

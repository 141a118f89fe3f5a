"""One tiny scenario per constraint family, each with an optimum known by hand.

Every plan here also passes through the ledger simulator and the constraint
checker (``planner.check.violations``), which are separate from the optimiser.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pulp
import pytest
from conftest import bucket, make, tier

from planner.check import violations
from planner.plan import Plan, PlanStatus
from planner.solve import make_plan


def solve(**fields: object) -> Plan:
    plan = make_plan(make(**fields), time_limit=30)
    assert plan.is_ok, (plan.status, plan.message, plan.diagnosis)
    assert violations(plan.problem, plan.sends) == []
    return plan


def sends_of(plan: Plan, name: str) -> int:
    return int(plan.allocation.set_index("bucket").loc[name, "sends"])


def days_used(plan: Plan, name: str | None = None) -> list[date]:
    rows = plan.schedule if name is None else plan.schedule[plan.schedule["bucket"] == name]
    return sorted(set(rows["date"]))


def test_credits_are_all_spent_on_the_first_day() -> None:
    plan = solve()
    assert plan.totals is not None
    assert plan.totals.credits_spent == 10
    assert days_used(plan) == [date(2026, 2, 2)]  # the time discount favours day 0
    assert plan.totals.expired_unused == 0


def test_pool_caps_sends_per_cycle_and_the_rest_expires() -> None:
    plan = solve(buckets=[bucket(pool=4)])
    assert plan.totals is not None
    assert plan.totals.sends == 4
    assert plan.totals.expired_unused == pytest.approx(6)


def test_pool_and_minimum_apply_to_each_cycle() -> None:
    buckets = [bucket("A"), bucket("B", priority="low", response_rate=0.05, min=2), bucket("C", response_rate=0.5, pool=3)]
    plan = solve(cycles=2, buckets=buckets)
    by_cycle = plan.schedule.groupby(["cycle", "bucket"])["sends"].sum().to_dict()
    assert by_cycle == {(k, name): n for k in (1, 2) for name, n in (("A", 5), ("B", 2), ("C", 3))}


def test_minimum_forces_a_low_value_bucket() -> None:
    plan = solve(buckets=[bucket("A"), bucket("B", priority="low", response_rate=0.05, min=3)])
    assert (sends_of(plan, "A"), sends_of(plan, "B")) == (7, 3)


@pytest.mark.parametrize(("who", "eligible"), [("non_responders", 8), ("responders", 2)])
def test_follow_up_is_limited_to_eligible_recipients_after_the_gap(who: str, eligible: int) -> None:
    plan = solve(
        tier=tier(20),
        buckets=[
            bucket("Parent", pool=10),
            bucket("Child", response_rate=0.5, follows="Parent", follows_who=who, gap_days=3),
        ],
    )
    assert sends_of(plan, "Parent") == 10
    assert sends_of(plan, "Child") == eligible  # alpha = 0.8 or 0.2 of 10 parent sends
    first_child = days_used(plan, "Child")[0]
    assert (first_child - days_used(plan, "Parent")[0]).days >= 3


def test_daily_cap_spreads_sends_over_the_earliest_send_days() -> None:
    plan = solve(daily_cap=2)
    per_day = plan.schedule.groupby("date")["sends"].sum()
    assert per_day.max() == 2
    assert list(per_day.index) == [date(2026, 2, d) for d in (2, 3, 4, 5, 6)]


def test_days_off_and_send_days_are_respected() -> None:
    plan = solve(daily_cap=5, days_off=[date(2026, 2, 2)], send_days=["Tue", "Thu"])
    assert days_used(plan) == [date(2026, 2, 3), date(2026, 2, 5)]


def test_reserve_is_kept_until_the_release_days() -> None:
    # the cycle's last three days are Fri 27 Feb, Sat 28 Feb, Sun 1 Mar; only Friday sends
    plan = solve(reserve=5, reserve_release_days=3)
    per_day = plan.schedule.groupby("date")["sends"].sum().to_dict()
    assert per_day == {date(2026, 2, 2): 5, date(2026, 2, 27): 5}


def test_reserve_never_exceeds_the_cycles_credits() -> None:
    plan = solve(reserve=50)  # min(reserve, 10 credits): everything waits for the release days
    assert days_used(plan) == [date(2026, 2, 27)]


def test_goal_mix_targets_and_shortfall_flow_to_other_goals() -> None:
    buckets = [bucket("S", response_rate=0.3), bucket("N", goal="networking", priority="low", response_rate=0.05)]
    plan = solve(goals={"sales": 0.5, "networking": 0.5}, buckets=buckets)
    assert (sends_of(plan, "S"), sends_of(plan, "N")) == (5, 5)
    buckets[1]["pool"] = 2
    plan = solve(goals={"sales": 0.5, "networking": 0.5}, buckets=buckets)
    assert (sends_of(plan, "S"), sends_of(plan, "N")) == (8, 2)
    assert plan.totals is not None and plan.totals.goal_shortfall == 3


def test_free_bucket_uses_no_credit_and_does_not_count_for_the_goal_mix() -> None:
    plan = solve(buckets=[bucket("A", pool=4), bucket("Open", free=True, pool=6)])
    assert plan.totals is not None
    assert (plan.totals.sends, plan.totals.free_sends, plan.totals.credits_spent) == (10, 6, 4)


def test_weekday_factor_moves_sends_to_the_better_day() -> None:
    plan = solve(tier=tier(1), weekday_factor={"Mon": 0.5})
    assert days_used(plan) == [date(2026, 2, 3)]  # Tuesday: 1.0 * (1 - 0.001) beats 0.5


def test_cycle_policy_credits_expire_at_the_cycle_end() -> None:
    plan = solve(cycles=2, buckets=[bucket(pool=4)])
    expired = plan.ledger.groupby("cycle")["expired"].sum().to_dict()
    assert expired == {1: 6, 2: 6}


def test_rollover_credits_carry_over_and_the_cap_forfeits_exactly_the_excess() -> None:
    rollover = tier(10, policy="rollover", max_age_days=90, balance_cap=12)
    plan = solve(cycles=2, tier=rollover, buckets=[bucket(pool=3)])
    # cycle 1: 10 granted, 3 spent; cycle 2 opens with 7: 7 + 10 - 12 = 5 forfeited
    assert plan.totals is not None
    assert plan.totals.forfeited_over_cap == pytest.approx(5)
    assert plan.totals.credits_spent == 6


def test_rollover_lets_a_later_cycle_spend_earlier_credits() -> None:
    rollover = tier(10, policy="rollover", max_age_days=90)
    plan = solve(cycles=2, tier=rollover, buckets=[bucket(min=0)], daily_cap=1, send_days=["Mon"])
    # four Mondays in cycle 1 and five in cycle 2, one send a day: 9 sends from 20 credits
    assert plan.totals is not None
    assert plan.totals.credits_spent == 9
    assert plan.totals.credits_left_at_end == pytest.approx(11)


def test_credit_back_funds_more_sends() -> None:
    plan = solve(tier=tier(4, credit_back=True), refund_reliance=1.0, buckets=[bucket(response_rate=0.5)])
    # 4 sends on day 0 return 2 on day 7, which return 1 on day 14, which returns 0.5: 7 sends
    assert plan.totals is not None
    assert plan.totals.sends == 7
    assert plan.totals.expected_credit_backs == pytest.approx(3.5)


def test_upgrade_takes_effect_at_the_next_cycle_with_its_bonus() -> None:
    plan = solve(cycles=2, tier=None, tiers=[tier(5), tier(10)], bonus_credits=[2, 0])
    per_cycle = plan.schedule.groupby("cycle")["sends"].sum().to_dict()
    assert per_cycle == {1: 7, 2: 10}
    assert list(plan.ledger.groupby("cycle")["tier"].first()) == ["Test 5", "Test 10"]


def test_no_plan_is_explained_with_the_numbers() -> None:
    plan = make_plan(make(daily_cap=1, send_days=["Mon"], buckets=[bucket(min=6)]))
    assert plan.status is PlanStatus.INFEASIBLE
    assert not plan.is_ok and plan.totals is None
    text = " ".join(plan.diagnosis)
    assert "minimums need 6 sends but 4 send days x 1/day allow 4" in text


def test_too_few_credits_for_the_minimums_is_explained() -> None:
    plan = make_plan(make(buckets=[bucket(min=12)]))
    assert plan.status is PlanStatus.INFEASIBLE
    assert any("minimums need 12 credit-paid sends" in r and "10 credits granted" in r for r in plan.diagnosis)


def test_plan_sends_are_whole_numbers_matching_the_schedule() -> None:
    plan = solve(daily_cap=3)
    assert plan.sends.dtype.kind == "i"
    assert int(plan.schedule["sends"].sum()) == int(np.sum(plan.sends))


def test_gap_and_bound_are_reported() -> None:
    plan = solve()
    assert plan.gap is not None and 0 <= plan.gap <= 0.005
    assert plan.totals is not None and plan.bound is not None
    assert plan.bound >= plan.totals.objective - 1e-9


def test_cbc_fallback_finds_the_same_optimum() -> None:
    scenario = make(buckets=[bucket("A", pool=4), bucket("B", response_rate=0.1)], daily_cap=3)
    highs, cbc = make_plan(scenario), make_plan(scenario, solver="cbc")
    assert cbc.solver == "CBC" and cbc.is_ok
    assert highs.totals is not None and cbc.totals is not None
    assert cbc.totals.objective == pytest.approx(highs.totals.objective, rel=0.005)


def test_downgrade_to_a_shorter_lived_tier_pays_the_credits_that_expire_first() -> None:
    # cycle 1 credits roll over 90 days; cycle 2's lapse at its end, so they are spent first
    rollover = tier(10, policy="rollover", max_age_days=90)
    plan = solve(cycles=2, tier=None, tiers=[rollover, tier(10)], buckets=[bucket(pool=12)], daily_cap=3)
    per_cycle = plan.schedule.groupby("cycle")["sends"].sum().to_dict()
    assert per_cycle == {1: 10, 2: 10}
    ledger = plan.ledger.set_index("date")
    assert ledger["expired"].sum() == 0  # nothing of cycle 2's grant lapses
    assert plan.totals is not None and plan.totals.credits_left_at_end == pytest.approx(0)


def test_exact_expiry_model_agrees_with_the_relaxed_one() -> None:
    from planner.model import build_model
    from planner.problem import resolve

    capped = tier(10, policy="rollover", max_age_days=45, balance_cap=15, credit_back=True)
    problem = resolve(make(cycles=3, tier=capped, refund_reliance=0.5, buckets=[bucket(pool=6)], reserve=2))
    values = []
    for exact in (False, True):
        model = build_model(problem, exact_expiry=exact)
        model.prob.solve(pulp.HiGHS(msg=False, gapRel=1e-6))
        values.append(pulp.value(model.prob.objective))
    assert values[1] == pytest.approx(values[0], rel=1e-6)


def test_time_limit_before_any_plan_is_a_clear_result() -> None:
    from planner.paths import EXAMPLES_DIR
    from planner.scenario import load_scenario
    from planner.solver import Deadline

    scenario = load_scenario(EXAMPLES_DIR.parent.parent / "bench" / "five_buckets.toml")
    # a deadline whose clock says it is already spent: no stage gets any time, whatever the machine's speed
    spent = Deadline(1.0, clock=iter([0.0] + [10.0] * 1000).__next__)
    plan = make_plan(scenario, deadline=spent)
    assert plan.status is PlanStatus.TIME_LIMIT
    assert not plan.is_ok and plan.totals is None
    assert "time limit (1 s)" in plan.message and "before any plan was found" in plan.message


def test_reserve_that_cannot_be_kept_is_explained() -> None:
    plan = make_plan(make(reserve=8, reserve_release_days=0, buckets=[bucket(min=5)]))
    assert plan.status is PlanStatus.INFEASIBLE
    text = " ".join(plan.diagnosis)
    assert "minimums need 5 credit-paid sends and the reserve keeps 8" in text


def test_a_free_bucket_needs_a_pool_or_a_daily_cap() -> None:
    from planner.scenario import ScenarioError

    with pytest.raises(ScenarioError, match='buckets\\[0\\].pool: "Open" is free and has no pool'):
        make(buckets=[bucket("Open", free=True)])
    assert make(daily_cap=3, buckets=[bucket("Open", free=True)]).daily_cap == 3


def test_credits_held_over_a_lower_cap_are_forfeited_beyond_the_grant() -> None:
    # cycle 1 leaves 10 credits held (pool 0 after the reserve); cycle 2's cap of 4 and grant of 2:
    # max(0, 10 + 2 - 4) = 8 forfeited, 2 from the grant and 6 from the credits held
    big = tier(10, policy="rollover", max_age_days=90)
    small = tier(2, policy="rollover", max_age_days=90, balance_cap=4)
    plan = solve(
        cycles=2,
        tier=None,
        tiers=[big, small],
        buckets=[bucket(min=0)],
        send_days=["Sat"],
        days_off=[date(2026, 2, d) for d in (7, 14, 21, 28)],
    )
    assert plan.totals is not None
    assert plan.totals.forfeited_over_cap == pytest.approx(8)
    assert plan.totals.credits_spent == 4  # what is left after the forfeiture


def test_a_plan_never_refuses_a_grant_to_make_room_under_a_cap() -> None:
    # 8 February credits, pool 5: 3 are held on 1 March, when a cap of 5 forfeits 3 of the
    # 5 granted; the 3 held lapse on 13 March, so March can send only 2
    scenario = {
        "start": date(2026, 2, 1),
        "cycles": 2,
        "bonus_credits": [3, 0],
        "send_days": ["Mon"],
        "days_off": [date(2026, 2, d) for d in (2, 9, 16)] + [date(2026, 3, d) for d in (2, 9)],
        "tier": None,
        "tiers": [tier(5, policy="rollover", max_age_days=41), tier(5, policy="rollover", max_age_days=41, balance_cap=5)],
        "buckets": [bucket(pool=5, priority="medium")],
    }
    plan = solve(**scenario)
    assert plan.schedule.groupby("cycle")["sends"].sum().to_dict() == {1: 5, 2: 2}


def test_a_replan_follow_up_reaches_the_logged_non_responders() -> None:
    from replans import replan_problem

    # today 4 March: 7 credits held, A's pool has 5 left, and the 3 pending A sends of 1-3 March are eligible for F;
    # F is worth more per send, so it takes all it may: F <= 3 + 0.8 * A and A + F <= 7 give A = 3, F = 4
    follow_up = {"name": "F", "goal": "sales", "weight": 10, "response_rate": 0.1, "follows": "A"}
    problem = replan_problem(date(2027, 3, 4), buckets=[bucket("A", pool=8), follow_up])
    plan = make_plan(problem)
    march = plan.schedule[plan.schedule["cycle"] == 1].groupby("bucket")["sends"].sum().to_dict()
    assert march == {"A": 3, "F": 4}
    assert violations(problem, plan.sends) == []

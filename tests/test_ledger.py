"""The ledger simulator: grants, the cap, credit-backs, oldest-first payment and expiry, from day 0 and from today."""

from __future__ import annotations

from datetime import date

import numpy as np
from conftest import bucket, make, tier
from replans import replan_problem

from planner.ledger import simulate
from planner.problem import Problem, resolve


def sends_of(problem: Problem, per_day: dict[int, int], b: int = 0) -> np.ndarray:
    """A schedule with ``per_day`` sends of bucket ``b``."""
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    for t, n in per_day.items():
        sends[b, t] = n
    return sends


def test_a_cycle_tier_expires_what_is_left_on_the_cycles_last_day() -> None:
    problem = resolve(make())
    ledger = simulate(problem, sends_of(problem, {0: 4}))
    table = ledger.table
    assert ledger.feasible
    assert table["granted"].iloc[0] == 10 and table["spent"].sum() == 4
    assert table["expired"].iloc[-1] == 6 and table["closing"].iloc[-1] == 0


def test_overspending_is_reported_with_its_day() -> None:
    problem = resolve(make())
    ledger = simulate(problem, sends_of(problem, {0: 6, 1: 5}))
    assert [v.kind for v in ledger.violations] == ["overspent"]
    assert ledger.violations[0].message == "2026-02-03: 5 credit-paid sends but only 4 credits held"


def test_the_cap_forfeits_the_part_of_a_grant_above_it() -> None:
    # rollover 60 days, cap 12: 10 granted in February, 2 spent; in March 8 held + 10 granted is 6 over the cap
    problem = resolve(make(cycles=2, tier=tier(10, policy="rollover", max_age_days=60, balance_cap=12)))
    table = simulate(problem, sends_of(problem, {0: 2})).table
    march = problem.calendar.cycle_starts[1]
    assert table["forfeited"].iloc[march] == 8 + 10 - 12
    assert table["closing"].iloc[march] == 12


def test_credit_backs_arrive_lag_days_later_times_the_reliance() -> None:
    problem = resolve(make(tier=tier(10, credit_back=True), refund_reliance=0.5, refund_lag_days=3, buckets=[bucket()]))
    table = simulate(problem, sends_of(problem, {0: 10})).table
    assert table["credited_back"].iloc[3] == 10 * 0.2 * 0.5
    assert table["credited_back"].sum() == 1.0


def test_a_replan_ledger_starts_today_with_the_credits_held() -> None:
    problem = replan_problem(date(2027, 3, 4))  # 3 of March's 10 credits spent by the log
    ledger = simulate(problem, sends_of(problem, {problem.first_day: 7}))
    table = ledger.table
    assert ledger.feasible
    assert len(table) == len(problem.days) and table["date"].iloc[0] == date(2027, 3, 4)
    assert table["opening"].iloc[0] == 7 and table["granted"].iloc[0] == 0
    assert table["granted"].sum() == 10  # April's grant only


def test_a_replan_cannot_spend_more_than_is_held_today() -> None:
    problem = replan_problem(date(2027, 3, 4))
    ledger = simulate(problem, sends_of(problem, {problem.first_day: 8}))
    assert [v.message for v in ledger.violations] == ["2027-03-04: 8 credit-paid sends but only 7 credits held"]

"""Actuals: the ledger a usage log made, the balance today, learned rates and the re-plan.

The numbers are worked out by hand from MODEL.md ("Actuals") in the comments.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from conftest import ACTUALS_SCENARIO

from planner.actuals import actual_ledger, learned_rates, replan, start_state
from planner.check import violations
from planner.problem import resolve
from planner.scenario import parse_scenario
from planner.usage import Outcome, UsageEntry

P, A, D, R = Outcome.PENDING, Outcome.ACCEPTED, Outcome.DECLINED, Outcome.REPLIED

SCENARIO = parse_scenario(ACTUALS_SCENARIO)  # 1 June 2026 is a Monday; cycle 1 is June, cycle 2 July


def entry(sent: int, bucket: str, outcome: Outcome, on: int | None = None) -> UsageEntry:
    return UsageEntry(date(2026, 6, sent), bucket, outcome, date(2026, 6, on) if on else None)


# ten days of sends, some replies, some declines, 4 June missed
LOG = [
    entry(1, "A", R, 3),
    entry(1, "A", P),
    entry(2, "A", D, 5),
    entry(2, "A", P),
    entry(3, "A", A, 4),
    entry(5, "F", P),
    entry(8, "A", P),
    entry(9, "A", R, 10),
    entry(10, "F", P),
]
TODAY = date(2026, 6, 11)


def test_actual_ledger_spends_logged_sends_and_returns_actual_credit_backs() -> None:
    problem = resolve(SCENARIO)
    actual = actual_ledger(problem, LOG, TODAY)
    table = actual.table.set_index("date")
    assert len(table) == 10  # 1 to 10 June
    assert table["spent"].sum() == 9
    # responses (reply, decline, accept, reply) return one credit each on their outcome day
    assert table["credited_back"].to_dict() == {date(2026, 6, d): (1.0 if d in (3, 4, 5, 10) else 0.0) for d in range(1, 11)}
    assert actual.credits_returned == 4
    assert table.loc[date(2026, 6, 10), "closing"] == 10 - 9 + 4
    assert actual.overspent_on is None


def test_balance_today_by_expiry_pays_the_oldest_credits_first() -> None:
    problem = resolve(SCENARIO)
    balance = actual_ledger(problem, LOG, TODAY).balance_today(problem)
    # 9 sends came out of the grant of 1 June (valid 90 days, through 29 Aug); each credit-back
    # is a lot of its own valid 90 days from its arrival
    assert balance.to_dict("records") == [
        {"expires_after": date(2026, 8, 29), "credits": 1.0},
        {"expires_after": date(2026, 8, 31), "credits": 1.0},
        {"expires_after": date(2026, 9, 1), "credits": 1.0},
        {"expires_after": date(2026, 9, 2), "credits": 1.0},
        {"expires_after": date(2026, 9, 7), "credits": 1.0},
    ]


def test_overspending_log_is_reported_with_its_first_day() -> None:
    problem = resolve(SCENARIO)
    log = [entry(2, "A", P)] * 11
    assert actual_ledger(problem, log, TODAY).overspent_on == date(2026, 6, 2)


def test_start_state_of_the_replan() -> None:
    problem = resolve(SCENARIO)
    state = start_state(problem, LOG, TODAY)
    cal = problem.calendar
    assert state.first_day == cal.index_of(TODAY)
    assert state.sent == {0: 7, 1: 2}
    # pending sends may still return 0.5 * r: A's on max(today, sent + 7), F's likewise
    due = {cal.date_of(t): round(v, 9) for t, v in state.credits_due.items()}
    assert due == {date(2026, 6, 11): 0.2, date(2026, 6, 12): 0.05, date(2026, 6, 15): 0.1, date(2026, 6, 17): 0.05}
    # pending A sends at least 3 days before: 1, 2 and 8 June, less the 2 follow-ups logged
    assert state.eligible[1][cal.index_of(TODAY)] == 1.0
    assert state.eligible[1][cal.index_of(date(2026, 6, 10))] == 0.0


def test_learned_rates_count_young_pending_sends_as_partial_trials() -> None:
    rates = learned_rates(resolve(SCENARIO), LOG, TODAY).set_index("bucket")
    # fewer than 20 responses: F(a) = 1 - exp(-a / 7) (refund_lag_days = 7). A: 4 responses, and
    # pending sends of 1, 2 and 8 June, 10, 9 and 3 days old on 11 June
    n_a = 4 + (1 - math.exp(-10 / 7)) + (1 - math.exp(-9 / 7)) + (1 - math.exp(-3 / 7))
    assert n_a == pytest.approx(5.832457, abs=1e-6)
    assert rates.loc["A", "observations"] == pytest.approx(n_a) and rates.loc["A", "responses"] == 4
    assert rates.loc["A", "observed_rate"] == pytest.approx(4 / n_a)
    assert rates.loc["A", "learned_rate"] == pytest.approx((0.2 * 20 + 4) / (20 + n_a))
    assert rates.loc["A", "learned_rate"] == pytest.approx(0.309688, abs=1e-6)
    # F: two pending sends, 6 and 1 days old, no response: the rate moves a little below 0.1
    n_f = (1 - math.exp(-6 / 7)) + (1 - math.exp(-1 / 7))
    assert rates.loc["F", "observations"] == pytest.approx(n_f)
    assert rates.loc["F", "learned_rate"] == pytest.approx(2 / (20 + n_f))
    later = learned_rates(resolve(SCENARIO), LOG, date(2026, 7, 20)).set_index("bucket")
    # by 20 July the pending sends are 30 days old or more: F = 1, each a whole "no"
    assert later.loc["A", "observations"] == 7
    assert later.loc["A", "learned_rate"] == pytest.approx((0.2 * 20 + 4) / 27)


def _binomial_tail(n: int, k: int, p: float) -> float:
    """P(Binomial(n, p) >= k): for whole a and b, the Beta(a, b) CDF at x is P(Bin(a + b - 1, x) >= a)."""
    return math.fsum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def test_learned_rates_report_the_posterior_5_and_95_percent_quantiles() -> None:
    later = learned_rates(resolve(SCENARIO), LOG, date(2026, 7, 20)).set_index("bucket")
    # A: Beta(0.2 * 20 + 4, 0.8 * 20 + 7 - 4) = Beta(8, 19), whose CDF is a binomial tail
    low, high = later.loc["A", "learned_p05"], later.loc["A", "learned_p95"]
    assert _binomial_tail(26, 8, low) == pytest.approx(0.05, abs=1e-9)
    assert _binomial_tail(26, 8, high) == pytest.approx(0.95, abs=1e-9)
    assert low < later.loc["A", "learned_rate"] < high
    # F: no log for it yet but its two pending sends are old: Beta(2, 20)
    assert _binomial_tail(21, 2, later.loc["F", "learned_p05"]) == pytest.approx(0.05, abs=1e-9)


def test_two_weeks_in_with_every_observed_send_a_response_the_rate_no_longer_runs_to_100_percent() -> None:
    # one A send a day from 1 to 14 June; the first three answered two days later, the rest still pending
    log = [entry(d, "A", R, d + 2) for d in (1, 2, 3)] + [entry(d, "A", P) for d in range(4, 15)]
    rates = learned_rates(resolve(SCENARIO), log, date(2026, 6, 15)).set_index("bucket")
    # the old rule: n = 3, k = 3, "observed rate 100 %"; now the 11 pending sends of 1 to 11 days count F(a)
    n = 3 + math.fsum(1 - math.exp(-a / 7) for a in range(1, 12))
    assert n == pytest.approx(8.840935, abs=1e-6)
    assert rates.loc["A", "observations"] == pytest.approx(n)
    assert rates.loc["A", "observed_rate"] == pytest.approx(0.339331, abs=1e-6)
    assert rates.loc["A", "learned_rate"] == pytest.approx(7 / (20 + n))
    assert rates.loc["A", "learned_p05"] < 0.2 < rates.loc["A", "learned_p95"] < 0.4
    result = replan(SCENARIO, log, date(2026, 6, 15), use_learned_rates=True, time_limit=30)
    assert {b.name: b.rate for b in result.plan.problem.buckets}["A"] == pytest.approx(0.242711, abs=1e-6)


def test_learned_rates_use_the_logs_own_delays_from_20_responses_on() -> None:
    # 20 responses, each two days after its send: F(a) = 0 for a < 2 and 1 from 2 days on
    log = [entry(d, "A", R, d + 2) for d in range(1, 11)] * 2 + [entry(13, "A", P), entry(14, "A", P), entry(10, "F", P)]
    rates = learned_rates(resolve(SCENARIO), log, date(2026, 6, 15)).set_index("bucket")
    # A's pending sends are 2 and 1 days old: 1 + 0; F's is 5 days old: 1
    assert rates.loc["A", "observations"] == 21 and rates.loc["A", "responses"] == 20
    assert rates.loc["F", "observations"] == 1 and rates.loc["F", "learned_rate"] == pytest.approx(2 / 21)


def test_learned_rates_refuse_a_prior_worth_nothing() -> None:
    with pytest.raises(ValueError, match="prior_weight = 0"):
        learned_rates(resolve(SCENARIO), LOG, TODAY, prior_weight=0)


def test_replan_from_today_respects_what_the_log_used() -> None:
    result = replan(SCENARIO, LOG, TODAY, time_limit=30)
    plan = result.plan
    assert plan.is_ok, plan.diagnosis
    assert violations(plan.problem, plan.sends) == []
    assert plan.schedule["date"].min() >= TODAY
    june = plan.schedule[plan.schedule["cycle"] == 1]
    assert june[june["bucket"] == "A"]["sends"].sum() <= 3  # pool 10 less the 7 logged
    assert plan.ledger["date"].iloc[0] == TODAY
    assert plan.ledger["opening"].iloc[0] == pytest.approx(5)


def test_replan_with_learned_rates_uses_them() -> None:
    result = replan(SCENARIO, LOG, TODAY, use_learned_rates=True, time_limit=30)
    rates = {b.name: b.rate for b in result.plan.problem.buckets}
    assert rates["A"] == pytest.approx(0.309688, abs=1e-6)  # as learned above, rounded to 6 places


def test_today_outside_the_horizon_is_refused() -> None:
    with pytest.raises(ValueError, match="today = 2027-01-01: outside the scenario's horizon"):
        replan(SCENARIO, LOG, date(2027, 1, 1))


def test_replan_on_the_first_day_equals_the_plan() -> None:
    from planner.solve import make_plan

    fresh = make_plan(SCENARIO)
    again = replan(SCENARIO, [], date(2026, 6, 1)).plan
    assert fresh.totals is not None and again.totals is not None
    assert again.totals.objective == pytest.approx(fresh.totals.objective, rel=0.005)


def test_start_state_with_no_log_is_neutral() -> None:
    problem = resolve(SCENARIO)
    state = start_state(problem, [], date(2026, 6, 1))
    assert replace(problem, start=state).first_day == 0
    assert state.lots == () and state.sent == {} and state.credits_due == {}


def test_replan_pays_the_credits_held_today_before_new_ones() -> None:
    # 5 credits held today expire by early September; with credit-backs of the new plan and
    # July's and August's grants under a cap of 30, the plan holds as the ledger keeps it
    result = replan(SCENARIO, LOG, TODAY, time_limit=30)
    problem = result.plan.problem
    from planner.model import build_model

    model = build_model(problem)
    assert not any(v.name.startswith("pay") for v in model.prob.variables())  # one balance, oldest first
    assert violations(problem, result.plan.sends) == []

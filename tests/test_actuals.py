"""Actuals: the ledger a usage log made, the balance today, learned rates and the re-plan.

The numbers are worked out by hand from MODEL.md ("Actuals") in the comments.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from conftest import ACTUALS_SCENARIO

from planner.actuals import actual_ledger, learned_rates, replan, start_state
from planner.check import violations
from planner.scenario import parse_scenario, resolve
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


def test_learned_rates_are_the_beta_binomial_posterior() -> None:
    rates = learned_rates(resolve(SCENARIO), LOG, TODAY).set_index("bucket")
    # A: 4 responses among 4 sends with an outcome (the 3 pending are under 30 days old)
    assert rates.loc["A", "observations"] == 4 and rates.loc["A", "responses"] == 4
    assert rates.loc["A", "learned_rate"] == pytest.approx((0.2 * 20 + 4) / 24)
    assert rates.loc["F", "learned_rate"] == pytest.approx(0.1)
    later = learned_rates(resolve(SCENARIO), LOG, date(2026, 7, 20)).set_index("bucket")
    # by 20 July the pending sends of 1, 2 and 8 June count as no response
    assert later.loc["A", "observations"] == 7
    assert later.loc["A", "learned_rate"] == pytest.approx((0.2 * 20 + 4) / 27)


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
    assert rates["A"] == pytest.approx(1 / 3, abs=1e-6)


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

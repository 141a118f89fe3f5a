"""Tests of the outcome simulation (planner.risk): real plans from the real solver, checked against the ledger.

The slow reference simulator at the end is written from MODEL.md alone ("Outcome
simulation"), one path at a time with Python's own random numbers; the
vectorised simulation must agree with it within Monte Carlo error.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.actuals import replan
from planner.catalog import load_catalog
from planner.ledger import Lot, run_ledger
from planner.paths import EXAMPLES_DIR
from planner.plan import Plan
from planner.problem import Problem
from planner.risk import (
    MAX_DELAY_DAYS,
    Beliefs,
    BetaRate,
    ExponentialDelay,
    FixedRate,
    NoSchedule,
    ObservedDelays,
    Simulation,
    beliefs_from_log,
    compare_with_risk,
    safe_reliance,
    simulate,
    simulate_sends,
)
from planner.scenario import Scenario, load_scenario, parse_scenario, scenario_from_toml
from planner.solve import make_plan
from planner.usage import Outcome, UsageEntry
from tests.conftest import ACTUALS_SCENARIO, INFEASIBLE_TOML, START

# one rolling 30-day cycle tier with a cap and credit-back, small enough that paths run dry
BACK_TIER: dict[str, Any] = {
    "name": "Back 12",
    "monthly_credits": 12,
    "policy": "rollover",
    "max_age_days": 30,
    "balance_cap": 20,
    "credit_back": True,
}


def scenario(**fields: Any) -> Scenario:
    data: dict[str, Any] = {
        "start": START,
        "cycles": 2,
        "tier": BACK_TIER,
        "refund_reliance": 0.8,
        "daily_cap": 3,
        "reserve": 2,
        "buckets": [
            {"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.3, "pool": 10},
            {
                "name": "F",
                "goal": "sales",
                "priority": "medium",
                "response_rate": 0.2,
                "follows": "A",
                "follows_who": "non_responders",
                "gap_days": 3,
            },
            {"name": "B", "goal": "sales", "priority": "low", "response_rate": 0.2, "pool": 8},
            {"name": "Open", "goal": "sales", "priority": "medium", "response_rate": 0.1, "pool": 3, "free": True},
        ],
    }
    data.update(fields)
    return parse_scenario(data)


def planned(s: Scenario) -> Plan:
    plan = make_plan(s)
    assert plan.is_ok, plan.message
    return plan


@pytest.fixture(scope="module")
def back_plan() -> Plan:
    return planned(scenario())


def replay(sim: Simulation, p: int) -> tuple[list[str], np.ndarray]:
    """Path p's realised spends and credit-backs run through planner.ledger: its overspent days and closing balances."""
    problem = sim.problem
    spend = np.zeros(problem.n_days)
    back = np.zeros(problem.n_days)
    spend[problem.first_day :] = sim.spent_by_day[:, p]
    back[problem.first_day :] = sim.credited_by_day[:, p]
    lots = [Lot(problem.first_day - 1, last, amount) for last, amount in problem.start.lots]
    result = run_ledger(problem, spend, back, first_day=problem.first_day, lots=lots)
    overspent = [v.message for v in result.violations if v.kind == "overspent"]
    return overspent, result.table["closing"].to_numpy()


# --- deterministic limits ----------------------------------------------------------------------------------------


def test_no_credit_back_gives_one_balance_on_every_path() -> None:
    # no follow-ups, so nothing random touches the credits: every path is the plan's own ledger
    s = scenario(
        tier={**BACK_TIER, "credit_back": False},
        refund_reliance=0.0,
        buckets=[
            {"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.3, "pool": 10},
            {"name": "Open", "goal": "sales", "priority": "medium", "response_rate": 0.1, "pool": 3, "free": True},
        ],
    )
    plan = planned(s)
    sim = simulate(plan, paths=300, seed=4)
    assert (sim.closing == sim.closing[:, :1]).all()
    np.testing.assert_array_equal(sim.closing[:, 0], plan.ledger["closing"].to_numpy())
    report = sim.report()
    assert report.p_run_dry == 0
    assert (report.fan["p10"] == report.fan["p90"]).all()
    assert sim.responses.std() > 0  # the responses still vary


def test_rate_zero_gives_the_ledger_without_credit_backs() -> None:
    # a plan that counts on no credit-back, and no response ever comes: exactly the plan's ledger
    plan = planned(scenario(refund_reliance=0.0))
    beliefs = Beliefs(rates=tuple(FixedRate(0.0) for _ in plan.problem.buckets), delay=ExponentialDelay(7))
    sim = simulate(plan, beliefs, paths=200, seed=1)
    for p in (0, 199):
        np.testing.assert_array_equal(sim.closing[:, p], plan.ledger["closing"].to_numpy())
    assert sim.responses.max() == 0 and sim.missed.max() == 0 and sim.without_recipients.max() == 0
    assert plan.totals is not None and bool((sim.spent == plan.totals.credits_spent).all())


def test_prior_of_rate_zero_is_a_rate_of_zero() -> None:
    assert (BetaRate.prior(0.0).draw(np.random.default_rng(0), 50) == 0).all()
    assert (BetaRate.prior(1.0).draw(np.random.default_rng(0), 50) == 1).all()


def test_rate_one_with_the_lag_as_delay_gives_the_ledger_of_full_reliance() -> None:
    # every send answers after exactly refund_lag_days: the real credit-backs are the expected ones at reliance 1
    s = scenario(
        refund_reliance=1.0,
        buckets=[
            {"name": "A", "goal": "sales", "priority": "high", "response_rate": 1.0, "pool": 15},
            {
                "name": "R",
                "goal": "sales",
                "priority": "medium",
                "response_rate": 1.0,
                "follows": "A",
                "follows_who": "responders",
                "gap_days": 4,
            },
        ],
    )
    plan = planned(s)
    assert plan.sends[1].sum() > 0  # the follow-up to responders is in the plan
    beliefs = Beliefs(rates=tuple(BetaRate.prior(1.0) for _ in plan.problem.buckets), delay=ObservedDelays((7,)))
    sim = simulate(plan, beliefs, paths=100, seed=2)
    ledger = plan.ledger
    for p in (0, 99):
        np.testing.assert_array_equal(sim.closing[:, p], ledger["closing"].to_numpy())
        np.testing.assert_array_equal(sim.credited_by_day[:, p], ledger["credited_back"].to_numpy())
    assert sim.missed.max() == 0 and sim.without_recipients.max() == 0
    assert (sim.responses == plan.sends.sum()).all()
    assert (sim.forfeited == ledger["forfeited"].sum()).all() and (sim.expired == ledger["expired"].sum()).all()


# --- randomness: seeds, common random numbers ---------------------------------------------------------------------


def test_same_seed_same_numbers_other_seed_other_numbers(back_plan: Plan) -> None:
    a = simulate(back_plan, paths=500, seed=11).report()
    b = simulate(back_plan, paths=500, seed=11).report()
    c = simulate(back_plan, paths=500, seed=12).report()
    assert a.summary() == b.summary()
    assert a.fan.equals(b.fan)
    assert a.summary() != c.summary()


def test_a_send_slot_sees_the_same_draws_in_every_schedule(back_plan: Plan) -> None:
    # one more free send on a day: every earlier slot answers as before, so responses never fall on any path
    problem = back_plan.problem
    free = next(b.index for b in problem.buckets if b.free)
    day = int(np.nonzero(back_plan.sends[free])[0][0])
    more = back_plan.sends.copy()
    more[free, day] += 1
    base = simulate_sends(problem, back_plan.sends, paths=400, seed=5)
    plus = simulate_sends(problem, more, paths=400, seed=5)
    extra = plus.responses - base.responses
    assert extra.min() >= 0 and 0 < extra.mean() < 1


def test_the_same_plan_under_two_names_compares_equal(back_plan: Plan) -> None:
    comparison = compare_with_risk([("Here", back_plan), ("There", back_plan)], current="Here", paths=300, seed=3)
    there = comparison.rows[1]
    assert there.p_more_than_current == 0
    assert there.extra_responses is not None and there.extra_responses.p10 == there.extra_responses.p90 == 0


def test_a_bigger_tier_almost_surely_gives_more_responses() -> None:
    catalog = load_catalog()
    s = load_scenario(EXAMPLES_DIR / "sales_rep.toml")
    plans = [(name, planned(s.with_tier(catalog[name]))) for name in ("Premium Business", "Sales Navigator Core")]
    comparison = compare_with_risk(plans, current="Premium Business", paths=1000, seed=1)
    table = comparison.table()
    core = table[table["tier"] == "Sales Navigator Core"].iloc[0]
    assert core["p_more_than_current"] > 0.9
    assert core["responses_p10"] <= core["responses_p50"] <= core["responses_p90"]
    (line,) = comparison.verdict()
    assert line.startswith("Sales Navigator Core almost surely gives more responses than Premium Business")


# --- reliance ----------------------------------------------------------------------------------------------------


def test_run_dry_rises_with_reliance() -> None:
    dry = []
    for reliance in (0.0, 0.3, 0.6, 1.0):
        sim = simulate(planned(scenario(refund_reliance=reliance)), paths=1500, seed=7)
        dry.append(sim.report().p_run_dry)
    assert dry[0] == 0
    assert all(a <= b for a, b in zip(dry, dry[1:], strict=False)), dry
    assert dry[-1] > 0.1, dry


def test_safe_reliance_is_the_last_safe_step() -> None:
    s = scenario()
    result = safe_reliance(s, risk=0.10, paths=800, seed=7)
    assert result.within_risk
    assert result.report.p_run_dry <= 0.10
    assert result.plan.problem.scenario.refund_reliance == result.reliance
    assert len(result.tried) < 21
    tried = dict(result.tried)
    if result.reliance < 1:
        assert tried[round(result.reliance + 0.05, 2)] > 0.10  # its neighbour above was simulated and is unsafe
    share = f"{100 * result.reliance:.0f} %" if 0 < result.reliance < 1 else "none" if result.reliance == 0 else "all"
    dry = f"{100 * result.report.p_run_dry:.0f} %"
    assert result.sentence == f"counting on {share} of the expected credit-backs keeps the chance of running dry at {dry}"


def test_safe_reliance_at_risk_zero() -> None:
    # a plan that counts on no credit-back never misses a send (the real ones only add credits): risk 0 is met
    result = safe_reliance(scenario(), risk=0.0, paths=300, seed=2)
    assert result.within_risk and result.report.p_run_dry == 0
    assert result.reliance < 1 and dict(result.tried)[round(result.reliance + 0.05, 2)] > 0


def test_safe_reliance_of_a_scenario_without_a_plan_says_why() -> None:
    with pytest.raises(NoSchedule) as caught:
        safe_reliance(scenario_from_toml(INFEASIBLE_TOML), paths=100)
    assert str(caught.value.plan.status) == "infeasible" and caught.value.plan.diagnosis


# --- the report ---------------------------------------------------------------------------------------------------


def test_report_numbers_hang_together(back_plan: Plan) -> None:
    report = simulate(back_plan, paths=2000, seed=9).report()
    fan = report.fan
    assert list(fan.columns) == ["date", "p10", "p50", "p90"]
    assert len(fan) == back_plan.problem.n_days
    assert (fan["p10"] <= fan["p50"]).all() and (fan["p50"] <= fan["p90"]).all()
    for spread in (report.responses, report.spent, report.expired, report.forfeited):
        assert spread.p10 <= spread.p50 <= spread.p90
    assert 0 < report.p_run_dry < 1  # reliance 0.8 on a small tier: some paths run dry
    assert report.dry_day_p10 is not None
    assert back_plan.totals is not None and report.spent.p90 <= back_plan.totals.credits_spent
    assert report.p_low_response_rate is None  # not a Recruiter tier
    summary = report.summary()
    assert summary["dry_day_p10"] == report.dry_day_p10.isoformat()
    assert summary["responses"] == report.responses.as_dict() and set(report.responses.as_dict()) == {"mean", "p10", "p50", "p90"}


def test_dry_day_is_where_ten_percent_have_run_dry(back_plan: Plan) -> None:
    sim = simulate(back_plan, paths=1000, seed=9)
    report = sim.report()
    assert report.dry_day_p10 is not None
    t = back_plan.problem.calendar.index_of(report.dry_day_p10)
    dry = sim.first_dry[sim.first_dry >= 0]
    assert (dry <= t).sum() >= 100 and (dry <= t - 1).sum() < 100


def test_recruiter_guard() -> None:
    s = parse_scenario(
        {
            "start": START,
            "tier": "Recruiter Lite",
            "buckets": [{"name": "Passive", "goal": "recruiting", "priority": "high", "response_rate": 0.2}],
            "bonus_credits": 200,
        }
    )
    plan = planned(s)
    lazy = Beliefs(rates=(FixedRate(0.05),), delay=ExponentialDelay(7))
    keen = Beliefs(rates=(FixedRate(0.5),), delay=ExponentialDelay(7))
    low = simulate(plan, lazy, paths=300, seed=1).report().p_low_response_rate
    high = simulate(plan, keen, paths=300, seed=1).report().p_low_response_rate
    assert low is not None and low > 0.95
    assert high is not None and high < 0.05
    small = planned(s.model_copy(update={"bonus_credits": 0}))  # 30 a month: never 100 in 14 days
    assert simulate(small, lazy, paths=100, seed=1).report().p_low_response_rate is None


def test_bad_input_is_refused(back_plan: Plan) -> None:
    with pytest.raises(ValueError, match="paths = 0"):
        simulate(back_plan, paths=0)
    with pytest.raises(ValueError, match="seed = -1"):
        simulate(back_plan, seed=-1)
    with pytest.raises(ValueError, match="rate = 1.5"):
        FixedRate(1.5)
    with pytest.raises(ValueError, match="risk = 2"):
        safe_reliance(scenario(), risk=2)


# --- property: no path spends credits it does not hold ------------------------------------------------------------

tiers = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["P", "Q"]),
        "monthly_credits": st.integers(0, 14),
        "credit_back": st.booleans(),
        "balance_cap": st.one_of(st.none(), st.integers(0, 25)),
    }
).flatmap(
    lambda t: st.one_of(
        st.just({**t, "policy": "cycle"}),
        st.integers(3, 60).map(lambda age: {**t, "policy": "rollover", "max_age_days": age}),
    )
)


@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=tiers,
    second=tiers,
    reliance=st.sampled_from([0.0, 0.5, 1.0]),
    rates=st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
    delays=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
)
def test_no_path_spends_credits_it_does_not_hold(
    first: dict[str, Any],
    second: dict[str, Any],
    reliance: float,
    rates: tuple[float, float, float],
    delays: list[int],
    seed: int,
) -> None:
    second = {**second, "name": second["name"] + "2"}
    s = scenario(
        tier=None,
        tiers=[first, second],
        refund_reliance=reliance,
        reserve=0,
        buckets=[
            {"name": "A", "goal": "sales", "priority": "high", "response_rate": round(rates[0], 3), "pool": 9},
            {
                "name": "F",
                "goal": "sales",
                "priority": "medium",
                "response_rate": round(rates[1], 3),
                "follows": "A",
                "gap_days": 2,
            },
            {"name": "B", "goal": "sales", "priority": "low", "response_rate": round(rates[2], 3)},
        ],
    )
    plan = make_plan(s)
    if not plan.is_ok:
        return
    for beliefs in (
        None,
        Beliefs(rates=tuple(BetaRate.prior(b.rate) for b in plan.problem.buckets), delay=ObservedDelays(tuple(delays))),
    ):
        sim = simulate(plan, beliefs, paths=40, seed=seed)
        assert sim.closing.min() >= 0
        assert plan.totals is not None and (sim.spent <= plan.totals.credits_spent).all()
        if beliefs is None:
            continue
        # delays of a day or more: every credit arrives before the sends of its day, as in planner.ledger
        for p in range(0, 40, 7):
            overspent, closing = replay(sim, p)
            assert overspent == []
            np.testing.assert_array_equal(closing, sim.closing[:, p])


# --- an independent reference: MODEL.md's outcome simulation, one path at a time -----------------------------------


def reference_paths(problem: Problem, sends: np.ndarray, paths: int, seed: int) -> dict[str, Any]:
    """MODEL.md "Outcome simulation" in plain loops: lots as [last day, amount], one send at a time."""
    rng = random.Random(seed)
    lag = problem.scenario.refund_lag_days
    buckets = problem.buckets
    order = sorted(range(len(buckets)), key=lambda i: (-buckets[i].weight * buckets[i].rate, i))
    starts = {t: k for k, t in enumerate(problem.calendar.cycle_starts)}
    out: dict[str, list[float]] = defaultdict(list)
    closings = []
    for _ in range(paths):
        rate = [r if r in (0.0, 1.0) else rng.betavariate(r * 20, (1 - r) * 20) for r in (x.rate for x in buckets)]
        lots: list[list[float]] = []  # [last valid day, credits]
        due: dict[int, int] = defaultdict(int)
        fit: dict[int, list[tuple[int, int]]] = defaultdict(list)  # follow-up -> (day, fitting parent send)
        reached: dict[int, int] = defaultdict(int)
        responses = missed = norecip = 0
        expired = forfeited = 0.0
        dry = False
        reserve_ok = True
        closing = []

        def take(amount: float, lots: list[list[float]] = lots) -> None:
            lots.sort(key=lambda lot: lot[0])
            for lot in lots:
                got = min(lot[1], amount)
                lot[1] -= got
                amount -= got

        for t in range(problem.n_days):
            k = problem.cycle_of(t)
            tier = problem.tiers[k]
            if t in starts:
                grant = problem.grants[k]
                held = sum(lot[1] for lot in lots)
                over = max(0.0, held + grant - tier.balance_cap) if tier.balance_cap is not None else 0.0
                take(max(0.0, over - grant))
                forfeited += over
                lots.append([problem.last_valid_day(t), grant - min(grant, over)])
            lots.append([problem.last_valid_day(t), due[t]])
            today = 0
            for b in order:
                for _ in range(int(sends[b, t])):
                    bucket = buckets[b]
                    if bucket.parent is not None:
                        ready = sum(n for d, n in fit[b] if d <= t - bucket.gap_days)
                        if ready - reached[b] <= 0:
                            norecip += 1
                            continue
                    if not bucket.free:
                        if sum(lot[1] for lot in lots) < 1:
                            missed += 1
                            dry = True
                            continue
                        take(1)
                    if bucket.parent is not None:
                        reached[b] += 1
                    answered = rng.random() < rate[b]
                    responses += int(answered)
                    for f in buckets:
                        if f.parent == b:
                            fit[f.index].append((t, int(answered == f.follows_responders)))
                    if answered and not bucket.free and tier.credit_back:
                        delay = min(math.floor(rng.expovariate(1 / lag)), MAX_DELAY_DAYS)
                        if delay == 0:
                            today += 1  # it answers after its own send
                        else:
                            due[t + delay] += 1
            lots.append([problem.last_valid_day(t), today])
            held = sum(lot[1] for lot in lots)
            if problem.reserve_applies(t) and held < problem.reserve_floor(k):
                reserve_ok = False
            expired += sum(lot[1] for lot in lots if lot[0] <= t)
            lots[:] = [lot for lot in lots if lot[0] > t]
            closing.append(sum(lot[1] for lot in lots))
        for name, value in (
            ("responses", responses),
            ("expired", expired),
            ("forfeited", forfeited),
            ("missed", missed),
            ("norecip", norecip),
            ("dry", dry),
            ("reserve", reserve_ok),
        ):
            out[name].append(float(value))
        closings.append(closing)
    return {**{k: np.array(v) for k, v in out.items()}, "closing": np.array(closings).T}


def test_agrees_with_the_reference_simulator(back_plan: Plan) -> None:
    _, ref = agree_with_reference(back_plan, ref_paths=3000)
    assert 0.05 < float(np.mean(ref["dry"])) < 0.95  # the comparison is about something


def test_agrees_with_the_reference_on_the_recruiter_example() -> None:
    # use it or lose it, no credit-back, a follow-up to responders: the follow-ups find fewer recipients in some paths
    plan = planned(load_scenario(EXAMPLES_DIR / "recruiter.toml"))
    sim, _ = agree_with_reference(plan, ref_paths=2000)
    assert 0 < sim.without_recipients.mean() < 10


def agree_with_reference(plan: Plan, ref_paths: int) -> tuple[Simulation, dict[str, Any]]:
    """The vectorised simulation (20,000 paths) and the reference agree within 4.5 standard errors."""
    problem = plan.problem
    ref = reference_paths(problem, plan.sends, paths=ref_paths, seed=1)
    sim = simulate(plan, paths=20000, seed=1)
    mine = {
        "responses": sim.responses,
        "expired": sim.expired,
        "forfeited": sim.forfeited,
        "missed": sim.missed,
        "norecip": sim.without_recipients,
        "dry": sim.first_dry >= 0,
        "reserve": sim.reserve_held,
    }
    for name, values in mine.items():
        a, b = values.astype(float), ref[name]
        se = math.sqrt(a.var() / len(a) + b.var() / len(b))
        assert abs(a.mean() - b.mean()) <= 4.5 * se + 1e-9, (name, a.mean(), b.mean(), se)
    a, b = sim.closing.astype(float), ref["closing"]
    se = np.sqrt(a.var(axis=1) / a.shape[1] + b.var(axis=1) / b.shape[1])
    assert (np.abs(a.mean(axis=1) - b.mean(axis=1)) <= 4.5 * se + 1e-9).all()
    return sim, ref


# --- a re-plan from today: the log's lots, its pending sends and its credit-backs to come --------------------------


def logged(sent: int, bucket: str, outcome: Outcome, on: int | None = None) -> UsageEntry:
    return UsageEntry(date(2026, 6, sent), bucket, outcome, date(2026, 6, on) if on else None)


LOG = [
    logged(1, "A", Outcome.REPLIED, 3),
    logged(1, "A", Outcome.PENDING),
    logged(2, "A", Outcome.DECLINED, 5),
    logged(2, "A", Outcome.PENDING),
    logged(3, "A", Outcome.ACCEPTED, 4),
    logged(8, "A", Outcome.PENDING),
    logged(9, "A", Outcome.REPLIED, 11),  # answered today: its credit comes back today
]
TODAY = date(2026, 6, 11)


@pytest.fixture(scope="module")
def replanned() -> Any:
    result = replan(parse_scenario({**ACTUALS_SCENARIO, "refund_reliance": 0.0}), LOG, TODAY, time_limit=30)
    assert result.plan.is_ok
    return result


def test_a_replan_needs_the_beliefs_of_its_log(replanned: Any) -> None:
    with pytest.raises(ValueError, match="beliefs of its log"):
        simulate(replanned.plan)


def test_replan_beliefs_are_the_posterior_and_the_pending_sends(replanned: Any) -> None:
    beliefs = beliefs_from_log(replanned, LOG)
    rows = replanned.rates.set_index("bucket")
    a = beliefs.rates[0]
    assert isinstance(a, BetaRate)
    n, k = rows.loc["A", "observations"], rows.loc["A", "responses"]
    assert (a.alpha, a.beta) == pytest.approx((0.2 * 20 + k, 0.8 * 20 + n - k))
    assert [(p.bucket, p.sent_day) for p in beliefs.pending] == [(0, 0), (0, 1), (0, 7)]
    today = replanned.plan.problem.first_day
    assert beliefs.from_day == today and beliefs.known_credit_backs == ((today, 1),)


def test_replan_with_no_response_to_come_is_its_own_ledger(replanned: Any) -> None:
    # reliance 0 and rates of 0: the lots held today and the one credit-back logged for today, nothing else
    beliefs = beliefs_from_log(replanned, LOG)
    silent = replace(beliefs, rates=tuple(FixedRate(0.0) for _ in beliefs.rates))
    sim = simulate(replanned.plan, silent, paths=50, seed=1)
    assert sim.days == replanned.plan.days
    for p in (0, 49):
        np.testing.assert_array_equal(sim.closing[:, p], replanned.plan.ledger["closing"].to_numpy())


def test_replan_pending_sends_answer_on_their_day(replanned: Any) -> None:
    # every pending send answers (rate 1) ten days after it was sent: one credit each on 11, 12 and 18 June
    beliefs = beliefs_from_log(replanned, LOG)
    sure = replace(beliefs, rates=tuple(FixedRate(1.0) for _ in beliefs.rates), delay=ObservedDelays((10,)))
    sim = simulate(replanned.plan, sure, paths=20, seed=1)
    first = replanned.plan.problem.first_day
    arrived = sim.credited_by_day[:, 0]
    assert arrived[0] >= 2 and arrived[1] >= 1 and arrived[7] >= 1  # today: the logged reply and the 1 June send
    got = simulate(replanned.plan, replace(sure, pending=()), paths=20, seed=1).credited_by_day[:, 0]
    assert (arrived - got)[[0, 1, 7]].tolist() == [1, 1, 1]
    assert first == 10


def test_a_downgrade_to_use_it_or_lose_it_pays_the_credits_that_expire_first() -> None:
    # rollover credits held into a cycle-policy cycle: two credit classes, whose oldest lot comes first changes by day
    cycle_tier = {"name": "Lose it", "monthly_credits": 6, "policy": "cycle", "credit_back": True}
    plan = planned(scenario(tier=None, tiers=[BACK_TIER, cycle_tier], refund_reliance=0.5, reserve=0))
    beliefs = Beliefs(rates=tuple(BetaRate.prior(b.rate) for b in plan.problem.buckets), delay=ObservedDelays((1, 3, 9, 20)))
    sim = simulate(plan, beliefs, paths=200, seed=3)
    assert (sim.credited_by_day[plan.problem.calendar.cycle_starts[1] :] > 0).any()
    for p in range(0, 200, 13):
        overspent, closing = replay(sim, p)
        assert overspent == []
        np.testing.assert_array_equal(closing, sim.closing[:, p])

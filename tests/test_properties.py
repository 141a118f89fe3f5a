"""Property tests: random small scenarios, planned by make_plan, checked by the
independent oracle (tests/oracle.py).

* every plan of a scenario that has a feasible schedule (all minimums 0, and a
  reserve only where the zero schedule keeps it) is returned and breaks no rule;
* the planner's ledger and objective for any schedule, feasible or wasteful,
  match the oracle's day by day;
* more credits never lower the optimum by more than what the higher goal-mix
  targets can cost (nothing at all when the targets stay the same);
* on tiny scenarios (a few send days) the plan is within 0.5 % of the optimum
  found by listing every schedule, and 'infeasible' exactly when none exists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402
from oracle import Spec  # noqa: E402

from planner.problem import resolve  # noqa: E402
from planner.scenario import parse_scenario  # noqa: E402
from planner.solve import make_plan  # noqa: E402

GAP = 0.005
# seconds per solve: the scenarios here solve in well under one, but one that hypothesis draws (one bucket,
# credit-back relied on in full, the whole mix on a goal without buckets) is not proven within 0.2 % even by
# HiGHS's full MIP alone in 30 s, and the plan it has after 5 s is the one it has after 30
TIME_LIMIT = 5.0
STARTS = [date(2026, 1, 31), date(2026, 2, 1), date(2026, 6, 15), date(2027, 12, 10), date(2028, 1, 30)]
DAY_NAMES = list(oracle.WEEKDAYS)
TEMPLATE_GOALS = ["sales", "recruiting", "job_seeking", "networking", "thought_leadership"]
RATES = [0.0, 0.05, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.5, 0.8]


def fast(n: int) -> Any:
    """Hypothesis settings for a quick, repeatable suite.

    The examples are derandomized (the same every run) so that the suite is stable for
    everyone; PROPERTY_SCALE=10 runs ten times as many, and PROPERTY_RANDOM=1 draws new ones
    each run, to hunt for bugs.
    """
    return settings(
        max_examples=max(1, int(n * float(os.environ.get("PROPERTY_SCALE", "1")))),
        deadline=None,
        database=None,
        derandomize=not os.environ.get("PROPERTY_RANDOM"),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- strategies -----------------------------------------------------------------------------


@st.composite
def tier_st(draw: st.DrawFn, max_monthly: int = 12) -> dict[str, Any]:
    policy = draw(st.sampled_from(["cycle", "rollover"]))
    monthly = draw(st.integers(0, max_monthly))
    t: dict[str, Any] = {"name": f"T{draw(st.integers(0, 9999))}", "monthly_credits": monthly, "policy": policy}
    if policy == "rollover":
        t["max_age_days"] = draw(st.sampled_from([3, 10, 20, 31, 45, 60, 90]))
    if draw(st.booleans()):
        t["balance_cap"] = draw(st.integers(0, 3 * monthly + 4))
    t["credit_back"] = draw(st.booleans())
    return t


@st.composite
def buckets_st(draw: st.DrawFn, max_buckets: int = 4, max_pool: int = 12, allow_min: bool = False) -> list[dict[str, Any]]:
    n = draw(st.integers(1, max_buckets))
    out: list[dict[str, Any]] = []
    for i in range(n):
        b: dict[str, Any] = {
            "name": f"b{i}",
            "goal": draw(st.sampled_from(["sales", "networking"])),
            "response_rate": draw(st.sampled_from(RATES)),
        }
        if draw(st.booleans()):
            b["priority"] = draw(st.sampled_from(["high", "medium", "low"]))
        elif draw(st.booleans()):
            b["weight"] = draw(st.sampled_from([0.5, 1.0, 2.5, 4.0]))
        pool = draw(st.none() | st.integers(0, max_pool))
        free = draw(st.integers(0, 4)) == 0
        if free and pool is None:
            pool = draw(st.integers(0, max_pool))  # a free bucket without a pool would be unbounded
        if pool is not None:
            b["pool"] = pool
        if free:
            b["free"] = True
        if allow_min and draw(st.booleans()):
            b["min"] = draw(st.integers(0, pool if pool is not None else 4))
        if i > 0 and draw(st.booleans()):
            b["follows"] = f"b{draw(st.integers(0, i - 1))}"
            b["follows_who"] = draw(st.sampled_from(["non_responders", "responders"]))
            b["gap_days"] = draw(st.integers(0, 10))
        out.append(b)
    return out


def goals_for(draw: st.DrawFn, buckets: list[dict[str, Any]]) -> dict[str, float] | None:
    goals = {b["goal"] for b in buckets}
    if len(goals) == 1 and draw(st.booleans()):
        return None
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return {"sales": 1.0}  # networking buckets, if any, get share 0
    twentieths = draw(st.integers(0, 20))
    return {"sales": twentieths / 20, "networking": round(1 - twentieths / 20, 2)}


@st.composite
def scenario_st(draw: st.DrawFn, allow_min: bool = False, max_cycles: int = 3) -> dict[str, Any]:
    start = draw(st.sampled_from(STARTS))
    cycles = draw(st.integers(1, max_cycles))
    raw: dict[str, Any] = {"version": 1, "start": start, "cycles": cycles}
    one_tier = st.sampled_from(CATALOG_TIERS) if draw(st.integers(0, 7)) == 0 else tier_st()
    if draw(st.booleans()):
        raw["tier"] = draw(one_tier)
    else:
        raw["tiers"] = [draw(one_tier) for _ in range(cycles)]
    if draw(st.booleans()):
        raw["bonus_credits"] = (
            draw(st.integers(0, 6)) if draw(st.booleans()) else [draw(st.integers(0, 6)) for _ in range(cycles)]
        )
    if draw(st.booleans()):
        raw["send_days"] = draw(st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True))
    horizon = (oracle.add_months(start, cycles) - start).days
    if draw(st.booleans()):
        offs = draw(st.lists(st.integers(0, horizon - 1), max_size=8, unique=True))
        raw["days_off"] = [start + timedelta(days=t) for t in sorted(offs)]
    if draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=3, unique=True))
        raw["weekday_factor"] = {d: draw(st.sampled_from([0.0, 0.5, 0.9, 1.2, 2.0])) for d in days}
    if draw(st.booleans()):
        raw["daily_cap"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        raw["reserve"] = draw(st.integers(1, 8))
        raw["reserve_release_days"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        raw["refund_reliance"] = draw(st.sampled_from([0.2, 0.5, 0.8, 1.0]))
        raw["refund_lag_days"] = draw(st.integers(1, 12))
    if draw(st.booleans()):
        raw["time_discount"] = draw(st.sampled_from([0.0, 0.0005, 0.002, 0.005]))
    if draw(st.integers(0, 9)) == 0:
        # no buckets: the goals' templates (data/goals.toml), read by the oracle on its own
        goals = draw(st.lists(st.sampled_from(TEMPLATE_GOALS), min_size=1, max_size=3, unique=True))
        weights = [draw(st.integers(1, 4)) for _ in goals]
        shares = [round(w / sum(weights), 2) for w in weights]
        shares[-1] = round(1 - sum(shares[:-1]), 2)
        raw["goals"] = dict(zip(goals, shares, strict=True))
        return raw
    buckets = draw(buckets_st(allow_min=allow_min))
    raw["buckets"] = buckets
    mix = goals_for(draw, buckets)
    if mix is not None:
        raw["goals"] = mix
    return raw


CATALOG_TIERS = ["Free (Basic)", "Premium Career", "Premium Business", "Recruiter Lite"]


def inline_tier(ref: str | dict[str, Any]) -> dict[str, Any]:
    """A tier as an inline table (a catalog name is looked up in data/tiers.csv by the oracle's reader)."""
    if isinstance(ref, dict):
        return ref
    t = oracle.read_catalog()[ref.casefold()]
    out: dict[str, Any] = {"name": t.name, "monthly_credits": t.monthly, "policy": t.policy, "credit_back": t.credit_back}
    if t.max_age is not None:
        out["max_age_days"] = t.max_age
    if t.cap is not None:
        out["balance_cap"] = t.cap
    return out


def tiers_of(raw: dict[str, Any]) -> list[dict[str, Any]]:
    refs = [raw["tier"]] * raw["cycles"] if "tier" in raw else list(raw["tiers"])
    return [inline_tier(r) for r in refs]


def reserve_safe(raw: dict[str, Any]) -> dict[str, Any]:
    """With a reserve, make the zero schedule keep it: no caps, and every grant valid for its whole cycle.

    Then in cycle k the grant of k (monthly + bonus >= min(reserve, monthly + bonus)) is held,
    untouched and unexpired, on every day of k, so a schedule exists (all minimums are 0).
    """
    if not raw.get("reserve"):
        return raw
    fixed = []
    for t in tiers_of(raw):
        t = {k: v for k, v in t.items() if k != "balance_cap"}
        if t["policy"] == "rollover":
            t["max_age_days"] = max(t["max_age_days"], 31)
        fixed.append(t)
    out = {k: v for k, v in raw.items() if k not in ("tier", "tiers")}
    out["tiers"] = fixed
    return out


def plan_and_check(raw: dict[str, Any], time_limit: float = TIME_LIMIT) -> tuple[Any, Spec, oracle.Score | None]:
    scenario = parse_scenario(raw)
    spec = Spec.from_dict(raw)
    plan = make_plan(scenario, time_limit=time_limit)
    if not plan.is_ok:
        return plan, spec, None
    x = oracle.sends_by_name(spec, [b.name for b in plan.problem.buckets], plan.sends)
    ledger = oracle.simulate(spec, x)
    broken = oracle.violations(spec, x, ledger)
    assert broken == [], (broken[:5], raw)
    sc = oracle.objective(spec, x)
    assert plan.totals is not None
    assert sc.objective == pytest.approx(float(plan.totals.objective), rel=1e-6, abs=1e-6)
    closing = [float(v) for v in plan.ledger["closing"]]
    assert np.allclose(closing, ledger.closing, rtol=0, atol=1e-6), raw
    for key, mine in oracle.totals(spec, x, ledger).items():
        assert float(getattr(plan.totals, key)) == pytest.approx(mine, rel=1e-6, abs=1e-6), (key, raw)
    return plan, spec, sc


# --- properties -------------------------------------------------------------------------------


@fast(50)
@given(scenario_st())
def test_random_scenarios_give_plans_that_break_no_rule(raw: dict[str, Any]) -> None:
    raw = reserve_safe(raw)
    plan, spec, sc = plan_and_check(raw)
    # all minimums are 0 and the reserve (if any) is kept by sending nothing: a plan exists
    assert plan.is_ok, (plan.status, plan.message, plan.diagnosis, raw)
    assert sc is not None


@fast(30)
@given(scenario_st(allow_min=True, max_cycles=2))
def test_minimums_give_a_valid_plan_or_a_diagnosed_infeasibility(raw: dict[str, Any]) -> None:
    raw = reserve_safe(raw)
    plan, spec, sc = plan_and_check(raw)
    if not plan.is_ok:
        assert str(plan.status) == "infeasible", (plan.status, plan.message, raw)
        assert any(b.get("min", 0) > 0 for b in raw.get("buckets", [])), raw  # without minimums a plan exists
        assert plan.diagnosis, "an infeasible scenario should say why"


def feasible_schedule(spec: Spec, draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[list[int]]:
    """A random schedule on the send days, cut back (day by day) until the credits hold."""
    n = spec.n_days
    x = [[0] * n for _ in spec.buckets]
    days = [t for t in range(n) if spec.can_send(t)]
    if days:
        cells = draw(
            st.lists(st.tuples(st.integers(0, len(spec.buckets) - 1), st.sampled_from(days), st.integers(1, 4)), max_size=14)
        )
        for b, t, v in cells:
            x[b][t] += v
    for _ in range(n + 1):
        short = oracle.simulate(spec, x).first_short_day
        if short is None:
            break
        for b, bk in enumerate(spec.buckets):
            if not bk.free:
                x[b][short] = 0
    return x


@fast(120)
@given(st.data())
def test_planner_ledger_of_any_schedule_matches_the_oracle(data: st.DataObject) -> None:
    """The ledger a plan reports (planner.plan.build_plan, for any schedule) is the oracle's, day by day."""
    from planner.plan import PlanStatus, build_plan

    raw = data.draw(scenario_st())
    spec = Spec.from_dict(raw)
    problem = resolve(parse_scenario(raw))
    x = feasible_schedule(spec, data.draw)
    ours = oracle.simulate(spec, x)
    sends = np.array(x, dtype=int).reshape(len(spec.buckets), spec.n_days)
    plan = build_plan(problem, sends, PlanStatus.FEASIBLE)
    table = plan.ledger
    assert len(table) == spec.n_days
    for column, mine in (
        ("opening", [d.opening for d in ours.days]),
        ("granted", [d.granted for d in ours.days]),
        ("forfeited", [d.forfeited for d in ours.days]),
        ("credited_back", [d.credited_back for d in ours.days]),
        ("spent", [d.spent for d in ours.days]),
        ("expired", [d.expired for d in ours.days]),
        ("closing", [d.closing for d in ours.days]),
    ):
        theirs = np.array(table[column], dtype=float)
        bad = np.flatnonzero(np.abs(theirs - np.array(mine)) > 1e-6)
        assert bad.size == 0, f"{column} differs first on day {bad[0]}: planner {theirs[bad[0]]}, oracle {mine[bad[0]]}; {raw}"
    for key, mine in oracle.totals(spec, x, ours).items():
        assert float(getattr(plan.totals, key)) == pytest.approx(mine, rel=1e-9, abs=1e-9), (key, raw)


def with_more_credits(raw: dict[str, Any], extra: list[int], on_monthly: bool) -> dict[str, Any]:
    out = dict(raw)
    cycles = raw["cycles"]
    if on_monthly:
        tiers = tiers_of(raw)
        out.pop("tier", None)
        out["tiers"] = [{**t, "monthly_credits": t["monthly_credits"] + e} for t, e in zip(tiers, extra, strict=True)]
    else:
        bonus = raw.get("bonus_credits", 0)
        bonus = bonus if isinstance(bonus, list) else [bonus] * cycles
        out["bonus_credits"] = [b + e for b, e in zip(bonus, extra, strict=True)]
    return out


def no_caps_with_rollover(raw: dict[str, Any]) -> dict[str, Any]:
    """Drop balance caps when any tier rolls credits over.

    With a cap, more credits can legitimately lower the optimum: credits that cannot be
    spent (pools) are still held at the next grant and displace fresh credits under the cap
    (the forfeiture comes out of the grant first), and the older credits expire sooner;
    see test_a_cap_can_make_more_credits_worth_less. Without caps, more credits only add
    to what is held, so every schedule that was feasible stays feasible.
    """
    tiers = tiers_of(raw)
    if all(t["policy"] == "cycle" for t in tiers):
        return raw
    out = {k: v for k, v in raw.items() if k not in ("tier", "tiers")}
    out["tiers"] = [{k: v for k, v in t.items() if k != "balance_cap"} for t in tiers]
    return out


@fast(25)
@given(scenario_st(max_cycles=2), st.data())
def test_more_credits_never_lower_the_objective_beyond_what_higher_targets_cost(raw: dict[str, Any], data: st.DataObject) -> None:
    raw = no_caps_with_rollover(reserve_safe(raw))
    cycles = raw["cycles"]
    spec0 = Spec.from_dict(raw)
    # a reserve floor min(reserve, grant) must not rise with the grant: keep reserve <= every grant
    if raw.get("reserve"):
        raw = {**raw, "reserve": min(raw["reserve"], *(spec0.grant(k) for k in range(cycles)))}
        spec0 = Spec.from_dict(raw)
    extra = data.draw(st.lists(st.integers(0, 6), min_size=cycles, max_size=cycles))
    more = with_more_credits(raw, extra, on_monthly=data.draw(st.booleans()))
    spec1 = Spec.from_dict(more)
    plan0, _, sc0 = plan_and_check(raw)
    plan1, _, sc1 = plan_and_check(more)
    assert plan0.is_ok and plan1.is_ok, (plan0.status, plan1.status, raw)
    assert sc0 is not None and sc1 is not None
    # the old best schedule is still feasible with more credits; it only pays M for each unit of
    # goal target that rose, so the new optimum is at least old optimum - M * (target increase)
    rise = sum(spec1.target(g, k) - spec0.target(g, k) for g in spec0.shares for k in range(cycles))
    floor = sc0.objective - spec0.penalty() * rise
    slack = GAP * max(abs(sc0.objective), abs(sc1.objective), abs(floor)) + 1e-6
    assert sc1.objective >= floor - slack, (sc0.objective, sc1.objective, rise, raw, more)


def test_a_cap_can_make_more_credits_worth_less() -> None:
    """Why the property above drops caps: a legitimate drop, found by enumeration and by the planner.

    One bucket, pool 5 a cycle, 5 credits a month, rollover 41 days, cap 8 then 5. With a
    3-credit February bonus, 8 are granted but only 5 can be sent, so 3 are held on 1 March:
    the cap (5) forfeits 3 of the 5 granted, and the 3 held credits expire on day 40, before
    the March send days (Mondays 16, 23 and 30 March). March can send 2 instead of 5.
    """
    base = {
        "start": date(2026, 2, 1),
        "cycles": 2,
        "tiers": [
            {"name": "R8", "monthly_credits": 5, "policy": "rollover", "max_age_days": 41, "balance_cap": 8},
            {"name": "R5", "monthly_credits": 5, "policy": "rollover", "max_age_days": 41, "balance_cap": 5},
        ],
        "send_days": ["Mon"],
        "days_off": [date(2026, 2, 1) + timedelta(days=t) for t in (1, 8, 15, 29, 36)],
        "buckets": [{"name": "a", "goal": "sales", "response_rate": 0.2, "pool": 5}],
    }
    more = {**base, "bonus_credits": [3, 0]}
    spec0, spec1 = Spec.from_dict(base), Spec.from_dict(more)
    opt0, x0, _ = oracle.enumerate_optimum(spec0)
    opt1, x1, _ = oracle.enumerate_optimum(spec1)
    assert x0 is not None and x1 is not None
    assert sum(x0[0][28:]) == 5 and sum(x1[0][28:]) == 2
    assert sum(d.forfeited for d in oracle.simulate(spec1, x1).days) == 3
    rise = sum(spec1.target(g, k) - spec0.target(g, k) for g in spec0.shares for k in range(2))
    assert rise == 3
    assert opt1 < opt0 - spec0.penalty() * rise - 1  # more than the higher target explains
    _, _, sc0 = plan_and_check(base)
    assert sc0 is not None and sc0.objective == pytest.approx(opt0, rel=GAP)
    sc1 = plan_and_check(more)[2]
    assert sc1 is not None and sc1.objective == pytest.approx(opt1, rel=GAP)


# --- tiny random scenarios against enumeration ----------------------------------------------


@st.composite
def tiny_st(draw: st.DrawFn) -> dict[str, Any]:
    start = date(2026, 2, 1)
    cycles = draw(st.integers(1, 2))
    horizon = (oracle.add_months(start, cycles) - start).days
    n_buckets = draw(st.integers(1, 2))
    n_days = draw(st.integers(1, 4 if n_buckets == 1 else 3))
    keep = sorted(draw(st.lists(st.integers(0, horizon - 1), min_size=n_days, max_size=n_days, unique=True)))
    raw: dict[str, Any] = {
        "version": 1,
        "start": start,
        "cycles": cycles,
        "send_days": DAY_NAMES,
        "days_off": [start + timedelta(days=t) for t in range(horizon) if t not in keep],
    }
    tiers = [draw(tier_st(max_monthly=4)) for _ in range(cycles)]
    raw["tiers"] = tiers
    if draw(st.booleans()):
        raw["bonus_credits"] = [draw(st.integers(0, 2)) for _ in range(cycles)]
    if draw(st.booleans()):
        raw["weekday_factor"] = {
            d: draw(st.sampled_from([0.5, 1.5, 2.0]))
            for d in draw(st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=3, unique=True))
        }
    if draw(st.booleans()):
        raw["daily_cap"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        raw["reserve"] = draw(st.integers(1, 4))
        raw["reserve_release_days"] = draw(st.integers(0, 8))
    if draw(st.booleans()):
        raw["refund_reliance"] = draw(st.sampled_from([0.25, 0.5]))
        raw["refund_lag_days"] = draw(st.integers(1, 20))
    if draw(st.booleans()):
        raw["time_discount"] = draw(st.sampled_from([0.0, 0.01]))
    buckets = draw(buckets_st(max_buckets=n_buckets, max_pool=4, allow_min=True))
    for bk in buckets:
        bk["response_rate"] = min(bk["response_rate"], 0.5)
    raw["buckets"] = buckets
    mix = goals_for(draw, buckets)
    if mix is not None:
        raw["goals"] = mix
    return raw


@fast(60)
@given(tiny_st())
def test_tiny_random_scenarios_match_the_enumerated_optimum(raw: dict[str, Any]) -> None:
    spec = Spec.from_dict(raw)
    best, x, _ = oracle.enumerate_optimum(spec)
    plan, _, sc = plan_and_check(raw)
    if x is None:
        assert not plan.is_ok and str(plan.status) == "infeasible", (plan.status, raw)
        return
    assert plan.is_ok, (plan.status, plan.message, "but the enumeration found a schedule", x, raw)
    assert sc is not None
    assert sc.objective <= best + 1e-9, (sc.objective, best, raw)
    assert sc.objective >= best - GAP * max(abs(best), 1e-9) - 1e-9, (sc.objective, best, raw)
    if plan.bound is not None:  # a proven bound cannot lie below the true optimum
        assert plan.bound >= best - 1e-6 * max(1.0, abs(best)), (plan.bound, best, raw)

"""The independent oracle (tests/oracle.py) on hand-computed cases, then every
shipped scenario planned by make_plan and checked by the oracle.

Dates used below: 2026-02-01 is a Sunday, so in a cycle starting then day 1 is
Monday 2 Feb, days 1, 8, 15, 22 are the Mondays and day 27 (Sat 28 Feb) is the
cycle's last day; a second cycle starts on day 28 (Sun 1 Mar) and ends on day
58 (31 Mar).
"""

from __future__ import annotations

import glob
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402
from oracle import OBucket, OTier, Spec  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FEB = date(2026, 2, 1)


def make_spec(**kw: object) -> Spec:
    base: dict[str, object] = dict(
        start=FEB,
        cycles=1,
        tiers=(OTier("T", 5),),
        bonus=(0,),
        buckets=(OBucket("a", "sales", 1.0, 0.5),),
        shares={"sales": 1.0},
        delta=0.0,
    )
    base.update(kw)
    if "tiers" in kw and "bonus" not in kw:
        base["bonus"] = (0,) * len(base["tiers"])  # type: ignore[arg-type]
    if "cycles" not in kw:
        base["cycles"] = len(base["tiers"])  # type: ignore[arg-type]
    return Spec(**base)  # type: ignore[arg-type]


def sched(spec: Spec, cells: dict[tuple[int, int], int]) -> list[list[int]]:
    x = [[0] * spec.n_days for _ in spec.buckets]
    for (b, t), n in cells.items():
        x[b][t] = n
    return x


# --- calendar --------------------------------------------------------------------------


def test_months_clamp_to_month_end_and_count_from_start() -> None:
    s = date(2026, 1, 31)
    assert [oracle.add_months(s, k) for k in range(4)] == [s, date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert oracle.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert oracle.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert oracle.cycle_starts(s, 3) == ([0, 28, 59], 89)
    assert oracle.cycle_starts(FEB, 1) == ([0], 28)
    assert oracle.cycle_starts(FEB, 2) == ([0, 28], 59)
    assert oracle.cycle_starts(date(2026, 12, 1), 2) == ([0, 31], 62)
    spec = make_spec(tiers=(OTier("T", 5),) * 3, start=s)
    assert [spec.cycle_of(t) for t in (0, 27, 28, 58, 59, 88)] == [0, 0, 1, 1, 2, 2]
    assert [spec.cycle_end(k) for k in range(3)] == [27, 58, 88]


def test_send_days_days_off_and_value_factor() -> None:
    spec = make_spec(send_days=frozenset({0}), days_off=frozenset({date(2026, 2, 9)}), weekday_factor={0: 2.0}, delta=0.01)
    assert [t for t in range(spec.n_days) if spec.can_send(t)] == [1, 15, 22]
    assert spec.factor(1) == pytest.approx(2.0 * 0.99)
    assert spec.factor(2) == pytest.approx(0.98)
    x = sched(spec, {(0, 2): 1, (0, 8): 1, (0, 15): 1})
    bad = oracle.violations(spec, x)
    assert len(bad) == 2 and all("no sending" in v for v in bad)


# --- the ledger ------------------------------------------------------------------------


def test_cycle_policy_credits_expire_after_the_cycle() -> None:
    spec = make_spec(tiers=(OTier("T", 5), OTier("T", 5)))
    led = oracle.simulate(spec, sched(spec, {(0, 1): 2}))
    d = led.days
    assert (d[0].granted, d[0].closing) == (5, 5)
    assert (d[1].opening, d[1].spent, d[1].closing) == (5, 2, 3)
    assert d[27].expired == 3 and d[27].closing == 0 and d[27].after_sends == 3
    assert d[28].granted == 5 and d[28].closing == 5
    assert d[58].expired == 5 and d[58].closing == 0
    assert sum(r.expired for r in d) == 8


def test_rollover_credits_live_max_age_days() -> None:
    spec = make_spec(tiers=(OTier("T", 5, "rollover", max_age=10),))
    led = oracle.simulate(spec, sched(spec, {(0, 1): 1}))
    assert led.days[8].closing == 4
    assert led.days[9].expired == 4 and led.days[9].closing == 0  # received day 0, valid through day 9
    assert oracle.violations(spec, sched(spec, {(0, 9): 5})) == []
    assert any("credits" in v for v in oracle.violations(spec, sched(spec, {(0, 10): 1})))


def test_cap_forfeits_exactly_the_excess_and_sends_pay_oldest_first() -> None:
    tier = OTier("R", 10, "rollover", max_age=90, cap=12)
    spec = make_spec(tiers=(tier, tier))
    led = oracle.simulate(spec, sched(spec, {(0, 1): 3, (0, 29): 8}))
    d = led.days
    assert d[0].forfeited == 0 and d[0].closing == 10
    assert (d[28].opening, d[28].granted, d[28].forfeited, d[28].closing) == (7, 10, 5, 12)
    assert d[28].lots == [(89, 7.0), (117, 5.0)]
    assert d[29].lots == [(117, 4.0)]  # 8 paid: 7 from the lot expiring day 89, then 1
    # a first grant above the cap is cut too
    small = make_spec(tiers=(OTier("R", 10, "rollover", max_age=90, cap=6),))
    assert oracle.simulate(small, sched(small, {})).days[0].forfeited == 4


def test_cap_excess_above_the_grant_comes_from_the_credits_expiring_first() -> None:
    # cycle 0: 4 credits, credit-back; 2 sends on day 1 at r = 1 return 2 on day 4 (lag 3)
    # cycle 1: a downgrade to 2 credits with cap 1: balance 4 + grant 2 - cap 1 = 5 forfeited
    t0 = OTier("A", 4, "rollover", max_age=90, credit_back=True)
    t1 = OTier("B", 2, "rollover", max_age=90, cap=1, credit_back=True)
    spec = make_spec(tiers=(t0, t1), buckets=(OBucket("a", "sales", 1.0, 1.0),), reliance=1.0, lag=3)
    led = oracle.simulate(spec, sched(spec, {(0, 1): 2}))
    d = led.days
    assert d[4].credited_back == 2 and d[4].lots == [(89, 2.0), (93, 2.0)]
    assert (d[28].opening, d[28].granted, d[28].forfeited, d[28].closing) == (4, 2, 5, 1)
    assert d[28].lots == [(93, 1.0)]


def test_credit_backs_arrive_after_the_lag_under_the_arrival_cycles_policy() -> None:
    # a send on Fri 27 Feb (day 26) under a credit-back tier returns 0.5 * 0.4 * 5 = 1 on day 33,
    # in cycle 1 whose tier has the cycle policy: valid through day 58
    t0 = OTier("A", 5, "rollover", max_age=90, credit_back=True)
    t1 = OTier("B", 0, "cycle", credit_back=False)
    spec = make_spec(tiers=(t0, t1), buckets=(OBucket("a", "sales", 1.0, 0.4),), reliance=0.5, lag=7)
    led = oracle.simulate(spec, sched(spec, {(0, 26): 5, (0, 36): 1}))
    d = led.days
    assert d[33].credited_back == pytest.approx(1.0)
    assert d[33].lots == [(58, pytest.approx(1.0))]
    assert sum(r.credited_back for r in d) == pytest.approx(1.0)  # the cycle-1 send earns nothing back
    assert oracle.violations(spec, sched(spec, {(0, 26): 5, (0, 36): 1})) == []
    assert oracle.violations(spec, sched(spec, {(0, 26): 5, (0, 32): 1})) != []  # before it arrives


def test_credit_back_needs_the_send_days_tier_and_stays_inside_the_horizon() -> None:
    t0 = OTier("A", 5, "cycle", credit_back=False)
    t1 = OTier("B", 5, "cycle", credit_back=True)
    spec = make_spec(tiers=(t0, t1), buckets=(OBucket("a", "sales", 1.0, 0.5),), reliance=1.0, lag=7)
    led = oracle.simulate(spec, sched(spec, {(0, 26): 5, (0, 54): 5}))
    assert sum(r.credited_back for r in led.days) == 0  # day 26: no credit-back tier; day 54 + 7 is past the end
    led = oracle.simulate(spec, sched(spec, {(0, 29): 2}))
    assert led.days[36].credited_back == pytest.approx(1.0)


def test_fractional_credit_backs_allow_a_tiny_negative_balance_only() -> None:
    tier = OTier("A", 10, "rollover", max_age=90, credit_back=True)
    spec = make_spec(tiers=(tier,), buckets=(OBucket("a", "sales", 1.0, 0.1),), reliance=1.0, lag=1)
    # one send a day on the ten weekdays 1..5, 8..12: 10 credits spent, ten returns of 0.1 each,
    # which add up to 0.9999999999999999 in floats; the 11th send may spend that "whole" credit
    days = [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    x = sched(spec, {**{(0, t): 1 for t in days}, (0, 15): 1})
    led = oracle.simulate(spec, x)
    assert sum(r.credited_back for r in led.days[:16]) == pytest.approx(1.0)
    assert -1e-9 < led.min_balance <= 1e-9
    assert oracle.violations(spec, x, led) == []
    x = sched(spec, {**{(0, t): 1 for t in days}, (0, 15): 1, (0, 16): 1})
    assert any("credits" in v for v in oracle.violations(spec, x))
    # a real shortage is caught: 1 credit, 0.3 back the next day, 1 more sent then
    spec = make_spec(
        tiers=(OTier("A", 1, "rollover", max_age=90, credit_back=True),),
        buckets=(OBucket("a", "sales", 1.0, 0.3),),
        reliance=1.0,
        lag=1,
    )
    x = sched(spec, {(0, 1): 1, (0, 2): 1})
    assert oracle.simulate(spec, x).min_balance == pytest.approx(-0.7)
    assert any("credits" in v for v in oracle.violations(spec, x))


def test_free_sends_use_no_credits_but_count_for_pool_and_daily_cap() -> None:
    spec = make_spec(buckets=(OBucket("a", "sales", 1.0, 0.5), OBucket("f", "sales", 1.0, 0.5, pool=3, free=True)), daily_cap=4)
    x = sched(spec, {(0, 1): 4, (1, 2): 3})
    assert oracle.violations(spec, x) == []
    assert oracle.simulate(spec, x).days[2].spent == 0
    assert any("pool" in v for v in oracle.violations(spec, sched(spec, {(1, 2): 2, (1, 3): 2})))
    assert any("daily cap" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 2, (1, 1): 3})))


def test_speed_guard_counts_every_send_of_the_seven_days_before() -> None:
    # base 1, growth 3.5: a day may send 1 + 3.5 * (sends of the 7 days before) / 7 = 1 + half of them
    spec = make_spec(
        guard=(1.0, 3.5), buckets=(OBucket("a", "sales", 1.0, 0.5), OBucket("f", "sales", 1.0, 0.5, pool=9, free=True))
    )
    assert oracle.violations(spec, sched(spec, {(0, 1): 1, (1, 2): 1})) == []  # Mon 2 Feb 1; Tue 3 Feb 1 + 1/2 -> 1
    assert any("speed guard" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 2})))  # day 1: nothing before it
    assert oracle.violations(spec, sched(spec, {(0, 1): 1, (1, 2): 1, (1, 3): 2})) == []  # 1 + (1 + 1) / 2 = 2
    assert any("speed guard" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 1, (1, 2): 1, (1, 10): 2})))  # 8 days on
    assert oracle.violations(spec, sched(spec, {(0, 1): 1, (1, 2): 1, (1, 8): 2})) == []  # days 1..7 before day 8


def test_replies_per_day_counts_expected_replies_of_free_sends_too() -> None:
    spec = make_spec(
        replies_per_day=1.0, buckets=(OBucket("a", "sales", 1.0, 0.5), OBucket("f", "sales", 1.0, 0.25, pool=9, free=True))
    )
    assert oracle.violations(spec, sched(spec, {(0, 1): 1, (1, 1): 2})) == []  # 0.5 + 0.5
    assert any("replies per day" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 1, (1, 1): 3})))


# --- constraints -----------------------------------------------------------------------


def test_reserve_holds_until_the_release_days() -> None:
    spec = make_spec(reserve=2, release=3)  # 5 credits; the reserve applies on days 0..24
    assert oracle.violations(spec, sched(spec, {(0, 1): 3})) == []
    assert any("reserve" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 4})))
    assert any("reserve" in v for v in oracle.violations(spec, sched(spec, {(0, 24): 4})))
    assert oracle.violations(spec, sched(spec, {(0, 1): 3, (0, 25): 2})) == []  # Thu 26 Feb: released
    # the floor is min(reserve, monthly + bonus)
    big = make_spec(reserve=10, release=3)
    assert oracle.violations(big, sched(big, {})) == []
    assert any("reserve" in v for v in oracle.violations(big, sched(big, {(0, 1): 1})))
    assert oracle.violations(big, sched(big, {(0, 26): 5})) == []
    # release 0: the reserve holds on the cycle's last day too (after sends, before expiry)
    none = make_spec(reserve=2, release=0)
    assert any("reserve" in v for v in oracle.violations(none, sched(none, {(0, 26): 4})))
    assert oracle.violations(none, sched(none, {(0, 26): 3})) == []
    # the reserve floor of each cycle follows that cycle's grant
    two = make_spec(tiers=(OTier("A", 5), OTier("B", 1)), reserve=2)  # floors 2 and 1; release on 25..27, 56..58
    assert oracle.violations(two, sched(two, {(0, 1): 3, (0, 57): 1})) == []
    assert any("reserve" in v for v in oracle.violations(two, sched(two, {(0, 1): 4})))
    assert any("reserve" in v for v in oracle.violations(two, sched(two, {(0, 29): 1})))


def test_follow_up_rule_with_alpha_and_gap() -> None:
    parent = OBucket("p", "sales", 1.0, 0.2)
    non = OBucket("f", "sales", 1.0, 0.1, parent=0, alpha=0.8, gap=7)
    spec = make_spec(tiers=(OTier("T", 20),), buckets=(parent, non))
    assert oracle.violations(spec, sched(spec, {(0, 1): 5, (1, 8): 4})) == []
    assert any("follow-up" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 5, (1, 7): 1})))
    assert any("follow-up" in v for v in oracle.violations(spec, sched(spec, {(0, 1): 5, (1, 8): 5})))
    # cumulative: 4 on day 8, then 4 more once 5 more parent sends are 7 days old
    assert oracle.violations(spec, sched(spec, {(0, 1): 5, (0, 2): 5, (1, 8): 4, (1, 9): 4})) == []
    assert oracle.violations(spec, sched(spec, {(0, 1): 5, (0, 2): 5, (1, 8): 5})) != []
    who = OBucket("f", "sales", 1.0, 0.1, parent=0, alpha=0.2, gap=0)
    spec = make_spec(tiers=(OTier("T", 20),), buckets=(parent, who))
    assert oracle.violations(spec, sched(spec, {(0, 1): 5, (1, 1): 1})) == []  # gap 0: same day
    assert oracle.violations(spec, sched(spec, {(0, 1): 5, (1, 1): 2})) != []


def test_pool_and_min_per_cycle() -> None:
    b = OBucket("a", "sales", 1.0, 0.5, pool=3, min=2)
    spec = make_spec(tiers=(OTier("T", 10), OTier("T", 10)), buckets=(b,))
    assert oracle.violations(spec, sched(spec, {(0, 1): 3, (0, 29): 2})) == []
    bad = oracle.violations(spec, sched(spec, {(0, 1): 2, (0, 2): 2, (0, 29): 1}))
    assert any("pool" in v and "cycle 0" in v for v in bad)
    assert any("min" in v and "cycle 1" in v for v in bad)


# --- objective -------------------------------------------------------------------------


def test_goal_targets_floor_the_share_as_written() -> None:
    spec = make_spec(tiers=(OTier("T", 50),), shares={"sales": 0.7, "networking": 0.29, "recruiting": 0.01})
    assert [spec.target(g, 0) for g in ("sales", "networking", "recruiting", "job_seeking")] == [35, 14, 0, 0]
    spec = make_spec(tiers=(OTier("T", 90),), bonus=(10,), shares={"sales": 0.71, "networking": 0.29})
    assert (spec.target("sales", 0), spec.target("networking", 0)) == (71, 29)  # 0.29 * 100 is 28.999... in floats


def test_objective_by_hand() -> None:
    a = OBucket("a", "sales", 3.0, 0.2)
    f = OBucket("b", "networking", 1.0, 0.1, free=True)
    spec = make_spec(
        tiers=(OTier("T", 10),), buckets=(a, f), shares={"sales": 0.7, "networking": 0.3}, delta=0.01, weekday_factor={0: 2.0}
    )
    x = sched(spec, {(0, 1): 4, (0, 2): 1, (1, 2): 2})
    sc = oracle.objective(spec, x)
    # 0.6 * (2 * 0.99 * 4 + 0.98 * 1) + 0.1 * 0.98 * 2
    assert sc.value == pytest.approx(5.536)
    assert sc.shortfall == {("sales", 0): 2, ("networking", 0): 3}  # free sends do not count
    assert sc.penalty == pytest.approx(60.0)
    assert sc.objective == pytest.approx(5.536 - 300)


# --- scenario data -> spec, cross-checked against the planner's resolution ----------------

SCENARIOS = sorted(glob.glob(str(ROOT / "data" / "examples" / "*.toml"))) + sorted(glob.glob(str(ROOT / "bench" / "*.toml")))


def test_there_are_scenarios_to_check() -> None:
    assert len(SCENARIOS) >= 5


def test_spec_from_the_worked_example() -> None:
    spec = Spec.from_toml(ROOT / "data" / "examples" / "sales_rep.toml")
    assert spec.n_days == 30 and spec.grant(0) == 50
    fu = spec.buckets[spec.index("Follow-up")]
    assert fu.parent == spec.index("Initial prospecting") and fu.alpha == pytest.approx(0.85) and fu.gap == 5
    assert [b.weight for b in spec.buckets] == [3.0, 2.0, 3.0]
    bench = Spec.from_toml(ROOT / "bench" / "five_buckets.toml")
    assert bench.tiers[0] == OTier("Sales Navigator Core", 50, "rollover", max_age=90, cap=150, credit_back=True)
    assert bench.reliance == 0.6 and bench.daily_cap == 8 and bench.reserve == 5


def test_templates_come_from_the_goals_file() -> None:
    spec = Spec.from_dict({"start": date(2026, 6, 1), "tier": "Premium Business", "goals": {"sales": 0.6, "networking": 0.4}})
    assert [b.name for b in spec.buckets][:3] == ["Initial prospecting", "Follow-up", "Account expansion"]
    assert spec.buckets[spec.index("Open Profile and 1st-degree")].free


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: Path(p).name)
def test_spec_agrees_with_the_planners_resolution(path: str) -> None:
    from planner.problem import resolve
    from planner.scenario import load_scenario

    spec = Spec.from_toml(path)
    problem = resolve(load_scenario(path))
    assert problem.n_days == spec.n_days
    assert list(problem.calendar.cycle_starts) == spec.starts
    assert list(problem.grants) == [spec.grant(k) for k in range(spec.cycles)]
    assert [b.name for b in problem.buckets] == [b.name for b in spec.buckets]
    for rb, ob in zip(problem.buckets, spec.buckets, strict=True):
        assert (rb.weight, rb.rate, rb.pool, rb.min, rb.free, rb.parent, rb.gap_days) == (
            ob.weight,
            ob.rate,
            ob.pool,
            ob.min,
            ob.free,
            ob.parent,
            ob.gap,
        )
        assert rb.alpha == pytest.approx(ob.alpha, abs=1e-12)


# --- every shipped scenario, planned and checked ------------------------------------------


def check_plan_with_oracle(spec: Spec, plan: object) -> oracle.Score:
    """Assert that the plan's schedule is feasible for the oracle and its numbers agree."""
    names = [b.name for b in plan.problem.buckets]  # type: ignore[attr-defined]
    x = oracle.sends_by_name(spec, names, plan.sends)  # type: ignore[attr-defined]
    ledger = oracle.simulate(spec, x)
    broken = oracle.violations(spec, x, ledger)
    assert broken == [], broken[:5]
    sc = oracle.objective(spec, x)
    totals = plan.totals  # type: ignore[attr-defined]
    assert sc.objective == pytest.approx(float(totals.objective), rel=1e-6, abs=1e-9)
    closing = list(plan.ledger["closing"])  # type: ignore[attr-defined]
    assert len(closing) == spec.n_days
    worst = max(abs(a - float(b)) for a, b in zip(ledger.closing, closing, strict=True))
    assert worst <= 1e-6, f"closing balances differ by {worst}"
    for key, mine in oracle.totals(spec, x, ledger).items():
        assert float(getattr(totals, key)) == pytest.approx(mine, rel=1e-6, abs=1e-6), key
    schedule = plan.schedule  # type: ignore[attr-defined]
    assert int(schedule["sends"].sum()) == sum(map(sum, x))
    assert int(schedule["credits_used"].sum()) == sum(sum(row) for row, b in zip(x, spec.buckets, strict=True) if not b.free)
    return sc


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: Path(p).name)
def test_shipped_scenario_plans_pass_the_oracle(path: str) -> None:
    from planner.scenario import load_scenario
    from planner.solve import make_plan

    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    spec = Spec.from_dict(raw)
    plan = make_plan(load_scenario(path), time_limit=60)
    assert plan.is_ok, (plan.status, plan.message)
    check_plan_with_oracle(spec, plan)


def test_worked_example_optimum() -> None:
    """MODEL.md's worked example: 25 initial, 10 expansion, 15 follow-ups, nothing expires."""
    from planner.scenario import load_scenario
    from planner.solve import make_plan

    path = ROOT / "data" / "examples" / "sales_rep.toml"
    spec = Spec.from_toml(path)
    plan = make_plan(load_scenario(path))
    x = oracle.sends_by_name(spec, [b.name for b in plan.problem.buckets], plan.sends)
    per_bucket = {b.name: sum(x[i]) for i, b in enumerate(spec.buckets)}
    assert per_bucket == {"Initial prospecting": 25, "Follow-up": 15, "Account expansion": 10}
    assert sum(d.expired for d in oracle.simulate(spec, x).days) == 0

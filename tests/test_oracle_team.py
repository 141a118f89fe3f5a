"""The independent oracle (tests/oracle.py) on teams (MODEL.md v2, "Teams: pooled seats"):
its team rules on hand-computed cases, then seeded random team scenarios planned by
make_plan and checked by it (feasibility, objective, and for tiny ones the brute-force
optimum against the plan's proven gap), and a one-seat team against the one-seat scenario.

Dates used below: 2026-02-01 is a Sunday, so in a cycle starting then day 1 is Monday
2 Feb, days 1, 8, 15, 22 are the Mondays and day 27 (Sat 28 Feb) is the cycle's last
day; a second cycle starts on day 28 (Sun 1 Mar).
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402
from oracle import Spec  # noqa: E402

from planner.plan import Plan  # noqa: E402
from planner.scenario import parse_any_scenario  # noqa: E402
from planner.solve import make_plan  # noqa: E402

FEB = date(2026, 2, 1)
GAP = 0.005  # MODEL.md: within 0.5 % of the optimum, on the value


def tier(monthly: int, policy: str = "rollover", cap: int | None = None, back: bool = False, name: str = "T") -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "monthly_credits": monthly, "policy": policy, "credit_back": back}
    if policy == "rollover":
        row["max_age_days"] = 90
    if cap is not None:
        row["balance_cap"] = cap
    return row


def bucket(name: str, rate: float = 0.5, goal: str = "recruiting", **kw: Any) -> dict[str, Any]:
    return {"name": name, "goal": goal, "priority": kw.pop("priority", "medium"), "response_rate": rate, **kw}


def team(seats: list[Any], **kw: Any) -> dict[str, Any]:
    """A team scenario's data as a TOML file reads it (delta 0 unless given)."""
    data: dict[str, Any] = {"version": 2, "start": FEB, "tier": tier(5), "time_discount": 0.0, **kw}
    data["seats"] = seats
    return data


def blank(spec: Spec) -> list[list[int]]:
    return [[0] * spec.n_days for _ in spec.buckets]


def sched(spec: Spec, cells: dict[tuple[str, str, int], int]) -> list[list[int]]:
    """A schedule from {(seat, bucket, day): sends}."""
    x = blank(spec)
    for (seat, name, t), n in cells.items():
        x[spec.index(name, spec.seat_index(seat))][t] = n
    return x


# --- (a) the team rules, by hand ----------------------------------------------------------


def test_pool_grant_and_balance_cap_scale_with_the_seats() -> None:
    seats = [{"name": s, "buckets": [bucket("a")]} for s in ("A", "B", "C")]
    spec = Spec.from_dict(team(seats, cycles=3, tier=tier(10, cap=25), bonus_credits=4))
    assert [spec.grant(k) for k in range(3)] == [34, 34, 34]  # 3 x 10 + the bonus, once
    assert spec.cap(0) == 75
    d = oracle.simulate(spec, blank(spec)).days
    assert (d[0].granted, d[0].forfeited, d[0].closing) == (34, 0, 34)
    assert (d[28].granted, d[28].forfeited, d[28].closing) == (34, 0, 68)
    assert (d[59].granted, d[59].forfeited, d[59].closing) == (34, 27, 75)  # 68 + 34 - 75
    # the reserve is the pool's: min(reserve, the pool's grant)
    assert Spec.from_dict(team(seats, tier=tier(10), reserve=50)).reserve_floor(0) == 30
    one = Spec.from_dict({"start": FEB, "cycles": 3, "tier": tier(10, cap=25), "bonus_credits": 4, "buckets": [bucket("a")]})
    assert (one.grant(0), one.cap(0)) == (14, 25)
    assert oracle.simulate(one, blank(one)).days[28].forfeited == 3  # 14 + 14 - 25


def test_a_seat_cap_limits_the_seats_credit_paid_sends_per_cycle() -> None:
    seats = [
        {"name": "A", "seat_cap": 3, "buckets": [bucket("a"), bucket("open", free=True, pool=5)]},
        {"name": "B", "buckets": [bucket("a")]},
    ]
    spec = Spec.from_dict(team(seats, cycles=2, tier=tier(10)))
    assert oracle.violations(spec, sched(spec, {("A", "a", 1): 3, ("A", "open", 2): 5, ("B", "a", 1): 9})) == []
    bad = oracle.violations(spec, sched(spec, {("A", "a", 1): 2, ("A", "a", 2): 2}))
    assert bad == ["seat cap: seat 'A': spends 4 > 3 in cycle 0"]
    assert oracle.violations(spec, sched(spec, {("A", "a", 1): 3, ("A", "a", 29): 3})) == []  # per cycle


def test_a_seats_daily_cap_send_days_and_days_off_are_its_own_else_the_teams() -> None:
    seats = [
        {"name": "A", "send_days": ["Mon"], "buckets": [bucket("a")]},
        {"name": "B", "daily_cap": 5, "days_off": [date(2026, 2, 3)], "buckets": [bucket("a")]},
    ]
    spec = Spec.from_dict(team(seats, tier=tier(20), daily_cap=2, days_off=[date(2026, 2, 2)]))
    # A: Mondays only, and the team's day off (Mon 2 Feb) and daily cap; B: the team's weekdays, its own day off
    assert [t for t in range(14) if spec.can_send(t, 0)] == [8]
    assert [t for t in range(14) if spec.can_send(t, 1)] == [1, 3, 4, 5, 8, 9, 10, 11, 12]
    assert oracle.violations(spec, sched(spec, {("A", "a", 8): 2, ("B", "a", 8): 5, ("B", "a", 1): 5})) == []
    assert oracle.violations(spec, sched(spec, {("A", "a", 8): 3})) == ["daily cap: seat 'A': day 8 sends 3 > 2"]
    assert oracle.violations(spec, sched(spec, {("B", "a", 8): 6})) == ["daily cap: seat 'B': day 8 sends 6 > 5"]
    assert any("no sending" in v for v in oracle.violations(spec, sched(spec, {("A", "a", 9): 1})))
    assert any("no sending" in v for v in oracle.violations(spec, sched(spec, {("B", "a", 2): 1})))


def test_a_credit_back_of_one_seat_pays_another_seats_sends_later() -> None:
    # 2 seats x 1 credit; B's 2 sends on Mon 2 Feb at r = 1 return 2 credits to the pool on day 4 (lag 3)
    seats = [{"name": "A", "buckets": [bucket("a")]}, {"name": "B", "buckets": [bucket("b", rate=1.0)]}]
    spec = Spec.from_dict(team(seats, tier=tier(1, back=True), refund_reliance=1.0, refund_lag_days=3))
    x = sched(spec, {("B", "b", 1): 2, ("A", "a", 4): 2})
    led = oracle.simulate(spec, x)
    assert (led.days[1].after_sends, led.days[4].credited_back, led.days[4].closing) == (0, 2, 0)
    assert oracle.violations(spec, x, led) == []
    early = oracle.violations(spec, sched(spec, {("B", "b", 1): 2, ("A", "a", 3): 2}))
    assert early[0] == "credits: balance goes to -2 (first on day 3)"


def test_goal_targets_are_each_seats_share_of_its_own_credits() -> None:
    seats = [
        {"name": "A", "goals": {"recruiting": 0.5}, "buckets": [bucket("a")]},
        {"name": "B", "seat_cap": 6, "buckets": [bucket("a", priority="high", rate=0.4)]},
        {"name": "C", "goals": {"sales": 0.3, "recruiting": 0.7}, "buckets": [bucket("a"), bucket("s", goal="sales")]},
    ]
    spec = Spec.from_dict(team(seats, tier=tier(10), bonus_credits=5))
    # credits of a seat: 10 + 5 / 3 = 11.67, at most its seat cap
    assert [float(spec.seat_credits(s, 0)) for s in range(3)] == pytest.approx([35 / 3, 6, 35 / 3])
    assert [spec.target("recruiting", 0, s) for s in range(3)] == [5, 6, 8]
    assert spec.target("sales", 0, 2) == 3
    assert spec.penalty() == pytest.approx(120.0)  # 100 x (3 x 0.4), B's bucket
    # A's and C's "a" buckets share a name, not a target: C's sends fill C's goal only
    sc = oracle.objective(spec, sched(spec, {("C", "a", 1): 8, ("C", "s", 1): 3, ("B", "a", 1): 6}))
    assert sc.seat_shortfall == {(0, "recruiting", 0): 5, (1, "recruiting", 0): 0, (2, "sales", 0): 0, (2, "recruiting", 0): 0}
    assert sc.shortfall == {("recruiting", 0): 5, ("sales", 0): 0}
    assert sc.value == pytest.approx(0.5 * 2 * 11 + 1.2 * 6)
    assert sc.objective == pytest.approx(sc.value - 120 * 5)


def test_follow_ups_speed_guard_and_reply_capacity_are_per_seat() -> None:
    mine = [bucket("p", rate=0.2), bucket("f", rate=0.1, follows="p", gap_days=7)]
    seats = [{"name": "A", "buckets": mine}, {"name": "B", "buckets": mine}]
    spec = Spec.from_dict(team(seats, tier=tier(20), speed_guard={"base": 3, "growth": 0.0}, replies_per_day=0.6))
    assert spec.buckets[spec.index("f", 1)].parent == spec.index("p", 1)
    # B's follow-ups follow B's own parent sends, not A's
    assert oracle.violations(spec, sched(spec, {("A", "p", 1): 3, ("A", "f", 8): 2})) == []
    assert oracle.violations(spec, sched(spec, {("A", "p", 1): 3, ("B", "f", 8): 1})) == [
        "follow-up: seat 'B': f has 1 by day 8 > 0.8 * 0"
    ]
    # each seat may send 3 a day (growth 0) and expect 0.6 replies: both seats at once is fine
    assert oracle.violations(spec, sched(spec, {("A", "p", 1): 3, ("B", "p", 1): 3})) == []
    bad = oracle.violations(spec, sched(spec, {("A", "p", 1): 3, ("A", "f", 1): 1}))
    assert bad == [
        "follow-up: seat 'A': f has 1 by day 1 > 0.8 * 0",
        "speed guard: seat 'A': day 1 sends 4 > 3",
        "replies per day: seat 'A': day 1 expects 0.7 > 0.6",
    ]


def test_brute_force_respects_seat_caps_and_per_seat_daily_caps() -> None:
    # a pool of 2 x 2 credits; A's bucket is worth 3 x 0.5, B's 1 x 0.5, but A may spend only 1 credit
    # and B at most 1 a day, on the four Mondays: A sends 1, B sends 3
    seats = [
        {"name": "A", "seat_cap": 1, "buckets": [bucket("a", priority="high")]},
        {"name": "B", "daily_cap": 1, "buckets": [bucket("b", priority="low")]},
    ]
    spec = Spec.from_dict(team(seats, tier=tier(2), send_days=["Mon"]))
    best, x, leaves = oracle.enumerate_optimum(spec)
    assert best == pytest.approx(1.5 + 3 * 0.5)
    assert [sum(row) for row in x] == [1, 3] and max(x[1]) == 1
    assert leaves > 1
    assert oracle.violations(spec, x) == []


# --- (b) the planner's team plans, checked by the oracle ------------------------------------

STARTS = [date(2028, 2, 29), date(2026, 1, 31), date(2027, 3, 31), date(2026, 2, 1), date(2026, 11, 30), date(2027, 8, 31)]
GOALS = ["recruiting", "sales", "networking"]


def _random_tier(rng: random.Random, k: int, small: bool) -> dict[str, Any] | str:
    if not small and rng.random() < 0.15:
        return rng.choice(["Premium Career", "Recruiter Lite"])  # catalog tiers, credits per seat
    monthly = rng.randint(1, 3) if small else rng.randint(2, 12)
    policy = rng.choice(["cycle", "rollover"])
    row: dict[str, Any] = {"name": f"T{k}", "monthly_credits": monthly, "policy": policy, "credit_back": rng.random() < 0.6}
    if policy == "rollover":
        row["max_age_days"] = rng.choice([20, 35, 60, 90])
    if rng.random() < 0.5:
        row["balance_cap"] = monthly * rng.choice([1, 2, 3])
    return row


def _some_days_off(rng: random.Random, start: date, n_days: int, share: float) -> list[date]:
    return sorted({start + timedelta(days=t) for t in range(n_days) if rng.random() < share})


def _random_seat(rng: random.Random, i: int, start: date, n_days: int, small: bool) -> dict[str, Any]:
    seat: dict[str, Any] = {"name": f"seat {i}"}
    goals = rng.sample(GOALS, rng.choice([1, 1, 2]))
    buckets: list[dict[str, Any]] = []
    for j in range(1 if small else rng.randint(1, 3)):
        b = bucket(f"b{j}", rate=round(rng.uniform(0.05, 0.5), 2), goal=goals[j % len(goals)])
        b["priority"] = rng.choice(["high", "medium", "low"])
        if rng.random() < 0.5:
            b["pool"] = rng.randint(1, 3) if small else rng.randint(2, 20)
        if j and rng.random() < 0.4:
            b.update(follows="b0", gap_days=rng.choice([0, 2, 7]), follows_who=rng.choice(["non_responders", "responders"]))
        buckets.append(b)
    if rng.random() < 0.3:
        buckets.append(bucket("open profile", rate=0.1, goal=goals[0], free=True, pool=rng.randint(1, 2 if small else 6)))
    seat["buckets"] = buckets
    if len(goals) > 1:
        first = round(rng.choice([0.3, 0.5, 0.7, 0.9]), 2)
        seat["goals"] = {goals[0]: first, goals[1]: round(1 - first, 2)}
    elif rng.random() < 0.3:
        seat["goals"] = {goals[0]: 1.0}
    if small:
        seat["send_days"] = [rng.choice(oracle.WEEKDAYS[:5])]
        seat["days_off"] = _some_days_off(rng, start, n_days, 0.7)
    elif rng.random() < 0.5:
        seat["send_days"] = sorted(rng.sample(oracle.WEEKDAYS, rng.randint(1, 5)), key=oracle.WEEKDAYS.index)
    if rng.random() < 0.4:
        seat["daily_cap"] = rng.randint(1, 2 if small else 4)
    if rng.random() < 0.5:
        seat["seat_cap"] = rng.randint(1, 2 if small else 8)
    return seat


def random_team(seed: int, small: bool) -> dict[str, Any]:
    """A seeded team scenario: tiny (brute-forceable: a few send days and credits) or small."""
    rng = random.Random(seed)
    start = rng.choice(STARTS)
    cycles = 1 if small and rng.random() < 0.5 else rng.randint(1, 2 if small else 3)
    n_days = (oracle.add_months(start, cycles) - start).days
    data: dict[str, Any] = {"version": 2, "start": start, "cycles": cycles, "time_discount": rng.choice([0.0, 0.001, 0.004])}
    data["tiers"] = [_random_tier(rng, k, small) for k in range(cycles)]
    if rng.random() < 0.3:
        data["bonus_credits"] = [rng.randint(0, 3) for _ in range(cycles)]
    data["refund_reliance"] = rng.choice([0.0, 0.5, 1.0])
    data["refund_lag_days"] = rng.choice([1, 3, 7])
    if rng.random() < 0.3:
        data["reserve"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        data["daily_cap"] = rng.randint(1, 3)
    if not small and rng.random() < 0.3:
        data["speed_guard"] = {"base": rng.randint(1, 3), "growth": 1.5}
    if not small and rng.random() < 0.3:
        data["replies_per_day"] = 0.8
    if small and rng.random() < 0.5:
        data["days_off"] = _some_days_off(rng, start, n_days, 0.5)
    n_seats = rng.randint(2, 3) if small else rng.randint(2, 4)
    data["seats"] = [_random_seat(rng, i, start, n_days, small) for i in range(n_seats)]
    return data


def plan_of(data: dict[str, Any], feasible: bool = True) -> Plan:
    plan = make_plan(parse_any_scenario(data), time_limit=60)
    if feasible:
        assert plan.is_ok, (plan.status, plan.message, plan.diagnosis)
    return plan


def schedule_of(spec: Spec, plan: Plan) -> list[list[int]]:
    """The plan's schedule table (date, seat, bucket, sends) as the oracle's sends[bucket][day]."""
    rows = plan.schedule
    seats = rows["seat"] if "seat" in rows else [None] * len(rows)
    return oracle.sends_from_rows(spec, zip(rows["date"], seats, rows["bucket"], rows["sends"], strict=True))


def check_team_plan(spec: Spec, plan: Plan) -> oracle.Score:
    """The plan is feasible for the oracle, and its objective, pool ledger and per-seat numbers agree with it."""
    x = schedule_of(spec, plan)
    ledger = oracle.simulate(spec, x)
    broken = oracle.violations(spec, x, ledger)
    assert broken == [], broken[:5]
    sc = oracle.objective(spec, x)
    assert plan.totals is not None
    assert float(plan.totals.objective) == pytest.approx(sc.objective, rel=1e-9, abs=1e-6)
    for key, mine in oracle.totals(spec, x, ledger).items():
        assert float(getattr(plan.totals, key)) == pytest.approx(mine, rel=1e-6, abs=1e-6), key
    closing = [float(v) for v in plan.ledger["closing"]]
    assert closing == pytest.approx(ledger.closing, abs=1e-6)
    if plan.problem.is_team:
        by_seat = {(s.seat, k): s.credits_by_cycle[k] for s in plan.seats for k in range(spec.cycles)}
        assert by_seat == {
            (seat.name, k): oracle.seat_paid(spec, x, s, k) for s, seat in enumerate(spec.seats) for k in range(spec.cycles)
        }
        # the goal-mix table lists the goals with a target (0 elsewhere)
        listed = {(r.seat, r.goal, r.cycle - 1): r.target for r in plan.goal_mix.itertuples()}
        targets = {
            (seat.name, g, k): spec.target(g, k, s)
            for s, seat in enumerate(spec.seats)
            for g in seat.shares
            for k in range(spec.cycles)
        }
        assert {key: listed.get(key, 0) for key in targets} == targets
        assert all(targets.get(key, 0) == v for key, v in listed.items())
    return sc


# seed 110 (3 seats, 3 cycles, reliance 1 with a 1-day lag, speed guard) is left out for time only:
# the planner needs about 60 s here to prove its gap below 0.5 % (0.94 % at 10 s); see the branch's report
SMALL_SEEDS = range(101, 110)
TINY_SEEDS = range(201, 211)


@pytest.mark.parametrize("seed", SMALL_SEEDS)
def test_small_random_team_plans_pass_the_oracle(seed: int) -> None:
    data = random_team(seed, small=False)
    spec = Spec.from_dict(data)
    plan = plan_of(data)
    check_team_plan(spec, plan)
    assert plan.gap is not None and plan.gap <= GAP


@pytest.mark.parametrize("seed", TINY_SEEDS)
def test_tiny_random_team_plans_are_within_the_gap_of_the_brute_force_optimum(seed: int) -> None:
    data = random_team(seed, small=True)
    spec = Spec.from_dict(data)
    plan = plan_of(data, feasible=False)
    best, x, _ = oracle.enumerate_optimum(spec)
    if x is None:  # no schedule is feasible: the planner must say so
        assert plan.status == "infeasible" and plan.diagnosis, (plan.status, plan.message)
        return
    sc = check_team_plan(spec, plan)
    optimum = oracle.objective(spec, x)
    assert optimum.objective == pytest.approx(best)
    assert best - sc.objective <= GAP * optimum.value + 1e-9, (best, sc.objective)
    assert plan.bound is not None and plan.bound >= best - 1e-6, (plan.bound, best)  # the gap it reports is true


# --- (c) a one-seat team is the one-seat scenario -----------------------------------------

SEAT_FIELDS = ("buckets", "goals", "send_days", "days_off", "daily_cap")


def one_seat_pair(seed: int, small: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random team's contract with its first seat alone: as a team of one, and as a one-seat scenario."""
    data = random_team(seed, small)
    seat = {k: v for k, v in data["seats"][0].items() if k != "seat_cap"}  # a one-seat scenario has no seat cap
    contract = {k: v for k, v in data.items() if k not in ("seats", "version")}
    one = {**contract, **{k: v for k, v in seat.items() if k in SEAT_FIELDS}}
    if "send_days" not in seat and "send_days" in contract:
        one["send_days"] = contract["send_days"]
    return {**contract, "version": 2, "seats": [seat]}, one


@pytest.mark.parametrize("seed", [301, 302, 303, 304])
def test_a_one_seat_team_is_the_one_seat_scenario_in_the_oracle(seed: int) -> None:
    as_team, alone = one_seat_pair(seed, small=seed % 2 == 0)
    t, o = Spec.from_dict(as_team), Spec.from_dict(alone)
    assert t.team is not None and o.team is None
    assert (t.n_days, t.starts, t.buckets, t.seats[0].shares) == (o.n_days, o.starts, o.buckets, o.shares)
    assert [(t.grant(k), t.cap(k), t.reserve_floor(k)) for k in range(t.cycles)] == [
        (o.grant(k), o.cap(k), o.reserve_floor(k)) for k in range(o.cycles)
    ]
    assert [t.can_send(d) for d in range(t.n_days)] == [o.can_send(d) for d in range(o.n_days)]
    assert {g: [t.target(g, k) for k in range(t.cycles)] for g in o.shares} == {
        g: [o.target(g, k) for k in range(o.cycles)] for g in o.shares
    }
    rng = random.Random(seed)
    for _ in range(20):  # random schedules, feasible or not: the same ledger, messages and score
        x = [[rng.choice([0, 0, 0, 1, 2]) for _ in range(t.n_days)] for _ in t.buckets]
        assert oracle.simulate(t, x).closing == oracle.simulate(o, x).closing
        assert [v.replace("seat 'seat 0': ", "") for v in oracle.violations(t, x)] == oracle.violations(o, x)
        assert oracle.objective(t, x) == oracle.objective(o, x)
    plans = [plan_of(as_team), plan_of(alone)]
    scores = [check_team_plan(spec, plan) for spec, plan in zip((t, o), plans, strict=True)]
    assert scores[0].objective == pytest.approx(scores[1].objective, abs=1e-6)
    if seed % 2 == 0:
        assert oracle.enumerate_optimum(t)[0] == pytest.approx(oracle.enumerate_optimum(o)[0])

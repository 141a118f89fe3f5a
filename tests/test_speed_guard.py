"""The speed guard and the reply capacity (MODEL.md v2, "Pacing"): schema, plans day by day, re-plans, checker, diagnosis.

Optima here are worked out by hand on tiny scenarios (conftest: one cycle from
Monday 2 Feb 2026, 20 weekdays, a 10-credit use-it-or-lose-it tier); the
enumerated optima with tier changes and credit-backs are in test_optimality.py.
"""

from __future__ import annotations

import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import bucket, make, tier
from replans import REPLAN_SCENARIO, replan_problem

from planner.check import violations
from planner.diagnose import counting_rules
from planner.paths import EXAMPLES_DIR
from planner.plan import Plan
from planner.problem import resolve
from planner.scenario import ScenarioError, load_scenario, parse_scenario, scenario_from_toml, scenario_to_toml
from planner.solve import make_plan
from planner.usage import Outcome, UsageEntry

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402


def solve(problem_or_scenario: Any) -> Plan:
    plan = make_plan(problem_or_scenario, time_limit=30)
    assert plan.is_ok, (plan.status, plan.message, plan.diagnosis)
    assert violations(plan.problem, plan.sends) == []
    return plan


def per_day(plan: Plan) -> dict[date, int]:
    """InMails per day (every bucket, credit-paid and free), days with sends only."""
    totals = plan.sends.sum(axis=0)
    return {plan.problem.calendar.date_of(t): int(n) for t, n in enumerate(totals) if n}


def feb(day: int) -> date:
    return date(2026, 2, day)


# --- the plan keeps the guard and the reply capacity, day by day --------------------------


def test_the_guard_holds_every_day_free_sends_included() -> None:
    plan = solve(
        make(
            tier=tier(40),
            speed_guard={"base": 2, "growth": 1.0},
            buckets=[bucket("A"), bucket("Open", free=True, pool=20, response_rate=0.3)],
        )
    )
    sends = plan.sends.sum(axis=0)
    for t in range(plan.problem.n_days):  # computed here from the definition, not by the planner's checker
        assert sends[t] <= 2 + 1.0 * sends[max(0, t - 7) : t].sum() / 7 + 1e-9, t
    assert sends[0] == 2  # the first day has no week before it: the base alone
    free = plan.sends[1].sum()
    assert free == 20 and plan.totals is not None and plan.totals.credits_spent == 40


def test_a_guard_without_growth_is_a_steady_daily_pace() -> None:
    # base 1, growth 0: one InMail a day, so the 10 credits take the first 10 weekdays
    plan = solve(make(speed_guard={"base": 1, "growth": 0.0}))
    weekdays = [feb(d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)]
    assert per_day(plan) == dict.fromkeys(weekdays, 1)


def test_the_guard_ramps_with_the_week_before() -> None:
    # base 2, growth 7: day 1 sends 2, day 2 may send 2 + 2 = 4, day 3 2 + 6 = 8 but 4 credits are left
    plan = solve(make(speed_guard={"base": 2, "growth": 7.0}))
    assert per_day(plan) == {feb(2): 2, feb(3): 4, feb(4): 4}


def test_replies_per_day_limits_expected_replies_each_day_free_sends_included() -> None:
    # rate 0.2 and at most 0.4 replies a day: two sends a day, the 10 credits over the first five weekdays
    plan = solve(make(replies_per_day=0.4))
    assert per_day(plan) == dict.fromkeys([feb(d) for d in (2, 3, 4, 5, 6)], 2)
    mixed = solve(make(replies_per_day=0.5, buckets=[bucket("A"), bucket("Open", free=True, pool=4, response_rate=0.3)]))
    rates = np.array([b.rate for b in mixed.problem.buckets])
    replies = rates @ mixed.sends
    assert replies.max() <= 0.5 + 1e-9 and mixed.sends[1].sum() == 4
    assert np.isclose(replies, 0.5).any()  # the capacity binds on some day


def test_without_the_new_fields_the_plan_is_as_before() -> None:
    before = solve(make(daily_cap=3))
    same = solve(make(daily_cap=3, speed_guard=None, replies_per_day=None))
    assert np.array_equal(before.sends, same.sends)
    loose = solve(make(daily_cap=3, speed_guard={"base": 3, "growth": 0.0}, replies_per_day=10.0))
    assert loose.totals is not None and before.totals is not None
    assert loose.totals.objective == pytest.approx(before.totals.objective)  # limits that do not bind change nothing


# --- a re-plan counts the logged sends of the week before today ------------------------------


def test_a_replan_counts_the_logged_sends_before_today() -> None:
    # logged: A on 1, 2, 3 March 2027; today Thursday 4 March. Base 1, growth 7: today may send
    # 1 + 7 * 3 / 7 = 4; the next day 1 + 7 * (3 + 4) / 7 = 8, but 3 credits are left of 10 (one cycle)
    problem = replan_problem(date(2027, 3, 4), cycles=1, speed_guard={"base": 1, "growth": 7.0})
    assert problem.sent_in_week_before(problem.first_day) == 3
    plan = solve(problem)
    assert per_day(plan) == {date(2027, 3, 4): 4, date(2027, 3, 5): 3}
    # the same sends with no log before today break the guard: the log is what allows them
    fresh = resolve(parse_scenario({**REPLAN_SCENARIO, "cycles": 1, "speed_guard": {"base": 1, "growth": 7.0}}))
    assert any("speed guard" in v for v in violations(fresh, plan.sends))


def test_a_replan_counts_free_and_unknown_logged_sends_but_only_the_last_seven_days() -> None:
    log = [
        UsageEntry(date(2027, 3, 1), "A", Outcome.PENDING, None),
        UsageEntry(date(2027, 3, 8), "Elsewhere", Outcome.PENDING, None, free=True),
        UsageEntry(date(2027, 3, 9), "B", Outcome.REPLIED, date(2027, 3, 10)),
    ]
    problem = replan_problem(date(2027, 3, 10), log, cycles=1, speed_guard={"base": 1, "growth": 7.0})
    # 1 March is 9 days before today: outside the week; 8 and 9 March count, whatever their bucket
    assert problem.sent_in_week_before(problem.first_day) == 2
    plan = solve(problem)
    assert int(plan.sends[:, problem.first_day].sum()) == 3  # 1 + 7 * 2 / 7


# --- the checker and the diagnosis -----------------------------------------------------------


def test_the_checker_names_a_day_over_the_guard_and_over_the_reply_capacity() -> None:
    problem = resolve(make(speed_guard={"base": 2, "growth": 0.0}, replies_per_day=0.3))
    sends = np.zeros((1, problem.n_days), dtype=int)
    sends[0, 0] = 3
    found = violations(problem, sends)
    assert any(v.startswith("2026-02-02: 3 sends above the speed guard's 2") for v in found), found
    assert any("0.6 expected replies above replies_per_day 0.3" in v for v in found), found
    sends[0, 0] = 1
    assert violations(problem, sends) == []


def test_minimums_the_guard_cannot_fit_are_explained_with_numbers() -> None:
    scenario = make(tier=tier(40), speed_guard={"base": 1, "growth": 0.0}, buckets=[bucket(min=30)])
    plan = make_plan(scenario, time_limit=20)
    assert str(plan.status) == "infeasible"
    reason = (
        "cycle 1 (2026-02-02 to 2026-03-01): minimums need 30 sends but the speed guard (base 1, growth 0) "
        "allows at most 20 on its 20 send days (1 on the first, 1 on the last)"
    )
    assert reason in plan.diagnosis


def test_minimums_the_reply_capacity_cannot_fit_are_explained_with_numbers() -> None:
    scenario = make(tier=tier(40), replies_per_day=0.2, buckets=[bucket(min=30)])
    reasons = counting_rules(resolve(scenario))
    assert reasons == [
        "cycle 1 (2026-02-02 to 2026-03-01): the minimums expect 6 replies (response rate x minimum, summed over "
        "the buckets) but replies_per_day = 0.2 on 20 send days allows 4"
    ]
    assert reasons[0] in make_plan(scenario, time_limit=20).diagnosis


# --- the scenario file ------------------------------------------------------------------------


BASE_TOML = 'start = 2026-06-01\ntier = "Premium Business"\n{extra}\n[goals]\nsales = 1.0\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('speed_guard = { base = "3", growth = 1.5 }', 'speed_guard.base = "3": must be a number, not text'),
        ("speed_guard = { base = -1, growth = 1.5 }", "speed_guard.base = -1: must be between 1 and 10000"),
        ("speed_guard = { base = 0.5, growth = 1.5 }", "speed_guard.base = 0.5: must be between 1 and 10000"),
        ("speed_guard = { base = nan, growth = 1.5 }", "speed_guard.base = nan: must be between 1 and 10000"),
        ("speed_guard = { base = 3, growth = -0.5 }", "speed_guard.growth = -0.5: must be between 0 and 10"),
        ("speed_guard = { base = 3, growth = 1000 }", "speed_guard.growth = 1000: must be between 0 and 10"),
        ("speed_guard = { base = 3, growth = inf }", "speed_guard.growth = inf: must be between 0 and 10"),
        ("speed_guard = { base = 3, growth = true }", "speed_guard.growth = true: must be a number, not true/false"),
        ("speed_guard = { base = 3 }", "speed_guard.growth: required field is missing"),
        ("speed_guard = { base = 3, growth = 1, grow = 2 }", "speed_guard.grow: unknown field (value 2); did you mean growth?"),
        ("speed_guard = 3", "speed_guard = 3: must be a table, not a whole number"),
        ('replies_per_day = "4"', 'replies_per_day = "4": must be a number, not text'),
        ("replies_per_day = -1", "replies_per_day = -1: must be above 0 and at most 10000"),
        ("replies_per_day = 0", "replies_per_day = 0: must be above 0 and at most 10000"),
        ("replies_per_day = nan", "replies_per_day = nan: must be above 0 and at most 10000"),
        ("replies_per_day = 1e9", "replies_per_day = 1000000000.0: must be above 0 and at most 10000"),
        ("version = 3", "version = 3: must be 1 or 2"),
        (
            "version = 1\nreplies_per_day = 2",
            "version = 1: replies_per_day is a field of version 2; write version = 2 (or leave version out)",
        ),
    ],
)
def test_bad_pacing_values_are_refused_naming_the_field_and_the_value(extra: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario_from_toml(BASE_TOML.format(extra=extra))
    assert message in err.value.problems, err.value.problems


def test_a_file_with_the_new_fields_is_written_as_version_2_and_read_back_the_same() -> None:
    text = BASE_TOML.format(extra="speed_guard = { base = 3, growth = 1.5 }\nreplies_per_day = 2.5")
    scenario = scenario_from_toml(text)
    written = scenario_to_toml(scenario)
    assert written.startswith("version = 2\n") and "replies_per_day = 2.5" in written
    again = scenario_from_toml(written)
    assert again.speed_guard == scenario.speed_guard and again.replies_per_day == 2.5 and again.version == 2
    # without them a scenario stays version 1, and version 2 is read without them too
    plain = scenario_from_toml(BASE_TOML.format(extra=""))
    assert scenario_to_toml(plain).startswith("version = 1\n")
    assert scenario_from_toml("version = 2\n" + BASE_TOML.format(extra="")).version == 2


def test_the_paced_example_keeps_its_pace_and_the_v1_examples_have_none() -> None:
    paced = load_scenario(EXAMPLES_DIR / "sales_paced.toml")
    assert paced.version == 2 and paced.speed_guard is not None and paced.daily_cap == 6
    plan = solve(paced)
    assert dict(zip(plan.allocation["bucket"], plan.allocation["sends"], strict=True)) == {
        "Initial prospecting": 25,
        "Follow-up": 15,
        "Account expansion": 10,
    }
    assert plan.gap is not None and plan.gap <= 0.005
    # the independent oracle finds every constraint held, the pace included, and the same objective
    with open(EXAMPLES_DIR / "sales_paced.toml", "rb") as handle:
        spec = oracle.Spec.from_dict(tomllib.load(handle))
    x = oracle.sends_by_name(spec, [b.name for b in plan.problem.buckets], plan.sends)
    assert spec.guard == (3.0, 1.5) and oracle.violations(spec, x) == []
    assert plan.totals is not None and oracle.objective(spec, x).objective == pytest.approx(float(plan.totals.objective))
    for name in ("sales_rep", "recruiter", "job_seeker", "team_upgrade"):
        v1 = load_scenario(EXAMPLES_DIR / f"{name}.toml")
        assert (v1.version, v1.speed_guard, v1.replies_per_day) == (1, None, None)


def test_a_replan_state_carries_the_logged_sends_per_day() -> None:
    problem = replan_problem(date(2027, 3, 4))  # A logged on 1, 2 and 3 March (days 0, 1, 2); today is day 3
    assert problem.start.logged == {0: 1, 1: 1, 2: 1}
    # the week before day 8 holds days 1 and 2 of the log; the week before day 10 holds only planned days
    assert [problem.sent_in_week_before(t) for t in (3, 8, 10)] == [3, 2, 0]


def test_a_team_paces_each_seat_on_its_own() -> None:
    """The speed guard and the reply capacity are a person's: each seat of a team has its own, not one for the pool."""
    from planner.check import violations
    from planner.scenario import any_scenario_from_toml

    text = """version = 2
start = 2026-06-01
tier = "Recruiter (Corporate)"
speed_guard = { base = 2, growth = 0.5 }
replies_per_day = 0.6

[[seats]]
name = "Ana"
goals = { recruiting = 1.0 }

[[seats]]
name = "Ben"
goals = { sales = 1.0 }
"""
    plan = make_plan(resolve(any_scenario_from_toml(text)))
    problem = plan.problem
    assert plan.is_ok and violations(problem, plan.sends) == []
    guard = problem.scenario.speed_guard
    assert guard is not None
    over_one_person = False
    for seat in problem.seats:
        mine = [b.index for b in problem.buckets_of(seat.index)]
        rates = np.array([problem.buckets[i].rate for i in mine])
        for t in range(problem.n_days):
            day = plan.sends[mine, t].sum()
            assert day <= guard.allowed(plan.sends[mine, max(0, t - 7) : t].sum()) + 1e-9, (seat.name, t)
            assert rates @ plan.sends[mine, t] <= 0.6 + 1e-9, (seat.name, t)
    for t in range(problem.n_days):  # the pool sends more a day than one person's guard would allow
        over_one_person |= bool(plan.sends[:, t].sum() > guard.allowed(plan.sends[:, max(0, t - 7) : t].sum()) + 1e-9)
    assert over_one_person

"""Diagnosis of a scenario with no plan: the reasons name the limits and the numbers, for a plan from day 0 and a re-plan."""

from __future__ import annotations

from datetime import date

from conftest import bucket, make, tier
from replans import replan_problem

from planner.diagnose import diagnose
from planner.problem import resolve
from planner.solve import make_plan


def test_minimums_above_the_credits_name_the_tier_and_the_numbers() -> None:
    reasons = diagnose(resolve(make(buckets=[bucket(min=12)])))
    assert reasons[0] == (
        "cycle 1 (2026-02-02 to 2026-03-01): minimums need 12 credit-paid sends, "
        "but Test 10 gives 10 credits granted: at most 10 sends"
    )
    # the elastic model agrees, by how much
    assert reasons[1].endswith(
        "A needs at least 12 sends, but with the other minimums, credits, caps and follow-up rules only 10 fit"
    )


def test_a_reserve_kept_all_cycle_leaves_too_few_credits_for_the_minimum() -> None:
    # the minimum fits the credits, the reserve fits them too, but not both with no release days
    reasons = diagnose(resolve(make(buckets=[bucket(min=8)], reserve=5, reserve_release_days=0)))
    assert reasons == [
        "cycle 1 (2026-02-02 to 2026-03-01): minimums need 8 credit-paid sends and the reserve keeps 5, "
        "but Test 10 gives 10 credits granted: at most 10 sends",
        "cycle 1 (2026-02-02 to 2026-03-01): A needs at least 8 sends, but with the other minimums, credits, "
        "caps and follow-up rules only 5 fit",
    ]


def test_an_infeasible_replan_talks_about_the_days_from_today() -> None:
    # today is Thursday 25 March: five send days are left in March, one send a day, and B needs 8
    problem = replan_problem(date(2027, 3, 25), daily_cap=1, buckets=[bucket("B", min=8)])
    plan = make_plan(problem)
    assert str(plan.status) == "infeasible"
    assert plan.diagnosis[0] == (
        "cycle 1 from today (2027-03-25 to 2027-03-31): minimums need 8 sends but 5 send days x 1/day allow 5"
    )


def test_a_replan_in_the_second_cycle_never_blames_the_past_cycle() -> None:
    # today is Monday 26 April: March is over; April has 4 send days left and B needs 8 a cycle
    problem = replan_problem(date(2027, 4, 26), [], daily_cap=1, buckets=[bucket("B", min=8)])
    reasons = diagnose(problem)
    assert reasons, "an infeasible re-plan always gets a reason"
    assert all("cycle 1" not in r and "no send day" not in r for r in reasons), reasons
    assert reasons[0].startswith("cycle 2 from today (2027-04-26 to 2027-04-30)")


def test_a_replan_counts_the_minimum_already_logged() -> None:
    # three of A's minimum of 9 were logged in March: the 7 credits left cover the 6 still owed
    problem = replan_problem(date(2027, 3, 4), buckets=[bucket("A", min=9, pool=9)])
    assert diagnose(problem) == [
        "The minimums, pools, follow-up rules, caps and reserve cannot all hold together; lower a minimum or the reserve."
    ]
    assert make_plan(problem).is_ok


def test_a_replan_with_too_few_credits_held_today_says_so() -> None:
    # 3 credits were spent, 7 are held today, and no grant comes before April: 11 - 3 = 8 still owed do not fit
    problem = replan_problem(date(2027, 3, 4), buckets=[bucket("A", min=11)], tier=tier(10))
    reasons = diagnose(problem)
    assert reasons[0] == (
        "cycle 1 from today (2027-03-04 to 2027-03-31): minimums need 8 credit-paid sends, "
        "but Test 10 gives no new grant plus at most 7 held today: at most 7 sends"
    )

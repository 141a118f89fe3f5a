"""The independent check of a schedule: every constraint of MODEL.md in words, and the score, from day 0 and from today."""

from __future__ import annotations

from datetime import date

import numpy as np
from conftest import bucket, make
from replans import replan_problem

from planner.check import score, violations
from planner.problem import Problem, resolve


def schedule(problem: Problem, rows: dict[tuple[int, int], int]) -> np.ndarray:
    """sends[b, t] from {(b, t): n}."""
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    for (b, t), n in rows.items():
        sends[b, t] = n
    return sends


def test_a_feasible_schedule_has_no_violation_and_its_score() -> None:
    problem = resolve(make())
    sends = schedule(problem, {(0, 0): 10})
    assert violations(problem, sends) == []
    assert score(problem, sends).weighted_value == 3 * 0.2 * 10  # day 0: no discount


def test_each_broken_rule_is_named() -> None:
    problem = resolve(make(daily_cap=3, buckets=[bucket(pool=4, min=2), bucket("F", follows="A", gap_days=2)]))
    sends = schedule(problem, {(0, 0): 3, (0, 5): 2, (1, 1): 1})  # 5 > pool 4; a Saturday (5 = 7 Feb); follow-up too early
    found = violations(problem, sends)
    assert "2026-02-07: sends on a day that is not a send day" in found
    assert "cycle 1: A sends 5, above its pool 4" in found
    assert "2026-02-03: F has 1 follow-ups but only 0 are eligible" in found


def test_a_replan_pool_is_what_the_log_left_of_it() -> None:
    problem = replan_problem(date(2027, 3, 4))  # A's pool of 8: 3 logged in March
    assert violations(problem, schedule(problem, {(0, 3): 5})) == []
    assert violations(problem, schedule(problem, {(0, 3): 6})) == ["cycle 1: A sends 6, above its pool 5"]


def test_a_replan_cannot_send_before_today() -> None:
    problem = replan_problem(date(2027, 3, 4))
    assert violations(problem, schedule(problem, {(0, 2): 1})) == ["2027-03-03: sends on a day that is not a send day"]


def test_a_replan_goal_target_counts_the_logged_paid_sends() -> None:
    problem = replan_problem(date(2027, 3, 4), goals={"sales": 1.0})
    sc = score(problem, schedule(problem, {(0, 3): 5}))
    # March's target of 10 less the 3 logged: 7, of which 5 are planned
    assert sc.shortfall[0, problem.goals_of(0)[0], 0] == 2

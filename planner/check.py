"""Check a schedule against every constraint of MODEL.md and score it.

Independent of the optimiser: it reads only the problem and the sends, and
runs the ledger simulator for the credit rules. The solver uses it to refuse
any plan it cannot stand behind; the tests use it on every plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.ledger import simulate
from planner.problem import Problem
from planner.scenario import Goal

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Score:
    """The objective of MODEL.md, split into its parts."""

    weighted_value: float
    shortfall: dict[tuple[int, Goal, int], int]  # per seat, goal and cycle with a target
    penalty_weight: float
    paid: dict[tuple[int, Goal, int], int]  # credit-paid sends per seat, goal and cycle with a target

    @property
    def total_shortfall(self) -> int:
        return sum(self.shortfall.values())

    @property
    def objective(self) -> float:
        return self.weighted_value - self.penalty_weight * self.total_shortfall


def score(problem: Problem, sends: np.ndarray) -> Score:
    """Weighted value of the sends and the goal-mix shortfall per goal and cycle."""
    value = 0.0
    for b in problem.buckets:
        for t in np.nonzero(sends[b.index])[0]:
            value += b.weight * b.rate * problem.value_factor(int(t)) * sends[b.index, t]
    shortfall: dict[tuple[int, Goal, int], int] = {}
    paid: dict[tuple[int, Goal, int], int] = {}
    cal = problem.calendar
    for k in problem.cycles_ahead():
        days = cal.cycle_days(k)
        for s, g in problem.goal_keys():
            target = problem.goal_target(s, g, k)
            if target <= 0:
                continue
            mine = [b.index for b in problem.buckets_of(s) if b.goal == g and not b.free]
            sent = int(sends[mine, days.start : days.stop].sum())
            paid[s, g, k] = sent
            shortfall[s, g, k] = max(0, target - sent)
    return Score(value, shortfall, problem.shortfall_penalty, paid)


def week_before(problem: Problem, sends: np.ndarray, t: int, seat: int = 0) -> float:
    """The InMails of seat's buckets in the 7 days before day t, the speed guard's window (a re-plan's log included)."""
    mine = [b.index for b in problem.buckets_of(seat)]
    return float(sends[mine, max(0, t - 7) : t].sum() + problem.sent_in_week_before(t))


def replies_on(problem: Problem, sends: np.ndarray, t: int, seat: int = 0) -> float:
    """sum_{b of seat} r_b x[b, t]: the expected replies of the seat's sends on day t (the reply capacity's left side)."""
    return float(sum(b.rate * sends[b.index, t] for b in problem.buckets_of(seat)))


def _pace_violations(problem: Problem, sends: np.ndarray) -> list[str]:
    """The speed guard and the reply capacity (MODEL.md v2) of every seat, day by day (a re-plan's log before today counts)."""
    s, cal = problem.scenario, problem.calendar
    found: list[str] = []
    for seat in problem.seats:
        who = f" ({seat.name})" if problem.is_team else ""
        mine = [b.index for b in problem.buckets_of(seat.index)]
        for t in range(problem.n_days):
            today = sends[mine, t].sum()
            if s.speed_guard is not None and today > 0:
                week = week_before(problem, sends, t, seat.index)
                allowed = s.speed_guard.allowed(week)
                if today > allowed + TOLERANCE:
                    above = f"{today:g} sends above the speed guard's {allowed:g} ({week:g} in the week before)"
                    found.append(f"{cal.date_of(t)}{who}: {above}")
            if s.replies_per_day is not None and today > 0:
                replies = replies_on(problem, sends, t, seat.index)
                if replies > s.replies_per_day + TOLERANCE:
                    found.append(
                        f"{cal.date_of(t)}{who}: {replies:g} expected replies above replies_per_day {s.replies_per_day:g}"
                    )
    return found


def violations(problem: Problem, sends: np.ndarray) -> list[str]:
    """Every constraint the schedule breaks, in words; empty when it is feasible."""
    cal = problem.calendar
    found: list[str] = []
    if sends.shape != (len(problem.buckets), problem.n_days):
        return [f"schedule has shape {sends.shape}, expected {(len(problem.buckets), problem.n_days)}"]
    if (sends < 0).any() or not np.array_equal(sends, np.round(sends)):
        found.append("sends must be whole numbers >= 0")
    for seat in problem.seats:
        mine = [b.index for b in problem.buckets_of(seat.index)]
        who = f" ({seat.name})" if problem.is_team else ""
        for t in range(problem.n_days):
            day = sends[mine, t].sum()
            if not problem.can_send(t, seat.index) and day:
                found.append(f"{cal.date_of(t)}{who}: sends on a day that is not a send day")
            if seat.daily_cap is not None and day > seat.daily_cap:
                found.append(f"{cal.date_of(t)}{who}: {day:g} sends above the daily cap {seat.daily_cap}")
        paid = [b.index for b in problem.buckets_of(seat.index) if not b.free]
        for k in problem.cycles_ahead():
            days = cal.cycle_days(k)
            spent = sends[paid, days.start : days.stop].sum()
            if seat.seat_cap is not None and spent > seat.seat_cap:
                found.append(f"cycle {k + 1}{who}: {spent:g} credits spent, above the seat cap {seat.seat_cap}")
    found += _pace_violations(problem, sends)
    for k in problem.cycles_ahead():
        days = cal.cycle_days(k)
        for b in problem.buckets:
            sent = sends[b.index, days.start : days.stop].sum()
            pool, least = problem.pool_of(b, k), problem.min_of(b, k)
            if pool is not None and sent > pool:
                found.append(f"cycle {k + 1}: {b.name} sends {sent:g}, above its pool {pool}")
            if sent < least:
                found.append(f"cycle {k + 1}: {b.name} sends {sent:g}, below its minimum {least}")
    for f in problem.buckets:
        if f.parent is None:
            continue
        child = np.cumsum(sends[f.index])
        parent = np.cumsum(sends[f.parent])
        for t in range(problem.n_days):
            eligible = f.alpha * parent[t - f.gap_days] if t - f.gap_days >= 0 else 0.0
            eligible += problem.extra_eligible(f, t)
            if child[t] > eligible + TOLERANCE:
                found.append(f"{cal.date_of(t)}: {f.name} has {child[t]:g} follow-ups but only {eligible:g} are eligible")
                break
    found += [v.message for v in simulate(problem, sends).violations]
    return found

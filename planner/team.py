"""Teams: a pool's seats planned seat by seat, when the pool pays for what every seat would send on its own.

The seats of a team share nothing but the pool's ledger: pools, minimums,
follow-ups, daily caps, seat caps and goal targets are each seat's. Leaving
the ledger out (constraint 1 and the reserve, MODEL.md) splits the team's
MIP into one small MIP per seat, and the sum of their bounds bounds the
team's optimum (a relaxation: the team's MIP has every row of theirs, and
more). When the pool's ledger, simulated on the seats' schedules together,
pays for every send and keeps the reserve, that schedule is the team's plan,
and its gap is proven against that bound.

When the pool does not pay for it (the seats together want more than the
contract gives), :func:`planner.solve.make_plan` solves the whole team's
model instead, with what is left of the same deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.check import violations
from planner.model import build_model, forced_shortfall, shortfall_columns
from planner.problem import Problem, seat_view
from planner.solver import Deadline, Penalty, Solver, Status, Target, run


@dataclass(frozen=True)
class SeatBySeat:
    """The team's schedule from the seats planned one by one, with the bound it is proven against."""

    sends: np.ndarray  # sends[bucket, day], the team's bucket indices
    bound: float  # sum of the seats' bounds: at least the team's optimum
    offset: float  # the penalty of the goal-mix shortfall no plan avoids, summed over the seats
    status: Status  # OPTIMAL when every seat was proven within the target gap


def _most_spent(problem: Problem) -> np.ndarray:
    """Per day, the most credits the pool can have paid by its end: grants so far / (1 - reliance * max r).

    Each credit spent returns at most ``reliance * max r_b`` (MODEL.md's credit-backs), so the
    spending through day d is at most what was granted through d times 1 / (1 - that).
    """
    granted = np.zeros(problem.n_days)
    for k, t in enumerate(problem.calendar.cycle_starts):
        granted[t] = problem.grants[k]
    back = problem.scenario.refund_reliance * max((b.rate for b in problem.buckets if not b.free), default=0.0)
    through = np.cumsum(granted)
    return through / (1 - back) if back < 1 else np.full(problem.n_days, np.inf)


def seat_by_seat(problem: Problem, deadline: Deadline, target: Target, solver: Solver) -> SeatBySeat | None:
    """Plan each seat alone without the pool's ledger; the team's schedule when the pool pays for it, else None.

    Each seat is proven within ``target.gap`` of its own value, so their sum is
    within it of the team's; None too when a seat has no plan in time (the
    whole team's model then decides, with its diagnosis).
    """
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    bound = offset = 0.0
    status = Status.OPTIMAL
    most = _most_spent(problem)
    paid = [b.index for b in problem.buckets if not b.free]
    for seat in problem.seats:
        view = seat_view(problem, seat.index)
        model = build_model(view, ledger=False)
        if not model.prob.variables():
            continue  # no send day and no goal target (a seat on leave): nothing to plan, and HiGHS refuses an empty model
        near = shortfall_columns(model, view)
        penalty = Penalty(tuple(model.shortfall.values()), view.shortfall_penalty, forced_shortfall(view), near=near)
        outcome = run(model.prob, deadline, target, solver=solver, box=model.sends.values(), penalty=penalty)
        if outcome.values is None or outcome.bound is None:
            return None
        first = problem.buckets_of(seat.index)[0].index if view.buckets else 0
        for (b, t), x in model.sends.items():
            sends[first + b, t] = int(round(outcome.value(x)))
        bound += outcome.bound
        offset += outcome.offset
        if outcome.status is not Status.OPTIMAL:
            status = Status.FEASIBLE
        if (np.cumsum(sends[paid].sum(axis=0)) > most + 1e-6).any():
            return None  # the seats planned so far already spend more than the pool can ever pay: stop early
    if violations(problem, sends):
        return None  # the pool cannot pay for every seat's own best: the team's model shares it out
    return SeatBySeat(sends, bound, offset, status)

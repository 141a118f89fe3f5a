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

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner import backends
from planner.check import violations
from planner.ledger import simulate
from planner.model import Model, add_allowance, build_model, credits_ever, expiry_penalty, forced_shortfall, shortfall_columns
from planner.problem import Problem, seat_view
from planner.solver import Deadline, Penalty, Solution, Solver, Status, Target, run


@dataclass(frozen=True)
class SeatBySeat:
    """The team's schedule from the seats planned one by one, with the bound it is proven against."""

    sends: np.ndarray  # sends[bucket, day], the team's bucket indices
    bound: float  # sum of the seats' bounds: at least the team's optimum
    offset: float  # the penalty of the goal-mix shortfall no plan avoids, summed over the seats
    status: Status  # OPTIMAL when every seat was proven within the target gap (:func:`pooled`: FEASIBLE, make_plan decides)
    solver: str = "HiGHS, seat by seat"


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


SeatModels = dict[int, tuple[Problem, Model]]  # seat index -> its view and its ledger-less model, built once


def seat_model(problem: Problem, seat: int, built: SeatModels) -> tuple[Problem, Model]:
    """Seat ``seat`` alone (:func:`~planner.problem.seat_view`) and its model without the pool's ledger, from ``built``
    when :func:`seat_by_seat` built it already (:func:`pooled` adds its allowance rows to that same model)."""
    if seat not in built:
        view = seat_view(problem, seat)
        built[seat] = (view, build_model(view, ledger=False))
    return built[seat]


def seat_by_seat(
    problem: Problem, deadline: Deadline, target: Target, solver: Solver, built: SeatModels | None = None
) -> SeatBySeat | None:
    """Plan each seat alone without the pool's ledger; the team's schedule when the pool pays for it, else None.

    Each seat is proven within ``target.gap`` of its own value, so their sum is
    within it of the team's; None too when a seat has no plan in time (the
    whole team's model then decides, with its diagnosis).

    It stops early once the seats planned so far overspend the pool: more sends
    never raise the pool's balance on any day (a send costs 1 credit and returns
    at most ``reliance * r_b <= 1`` later; a lower balance forfeits less at a
    cap, never more than it lowers it), so the whole team would overspend too.
    The pool is simulated after every tenth of the seats.
    """
    built = {} if built is None else built
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    bound = offset = 0.0
    status = Status.OPTIMAL
    most = _most_spent(problem)
    paid = [b.index for b in problem.buckets if not b.free]
    every = max(1, problem.n_seats // 10)
    for seat in problem.seats:
        view, model = seat_model(problem, seat.index, built)
        if not model.prob.variables():
            continue  # no send day and no goal target (a seat on leave): nothing to plan; HiGHS refuses an empty model
        outcome = _plan_seat(view, model, deadline, target, solver)
        if outcome.values is None or outcome.bound is None:
            return None
        _place(problem, seat.index, model, outcome, sends)
        bound += outcome.bound
        offset += outcome.offset
        if outcome.status is not Status.OPTIMAL:
            status = Status.FEASIBLE
        if (np.cumsum(sends[paid].sum(axis=0)) > most + 1e-6).any():
            return None  # the seats planned so far already spend more than the pool can ever pay: stop early
        if (seat.index + 1) % every == 0 and seat.index + 1 < problem.n_seats and simulate(problem, sends).violations:
            return None  # the pool's ledger breaks on these seats alone: it breaks with the rest too
    if violations(problem, sends):
        return None  # the pool cannot pay for every seat's own best: the team's model shares it out
    return SeatBySeat(sends, bound, offset, status)


def _plan_seat(
    view: Problem, model: Model, deadline: Deadline, target: Target, solver: Solver, session: backends.Session | None = None
) -> Solution:
    """One seat's model (its ledger left out) solved: the staged HiGHS solve of :func:`planner.solver.run`."""
    near = shortfall_columns(model, view)
    penalty = Penalty(tuple(model.shortfall.values()), view.shortfall_penalty, forced_shortfall(view), near=near)
    return run(model.prob, deadline, target, solver=solver, box=model.sends.values(), penalty=penalty, session=session)


def _place(problem: Problem, seat: int, model: Model, outcome: Solution, sends: np.ndarray) -> None:
    """Write a seat's solved sends into the team's ``sends[bucket, day]`` (the seat's buckets are the team's from its first)."""
    mine = problem.buckets_of(seat)
    first = mine[0].index if mine else 0
    for (b, t), x in model.sends.items():
        sends[first + b, t] = int(round(outcome.value(x)))


@dataclass
class TeamRelaxation:
    """The LP relaxation of the whole team's model (the pool's ledger in it): a bound, and how it shares the pool."""

    bound: float  # its optimum: at least the team model's optimum (the MIP's rows, integrality relaxed)
    spend: np.ndarray  # spend[seat, cycle]: the credits its sends pay, per seat and cycle (fractional)
    shortfall: np.ndarray  # per seat, the LP's goal-mix shortfall sum_{g, k} u[s, g, k]
    model: Model
    session: backends.Session  # the LP loaded in HiGHS, for :func:`cut_shortfall`


def team_relaxation(problem: Problem, deadline: Deadline) -> TeamRelaxation | None:
    """Solve the LP relaxation of the whole team's model; None if it has no optimum in time.

    The bound is the LP's optimum z_LP >= z_MIP. The pool's share of seat s in cycle k is
    spend[s, k] = sum_{b of s, credit-paid} sum_{d in k} x_LP[b, d].
    """
    model = build_model(problem)
    session = backends.Session(model.prob)
    lp = session.run(deadline.give("team LP relaxation"))
    if lp.status is not backends.RunStatus.OPTIMAL or lp.values is None or lp.objective is None:
        return None
    spend = np.zeros((problem.n_seats, problem.calendar.cycles))
    for (b, t), x in model.sends.items():
        bucket = problem.buckets[b]
        if not bucket.free:
            spend[bucket.seat, problem.cycle_of(t)] += lp.values[session.column(x)]
    shortfall = np.zeros(problem.n_seats)
    for (seat, _, _), u in model.shortfall.items():
        shortfall[seat] += lp.values[session.column(u)]
    return TeamRelaxation(lp.objective, spend, shortfall, model, session)


def cut_shortfall(relaxed: TeamRelaxation, floors: np.ndarray, deadline: Deadline) -> float:
    """The team's LP bound with a cut per seat whose LP shortfall is below its floor: sum_{g, k} u[s, g, k] >= F_s.

    F_s is the least shortfall seat s has on its own (its ledger-less LP's least sum, rounded up:
    the offset of its solve). Its sends of the team's plan meet every row of its own model, so
    its shortfall at the team's optimum, a whole number, is at least F_s: the cut keeps that
    optimum, and the bound stops crediting fractions of a unit (each worth M, 100 sends' value).
    The first bound when no seat needs a cut or the cut LP does not solve in time.
    """
    session = relaxed.session
    columns: dict[int, list[int]] = {}
    for (seat, _, _), u in relaxed.model.shortfall.items():
        columns.setdefault(seat, []).append(session.column(u))
    cuts = [s for s, cols in columns.items() if relaxed.shortfall[s] < floors[s] - 1e-6]
    if not cuts:
        return relaxed.bound
    for s in cuts:
        session.add_row(np.array(columns[s], dtype=np.int32), float(floors[s]), float("inf"))
    lp = session.run(deadline.give("team LP with the shortfall cuts"))
    if lp.status is not backends.RunStatus.OPTIMAL or lp.objective is None:
        return relaxed.bound
    return min(relaxed.bound, lp.objective)


def allowances(spend: np.ndarray) -> np.ndarray:
    """Whole credits per seat and cycle from the LP's fractional shares, each cycle's total kept (largest remainders).

    A[s, k] = floor(spend[s, k]), plus one for the floor(sum_s spend[s, k]) - sum_s A[s, k] seats
    with the largest fractional parts: sum_s A[s, k] = floor(sum_s spend[s, k]), what the LP's pool paid.

    >>> allowances(np.array([[1.5], [2.25], [0.75]])).ravel().tolist()
    [1, 2, 1]
    """
    whole = np.floor(spend + 1e-6)
    fraction = spend - whole
    shares = whole.astype(int)
    for k in range(spend.shape[1]):
        extra = int(np.floor(spend[:, k].sum() + 1e-6) - whole[:, k].sum())
        if extra > 0:
            shares[np.argsort(-fraction[:, k], kind="stable")[:extra], k] += 1
    return shares


def repair(problem: Problem, sends: np.ndarray, most: int = 10_000) -> np.ndarray | None:
    """The schedule with sends moved later, or dropped, until the pool's ledger holds; None if none can go.

    On the first day t the ledger breaks (overspent, or the reserve), one credit-paid send of
    t's cycle on a day d <= t, of a bucket no follow-up follows, goes: to the first day e > t of
    the cycle on which its seat may send one more (cost w_b r_b (factor(d) - factor(e))), or,
    where no day has room, out of the plan (cost w_b r_b factor(d), plus M when its goal is not
    above its target that cycle; not below the bucket's minimum). The cheapest goes first.
    Moving a send later within its cycle keeps its pool, seat cap and goal-mix counts and only
    loosens follow-up rows; the checks of :mod:`planner.check` decide the rest.
    """
    sends = sends.copy()
    parents = {b.parent for b in problem.buckets if b.parent is not None}
    movable = [b for b in problem.buckets if not b.free and b.index not in parents]
    for _ in range(most):
        broken = simulate(problem, sends).violations
        if not broken:
            return sends
        t = broken[0].day
        k = problem.cycle_of(t)
        days = problem.days_of(k)
        best: tuple[float, int, int, int | None] | None = None  # cost, bucket, from day, to day (None: dropped)
        for b in movable:
            seat = problem.seats[b.seat]
            mine = [c.index for c in problem.buckets_of(b.seat)]
            later = [
                e
                for e in range(t + 1, days.stop)
                if problem.can_send(e, b.seat) and (seat.daily_cap is None or sends[mine, e].sum() < seat.daily_cap)
            ]
            to = later[0] if later else None
            goal = [c.index for c in problem.buckets_of(b.seat) if c.goal == b.goal and not c.free]
            paid = int(sends[goal, days.start : days.stop].sum())
            above = paid > problem.goal_target(b.seat, b.goal, k)
            if to is None and sends[b.index, days.start : days.stop].sum() <= problem.min_of(b, k):
                continue
            for d in np.nonzero(sends[b.index, days.start : t + 1])[0]:
                day = days.start + int(d)
                worth = b.weight * b.rate * problem.value_factor(day)
                if to is not None:
                    cost = worth - b.weight * b.rate * problem.value_factor(to)
                else:
                    cost = worth + (0.0 if above else problem.shortfall_penalty)
                if best is None or cost < best[0]:
                    best = (cost, b.index, day, to)
        if best is None:
            return None
        _, b_index, day, to = best
        sends[b_index, day] -= 1
        if to is not None:
            sends[b_index, to] += 1
    return None


def least_shortfall(view: Problem, model: Model, session: backends.Session, deadline: Deadline) -> int | None:
    """F_s: the least goal-mix shortfall of one seat's own model (ledger left out), a floor on its shortfall in any plan.

    F_s = max(forced_shortfall(s), ceil(min sum_{g, k} u[s, g, k] over the LP relaxation)): the
    shortfall is a whole number at every optimum, and every row of the seat's model is one of the
    team's. None if the LP does not solve in time.
    """
    forced = forced_shortfall(view)
    if not model.shortfall:
        return forced
    columns = np.array([session.column(u) for u in model.shortfall.values()], dtype=np.int32)
    least = session.least_sum(columns, deadline.give("least shortfall of a seat"))
    if least is None:
        return None
    return max(forced, math.ceil(least - 1e-6))


def _allowance_rows(view: Problem, model: Model, session: backends.Session, allowance: Sequence[int]) -> None:
    """:func:`~planner.model.add_allowance`'s rows, added to the seat's model already loaded in HiGHS."""
    paid = [b.index for b in view.buckets if not b.free]
    for k in view.cycles_ahead():
        columns = [session.column(model.sends[b, t]) for b in paid for t in view.days_of(k) if (b, t) in model.sends]
        session.add_row(np.array(columns, dtype=np.int32), -math.inf, float(allowance[k]))


def pooled(
    problem: Problem, deadline: Deadline, target: Target, solver: Solver, built: SeatModels | None = None
) -> SeatBySeat | None:
    """The team planned on the pool's LP shares: the whole team's LP, then each seat alone within its share.

    1. :func:`team_relaxation`: the whole team's LP, its bound z_LP and each seat's share of the pool.
    2. :func:`allowances`: whole credits A[s, k] per seat and cycle.
    3. Each seat's own MIP (ledger left out) with sum_{paid b, d in k} x[b, d] <= A[s, k] (:func:`add_allowance`).
    4. :func:`repair`: the pool's ledger, simulated on the seats' schedules together, must hold.

    The bound is z_LP (with :func:`cut_shortfall`), plus the expiry penalty's most; None when the LP
    or a seat has no solution in time, or the repair fails.
    """
    relaxed = team_relaxation(problem, deadline)
    if relaxed is None:
        return None
    shares = allowances(relaxed.spend)
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    floors = np.zeros(problem.n_seats, dtype=int)
    built = {} if built is None else built
    for seat in problem.seats:
        view, model = seat_model(problem, seat.index, built)
        if not model.prob.variables():
            continue  # a seat with nothing to plan (see seat_by_seat)
        session = backends.Session(model.prob)
        least = least_shortfall(view, model, session, deadline)  # before the allowance, which is not a row of the team's
        if least is None:
            return None
        floors[seat.index] = least
        allowance = [int(a) for a in shares[seat.index]]
        add_allowance(model, view, allowance)  # in the PuLP model too: what CBC solves if HiGHS fails
        _allowance_rows(view, model, session, allowance)
        outcome = _plan_seat(view, model, deadline, target, solver, session)
        if outcome.values is None:
            return None
        _place(problem, seat.index, model, outcome, sends)
    fixed = repair(problem, sends)
    if fixed is None or violations(problem, fixed):
        return None
    # the team's model also charges a tiny penalty per credit expired: the true optimum can be that much higher
    bound = cut_shortfall(relaxed, floors, deadline) + expiry_penalty(problem) * credits_ever(problem)
    offset = float(problem.shortfall_penalty * max(int(floors.sum()), forced_shortfall(problem)))
    return SeatBySeat(fixed, bound, offset, Status.FEASIBLE, "HiGHS, seats on the pool's LP shares")

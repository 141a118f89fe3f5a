"""Solve a scenario into a :class:`~planner.plan.Plan`, within one time limit, with a gap that is true.

The whole answer (model build, every solver stage, the exact-expiry
re-solve and the diagnosis of a scenario with no plan) shares one
:class:`~planner.solver.Deadline`. The gap a plan proves and reports is on
the value, the objective's first term (MODEL.md, "How good a plan must be"):
a goal-mix shortfall that no plan can avoid (:func:`~planner.model.forced_shortfall`)
is a constant, added back before the gap is taken. Every schedule the solver
returns is checked against MODEL.md by :mod:`planner.check` before it is
called a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pulp

from planner.catalog import Catalog
from planner.check import score, violations
from planner.diagnose import diagnose
from planner.ledger import simulate
from planner.model import (
    Model,
    build_model,
    credits_ever,
    cycle_ends,
    day_sends,
    expiry_penalty,
    forced_shortfall,
    shortfall_columns,
)
from planner.plan import Plan, PlanStatus, build_plan, empty_plan
from planner.problem import Problem, resolve
from planner.rounding import round_relaxed
from planner.scenario import AnyScenario
from planner.solver import Counts, Deadline, Penalty, Rounding, Solution, Solver, Start, Status, Target, run
from planner.team import SeatBySeat, SeatModels, pooled, seat_by_seat

DEFAULT_TIME_LIMIT = 20.0  # seconds
TEAM_SHARE = 0.5  # of a team's time limit, what planning its seats one by one may take
POOLED_SHARE = 0.7  # of what is left then, what the seats on the pool's LP shares may take (the whole model gets the rest)
DEFAULT_GAP = 0.002  # 0.2 % on the value, safely inside the 0.5 % a plan must reach: what the solver aims for
ACCEPT_GAP = 0.005  # MODEL.md's 0.5 %: a plan proven within it ends the search before the full MIP (``accept``)

_PLAN_STATUS = {
    Status.OPTIMAL: PlanStatus.OPTIMAL,
    Status.FEASIBLE: PlanStatus.FEASIBLE,
    Status.INFEASIBLE: PlanStatus.INFEASIBLE,
    Status.TIME_LIMIT: PlanStatus.TIME_LIMIT,
    Status.ERROR: PlanStatus.ERROR,
}


def _sends_from(model: Model, problem: Problem, solution: Solution) -> np.ndarray:
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    for (b, t), var in model.sends.items():
        sends[b, t] = int(round(solution.value(var)))
    return sends


def _warm(model: Model, problem: Problem, sends: np.ndarray) -> Start:
    """A feasible schedule as the solver's start: its sends and a lower bound on its objective in the model.

    The model's objective also charges each credit expired a tiny penalty; the
    ledger's own expiry is one the model allows, so its objective is at least this.
    """
    expired = float(simulate(problem, sends).table["expired"].sum())
    objective = score(problem, sends).objective - expiry_penalty(problem) * expired
    return Start({var: float(sends[b, t]) for (b, t), var in model.sends.items()}, objective)


def _rounding(model: Model, problem: Problem) -> Rounding:
    """The LP's sends rounded through the real ledger (:func:`planner.rounding.round_relaxed`), as the solver's start."""

    def rounded(relaxed: Mapping[pulp.LpVariable, float]) -> Start | None:
        lp_sends = np.zeros((len(problem.buckets), problem.n_days))
        for (b, t), var in model.sends.items():
            lp_sends[b, t] = relaxed.get(var, 0.0)
        sends = round_relaxed(problem, lp_sends)
        return None if sends is None else replace(_warm(model, problem, sends), source="LP rounded")

    return rounded


def _no_worse(
    outcome: Solution, model: Model, problem: Problem, known: np.ndarray, broken: list[str], target: Target
) -> Solution:
    """The solver's outcome, or the known feasible start where that is better (or the outcome has no valid schedule)."""
    if outcome.values is not None and not broken:
        found = score(problem, _sends_from(model, problem, outcome)).objective
        if found >= score(problem, known).objective - 1e-9:
            return outcome
    start = _warm(model, problem, known)
    proven = outcome.bound is not None and replace(target, offset=outcome.offset).accepted(start.objective, outcome.bound, True)
    status = Status.OPTIMAL if proven else Status.FEASIBLE
    return replace(outcome, status=status, values=dict(start.values), objective=start.objective)


def value_gap(objective: float, bound: float, unavoidable_penalty: float) -> float:
    """The proven gap on the value: (bound - objective) / (objective + unavoidable penalty).

    ``objective + unavoidable_penalty`` is at most the optimum's weighted value
    (the optimum's shortfall is at least the unavoidable one), so the optimum's
    value is at most this share above the plan's objective.

    >>> round(value_gap(-900.0, -899.0, 1000.0), 4)
    0.01
    """
    scale = objective + unavoidable_penalty
    short = max(0.0, bound - objective)
    if scale <= 1e-9:
        return 0.0 if short <= 1e-9 else float("inf")
    return short / scale


def make_plan(
    scenario: AnyScenario | Problem,
    *,
    catalog: Catalog | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    solver: str = "highs",
    deadline: Deadline | None = None,
    start: np.ndarray | None = None,
    split_seats: bool = True,
    accept: float | None = ACCEPT_GAP,
) -> Plan:
    """Plan a scenario: the schedule that maximises MODEL.md's objective.

    Parameters
    ----------
    scenario
        A validated scenario (one seat, or a :class:`~planner.scenario.TeamScenario`: then the
        schedule has a ``seat`` column and :attr:`Plan.seats` each seat's totals), or a problem
        already resolved against a catalog.
    catalog
        Tier catalog for tier names (the shipped one by default).
    time_limit
        Seconds the whole answer may take (model, solver stages, diagnosis);
        past it the best plan found so far is returned (status ``feasible``),
        or none (status ``time_limit``).
    gap
        Relative gap on the value the solver aims for: every stage stops once a plan is proven
        within it (0.002 = 0.2 %).
    accept
        A plan proven within this gap on the value (MODEL.md's 0.5 % by default; never less
        than ``gap``) once the stages that cost little have run (the LP, its rounding, the send
        count branching) is the answer, status ``optimal``, instead of running the boxes and the
        full MIP for the rest of the time limit; its message names the gap it proved. None: only
        ``gap`` ends the search.
    solver
        ``"highs"`` (in-process HiGHS, CBC if it fails; default) or ``"cbc"``.
    deadline
        A deadline already running (it replaces ``time_limit``): its stages
        record what each solve was given.
    start
        A schedule (``sends[bucket, day]``) to start from, e.g. the plan of a
        neighbouring scenario (one more credit, the previous point of a sweep).
        Used only if it is feasible here: the solve ends after the LP when it
        is already within ``gap`` of the LP bound, and the plan is never worse
        than it (so a sweep over more and more credits never loses value).
    split_seats
        For a team: plan the seats one by one first (:mod:`planner.team`), and the whole
        team's model only when the pool cannot pay for that; False solves the whole model
        at once (the benchmark's baseline).

    >>> from planner.scenario import load_scenario
    >>> from planner.paths import EXAMPLES_DIR
    >>> plan = make_plan(load_scenario(EXAMPLES_DIR / "sales_rep.toml"))
    >>> plan.status, plan.totals.credits_spent
    (<PlanStatus.OPTIMAL: 'optimal'>, 50.0)
    """
    if not time_limit > 0:
        raise ValueError(f"time_limit = {time_limit}: must be above 0 seconds")
    if not 0 <= gap < 1:
        raise ValueError(f"gap = {gap}: must be between 0 and 1")
    if accept is not None and not 0 <= accept < 1:
        raise ValueError(f"accept = {accept}: must be between 0 and 1")
    if solver not in tuple(Solver):
        raise ValueError(f"solver = {solver!r}: choose 'highs' or 'cbc'")
    deadline = deadline if deadline is not None else Deadline(time_limit)
    problem = scenario if isinstance(scenario, Problem) else resolve(scenario, catalog)
    # the reported bound adds the expiry penalty back for every credit there could be: so does the acceptance
    target = Target(gap, accept=accept, allowance=expiry_penalty(problem) * credits_ever(problem))
    if split_seats and problem.n_seats > 1 and not problem.is_replan:
        # at most half of the time: when the pool binds, the whole team's model needs the rest
        built: SeatModels = {}  # each seat's model, built once for both
        split = seat_by_seat(problem, Deadline(deadline.give("seat by seat", TEAM_SHARE)), target, Solver(solver), built)
        if split is None:  # the pool binds: share it out by the whole team's LP
            pooled_deadline = Deadline(deadline.give("seats on the pool's shares", POOLED_SHARE))
            split = pooled(problem, pooled_deadline, target, Solver(solver), built)
        if split is not None:
            plan = _team_plan(problem, split, deadline, gap)
            if plan.status is PlanStatus.OPTIMAL or deadline.left() <= 0:
                return plan
            start = split.sends  # not proven within the gap: the whole team's model starts from it, never worse
    outcome: Solution | None = None
    model: Model | None = None
    broken: list[str] = []
    shape = (len(problem.buckets), problem.n_days)
    known = start if start is not None and start.shape == shape and not violations(problem, start) else None
    for exact in (False, True):
        model = build_model(problem, exact_expiry=exact)
        near = shortfall_columns(model, problem)
        shortfall = Penalty(tuple(model.shortfall.values()), problem.shortfall_penalty, forced_shortfall(problem), near=near)
        warm = _warm(model, problem, known) if known is not None else None
        box = model.sends.values()
        outcome = run(
            model.prob,
            deadline,
            target,
            solver=Solver(solver),
            box=box,
            penalty=shortfall,
            start=warm,
            rounding=_rounding(model, problem),
            counts=Counts(day_sends(model, problem), cycle_ends(problem)),
        )
        if outcome.values is None:
            break
        broken = violations(problem, _sends_from(model, problem, outcome))
        if not broken:
            break
        # the relaxed ledger let credits expire early to make room under a cap: solve exactly
    assert outcome is not None and model is not None
    if known is not None:
        outcome = _no_worse(outcome, model, problem, known, broken, target)
        broken = []
    info: dict[str, object] = {"solve_seconds": deadline.elapsed(), "solver": outcome.solver}
    status = _PLAN_STATUS[outcome.status]
    if outcome.values is None:
        if status is PlanStatus.INFEASIBLE:
            reasons = diagnose(problem, deadline=deadline, solver=Solver(solver))
            info["solve_seconds"] = deadline.elapsed()
            return empty_plan(problem, status, message="No plan meets every constraint.", diagnosis=reasons, **info)
        if status is PlanStatus.TIME_LIMIT:
            message = (
                f"The time limit ({deadline.seconds:g} s) ran out before any plan was found; "
                "allow more time or simplify the scenario."
            )
            return empty_plan(problem, status, message=message, **info)
        detail = f": {outcome.detail}" if outcome.detail else ""
        return empty_plan(problem, PlanStatus.ERROR, message=f"The solver failed ({outcome.solver}{detail}).", **info)
    if broken:
        message = "The solver's schedule breaks the model's rules: " + "; ".join(broken[:3])
        return empty_plan(problem, PlanStatus.ERROR, message=message, **info)
    sends = _sends_from(model, problem, outcome)
    message = "Optimal plan." if status is PlanStatus.OPTIMAL else "Time limit reached; best plan found so far."
    plan = build_plan(problem, sends, status, message=message, **info)
    if outcome.bound is None or plan.totals is None:
        return plan
    objective = float(plan.totals.objective)
    # the model's objective also charges a tiny penalty per credit expired: the true optimum can be that much higher
    bound = max(outcome.bound + target.allowance, objective)
    proven = value_gap(objective, bound, outcome.offset)
    return replace(plan, bound=bound, gap=proven, message=_message(status, proven, gap))


def _message(status: PlanStatus, proven: float, gap: float) -> str:
    """The plan's status in words: optimal within the gap aimed for, proven within the accepted one, or out of time.

    >>> _message(PlanStatus.OPTIMAL, 0.0048, 0.002)
    'Optimal plan: proven within 0.48% of the best possible value.'
    """
    if status is not PlanStatus.OPTIMAL:
        return "Time limit reached; best plan found so far."
    if proven <= gap + 1e-9:
        return "Optimal plan."
    return f"Optimal plan: proven within {proven:.2%} of the best possible value."


def _team_plan(problem: Problem, split: SeatBySeat, deadline: Deadline, gap: float) -> Plan:
    """The plan of a team planned seat by seat (:mod:`planner.team`), with the gap proven against its bound.

    Optimal when that gap on the value is within ``gap`` (or every seat was proven within it).
    """
    info: dict[str, object] = {"solve_seconds": deadline.elapsed(), "solver": split.solver}
    plan = build_plan(problem, split.sends, PlanStatus.FEASIBLE, **info)
    assert plan.totals is not None
    objective = float(plan.totals.objective)
    bound = max(split.bound, objective)
    proven = value_gap(objective, bound, split.offset)
    optimal = split.status is Status.OPTIMAL or proven <= gap + 1e-12
    status = PlanStatus.OPTIMAL if optimal else PlanStatus.FEASIBLE
    return replace(plan, status=status, message=_message(status, proven, gap), bound=bound, gap=proven)

"""The one way a built model is solved: a shared deadline, HiGHS in stages, CBC as the fallback.

Both :func:`planner.solve.make_plan` and the diagnosis of a scenario with no
plan (:mod:`planner.diagnose`) call :func:`run`, so the caller's solver
choice, the fallback and the time limit hold for every solve. The solver
libraries are reached only through :mod:`planner.backends`.

HiGHS runs in stages on one instance: the LP relaxation; the caller's
rounding of it (a feasible schedule, :mod:`planner.rounding`), which is the
answer when it proves the target against the LP bound and else the first
incumbent of what follows; branching on the send counts (sums that are whole
in every schedule, :func:`_branch_counts`), which tightens the LP bound and
rounds the LPs of the nodes it splits; a MIP in which each boxed column (the
sends) may only move between the floor and the ceiling of its LP value; and,
only when the boxed schedule does not prove the target gap against the bound,
the full MIP warm-started from it. A schedule proven within the target's
``accept`` gap (MODEL.md's 0.5 % for a plan at the default gap) before the
boxes ends the search there, instead of the boxes and the full MIP. On the benchmarks the LP bound of this model is tight, and the
boxed MIP finds a schedule within 0.1 % of it in a fraction of the time
HiGHS's own heuristics take on the full MIP.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import pulp

from planner import backends
from planner.backends import Basis, RunStatus

# The full MIP of a model up to this many columns runs in this process: a child process costs half a
# second to start, a one-cycle plan takes a tenth of that, and HiGHS's root cut separation, which ignores
# the time limit, has stayed well under a second on models this small (it took 90 s on 11,000 columns).
IN_PROCESS_COLUMNS = 2000
# of the time left, what completing a known schedule (its sends fixed) may take: a MIP on a few binaries
COMPLETE_SHARE = 0.1
# of the time left, what branching on the send counts may take (:func:`_branch_counts`)
BRANCH_SHARE = 0.2
# how many of the nodes the branching splits have their LP rounded (besides the one whose counts are all whole):
# on alternating_tiers the second one's rounding was 0.30 better than the first LP's, the fifth's 0.35
ROUNDED_NODES = 3
# how many node LPs the branching on the days' sums may solve: alternating_tiers' first cycle needed 28 of them to
# prove its plan, its first two 96; where a plan is not proven by then, the boxes and the MIP need the time more
DAY_NODES = 300


class Solver(StrEnum):
    """The caller's choice of solver."""

    HIGHS = "highs"  # in-process HiGHS; CBC if HiGHS fails
    CBC = "cbc"


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"  # a solution proven within the target gap (or within its accepted gap)
    FEASIBLE = "feasible"  # a solution, not proven within the target (time ran out)
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"  # time ran out before any solution
    ERROR = "error"


@dataclass
class Deadline:
    """One time limit for a whole answer, which every stage draws its own limit from.

    ``give(stage)`` is how a stage asks for its time: it gets what is left
    and the deadline records the stage and the seconds it was given, so a
    caller (or a test) can see which stages ran on this deadline.

    Parameters
    ----------
    seconds
        The whole answer's limit.
    clock
        Seconds from some fixed point (``time.monotonic`` by default).

    >>> ticks = iter([0.0, 1.5, 4.0])
    >>> deadline = Deadline(3.0, clock=lambda: next(ticks))
    >>> deadline.give("lp"), deadline.give("boxed MIP")
    (1.5, 0.0)
    >>> deadline.stages
    [('lp', 1.5), ('boxed MIP', 0.0)]
    """

    seconds: float
    clock: Callable[[], float] = time.monotonic
    stages: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def left(self) -> float:
        """Seconds left, never below 0."""
        return max(0.0, self.seconds - (self.clock() - self.started))

    def give(self, stage: str, share: float = 1.0) -> float:
        """The seconds ``stage`` may take: ``share`` of what is left; recorded in :attr:`stages`."""
        seconds = self.left() * share
        self.stages.append((stage, seconds))
        return seconds

    def elapsed(self) -> float:
        return self.clock() - self.started


@dataclass(frozen=True)
class Target:
    """When a solution is good enough: proven within ``gap`` of ``objective + offset``.

    For a maximisation: ``bound - objective <= gap * (objective + offset)``.
    The plan's objective is its value less the goal-mix penalty; ``offset``
    adds back the penalty of the shortfall no plan can avoid, so the gap is
    measured on the value (MODEL.md, "How good a plan must be").

    ``gap`` is what the stages aim for: each stops once it is proven. A
    solution proven within ``accept`` (at least ``gap``; MODEL.md's 0.5 % for
    a plan at the default gap) ends the search once the stages that cost
    little have run, instead of the full MIP; ``allowance`` is added to the
    bound for that test, so that the gap a plan reports (whose bound adds the
    expiry penalty back, :func:`planner.solve.make_plan`) is within ``accept`` too.

    >>> target = Target(0.002, accept=0.005)
    >>> target.met(99.7, 100.0, True), target.accepted(99.7, 100.0, True)
    (False, True)
    """

    gap: float
    offset: float = 0.0
    accept: float | None = None  # None: the same as gap
    allowance: float = 0.0

    def scale(self, objective: float) -> float:
        """What the gap is a share of: the objective plus the offset (a lower bound on the optimum's value)."""
        return max(objective + self.offset, 0.0)

    def met(self, objective: float, bound: float, maximise: bool) -> bool:
        short = bound - objective if maximise else objective - bound
        return short <= self.gap * self.scale(objective) + 1e-9

    @property
    def accept_gap(self) -> float:
        """The gap a solution is accepted at: ``accept``, never below ``gap``."""
        return self.gap if self.accept is None else max(self.accept, self.gap)

    def accepted(self, objective: float, bound: float, maximise: bool) -> bool:
        """Proven within ``accept``, the bound raised (lowered, for a minimisation) by ``allowance``."""
        short = (bound - objective if maximise else objective - bound) + self.allowance
        return self.met(objective, bound, maximise) or short <= self.accept_gap * self.scale(objective) + 1e-9


@dataclass(frozen=True)
class Penalty:
    """A penalised part of a maximised objective: ``weight * sum(variables)``, integral at every integer solution.

    Its least possible sum is a constant of the problem, not part of the gap
    (the goal-mix shortfall of MODEL.md). ``floor`` is a lower bound on that
    sum known before solving; the solver raises it with the LP relaxation's
    least sum when the relaxation's own optimum pays more than ``floor``.
    """

    variables: tuple[pulp.LpVariable, ...]
    weight: float
    floor: int = 0
    # per penalised variable, the boxed columns that can move it (a cycle's sends for its goal-mix
    # shortfall); the widened box widens only those of the variables the tight box made worse
    near: Mapping[pulp.LpVariable, Sequence[pulp.LpVariable]] = field(default_factory=dict)


@dataclass(frozen=True)
class Start:
    """A known feasible solution to start from (a warm start): some columns' values and its objective.

    ``values`` may hold only the integer columns (the sends): a caller that
    reads nothing else from the solution can take it back as it is.
    """

    values: dict[pulp.LpVariable, float]
    objective: float
    source: str = "warm start"  # where it came from, in the solver's name when it is the answer


Rounding = Callable[[Mapping[pulp.LpVariable, float]], "Start | None"]
"""A caller's rounding of the LP: from the LP's values of the boxed columns, a feasible :class:`Start` or None."""


@dataclass(frozen=True)
class Solution:
    """A solve's outcome: status, the variables' values (if any), the proven bound and who solved it."""

    status: Status
    values: dict[pulp.LpVariable, float] | None
    objective: float | None
    bound: float | None  # proven bound on the objective, where the solver gives one
    solver: str
    detail: str = ""
    offset: float = 0.0  # the target's offset the solve ended with: the unavoidable penalty it proved

    def value(self, var: pulp.LpVariable) -> float:
        """The value of a variable of the model (0 without a solution)."""
        return 0.0 if self.values is None else self.values.get(var, 0.0)


def run(
    problem: pulp.LpProblem,
    deadline: Deadline,
    target: Target,
    *,
    solver: Solver = Solver.HIGHS,
    box: Iterable[pulp.LpVariable] = (),
    penalty: Penalty | None = None,
    start: Start | None = None,
    session: backends.Session | None = None,
    rounding: Rounding | None = None,
    counts: Counts | None = None,
) -> Solution:
    """Solve a PuLP problem within the deadline: HiGHS in stages (CBC if it fails), or CBC.

    Parameters
    ----------
    problem
        The model, maximised or minimised.
    deadline
        The answer's deadline; every stage takes its limit from it.
    target
        The gap to prove.
    solver
        The caller's choice.
    box
        Integer columns to box around their LP values in the first MIP (the sends).
    penalty
        The objective's penalised part whose unavoidable least sum the gap leaves out:
        ``target.offset`` becomes ``penalty.weight`` times its best lower bound.
    start
        A feasible solution known beforehand (HiGHS only): when it already meets the target against
        the LP bound, it is the answer and no MIP runs (a warm re-solve after a small change).
    session
        The problem already loaded in HiGHS (rows may have been added to it, as :mod:`planner.team` does).
    rounding
        A feasible whole-number solution made from the LP's values of the boxed columns (HiGHS only),
        or None: when it meets the target against the LP bound it is the answer; else the boxes and
        the full MIP start from it, and it is the answer if they find nothing better.
    counts
        Sums of integer columns that are whole in every solution (HiGHS only; the credit-paid sends
        through each cycle's end and through each day): where the rounded LP does not prove the
        target, the LP bound is tightened by branching on them (:func:`_branch_counts`).
    """
    if penalty is not None:
        target = replace(target, offset=penalty.weight * penalty.floor)
    if solver is Solver.HIGHS and backends.available():
        outcome = _highs(problem, deadline, target, list(box), penalty, start, session, rounding, counts)
        if outcome.status is not Status.ERROR:
            return outcome
        fallback = _cbc(problem, deadline, target)
        return replace(fallback, solver=f"CBC (HiGHS failed: {outcome.detail})")
    return _cbc(problem, deadline, target)


def _highs(
    problem: pulp.LpProblem,
    deadline: Deadline,
    target: Target,
    box: list[pulp.LpVariable],
    penalty: Penalty | None,
    start: Start | None = None,
    session: backends.Session | None = None,
    rounding: Rounding | None = None,
    counts: Counts | None = None,
) -> Solution:
    session = session if session is not None else backends.Session(problem)
    variables = problem.variables()
    maximise = session.maximise

    def solution(status: Status, values: np.ndarray | None, objective: float | None, bound: float | None) -> Solution:
        as_dict = dict(zip(variables, values.tolist(), strict=True)) if values is not None else None
        return Solution(status, as_dict, objective, bound, "HiGHS", offset=target.offset)

    lp = session.run(deadline.give("LP relaxation"))
    if lp.status is RunStatus.ERROR:
        # the dual simplex can stall on a nearly infeasible LP; the interior point method decides it
        session.set_option("solver", "ipm")
        lp = session.run(deadline.give("LP relaxation (interior point)"))
        session.set_option("solver", "choose")
    if lp.status is RunStatus.INFEASIBLE:
        return solution(Status.INFEASIBLE, None, None, None)
    if lp.status is RunStatus.TIME_LIMIT:
        return solution(Status.TIME_LIMIT, None, None, None)
    if lp.status is not RunStatus.OPTIMAL or lp.values is None or lp.objective is None:
        return Solution(Status.ERROR, None, None, None, "HiGHS", f"the LP relaxation ended with status {lp.detail}")
    lp_values, lp_bound = lp.values, lp.objective
    if penalty is not None and penalty.variables:
        target = _raise_offset(session, lp_values, deadline, target, penalty)
        lp_values, lp_bound = _cut_shortfall(session, lp_values, lp_bound, deadline, target, penalty)
    if len(session.integer) == 0:
        return solution(Status.OPTIMAL, lp_values, lp_bound, lp_bound)
    # the LP's sends rounded; when that does not prove the gap, branching on the send counts tightens the bound
    # and rounds the LPs of some of its nodes too (the boxes stay around the first LP's: on a tier change every
    # cycle a box around a tighter LP's proved less)
    start = _rounded(rounding, box, session, lp_values, start, maximise)
    if counts is not None and (start is None or not target.met(start.objective, lp_bound, maximise)):

        def round_node(values: np.ndarray) -> float | None:
            nonlocal start
            start = _rounded(rounding, box, session, values, start, maximise)
            return None if start is None else start.objective

        incumbent = None if start is None else start.objective
        lp_bound = _branch_counts(session, deadline, counts, lp_bound, incumbent, target, round_node if rounding else None)
    # proven within the gap aimed for, or within the accepted one: no MIP (a box cut short by its time would make
    # the same scenario's plan differ from one run to the next)
    if start is not None and target.accepted(start.objective, lp_bound, maximise):
        return Solution(
            Status.OPTIMAL, dict(start.values), start.objective, lp_bound, f"HiGHS ({start.source})", offset=target.offset
        )

    session.make_integer()
    boxed_values: np.ndarray | None = None
    boxed_objective: float | None = None
    columns = np.array([session.column(v) for v in box], dtype=np.int32)
    session.boxed_columns = columns
    if start is not None and len(columns):
        # the known schedule as the first incumbent: every other column of it from the model, its sends fixed
        completed = _complete(session, columns, start, deadline)
        if completed.values is not None and completed.objective is not None:
            boxed_values, boxed_objective = completed.values, completed.objective
    if len(columns):
        lower, upper = session.lower[columns], session.upper[columns]
        relaxed = lp_values[columns]
        # in the box HiGHS spent most of its time on root cuts before its heuristics found the
        # schedule; more heuristic effort halved the boxed solve on the 12-cycle benchmark
        session.set_option("mip_heuristic_effort", 0.3)
        session.set_option("mip_rel_gap", target.gap)
        # each box may take a share of the time left, so that the full MIP always gets some
        tight: np.ndarray | None = None  # the tight box's own schedule (a known start may be better)
        for widen, stage, share in ((0.0, "boxed MIP", 0.25), (1.0, "widened boxed MIP", 0.4)):
            if widen:
                worse = _made_worse(session, lp_values, tight, penalty)
                if worse is None or not worse.any():
                    break  # the wider box helps only where the tight one broke a goal target the LP met
                session.set_bounds(columns, *_box(relaxed, lower, upper, widen * worse))
            else:
                session.set_bounds(columns, *_box(relaxed, lower, upper, 0.0))
            if boxed_values is not None:
                session.set_start(boxed_values)
            boxed = session.run(deadline.give(stage, share))
            found = boxed.values is not None and boxed.objective is not None
            tight = boxed.values if not widen else tight
            if found and (boxed_objective is None or _better(boxed.objective, boxed_objective, maximise)):  # type: ignore[arg-type]
                boxed_values, boxed_objective = boxed.values, boxed.objective
            if boxed_objective is not None and target.accepted(boxed_objective, lp_bound, maximise):
                return solution(Status.OPTIMAL, boxed_values, boxed_objective, lp_bound)
        session.set_bounds(columns, lower, upper)  # the full MIP (in its own process) has the model's bounds

    # HiGHS stops at an absolute gap: the accepted share of the (offset) incumbent, on the value, less the allowance
    # (so that its own bound proves the acceptance), and never below the gap aimed for
    reference = boxed_objective if boxed_objective is not None else lp_bound
    scale = target.scale(reference)
    options = {
        "mip_rel_gap": 0.0,
        "mip_abs_gap": max(target.gap * scale, target.accept_gap * scale - target.allowance),
        "mip_heuristic_effort": 0.05,
    }
    seconds = deadline.give("full MIP")
    if len(session.lower) <= IN_PROCESS_COLUMNS:
        for name, value in options.items():
            session.set_option(name, value)
        if boxed_values is not None:
            session.set_start(boxed_values)
        full = session.run(seconds)
    else:
        full = session.run_apart(seconds, options, boxed_values)
    full_better = boxed_objective is None or (
        full.objective is not None and not _better(boxed_objective, full.objective, maximise)
    )
    if full.values is not None and full.objective is not None and full_better:
        best_values, best_objective = full.values, full.objective
    elif boxed_values is not None and boxed_objective is not None:
        best_values, best_objective = boxed_values, boxed_objective
    else:
        status = {RunStatus.INFEASIBLE: Status.INFEASIBLE, RunStatus.TIME_LIMIT: Status.TIME_LIMIT}.get(full.status, Status.ERROR)
        return Solution(status, None, None, None, "HiGHS", f"the MIP ended with status {full.detail}")
    bound = lp_bound
    if full.bound is not None:
        bound = min(bound, full.bound) if maximise else max(bound, full.bound)
    status = Status.OPTIMAL if target.accepted(best_objective, bound, maximise) else Status.FEASIBLE
    return solution(status, best_values, best_objective, bound)


def _rounded(
    rounding: Rounding | None,
    box: list[pulp.LpVariable],
    session: backends.Session,
    values: np.ndarray,
    start: Start | None,
    maximise: bool,
) -> Start | None:
    """The better of ``start`` and the LP ``values`` of the boxed columns rounded (when there is a rounding)."""
    if rounding is None or not box:
        return start
    rounded = rounding({v: float(values[session.column(v)]) for v in box})
    if rounded is not None and (start is None or _better(rounded.objective, start.objective, maximise)):
        return rounded
    return start


def _complete(session: backends.Session, columns: np.ndarray, start: Start, deadline: Deadline) -> backends.RunResult:
    """The MIP with the boxed columns fixed at a known solution's values: the rest of that solution (its binaries)."""
    fixed = np.zeros(len(columns))
    position = {int(c): i for i, c in enumerate(columns)}
    for var, value in start.values.items():
        i = position.get(session.column(var))
        if i is not None:
            fixed[i] = value
    lower, upper = session.lower[columns], session.upper[columns]
    session.set_bounds(columns, fixed, fixed)
    try:
        return session.run(deadline.give("known schedule completed", COMPLETE_SHARE))
    finally:
        session.set_bounds(columns, lower, upper)


def _box(relaxed: np.ndarray, lower: np.ndarray, upper: np.ndarray, widen: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds between the floor and the ceiling of the LP values; ``widen`` (per column) more below every value above 0.

    The tight box fixes every column whose LP value is whole. Where the LP spent
    fractional credit-backs, the schedule must drop a few sends, and with the
    whole columns fixed only the fractional ones can give: when those are a
    goal's, the box shows a goal-mix shortfall the LP did not have (one unit
    costs M, 100 sends' worth). Letting every column in use drop by one more
    lets the drop fall where it costs least.
    """
    floor = np.floor(relaxed + 1e-6)
    floor = np.where(relaxed > 1e-6, floor - widen, floor)
    return np.maximum(lower, floor), np.minimum(upper, np.ceil(relaxed - 1e-6))


def _made_worse(
    session: backends.Session, relaxed: np.ndarray, boxed: np.ndarray | None, penalty: Penalty | None
) -> np.ndarray | None:
    """Per boxed column, 1 where the tight box made a penalised variable it can move a whole unit worse than the LP.

    None when there is nothing to widen for (no penalty, or no boxed schedule to compare).
    Every column, when the penalty does not say which columns are near which variable.
    """
    if penalty is None or not penalty.variables or boxed is None:
        return None
    worse = [v for v in penalty.variables if boxed[session.column(v)] >= relaxed[session.column(v)] + 1 - 1e-6]
    box_columns = session.boxed_columns
    if not worse:
        return np.zeros(len(box_columns))
    if not penalty.near:
        return np.ones(len(box_columns))
    position = {int(c): i for i, c in enumerate(box_columns)}
    mask = np.zeros(len(box_columns))
    for v in worse:
        for near in penalty.near.get(v, ()):
            i = position.get(session.column(near))
            if i is not None:
                mask[i] = 1.0
    return mask


def _better(objective: float, than: float, maximise: bool) -> bool:
    return objective > than if maximise else objective < than


def _raise_offset(session: backends.Session, relaxed: np.ndarray, deadline: Deadline, target: Target, penalty: Penalty) -> Target:
    """The target with the least penalised sum the LP relaxation allows, when it beats the known floor.

    Only solved when the relaxation's optimum itself pays more than the floor (else the floor is
    already the least sum there is, up to integrality). A whole number at every integer solution,
    so the LP's least sum, rounded up, is a lower bound too.
    """
    columns = np.array([session.column(v) for v in penalty.variables], dtype=np.int32)
    if float(relaxed[columns].sum()) <= penalty.floor + 1e-6:
        return target
    least = session.least_sum(columns, deadline.give("least shortfall LP"))
    if least is None:
        return target
    floor = max(penalty.floor, math.ceil(least - 1e-6))
    return replace(target, offset=penalty.weight * floor)


def _cut_shortfall(
    session: backends.Session, values: np.ndarray, bound: float, deadline: Deadline, target: Target, penalty: Penalty
) -> tuple[np.ndarray, float]:
    """The LP re-solved with the cut sum(u) >= floor when its own shortfall sum is below the proven floor.

    At an optimum every penalised variable is a whole number and their sum is at least the LP's least
    sum, so at least its ceiling (``target.offset / weight``, :func:`_raise_offset`): the cut keeps every
    optimum, and the LP bound stops crediting a fraction of a unit of shortfall (each worth M, 100
    sends' value). A seat whose follow-ups leave 800.3 units of unavoidable shortfall has a bound
    0.3 M lower, the gap its boxed schedule proves in one step instead of the full MIP's seconds.
    Returns the LP's values and bound: the first LP's (``values``, ``bound``) when the cut is not
    needed or its LP does not solve in time.
    """
    columns = np.array([session.column(v) for v in penalty.variables], dtype=np.int32)
    floor = round(target.offset / penalty.weight) if penalty.weight > 0 else 0
    if floor <= 0 or len(session.integer) == 0 or float(values[columns].sum()) >= floor - 1e-6:
        return values, bound  # (a model with no integer columns is its own LP: nothing to cut)
    session.add_row(columns, float(floor), float("inf"))
    return _resolved(session, deadline, "LP with the shortfall cut", values, bound)


def _resolved(
    session: backends.Session, deadline: Deadline, stage: str, values: np.ndarray, bound: float
) -> tuple[np.ndarray, float]:
    """The LP solved again after rows were added to it: its values and bound, or ``values`` and ``bound`` when it
    does not solve in time (the rows stay: they are valid cuts)."""
    lp = session.run(deadline.give(stage))
    if lp.status is not RunStatus.OPTIMAL or lp.values is None or lp.objective is None:
        return values, bound
    return lp.values, lp.objective


@dataclass(frozen=True)
class Counts:
    """Sums of integer columns that are whole in every solution, for :func:`_branch_counts` to branch on.

    ``days``: one group per day in order (that day's credit-paid sends, :func:`planner.model.day_sends`),
    summed from the first day through each day; ``cycle_ends``: the positions in ``days`` whose sums are
    branched on first (each cycle's last day, :func:`planner.model.cycle_ends`).
    """

    days: Sequence[Sequence[pulp.LpVariable]] = ()
    cycle_ends: Sequence[int] = ()


@dataclass(order=True)
class _Node:
    """An open node of :func:`_branch_counts`: its LP's objective (negated, to pop the largest first) and state."""

    key: float
    order: int
    bounds: dict[int, tuple[float, float]] = field(compare=False)  # per sum branched on: its range in this node
    sums: np.ndarray = field(compare=False)  # every sum at the node's LP optimum (the cycles', then the days')
    values: np.ndarray = field(compare=False)
    basis: Basis = field(compare=False)


def _branch_counts(
    session: backends.Session,
    deadline: Deadline,
    counts: Counts,
    bound: float,
    incumbent: float | None,
    target: Target,
    round_node: Callable[[np.ndarray], float | None] | None = None,
) -> float:
    """The LP bound of a maximisation, tightened by branching on sums that are whole in every solution.

    Each sum of ``counts`` is a whole number in every schedule, so a node whose LP has a fraction there
    splits in two, that sum at most its floor or at least its ceiling, and every schedule lies in one of
    them. Best first: the node with the largest LP objective is split next, each child's LP from its
    parent's basis (a row for a sum is added the first time it is branched on), and that largest
    objective bounds every schedule. The sends through each cycle's end are branched on first, then, only
    while the incumbent is not proven within the target's accepted gap, the sends through each day.
    It stops when the bound proves the target's gap for the incumbent, when the node's sums are whole
    (or only the days' are fractional and the incumbent is accepted, or :data:`DAY_NODES` LPs were
    solved on the days' sums), or when its share of the time is spent. A cycle's sum whose every open
    node keeps it at most (at least) some number gets that as a row of the session, valid for every
    schedule, for the stages that follow.

    ``round_node`` rounds a node's LP values into a schedule and returns the best incumbent's objective:
    the first :data:`ROUNDED_NODES` nodes split are rounded, and the node whose sums are all whole. The
    LPs of different nodes put their fractions in different places, so their roundings differ. (A count,
    not a share of the time: the same scenario gets the same plan however loaded the machine.)

    Where credit-backs return fractions of a credit, the LP spends them in fractions of sends as they
    come back and credits each fraction at the best send's value, where a schedule must wait for a
    whole credit: on ``alternating_tiers`` (bench/hard) 24 LPs on the cycles' sums take the bound from
    242.460 to 242.285, and on its first cycle alone 28 LPs, most on the days' sums, from 26.295 to the
    plan's own 25.830 (the full MIP's bound was 26.244 after 30 s).
    """
    if not session.maximise or not counts.days:
        return bound
    local = Deadline(deadline.give("send count branching", BRANCH_SHARE))
    days = [np.array([session.column(v) for v in group], dtype=np.int32) for group in counts.days]
    # every sum is the sends from the first day through a day: the cycles' last days first, then every day
    ends = np.array([*counts.cycle_ends, *range(len(days))], dtype=np.int64)
    n_cycles = len(counts.cycle_ends)
    rows: dict[int, int] = {}  # sum -> its row in the session, added when first branched on
    order = rounded = 0
    at_days = -1  # the LPs solved when the days' sums were first branched on

    def sums_at(values: np.ndarray) -> np.ndarray:
        return np.cumsum([float(values[c].sum()) for c in days])[ends]

    def columns_of(i: int) -> np.ndarray:
        return np.concatenate(days[: ends[i] + 1])

    def row_of(i: int) -> int:
        if i not in rows:
            rows[i] = int(session.add_free_rows([columns_of(i)])[0])
        return rows[i]

    def solve(node_bounds: dict[int, tuple[float, float]], basis: Basis | None) -> _Node | RunStatus:
        nonlocal order
        if rows:
            listed = sorted(rows)
            ranges = np.array([node_bounds.get(i, (-math.inf, math.inf)) for i in listed])
            session.set_row_bounds(np.array([rows[i] for i in listed], dtype=np.int32), ranges[:, 0], ranges[:, 1])
        if basis is not None:
            session.set_basis(session.grown_basis(basis))  # a row may have been added since it was taken
        lp = session.run(local.left())
        if lp.status is RunStatus.ERROR and basis is not None:
            session.forget_basis()  # an infeasible child can end "unknown" from its parent's basis
            lp = session.run(local.left())
        if lp.status is not RunStatus.OPTIMAL or lp.values is None or lp.objective is None:
            return lp.status
        order += 1
        return _Node(-lp.objective, order, node_bounds, sums_at(lp.values), lp.values, session.basis())

    root = solve({}, None)
    heap: list[_Node] = []
    best: _Node | None = root if isinstance(root, _Node) else None
    while best is not None:
        fraction = np.abs(best.sums - np.round(best.sums))
        fraction[fraction <= 1e-6] = 0.0
        if round_node is not None and best is not root and (rounded < ROUNDED_NODES or not fraction.any()):
            rounded += 1
            incumbent = round_node(best.values)
        proven = incumbent is not None and target.met(incumbent, -best.key, True)
        accepted = incumbent is not None and target.accepted(incumbent, -best.key, True)
        if n_cycles and fraction[:n_cycles].any():
            fraction[n_cycles:] = 0.0  # the cycles' sums first
        elif accepted or (at_days >= 0 and order - at_days >= DAY_NODES):
            break
        elif at_days < 0:
            at_days = order  # the days' sums from here on
        if proven or not fraction.any() or local.left() <= 0:
            break
        i = int(np.argmax(fraction))
        row_of(i)
        children: list[_Node] = []
        for low, up in ((-math.inf, math.floor(best.sums[i])), (math.ceil(best.sums[i]), math.inf)):
            was = best.bounds.get(i, (-math.inf, math.inf))
            child = solve({**best.bounds, i: (max(was[0], low), min(was[1], up))}, best.basis)
            if child is RunStatus.INFEASIBLE:
                continue
            if not isinstance(child, _Node):
                children = []
                break  # out of time, or the LP failed: the node stays open, unsplit
            children.append(child)
        else:
            for child in children:
                heapq.heappush(heap, child)
            best = heapq.heappop(heap) if heap else None
            continue
        break
    if rows:
        session.drop_rows(np.array(sorted(rows.values()), dtype=np.int32))
    if best is None:
        return bound  # the first LP out of time, or every node infeasible (no schedule: the MIP will say so)
    opened = [best, *heap]
    for i in sorted(rows):
        if i < n_cycles:
            ranges = [node.bounds.get(i, (-math.inf, math.inf)) for node in opened]
            least, most = min(r[0] for r in ranges), max(r[1] for r in ranges)
            if math.isfinite(least) or math.isfinite(most):
                session.add_row(columns_of(i), least, most)
    return min(bound, -best.key)


def _cbc(problem: pulp.LpProblem, deadline: Deadline, target: Target) -> Solution:
    path = backends.cbc_path()
    if path is None:
        return Solution(Status.ERROR, None, None, None, "CBC", "no cbc executable (install pulp[cbc] or coinor-cbc)")
    seconds = deadline.give("CBC")
    if seconds <= 0:
        return Solution(Status.TIME_LIMIT, None, None, None, "CBC")
    # CBC's gap is relative to its own objective, which a forced shortfall's penalty can dwarf the value in:
    # then it must prove much more than the target to prove the target on the value
    gap = target.gap if target.offset == 0 else min(target.gap, 1e-5)
    try:
        problem.solve(backends.cbc(seconds, gap, path))
    except pulp.PulpSolverError as err:
        return Solution(Status.ERROR, None, None, None, "CBC", str(err))
    if problem.status == pulp.LpStatusInfeasible:
        return Solution(Status.INFEASIBLE, None, None, None, "CBC")
    if problem.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        status = Status.TIME_LIMIT if problem.status == pulp.LpStatusNotSolved else Status.ERROR
        return Solution(status, None, None, None, "CBC")
    values = {v: float(v.varValue or 0.0) for v in problem.variables()}
    objective = float(pulp.value(problem.objective)) if problem.objective is not None else 0.0
    # CBC through PuLP reports no bound; an optimal status means within CBC's own gap
    status = Status.OPTIMAL if problem.sol_status == pulp.LpSolutionOptimal else Status.FEASIBLE
    return Solution(status, values, objective, None, "CBC", offset=target.offset)

"""Solve a scenario into a :class:`~planner.plan.Plan`.

HiGHS runs in-process through ``highspy`` (PuLP's ``HiGHS`` interface); CBC,
bundled with PuLP, is the fallback. Every schedule the solver returns is
checked against MODEL.md by :mod:`planner.check` before it is called a plan.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pulp
from pulp.apis.coin_api import COIN_CMD

from planner.catalog import Catalog
from planner.check import violations
from planner.diagnose import diagnose
from planner.model import Model, build_model
from planner.plan import Plan, PlanStatus, build_plan, empty_plan
from planner.scenario import Problem, Scenario, resolve

DEFAULT_TIME_LIMIT = 20.0  # seconds
DEFAULT_GAP = 0.002  # HiGHS stops within 0.2 %, safely inside the 0.5 % a plan must reach


@dataclass(frozen=True)
class SolveOutcome:
    """What one solver run returned."""

    status: PlanStatus
    sends: np.ndarray | None
    bound: float | None  # proven bound on the objective (maximised), where the solver gives one
    solver: str
    detail: str = ""  # what went wrong, for an error


_banner_silenced = False


def _highs_available() -> bool:
    """Whether in-process HiGHS can run; also keeps its one-time banner off stdout."""
    global _banner_silenced
    if not pulp.HiGHS().available():
        return False
    if not _banner_silenced:
        # highspy prints a copyright banner when the first Highs object is made,
        # straight to file descriptor 1; the CLI's stdout is for the user
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_silenced = True
    return True


def _sends_from(model: Model, problem: Problem, values: Callable[[pulp.LpVariable], float]) -> np.ndarray:
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    for (b, t), var in model.sends.items():
        sends[b, t] = int(round(values(var)))
    return sends


def _run_highs(model: Model, problem: Problem, time_limit: float, gap: float) -> SolveOutcome:
    """LP relaxation, then a MIP boxed around it, then (only if needed) the full MIP.

    The LP bound of this model is tight: on the 12-cycle benchmark a schedule
    within 0.1 % of it is found by letting each send count move only between
    the floor and the ceiling of its LP value, which HiGHS solves in about a
    second where its own heuristics on the full MIP take several. The LP
    bound proves the gap; when it does not prove enough, the boxed schedule
    warm-starts the full MIP.
    """
    import highspy

    started = time.perf_counter()
    prob = model.prob
    prob.solve(pulp.HiGHS(msg=False, mip=False, timeLimit=time_limit))
    h = prob.solverModel
    status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kSolveError, highspy.HighsModelStatus.kUnknown):
        # the dual simplex can stall on a nearly infeasible LP; the interior point method decides it
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("time_limit", max(time_limit - (time.perf_counter() - started), 0.01))
        h.run()
        h.setOptionValue("solver", "choose")
        status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return SolveOutcome(PlanStatus.INFEASIBLE, None, None, "HiGHS")
    if status == highspy.HighsModelStatus.kTimeLimit:
        return SolveOutcome(PlanStatus.TIME_LIMIT, None, None, "HiGHS")
    if status != highspy.HighsModelStatus.kOptimal:
        return SolveOutcome(PlanStatus.ERROR, None, None, "HiGHS", f"the LP relaxation ended with status {status.name}")
    lp_bound = -h.getInfo().objective_function_value  # PuLP hands HiGHS the negated objective
    variables = list(model.sends.values())
    if not variables:
        return SolveOutcome(PlanStatus.OPTIMAL, _sends_from(model, problem, lambda v: 0.0), lp_bound, "HiGHS")
    index = np.array([v.index for v in variables], dtype=np.int32)
    relaxed = np.array(h.getSolution().col_value)[index]
    lower = np.array([v.lowBound or 0.0 for v in variables], dtype=float)
    upper = np.array([highspy.kHighsInf if v.upBound is None else v.upBound for v in variables], dtype=float)
    n = len(index)
    # every integer column (sends, and the binaries of the cap) is integer again from here on
    integer = np.array([v.index for v in prob.variables() if v.cat == pulp.LpInteger], dtype=np.int32)
    h.changeColsIntegrality(len(integer), integer, np.full(len(integer), highspy.HighsVarType.kInteger.value, dtype=np.uint8))
    h.setOptionValue("mip_rel_gap", gap)

    def run(limit_left: float) -> tuple[np.ndarray | None, float | None]:
        h.setOptionValue("time_limit", max(limit_left, 0.01))
        h.run()
        info = h.getInfo()
        if info.primal_solution_status != 2:  # no feasible solution
            return None, None
        values = np.array(h.getSolution().col_value)
        return values, -info.objective_function_value

    box_lo = np.maximum(lower, np.floor(relaxed + 1e-6))
    box_hi = np.minimum(upper, np.ceil(relaxed - 1e-6))
    h.changeColsBounds(n, index, box_lo, box_hi)
    # in the box HiGHS spent most of its time on root cuts before its heuristics found the
    # schedule; more heuristic effort halved the boxed solve on the 12-cycle benchmark
    h.setOptionValue("mip_heuristic_effort", 0.3)
    boxed, boxed_value = run(time_limit - (time.perf_counter() - started))
    h.setOptionValue("mip_heuristic_effort", 0.05)  # HiGHS's default, for the full MIP
    if boxed is not None and boxed_value is not None and _within(boxed_value, lp_bound, gap):
        return SolveOutcome(PlanStatus.OPTIMAL, _sends_from(model, problem, lambda v: boxed[v.index]), lp_bound, "HiGHS")

    h.changeColsBounds(n, index, lower, upper)
    if boxed is not None:
        h.setSolution(n, index, boxed[index])
    full, full_value = run(time_limit - (time.perf_counter() - started))
    best = full if full is not None else boxed
    if best is None:
        timed_out = h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        infeasible = h.getModelStatus() == highspy.HighsModelStatus.kInfeasible
        status = PlanStatus.INFEASIBLE if infeasible else PlanStatus.TIME_LIMIT if timed_out else PlanStatus.ERROR
        return SolveOutcome(status, None, None, "HiGHS", f"the MIP ended with status {h.getModelStatus().name}")
    dual = h.getInfo().mip_dual_bound
    bound = min(lp_bound, -dual) if math.isfinite(dual) else lp_bound
    proven = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return SolveOutcome(
        PlanStatus.OPTIMAL if proven else PlanStatus.FEASIBLE,
        _sends_from(model, problem, lambda v: best[v.index]),
        bound,
        "HiGHS",
    )


def _within(value: float, bound: float, gap: float) -> bool:
    return bound - value <= gap * max(abs(bound), 1e-9) + 1e-9


def _run_cbc(model: Model, problem: Problem, time_limit: float, gap: float) -> SolveOutcome:
    prob = model.prob
    path = COIN_CMD.executableExtension(pulp.apis.coin_api.pulp_cbc_path)
    try:
        prob.solve(COIN_CMD(path=path, msg=False, timeLimit=max(time_limit, 1), gapRel=gap))
    except pulp.PulpSolverError as err:
        return SolveOutcome(PlanStatus.ERROR, None, None, "CBC", str(err))
    if prob.status == pulp.LpStatusInfeasible:
        return SolveOutcome(PlanStatus.INFEASIBLE, None, None, "CBC")
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        status = PlanStatus.TIME_LIMIT if prob.status == pulp.LpStatusNotSolved else PlanStatus.ERROR
        return SolveOutcome(status, None, None, "CBC")
    proven = prob.sol_status == pulp.LpSolutionOptimal
    sends = _sends_from(model, problem, lambda v: v.varValue or 0.0)
    # CBC through PuLP reports no bound; an optimal status means within the requested gap
    return SolveOutcome(PlanStatus.OPTIMAL if proven else PlanStatus.FEASIBLE, sends, None, "CBC")


def _run(model: Model, problem: Problem, solver: str, time_limit: float, gap: float) -> SolveOutcome:
    if solver == "highs" and _highs_available():
        started = time.perf_counter()
        outcome = _run_highs(model, problem, time_limit, gap)
        if outcome.status is not PlanStatus.ERROR:
            return outcome
        fallback = _run_cbc(model, problem, time_limit - (time.perf_counter() - started), gap)
        return replace(fallback, solver=f"CBC (HiGHS failed: {outcome.detail})")
    return _run_cbc(model, problem, time_limit, gap)


def make_plan(
    scenario: Scenario | Problem,
    *,
    catalog: Catalog | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    solver: str = "highs",
) -> Plan:
    """Plan a scenario: the schedule that maximises MODEL.md's objective.

    Parameters
    ----------
    scenario
        A validated scenario, or a problem already resolved against a catalog.
    catalog
        Tier catalog for tier names (the shipped one by default).
    time_limit
        Seconds the solver may take in all; past it the best plan found so far
        is returned (status ``feasible``), or none (status ``time_limit``).
    gap
        Relative gap at which the solver stops proving (0.002 = 0.2 %).
    solver
        ``"highs"`` (in-process HiGHS, default) or ``"cbc"``.

    >>> from planner.scenario import load_scenario
    >>> from planner.paths import EXAMPLES_DIR
    >>> plan = make_plan(load_scenario(EXAMPLES_DIR / "sales_rep.toml"))
    >>> plan.status, plan.totals.credits_spent
    (<PlanStatus.OPTIMAL: 'optimal'>, 50.0)
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit = {time_limit}: must be above 0 seconds")
    if not 0 <= gap < 1:
        raise ValueError(f"gap = {gap}: must be between 0 and 1")
    if solver not in ("highs", "cbc"):
        raise ValueError(f"solver = {solver!r}: choose 'highs' or 'cbc'")
    problem = scenario if isinstance(scenario, Problem) else resolve(scenario, catalog)
    started = time.perf_counter()
    outcome: SolveOutcome | None = None
    broken: list[str] = []
    for exact in (False, True):
        remaining = time_limit - (time.perf_counter() - started)
        model = build_model(problem, exact_expiry=exact)
        outcome = _run(model, problem, solver, remaining, gap)
        if outcome.sends is None:
            break
        broken = violations(problem, outcome.sends)
        if not broken:
            break
        # the relaxed ledger let credits expire early to make room under a cap: solve exactly
    assert outcome is not None
    elapsed = time.perf_counter() - started
    info: dict[str, object] = {"solve_seconds": elapsed, "solver": outcome.solver}
    if outcome.sends is None:
        if outcome.status is PlanStatus.INFEASIBLE:
            reasons = diagnose(problem)
            return empty_plan(
                problem, PlanStatus.INFEASIBLE, message="No plan meets every constraint.", diagnosis=reasons, **info
            )
        if outcome.status is PlanStatus.TIME_LIMIT:
            message = (
                f"The time limit ({time_limit:g} s) ran out before any plan was found; allow more time or simplify the scenario."
            )
            return empty_plan(problem, PlanStatus.TIME_LIMIT, message=message, **info)
        detail = f": {outcome.detail}" if outcome.detail else ""
        return empty_plan(problem, PlanStatus.ERROR, message=f"The solver failed ({outcome.solver}{detail}).", **info)
    if broken:
        message = "The solver's schedule breaks the model's rules: " + "; ".join(broken[:3])
        return empty_plan(problem, PlanStatus.ERROR, message=message, **info)
    message = "Optimal plan." if outcome.status is PlanStatus.OPTIMAL else "Time limit reached; best plan found so far."
    plan = build_plan(problem, outcome.sends, outcome.status, message=message, **info)
    if outcome.bound is None or plan.totals is None:
        return plan
    objective = plan.totals.objective
    bound = max(outcome.bound, objective)
    return replace(plan, bound=bound, gap=(bound - objective) / abs(bound) if abs(bound) > 1e-9 else 0.0)

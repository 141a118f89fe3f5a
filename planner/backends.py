"""The one adapter between the model and the solvers' libraries: HiGHS in-process, CBC as a command.

PuLP is the modelling language here (:mod:`planner.model` writes PuLP
expressions); HiGHS, through ``highspy``, is the solver. PuLP's own HiGHS
interface hides what the staged solve of :mod:`planner.solver` needs (the LP
solution as an array, bounds changed between runs, a warm start, the MIP
dual bound), and reaching for it means PuLP's private attributes. So this
module reads the problem through PuLP's public API only
(``LpProblem.variables()``, ``LpProblem.constraints()``, ``LpProblem.objective``,
``LpProblem.sense``, and each expression's ``items()`` and ``constant``),
writes the matrix itself, and drives ``highspy.Highs`` through its documented
methods (``passModel``, ``run``, ``getSolution``, ``getInfo``,
``changeColsBounds``, ``changeColsIntegrality``, ``setSolution``, ``addRow``,
``changeRowBounds``, ``deleteRows``, ``getBasis``, ``setBasis``, ``clearSolver``). The
objective keeps its own sense: HiGHS maximises a maximisation, so every value
and bound read back has the sign of the model's objective.

Column j is ``problem.variables()[j]``: the order is this module's, fixed
when the session is made, and nothing depends on how PuLP numbers its
variables.

CBC, the fallback, runs through PuLP's public ``COIN_CMD``. It needs a
``cbc`` executable: the one on ``PATH`` (``pip install pulp[cbc]``, Debian's
``coinor-cbc``), else the binary PuLP 3 bundles. PuLP names that binary's path
only in a module attribute (``pulp.apis.coin_api.pulp_cbc_path``; its
``PULP_CBC_CMD`` class is deprecated for PuLP 4.0), so :func:`cbc_path`
is the one place that reads a PuLP attribute outside its documented API, and
a PuLP without it simply means CBC comes from ``PATH`` or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import highspy
import numpy as np
import pulp


class RunStatus(StrEnum):
    """How one HiGHS run ended, in the terms the staged solve needs."""

    OPTIMAL = "optimal"  # solved to the requested gap
    TIME_LIMIT = "time_limit"  # stopped by the time limit
    INFEASIBLE = "infeasible"
    ERROR = "error"  # anything else (a numerical failure, an unbounded model)


@dataclass(frozen=True)
class RunResult:
    """One HiGHS run: its status, the solution (when one exists), its objective and the proven bound."""

    status: RunStatus
    values: np.ndarray | None  # column values, in column order; None without a feasible solution
    objective: float | None
    bound: float | None  # proven bound on the objective (above it for a maximisation), where HiGHS gives one
    detail: str = ""


_banner_silenced = False


def available() -> bool:
    """Whether in-process HiGHS can run here (``highspy`` imports and makes a solver)."""
    try:
        _silence_banner()
    except Exception:  # noqa: BLE001 - any failure to start HiGHS means: use the fallback
        return False
    return True


def _silence_banner() -> None:
    """highspy prints a copyright banner when its first Highs object is made, straight to file descriptor 1.

    The CLI's stdout is for the user, so the first object is made with fd 1 pointing at /dev/null.
    """
    global _banner_silenced
    if _banner_silenced:
        return
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


Basis = highspy.HighsBasis  # a simplex basis (:meth:`Session.basis`), handed back as it is


def _bound(value: float | None, infinite: float) -> float:
    return infinite if value is None else float(value)


class Session:
    """A PuLP problem loaded into one HiGHS instance, solved in stages with bounds changed in between.

    Parameters
    ----------
    problem
        The PuLP problem; it is read, never changed (its variables' values are not set).
    """

    def __init__(self, problem: pulp.LpProblem) -> None:
        _silence_banner()
        variables = problem.variables()
        self.columns: dict[pulp.LpVariable, int] = {v: j for j, v in enumerate(variables)}
        n = len(variables)
        inf = highspy.kHighsInf
        self.lower = np.array([_bound(v.lowBound, -inf) for v in variables], dtype=float)
        self.upper = np.array([_bound(v.upBound, inf) for v in variables], dtype=float)
        self.integer = np.array([j for j, v in enumerate(variables) if v.cat == pulp.LpInteger], dtype=np.int32)
        self.maximise = problem.sense == pulp.LpMaximize
        self.is_mip = False  # the integer columns start relaxed: the first run is the LP
        self.boxed_columns = np.zeros(0, dtype=np.int32)  # the columns a staged solve boxes (its choice)

        cost = np.zeros(n)
        offset = 0.0
        if problem.objective is not None:
            for var, coef in problem.objective.items():
                cost[self.columns[var]] += coef
            offset = float(problem.objective.constant)
        # rows: PuLP keeps each constraint as expression (with its constant) <=, >= or == 0
        starts = [0]
        index: list[int] = []
        value: list[float] = []
        row_lower: list[float] = []
        row_upper: list[float] = []
        for c in problem.constraints():
            for var, coef in c.items():
                index.append(self.columns[var])
                value.append(coef)
            starts.append(len(index))
            rhs = -float(c.constant)
            row_lower.append(rhs if c.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else -inf)
            row_upper.append(rhs if c.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ) else inf)

        self.arrays = {
            "cost": cost,
            "lower": self.lower,
            "upper": self.upper,
            "row_lower": np.array(row_lower, dtype=float),
            "row_upper": np.array(row_upper, dtype=float),
            "row_start": np.array(starts, dtype=np.int32),
            "index": np.array(index, dtype=np.int32),
            "value": np.array(value, dtype=float),
            "offset": np.array([offset]),
            "maximise": np.array([self.maximise]),
            "integer": self.integer,
        }
        self._open(_highs_lp(self.arrays))

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Session:
        """A session from the arrays of another one (in the child process of :meth:`run_apart`)."""
        session = cls.__new__(cls)
        _silence_banner()
        session.columns = {}
        session.arrays = dict(arrays)
        session.lower, session.upper = arrays["lower"], arrays["upper"]
        session.integer = arrays["integer"].astype(np.int32)
        session.maximise = bool(arrays["maximise"][0])
        session.is_mip = False
        session.boxed_columns = np.zeros(0, dtype=np.int32)
        session._open(_highs_lp(arrays))
        return session

    def _open(self, lp: highspy.HighsLp) -> None:
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self._interrupts = (self.highs.cbSimplexInterrupt, self.highs.cbIpmInterrupt, self.highs.cbMipInterrupt)

    def run_apart(self, seconds: float, options: Mapping[str, float], start: np.ndarray | None) -> RunResult:
        """The MIP, on the model's own bounds, in a child process that is ended once ``seconds`` have passed.

        HiGHS can spend a minute in root cut separation without looking at its
        time limit or calling its interrupt callbacks (a 30-bucket, 12-cycle
        scenario given 14 s took 90), so the full MIP, the one stage that
        meets it, runs where it can be stopped from outside.
        """
        with tempfile.TemporaryDirectory(prefix="inmail-mip-") as folder:
            payload: dict[str, Any] = {**self.arrays, **({"start": start} if start is not None else {})}
            np.savez(os.path.join(folder, "model.npz"), **payload)
            with open(os.path.join(folder, "options.json"), "w") as handle:
                json.dump({**options, "time_limit": max(seconds, 1e-3)}, handle)
            child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, folder], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            try:
                _, errors = child.communicate(timeout=seconds + GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                return RunResult(RunStatus.TIME_LIMIT, None, None, None, "stopped at the deadline")
            result_path = os.path.join(folder, "result.json")
            if child.returncode != 0 or not os.path.exists(result_path):
                return RunResult(RunStatus.ERROR, None, None, None, f"the MIP process failed: {errors.strip()[-300:]}")
            with open(result_path) as handle:
                out = json.load(handle)
            values_path = os.path.join(folder, "values.npy")
            values = np.load(values_path) if os.path.exists(values_path) else None
            return RunResult(RunStatus(out["status"]), values, out["objective"], out["bound"], out["detail"])

    def column(self, var: pulp.LpVariable) -> int:
        """The column of a variable of the problem."""
        return self.columns[var]

    def set_option(self, name: str, value: float | int | str | bool) -> None:
        """Set a HiGHS option (its documented name, e.g. ``mip_rel_gap``)."""
        self.highs.setOptionValue(name, value)

    def make_integer(self) -> None:
        """Mark the problem's integer columns integer (they start relaxed, for the LP)."""
        count = len(self.integer)
        self.is_mip = count > 0
        if count:
            kinds = np.full(count, highspy.HighsVarType.kInteger.value, dtype=np.uint8)
            self.highs.changeColsIntegrality(count, self.integer, kinds)

    def set_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of some columns (a box around a relaxed solution, or back to the model's)."""
        self.highs.changeColsBounds(len(columns), columns.astype(np.int32), lower, upper)

    def set_start(self, values: np.ndarray) -> None:
        """A full solution for the next MIP run to start from."""
        self.highs.setSolution(_solution(values))

    def add_row(self, columns: np.ndarray, lower: float, upper: float) -> None:
        """Add the row ``lower <= sum of columns <= upper`` (a cut; +-inf for no side), here and in a child's arrays."""
        low, up = max(lower, -highspy.kHighsInf), min(upper, highspy.kHighsInf)
        self.highs.addRow(low, up, len(columns), columns.astype(np.int32), np.ones(len(columns)))
        a = self.arrays
        a["row_lower"] = np.append(a["row_lower"], low)
        a["row_upper"] = np.append(a["row_upper"], up)
        a["index"] = np.concatenate([a["index"], columns.astype(np.int32)])
        a["value"] = np.concatenate([a["value"], np.ones(len(columns))])
        a["row_start"] = np.append(a["row_start"], len(a["index"])).astype(np.int32)

    def add_free_rows(self, groups: Sequence[np.ndarray]) -> np.ndarray:
        """Add, in this instance only, one row ``sum of a group's columns`` per group with no bounds; their indices.

        Branching changes their bounds (:meth:`set_row_bounds`) and :meth:`drop_rows` removes them
        again; a child process of :meth:`run_apart` never sees them.
        """
        first = self.highs.getNumRow()
        inf = highspy.kHighsInf
        for columns in groups:
            self.highs.addRow(-inf, inf, len(columns), columns.astype(np.int32), np.ones(len(columns)))
        return np.arange(first, first + len(groups), dtype=np.int32)

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of some rows (+-inf for no side)."""
        inf = highspy.kHighsInf
        for row, low, up in zip(rows.tolist(), lower.tolist(), upper.tolist(), strict=True):
            self.highs.changeRowBounds(row, max(low, -inf), min(up, inf))

    def drop_rows(self, rows: np.ndarray) -> None:
        """Remove rows added by :meth:`add_free_rows` (the last rows of the instance)."""
        self.highs.deleteRows(len(rows), rows)

    def basis(self) -> Basis:
        """The simplex basis of the last LP solved: a later LP with changed bounds starts from it."""
        return self.highs.getBasis()

    def set_basis(self, basis: Basis) -> None:
        self.highs.setBasis(basis)

    def forget_basis(self) -> None:
        """Drop the solver's basis and factorisation: the next run starts cold (HiGHS's ``clearSolver``).

        From a given basis HiGHS's dual simplex has ended an infeasible LP with status "unknown",
        where the cold run says "infeasible".
        """
        self.highs.clearSolver()

    def grown_basis(self, basis: Basis) -> Basis:
        """A basis of this instance from one of before rows were added to it: each added row's slack basic."""
        added = self.highs.getNumRow() - len(basis.row_status)
        if added <= 0:
            return basis
        grown = highspy.HighsBasis()
        grown.valid = basis.valid
        grown.col_status = basis.col_status
        grown.row_status = [*basis.row_status, *[highspy.HighsBasisStatus.kBasic] * added]
        return grown

    def least_sum(self, columns: np.ndarray, seconds: float) -> float | None:
        """The least sum of some columns over the LP relaxation (None if not solved in time); the objective is restored."""
        return self._extreme_sum(columns, seconds, highspy.ObjSense.kMinimize)

    def most_sum(self, columns: np.ndarray, seconds: float) -> float | None:
        """The largest sum of some columns over the LP relaxation (None if not solved in time); the objective is restored."""
        return self._extreme_sum(columns, seconds, highspy.ObjSense.kMaximize)

    def _extreme_sum(self, columns: np.ndarray, seconds: float, sense: highspy.ObjSense) -> float | None:
        h = self.highs
        n = len(self.lower)
        everything = np.arange(n, dtype=np.int32)
        saved_cost = np.array(h.getLp().col_cost_)
        saved_sense = h.getObjectiveSense()[1]
        saved_offset = h.getObjectiveOffset()[1]
        cost = np.zeros(n)
        cost[columns] = 1.0
        h.changeColsCost(n, everything, cost)
        h.changeObjectiveSense(sense)
        h.changeObjectiveOffset(0.0)
        try:
            result = self.run(seconds)
        finally:
            h.changeColsCost(n, everything, saved_cost)
            h.changeObjectiveSense(saved_sense)
            h.changeObjectiveOffset(saved_offset)
        return result.objective if result.status is RunStatus.OPTIMAL else None

    def run(self, seconds: float) -> RunResult:
        """Solve (the LP while nothing is integer, else the MIP) within ``seconds``.

        HiGHS's ``time_limit`` is checked only between some of its steps (a MIP
        run given 8 s took 60 on a 14-bucket scenario), so the run is also
        interrupted through HiGHS's interrupt callbacks once ``seconds`` have passed.
        """
        h = self.highs
        # HiGHS compares its time_limit with the run time this Highs object has spent in all its runs so far
        # (getRunTime): a fourth LP given 1 s after three of 0.3 s stopped at once, "time limit reached"
        h.setOptionValue("time_limit", h.getRunTime() + max(seconds, 1e-3))
        stop_at = time.monotonic() + seconds

        def interrupt(event: highspy.highs.HighsCallbackEvent) -> None:
            # set both ways: HiGHS keeps the flag of an interrupted run, and would stop the next one at once
            event.interrupt(time.monotonic() >= stop_at)

        for callback in self._interrupts:
            callback.subscribe(interrupt)
        try:
            h.run()
        finally:
            for callback in self._interrupts:
                callback.unsubscribe(interrupt)
        status = h.getModelStatus()
        info = h.getInfo()
        kinds = highspy.HighsModelStatus
        has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        values = np.array(h.getSolution().col_value) if has_solution else None
        objective = float(info.objective_function_value) if has_solution else None
        bound: float | None
        if self.is_mip:
            dual = float(info.mip_dual_bound)
            bound = dual if np.isfinite(dual) else None
        else:
            bound = objective if status == kinds.kOptimal else None
        if status == kinds.kOptimal:
            run_status = RunStatus.OPTIMAL
        elif status in (kinds.kTimeLimit, kinds.kInterrupt):
            run_status = RunStatus.TIME_LIMIT
        elif status in (kinds.kInfeasible, kinds.kUnboundedOrInfeasible):
            run_status = RunStatus.INFEASIBLE
        else:
            run_status = RunStatus.ERROR
        return RunResult(run_status, values, objective, bound, detail=h.modelStatusToString(status))


def _highs_lp(arrays: Mapping[str, np.ndarray]) -> highspy.HighsLp:
    """A HiGHS model (rowwise matrix) from the arrays a :class:`Session` writes (and its child process reads)."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(arrays["cost"])
    lp.num_row_ = len(arrays["row_lower"])
    lp.col_cost_ = arrays["cost"]
    lp.col_lower_ = arrays["lower"]
    lp.col_upper_ = arrays["upper"]
    lp.row_lower_ = arrays["row_lower"]
    lp.row_upper_ = arrays["row_upper"]
    lp.offset_ = float(arrays["offset"][0])
    lp.sense_ = highspy.ObjSense.kMaximize if bool(arrays["maximise"][0]) else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = arrays["row_start"]
    lp.a_matrix_.index_ = arrays["index"]
    lp.a_matrix_.value_ = arrays["value"]
    return lp


# The full MIP in a child process: build the model from the arrays, start from the given solution, run, write back.
_CHILD = """
import json, sys
import numpy as np
from planner import backends
folder = sys.argv[1]
arrays = dict(np.load(folder + "/model.npz"))
options = json.load(open(folder + "/options.json"))
session = backends.Session.from_arrays(arrays)
for name, value in options.items():
    session.set_option(name, value)
session.make_integer()
if "start" in arrays:
    session.set_start(arrays["start"])
result = session.run(options["time_limit"])
out = {"status": str(result.status), "objective": result.objective, "bound": result.bound, "detail": result.detail}
if result.values is not None:
    np.save(folder + "/values.npy", result.values)
json.dump(out, open(folder + "/result.json", "w"))
"""

GRACE_SECONDS = 0.5  # the child's own time limit and interrupts stop it first, as a rule


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    return solution


def cbc_path() -> str | None:
    """The CBC executable for :class:`pulp.COIN_CMD`: ``cbc`` on ``PATH``, else PuLP 3's bundled one, else None."""
    found = shutil.which("cbc")
    if found is not None:
        return found
    from pulp.apis import coin_api

    bundled = getattr(coin_api, "pulp_cbc_path", None)
    if isinstance(bundled, str):
        bundled = pulp.COIN_CMD.executableExtension(bundled)
        if os.path.isfile(bundled) and os.access(bundled, os.X_OK):
            return str(bundled)
    return None


def cbc(seconds: float, gap: float, path: str) -> pulp.COIN_CMD:
    """A CBC command stopping at the relative ``gap`` or after ``seconds`` (whole seconds, at least 1)."""
    return pulp.COIN_CMD(path=path, msg=False, timeLimit=max(1, int(seconds)), gapRel=gap)

"""Plans: the schedule, the daily ledger and the totals a user reads.

A :class:`Plan` is built from a schedule of whole sends; its ledger comes from
the simulator (:mod:`planner.ledger`), never from the optimiser's own
variables, so what a user sees is what LinkedIn's bookkeeping would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from planner.calendar import Weekday
from planner.check import Score, score
from planner.ledger import LedgerResult, simulate
from planner.problem import Problem

SCHEDULE_COLUMNS = ["date", "cycle", "weekday", "goal", "bucket", "sends", "credits_used", "expected_responses"]
# a team's schedule names the seat of every row; a one-seat scenario's keeps the columns above
TEAM_SCHEDULE_COLUMNS = ["date", "cycle", "seat", "weekday", "goal", "bucket", "sends", "credits_used", "expected_responses"]


class PlanStatus(StrEnum):
    """How the solve ended."""

    OPTIMAL = "optimal"  # proven within the gap aimed for, or the accepted one (MODEL.md 0.5 %): the message says which
    FEASIBLE = "feasible"  # time limit hit with a plan in hand; the gap says how good
    INFEASIBLE = "infeasible"  # no schedule meets every constraint; see ``diagnosis``
    TIME_LIMIT = "time_limit"  # time limit hit before any plan was found
    ERROR = "error"  # the solver failed


@dataclass(frozen=True)
class Totals:
    """The headline numbers of a plan (MODEL.md, "What a plan reports")."""

    credits_granted: float
    credits_spent: float
    expired_unused: float
    forfeited_over_cap: float
    credits_left_at_end: float
    sends: int
    free_sends: int
    expected_responses: float
    weighted_value: float
    expected_credit_backs: float
    goal_shortfall: int
    objective: float
    price_paid: float | None
    cost_per_response: float | None


@dataclass(frozen=True)
class SeatTotals:
    """One seat's share of a plan: what it sends and spends from the pool, and where its seat cap binds."""

    seat: str
    sends: int
    credits_used: int
    expected_responses: float
    weighted_value: float
    goal_shortfall: int
    seat_cap: int | None
    credits_by_cycle: tuple[int, ...]  # credit-paid sends per cycle
    cap_binding_cycles: tuple[int, ...]  # cycles (1-based) in which the seat spends its whole seat cap


@dataclass(frozen=True)
class Plan:
    """A solved scenario: status, schedule, ledger and totals (empty when there is no plan)."""

    problem: Problem
    status: PlanStatus
    sends: np.ndarray  # sends[bucket, day]
    schedule: pd.DataFrame
    ledger: pd.DataFrame
    totals: Totals | None
    goal_mix: pd.DataFrame
    allocation: pd.DataFrame
    gap: float | None = None  # proven relative gap to the best bound
    bound: float | None = None  # proven bound on the objective
    solve_seconds: float = 0.0
    solver: str = ""
    message: str = ""
    diagnosis: list[str] = field(default_factory=list)
    seats: tuple[SeatTotals, ...] = ()  # per seat (one for a one-seat scenario); empty without a schedule

    @property
    def days(self) -> range:
        """The day indices the plan covers: row i of ``ledger`` is day ``days[i]`` (a re-plan starts today)."""
        return self.problem.days

    @property
    def is_ok(self) -> bool:
        """True when the plan holds a schedule that meets every constraint."""
        return self.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)

    def summary(self) -> dict[str, object]:
        """Status, gap and totals as plain data (the CLI's summary JSON)."""
        data: dict[str, object] = {
            "status": str(self.status),
            "gap": self.gap,
            "bound": self.bound,
            "solver": self.solver,
            "solve_seconds": round(self.solve_seconds, 4),
            "message": self.message,
            "diagnosis": list(self.diagnosis),
        }
        if self.totals is not None:
            data["totals"] = {k: _plain(v) for k, v in self.totals.__dict__.items()}
            data["goal_mix"] = self.goal_mix.to_dict(orient="records")
            if self.problem.is_team:
                data["seats"] = [{k: _plain_all(v) for k, v in seat.__dict__.items()} for seat in self.seats]
        return data


def _plain(value: object) -> object:
    if isinstance(value, float | np.floating):
        return round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _plain_all(value: object) -> object:
    return [_plain(v) for v in value] if isinstance(value, tuple) else _plain(value)


def schedule_table(problem: Problem, sends: np.ndarray) -> pd.DataFrame:
    """One row per (day, bucket) with sends > 0."""
    cal = problem.calendar
    rows = []
    for t in range(problem.n_days):
        for b in problem.buckets:
            n = int(sends[b.index, t])
            if n > 0:
                day = cal.date_of(t)
                rows.append(
                    {
                        "date": day,
                        "cycle": cal.cycle_of(t) + 1,
                        "seat": problem.seats[b.seat].name,
                        "weekday": str(Weekday.of(day)),
                        "goal": str(b.goal),
                        "bucket": b.name,
                        "sends": n,
                        "credits_used": 0 if b.free else n,
                        "expected_responses": round(b.rate * n, 6),
                    }
                )
    return pd.DataFrame(rows, columns=TEAM_SCHEDULE_COLUMNS if problem.is_team else SCHEDULE_COLUMNS)


def _seat_first(problem: Problem, columns: list[str]) -> list[str]:
    """A table's columns, with ``seat`` first for a team."""
    return ["seat", *columns] if problem.is_team else columns


def goal_mix_table(problem: Problem, sc: Score) -> pd.DataFrame:
    """Per goal and cycle (and seat, for a team): target, credit-paid sends and shortfall."""
    rows = [
        {
            "seat": problem.seats[s].name,
            "goal": str(g),
            "cycle": k + 1,
            "target": problem.goal_target(s, g, k),
            "paid_sends": sc.paid[s, g, k],
            "shortfall": short,
        }
        for (s, g, k), short in sc.shortfall.items()
    ]
    return pd.DataFrame(rows, columns=_seat_first(problem, ["goal", "cycle", "target", "paid_sends", "shortfall"]))


def allocation_table(problem: Problem, sends: np.ndarray) -> pd.DataFrame:
    """Per bucket (of each seat, for a team): planned sends, share of all sends, credits and expected responses."""
    total = max(int(sends.sum()), 1)
    rows = []
    for b in problem.buckets:
        n = int(sends[b.index].sum())
        rows.append(
            {
                "seat": problem.seats[b.seat].name,
                "bucket": b.name,
                "goal": str(b.goal),
                "free": b.free,
                "sends": n,
                "share": n / total,
                "credits": 0 if b.free else n,
                "expected_responses": b.rate * n,
            }
        )
    columns = ["bucket", "goal", "free", "sends", "share", "credits", "expected_responses"]
    return pd.DataFrame(rows, columns=_seat_first(problem, columns))


def seat_totals(problem: Problem, sends: np.ndarray, sc: Score) -> tuple[SeatTotals, ...]:
    """Per seat: sends, credits used from the pool, expected responses, value, shortfall and where the seat cap binds."""
    cal = problem.calendar
    out = []
    for seat in problem.seats:
        mine = problem.buckets_of(seat.index)
        paid = [b.index for b in mine if not b.free]
        by_cycle = tuple(int(sends[paid, cal.cycle_days(k).start : cal.cycle_days(k).stop].sum()) for k in range(cal.cycles))
        value = sum(
            b.weight * b.rate * problem.value_factor(int(t)) * sends[b.index, t]
            for b in mine
            for t in np.nonzero(sends[b.index])[0]
        )
        binding = tuple(k + 1 for k in problem.cycles_ahead() if seat.seat_cap is not None and by_cycle[k] >= seat.seat_cap)
        out.append(
            SeatTotals(
                seat=seat.name,
                sends=int(sends[[b.index for b in mine]].sum()),
                credits_used=sum(by_cycle),
                expected_responses=float(sum(b.rate * sends[b.index].sum() for b in mine)),
                weighted_value=float(value),
                goal_shortfall=sum(v for (s, _, _), v in sc.shortfall.items() if s == seat.index),
                seat_cap=seat.seat_cap,
                credits_by_cycle=by_cycle,
                cap_binding_cycles=binding,
            )
        )
    return tuple(out)


def price_paid(problem: Problem) -> float | None:
    """The list price of every cycle's tier, added up (times the seats, for a team); None when a price is unknown."""
    prices = [t.price_monthly for t in problem.tiers]
    if any(p is None for p in prices):
        return None
    return float(sum(p for p in prices if p is not None)) * problem.n_seats


def totals_of(problem: Problem, sends: np.ndarray, ledger: LedgerResult, sc: Score) -> Totals:
    table = ledger.table
    responses = float(sum(b.rate * sends[b.index].sum() for b in problem.buckets))
    price = price_paid(problem)
    return Totals(
        credits_granted=float(table["granted"].sum()),  # from today on, for a re-plan
        credits_spent=float(table["spent"].sum()),
        expired_unused=float(table["expired"].sum()),
        forfeited_over_cap=float(table["forfeited"].sum()),
        credits_left_at_end=float(table["closing"].iloc[-1]) if len(table) else 0.0,
        sends=int(sends.sum()),
        free_sends=int(sum(sends[b.index].sum() for b in problem.buckets if b.free)),
        expected_responses=responses,
        weighted_value=sc.weighted_value,
        expected_credit_backs=float(table["credited_back"].sum()),
        goal_shortfall=sc.total_shortfall,
        objective=sc.objective,
        price_paid=price,
        cost_per_response=(price / responses) if price is not None and responses > 0 else None,
    )


def build_plan(problem: Problem, sends: np.ndarray, status: PlanStatus, **info: object) -> Plan:
    """A plan from a schedule: simulate its ledger and compute its tables and totals."""
    ledger = simulate(problem, sends)
    sc = score(problem, sends)
    return Plan(
        problem=problem,
        status=status,
        sends=sends,
        schedule=schedule_table(problem, sends),
        ledger=ledger.table,
        totals=totals_of(problem, sends, ledger, sc),
        goal_mix=goal_mix_table(problem, sc),
        allocation=allocation_table(problem, sends),
        seats=seat_totals(problem, sends, sc),
        **info,  # type: ignore[arg-type]
    )


def empty_plan(problem: Problem, status: PlanStatus, **info: object) -> Plan:
    """A result with no schedule (no plan exists, or none was found in time)."""
    sends = np.zeros((len(problem.buckets), problem.n_days), dtype=int)
    return Plan(
        problem=problem,
        status=status,
        sends=sends,
        schedule=schedule_table(problem, sends),
        ledger=pd.DataFrame(),
        totals=None,
        goal_mix=pd.DataFrame(),
        allocation=pd.DataFrame(),
        **info,  # type: ignore[arg-type]
    )

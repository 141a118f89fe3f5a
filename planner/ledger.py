"""The ledger: what a schedule of sends does to the credits, day by day.

This is the simulator of MODEL.md, kept apart from the optimiser: every plan
is checked by running its sends through it, and the burn-down chart and the
ledger CSV are drawn from what it returns. Each day:

1. on a cycle's first day the grant arrives, less what the balance cap forfeits;
2. expected credit-backs due that day arrive (times ``refund_reliance``);
3. the day's credit-paid sends are paid from the credits held, those that
   expire first first;
4. at the end of the day, credits whose last valid day it was expire.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.problem import Problem

TOLERANCE = 1e-6

LEDGER_COLUMNS = [
    "date",
    "cycle",
    "tier",
    "opening",
    "granted",
    "forfeited",
    "credited_back",
    "spent",
    "expired",
    "closing",
    "oldest_expiry",
    "expiring_on_oldest",
    "reserve_floor",
    "balance_cap",
]


@dataclass
class Lot:
    """Credits received on one day, valid through ``last_day`` (a day index)."""

    arrival: int
    last_day: int
    amount: float


@dataclass(frozen=True)
class Violation:
    """A day on which the ledger breaks a rule (overspent, or reserve not kept)."""

    day: int
    kind: str  # "overspent" or "reserve"
    message: str


@dataclass
class LedgerResult:
    """The simulated ledger, its violations, and the lots left at the end."""

    table: pd.DataFrame
    violations: list[Violation] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def credit_back_per_send(problem: Problem) -> np.ndarray:
    """Per bucket and send day, the credits one send gets back lag days later: reliance * r_b (0 for a free bucket)."""
    rates = np.array([0.0 if b.free else b.rate for b in problem.buckets])
    reliance = np.array([problem.refund_rate(t) for t in range(problem.n_days)])
    return np.outer(rates, reliance)


def refunds_due(problem: Problem, sends: np.ndarray, per_send: np.ndarray | None = None) -> np.ndarray:
    """Expected credit-backs arriving on each day: reliance * r_b per paid send, lag days later.

    ``per_send`` is :func:`credit_back_per_send` of the problem, for a caller that runs this often.
    """
    per_send = credit_back_per_send(problem) if per_send is None else per_send
    due = np.zeros(problem.n_days)
    lag = problem.scenario.refund_lag_days
    if lag < problem.n_days:
        due[lag:] = (per_send * sends).sum(axis=0)[: problem.n_days - lag]
    return due


def paid_sends(problem: Problem, sends: np.ndarray) -> np.ndarray:
    """Credit-paid sends per day (free buckets use no credit)."""
    paid = [b.index for b in problem.buckets if not b.free]
    if not paid:
        return np.zeros(problem.n_days)
    return sends[paid].sum(axis=0).astype(float)


def _take(lots: list[Lot], amount: float) -> float:
    """Take ``amount`` from the lots that expire first; return what could not be taken."""
    lots.sort(key=lambda lot: (lot.last_day, lot.arrival))
    for lot in lots:
        if amount <= 0:
            break
        taken = min(lot.amount, amount)
        lot.amount -= taken
        amount -= taken
    return max(0.0, amount)


def simulate(problem: Problem, sends: np.ndarray) -> LedgerResult:
    """Run a schedule (``sends[b, t]``) through the ledger and report every violation.

    The ledger covers ``problem.days``: for a re-plan it starts today with the
    credits held and adds the credit-backs the log still expects.
    """
    due = refunds_due(problem, sends)
    for t, amount in problem.start.credits_due.items():
        due[t] += amount
    lots = [Lot(problem.first_day - 1, last, amount) for last, amount in problem.start.lots]
    return run_ledger(problem, paid_sends(problem, sends), due, first_day=problem.first_day, lots=lots)


def run_ledger(
    problem: Problem,
    spend: np.ndarray,
    credits_back: np.ndarray,
    *,
    first_day: int = 0,
    end_day: int | None = None,
    lots: list[Lot] | None = None,
) -> LedgerResult:
    """The ledger from ``first_day`` up to (not including) ``end_day``.

    ``spend[t]`` credit-paid sends and ``credits_back[t]`` credits returned on
    day t; ``lots`` are the credits held at the start of ``first_day``. Grants
    arrive on the cycle starts inside the range.
    """
    rows, violations, held_lots = _days(problem, spend, credits_back, first_day, end_day, lots, table=True)
    return LedgerResult(table=pd.DataFrame(rows, columns=LEDGER_COLUMNS), violations=violations, lots=held_lots)


def step(
    problem: Problem, spend: np.ndarray, credits_back: np.ndarray, day: int, lots: list[Lot]
) -> tuple[list[Violation], list[Lot]]:
    """One day of :func:`run_ledger` without its table: the day's violations and the lots held at the next day's start."""
    _, violations, held_lots = _days(problem, spend, credits_back, day, day + 1, lots, table=False)
    return violations, held_lots


def _days(
    problem: Problem,
    spend: np.ndarray,
    credits_back: np.ndarray,
    first_day: int,
    end_day: int | None,
    lots: list[Lot] | None,
    *,
    table: bool,
) -> tuple[list[dict[str, object]], list[Violation], list[Lot]]:
    """The ledger's days (see :func:`run_ledger`): the table's rows (when ``table``), the violations, the lots left."""
    cal = problem.calendar
    end = problem.n_days if end_day is None else end_day
    held_lots: list[Lot] = [Lot(x.arrival, x.last_day, x.amount) for x in (lots or [])]
    starts = {t: k for k, t in enumerate(cal.cycle_starts)}
    rows: list[dict[str, object]] = []
    violations: list[Violation] = []
    for t in range(first_day, end):
        k = cal.cycle_of(t)
        tier, cap = problem.tiers[k], problem.balance_cap(k)  # a team's cap is the pool's
        opening = sum(lot.amount for lot in held_lots)
        granted = forfeited = 0.0
        if t in starts:
            granted = float(problem.grants[k])
            if cap is not None:
                # exactly max(0, balance + grant - cap); beyond the grant itself (a balance
                # lifted over the cap by credit-backs) the excess goes from the credits
                # that expire first
                forfeited = max(0.0, opening + granted - cap)
                _take(held_lots, forfeited - granted)
            kept = granted - min(granted, forfeited)
            if kept > 0:
                held_lots.append(Lot(t, problem.last_valid_day(t), kept))
        if credits_back[t] > 0:
            held_lots.append(Lot(t, problem.last_valid_day(t), float(credits_back[t])))
        owed = _take(held_lots, float(spend[t]))
        if owed > TOLERANCE:
            violations.append(
                Violation(
                    t, "overspent", f"{cal.date_of(t)}: {spend[t]:g} credit-paid sends but only {spend[t] - owed:g} credits held"
                )
            )
        held_lots = [lot for lot in held_lots if lot.amount > 1e-12]
        held = sum(lot.amount for lot in held_lots)
        floor = problem.reserve_floor(k)
        if floor > 0 and problem.reserve_applies(t) and held < floor - TOLERANCE:
            violations.append(
                Violation(t, "reserve", f"{cal.date_of(t)}: balance {held:g} after sends is below the reserve {floor}")
            )
        expired = sum(lot.amount for lot in held_lots if lot.last_day <= t)
        held_lots = [lot for lot in held_lots if lot.last_day > t]
        if not table:
            continue
        oldest = min((lot.last_day for lot in held_lots), default=None)
        rows.append(
            {
                "date": cal.date_of(t),
                "cycle": k + 1,
                "tier": tier.name,
                "opening": opening,
                "granted": granted,
                "forfeited": forfeited,
                "credited_back": float(credits_back[t]),
                "spent": float(spend[t]),
                "expired": expired,
                "closing": sum(lot.amount for lot in held_lots),
                "oldest_expiry": cal.date_of(oldest) if oldest is not None else None,
                "expiring_on_oldest": sum(lot.amount for lot in held_lots if lot.last_day == oldest),
                "reserve_floor": floor if problem.reserve_applies(t) else 0,
                "balance_cap": cap,
            }
        )
    return rows, violations, held_lots

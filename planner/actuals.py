"""Actuals: the ledger the usage log really made, the balance today, learned rates, and a re-plan.

Semantics follow MODEL.md, "Actuals":

- the **actual ledger** covers the days before ``today``: logged credit-paid
  sends are the spends, and every logged outcome other than pending, under a
  credit-back tier, within 90 days of its send, returns one credit on its
  ``outcome_on`` (actual credit-backs replace expected ones);
- the **balance today** is what is left of each lot at the start of today;
- the **re-plan** is the model on the days from today, starting from those
  lots, with pools, minimums and goal targets of today's cycle reduced by
  what the log already sent in it, pending sends still counted on for
  ``refund_reliance * r_b`` credits, and follow-up eligibility from the log;
- **learned rates** are the Beta posterior per bucket, with pending sends as
  partial trials (MODEL.md v2, "Learned rates with pending sends"): its mean,
  its 5 % and 95 % quantiles and the effective number of observations.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from planner.catalog import Catalog
from planner.ledger import LedgerResult, Lot, run_ledger
from planner.plan import Plan
from planner.problem import Problem, StartState, resolve
from planner.scenario import Goal, Scenario, ScenarioError
from planner.solve import DEFAULT_GAP, DEFAULT_TIME_LIMIT, make_plan
from planner.usage import Outcome, UsageEntry

CREDIT_BACK_WINDOW_DAYS = 90  # a response later than this returns nothing (LinkedIn help 57013)
NO_RESPONSE_AFTER_DAYS = 30  # LinkedIn counts a response within 30 days: F(a) = 1 from here on
PRIOR_WEIGHT = 20  # n0: how many observations the template's rate is worth
EMPIRICAL_MIN_RESPONSES = 20  # from this many responses on, F is the log's own delays
RATE_COLUMNS = (
    "bucket",
    "prior_rate",
    "logged_sends",
    "observations",
    "responses",
    "observed_rate",
    "learned_rate",
    "learned_p05",
    "learned_p95",
)


@dataclass(frozen=True)
class ActualLedger:
    """The ledger the log made before ``today``, and the credits held at its start."""

    today: date
    table: pd.DataFrame  # the ledger columns of planner.ledger, one row per day before today
    lots: list[Lot]  # what is left of each lot at the start of today
    credits_returned: float  # actual credit-backs before today
    overspent_on: date | None  # first day the log spends credits the ledger does not hold
    notes: list[str]  # log rows left out, and why

    def balance_today(self, problem: Problem) -> pd.DataFrame:
        """Credits held at the start of today by the day they expire (earliest first)."""
        rows: dict[date, float] = {}
        for lot in self.lots:
            day = problem.calendar.date_of(lot.last_day)
            rows[day] = rows.get(day, 0.0) + lot.amount
        table = pd.DataFrame({"expires_after": list(rows), "credits": list(rows.values())}, columns=["expires_after", "credits"])
        return table.sort_values("expires_after", ignore_index=True)


def _today_index(problem: Problem, today: date) -> int:
    t = problem.calendar.index_of(today)
    if not 0 <= t < problem.n_days:
        first, last = problem.calendar.date_of(0), problem.calendar.date_of(problem.n_days - 1)
        raise ScenarioError([f"today = {today}: outside the scenario's horizon ({first} to {last})"])
    return t


def _is_free(problem: Problem, entry: UsageEntry) -> bool:
    if entry.free is not None:
        return entry.free
    bucket = next((b for b in problem.buckets if b.name == entry.bucket), None)
    return bucket.free if bucket is not None else False


def _credit_back_day(problem: Problem, entry: UsageEntry) -> date | None:
    """The day an actual response returns the InMail's credit, or None if it returns none."""
    if entry.outcome is Outcome.PENDING or entry.outcome_on is None or _is_free(problem, entry):
        return None
    if (entry.outcome_on - entry.sent_on).days > CREDIT_BACK_WINDOW_DAYS:
        return None
    t = problem.calendar.index_of(entry.sent_on)
    if not problem.tiers[problem.cycle_of(t)].credit_back:
        return None
    return entry.outcome_on


def _usable(problem: Problem, entries: Sequence[UsageEntry], today: date) -> tuple[list[UsageEntry], list[str]]:
    cal = problem.calendar
    start = cal.date_of(0)
    kept, notes = [], []
    for entry in entries:
        if entry.sent_on < start:
            notes.append(f"{entry.sent_on} {entry.bucket}: sent before the scenario starts ({start}); left out")
        elif entry.sent_on >= today:
            notes.append(f"{entry.sent_on} {entry.bucket}: sent on or after today ({today}); left out")
        else:
            kept.append(entry)
    return kept, notes


def actual_ledger(problem: Problem, entries: Sequence[UsageEntry], today: date) -> ActualLedger:
    """The ledger of MODEL.md driven by the log, for the days before ``today``.

    A ``today`` past the horizon gives the whole horizon (a plan that has run
    its course, for plan versus actual); sends after the horizon are left out.
    """
    cal = problem.calendar
    if today < cal.date_of(0):
        raise ScenarioError([f"today = {today}: before the scenario starts ({cal.date_of(0)})"])
    end = min(cal.index_of(today), problem.n_days)
    kept, notes = _usable(problem, entries, today)
    spend = np.zeros(problem.n_days)
    back = np.zeros(problem.n_days)
    for entry in kept:
        sent = cal.index_of(entry.sent_on)
        if sent >= end:
            notes.append(
                f"{entry.sent_on} {entry.bucket}: sent after the scenario ends ({cal.date_of(problem.n_days - 1)}); left out"
            )
            continue
        if not _is_free(problem, entry):
            spend[sent] += 1
        day = _credit_back_day(problem, entry)
        if day is not None and cal.index_of(day) < end:
            back[cal.index_of(day)] += 1
    result: LedgerResult = run_ledger(problem, spend, back, end_day=end)
    over = next((v for v in result.violations if v.kind == "overspent"), None)
    return ActualLedger(
        today=today,
        table=result.table,
        lots=result.lots,
        credits_returned=float(back.sum()),
        overspent_on=cal.date_of(over.day) if over is not None else None,
        notes=notes,
    )


def response_delay_cdf(entries: Sequence[UsageEntry], today: date, lag_days: float) -> Callable[[int], float]:
    """F(a): the share of responses that arrive within ``a`` days of their send (MODEL.md v2).

    The empirical distribution of the delays ``outcome_on - sent_on`` of every
    response in the log sent before ``today`` (all buckets) once there are at
    least 20 of them; before that ``1 - exp(-a / L)`` with L = ``lag_days``
    (``refund_lag_days``, at least 1). F(a) = 1 for a >= 30 either way: LinkedIn counts a
    response within 30 days.

    >>> F = response_delay_cdf([], date(2026, 6, 15), lag_days=7)
    >>> round(F(7), 4), F(30), F(-1)
    (0.6321, 1.0, 0.0)
    """
    delays = sorted(
        (e.outcome_on - e.sent_on).days
        for e in entries
        if e.outcome is not Outcome.PENDING and e.outcome_on is not None and e.sent_on < today
    )
    empirical = len(delays) >= EMPIRICAL_MIN_RESPONSES

    def cdf(age: int) -> float:
        if age < 0:
            return 0.0
        if age >= NO_RESPONSE_AFTER_DAYS:
            return 1.0
        if empirical:
            return bisect_right(delays, age) / len(delays)
        return 1.0 - math.exp(-age / lag_days)

    return cdf


def beta_quantile(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of Beta(a, b); a point mass at 0 (a = 0) or 1 (b = 0) where one parameter is 0.

    scipy is imported here, not at the top: only learned rates need it, and the CLI starts faster without it.

    >>> round(beta_quantile(0.5, 2, 2), 6), beta_quantile(0.05, 0, 3), beta_quantile(0.95, 3, 0)
    (0.5, 0.0, 1.0)
    """
    if a < 0 or b < 0 or a + b == 0:
        raise ValueError(f"Beta({a}, {b}): the parameters must be >= 0 and not both 0")
    if a == 0:
        return 0.0
    if b == 0:
        return 1.0
    from scipy.special import betaincinv

    return float(betaincinv(a, b, q))


def learned_rates(
    problem: Problem, entries: Sequence[UsageEntry], today: date, prior_weight: float = PRIOR_WEIGHT
) -> pd.DataFrame:
    """Per bucket, the posterior of its response rate (MODEL.md, "Learned rates with pending sends").

    A send with an outcome counts 1 in n (and 1 in k: every outcome is a
    response); a pending send of age a = ``today - sent_on`` counts F(a) in n
    (:func:`response_delay_cdf`): the chance it would have answered by now,
    had it been going to. The posterior is Beta(r0 * n0 + k, (1 - r0) * n0 + n - k)
    with r0 the bucket's rate and n0 = ``prior_weight``.

    Returns
    -------
    pandas.DataFrame
        One row per bucket: ``bucket``, ``prior_rate``, ``logged_sends``,
        ``observations`` (the effective n, a float), ``responses`` (k),
        ``observed_rate`` (k / n; None when n = 0), ``learned_rate`` (the
        posterior mean), ``learned_p05`` and ``learned_p95`` (its 5 % and 95 % quantiles).
    """
    if not prior_weight > 0:
        raise ValueError(f"prior_weight = {prior_weight}: the prior must be worth more than 0 observations")
    before = [e for e in entries if e.sent_on < today]
    cdf = response_delay_cdf(before, today, problem.scenario.refund_lag_days)
    rows = []
    for b in problem.buckets:
        mine = [e for e in before if e.bucket == b.name]
        k = sum(1 for e in mine if e.outcome is not Outcome.PENDING)
        n = k + math.fsum(cdf((today - e.sent_on).days) for e in mine if e.outcome is Outcome.PENDING)
        alpha, beta = b.rate * prior_weight + k, (1.0 - b.rate) * prior_weight + n - k
        rows.append(
            {
                "bucket": b.name,
                "prior_rate": b.rate,
                "logged_sends": len(mine),
                "observations": n,
                "responses": k,
                "observed_rate": k / n if n > 0 else None,
                "learned_rate": alpha / (alpha + beta),
                "learned_p05": beta_quantile(0.05, alpha, beta),
                "learned_p95": beta_quantile(0.95, alpha, beta),
            }
        )
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS)).astype({"observations": float})


def with_learned_rates(scenario: Scenario, rates: pd.DataFrame) -> Scenario:
    """The scenario with each bucket's response rate replaced by its learned rate."""
    learned = dict(zip(rates["bucket"], rates["learned_rate"], strict=True))
    if scenario.buckets is None:
        raise ScenarioError(["buckets: learned rates need the scenario's buckets listed (not goal templates)"])
    buckets = [
        b.model_copy(update={"response_rate": round(float(learned.get(b.name, b.response_rate)), 6)}) for b in scenario.buckets
    ]
    return scenario.model_copy(update={"buckets": buckets})


def start_state(problem: Problem, entries: Sequence[UsageEntry], today: date, actual: ActualLedger | None = None) -> StartState:
    """Where a re-plan from ``today`` starts (MODEL.md, "Re-plan from today")."""
    first = _today_index(problem, today)
    actual = actual if actual is not None else actual_ledger(problem, entries, today)
    kept, _ = _usable(problem, entries, today)
    cal = problem.calendar
    cycle = cal.cycle_days(problem.cycle_of(first))
    by_name = {b.name: b for b in problem.buckets}
    sent: dict[int, int] = {}
    paid_by_goal: dict[Goal, int] = {}
    for entry in kept:
        b = by_name.get(entry.bucket)
        if b is None or cal.index_of(entry.sent_on) not in cycle:
            continue
        sent[b.index] = sent.get(b.index, 0) + 1
        if not _is_free(problem, entry):
            paid_by_goal[b.goal] = paid_by_goal.get(b.goal, 0) + 1

    logged: dict[int, int] = {}  # every InMail sent counts for the speed guard, whatever its bucket
    for entry in kept:
        logged[cal.index_of(entry.sent_on)] = logged.get(cal.index_of(entry.sent_on), 0) + 1

    due: dict[int, float] = {}
    reliance, lag = problem.scenario.refund_reliance, problem.scenario.refund_lag_days
    for entry in kept:
        b = by_name.get(entry.bucket)
        sent_day = cal.index_of(entry.sent_on)
        if entry.outcome is Outcome.PENDING:
            if (
                b is None
                or reliance == 0
                or _is_free(problem, entry)
                or not problem.tiers[problem.cycle_of(sent_day)].credit_back
            ):
                continue
            arrive = max(first, sent_day + lag)
            if arrive < problem.n_days and arrive - sent_day <= CREDIT_BACK_WINDOW_DAYS:
                due[arrive] = due.get(arrive, 0.0) + reliance * b.rate
        else:
            day = _credit_back_day(problem, entry)
            if day is not None and day >= today and cal.index_of(day) < problem.n_days:
                due[cal.index_of(day)] = due.get(cal.index_of(day), 0.0) + 1.0

    eligible: dict[int, tuple[float, ...]] = {}
    for f in problem.buckets:
        if f.parent is None:
            continue
        parent = problem.buckets[f.parent]
        wanted = {Outcome.ACCEPTED, Outcome.REPLIED} if f.follows_responders else {Outcome.PENDING}
        parent_days = [cal.index_of(e.sent_on) for e in kept if e.bucket == parent.name and e.outcome in wanted]
        followed = sum(1 for e in kept if e.bucket == f.name)
        per_day = []
        for t in range(problem.n_days):
            ready = sum(1 for d in parent_days if d <= t - f.gap_days)
            # more follow-ups logged than the log made eligible leave no extra room, but never
            # take away what planned parent sends will make eligible
            per_day.append(float(max(0, ready - followed)))
        if any(per_day):
            eligible[f.index] = tuple(per_day)

    return StartState(
        first_day=first,
        lots=tuple((lot.last_day, lot.amount) for lot in actual.lots),
        sent=sent,
        paid_by_goal=paid_by_goal,
        credits_due=due,
        eligible=eligible,
        logged=logged,
    )


@dataclass(frozen=True)
class Replan:
    """A re-plan from today beside what the log did."""

    today: date
    actual: ActualLedger
    rates: pd.DataFrame
    plan: Plan  # the new plan, from today to the horizon's end
    used_learned_rates: bool


def replan(
    scenario: Scenario,
    entries: Sequence[UsageEntry],
    today: date,
    *,
    catalog: Catalog | None = None,
    use_learned_rates: bool = False,
    prior_weight: float = PRIOR_WEIGHT,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> Replan:
    """Re-plan ``scenario`` from ``today`` given the usage log ``entries``."""
    problem = resolve(scenario, catalog)
    rates = learned_rates(problem, entries, today, prior_weight)
    if use_learned_rates:
        problem = resolve(with_learned_rates(scenario, rates), catalog)
    actual = actual_ledger(problem, entries, today)
    state = start_state(problem, entries, today, actual)
    plan = make_plan(replace(problem, start=state), time_limit=time_limit, gap=gap)
    return Replan(today=today, actual=actual, rates=rates, plan=plan, used_learned_rates=use_learned_rates)

"""Plan versus actual: where the log stands against a plan, in tables and sentences; no Streamlit.

The Track and History pages (and ``inmail-planner replan``) show what
:mod:`planner.actuals` computes; this module says what it means against a
plan:

- :func:`horizon`, :func:`clamp_today`, :func:`actual_to_date`: the days a
  log is read for;
- :func:`held_today`: the credits held today, the day's grant included, and
  :func:`balance_table`: those held at its start, by expiry;
- :func:`spend_gap` and :func:`gap_words`: credits behind or ahead of plan,
  the one place that says it, and :func:`standing`: that and what expires
  next at the pace so far, in a sentence;
- :func:`headline_table`: the old plan, what the log did, the re-plan from
  today, and the log plus the re-plan, side by side;
- :func:`plan_vs_actual`: per cycle, a saved plan against the actual ledger.

Figures of the same are :mod:`planner.tracking_charts`; the log's table rows
are :mod:`planner.logtable`; history records as tables :mod:`planner.history`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from planner.actuals import ActualLedger, Replan, actual_ledger
from planner.plan import Plan
from planner.problem import Problem
from planner.usage import Outcome, UsageEntry


def horizon(problem: Problem) -> tuple[date, date]:
    """The first and last day of the scenario's horizon."""
    return problem.calendar.date_of(0), problem.calendar.date_of(problem.n_days - 1)


def clamp_today(problem: Problem, today: date) -> date:
    """``today`` moved into the horizon (a re-plan starts on a day of it).

    >>> from planner.scenario import parse_scenario
    >>> from planner.problem import resolve
    >>> p = resolve(parse_scenario({"start": date(2026, 6, 1), "tier": "Premium Business", "goals": {"sales": 1}}))
    >>> clamp_today(p, date(2026, 5, 1)), clamp_today(p, date(2026, 6, 9)), clamp_today(p, date(2027, 1, 1))
    (datetime.date(2026, 6, 1), datetime.date(2026, 6, 9), datetime.date(2026, 6, 30))
    """
    first, last = horizon(problem)
    return min(max(today, first), last)


def actual_to_date(problem: Problem, entries: Sequence[UsageEntry], today: date) -> ActualLedger:
    """The actual ledger of the days before ``today``; the whole horizon once ``today`` is past it."""
    first, _ = horizon(problem)
    return actual_ledger(problem, entries, max(today, first))


def balance_table(actual: ActualLedger, problem: Problem) -> pd.DataFrame:
    """The credits held at the start of today by expiry day, with the days each still has (today counted).

    Columns: ``expires_after`` (the last day the credits can be spent), ``credits``, ``days_left``.
    """
    table = actual.balance_today(problem)
    table["days_left"] = [(day - actual.today).days + 1 for day in table["expires_after"]]
    return table


@dataclass(frozen=True)
class HeldToday:
    """The credits held today: those carried into it, and what the day itself adds before any send.

    An actual ledger moves whole credits only (grants, logged sends, one credit per response).
    """

    today: date
    carried: float  # held at the start of today, before its grant
    granted: float  # today's grant (a cycle's first day), else 0
    forfeited: float  # of the balance, over the cap at the grant
    returned: float  # credits given back today for logged responses

    @property
    def total(self) -> float:
        """What can be spent today."""
        return self.carried + self.granted - self.forfeited + self.returned

    def note(self) -> str | None:
        """What today added, in words ("50 granted today, none carried over"); None when it added nothing.

        >>> HeldToday(date(2026, 7, 1), 0.0, 50.0, 0.0, 0.0).note()
        '50 granted today, none carried over'
        >>> HeldToday(date(2026, 7, 1), 40.0, 15.0, 10.0, 1.0).note()
        '15 granted today (10 over the cap forfeited), 1 back from a response, 40 carried over'
        """
        parts = []
        if self.granted > 0:
            over = f" ({self.forfeited:,.0f} over the cap forfeited)" if self.forfeited > 1e-9 else ""
            parts.append(f"{self.granted:,.0f} granted today{over}")
        if self.returned > 1e-9:
            parts.append(f"{self.returned:,.0f} back from {'a response' if self.returned == 1 else 'responses'}")
        if not parts:
            return None
        parts.append(f"{self.carried:,.0f} carried over" if self.carried > 1e-9 else "none carried over")
        return ", ".join(parts)


def held_today(problem: Problem, entries: Sequence[UsageEntry], today: date) -> HeldToday:
    """The credits held today before its sends: the start of the day, its grant (less what the cap forfeits), its credit-backs.

    The actual ledger run through today with none of today's sends gives the
    day's grant, forfeit and credit-backs by the ledger's own rules.
    """
    day = actual_ledger(problem, [e for e in entries if e.sent_on < today], today + timedelta(days=1)).table
    row = day[day["date"] == today]
    if row.empty:  # today is past the horizon
        return HeldToday(today, 0.0, 0.0, 0.0, 0.0)
    r = row.iloc[0]
    return HeldToday(today, float(r["opening"]), float(r["granted"]), float(r["forfeited"]), float(r["credited_back"]))


def logged_before(problem: Problem, entries: Iterable[UsageEntry], today: date) -> list[UsageEntry]:
    """The log's sends inside the horizon and before ``today`` (those the actual ledger counts)."""
    first, last = horizon(problem)
    return [e for e in entries if first <= e.sent_on < today and e.sent_on <= last]


def responses(entries: Iterable[UsageEntry]) -> int:
    """How many of the sends got a response (accepted, declined or replied)."""
    return sum(1 for e in entries if e.outcome is not Outcome.PENDING)


def spend_gap(planned_ledger: pd.DataFrame | None, actual: pd.DataFrame, today: date) -> float | None:
    """Credits the plan spent before ``today`` less those the log spent (> 0: behind plan).

    None without a planned ledger.
    """
    if planned_ledger is None or planned_ledger.empty:
        return None
    planned = float(planned_ledger.loc[planned_ledger["date"] < today, "spent"].sum())
    spent = float(actual["spent"].sum()) if len(actual) else 0.0
    return planned - spent


def gap_words(gap: float) -> str:
    """A spend gap in words.

    >>> gap_words(9.0), gap_words(-2.0), gap_words(0.2)
    ('9 credits behind plan', '2 credits ahead of plan', 'on plan')
    """
    if abs(gap) < 0.5:
        return "on plan"
    n = abs(gap)
    return f"{n:,.0f} credit{'s' if round(n) != 1 else ''} {'behind' if gap > 0 else 'ahead of'} plan"


def standing(result: Replan, original: Plan | None = None) -> str:
    """Where the user stands, in a sentence: behind or ahead of plan, and what expires next at the pace so far.

    e.g. "9 credits behind plan; at this pace 7 expire on 30 Jun 2026".
    """
    actual = result.actual
    parts = []
    if original is not None and original.is_ok:
        gap = spend_gap(original.ledger, actual.table, result.today)
        if gap is not None:
            parts.append(gap_words(gap))
    problem = result.plan.problem
    spent = float(actual.table["spent"].sum()) if len(actual.table) else 0.0
    days = len(actual.table)
    pace = spent / days if days else 0.0
    # at the pace so far (credit-paid sends a day), the first lot held today that lapses with credits left
    used = 0.0
    for lot in sorted(actual.lots, key=lambda lot: lot.last_day):
        by_then = pace * (lot.last_day - problem.first_day + 1)
        lapse = lot.amount - max(0.0, by_then - used)
        if lapse >= 0.5:
            parts.append(f"at this pace {lapse:.0f} expire on {problem.calendar.date_of(lot.last_day):%d %b %Y}")
            break
        used += lot.amount
    else:
        parts.append("at this pace none of the credits held today expire unused")
    return "; ".join(parts)


HEADLINE_COLUMNS = ["measure", "old_plan", "logged", "new_plan", "logged_plus_new"]


def headline_table(original: Plan | None, actual: ActualLedger, new: Plan | None, entries: Sequence[UsageEntry]) -> pd.DataFrame:
    """The old plan (whole horizon), what the log did before today, the re-plan from today, and the last two added.

    ``entries`` are the log's sends the actual ledger counts
    (:func:`logged_before`). Responses are expected ones for plans and
    logged ones for the log; a cell with nothing to say is empty.
    """
    table = actual.table
    spent = float(table["spent"].sum()) if len(table) else 0.0
    expired = float(table["expired"].sum()) if len(table) else 0.0
    forfeited = float(table["forfeited"].sum()) if len(table) else 0.0
    log = {
        "sends": float(len(entries)),
        "credits_spent": spent,
        "responses": float(responses(entries)),
        "credits_back": actual.credits_returned,
        "expired_unused": expired,
        "forfeited_over_cap": forfeited,
        "credits_left_at_end": None,
    }

    def of(plan: Plan | None) -> dict[str, float | None]:
        t = plan.totals if plan is not None and plan.is_ok else None
        if t is None:
            return dict.fromkeys(log)
        return {
            "sends": float(t.sends),
            "credits_spent": t.credits_spent,
            "responses": t.expected_responses,
            "credits_back": t.expected_credit_backs,
            "expired_unused": t.expired_unused,
            "forfeited_over_cap": t.forfeited_over_cap,
            "credits_left_at_end": t.credits_left_at_end,
        }

    old, fresh = of(original), of(new)
    labels = {
        "sends": "InMails sent",
        "credits_spent": "Credits spent",
        "responses": "Responses (logged; expected in a plan)",
        "credits_back": "Credits back from responses",
        "expired_unused": "Credits expiring unused",
        "forfeited_over_cap": "Credits forfeited over the cap",
        "credits_left_at_end": "Credits left at the end",
    }
    rows = []
    for key, label in labels.items():
        a, b = log[key], fresh[key]
        both = None if b is None else (b if a is None else a + b)
        rows.append({"measure": label, "old_plan": old[key], "logged": a, "new_plan": b, "logged_plus_new": both})
    frame = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    for column in HEADLINE_COLUMNS[1:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


PLAN_VS_ACTUAL_COLUMNS = [
    "cycle",
    "first_day",
    "last_day",
    "status",
    "planned_sends",
    "logged_sends",
    "planned_credits_spent",
    "actual_credits_spent",
    "expected_responses",
    "logged_responses",
    "planned_expired",
    "actual_expired",
]


def plan_vs_actual(
    problem: Problem,
    schedule: pd.DataFrame,
    ledger: pd.DataFrame,
    entries: Sequence[UsageEntry],
    today: date,
    actual: ActualLedger | None = None,
) -> pd.DataFrame:
    """Per cycle begun before ``today``: a plan's sends, credits and responses against the log's.

    A cycle still running counts the days before ``today`` on both sides
    (status ``"to <last day counted>"``); a cycle over is ``"done"``.

    Parameters
    ----------
    problem
        The plan's scenario, resolved (its calendar and buckets).
    schedule, ledger
        The plan's schedule and ledger (:class:`~planner.plan.Plan` or a saved plan), ``date`` as ``datetime.date``.
    entries
        The usage log.
    today
        The day the comparison stops before.
    actual
        The actual ledger, if already computed (:func:`actual_to_date`).
    """
    actual = actual if actual is not None else actual_to_date(problem, entries, today)
    cal = problem.calendar
    kept = logged_before(problem, entries, today)
    sent_cycle = [cal.cycle_of(cal.index_of(e.sent_on)) + 1 for e in kept]
    table = actual.table
    rows = []
    for k in range(cal.cycles):
        first, last = cal.date_of(cal.cycle_starts[k]), cal.date_of(cal.cycle_end(k))
        if first >= today:
            break
        upto = min(last, today - timedelta(days=1))
        status = "done" if last < today else f"to {upto:%d %b %Y}"

        def days(frame: pd.DataFrame, first: date = first, upto: date = upto) -> pd.DataFrame:
            if frame is None or frame.empty:
                return pd.DataFrame(columns=list(frame.columns) if frame is not None else [])
            return frame[(frame["date"] >= first) & (frame["date"] <= upto)]

        planned_s, planned_l, actual_l = days(schedule), days(ledger), days(table)
        mine = [e for e, c in zip(kept, sent_cycle, strict=True) if c == k + 1]
        rows.append(
            {
                "cycle": k + 1,
                "first_day": first,
                "last_day": upto,
                "status": status,
                "planned_sends": int(planned_s["sends"].sum()) if len(planned_s) else 0,
                "logged_sends": len(mine),
                "planned_credits_spent": float(planned_l["spent"].sum()) if len(planned_l) else 0.0,
                "actual_credits_spent": float(actual_l["spent"].sum()) if len(actual_l) else 0.0,
                "expected_responses": float(planned_s["expected_responses"].sum()) if len(planned_s) else 0.0,
                "logged_responses": responses(mine),
                "planned_expired": float(planned_l["expired"].sum()) if len(planned_l) else 0.0,
                "actual_expired": float(actual_l["expired"].sum()) if len(actual_l) else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=PLAN_VS_ACTUAL_COLUMNS)

"""Tracking: the usage log as a table, plan versus actual, and the burn-down of both; no Streamlit.

The Track and History pages show what :mod:`planner.actuals` computes; this
module turns it into what they draw and list:

- :func:`log_rows`, :func:`clean_log_rows` and :func:`check_log_rows`: the
  usage log as the rows of an editable table and back, every row checked by
  the same rules as a CSV import (:func:`planner.usage.import_usage`), so a
  row typed in the app and a row in a file mean the same;
- :func:`log_diff`: which rows of a log are not yet saved in the history
  database (which only ever adds records);
- :func:`actual_to_date`: the actual ledger up to a day, also once the
  horizon has ended; :func:`balance_table`: the credits held today by expiry;
- :func:`headline_table`: the old plan, what the log did, the re-plan from
  today, and the log plus the re-plan, side by side;
- :func:`plan_vs_actual`: per cycle, a saved plan against the actual ledger;
- :func:`actual_burndown_figure`: the planned balance, the actual balance
  and the re-plan from today on one chart;
- :func:`scenario_versions_table` and :func:`plans_table`: the history's
  records as tables.

>>> rows = log_rows([UsageEntry(date(2026, 6, 1), "Initial", Outcome.REPLIED, date(2026, 6, 3), free=False)])
>>> rows[0]["free"], check_log_rows(rows, buckets=["Initial"]).entries[0].outcome
('paid', <Outcome.REPLIED: 'replied'>)
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.actuals import ActualLedger, actual_ledger
from planner.charts import (
    BALANCE_COLOR,
    EXPIRY_COLOR,
    GRANT_COLOR,
    OTHER_COLOR,
    _num,
    balance_layout,
    cycle_lines,
    day_line,
    day_moves,
    empty_figure,
    expiry_trace,
    format_day,
    marker_trace,
)
from planner.export import FORMULA_STARTS
from planner.plan import Plan
from planner.scenario import Problem, ScenarioError
from planner.store import PlanRecord, ScenarioRecord
from planner.usage import COLUMNS, TEXT_MARK, Outcome, Rejected, UsageEntry, UsageImportError, import_usage

LOG_COLUMNS = list(COLUMNS)  # sent_on, bucket, outcome, outcome_on, recipient, free
FREE = "free"  # the ``free`` cell of a row: sent without a credit
PAID = "paid"  # ... or with one; empty means the bucket's default
FREE_CHOICES = (FREE, PAID)
OUTCOMES = [str(o) for o in Outcome]

PLANNED_COLOR = OTHER_COLOR
REPLAN_COLOR = GRANT_COLOR

Row = dict[str, Any]


# --- the log as table rows ------------------------------------------------------------------


def log_rows(entries: Iterable[UsageEntry]) -> list[Row]:
    """The log as rows of the editable table: dates as ``date``, ``free`` as ``"free"``/``"paid"``/None.

    >>> [row] = log_rows([UsageEntry(date(2026, 6, 1), "A", Outcome.PENDING)])
    >>> row["sent_on"], row["outcome"], row["outcome_on"], row["free"]
    (datetime.date(2026, 6, 1), 'pending', None, None)
    """
    return [
        {
            "sent_on": e.sent_on,
            "bucket": e.bucket,
            "outcome": str(e.outcome),
            "outcome_on": e.outcome_on,
            "recipient": e.recipient,
            "free": None if e.free is None else (FREE if e.free else PAID),
        }
        for e in entries
    ]


def _blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip() == "":
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _as_date(value: object) -> date | str | None:
    """A table cell as a date; text that is not one stays text (the row check names it)."""
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[10:11] in ("", "T", " ") else text
    except ValueError:
        return text


def _as_text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip() or None


def clean_log_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    """The rows an editable table returns, with blanks as None and dates as ``date``.

    Rows with every cell blank (a row added and left empty) are dropped.

    >>> rows = clean_log_rows([{"sent_on": pd.Timestamp("2026-06-01"), "bucket": "A", "outcome": "pending",
    ...                         "outcome_on": pd.NaT, "recipient": float("nan"), "free": None}, {"bucket": None}])
    >>> len(rows), rows[0]["sent_on"], rows[0]["outcome_on"], rows[0]["recipient"]
    (1, datetime.date(2026, 6, 1), None, None)
    """
    rows = []
    for record in records:
        row: Row = {
            "sent_on": _as_date(record.get("sent_on")),
            "bucket": _as_text(record.get("bucket")),
            "outcome": _as_text(record.get("outcome")),
            "outcome_on": _as_date(record.get("outcome_on")),
            "recipient": _as_text(record.get("recipient")),
            "free": _as_text(record.get("free")),
        }
        if all(v is None for v in row.values()):
            continue
        rows.append(row)
    return rows


@dataclass(frozen=True)
class LogCheck:
    """The rows of the log table read as usage entries: the good ones and each bad row's reason.

    ``rejected`` holds row numbers counted from 1 (the table's first row).
    """

    entries: list[UsageEntry]
    rejected: list[Rejected] = field(default_factory=list)

    def messages(self) -> list[str]:
        """One line per bad row: ``row 3: outcome_on is empty but outcome is replied; ...``."""
        return [f"row {r.line}: {r.reason}" for r in self.rejected]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # the import drops one leading "'" and reads formula-like text as text: mark them so they come back unchanged
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def _free_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value).strip().lower()
    return {FREE: "true", PAID: "false"}.get(text, text)


def check_log_rows(
    rows: Sequence[Mapping[str, Any]], *, buckets: Collection[str] | None = None, today: date | None = None
) -> LogCheck:
    """Read table rows as usage entries by the rules of a CSV import (:func:`planner.usage.import_usage`).

    Parameters
    ----------
    rows
        Rows as :func:`clean_log_rows` gives them.
    buckets
        The scenario's bucket names; a row naming another bucket is rejected.
    today
        A row sent, or with an outcome, after this day is rejected.

    >>> check = check_log_rows([{"sent_on": date(2026, 6, 1), "bucket": "A", "outcome": "replied"}], buckets=["A"])
    >>> check.entries, check.messages()
    ([], ['row 1: outcome_on is empty but outcome is replied; give the date of the replied outcome'])
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LOG_COLUMNS)
    for row in rows:
        # a blank row is skipped by the import but still counted, so row numbers stay right
        writer.writerow([_cell(row.get(c)) for c in LOG_COLUMNS[:-1]] + [_free_cell(row.get("free"))])
    if not rows:
        return LogCheck([])
    try:
        result = import_usage(buffer.getvalue().encode("utf-8"), buckets=buckets, today=today, max_bytes=1 << 30)
    except UsageImportError as err:  # pragma: no cover - the header is ours and the text is clean
        return LogCheck([], [Rejected(1, str(err))])
    # the header is line 1, so the table's row n is line n + 1
    return LogCheck(result.entries, [Rejected(r.line - 1, r.reason) for r in result.rejected])


def log_diff(current: Iterable[UsageEntry], stored: Iterable[UsageEntry]) -> tuple[list[UsageEntry], list[UsageEntry]]:
    """What ``current`` adds to the ``stored`` log, and what of ``stored`` it lacks (as multisets).

    The history database only adds records: saving ``current`` means adding
    the first list; the second lists saved rows changed or deleted since.

    >>> a, b = UsageEntry(date(2026, 6, 1), "A", Outcome.PENDING), UsageEntry(date(2026, 6, 2), "A", Outcome.PENDING)
    >>> log_diff([a, a, b], [a])
    ([UsageEntry(sent_on=datetime.date(2026, 6, 1), bucket='A', outcome=<Outcome.PENDING: 'pending'>, outcome_on=None, \
recipient=None, free=None), UsageEntry(sent_on=datetime.date(2026, 6, 2), bucket='A', outcome=<Outcome.PENDING: 'pending'>, \
outcome_on=None, recipient=None, free=None)], [])
    """
    have = Counter(stored)
    new: list[UsageEntry] = []
    for entry in current:
        if have[entry] > 0:
            have[entry] -= 1
        else:
            new.append(entry)
    missing = [e for e, n in have.items() for _ in range(n)]
    return new, missing


# --- actuals --------------------------------------------------------------------------------


def horizon(problem: Problem) -> tuple[date, date]:
    """The first and last day of the scenario's horizon."""
    return problem.calendar.date_of(0), problem.calendar.date_of(problem.n_days - 1)


def clamp_today(problem: Problem, today: date) -> date:
    """``today`` moved into the horizon (a re-plan starts on a day of it).

    >>> from planner.scenario import parse_scenario, resolve
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


# --- the chart ------------------------------------------------------------------------------


def _hover(row: pd.Series, who: str) -> str:
    change = day_moves(row, back="back from responses")
    return f"<b>{format_day(row['date'])}</b> · {who}<br>{change}<br><b>End of day: {_num(row['closing'])} credits</b>"


def _balance_trace(ledger: pd.DataFrame, name: str, who: str, line: dict[str, Any], markers: bool) -> go.Scatter:
    return go.Scatter(
        x=list(ledger["date"]),
        y=ledger["closing"].astype(float).round(4),
        name=name,
        mode="lines+markers" if markers else "lines",
        line=line,
        marker={"size": 5},
        text=[_hover(row, who) for _, row in ledger.iterrows()],
        hovertemplate="%{text}<extra></extra>",
    )


def actual_burndown_figure(
    problem: Problem,
    planned: pd.DataFrame | None,
    actual: pd.DataFrame,
    today: date,
    replanned: pd.DataFrame | None = None,
    *,
    title: str = "Credit balance: plan, actual and the re-plan from today",
    height: int = 460,
) -> go.Figure:
    """The planned balance, the actual balance before ``today`` and the re-plan from ``today``, on one chart.

    Traces, by name: ``Planned`` (the plan's ledger, end of each day),
    ``Actual`` (the actual ledger), ``Re-plan from today`` (the new plan's
    ledger), ``Returned by a response`` (actual credit-backs) and ``Expiry``
    (credits that lapse, actual or re-planned). A dotted line marks today
    and a note at the last actual day names the gap to plan in credits spent.

    Parameters
    ----------
    problem
        The scenario, resolved (its calendar draws the cycle starts).
    planned, actual, replanned
        Ledger tables (:data:`planner.ledger.LEDGER_COLUMNS`); ``planned`` and
        ``replanned`` may be None.
    today
        The first day not in the actual ledger.
    """
    has_planned = planned is not None and not planned.empty
    has_replanned = replanned is not None and not replanned.empty
    if not has_planned and actual.empty and not has_replanned:
        return empty_figure("Nothing to draw yet: no plan and no logged days.", title, height)
    fig = go.Figure()
    if has_planned:
        assert planned is not None
        fig.add_trace(_balance_trace(planned, "Planned", "Planned", {"color": PLANNED_COLOR, "width": 2.5}, markers=False))
    if not actual.empty:
        fig.add_trace(
            _balance_trace(actual, "Actual", "Actual, from the log", {"color": BALANCE_COLOR, "width": 3}, markers=True)
        )
        back = actual[actual["credited_back"] > 1e-9]
        if not back.empty:
            fig.add_trace(
                marker_trace(
                    back,
                    back["closing"],
                    "Returned by a response",
                    {"symbol": "circle-open", "size": 12, "color": GRANT_COLOR, "line": {"width": 2}},
                    [
                        f"<b>{format_day(r['date'])}: {_num(r['credited_back'])} credit"
                        f"{'s' if r['credited_back'] != 1 else ''} back</b> from logged responses"
                        for _, r in back.iterrows()
                    ],
                )
            )
    if has_replanned:
        assert replanned is not None
        fig.add_trace(
            _balance_trace(
                replanned,
                "Re-plan from today",
                "Re-plan from today",
                {"color": REPLAN_COLOR, "width": 2.5, "dash": "dash"},
                markers=False,
            )
        )
    lapses = [f[f["expired"] > 1e-9] for f in (actual, replanned) if f is not None and not f.empty]
    lapses = [f for f in lapses if not f.empty]
    expiries = pd.concat(lapses) if lapses else pd.DataFrame()
    if not expiries.empty:
        fig.add_trace(expiry_trace(expiries))
    cycle_lines(fig, problem)
    first, last = horizon(problem)
    if first <= today <= last:
        day_line(
            fig,
            today,
            f"Today, {format_day(today)}",
            line={"color": "#333333", "width": 1.5},
            y=0.02,
            font={"size": 12, "color": "#333333"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    gap = spend_gap(planned, actual, today)
    if gap is not None and not actual.empty:
        end = actual.iloc[-1]
        fig.add_annotation(
            x=end["date"],
            y=float(end["closing"]),
            text=f"<b>{gap_words(gap)}</b>",
            showarrow=True,
            arrowhead=2,
            ax=-60,
            ay=-40,
            font={"size": 13, "color": EXPIRY_COLOR if gap >= 0.5 else BALANCE_COLOR},
            bgcolor="rgba(255,255,255,0.85)",
        )
    return balance_layout(fig, title, height, first, last)


# --- history records as tables --------------------------------------------------------------

VERSION_COLUMNS = ["id", "name", "version", "saved", "title", "start", "cycles", "tier", "buckets", "plans"]


def _tier_names(record: ScenarioRecord) -> tuple[str, str, int | None, date | None, int | None]:
    try:
        scenario = record.scenario()
    except ScenarioError as err:
        return "", f"(cannot be read: {err.problems[0] if err.problems else err})", None, None, None
    names = []
    for ref in scenario.tier_refs():
        name = ref if isinstance(ref, str) else ref.name
        if name not in names:
            names.append(name)
    buckets = len(scenario.buckets) if scenario.buckets is not None else None
    return scenario.title or "", " → ".join(names), scenario.cycles, scenario.start, buckets


def scenario_versions_table(records: Iterable[ScenarioRecord], plan_counts: Mapping[int, int] | None = None) -> pd.DataFrame:
    """Every saved scenario version: id, name, version, when saved, title, start, cycles, tier(s), buckets, plans saved."""
    rows = []
    counts = plan_counts or {}
    for r in records:
        title, tiers, cycles, start, buckets = _tier_names(r)
        rows.append(
            {
                "id": r.id,
                "name": r.name,
                "version": r.version,
                "saved": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "title": title,
                "start": start,
                "cycles": cycles,
                "tier": tiers,
                "buckets": buckets,
                "plans": counts.get(r.id, 0),
            }
        )
    frame = pd.DataFrame(rows, columns=VERSION_COLUMNS)
    for column in ("cycles", "buckets"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    return frame


PLAN_COLUMNS = [
    "id",
    "name",
    "version",
    "saved",
    "status",
    "credits_granted",
    "credits_spent",
    "expired_unused",
    "expected_responses",
    "cost_per_response",
]


def plans_table(records: Iterable[PlanRecord]) -> pd.DataFrame:
    """Every saved plan's headline: id, scenario name and version, when saved, status and totals."""
    rows = []
    for r in records:
        totals = r.summary.get("totals") or {}
        rows.append(
            {
                "id": r.id,
                "name": r.scenario_name,
                "version": r.scenario_version,
                "saved": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "status": str(r.status),
                **{c: totals.get(c) for c in PLAN_COLUMNS[5:]},
            }
        )
    frame = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    for column in PLAN_COLUMNS[5:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame

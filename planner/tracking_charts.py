"""The plan-versus-actual burn-down: the planned balance, the actual one and the re-plan from today; no Streamlit.

Drawn with the burn-down's public pieces from :mod:`planner.charts`
(:func:`~planner.charts.day_moves`, :func:`~planner.charts.marker_trace`,
:func:`~planner.charts.expiry_trace`, :func:`~planner.charts.day_line`,
:func:`~planner.charts.cycle_lines`, :func:`~planner.charts.balance_layout`),
so that it reads like the Plan page's chart. The gap to plan is worded by
:func:`planner.tracking.gap_words`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from planner.charts import (
    BALANCE_COLOR,
    EXPIRY_COLOR,
    GRANT_COLOR,
    OTHER_COLOR,
    balance_layout,
    cycle_lines,
    day_line,
    day_moves,
    empty_figure,
    expiry_trace,
    format_day,
    marker_trace,
)
from planner.problem import Problem
from planner.tracking import gap_words, horizon, spend_gap

PLANNED_COLOR = OTHER_COLOR
REPLAN_COLOR = GRANT_COLOR


def _hover(row: pd.Series, who: str) -> str:
    return f"<b>{format_day(row['date'])}</b> · {who}<br>{day_moves(row, back='back from responses')}"


def _balance_trace(ledger: pd.DataFrame, name: str, who: str, line: dict[str, Any], markers: bool) -> go.Scatter:
    return go.Scatter(
        x=list(ledger["date"]),
        y=ledger["closing"].astype(float).round(4),
        name=name,
        mode="lines+markers" if markers else "lines",
        line=line,
        marker={"size": 5},
        text=[_hover(row, who) for _, row in ledger.iterrows()],
        # the balance to at most 2 decimals, as the Plan page's chart writes it (expected credit-backs are fractions)
        hovertemplate="%{text}<br><b>End of day: %{y:,.2~f} credits</b><extra></extra>",
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
                        f"<b>{format_day(r['date'])}: {r['credited_back']:,.0f} credit"
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

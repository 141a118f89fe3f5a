"""Plotly pieces and headline texts of the outcome simulation (:mod:`planner.risk`); pure functions, no Streamlit.

- :func:`fan_traces` / :func:`add_fan`: the balance fan of a
  :class:`~planner.risk.RiskReport` on a burn-down, as a band (the P10-P90 of
  the closing balance, filled) and the P50 line: three traces, however many
  paths were simulated.
- :func:`risk_headline`: the risk numbers the Plan page shows beside its
  headline numbers, as (label, value, help) texts.
- :func:`risk_compare_figure`: each tier's responses P10-P90 as a range with
  its P50, and its chance of running dry, from a
  :class:`~planner.risk.RiskComparison`.

Tier names are user text (a shared link can carry one), so they go through
:func:`planner.charts.plain` before they reach a label or a hover.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.charts import BALANCE_COLOR, CURRENT_COLOR, EXPIRY_COLOR, OTHER_COLOR, format_day, house_layout, plain
from planner.risk import GUARD_MIN_SENDS, GUARD_RATE, GUARD_WINDOW_DAYS, RiskComparison, RiskReport

FAN_FILL = "rgba(10, 102, 194, 0.16)"
FAN_BAND = "Simulated P10-P90"
FAN_MEDIAN = "Simulated P50"
FAN_EDGE = "Simulated P90"  # the band's invisible upper edge; the fill runs from P10 up to it


def fan_traces(report: RiskReport) -> list[go.Scatter]:
    """The fan as three traces: the band's upper edge (P90, no line), the band (P10, filled to P90), the P50 line.

    The upper edge comes first: Plotly's ``fill="tonexty"`` fills from a trace
    to the one before it.
    """
    fan = report.fan
    dates = list(fan["date"])
    hover = [
        f"<b>{format_day(d)}</b>: in 8 of 10 simulated paths the balance ends between {lo:,.0f} and {hi:,.0f} "
        f"(half below {mid:,.0f})"
        for d, lo, mid, hi in zip(dates, fan["p10"], fan["p50"], fan["p90"], strict=True)
    ]
    edge = go.Scatter(
        x=dates,
        y=fan["p90"].astype(float),
        name=FAN_EDGE,
        mode="lines",
        line={"width": 0},
        showlegend=False,
        hoverinfo="skip",
    )
    band = go.Scatter(
        x=dates,
        y=fan["p10"].astype(float),
        name=FAN_BAND,
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor=FAN_FILL,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
    )
    median = go.Scatter(
        x=dates,
        y=fan["p50"].astype(float),
        name=FAN_MEDIAN,
        mode="lines",
        line={"color": BALANCE_COLOR, "width": 1.5, "dash": "dash"},
        hoverinfo="skip",
    )
    return [edge, band, median]


def add_fan(fig: go.Figure, report: RiskReport) -> go.Figure:
    """A copy of the burn-down ``fig`` with the fan of ``report`` drawn beneath its other traces."""
    out = go.Figure(data=[*fan_traces(report), *fig.data], layout=fig.layout)
    out.update_layout(title={"text": f"{fig.layout.title.text or 'Credit balance'}, with {report.paths:,} simulated paths"})
    return out


def risk_headline(report: RiskReport) -> list[tuple[str, str, str]]:
    """The risk numbers as (label, value, help): P(run dry), its 10 % day, P(reserve holds), responses; the 13 % guard.

    >>> from planner.risk import Spread
    >>> import pandas as pd
    >>> none = Spread(0, 0, 0, 0)
    >>> r = RiskReport(2000, 0, pd.DataFrame(), 0.0825, None, 1.0, 0.0, 0.0, Spread(6.1, 3, 6, 9.5), none, none, none, None)
    >>> [value for _, value, _ in risk_headline(r)]
    ['8 %', 'never', '100 %', '3-9.5']
    """
    dry_day = "never" if report.dry_day_p10 is None else format_day(report.dry_day_p10)
    spread = report.responses
    out = [
        (
            "Chance of running dry",
            f"{100 * report.p_run_dry:.0f} %",
            f"Share of {report.paths:,} simulated paths (seed {report.seed}) in which a planned credit-paid send "
            "finds no credit: responses come in lumps, so credit-backs counted on may come late or not at all.",
        ),
        (
            "10 % of paths dry by",
            dry_day,
            "The earliest day by which one path in ten has missed a send for want of credits; never: fewer than one in ten do.",
        ),
        (
            "Reserve holds",
            f"{100 * report.p_reserve_holds:.0f} %",
            "Share of paths in which the reserve is there on every day it must be.",
        ),
        (
            "Responses P10-P90",
            f"{spread.p10:g}-{spread.p90:g}",
            f"In 8 of 10 simulated paths the plan gets this many responses (P50 {spread.p50:g}, mean {spread.mean:.1f}).",
        ),
    ]
    if report.p_low_response_rate is not None:
        out.append(
            (
                f"Below {100 * GUARD_RATE:.0f} % response rate",
                f"{100 * report.p_low_response_rate:.0f} %",
                f"Recruiter: the chance that some {GUARD_WINDOW_DAYS}-day window with {GUARD_MIN_SENDS} or more InMails "
                f"planned gets responses below {100 * GUARD_RATE:.0f} % of them (LinkedIn may then take bulk InMail away).",
            )
        )
    return out


def risk_compare_figure(comparison: RiskComparison, height: int = 420) -> go.Figure:
    """Each tier's responses over the horizon, P10 to P90 with the P50 marked, and its chance of running dry."""
    rows = comparison.rows
    names = [plain(r.tier) for r in rows]
    colors = [CURRENT_COLOR if r.current else OTHER_COLOR for r in rows]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.04,
        subplot_titles=("Responses (horizon), P10 to P90", "Chance of running dry"),
    )
    fig.add_trace(
        go.Bar(
            y=names,
            base=[r.responses.p10 for r in rows],
            x=[r.responses.p90 - r.responses.p10 for r in rows],
            orientation="h",
            marker_color=colors,
            name="Responses P10-P90",
            text=[f"{r.responses.p10:,.0f}-{r.responses.p90:,.0f}" for r in rows],
            textposition="inside",
            hovertext=[
                f"<b>{name}</b><br>responses: P10 {r.responses.p10:,.0f}, P50 {r.responses.p50:,.0f}, P90 {r.responses.p90:,.0f}"
                for name, r in zip(names, rows, strict=True)
            ],
            hoverinfo="text",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=[r.responses.p50 for r in rows],
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "#1d2226", "line": {"width": 3}},
            name="P50",
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=[100 * r.p_run_dry for r in rows],
            orientation="h",
            marker_color=EXPIRY_COLOR,
            name="P(run dry)",
            text=[f"{100 * r.p_run_dry:.0f} %" for r in rows],
            textposition="auto",
            hovertext=[
                f"<b>{name}</b><br>runs dry in {100 * r.p_run_dry:.1f} % of paths" for name, r in zip(names, rows, strict=True)
            ],
            hoverinfo="text",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    house_layout(fig, f"Tier comparison with risk ({comparison.paths:,} simulated paths, seed {comparison.seed})", height)
    fig.update_layout(legend={"y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"b": 70, "r": 30})
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", row=1, col=2)
    fig.update_xaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_annotations(font={"size": 13})
    return fig

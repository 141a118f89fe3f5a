"""Plotly figures of a plan and of a tier comparison; pure functions, no Streamlit.

- :func:`burndown_figure`: the credit balance day by day against expiry, from
  the plan's ledger (the simulator's, so it is what LinkedIn would show), with
  an even-pace line, the grants, every expiry with the credits that lapse on
  it, credits forfeited over the cap, the balance cap and the reserve.
- :func:`sends_per_week_figure`: sends per week, stacked by bucket.
- :func:`compare_figure`: the tiers side by side (responses, unused credits,
  shortfall, price, cost per response, extra responses per extra dollar).
- :func:`response_curve_figure`: expected responses a month against monthly
  credits (the current tier's sweep), every tier a point at its own plan.

Hover texts are sentences a person can read ("Tue 1 Dec 2026: 15 granted,
6 spent; 9 left"), not raw column dumps.

The burn-down's pieces (:func:`day_moves`, :func:`marker_trace`,
:func:`expiry_trace`, :func:`day_line`, :func:`cycle_lines` and
:func:`balance_layout`) also draw :func:`planner.tracking.actual_burndown_figure`,
so the plan's chart and the plan-versus-actual chart read the same.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.compare import comparison_table
from planner.curve import ResponseCurve
from planner.plan import Plan
from planner.problem import Problem

BALANCE_COLOR = "#0a66c2"
PACE_COLOR = "#8c8c8c"
GRANT_COLOR = "#057642"
EXPIRY_COLOR = "#cc1016"
CAP_COLOR = "#b24020"
RESERVE_COLOR = "#915907"
CURRENT_COLOR = "#0a66c2"
OTHER_COLOR = "#9db7d5"

FONT = {"family": "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif", "size": 13}


def format_day(d: date) -> str:
    """A date as people read it.

    >>> format_day(date(2026, 12, 1))
    'Tue 1 Dec 2026'
    """
    return f"{d:%a} {d.day} {d:%b %Y}"


_day = format_day


def plain(text: object) -> str:
    """User text (a bucket or tier name) for a Plotly label or hover text, shown as typed.

    Plotly draws a subset of HTML in its texts (``<a href>`` a live link, ``<b>``
    bold), so the user's ``<``, ``>`` and ``&`` are escaped; ``%{`` would start a
    hover template's placeholder, so user text never goes into a template.

    >>> plain('<a href="https://evil.example">x</a> & co')
    '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; co'
    """
    return html.escape(str(text), quote=False)


def _num(value: float) -> str:
    """A credit count for people: whole numbers plain, fractions (expected credit-backs) to 2 places."""
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"


def house_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    """The look every figure of the product shares: title on the left, the font, margins, a horizontal legend, a light grid."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        font=FONT,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"},
        hoverlabel={"align": "left"},
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", zeroline=True, zerolinecolor="#cccccc")
    return fig


def empty_figure(message: str, title: str = "", height: int = 320) -> go.Figure:
    """A blank figure that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return house_layout(fig, title, height)


def pace_line(plan: Plan) -> pd.Series:
    """Even pace: each cycle's balance after its grant, spent evenly over the cycle's send days.

    The value on a day is the balance an even pace would leave at its end; it
    reaches 0 on the cycle's last send day. Where a cycle has no send day the
    pace holds the balance.

    A plan from the horizon's first day (a :class:`~planner.problem.FreshStart`)
    has a ledger row for every day. A re-plan (a
    :class:`~planner.problem.StartState`) has rows from today on only: its pace
    starts from today's balance and spreads it over today's cycle's remaining
    send days (``problem.days_of``), then goes on by cycle.
    """
    problem = plan.problem
    ledger = plan.ledger
    first_day = problem.first_day  # 0, or today's day for a re-plan: the ledger's first row
    assert len(ledger) == len(problem.days), "one ledger row a day, from the plan's first day"
    values = np.zeros(len(ledger))
    for k in range(problem.cycle_of(first_day), problem.calendar.cycles):
        days = problem.days_of(k)
        first = ledger.iloc[days[0] - first_day]
        start_balance = float(first["opening"] + first["granted"] - first["forfeited"] + first["credited_back"])
        n = sum(1 for t in days if problem.can_send(t))
        done = 0
        for t in days:
            if n and problem.can_send(t):
                done += 1
            values[t - first_day] = start_balance * (1 - done / n) if n else start_balance
    return pd.Series(values, index=ledger.index)


def day_moves(row: pd.Series, back: str = "expected back") -> str:
    """A ledger day's moves in words, or ``no change``; ``back`` says what the credits given back by responses are.

    >>> day_moves(pd.Series({"granted": 15, "forfeited": 0.0, "credited_back": 0.5, "spent": 6, "expired": 0.0}))
    '+15 granted, +0.50 expected back, 6 spent'
    """
    moves = []
    if row["granted"] > 0:
        moves.append(f"+{_num(row['granted'])} granted")
    if row["forfeited"] > 1e-9:
        moves.append(f"{_num(row['forfeited'])} forfeited over the cap")
    if row["credited_back"] > 1e-9:
        moves.append(f"+{_num(row['credited_back'])} {back}")
    if row["spent"] > 0:
        moves.append(f"{_num(row['spent'])} spent")
    if row["expired"] > 1e-9:
        moves.append(f"{_num(row['expired'])} expired")
    return ", ".join(moves) if moves else "no change"


def _balance_hover(row: pd.Series) -> str:
    parts = [f"<b>{_day(row['date'])}</b> · cycle {row['cycle']} ({plain(row['tier'])})"]
    parts.append(f"Start of day {_num(row['opening'])}: {day_moves(row)}")
    parts.append(f"<b>End of day: {_num(row['closing'])} credits</b>")
    if row["oldest_expiry"] is not None and not pd.isna(row["oldest_expiry"]) and row["closing"] > 1e-9:
        parts.append(f"Next to expire: {_num(row['expiring_on_oldest'])} on {_day(row['oldest_expiry'])}")
    if row["reserve_floor"] > 0:
        parts.append(f"Reserve kept: {_num(row['reserve_floor'])}")
    return "<br>".join(parts)


def marker_trace(
    days: pd.DataFrame,
    y: pd.Series,
    name: str,
    marker: dict[str, Any],
    hover: list[str],
    mode: str = "markers",
    **options: Any,
) -> go.Scatter:
    """Markers on some days of a ledger (``days``, with their ``date``) at heights ``y``, with a hover sentence each."""
    return go.Scatter(
        x=list(days["date"]),
        y=y.astype(float).round(4),
        name=name,
        mode=mode,
        marker=marker,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        **options,
    )


def expiry_trace(expiries: pd.DataFrame) -> go.Scatter:
    """``Expiry``: a cross above each day of a ledger on which credits lapse, labelled with the credits lost."""
    return marker_trace(
        expiries,
        expiries["closing"] + expiries["expired"],
        "Expiry",
        {"symbol": "x", "size": 11, "color": EXPIRY_COLOR},
        [
            f"<b>{_day(r['date'])}: {_num(r['expired'])} credits expire unused</b> at the end of the day"
            for _, r in expiries.iterrows()
        ],
        mode="markers+text",
        text=[f"−{_num(v)}" for v in expiries["expired"]],
        textposition="top center",
        textfont={"color": EXPIRY_COLOR},
    )


def day_line(fig: go.Figure, day: date, text: str, *, line: dict[str, Any], y: float, font: dict[str, Any], **label: Any) -> None:
    """A vertical line across the plot on ``day``, labelled ``text`` to its right at height ``y`` (0 to 1).

    Drawn as a shape and an annotation: ``add_vline`` trips on dates.
    """
    fig.add_shape(type="line", x0=day, x1=day, y0=0, y1=1, xref="x", yref="paper", line=line)
    fig.add_annotation(
        x=day, y=y, xref="x", yref="paper", text=text, showarrow=False, xanchor="left", yanchor="bottom", font=font, **label
    )


def cycle_label(problem: Problem, k: int) -> str:
    """The label over cycle ``k``'s line (from 0): short enough that labels never pile up, the tier where it changes.

    One or two cycles: "Cycle 1: Premium Business". Up to six: "Cycle 3", with
    the tier where it differs from the cycle before. More: "C7" (with the
    tier's change on a line of its own). The full "Cycle k: tier" is the
    label's hover text (:func:`cycle_lines`).
    """
    n = problem.calendar.cycles
    tier = plain(problem.tiers[k].name)
    changed = k > 0 and problem.tiers[k].name != problem.tiers[k - 1].name
    if n <= 2:
        return f"Cycle {k + 1}: {tier}"
    if n <= 6:
        return f"Cycle {k + 1}: {tier}" if changed else f"Cycle {k + 1}"
    return f"C{k + 1}<br>{tier}" if changed else f"C{k + 1}"


def cycle_lines(fig: go.Figure, problem: Problem) -> None:
    """A thin dotted line at each cycle's start, labelled by :func:`cycle_label`; hover a label for the cycle's tier."""
    cal = problem.calendar
    for k, t in enumerate(cal.cycle_starts):
        day_line(
            fig,
            cal.date_of(t),
            cycle_label(problem, k),
            line={"color": "#cccccc", "width": 1, "dash": "dot"},
            y=1,
            font={"size": 11, "color": "#555555"},
            hovertext=f"Cycle {k + 1}: {plain(problem.tiers[k].name)}",
        )


def balance_layout(fig: go.Figure, title: str, height: int, first: date, last: date) -> go.Figure:
    """The layout of a balance chart: legend above the cycle labels, credits from 0, the days ``first`` to ``last``."""
    house_layout(fig, title, height)
    # the legend goes under the axis and the toolbar stands on the right edge: on a phone (390 px) a legend
    # above the plot wraps onto the title and the cycle labels, and a toolbar across the top covers the title
    fig.update_layout(
        margin={"t": 70, "b": 40},
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
        modebar={"orientation": "v"},
    )
    fig.update_yaxes(title_text="credits held (end of day)", rangemode="tozero")
    fig.update_xaxes(range=[first - timedelta(days=1), last + timedelta(days=1)])
    return fig


def burndown_figure(plan: Plan, height: int = 470) -> go.Figure:
    """The credit balance day by day against expiry (MODEL.md's ledger, as simulated).

    Traces, by name: ``Balance`` (end of each day), ``Even pace``, ``Grant``
    (the balance just after each grant), ``Expiry`` (the credits that lapse
    at the end of a day), ``Forfeited over cap`` (where a grant hit the cap),
    ``Balance cap`` and ``Reserve`` (where the tier or scenario has them).
    """
    ledger = plan.ledger
    if ledger is None or ledger.empty:
        return empty_figure("No plan, so no burn-down to draw.", "Credit balance", height)
    dates = list(ledger["date"])
    fig = go.Figure()

    pace = pace_line(plan)
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=pace.round(2),
            name="Even pace",
            mode="lines",
            line={"color": PACE_COLOR, "dash": "dot", "width": 1.5},
            hovertemplate="Even pace: %{y:.1f} credits left<extra></extra>",
        )
    )
    cap = ledger["balance_cap"]
    if cap.notna().any():
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=cap.astype(float),
                name="Balance cap",
                mode="lines",
                line={"color": CAP_COLOR, "dash": "dash", "width": 1.5, "shape": "hv"},
                hovertemplate="Balance cap: %{y:.0f} (a grant above it is forfeited)<extra></extra>",
            )
        )
    reserve = ledger["reserve_floor"].astype(float)
    if (reserve > 0).any():
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=reserve,
                name="Reserve",
                mode="lines",
                line={"color": RESERVE_COLOR, "dash": "dashdot", "width": 1.5, "shape": "hv"},
                hovertemplate="Reserve kept until the release days: %{y:.0f}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=ledger["closing"].astype(float).round(4),
            name="Balance",
            mode="lines+markers",
            line={"color": BALANCE_COLOR, "width": 2.5, "shape": "linear"},
            marker={"size": 4},
            text=[_balance_hover(row) for _, row in ledger.iterrows()],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    grants = ledger[ledger["granted"] > 0]
    if not grants.empty:
        after = grants["opening"] + grants["granted"] - grants["forfeited"]
        fig.add_trace(
            go.Scatter(
                x=list(grants["date"]),
                y=after.astype(float).round(4),
                name="Grant",
                mode="markers",
                marker={"symbol": "triangle-up", "size": 12, "color": GRANT_COLOR},
                text=[
                    f"<b>{_day(r['date'])}: {_num(r['granted'])} credits granted</b> ({plain(r['tier'])})<br>"
                    f"Balance after the grant: {_num(r['opening'] + r['granted'] - r['forfeited'])}"
                    + (
                        f"<br>{_num(r['forfeited'])} forfeited over the cap of {_num(r['balance_cap'])}"
                        if r["forfeited"] > 1e-9
                        else ""
                    )
                    for _, r in grants.iterrows()
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    expiries = ledger[ledger["expired"] > 1e-9]
    if not expiries.empty:
        fig.add_trace(expiry_trace(expiries))
    forfeits = ledger[ledger["forfeited"] > 1e-9]
    if not forfeits.empty:
        fig.add_trace(
            marker_trace(
                forfeits,
                forfeits["opening"] + forfeits["granted"],
                "Forfeited over cap",
                {"symbol": "line-ew-open", "size": 16, "color": CAP_COLOR, "line": {"width": 3}},
                [
                    f"<b>{_day(r['date'])}: {_num(r['forfeited'])} credits forfeited</b>: the grant would lift "
                    f"the balance above the cap of {_num(r['balance_cap'])}"
                    for _, r in forfeits.iterrows()
                ],
            )
        )
    cycle_lines(fig, plan.problem)
    # a re-plan's ledger starts today, not on the horizon's first day
    return balance_layout(fig, "Credit balance, day by day", height, dates[0], dates[-1])


def weekly_sends(plan: Plan) -> pd.DataFrame:
    """Sends per week (weeks start on Monday) and bucket: week, bucket, sends, expected_responses."""
    schedule = plan.schedule
    columns = ["week", "bucket", "sends", "expected_responses"]
    if schedule is None or schedule.empty:
        return pd.DataFrame(columns=columns)
    week = schedule["date"].map(lambda d: d - timedelta(days=d.weekday()))
    grouped = (
        schedule.assign(week=week).groupby(["week", "bucket"], sort=True, as_index=False)[["sends", "expected_responses"]].sum()
    )
    return grouped[columns]


def sends_per_week_figure(plan: Plan, height: int = 420) -> go.Figure:
    """Sends per week, one stacked bar segment per bucket (in the scenario's bucket order)."""
    weekly = weekly_sends(plan)
    if weekly.empty:
        return empty_figure("No sends planned.", "Sends per week", height)
    cal = plan.problem.calendar
    first = cal.start - timedelta(days=cal.start.weekday())
    last = cal.date_of(cal.n_days - 1)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]  # empty weeks too: the pace shows
    fig = go.Figure()
    for b in plan.problem.buckets:
        rows = weekly[weekly["bucket"] == b.name].set_index("week")
        if rows.empty:
            continue
        sends = [int(rows["sends"].get(w, 0)) for w in weeks]
        responses = [float(rows["expected_responses"].get(w, 0.0)) for w in weeks]
        label = plain(f"{b.name} (free)" if b.free else b.name)
        fig.add_trace(
            go.Bar(
                x=[f"{w:%d %b}" for w in weeks],
                y=sends,
                name=label,
                customdata=[[f"{w:%a %d %b %Y}", r, label] for w, r in zip(weeks, responses, strict=True)],
                hovertemplate="<b>%{customdata[2]}</b><br>Week of %{customdata[0]}: %{y} sends<br>"
                "%{customdata[1]:.2f} expected responses<extra></extra>",
            )
        )
    house_layout(fig, "Sends per week, by bucket", height)
    # bucket names are long: the legend goes under the axis, where it cannot cover the title
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "h", "y": -0.28, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"b": 110},
    )
    fig.update_xaxes(title_text="week starting", type="category")
    fig.update_yaxes(title_text="InMails sent")
    return fig


def tier_label(row: pd.Series) -> str:
    """A tier's name with its monthly price, as the comparison chart's axis shows it."""
    price = row["price_monthly"]
    return f"{plain(row['tier'])} · " + ("no list price" if pd.isna(price) else f"${price:,.0f}/mo")


def compare_figure(table: pd.DataFrame, cycles: int = 1, height: int = 560) -> go.Figure:
    """The tiers side by side, in four panels; the current tier is highlighted.

    Each tier is labelled with its monthly price. Panels: expected responses
    a month; credits unused a month (expired or forfeited over the cap, left
    unspent at the end) with the goal-mix shortfall where there is one; cost
    per expected response; extra expected responses a month per extra $100 a
    month against the current tier (red where a dearer tier gets fewer).
    """
    if table is None or table.empty:
        return empty_figure("No tiers to compare.", "Tier comparison", height)
    data = comparison_table(table, cycles)
    names = [tier_label(row) for _, row in data.iterrows()]
    colors = [CURRENT_COLOR if c else OTHER_COLOR for c in data["current"]]
    fig = make_subplots(
        rows=2,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.08,
        vertical_spacing=0.16,
        subplot_titles=(
            "Expected responses a month",
            "Credits unused a month; goal-mix shortfall",
            "Cost per expected response ($, estimated prices)",
            "Extra responses a month per extra $100 (vs current)",
        ),
    )

    def text(values: pd.Series, fmt: str) -> list[str]:
        return ["" if pd.isna(v) else fmt.format(v) for v in values]

    bar_text = {"textposition": "outside", "cliponaxis": False, "textfont": {"size": 11}}
    fig.add_trace(
        go.Bar(
            y=names,
            x=data["responses_per_month"],
            orientation="h",
            marker_color=colors,
            name="Expected responses a month",
            text=text(data["responses_per_month"], "{:.1f}"),
            hovertemplate="<b>%{y}</b><br>%{x:.2f} expected responses a month<extra></extra>",
            showlegend=False,
            **bar_text,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=data["expired_or_forfeited_per_month"],
            orientation="h",
            marker_color=EXPIRY_COLOR,
            name="Expire or forfeited",
            hovertemplate="<b>%{y}</b><br>%{x:.1f} credits a month expire or are forfeited over the cap<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=(data["unused_per_month"] - data["expired_or_forfeited_per_month"]).clip(lower=0),
            orientation="h",
            marker_color="#f5b7b1",
            name="Left unspent at the end",
            hovertemplate="<b>%{y}</b><br>%{x:.1f} credits a month still unspent at the end<extra></extra>",
        ),
        row=1,
        col=2,
    )
    shortfall = data["shortfall_per_month"].where(data["shortfall_per_month"] > 0)
    fig.add_trace(
        go.Scatter(
            y=names,
            x=shortfall,
            mode="markers",
            marker={"symbol": "diamond", "size": 10, "color": RESERVE_COLOR},
            name="Goal-mix shortfall (sends)",
            hovertemplate="<b>%{y}</b><br>goal-mix shortfall: %{x:.0f} sends a month<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=data["cost_per_response"],
            orientation="h",
            marker_color=colors,
            name="Cost per expected response",
            text=text(data["cost_per_response"], "${:,.2f}"),
            hovertemplate="<b>%{y}</b><br>$%{x:,.2f} per expected response<extra></extra>",
            showlegend=False,
            **bar_text,
        ),
        row=2,
        col=1,
    )
    per_100 = data["extra_responses_per_dollar"] * 100
    fig.add_trace(
        go.Bar(
            y=names,
            x=per_100,
            orientation="h",
            marker_color=[EXPIRY_COLOR if v < 0 else GRANT_COLOR for v in per_100.fillna(0)],
            name="Extra responses per extra $100",
            text=text(per_100, "{:+.2f}"),
            customdata=data[["extra_responses_per_month", "extra_cost_per_month"]].to_numpy(dtype=float),
            hovertemplate="<b>%{y}</b><br>%{customdata[0]:+.2f} expected responses a month for $%{customdata[1]:,.2f} more"
            "<br>%{x:+.2f} per extra $100<extra></extra>",
            showlegend=False,
            **bar_text,
        ),
        row=2,
        col=2,
    )
    house_layout(fig, "Tier comparison", height)
    fig.update_layout(
        barmode="stack",
        legend={"y": -0.1, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"b": 80, "r": 40},
    )
    fig.update_annotations(font={"size": 13})
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def response_curve_figure(curve: ResponseCurve, height: int = 460) -> go.Figure:
    """Expected responses a month against monthly credits: the current tier's sweep as a line, every tier as a point.

    A tier's point is its own plan (its policy and cap), labelled with its
    name and price; the current tier is marked, and the title names the tier
    that buys an expected response for the least money.
    """
    drawn = [p for p in curve.points if p.responses_per_month is not None]
    if not drawn:
        return empty_figure("No point of the sweep has a plan.", "Response curve", height)
    fig = go.Figure()
    hover = [
        f"{p.monthly_credits:,} credits a month on {plain(curve.tier)}'s policy: {p.responses_per_month:.2f} expected "
        f"responses a month" + ("" if p.gap is None else f" (within {p.gap:.2%})")
        for p in drawn
        if p.responses_per_month is not None
    ]
    fig.add_trace(
        go.Scatter(
            x=[p.monthly_credits for p in drawn],
            y=[p.responses_per_month for p in drawn],
            mode="lines+markers",
            line={"color": BALANCE_COLOR, "width": 2, "shape": "linear"},
            marker={"size": 5},
            name=f"{plain(curve.tier)}, more or fewer credits",
            hovertext=hover,
            hoverinfo="text",
        )
    )
    best = curve.cheapest
    tiers = [t for t in curve.tiers if t.responses_per_month is not None]
    for current in (False, True):
        shown = [t for t in tiers if t.current == current]
        if not shown:
            continue
        labels = [plain(t.tier) + ("" if t.price_monthly is None else f" · ${t.price_monthly:,.0f}/mo") for t in shown]
        hover_tiers = [
            f"{plain(t.tier)}{' (current)' if t.current else ''}: {t.monthly_credits:,} credits a month, "
            f"{t.responses_per_month:.2f} expected responses a month; "
            + ("no list price" if t.price_monthly is None else f"${t.price_monthly:,.2f} a month")
            + ("" if t.price_per_response is None else f", ${t.price_per_response:,.2f} per expected response")
            + (" (the cheapest response)" if best is not None and t.tier == best.tier else "")
            for t in shown
        ]
        fig.add_trace(
            go.Scatter(
                x=[t.monthly_credits for t in shown],
                y=[t.responses_per_month for t in shown],
                mode="markers+text",
                marker={
                    "size": 14 if current else 10,
                    "color": CURRENT_COLOR if current else OTHER_COLOR,
                    "symbol": "star" if current else "circle",
                    "line": {"color": "#333333", "width": 1},
                },
                text=labels,
                textposition="top center",
                textfont={"size": 11},
                name="Current tier" if current else "Catalog tiers (their own plans)",
                hovertext=hover_tiers,
                hoverinfo="text",
            )
        )
    title = "Response curve: expected responses a month by monthly credits"
    if best is not None:
        title += f"<br><sup>Cheapest response: {plain(best.tier)}, ${best.price_per_response:,.2f} per expected response</sup>"
    fig = house_layout(fig, title, height)
    fig.update_layout(margin={"l": 60, "r": 20, "t": 90, "b": 50})
    fig.update_xaxes(title="Monthly credits", rangemode="tozero")
    fig.update_yaxes(title="Expected responses a month", rangemode="tozero")
    return fig

"""A team plan's seats as a figure: each seat's credits from the pool and its expected responses; no Streamlit.

The pool's burn-down is :func:`planner.charts.burndown_figure` of the team's
plan (its ledger is the pool's); this module adds the per-seat view.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.charts import BALANCE_COLOR, CAP_COLOR, FONT, GRANT_COLOR, empty_figure, plain
from planner.plan import Plan


def seat_share_figure(plan: Plan, height: int = 380) -> go.Figure:
    """Per seat, side by side: credits used from the pool (with its seat cap per cycle, times the cycles) and expected responses.

    Traces, by name: ``Credits used``, ``Seat cap`` (only seats with one:
    the most the cap lets it spend over the horizon) and ``Expected responses``.
    """
    if not plan.seats:
        return empty_figure("No plan, so no seats' shares to draw.", "Seats' shares", height)
    names = [plain(s.seat) for s in plan.seats]
    spent = sum(s.credits_used for s in plan.seats)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Credits used from the pool", "Expected responses"))
    fig.add_trace(
        go.Bar(
            x=names,
            y=[s.credits_used for s in plan.seats],
            name="Credits used",
            marker={"color": BALANCE_COLOR},
            text=[f"{s.credits_used / spent:.0%}" if spent else "0%" for s in plan.seats],
            textposition="auto",
            hovertemplate="%{x}: %{y} credits (%{text} of the pool's spend)<extra></extra>",
        ),
        row=1,
        col=1,
    )
    capped = [s for s in plan.seats if s.seat_cap is not None]
    if capped:
        fig.add_trace(
            go.Scatter(
                x=[plain(s.seat) for s in capped],
                y=[(s.seat_cap or 0) * len(s.credits_by_cycle) for s in capped],
                name="Seat cap",
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 28, "color": CAP_COLOR, "line": {"width": 3}},
                hovertemplate="%{x}: seat cap allows %{y} credits over the horizon<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=names,
            y=[round(s.expected_responses, 4) for s in plan.seats],
            name="Expected responses",
            marker={"color": GRANT_COLOR},
            hovertemplate="%{x}: %{y:.2f} expected responses<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_layout(
        title={"text": "Each seat's share", "x": 0, "xanchor": "left"},
        height=height,
        font=FONT,
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 1, "xanchor": "right"},
        plot_bgcolor="white",
    )
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", rangemode="tozero")
    return fig

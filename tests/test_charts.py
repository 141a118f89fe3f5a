"""Tests of planner.charts: the Plotly figures of a plan and of a tier comparison."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import ACTUALS_SCENARIO, INFEASIBLE_TOML

from planner.actuals import replan
from planner.charts import (
    burndown_figure,
    compare_figure,
    comparison_table,
    empty_figure,
    pace_line,
    sends_per_week_figure,
    tier_label,
    weekly_sends,
)
from planner.compare import compare_tiers
from planner.paths import EXAMPLES_DIR
from planner.plan import Plan
from planner.scenario import load_scenario, parse_scenario, scenario_from_toml, scenario_to_dict
from planner.solve import make_plan
from planner.usage import Outcome, UsageEntry

# use it or lose it, pools too small for the credits: 40 of 50 expire on the cycle's last day
EXPIRING = """
start = 2026-06-01
tier = { name = "Cycle 50", monthly_credits = 50, policy = "cycle", price_monthly = 50 }
[[buckets]]
name = "Prospects"
goal = "sales"
priority = "high"
response_rate = 0.2
pool = 10
"""

# rollover with a cap of 60: the second grant meets 40 unspent credits, 30 are forfeited
CAPPED = """
start = 2026-06-01
cycles = 2
tier = { name = "Capped 50", monthly_credits = 50, policy = "rollover", max_age_days = 90, balance_cap = 60 }
[[buckets]]
name = "Prospects"
goal = "sales"
priority = "high"
response_rate = 0.2
pool = 10
"""


def _plan(text: str) -> Plan:
    plan = make_plan(scenario_from_toml(text), time_limit=10)
    return plan


@pytest.fixture(scope="module")
def team() -> Plan:
    plan = make_plan(load_scenario(EXAMPLES_DIR / "team_upgrade.toml"), time_limit=10)
    assert plan.is_ok
    return plan


def _trace(fig: go.Figure, name: str) -> go.BaseTraceType:
    found = [t for t in fig.data if t.name == name]
    assert found, f"no trace {name!r} in {[t.name for t in fig.data]}"
    return found[0]


def test_burndown_balance_is_the_ledgers_closing_balance(team: Plan) -> None:
    fig = burndown_figure(team)
    balance = _trace(fig, "Balance")
    assert list(balance.x) == list(team.ledger["date"])
    np.testing.assert_allclose(np.asarray(balance.y, dtype=float), team.ledger["closing"].to_numpy(dtype=float), atol=1e-4)
    assert fig.layout.title.text == "Credit balance, day by day"


def test_burndown_marks_grants_cap_reserve_and_cycles(team: Plan) -> None:
    fig = burndown_figure(team)
    names = {t.name for t in fig.data}
    assert {"Balance", "Even pace", "Grant", "Balance cap", "Reserve"} <= names
    grants = _trace(fig, "Grant")
    ledger = team.ledger
    starts = ledger[ledger["granted"] > 0]
    assert list(grants.x) == list(starts["date"])  # one marker per cycle's grant
    after = (starts["opening"] + starts["granted"] - starts["forfeited"]).to_numpy(dtype=float)
    np.testing.assert_allclose(np.asarray(grants.y, dtype=float), after, atol=1e-4)
    assert "15 credits granted" in grants.text[0] and "50 credits granted" in grants.text[1]
    cap = _trace(fig, "Balance cap")
    assert list(cap.y) == [float(c) for c in ledger["balance_cap"]]  # 45 then 150: the tier changes
    reserve = _trace(fig, "Reserve")
    assert max(reserve.y) == 5 and min(reserve.y) == 0  # released in the cycle's last days
    labels = [a.text for a in fig.layout.annotations]
    assert labels == ["Cycle 1: Premium Business", "Cycle 2: Sales Navigator Core"]
    assert [a.hovertext for a in fig.layout.annotations] == labels


def test_the_cycle_labels_of_eight_cycles_do_not_pile_up(team: Plan) -> None:
    data = scenario_to_dict(team.problem.scenario)
    tiers = ["Premium Business"] * 4 + ["Sales Navigator Core"] * 4
    plan = make_plan(parse_scenario({**data, "cycles": 8, "tiers": tiers}), time_limit=10)
    labels = [a.text for a in burndown_figure(plan).layout.annotations]
    # eight cycles of about 30 days: a label a few characters wide each, the tier only where it changes
    assert labels == ["C1", "C2", "C3", "C4", "C5<br>Sales Navigator Core", "C6", "C7", "C8"]
    hover = [a.hovertext for a in burndown_figure(plan).layout.annotations]
    assert hover[0] == "Cycle 1: Premium Business" and hover[7] == "Cycle 8: Sales Navigator Core"


def test_the_burn_down_keeps_its_legend_and_toolbar_off_the_title(team: Plan) -> None:
    layout = burndown_figure(team).layout
    assert layout.legend.y < 0 and layout.legend.yanchor == "top"  # under the axis, not over the title
    assert layout.modebar.orientation == "v"  # down the right edge, not across the title


def test_burndown_hover_text_reads_as_sentences(team: Plan) -> None:
    balance = _trace(burndown_figure(team), "Balance")
    first = balance.text[0]
    assert "Tue 1 Dec 2026" in first
    assert "+15 granted" in first and "spent" in first and "End of day: 9 credits" in first
    assert "Next to expire: 9 on Sun 28 Feb 2027" in first
    assert balance.hovertemplate == "%{text}<extra></extra>"


def test_burndown_shows_each_expiry_with_its_credits() -> None:
    plan = _plan(EXPIRING)
    assert plan.totals is not None and plan.totals.expired_unused == 40
    fig = burndown_figure(plan)
    expiry = _trace(fig, "Expiry")
    last = plan.ledger["date"].iloc[-1]
    assert list(expiry.x) == [last]
    assert list(expiry.text) == ["−40"]
    assert "40 credits expire unused" in expiry.customdata[0]
    assert "Balance cap" not in {t.name for t in fig.data}  # this tier has no cap
    assert "Reserve" not in {t.name for t in fig.data}


def test_burndown_shows_credits_forfeited_over_the_cap() -> None:
    plan = _plan(CAPPED)
    assert plan.totals is not None and plan.totals.forfeited_over_cap == pytest.approx(30)
    fig = burndown_figure(plan)
    forfeit = _trace(fig, "Forfeited over cap")
    second = plan.problem.calendar.date_of(plan.problem.calendar.cycle_starts[1])
    assert list(forfeit.x) == [second]
    assert "30 credits forfeited" in forfeit.customdata[0] and "cap of 60" in forfeit.customdata[0]
    grants = _trace(fig, "Grant")
    assert "30 forfeited over the cap of 60" in grants.text[1]


def test_pace_line_spends_each_cycles_balance_evenly_over_its_send_days(team: Plan) -> None:
    pace = pace_line(team)
    problem = team.problem
    cal = problem.calendar
    ledger = team.ledger
    for k in range(cal.cycles):
        days = list(cal.cycle_days(k))
        first = ledger.iloc[days[0]]
        start = first["opening"] + first["granted"] - first["forfeited"] + first["credited_back"]
        send_days = [t for t in days if problem.can_send(t)]
        assert pace[send_days[-1]] == pytest.approx(0.0, abs=1e-9)
        assert pace[send_days[0]] == pytest.approx(start * (1 - 1 / len(send_days)))
        assert all(pace[a] >= pace[b] - 1e-12 for a, b in zip(days, days[1:], strict=False))
        off = [t for t in days if not problem.can_send(t)]
        for t in off:  # no send day, no progress
            if t > days[0]:
                assert pace[t] == pytest.approx(pace[t - 1])


def test_the_burn_down_of_a_re_plan_starts_today() -> None:
    """A re-plan's ledger starts today: the chart raised IndexError on it."""
    scenario = parse_scenario(ACTUALS_SCENARIO)
    today = date(2026, 6, 11)
    log = [UsageEntry(date(2026, 6, d), "A", Outcome.PENDING, None) for d in (1, 2, 3, 8, 9)]
    plan = replan(scenario, log, today, time_limit=30).plan
    assert plan.is_ok and plan.problem.is_replan
    fig = burndown_figure(plan)
    balance = _trace(fig, "Balance")
    assert balance.x[0] == today and len(balance.x) == len(plan.ledger)
    pace = np.asarray(_trace(fig, "Even pace").y, dtype=float)
    first = plan.ledger.iloc[0]
    # today's balance, spread over the rest of June's send days, is spent by June's last send day
    held = first["opening"] + first["granted"] - first["forfeited"] + first["credited_back"]
    june = plan.ledger["date"].map(lambda d: d.month == 6).to_numpy()
    send = np.array([plan.problem.can_send(plan.problem.first_day + i) for i in range(len(plan.ledger))])
    june_sends = np.flatnonzero(june & send)
    assert pace[june_sends[0]] == pytest.approx(held * (1 - 1 / len(june_sends)), abs=0.01)
    assert pace[june_sends[-1]] == pytest.approx(0.0, abs=1e-9)
    assert list(fig.layout.xaxis.range)[0] == today - timedelta(days=1)


def test_no_plan_draws_a_figure_that_says_so() -> None:
    plan = _plan(INFEASIBLE_TOML)
    assert not plan.is_ok
    for fig in (burndown_figure(plan), sends_per_week_figure(plan)):
        assert len(fig.data) == 0
        assert fig.layout.annotations[0].text.startswith("No ")
    assert "No tiers" in compare_figure(pd.DataFrame()).layout.annotations[0].text
    assert empty_figure("Nothing here").layout.annotations[0].text == "Nothing here"


def test_weekly_sends_add_up_to_the_schedule(team: Plan) -> None:
    weekly = weekly_sends(team)
    assert list(weekly.columns) == ["week", "bucket", "sends", "expected_responses"]
    assert all(w.weekday() == 0 for w in weekly["week"])  # weeks start on Monday
    per_bucket = team.schedule.groupby("bucket")["sends"].sum()
    assert weekly.groupby("bucket")["sends"].sum().to_dict() == per_bucket.to_dict()
    for _, row in weekly.iterrows():
        days = team.schedule[(team.schedule["date"] >= row["week"]) & (team.schedule["date"] < row["week"] + timedelta(days=7))]
        assert days[days["bucket"] == row["bucket"]]["sends"].sum() == row["sends"]


def test_sends_per_week_stacks_one_trace_per_bucket(team: Plan) -> None:
    fig = sends_per_week_figure(team)
    assert fig.layout.barmode == "stack"
    names = [t.name for t in fig.data]
    assert names == ["Initial prospecting", "Follow-up", "Industry leaders", "Open Profile leaders (free)"]
    assert list(fig.data[0].x) == ["30 Nov", "07 Dec", "14 Dec", "21 Dec", "28 Dec", "04 Jan", "11 Jan", "18 Jan", "25 Jan"]
    total = sum(sum(t.y) for t in fig.data)
    assert team.totals is not None and total == team.totals.sends
    assert all(isinstance(t, go.Bar) for t in fig.data)
    assert "expected responses" in fig.data[0].hovertemplate and "Week of" in fig.data[0].hovertemplate


@pytest.fixture(scope="module")
def comparison() -> pd.DataFrame:
    scenario = load_scenario(EXAMPLES_DIR / "team_upgrade.toml")
    tiers = ["Premium Business", "Sales Navigator Core", "Sales Navigator Advanced Plus", "Recruiter Lite"]
    return compare_tiers(scenario, tiers, time_limit=10)


def test_comparison_table_adds_per_month_figures_and_responses_per_dollar(comparison: pd.DataFrame) -> None:
    table = comparison_table(comparison, cycles=2)
    for column in ("unused_per_month", "expired_or_forfeited_per_month", "shortfall_per_month", "extra_responses_per_dollar"):
        assert column in table
    by_tier = table.set_index("tier")
    core = by_tier.loc["Sales Navigator Core"]
    assert core["extra_responses_per_dollar"] == pytest.approx(core["extra_responses_per_month"] / core["extra_cost_per_month"])
    assert pd.isna(by_tier.loc["Premium Business", "extra_responses_per_dollar"])  # the current tier costs nothing extra
    assert pd.isna(by_tier.loc["Sales Navigator Advanced Plus", "extra_responses_per_dollar"])  # no list price
    assert by_tier.loc["Recruiter Lite", "unused_per_month"] == pytest.approx(by_tier.loc["Recruiter Lite", "unused_credits"] / 2)


def test_compare_figure_has_four_panels_and_highlights_the_current_tier(comparison: pd.DataFrame) -> None:
    fig = compare_figure(comparison, cycles=2)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == [
        "Expected responses a month",
        "Credits unused a month; goal-mix shortfall",
        "Cost per expected response ($, estimated prices)",
        "Extra responses a month per extra $100 (vs current)",
    ]
    responses = _trace(fig, "Expected responses a month")
    assert list(responses.y) == [
        "Premium Business · $60/mo",
        "Sales Navigator Core · $100/mo",
        "Sales Navigator Advanced Plus · no list price",
        "Recruiter Lite · $170/mo",
    ]
    np.testing.assert_allclose(np.asarray(responses.x, dtype=float), comparison["responses_per_month"].to_numpy(dtype=float))
    colors = list(responses.marker.color)
    assert colors[0] != colors[1]  # Premium Business, the current tier, stands out
    assert colors[1:] == [colors[1]] * 3
    names = {t.name for t in fig.data}
    assert {"Expire or forfeited", "Left unspent at the end", "Goal-mix shortfall (sends)", "Cost per expected response"} <= names
    cost = _trace(fig, "Cost per expected response")
    assert cost.text[2] == ""  # no list price: no label rather than "$nan"
    per_100 = _trace(fig, "Extra responses per extra $100")
    table = comparison_table(comparison, 2)
    core = list(table["tier"]).index("Sales Navigator Core")
    assert per_100.x[core] == pytest.approx(100 * table["extra_responses_per_dollar"].iloc[core])
    lite = list(table["tier"]).index("Recruiter Lite")
    if table["extra_responses_per_month"].iloc[lite] < 0:  # dearer and worse: drawn red
        assert per_100.marker.color[lite] != per_100.marker.color[core]


def test_tier_label_shows_the_price_or_its_absence() -> None:
    row = pd.Series({"tier": "X", "price_monthly": 99.99})
    assert tier_label(row) == "X · $100/mo"
    assert tier_label(pd.Series({"tier": "Y", "price_monthly": float("nan")})) == "Y · no list price"


def test_figures_serialise_to_json(team: Plan, comparison: pd.DataFrame) -> None:
    for fig in (burndown_figure(team), sends_per_week_figure(team), compare_figure(comparison, 2)):
        data = json.loads(fig.to_json())
        assert data["data"] and data["layout"]["title"]["text"]


def test_a_bucket_or_tier_name_with_html_is_shown_as_typed_in_the_charts() -> None:
    """Plotly draws <a href> as a live link: a name from a share link could plant one in the legend or a hover."""
    evil = '<a href="https://evil.example">x</a> %{y}'
    plan = _plan(EXPIRING.replace('"Prospects"', repr(evil)).replace('"Cycle 50"', repr(evil)))
    assert plan.is_ok
    weekly = sends_per_week_figure(plan)
    (bar,) = weekly.data
    assert bar.name == '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; %{y}'
    assert "evil" not in bar.hovertemplate  # the name is data, not part of the template
    burndown = burndown_figure(plan)
    assert "<a href" not in json.dumps(burndown.to_plotly_json(), default=str)
    assert burndown.layout.annotations[0].text.startswith("Cycle 1: &lt;a href=")

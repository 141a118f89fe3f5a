"""Compare page: the Plan page's scenario planned on every tier the user ticks.

Widgets, layout and caching only: the tiers and the table come from
:mod:`planner.compare` (:func:`~planner.compare.tiers_to_compare`,
:func:`~planner.compare.compare_plans`, the verdicts and the recommendation),
the charts from :mod:`planner.charts`, the response curve from :mod:`planner.curve` (its sweep cached in
:mod:`app_pages.why_cache`). Each tier's plan is the page layer's
cached plan of the scenario on that tier (:func:`app_pages.common.cached_plan`),
so a repeat comparison, a reload or a second browser reuses the solves; the
progress bar is drawn here, between the cached calls, never inside one (a
cached function that draws replays into a layout that is gone). The scenario
is the one the Plan page left in ``st.session_state``; opened first, the page
uses the link's scenario (``?s=...``) or the Plan page's default. Every name
shown in a markdown element goes through :func:`planner.text.literal`: tier
names and titles can come from a shared link.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import CHART_CONFIG, cached_catalog, cached_plan, current_scenario, download_button
from app_pages.risk_cache import DEFAULT_PATHS, DEFAULT_SEED, cached_risk_comparison
from app_pages.why_cache import cached_sweep
from planner.catalog import Tier
from planner.charts import compare_figure, response_curve_figure
from planner.compare import (
    compare_plans,
    comparison_table,
    current_tier,
    recommendation,
    tier_scenario,
    tiers_to_compare,
    verdict,
)
from planner.curve import response_curve
from planner.export import to_csv
from planner.plan import Plan
from planner.risk_charts import risk_compare_figure
from planner.scenario import ScenarioError, scenario_to_toml
from planner.text import literal

DEFAULT_TIME_LIMIT = 5.0  # seconds per tier

ss = st.session_state


def _problems(title: str, problems: list[str]) -> None:
    st.error(f"{title}\n" + "\n".join(f"- {literal(p)}" for p in problems), icon=":material/error:")


catalog = cached_catalog()
scenario, source = current_scenario(catalog)
scenario_toml = scenario_to_toml(scenario)
refs = scenario.tier_refs()
current = refs[0] if isinstance(refs[0], str) else refs[0].name

st.title("Compare tiers")
title = f"**{literal(scenario.title)}**, " if scenario.title else ""
st.markdown(
    f"Planning {title}{source}: {scenario.cycles} cycle{'s' if scenario.cycles > 1 else ''} from {scenario.start:%d %b %Y}, "
    f"now on **{literal(current)}**, on every tier you tick, each for every cycle."
)
if len({r if isinstance(r, str) else r.name for r in refs}) > 1:
    st.caption(
        "Your scenario changes tier between cycles; here each tier is planned for every cycle, against the first cycle's tier."
    )

if "compare_tiers" not in ss:
    ss["compare_tiers"] = list(catalog)
st.multiselect("Tiers to compare", options=list(catalog), key="compare_tiers", persist_state="session")

with st.expander("Prices (estimates: edit them to your quote)", icon=":material/sell:"):
    st.caption(
        "List prices are third-party quotes, not LinkedIn's word (see the Catalog page); contract tiers have none. "
        "Type your own price per month to see the cost per response with it."
    )
    if "compare_prices_key" not in ss or ss["compare_prices_key"] not in ss:
        # first visit, or back from another page: start the editor from the last prices typed
        ss["compare_prices_version"] = ss.get("compare_prices_version", 0) + 1
        ss["compare_prices_key"] = f"compare_prices_v{ss['compare_prices_version']}"
        saved = ss.get("compare_prices_saved", {})
        ss["compare_prices_base"] = pd.DataFrame(
            {
                "tier": list(catalog),
                "price_monthly": [saved.get(name, catalog[name].price_monthly) for name in catalog],
                "estimate": [catalog[name].price_is_estimate for name in catalog],
                "as_of": [catalog[name].as_of for name in catalog],
            }
        ).astype({"price_monthly": "float64"})
    prices_frame = st.data_editor(
        ss["compare_prices_base"],
        key=ss["compare_prices_key"],
        hide_index=True,
        width="stretch",
        disabled=["tier", "estimate", "as_of"],
        column_config={
            "tier": "Tier",
            "price_monthly": st.column_config.NumberColumn("Price a month ($)", min_value=0.0, step=1.0, format="%.2f"),
            "estimate": st.column_config.CheckboxColumn("Estimate"),
            "as_of": "As of",
        },
    )
    prices = {
        str(r["tier"]): (None if pd.isna(r["price_monthly"]) else float(r["price_monthly"]))
        for r in prices_frame.to_dict("records")
    }
    ss["compare_prices_saved"] = prices

if "compare_time_limit" not in ss:
    ss["compare_time_limit"] = DEFAULT_TIME_LIMIT
st.number_input(
    "Solver time limit per tier (s)",
    min_value=1.0,
    max_value=60.0,
    step=1.0,
    format="%g",
    key="compare_time_limit",
    persist_state="session",
)

ticked = [t for t in catalog if t in ss["compare_tiers"]]
if not ticked:
    st.info("Tick at least one tier to compare.")
    st.stop()
try:
    chosen = tiers_to_compare(scenario, ticked, catalog=catalog, prices=prices)
    current_name = current_tier(scenario, catalog).name
except ScenarioError as err:
    _problems("**The scenario could not be compared:**", err.problems)
    st.stop()

time_limit = float(ss["compare_time_limit"])
bar = st.progress(0.0, text="Planning...")
plans: list[tuple[Tier, Plan]] = []
failed: list[str] = []
for i, tier in enumerate(chosen):
    bar.progress(i / len(chosen), text=f"Planning on {tier.name} ({i + 1} of {len(chosen)})...")
    try:
        plans.append((tier, cached_plan(scenario_to_toml(tier_scenario(scenario, tier, catalog)), time_limit)))
    except ScenarioError as err:
        failed.extend(f"{tier.name}: {p}" for p in err.problems)
    except Exception as err:  # a solver failure is reported per tier, not as a traceback
        failed.append(f"{tier.name}: the planner failed ({type(err).__name__}: {err})")
bar.empty()
if failed:
    _problems("**Some tiers could not be planned:**", failed)
if current_name not in {tier.name for tier, _ in plans}:
    st.stop()
table = compare_plans(plans, current_name, scenario.cycles)

shown = comparison_table(table, scenario.cycles)
st.subheader("Verdict")
for line in recommendation(table, scenario.cycles):
    st.markdown(f"**{literal(line)}**")
lines = verdict(table, scenario.cycles)
if lines:
    st.markdown("\n".join(f"- {literal(line)}" for line in lines))
else:
    st.markdown("- Only the current tier is in the comparison.")
st.caption("Prices are estimates unless you typed your own; responses are expected values from your response rates.")

st.plotly_chart(compare_figure(table, scenario.cycles), key="compare_chart", width="stretch", config=CHART_CONFIG)

st.subheader("Response curve")
try:
    with st.spinner(f"Planning {literal(current_name)} at 0 to 4x its monthly credits..."):
        swept = cached_sweep(scenario_toml)
except Exception as err:  # the comparison stands without its curve; reported, not a traceback
    st.error(f"**No response curve** ({literal(type(err).__name__)}: {literal(err)}).", icon=":material/error:")
else:
    curve = response_curve(swept, table)
    st.markdown(f"**{literal(curve.sentence())}**")
    st.plotly_chart(response_curve_figure(curve), key="compare_curve", width="stretch", config=CHART_CONFIG)
    st.caption(
        f"The line: {literal(current_name)}'s policy with more or fewer credits a month (its cap scaled alike), every other "
        "setting as in your scenario, each point solved from the one before it "
        f"({len(curve.points)} points, {curve.seconds:.1f} s). The points: each tier at its own plan and price."
    )
    download_button("Response curve (CSV)", to_csv(curve.table()), file_name="response_curve.csv", key="compare_dl_curve")

st.subheader("How sure: responses as ranges")
# the tiers as the catalog prices them: a typed price changes no plan, so editing one must not simulate again
planned = {tier.name for tier, plan in plans if plan.is_ok}
tier_tomls = tuple(
    (tier.name, scenario_to_toml(tier_scenario(scenario, tier, catalog)))
    for tier in tiers_to_compare(scenario, ticked, catalog=catalog)
    if tier.name in planned
)
if current_name not in planned:
    st.info("The current tier's plan has no schedule, so there is nothing to simulate against.")
else:
    with st.spinner(f"Simulating {DEFAULT_PATHS:,} paths per tier..."):
        risk = cached_risk_comparison(tier_tomls, current_name, time_limit, DEFAULT_PATHS, DEFAULT_SEED)
    st.caption(
        f"Each tier's plan run {risk.paths:,} times with random responses (seed {risk.seed}), every tier on the same "
        "random numbers, so a difference between two tiers is theirs, not the dice's. "
        "P10-P90: in 8 of 10 paths the responses fall in this range."
    )
    risk_lines = risk.verdict()
    if risk_lines:
        st.markdown("\n".join(f"- {literal(line)}" for line in risk_lines))
    st.plotly_chart(risk_compare_figure(risk), key="compare_risk_chart", width="stretch", config=CHART_CONFIG)
    st.dataframe(
        risk.table(),
        key="compare_risk_table",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={
            "tier": st.column_config.TextColumn("Tier", pinned=True),
            "current": st.column_config.CheckboxColumn("Current"),
            "responses_p10": st.column_config.NumberColumn("Responses P10", format="%.0f"),
            "responses_p50": st.column_config.NumberColumn("Responses P50", format="%.0f"),
            "responses_p90": st.column_config.NumberColumn("Responses P90", format="%.0f"),
            "p_run_dry": st.column_config.NumberColumn("P(run dry)", format="percent"),
            "p_more_than_current": st.column_config.NumberColumn("P(more responses than current)", format="percent"),
        },
    )

st.subheader("Table")
st.dataframe(
    shown,
    key="compare_table",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_order=[
        "tier",
        "current",
        "price_monthly",
        "monthly_credits",
        "responses_per_month",
        "unused_per_month",
        "unused_because",
        "shortfall_per_month",
        "cost_per_response",
        "extra_responses_per_month",
        "extra_cost_per_month",
        "extra_cost_per_extra_response",
        "extra_responses_per_dollar",
        "expected_responses",
        "credits_spent",
        "expired_unused",
        "forfeited_over_cap",
        "unused_credits",
        "goal_shortfall",
        "price_paid",
        "status",
        "gap",
    ],
    column_config={
        "tier": st.column_config.TextColumn("Tier", pinned=True),
        "current": st.column_config.CheckboxColumn("Current"),
        "status": "Status",
        "price_monthly": st.column_config.NumberColumn("Price a month (est.)", format="dollar"),
        "monthly_credits": st.column_config.NumberColumn("Credits a month"),
        "responses_per_month": st.column_config.NumberColumn("Expected responses a month", format="%.2f"),
        "unused_per_month": st.column_config.NumberColumn("Unused credits a month", format="%.1f"),
        "unused_because": st.column_config.TextColumn("What leaves them unused", width="large"),
        "shortfall_per_month": st.column_config.NumberColumn("Goal-mix shortfall a month", format="%.0f"),
        "expected_responses": st.column_config.NumberColumn("Expected responses (horizon)", format="%.2f"),
        "credits_spent": st.column_config.NumberColumn("Credits spent (horizon)", format="%.1f"),
        "expired_unused": st.column_config.NumberColumn("Expire unused", format="%.1f"),
        "forfeited_over_cap": st.column_config.NumberColumn("Forfeited over cap", format="%.1f"),
        "unused_credits": st.column_config.NumberColumn("Unused credits (horizon)", format="%.1f"),
        "goal_shortfall": st.column_config.NumberColumn("Goal-mix shortfall (horizon)"),
        "price_paid": st.column_config.NumberColumn("Price paid (est.)", format="dollar"),
        "cost_per_response": st.column_config.NumberColumn("Cost per expected response", format="dollar"),
        "extra_responses_per_month": st.column_config.NumberColumn("Extra responses a month", format="%+.2f"),
        "extra_cost_per_month": st.column_config.NumberColumn("Extra cost a month", format="dollar"),
        "extra_cost_per_extra_response": st.column_config.NumberColumn("$ per extra response", format="dollar"),
        "extra_responses_per_dollar": st.column_config.NumberColumn("Extra responses per extra $", format="%.3f"),
        "gap": st.column_config.NumberColumn("Solver gap", format="percent"),
    },
)
download_button("Comparison (CSV)", to_csv(table), file_name="tier_comparison.csv", key="compare_dl_csv")

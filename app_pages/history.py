"""History page: the saved scenarios (every version) and plans, reopened, and plan versus actual per cycle.

Widgets, layout and caching only. Records come from the history database
(:class:`planner.store.Store`: ``INMAIL_PLANNER_DB``, else a SQLite file in
the user's data directory), the records as tables from :mod:`planner.history`,
plan versus actual from :mod:`planner.tracking` and its chart from
:mod:`planner.tracking_charts`. Saving a scenario that is already the latest
version under its name says so and makes no new version. Every piece of user
text in a markdown element goes through :func:`planner.text.literal`. A
scenario version reopens on the Plan page through its link (``?s=...``,
:mod:`planner.share`), the way a shared link opens there. The page lists what
``inmail-planner history`` prints.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.common import (
    CHART_CONFIG,
    PERSIST,
    STARTING,
    TEAM_OPEN,
    cached_catalog,
    cached_plan,
    current_scenario,
    download_button,
    fraction_columns,
    open_store,
    plan_time_limit,
    save_to_history,
    show_notice,
)
from planner.charts import format_day
from planner.export import to_csv
from planner.history import plans_table, scenario_versions_table
from planner.problem import resolve
from planner.scenario import Scenario, ScenarioError, scenario_to_toml
from planner.share import PARAM, encode_scenario
from planner.store import PlanRecord, ScenarioRecord, Store, StoreError
from planner.text import literal
from planner.tracking import actual_to_date, plan_vs_actual
from planner.tracking_charts import actual_burndown_figure

PLAN_PAGE = Path(__file__).resolve().parent / "plan.py"  # absolute: found whatever the entry script's folder
TEAM_PAGE = Path(__file__).resolve().parent / "team.py"

ss = st.session_state


def _version_label(record: ScenarioRecord) -> str:
    return f"{record.name} · version {record.version} · saved {record.created_at:%Y-%m-%d %H:%M}"


def _plan_label(record: PlanRecord) -> str:
    saved = f"{record.created_at:%Y-%m-%d %H:%M}"
    return f"Plan {record.id}: {record.scenario_name} v{record.scenario_version} · {record.status} · saved {saved}"


def _number(value: object, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


# --- page ------------------------------------------------------------------------------------

catalog = cached_catalog()
st.title("History")
try:
    store: Store = open_store()
except StoreError as err:
    st.error(f"**The history database cannot be opened.** {literal(err)}", icon=":material/error:")
    st.caption("Set INMAIL_PLANNER_DB to a SQLite file path or a SQLAlchemy URL (e.g. postgresql+psycopg://user@host/planner).")
    st.stop()
st.markdown(
    f"Saved scenarios, plans and usage logs in {literal(store.url)}. Saving never overwrites: a scenario saved again under its "
    "name becomes its next version. Another database: set `INMAIL_PLANNER_DB` to a file path or a SQLAlchemy URL."
)
show_notice("history_notice")

# --- save the current scenario -----------------------------------------------------------------

st.header("Save the current scenario")
scenario, source = current_scenario(catalog, report_link_error=False, starting=STARTING)
scenario_toml = scenario_to_toml(scenario)
default_name = scenario.title or "Untitled scenario"
if ss.get("history_name_for") != default_name:
    ss["history_name_for"] = default_name
    ss["history_save_name"] = default_name
save_cols = st.columns([3, 1])
name = (
    save_cols[0]
    .text_input("Save as", key="history_save_name", persist_state=PERSIST, help=f"Saves {source} and its plan.")
    .strip()
)
if save_cols[1].button("Save scenario and plan", key="history_save", icon=":material/save:", disabled=not name):
    with st.spinner("Planning..."):
        plan = cached_plan(scenario_toml, plan_time_limit())
    save_to_history(store, name, scenario, plan)

# --- saved scenarios ----------------------------------------------------------------------------

st.header("Saved scenarios")
try:
    versions = [v for latest in store.list_scenarios() for v in store.scenario_versions(latest.name)]
    plan_records = store.list_plans()
except StoreError as err:
    st.error(f"The history database could not be read: {literal(err)}")
    st.stop()
if not versions:
    st.info("Nothing saved yet. Save the current scenario above, or run `inmail-planner plan scenario.toml --save NAME`.")
else:
    counts = Counter(p.scenario_id for p in plan_records)
    st.dataframe(
        scenario_versions_table(versions, counts),
        key="history_versions",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={
            "id": None,
            "name": "Name",
            "version": st.column_config.NumberColumn("Version"),
            "saved": "Saved (UTC)",
            "title": "Title",
            "start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
            "cycles": st.column_config.NumberColumn("Cycles"),
            "tier": "Tier",
            "buckets": st.column_config.NumberColumn("Buckets"),
            "plans": st.column_config.NumberColumn("Plans saved"),
        },
    )
    by_id = {v.id: v for v in versions}
    newest_first = sorted(by_id, key=lambda i: (by_id[i].name, -by_id[i].version))
    if ss.get("history_version") not in by_id:
        ss["history_version"] = newest_first[0]
    open_cols = st.columns([3, 1])
    picked_id = open_cols[0].selectbox(
        "Scenario version", options=newest_first, format_func=lambda i: _version_label(by_id[i]), key="history_version"
    )
    if open_cols[1].button(
        "Open this version",
        key="history_open",
        icon=":material/open_in_new:",
        help="A one-seat scenario opens on the Plan page, a team scenario on the Team page.",
    ):
        try:
            reopened = store.load_scenario(picked_id)
        except (StoreError, ScenarioError) as err:
            problems = err.problems if isinstance(err, ScenarioError) else [str(err)]
            st.error("This version cannot be opened:\n" + "\n".join(f"- {literal(p)}" for p in problems))
        else:
            if isinstance(reopened, Scenario):
                st.switch_page(PLAN_PAGE, query_params={PARAM: encode_scenario(reopened)})
            else:  # the Team page reads it from the session (it has no share link)
                ss[TEAM_OPEN] = (by_id[picked_id].name, scenario_to_toml(reopened))
                st.switch_page(TEAM_PAGE)
    with st.expander("The version's scenario file (TOML)", icon=":material/description:"):
        st.code(by_id[picked_id].toml, language="toml")

# --- saved plans ---------------------------------------------------------------------------------

st.header("Saved plans")
if not plan_records:
    st.info("No plan saved yet.")
    st.stop()
st.dataframe(
    plans_table(plan_records),
    key="history_plans",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_config={
        "id": st.column_config.NumberColumn("Plan"),
        "name": "Scenario",
        "version": st.column_config.NumberColumn("Version"),
        "saved": "Saved (UTC)",
        "status": "Status",
        "credits_granted": st.column_config.NumberColumn("Credits granted", format="%.0f"),
        "credits_spent": st.column_config.NumberColumn("Credits spent", format="%.0f"),
        "expired_unused": st.column_config.NumberColumn("Expiring unused", format="%.1f"),
        "expected_responses": st.column_config.NumberColumn("Expected responses", format="%.2f"),
        "cost_per_response": st.column_config.NumberColumn("Cost per response", format="$%.2f"),
    },
)
plans_by_id = {p.id: p for p in plan_records}
plan_ids = sorted(plans_by_id, reverse=True)
if ss.get("history_plan") not in plans_by_id:
    ss["history_plan"] = plan_ids[0]
plan_id = st.selectbox("Look at plan", options=plan_ids, format_func=lambda i: _plan_label(plans_by_id[i]), key="history_plan")
try:
    stored = store.load_plan_record(plan_id)
    plan_scenario = stored.scenario()
    problem = resolve(plan_scenario, catalog)
except (StoreError, ScenarioError) as err:
    problems = err.problems if isinstance(err, ScenarioError) else [str(err)]
    st.error("This plan cannot be shown:\n" + "\n".join(f"- {literal(p)}" for p in problems))
    st.stop()
schedule, ledger = stored.schedule(), stored.ledger()
totals = stored.record.summary.get("totals") or {}
metrics = st.columns(5)
metrics[0].metric("Credits granted", _number(totals.get("credits_granted")))
metrics[1].metric("Credits spent", _number(totals.get("credits_spent")))
metrics[2].metric("Expiring unused", _number(totals.get("expired_unused"), 1))
metrics[3].metric("Expected responses", _number(totals.get("expected_responses"), 2))
cost = totals.get("cost_per_response")
metrics[4].metric("Cost per expected response", "n/a" if cost is None else f"${cost:,.2f}")
schedule_tab, ledger_tab = st.tabs(["Schedule", "Ledger"])
with schedule_tab:
    st.dataframe(
        schedule,
        key="history_schedule",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config=fraction_columns(schedule),
    )
with ledger_tab:
    st.dataframe(
        ledger, key="history_ledger", hide_index=True, width="stretch", placeholder="–", column_config=fraction_columns(ledger)
    )
dl = st.columns(3)
download_button(
    "Schedule (CSV)", to_csv(schedule), file_name=f"plan_{plan_id}_schedule.csv", key="history_dl_schedule", where=dl[0]
)
download_button("Ledger (CSV)", to_csv(ledger), file_name=f"plan_{plan_id}_ledger.csv", key="history_dl_ledger", where=dl[1])
download_button(
    "Scenario (TOML)",
    stored.scenario_toml,
    file_name=f"plan_{plan_id}.toml",
    key="history_dl_scenario",
    mime="application/toml",
    where=dl[2],
)

# --- plan versus actual --------------------------------------------------------------------------

st.header("Plan versus actual")
log_name = stored.record.scenario_name
try:
    entries = store.usage(log_name)
    batches = store.usage_batches(log_name)
except StoreError as err:
    st.error(f"The usage log could not be read: {literal(err)}")
    st.stop()
as_of_cols = st.columns([1, 3])
as_of: date = as_of_cols[0].date_input(
    "As of", value=date.today(), key="history_as_of", format="YYYY-MM-DD", help="Cycles are compared up to the day before."
)
as_of_cols[1].caption(
    f"The saved plan against the usage log saved under {literal(repr(log_name))}: {len(entries)} InMails in {len(batches)} "
    f"import{'s' if len(batches) != 1 else ''}. Log them on the Track & re-plan page, or with `inmail-planner log import`."
)
if not entries:
    st.info(f"No usage is logged under {literal(repr(log_name))} yet.")
    st.stop()
actual = actual_to_date(problem, entries, as_of)
if actual.overspent_on is not None:
    st.error(
        f"The saved log spends credits the ledger does not hold, first on {format_day(actual.overspent_on)}: "
        "check the log's dates, buckets and free sends."
    )
table = plan_vs_actual(problem, schedule, ledger, entries, as_of, actual)
if table.empty:
    st.info(f"No cycle of this plan has begun before {format_day(as_of)}.")
    st.stop()
st.dataframe(
    table,
    key="history_plan_vs_actual",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_config={
        "cycle": st.column_config.NumberColumn("Cycle"),
        "first_day": st.column_config.DateColumn("From", format="YYYY-MM-DD"),
        "last_day": st.column_config.DateColumn("To", format="YYYY-MM-DD"),
        "status": "Status",
        "planned_sends": st.column_config.NumberColumn("Planned sends"),
        "logged_sends": st.column_config.NumberColumn("Logged sends"),
        "planned_credits_spent": st.column_config.NumberColumn("Planned credits spent", format="%.0f"),
        "actual_credits_spent": st.column_config.NumberColumn("Actual credits spent", format="%.0f"),
        "expected_responses": st.column_config.NumberColumn("Expected responses", format="%.2f"),
        "logged_responses": st.column_config.NumberColumn("Logged responses"),
        "planned_expired": st.column_config.NumberColumn("Planned expiring", format="%.1f"),
        "actual_expired": st.column_config.NumberColumn("Actual expired", format="%.1f"),
    },
)
st.plotly_chart(
    actual_burndown_figure(problem, ledger, actual.table, as_of, title="Credit balance: the saved plan and the actual"),
    key="history_burndown",
    width="stretch",
    config=CHART_CONFIG,
)

"""Team page: plan a team contract's pooled credits across its seats (MODEL.md, "Teams: pooled seats").

Widgets, layout and caching only. The seats table becomes a
:class:`~planner.scenario.TeamScenario` in :mod:`planner.team_page`, which also
gives the per-seat tables and what one more credit per seat would gain; the
figures come from :mod:`planner.charts` (the pool's burn-down) and
:mod:`planner.team_charts`. The table's rows live in ``st.session_state``
(``team_rows_base``, ``team_rows_edited``), so edits survive the next edit
and a visit to another page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import (
    CHART_CONFIG,
    PERSIST,
    TEAM_OPEN,
    cached_catalog,
    day_input,
    download_button,
    feasible_note,
    file_stem,
    fraction_columns,
    open_store,
    plan_time_limit,
    save_to_history,
    show_day_sends,
    uploaded_text,
)
from planner.charts import burndown_figure
from planner.export import ledger_csv, to_csv
from planner.plan import Plan, PlanStatus
from planner.problem import resolve
from planner.scenario import ScenarioError, Seat, TeamScenario, any_scenario_from_toml, scenario_to_toml
from planner.share import TEAM_PARAM, decode_text, encode_scenario, link_label
from planner.solve import DEFAULT_GAP, make_plan
from planner.store import StoreError
from planner.team_charts import seat_share_figure
from planner.team_page import (
    GOAL_CHOICES,
    SEAT_COLUMNS,
    CreditValue,
    clean_seat_rows,
    contract_fields,
    credit_value_table,
    credit_values,
    default_seat_rows,
    seat_rows,
    seat_schedule,
    seat_table,
    team_from_rows,
)
from planner.text import literal
from planner.today import sends_on

DEFAULT_TIER = "Recruiter (Corporate)"
CONTRACT_KEYS = {"title": "team_title", "start": "team_start", "cycles": "team_cycles", "tier": "team_tier"}

ss = st.session_state


# --- cached work ------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_team_plan(team_toml: str, time_limit: float) -> Plan:
    """Plan a team given as TOML text (a rerun with the same text and limit does not solve again)."""
    catalog = cached_catalog()
    team = any_scenario_from_toml(team_toml, catalog)
    return make_plan(resolve(team, catalog), catalog=catalog, time_limit=time_limit, gap=DEFAULT_GAP)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_credit_values(team_toml: str, time_limit: float) -> tuple[CreditValue, ...]:
    """What one more credit per seat gains: re-solves of the team, cached by its TOML text."""
    catalog = cached_catalog()
    team = any_scenario_from_toml(team_toml, catalog)
    assert isinstance(team, TeamScenario)
    return credit_values(team, catalog=catalog, time_limit=time_limit)


# --- table state --------------------------------------------------------------------------


def _editor_key() -> str:
    return f"team_seats_v{ss.get('team_editor_version', 0)}"


def _set_rows(rows: list[dict[str, Any]], kept: dict[str, Seat]) -> None:
    """Give the seats table new rows, in a new editor (its edits so far were made on other rows)."""
    ss["team_rows_base"] = [dict(r) for r in rows]
    ss["team_rows_edited"] = [dict(r) for r in rows]
    ss["team_kept"] = dict(kept)
    ss["team_editor_version"] = ss.get("team_editor_version", 0) + 1


def _load_team(team: TeamScenario) -> None:
    """Put a team into the widgets and the table; the contract's other fields are kept as read."""
    rows, kept = seat_rows(team)
    _set_rows(rows, kept)
    ss[CONTRACT_KEYS["title"]] = team.title or ""
    ss[CONTRACT_KEYS["start"]] = team.start
    ss[CONTRACT_KEYS["cycles"]] = team.cycles
    ss[CONTRACT_KEYS["tier"]] = team.tier
    ss["team_contract_extra"] = {k: v for k, v in contract_fields(team).items() if k not in CONTRACT_KEYS}


def _on_upload() -> None:
    upload = ss.get("team_upload")
    if upload is None:
        return
    try:
        text = uploaded_text(upload)
    except ScenarioError as err:
        ss["team_notice"] = ("error", err.problems)
        return
    _open_text(text, f"uploaded file {upload.name!r}", f"Loaded the team scenario {upload.name!r}")


def _open_text(text: str, where: str, loaded: str | None) -> None:
    """Open a team scenario's TOML (an upload, a saved version, a link) in the page, or say why not.

    ``where`` names the source in a refusal; ``loaded`` starts the sentence said when it opens (None: say nothing).
    """
    catalog = cached_catalog()
    try:
        team = any_scenario_from_toml(text, catalog)
    except ScenarioError as err:
        ss["team_notice"] = ("error", [f"{where}: {p}" for p in err.problems])
        return
    if not isinstance(team, TeamScenario):
        ss["team_notice"] = ("error", [f"{where}: a one-seat scenario (no [[seats]]); open it on the Plan page"])
        return
    if not isinstance(team.tier, str) or team.tier not in catalog:
        ss["team_notice"] = (
            "error",
            [f"{where}: tiers: this page plans one catalog tier for every cycle; plan this file with `inmail-planner plan`"],
        )
        return
    _load_team(team)
    if loaded is not None:
        ss["team_notice"] = ("success", [f"{loaded} ({len(team.seats)} seats)."])


# --- page ---------------------------------------------------------------------------------

catalog = cached_catalog()
if CONTRACT_KEYS["tier"] not in ss:
    ss[CONTRACT_KEYS["title"]] = "My team"
    ss[CONTRACT_KEYS["start"]] = date.today()
    ss[CONTRACT_KEYS["cycles"]] = 1
    ss[CONTRACT_KEYS["tier"]] = DEFAULT_TIER if DEFAULT_TIER in catalog else next(iter(catalog))
if "team_rows_edited" not in ss:
    _set_rows(default_seat_rows(), {})
# a link (a reload, a second browser, a link sent to a colleague) opens its team once per distinct value
link = st.query_params.get(TEAM_PARAM)
if link is not None and link != ss.get("team_url"):
    ss["team_url"] = link
    try:
        _open_text(decode_text(link, TEAM_PARAM), link_label(link, TEAM_PARAM), None)
    except ScenarioError as err:
        ss["team_notice"] = ("error", ["The link's team could not be read:", *err.problems])
if TEAM_OPEN in ss:  # a saved version the History page opened here
    saved_name, saved_toml = ss.pop(TEAM_OPEN)
    _open_text(saved_toml, f"saved scenario {saved_name!r}", f"Loaded the team scenario {saved_name!r}")
# the editor's state is gone after a visit to another page: start it from the last edit
if _editor_key() not in ss:
    ss["team_rows_base"] = ss.get("team_rows_edited", [])

st.title("Plan a team's pooled credits")
st.caption(
    "A team contract grants each seat's credits into one pool. Give each seat a goal and, if the admin sets one, "
    "a seat cap (the most credits it may spend per cycle): the planner splits the pool between the seats for the most "
    "expected responses."
)

st.file_uploader(
    "Open a team scenario file (.toml, with [[seats]])",
    type=["toml"],
    key="team_upload",
    on_change=_on_upload,
    help="A team scenario saved from this page or written for the inmail-planner command line.",
)
notice = ss.pop("team_notice", None)
if notice is not None:
    kind, messages = notice
    text = "\n".join(f"- {literal(m)}" for m in messages)
    (st.success if kind == "success" else st.error)(text)

st.subheader("Contract")
cols = st.columns([3, 1.3, 1, 2])
cols[0].selectbox(
    "Tier (credits per seat)",
    options=list(catalog),
    format_func=lambda name: f"{name}: {catalog[name].monthly_credits} credits a seat",
    key=CONTRACT_KEYS["tier"],
    persist_state=PERSIST,
)
cols[1].date_input("Start (first grant day)", key=CONTRACT_KEYS["start"], format="YYYY-MM-DD", persist_state=PERSIST)
# no min or max: the schema refuses a count out of range with a message, the input keeps what was typed
cols[2].number_input("Cycles (months)", step=1, key=CONTRACT_KEYS["cycles"], persist_state=PERSIST)
cols[3].text_input("Title", key=CONTRACT_KEYS["title"], persist_state=PERSIST)
extra = ss.get("team_contract_extra", {})
if extra:
    st.caption(literal("From the opened file, kept as read: " + ", ".join(sorted(extra))))

st.markdown(
    "**Seats**: one row a seat; blank send days, daily cap or seat cap take the team's (no cap). "
    "A goal of *from file* keeps the seat's own buckets from the opened file."
)
base_rows = ss.get("team_rows_base", [])
frame = pd.DataFrame(clean_seat_rows(base_rows), columns=SEAT_COLUMNS)
for column in ("daily_cap", "seat_cap"):
    frame[column] = pd.array(frame[column], dtype="Int64")
for column in ("name", "goal", "send_days"):
    frame[column] = frame[column].astype("object")
edited = st.data_editor(
    frame,
    key=_editor_key(),
    num_rows="dynamic",
    hide_index=True,
    placeholder="–",
    width="stretch",
    column_config={
        "name": st.column_config.TextColumn("Seat", required=True, width=160),
        "goal": st.column_config.SelectboxColumn(
            "Goal", options=GOAL_CHOICES, required=True, help="Its buckets come from the goal's template.", width=150
        ),
        "send_days": st.column_config.TextColumn(
            "Send days", help="For example Mon, Wed, Fri; blank: Mon to Fri (the team's).", width=160
        ),
        "daily_cap": st.column_config.NumberColumn("Daily cap", step=1, help="Most InMails the seat sends a day.", width=90),
        "seat_cap": st.column_config.NumberColumn(
            "Seat cap", step=1, help="Most credits the seat may spend per cycle (the admin's limit).", width=90
        ),
    },
)
rows = clean_seat_rows(edited.to_dict("records"))
ss["team_rows_edited"] = rows

contract = {
    **extra,
    "title": ss[CONTRACT_KEYS["title"]] or None,
    "start": ss[CONTRACT_KEYS["start"]],
    "cycles": ss[CONTRACT_KEYS["cycles"]],
    "tier": ss[CONTRACT_KEYS["tier"]],
}
contract = {k: v for k, v in contract.items() if v is not None}
try:
    team = team_from_rows(rows, contract, catalog, ss.get("team_kept", {}))
except ScenarioError as err:
    st.error(
        "**Some inputs need a fix before the team has a plan** (your entries are kept):\n"
        + "\n".join(f"- {literal(p)}" for p in err.problems),
        icon=":material/edit_note:",
    )
    st.stop()

team_toml = scenario_to_toml(team)
encoded = encode_scenario(team)
if st.query_params.get(TEAM_PARAM) != encoded:  # the page's link holds the team planned below
    st.query_params[TEAM_PARAM] = encoded
ss["team_url"] = encoded
time_limit = plan_time_limit()
download_stem = file_stem(team.title, "team")
file_cols = st.columns([1, 1, 2])
download_button(
    "Team scenario (TOML)",
    team_toml,
    file_name=f"{download_stem}.toml",
    key="team_dl_scenario",
    mime="application/toml",
    help="Open it here again, or run `inmail-planner plan` on it.",
    where=file_cols[0],
)
page_url = st.context.url or ""
if page_url:
    file_cols[1].link_button("Link to this team", f"{page_url.split('?')[0]}?{TEAM_PARAM}={encoded}", icon=":material/link:")

st.divider()
st.header("Plan")
try:
    with st.spinner(f"Planning {len(team.seats)} seats..."):
        plan = _cached_team_plan(team_toml, time_limit)
except Exception as err:  # a solver failure is reported, not shown as a traceback; the inputs stay
    st.error(
        f"**The planner failed on this team** ({literal(type(err).__name__)}: {literal(err)}). Your entries are kept.",
        icon=":material/error:",
    )
    st.stop()

if not plan.is_ok:
    reasons = "".join(f"\n- {literal(r)}" for r in plan.diagnosis)
    if plan.status is PlanStatus.TIME_LIMIT:
        st.warning(literal(plan.message), icon=":material/timer:")
    else:
        st.error(f"**No plan for this team.** {literal(plan.message)}{reasons}", icon=":material/block:")
    st.stop()

totals = plan.totals
assert totals is not None
if plan.status is PlanStatus.FEASIBLE:
    st.warning(feasible_note(plan), icon=":material/timer:")
metrics = st.columns(5)
metrics[0].metric("Pool credits granted", f"{totals.credits_granted:,.0f}")
metrics[1].metric("Credits spent", f"{totals.credits_spent:,.0f}")
metrics[2].metric("Expiring unused", f"{totals.expired_unused:,.1f}")
metrics[3].metric("Expected responses", f"{totals.expected_responses:,.2f}")
metrics[4].metric("Seats", f"{len(plan.seats)}")

st.plotly_chart(burndown_figure(plan), key="team_burndown", width="stretch", config=CHART_CONFIG)

st.subheader("Each seat's share")
left, right = st.columns([1, 1.2])
with left:
    table = seat_table(plan)
    st.dataframe(
        table.assign(credit_share=table["credit_share"] * 100),
        key="team_seat_table",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={
            "seat": st.column_config.TextColumn("Seat"),
            "sends": st.column_config.NumberColumn("Sends"),
            "credits_used": st.column_config.NumberColumn("Credits"),
            "credit_share": st.column_config.NumberColumn("Share", format="%.0f %%", help="Of the pool's credits spent."),
            "expected_responses": st.column_config.NumberColumn("Responses", format="%.2f", help="Expected responses."),
            "seat_cap": st.column_config.NumberColumn("Seat cap"),
            "cap_binds_in": st.column_config.TextColumn("Cap binds in cycles", help="Cycles the seat spends its whole cap."),
        },
    )
    binding = [s for s in plan.seats if s.cap_binding_cycles]
    if binding:
        said = "; ".join(f"{s.seat} (cycle {', '.join(map(str, s.cap_binding_cycles))})" for s in binding)
        st.caption(literal(f"Seat caps that bind: {said}."))
    else:
        st.caption("No seat cap binds: every seat spends less than its cap.")
right.plotly_chart(seat_share_figure(plan), key="team_seat_chart", width="stretch", config=CHART_CONFIG)

st.subheader("What would moving credits between seats gain?")
st.caption(
    "For each seat with a seat cap, the team is planned again with that cap one credit larger (both solved to a zero gap): "
    "the change is what one more credit a cycle to that seat is worth."
)
try:
    with st.spinner("Planning again with each seat cap one larger..."):
        values = _cached_credit_values(team_toml, time_limit)
except Exception as err:  # the plan stands without these numbers; reported, not a traceback
    st.error(f"**The re-solves failed** ({literal(type(err).__name__)}: {literal(err)}).", icon=":material/error:")
else:
    st.dataframe(
        credit_value_table(values),
        key="team_credit_values",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={
            "seat": "Seat",
            "seat_cap": "Seat cap",
            "binds": st.column_config.CheckboxColumn("Binds"),
            "responses_gain": st.column_config.NumberColumn("Responses gained", format="%+.3f"),
            "value_gain": st.column_config.NumberColumn("Value gained", format="%+.3f"),
            "answer": st.column_config.TextColumn("In words", width="large"),
        },
    )

st.subheader("A seat's day: what do I send today?")
names = [s.seat for s in plan.seats]
if ss.get("team_today_seat") not in names:
    ss["team_today_seat"] = names[0]
days = plan.problem.calendar.days
day_cols = st.columns([1.2, 1, 3])
seat = day_cols[0].selectbox("Seat", options=names, key="team_today_seat")
day = day_input(day_cols[1], "team_day", days[0], days[-1])
mine = seat_schedule(plan, seat)
show_day_sends(day_cols[2], sends_on(mine, day))
seat_stem = file_stem(seat, "seat")
dl = st.columns(2)
download_button(
    "This seat's schedule (CSV)",
    to_csv(mine),
    file_name=f"{download_stem}_{seat_stem}_schedule.csv",
    key="team_dl_seat",
    where=dl[0],
)
download_button("Pool ledger (CSV)", ledger_csv(plan), file_name=f"{download_stem}_ledger.csv", key="team_dl_ledger", where=dl[1])
with st.expander("This seat's schedule, day by day", expanded=False, icon=":material/calendar_month:"):
    st.dataframe(mine, key="team_seat_schedule", hide_index=True, width="stretch", column_config=fraction_columns(mine))
with st.expander("The pool's ledger, day by day", expanded=False, icon=":material/account_balance:"):
    st.dataframe(plan.ledger, key="team_ledger", hide_index=True, width="stretch", column_config=fraction_columns(plan.ledger))

st.subheader("Save to the history")
default_name = team.title or "Untitled team"
if ss.get("team_save_name_for") != default_name:
    ss["team_save_name_for"] = default_name
    ss["team_save_name"] = default_name
save_cols = st.columns([3, 1])
save_name = save_cols[0].text_input("Save as", key="team_save_name", persist_state=PERSIST).strip()
if save_cols[1].button("Save team and plan", key="team_save", icon=":material/save:", disabled=not save_name):
    try:
        team_store = open_store()
    except StoreError as err:
        st.error(f"**The history database cannot be opened.** {literal(err)}", icon=":material/error:")
    else:
        save_to_history(team_store, save_name, team, plan)
st.caption(
    "Saved versions are listed on the History page, which opens a team's back here. The history database is "
    "`INMAIL_PLANNER_DB` (a SQLite file or a PostgreSQL URL shared by the team; see the README)."
)

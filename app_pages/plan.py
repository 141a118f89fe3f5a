"""Plan page: build a what-if scenario with widgets and see its optimal plan.

Widgets, layout and caching only. The form's values become a Scenario in
:mod:`planner.form`; the solve, figures, exports and the shareable link come
from :mod:`planner`. The current scenario's TOML sits in
``st.session_state["scenario_toml"]`` for the Compare page, and in the URL
(``?s=...``, :mod:`planner.share`) so that a link reproduces the same plan.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.common import (
    CHART_CONFIG,
    DEFAULT_TIME_LIMIT,
    PERSIST,
    cached_catalog,
    cached_plan,
    day_input,
    download_button,
    feasible_note,
    file_stem,
    fraction_columns,
    show_day_sends,
    uploaded_text,
)
from app_pages.risk_cache import cached_risk, cached_safe_reliance
from app_pages.why_cache import cached_reasons, cached_why
from planner.charts import burndown_figure, sends_per_week_figure
from planner.export import ledger_csv, schedule_csv
from planner.form import (
    BUCKET_COLUMNS,
    FOLLOWS_WHO,
    GOALS,
    MAX_CYCLES,
    PRIORITIES,
    WEEKDAYS,
    FormValues,
    bucket_names,
    carry_renames,
    clean_rows,
    default_form,
    even_shares,
    form_from_scenario,
    renames,
    rows_for_goals,
    scenario_from_form,
)
from planner.paths import EXAMPLES_DIR
from planner.plan import Plan, PlanStatus, Totals
from planner.risk import DEFAULT_RISK, NoSchedule, RiskReport, SafeReliance
from planner.risk_charts import add_fan, risk_headline
from planner.scenario import Scenario, ScenarioError, load_goal_templates, load_scenario, scenario_from_toml, scenario_to_toml
from planner.share import PARAM, decode_scenario, encode_scenario
from planner.text import literal
from planner.today import sends_on

# widget key of each simple form field
KEYS = {
    "title": "plan_title",
    "start": "plan_start",
    "cycles": "plan_cycles",
    "tier": "plan_tier",
    "per_cycle": "plan_per_cycle",
    "goals": "plan_goals",
    "send_days": "plan_send_days",
    "days_off": "plan_days_off",
    "daily_cap": "plan_daily_cap",
    "guard_base": "plan_guard_base",
    "guard_growth": "plan_guard_growth",
    "replies_per_day": "plan_replies_per_day",
    "reserve": "plan_reserve",
    "reserve_release_days": "plan_reserve_release_days",
    "refund_reliance_pct": "plan_refund_reliance",
    "refund_lag_days": "plan_refund_lag_days",
    "bonus_credits": "plan_bonus_credits",
    "time_discount": "plan_time_discount",
}
FLOAT_FIELDS = {"refund_reliance_pct", "time_discount"}
INT_FIELDS = {"cycles", "reserve", "reserve_release_days", "refund_lag_days"}
OPTIONAL_NUMBERS = ("guard_base", "guard_growth", "replies_per_day")  # empty: not set

ss = st.session_state


# --- cached work ------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _goal_labels() -> dict[str, str]:
    return {str(g): t.label for g, t in load_goal_templates().items()}


@st.cache_data(show_spinner=False)
def _examples() -> dict[str, str]:
    """Example scenario files by file stem -> title."""
    out = {}
    for path in sorted(EXAMPLES_DIR.glob("*.toml")):
        try:
            out[path.stem] = load_scenario(path).title or path.stem
        except ScenarioError:
            continue
    return out


# --- form state -------------------------------------------------------------------------


def _editor_key() -> str:
    return f"plan_buckets_v{ss.get('plan_editor_version', 0)}"


def _set_rows(rows: list[dict[str, Any]]) -> None:
    """Give the bucket table new rows, in a new editor.

    The table editor keeps its edits as changes to the rows it was given, under
    its key. Rows given anew always get a new key, so an editor's edits never
    meet rows they were not made on (that put the table back to its defaults).
    """
    ss["plan_rows_base"] = [dict(r) for r in rows]
    ss["plan_rows_edited"] = [dict(r) for r in rows]
    ss["plan_editor_version"] = ss.get("plan_editor_version", 0) + 1


def _load_form(form: FormValues) -> None:
    """Put a whole form into the widgets (a first visit, an upload, a shared link, an example)."""
    for name, key in KEYS.items():
        value = getattr(form, name)
        if name in FLOAT_FIELDS:
            value = float(value)
        elif name in INT_FIELDS:
            value = int(value)
        elif isinstance(value, list):
            value = list(value)
        ss[key] = value
    names = form.tier_names()
    for k in range(1, MAX_CYCLES + 1):
        ss[f"plan_tier_{k}"] = names[k - 1] if k <= len(names) else names[-1]
    for g in GOALS:
        ss[f"plan_share_{g}"] = float(form.shares_pct.get(g, 0.0))
    ss["plan_extra"] = {"weekday_factor": dict(form.weekday_factor), "custom_tiers": dict(form.custom_tiers)}
    _set_rows(form.buckets)


def _load_scenario(scenario: Scenario, source: str) -> None:
    _load_form(form_from_scenario(scenario, cached_catalog()))
    ss["plan_notice"] = ("success", f"Loaded {source}.")


def _form_from_widgets(rows: list[dict[str, Any]]) -> FormValues:
    extra = ss.get("plan_extra", {})
    values: dict[str, Any] = {name: ss[key] for name, key in KEYS.items()}
    values["title"] = values["title"] or ""
    values["daily_cap"] = None if values["daily_cap"] is None else int(values["daily_cap"])
    for name in OPTIONAL_NUMBERS:
        values[name] = None if values[name] is None else float(values[name])
    return FormValues(
        **values,
        cycle_tiers=tuple(ss[f"plan_tier_{k}"] for k in range(1, MAX_CYCLES + 1)),
        shares_pct={g: float(ss.get(f"plan_share_{g}") or 0.0) for g in values["goals"]},
        buckets=rows,
        weekday_factor=dict(extra.get("weekday_factor", {})),
        custom_tiers=dict(extra.get("custom_tiers", {})),
    )


def _count_input(where: DeltaGenerator, label: str, field: str, help_text: str, **options: Any) -> None:
    """A whole-number input of the form's ``field`` (its widget key in KEYS), kept across pages; the schema checks its range."""
    where.number_input(label, step=1, key=KEYS[field], help=help_text, persist_state=PERSIST, **options)


def _optional_number(where: DeltaGenerator, label: str, field: str, help_text: str, **options: Any) -> None:
    """A decimal input of the form's ``field`` that may be empty (the limit is off), kept across pages.

    ``value=None``: emptied, the widget returns None rather than 0; its value comes from the session state.
    """
    where.number_input(label, format="%g", value=None, key=KEYS[field], help=help_text, persist_state=PERSIST, **options)


# --- callbacks (run before the page script on the next rerun) -------------------------


def _on_goals_change() -> None:
    goals = [g for g in GOALS if g in ss[KEYS["goals"]]]
    for g, pct in even_shares(goals).items():
        ss[f"plan_share_{g}"] = pct
    _set_rows(rows_for_goals(ss.get("plan_rows_edited", []), goals))


def _on_split_evenly() -> None:
    for g, pct in even_shares(list(ss[KEYS["goals"]])).items():
        ss[f"plan_share_{g}"] = pct


def _on_per_cycle_change() -> None:
    if ss[KEYS["per_cycle"]]:
        for k in range(1, MAX_CYCLES + 1):
            ss[f"plan_tier_{k}"] = ss[KEYS["tier"]]
    else:
        ss[KEYS["tier"]] = ss["plan_tier_1"]


def _on_example() -> None:
    stem = ss.get("plan_example")
    if not stem:
        return
    try:
        scenario = load_scenario(EXAMPLES_DIR / f"{stem}.toml", cached_catalog())
        _load_scenario(scenario, f"the example {_examples().get(stem, stem)!r}")
    except ScenarioError as err:
        ss["plan_notice"] = ("error", [f"example {stem!r}: {p}" for p in err.problems])
    ss["plan_example"] = None


def _on_upload() -> None:
    upload = ss.get("plan_upload")
    if upload is None:
        return
    try:
        text = uploaded_text(upload)
    except ScenarioError as err:
        ss["plan_notice"] = ("error", err.problems)
        return
    try:
        scenario = scenario_from_toml(text, cached_catalog())
    except ScenarioError as err:
        ss["plan_notice"] = ("error", [f"uploaded file {upload.name!r}: {p}" for p in err.problems])
        return
    _load_scenario(scenario, f"the scenario file {upload.name!r}")


# --- page -------------------------------------------------------------------------------

catalog = cached_catalog()
labels = _goal_labels()

# a shared link (or a link edited by hand) seeds the form once per distinct value
link = st.query_params.get(PARAM)
if link is not None and link != ss.get("plan_url_s"):
    ss["plan_url_s"] = link
    try:
        _load_scenario(decode_scenario(link, catalog), "the scenario from the link")
    except ScenarioError as err:
        ss["plan_notice"] = ("error", ["The link's scenario could not be read:", *err.problems])
if KEYS["tier"] not in ss:
    _load_form(default_form(date.today()))

# the editor's state is gone after a visit to another page: start it from the last edit
if _editor_key() not in ss:
    ss["plan_rows_base"] = ss.get("plan_rows_edited", [])

st.title("Plan your InMail credits")
st.caption(
    "Pick a tier, a goal mix and your buckets of recipients: the planner finds the sends per bucket and day "
    "that get the most expected responses before credits expire. Everything below updates as you type."
)

with st.container(border=True):
    left, right = st.columns(2)
    examples = _examples()
    left.selectbox(
        "Start from an example",
        options=list(examples),
        format_func=lambda stem: examples.get(stem, stem),
        index=None,
        placeholder="Choose an example scenario...",
        key="plan_example",
        on_change=_on_example,
    )
    right.file_uploader(
        "Open a scenario file (.toml)",
        type=["toml"],
        key="plan_upload",
        on_change=_on_upload,
        help="A scenario saved from this page or written for the inmail-planner command line.",
    )
# one slot, there on every run: a notice that comes and goes must not move the elements after it
# (a moved expander is a new one, and "Pacing and policies" snapped shut after an upload)
notice_slot = st.empty()
notice = ss.pop("plan_notice", None)
if notice is not None:
    kind, message = notice
    if kind == "success":
        notice_slot.success(literal(message), icon=":material/check_circle:")
    else:
        notice_slot.error("\n".join(f"- {literal(m)}" for m in message), icon=":material/error:")

# --- inputs: tier, dates, goals -----------------------------------------------------------

st.subheader("Scenario")
extra = ss.get("plan_extra", {})
custom_tiers = extra.get("custom_tiers", {})
tier_options = list(catalog) + [name for name in custom_tiers if name not in catalog]


def _tier_label(name: str) -> str:
    tier = custom_tiers.get(name) or catalog.get(name)
    if tier is None:
        return name
    price = f", ${tier.price_monthly:,.2f}/month" if tier.price_monthly is not None else ""
    custom = " (from your scenario)" if name in custom_tiers else ""
    return f"{name}: {tier.monthly_credits} credits{price}{custom}"


cols = st.columns([3, 1.3, 1, 1.4])
cols[1].date_input("Start (first grant day)", key=KEYS["start"], format="YYYY-MM-DD", persist_state=PERSIST)
# no min or max on the number inputs: the browser would change a typed 500 to the bound without a word;
# the scenario's schema refuses it instead, naming the field and the value, and the input keeps it
cols[2].number_input("Cycles (months)", step=1, key=KEYS["cycles"], help=f"1 to {MAX_CYCLES}.", persist_state=PERSIST)
cols[3].toggle(
    "Different tier per cycle",
    key=KEYS["per_cycle"],
    on_change=_on_per_cycle_change,
    help="An upgrade or downgrade takes effect at the next cycle start.",
    persist_state=PERSIST,
)
cycles = min(max(int(ss[KEYS["cycles"]]), 1), MAX_CYCLES)  # tier pickers to show; the schema refuses a count out of range
if not ss[KEYS["per_cycle"]]:
    cols[0].selectbox("Tier", options=tier_options, format_func=_tier_label, key=KEYS["tier"], persist_state=PERSIST)
else:
    cols[0].markdown("**Tier of each cycle**")
    per_row = 4
    for first in range(1, cycles + 1, per_row):
        row = st.columns(per_row)
        for i, k in enumerate(range(first, min(first + per_row, cycles + 1))):
            row[i].selectbox(f"Cycle {k}", options=tier_options, key=f"plan_tier_{k}", persist_state=PERSIST)

st.text_input("Title", key=KEYS["title"], placeholder="A name for this what-if", persist_state=PERSIST)

st.markdown("**Goal mix**: each goal's share of each cycle's credits")
goal_cols = st.columns([2, 3])
goal_cols[0].multiselect(
    "Goals",
    options=GOALS,
    format_func=lambda g: labels.get(g, g),
    key=KEYS["goals"],
    on_change=_on_goals_change,
    help="Each goal brings its template buckets into the table below; edit them to fit you.",
    persist_state=PERSIST,
)
chosen = [g for g in GOALS if g in ss[KEYS["goals"]]]
with goal_cols[1]:
    if chosen:
        share_cols = st.columns(len(chosen) + 1)
        for col, g in zip(share_cols, chosen, strict=False):
            col.number_input(
                f"{labels.get(g, g)} %",
                step=5.0,
                format="%g",
                key=f"plan_share_{g}",
                persist_state=PERSIST,
            )
        total = sum(float(ss.get(f"plan_share_{g}") or 0.0) for g in chosen)
        with share_cols[-1]:
            if abs(total - 100) <= 1e-4:
                st.markdown(f"Total  \n:green-badge[:material/check: {total:g} %]")
            else:
                st.markdown(f"Total  \n:red-badge[{total:g} %, not 100 %]")
            st.button("Split evenly", key="plan_split_evenly", on_click=_on_split_evenly)
    else:
        st.info("Choose at least one goal.")

st.markdown("**Buckets**: kinds of outreach; edit any cell, add or delete rows")
base_rows = ss.get("plan_rows_base", [])
follows_options = sorted({*bucket_names(base_rows), *(str(r["follows"]) for r in base_rows if r.get("follows"))})
frame = pd.DataFrame(clean_rows(base_rows), columns=BUCKET_COLUMNS)
for column in ("pool", "min", "gap_days"):
    frame[column] = pd.array(frame[column], dtype="Int64")
for column in ("weight", "response_rate_pct"):
    frame[column] = frame[column].astype("float64")
frame["free"] = frame["free"].fillna(False).astype(bool)
edited = st.data_editor(
    frame,
    key=_editor_key(),
    num_rows="dynamic",
    hide_index=True,
    placeholder="–",
    width="stretch",
    # no min or max: a typed rate of 500 stays 500 and is refused with a message, not changed to 100;
    # widths in pixels that add up to the page's width, so Follows who, Gap days and Free are in view
    column_config={
        "name": st.column_config.TextColumn("Bucket", required=True, width=150),
        "goal": st.column_config.SelectboxColumn(
            "Goal", options=GOALS, required=True, format_func=lambda g: labels.get(str(g), str(g)), width=120
        ),
        "priority": st.column_config.SelectboxColumn(
            "Priority", options=PRIORITIES, help="high = 3, medium = 2, low = 1", width=72
        ),
        "weight": st.column_config.NumberColumn(
            "Weight", format="%g", help="Optional: a value weight that overrides the priority.", width=62
        ),
        "response_rate_pct": st.column_config.NumberColumn(
            "Rate %", format="%g", required=True, help="Response rate, in percent (0 to 100).", width=62
        ),
        "pool": st.column_config.NumberColumn("Pool", step=1, help="Most sends per cycle; empty = no limit.", width=55),
        "min": st.column_config.NumberColumn("Min", step=1, help="Least sends per cycle.", width=50),
        "follows": st.column_config.SelectboxColumn(
            "Follows", options=follows_options, help="A follow-up of another bucket.", width=125
        ),
        "follows_who": st.column_config.SelectboxColumn(
            "Follows who",
            options=FOLLOWS_WHO,
            format_func=lambda w: str(w).replace("_", "-"),
            help="Whom a follow-up goes to.",
            width=100,
        ),
        "gap_days": st.column_config.NumberColumn("Gap days", step=1, help="Days after the first message.", width=64),
        "free": st.column_config.CheckboxColumn("Free", help="Open Profile or 1st-degree: no credit used.", width=48),
    },
)
rows = clean_rows(edited.to_dict("records"))
ss["plan_rows_edited"] = rows
if bucket_names(rows) != bucket_names(base_rows):
    # a name was typed, changed or deleted: its follow-ups follow the new name, and the Follows column's choices
    # change, which makes the editor a new one; so the edits so far become the rows of a new editor, now
    edits = ss.get(_editor_key()) or {}
    _set_rows(carry_renames(rows, renames(base_rows, edits.get("edited_rows", {}))))
    st.rerun()

with st.expander("Pacing and policies", icon=":material/tune:"):
    pace = st.columns(4)
    pace[0].multiselect("Send days", options=WEEKDAYS, key=KEYS["send_days"], persist_state=PERSIST)
    pace[1].text_input(
        "Days off",
        key=KEYS["days_off"],
        placeholder="2026-12-24, 2026-12-25",
        help="Dates with no sending (YYYY-MM-DD).",
        persist_state=PERSIST,
    )
    # value=None: emptied, the cap is None (not 0); the value itself comes from the session state
    _count_input(pace[2], "Daily cap", "daily_cap", "Most InMails on one day.", placeholder="no cap", value=None)
    pace[3].text_input(
        "Bonus credits",
        key=KEYS["bonus_credits"],
        help="Extra credits on each cycle's first day: one number, or one per cycle.",
        persist_state=PERSIST,
    )
    guard = st.columns(4)
    _optional_number(
        guard[0],
        "Speed guard base (InMails a day)",
        "guard_base",
        "The speed guard: a day sends at most base + growth x (the last 7 days' InMails) / 7. Empty both to turn it off.",
        step=1.0,
        placeholder="no guard",
    )
    _optional_number(
        guard[1],
        "Speed guard growth",
        "guard_growth",
        "How fast the volume may ramp up: 1.5 lets a day add one and a half times last week's daily average to the base.",
        step=0.1,
        placeholder="no guard",
    )
    _optional_number(
        guard[2],
        "Replies per day",
        "replies_per_day",
        "Most expected replies a day (response rate x sends, all buckets): what you can answer.",
        step=1.0,
        placeholder="no limit",
    )
    policy = st.columns(4)
    _count_input(policy[0], "Reserve (credits)", "reserve", "Kept unspent until the release days.")
    _count_input(policy[1], "Reserve release days", "reserve_release_days", "The reserve may be spent in a cycle's last days.")
    policy[2].number_input(
        "Credit-back reliance %",
        step=5.0,
        format="%g",
        key=KEYS["refund_reliance_pct"],
        help="Share of the expected credit-backs (a response returns the credit, on tiers that give them) the plan may spend.",
        persist_state=PERSIST,
    )
    _count_input(policy[3], "Credit-back lag (days)", "refund_lag_days", "Days from a send until its credit comes back.")
    solver = st.columns(4)
    solver[0].number_input(
        "Time discount per day",
        step=0.0005,
        format="%.4f",
        key=KEYS["time_discount"],
        help="A send on day d is worth (1 - discount x d) of one on day 0: earlier is a little better.",
        persist_state=PERSIST,
    )
    if "plan_time_limit" not in ss:
        ss["plan_time_limit"] = DEFAULT_TIME_LIMIT
    solver[1].number_input(
        "Solver time limit (s)",
        step=1.0,
        format="%g",
        key="plan_time_limit",
        help="Past it the best plan found so far is shown, with its gap.",
        persist_state=PERSIST,
    )
    if extra.get("weekday_factor"):
        factors = ", ".join(f"{d} x{v:g}" for d, v in extra["weekday_factor"].items())
        solver[2].caption(literal(f"Weekday factors from the loaded scenario: {factors}"))

form = _form_from_widgets(rows)

# --- the plan -----------------------------------------------------------------------------

st.divider()
st.header("Plan")
# the safe reliance is an explicit choice: while the toggle is off the plan counts on the reliance typed above
if "plan_risk_pct" not in ss:
    ss["plan_risk_pct"] = round(100 * DEFAULT_RISK)
risk_cols = st.columns([1, 2])
risk_cols[0].toggle(
    "Choose the credit-back reliance for me",
    key="plan_risk_auto",
    help="Plan with the largest reliance (0 %, 5 %, ..., 100 %) whose simulated chance of running dry stays within the "
    "risk you accept. Your own Credit-back reliance field is kept as you typed it.",
    persist_state=PERSIST,
)
risk_cols[1].slider(
    "How much risk of running dry will you accept?",
    min_value=0,
    max_value=50,
    step=1,
    format="%d %%",
    key="plan_risk_pct",
    disabled=not ss.get("plan_risk_auto"),
    help="The chance, over the simulated paths, that some planned send finds no credit.",
    persist_state=PERSIST,
)
try:
    scenario: Scenario | None = scenario_from_form(form, catalog)
    problems: list[str] = []
except ScenarioError as err:
    scenario, problems = None, err.problems
time_limit = float(ss["plan_time_limit"])
if not 1 <= time_limit <= 120:  # not a scenario field: the page's own rule
    problems.append(f"Solver time limit = {time_limit:g} s: give 1 to 120 seconds")

safe: SafeReliance | None = None
if scenario is not None and not problems and ss.get("plan_risk_auto"):
    try:
        with st.spinner("Choosing the reliance: planning and simulating a few reliances..."):
            safe = cached_safe_reliance(scenario_to_toml(scenario), time_limit, int(ss["plan_risk_pct"]) / 100)
    except NoSchedule:
        pass  # not even counting on no credit-back gives a plan: the plan below says why
    except Exception as err:  # a solver failure is reported, not shown as a traceback; the inputs stay
        st.error(f"**No reliance could be chosen** ({literal(type(err).__name__)}: {literal(err)}).", icon=":material/error:")
    else:
        # what is planned, shown, shared and downloaded says the reliance used
        scenario = scenario.model_copy(update={"refund_reliance": safe.reliance})
if scenario is not None and not problems:
    scenario_toml = scenario_to_toml(scenario)
    ss["plan_valid"] = (scenario_toml, time_limit)  # the last inputs with a plan: shown, marked stale, while others are fixed
    ss["scenario_toml"] = scenario_toml  # the Compare page plans this scenario
    encoded = encode_scenario(scenario)
    if st.query_params.get(PARAM) != encoded:
        st.query_params[PARAM] = encoded
    ss["plan_url_s"] = encoded
stale = bool(problems)
if stale:
    st.error(
        "**Some inputs need a fix before they have a plan** (your inputs are kept):\n"
        + "\n".join(f"- {literal(p)}" for p in problems),
        icon=":material/edit_note:",
    )
    if "plan_valid" not in ss:
        st.stop()
    scenario_toml, time_limit = ss["plan_valid"]
    scenario = scenario_from_toml(scenario_toml, catalog)
    encoded = encode_scenario(scenario)
    if st.query_params.get(PARAM) != encoded:  # the link holds the plan shown (a page link back here drops it)
        st.query_params[PARAM] = encoded
    st.warning(
        "**Stale:** below is the plan of your last inputs that had one, not of the inputs above; "
        "it, its downloads and the page's link update once the problem is fixed.",
        icon=":material/history:",
    )
assert scenario is not None

long_note = f" ({scenario.cycles} cycles; at most {time_limit:g} s)" if scenario.cycles > 3 else ""
try:
    with st.spinner(f"Planning{long_note}..."):
        plan = cached_plan(scenario_toml, time_limit)
except ScenarioError as err:
    st.error("**The scenario was refused:**\n" + "\n".join(f"- {literal(p)}" for p in err.problems), icon=":material/edit_note:")
    st.stop()
except Exception as err:  # a solver failure is reported, not shown as a traceback; the inputs stay
    st.error(
        f"**The planner failed on this scenario** ({literal(type(err).__name__)}: {literal(err)}). Your inputs are kept.",
        icon=":material/error:",
    )
    st.stop()

download_stem = file_stem(scenario.title, "scenario")


def _downloads(plan: Plan) -> None:
    cols = st.columns(4)
    download_button(
        "Schedule (CSV)",
        schedule_csv(plan) if plan.is_ok else "",
        file_name=f"{download_stem}_schedule.csv",
        key="plan_dl_schedule",
        where=cols[0],
        disabled=not plan.is_ok,
    )
    download_button(
        "Ledger (CSV)",
        ledger_csv(plan) if plan.is_ok else "",
        file_name=f"{download_stem}_ledger.csv",
        key="plan_dl_ledger",
        where=cols[1],
        disabled=not plan.is_ok,
    )
    download_button(
        "Scenario (TOML)",
        scenario_toml,
        file_name=f"{download_stem}.toml",
        key="plan_dl_scenario",
        mime="application/toml",
        where=cols[2],
        help="Open it here again, or run `inmail-planner plan` on it.",
    )
    url = st.context.url or ""
    if url:
        cols[3].link_button("Link to this what-if", f"{url.split('?')[0]}?{PARAM}={encoded}", icon=":material/link:")


if not plan.is_ok:
    if plan.status is PlanStatus.INFEASIBLE:
        reasons = plan.diagnosis or [
            "The planner could not name the conflict; try loosening minimums, the reserve or the daily cap."
        ]
        st.error(
            f"**No plan for this scenario.** {literal(plan.message)} Why:\n"
            + "\n".join(f"- {literal(r)}" for r in reasons)
            + "\n\nYour inputs are kept: change one of them above.",
            icon=":material/block:",
        )
    elif plan.status is PlanStatus.TIME_LIMIT:
        st.warning(literal(plan.message), icon=":material/timer:")
    else:
        st.error(literal(plan.message), icon=":material/error:")
    _downloads(plan)
    st.stop()

totals = plan.totals
assert totals is not None
if plan.status is PlanStatus.FEASIBLE:
    st.warning(feasible_note(plan), icon=":material/timer:")

# deltas against the last different plan shown, so a change of tier shows what it did
if ss.get("plan_shown_key") != (scenario_toml, time_limit):
    ss["plan_prev_totals"] = ss.get("plan_shown_totals")
    ss["plan_shown_key"] = (scenario_toml, time_limit)
    ss["plan_shown_totals"] = totals
prev: Totals | None = ss.get("plan_prev_totals")


def _delta(name: str, digits: int = 0) -> str | None:
    if prev is None:
        return None
    change = float(getattr(totals, name)) - float(getattr(prev, name))
    return None if abs(change) < 0.5 * 10**-digits else f"{change:+.{digits}f}"


metrics = st.columns(7)
metrics[0].metric("Credits granted", f"{totals.credits_granted:,.0f}", _delta("credits_granted"), delta_color="off")
metrics[1].metric("Credits spent", f"{totals.credits_spent:,.0f}", _delta("credits_spent"), delta_color="off")
metrics[2].metric("Expiring unused", f"{totals.expired_unused:,.1f}", _delta("expired_unused", 1), delta_color="inverse")
metrics[3].metric(
    "Forfeited over cap", f"{totals.forfeited_over_cap:,.1f}", _delta("forfeited_over_cap", 1), delta_color="inverse"
)
metrics[4].metric("Expected responses", f"{totals.expected_responses:,.2f}", _delta("expected_responses", 2))
cost = "n/a" if totals.cost_per_response is None else f"${totals.cost_per_response:,.2f}"
metrics[5].metric("Cost per expected response", cost, help="List prices are estimates (see Catalog).")
gap = "n/a" if plan.gap is None else f"{plan.gap:.2%}"
metrics[6].metric("Solver gap", gap, help=f"{plan.message} {plan.solver}, {plan.solve_seconds:.2f} s.")
notes = []
if totals.credits_left_at_end > 0.005:
    notes.append(f"{totals.credits_left_at_end:,.2f} credits still held at the end (valid beyond the horizon)")
if totals.goal_shortfall:
    notes.append(f"goal-mix shortfall of {totals.goal_shortfall} sends (a goal ran out of recipients)")
if totals.expected_credit_backs > 0.005:
    notes.append(f"{totals.expected_credit_backs:,.2f} credits expected back from responses")
notes.append(f"{totals.sends} InMails in all, {totals.free_sends} of them free")
caption = "; ".join(notes)
st.caption(literal(caption[:1].upper() + caption[1:] + "."))

try:
    with st.spinner("Simulating the plan with random responses..."):
        risk: RiskReport | None = cached_risk(scenario_toml, time_limit)
except Exception as err:  # the plan stands without its risk numbers; reported, not a traceback
    risk = None
    st.error(f"**The plan could not be simulated** ({literal(type(err).__name__)}: {literal(err)}).", icon=":material/error:")
if risk is not None:
    risk_metrics = st.columns(len(risk_headline(risk)) + 1)
    for col, (label, value, help_text) in zip(risk_metrics, risk_headline(risk), strict=False):
        col.metric(label, value, help=help_text)
    risk_metrics[-1].metric(
        "Credit-back reliance used",
        f"{100 * scenario.refund_reliance:g} %",
        help="The share of the expected credit-backs the plan counts on spending.",
    )
    if safe is not None:
        said = (
            f"**Chosen for you:** {literal(safe.sentence)} (your own field says {form.refund_reliance_pct:g} %; "
            "the downloads and the link carry the reliance used)."
        )
        if safe.within_risk:
            st.info(said, icon=":material/tune:")
        else:
            st.warning(said, icon=":material/warning:")
    st.caption(
        f"Risk: the plan's schedule run {risk.paths:,} times with random responses and their real credit-backs "
        f"(seed {risk.seed}); `inmail-planner risk scenario.toml --summary risk.json` gives the same numbers."
    )

burndown = burndown_figure(plan)
st.plotly_chart(burndown if risk is None else add_fan(burndown, risk), key="plan_burndown", width="stretch", config=CHART_CONFIG)


def _why_section() -> DeltaGenerator | None:
    """Why each bucket sends what it does (quick); returns the place the credit values go once the page is drawn."""
    try:
        reasons = cached_reasons(scenario_toml, time_limit)
    except Exception as err:  # the plan stands without its reasons; reported, not a traceback
        st.error(f"**The plan could not be explained** ({literal(type(err).__name__)}: {literal(err)}).", icon=":material/error:")
        return None
    st.markdown("**Why these sends**")
    st.markdown("\n".join(f"- {literal(b.line)}" for b in reasons.buckets))
    return st.empty()


def _credit_values(where: DeltaGenerator) -> None:
    """What one more credit of each cycle is worth: a re-solve per cycle, so drawn after the rest of the page."""
    with where.container():
        st.markdown("**One more credit is worth**")
        try:
            with st.spinner("Re-solving with one more credit in each cycle..."):
                why = cached_why(scenario_toml, time_limit)
        except Exception as err:  # reported, not a traceback
            st.error(f"**No credit values** ({literal(type(err).__name__)}: {literal(err)}).", icon=":material/error:")
            return
        st.dataframe(
            why.credit_table(),
            key="plan_credit_value",
            hide_index=True,
            width="stretch",
            placeholder="–",
            column_config={
                "cycle": st.column_config.NumberColumn("Cycle", width=58),
                "responses": st.column_config.NumberColumn("Responses", format="%+.3f", help="Expected responses it adds."),
                "weighted_value": st.column_config.NumberColumn(
                    "Weighted", format="%+.3f", help="What it adds to the weighted value (the objective's first term)."
                ),
                "gap": st.column_config.NumberColumn("Gap", format="percent", help="The re-solve's proven gap on the value."),
            },
        )
        st.caption(
            f"Each cycle's grant one credit larger, re-solved from this plan ({why.credit_seconds:.2f} s in all); "
            "`inmail-planner plan scenario.toml --summary out.json` writes the same numbers."
        )


left, right = st.columns([1.15, 1])
left.plotly_chart(sends_per_week_figure(plan), key="plan_weekly", width="stretch", config=CHART_CONFIG)
with right:
    st.markdown("**Allocation per bucket**")
    st.dataframe(
        plan.allocation.assign(share=plan.allocation["share"] * 100),
        key="plan_allocation",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_order=["bucket", "sends", "share", "credits", "expected_responses"],
        # short headers and fixed small columns: the last one stays in view on a half-width column and a phone
        column_config={
            "bucket": st.column_config.TextColumn("Bucket", width=125),
            "sends": st.column_config.NumberColumn("Sends", width=58),
            "share": st.column_config.NumberColumn("Share", format="%.0f %%", width=58),
            "credits": st.column_config.NumberColumn("Credits", format="%g", width=64),
            "expected_responses": st.column_config.NumberColumn("Responses", format="%.2f", width=82, help="Expected responses."),
        },
    )
    credit_place = _why_section()
    st.markdown("**Goal mix per cycle**")
    st.dataframe(
        plan.goal_mix.assign(goal=plan.goal_mix["goal"].map(lambda g: labels.get(str(g), str(g)))),
        key="plan_goal_mix",
        hide_index=True,
        width="stretch",
        column_config={
            "goal": "Goal",
            "cycle": "Cycle",
            "target": "Target",
            "paid_sends": "Credit-paid sends",
            "shortfall": "Shortfall",
        },
        placeholder="–",
    )

st.subheader("What do I send today?")
days = plan.problem.calendar.days
day_cols = st.columns([1, 3])
day = day_input(day_cols[0], "plan_day", days[0], days[-1])
schedule = plan.schedule
show_day_sends(day_cols[1], sends_on(schedule, day))
with st.expander("Full schedule, day by day", expanded=False, icon=":material/calendar_month:"):
    st.dataframe(
        schedule.assign(goal=schedule["goal"].map(lambda g: labels.get(str(g), str(g)))),
        key="plan_schedule",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config=fraction_columns(schedule),
    )
with st.expander("Credit ledger, day by day", expanded=False, icon=":material/account_balance:"):
    st.dataframe(
        plan.ledger,
        key="plan_ledger",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config=fraction_columns(plan.ledger),  # credits expected back are fractions: two places, not 16.433324
    )

st.subheader("Save and share")
_downloads(plan)
st.caption(
    "The page's address holds this scenario, so a copy of the link reproduces the same what-if. "
    "The scenario file opens here again and runs on the command line: `inmail-planner plan scenario.toml --schedule out.csv`."
)
if credit_place is not None:
    _credit_values(credit_place)

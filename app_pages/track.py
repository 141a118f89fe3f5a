"""Track & re-plan page: log the InMails sent, see where you stand against the plan, and re-plan from today.

Widgets, layout and caching only. The scenario is the one the Plan page left
in ``st.session_state["scenario_toml"]`` (as on the Compare page). The log's
table rows are :mod:`planner.logtable`'s, checked by the one set of row rules
(:func:`planner.usage.parse_usage_row`, as a file import and ``log add`` are)
on every run with the "today" the page shows (an import does not judge dates
against a "today" of its own); duplicates follow :func:`planner.usage.log_diff`; the
actual ledger, learned rates and the re-plan come from :mod:`planner.actuals`;
where the log stands against the plan from :mod:`planner.tracking`, the chart
from :mod:`planner.tracking_charts`; the log is saved in the history database
(:class:`planner.store.Store`, ``INMAIL_PLANNER_DB``). An import adds to the
log or replaces it, as the user chose, and can be undone. Every piece of user
text in a markdown element goes through :func:`planner.text.literal`. The page
does what ``inmail-planner replan`` and ``inmail-planner log`` do on the
command line.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import (
    CHART_CONFIG,
    PERSIST,
    cached_catalog,
    cached_plan,
    current_scenario,
    download_button,
    fraction_columns,
    open_store,
    plan_time_limit,
    show_notice,
)
from planner.actuals import PRIOR_WEIGHT, Replan, actual_ledger, learned_rates, replan
from planner.charts import format_day
from planner.export import schedule_csv, to_csv
from planner.logtable import FREE_CHOICES, LOG_COLUMNS, OUTCOMES, add_rows, check_log_rows, clean_log_rows, log_rows
from planner.plan import PlanStatus
from planner.problem import Problem, resolve
from planner.scenario import ScenarioError, scenario_from_toml, scenario_to_toml
from planner.solve import DEFAULT_GAP
from planner.store import Store, StoreError
from planner.text import literal
from planner.today import sends_on
from planner.tracking import (
    balance_table,
    clamp_today,
    gap_words,
    headline_table,
    held_today,
    horizon,
    logged_before,
    responses,
    spend_gap,
    standing,
)
from planner.tracking_charts import actual_burndown_figure
from planner.usage import UsageEntry, UsageImportError, import_usage, log_diff, usage_to_csv

DATE_ORDERS = {
    "iso": "ISO (2026-06-03)",
    "day_first": "Day first (03/06/2026)",
    "month_first": "Month first (06/03/2026)",
}

IMPORT_MODES = {
    "add": "Add its new rows to the log",
    "replace": "Replace the log with it",
}
MAX_LISTED = 50  # rejected lines listed in full; the rest are counted

ss = st.session_state


# --- cached work ------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _replan(scenario_toml: str, log_csv: str, today: date, use_learned: bool, time_limit: float) -> Replan:
    """Re-plan from ``today``; the same scenario, log, day, rates choice and limit do not solve again."""
    catalog = cached_catalog()
    entries = import_usage(log_csv.encode("utf-8")).entries  # the log's own CSV reads back unchanged
    return replan(
        scenario_from_toml(scenario_toml, catalog),
        entries,
        today,
        catalog=catalog,
        use_learned_rates=use_learned,
        time_limit=time_limit,
        gap=DEFAULT_GAP,
    )


def _open_store() -> tuple[Store | None, str]:
    """The history database (``INMAIL_PLANNER_DB``, else the default file), or None and why not."""
    try:
        return open_store(), ""
    except StoreError as err:
        return None, str(err)


# --- log state -----------------------------------------------------------------------------


def _editor_key() -> str:
    return f"track_log_v{ss.get('track_editor_version', 0)}"


def _set_rows(rows: list[dict[str, Any]]) -> None:
    """Give the log table new rows (a new editor key drops the old editor's pending edits)."""
    ss["track_rows_base"] = [dict(r) for r in rows]
    ss["track_rows_edited"] = [dict(r) for r in rows]
    ss["track_editor_version"] = ss.get("track_editor_version", 0) + 1


def _import_file() -> None:
    """Read the uploaded file into the log: its good rows are added to the log as it was, or replace it."""
    upload = ss.get("track_upload")
    if upload is None:
        return
    try:
        # no today here: the table's check judges every row against the "today" the page shows, on every run
        result = import_usage(upload.getvalue(), buckets=ss.get("track_buckets"), date_order=ss.get("track_date_order", "iso"))
    except UsageImportError as err:
        ss["track_import_report"] = {"file": upload.name, "error": str(err)}
        return
    before = ss.get("track_import_base", [])
    held = 0
    if ss.get("track_import_mode", "add") == "add":
        rows, held = add_rows(before, result.entries)
    else:
        rows = log_rows(result.entries)
    _set_rows(rows)
    ss["track_rows_after_import"] = ss["track_rows_edited"]
    ss["track_undo"] = {"what": f"the import of {upload.name}", "rows": before}
    ss["track_import_report"] = {
        "file": upload.name,
        "summary": result.summary(),
        "rejected": result.report(limit=MAX_LISTED),  # every reason whole, past MAX_LISTED counted by kind
        "clean": result.is_clean,
        "mode": ss.get("track_import_mode", "add"),
        "already": held,
        "before": len(before),
        "after": len(rows),
    }


def _on_upload() -> None:
    # the log as it was before this file: what an add builds on, and what an undo brings back
    ss["track_import_base"] = list(ss.get("track_rows_edited", []))
    _import_file()


def _on_date_order() -> None:
    # read the file again in the new order, unless the table was edited since it was read
    if ss.get("track_upload") is not None and ss.get("track_rows_edited") == ss.get("track_rows_after_import"):
        _import_file()


# notices are plain text: show_notice shows them as typed (they name the user's files and logs)


def _on_undo() -> None:
    undo = ss.pop("track_undo", None)
    if undo is None:
        return
    _set_rows(undo["rows"])
    ss["track_import_report"] = None
    ss["track_rows_after_import"] = None
    ss["track_notice"] = (
        "success",
        f"Undid {undo['what']}: the log has its {len(undo['rows'])} rows from before again.",
    )


def _can_undo() -> dict[str, Any] | None:
    """The undo of the last import or load, while the table is as that left it (an undo never drops later edits)."""
    undo = ss.get("track_undo")
    if undo is None or ss.get("track_rows_edited") != ss.get("track_rows_after_import"):
        return None
    return undo if undo["rows"] != ss.get("track_rows_edited") else None


def _on_load_saved(store: Store, name: str) -> None:
    try:
        entries = store.usage(name)
    except StoreError as err:
        ss["track_notice"] = ("error", f"The history database could not be read: {err}")
        return
    before = list(ss.get("track_rows_edited", []))
    _set_rows(log_rows(entries))
    ss["track_rows_after_import"] = ss["track_rows_edited"]
    ss["track_undo"] = {"what": f"loading the log saved under {name!r}", "rows": before}
    ss["track_import_report"] = None
    ss["track_notice"] = ("success", f"Loaded the {len(entries)} InMails saved under {name!r}.")


def _log_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    # plain objects (dates as datetime.date): a row added to an empty table then fits every column
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS).astype(object)
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # row numbers as the checks name them
    return frame


def _save_log(store: Store, name: str, entries: list[UsageEntry]) -> None:
    """Save the log under ``name``: new rows as an added batch; changed rows as the whole log again."""
    try:
        saved = store.usage(name)
        new, missing = log_diff(entries, saved)
        if missing:
            # outcomes updated or rows fixed: this log becomes the saved one (older batches are kept)
            batch = store.replace_usage(name, entries, source="app")
            st.success(
                f"Saved the whole log of {literal(repr(name))} again (batch {batch}): {len(missing)} saved InMails changed "
                f"here, {len(entries)} in all. Earlier versions stay in the database.",
                icon=":material/check_circle:",
            )
        elif not new:
            st.info(f"Nothing new to save: the {len(entries)} InMails are already saved under {literal(repr(name))}.")
        else:
            added = store.add_new_usage(name, entries, source="app")  # what is new is decided under the write lock
            st.success(
                f"Saved {added.added} new InMails to the log of {literal(repr(name))} (batch {added.batch_id}); "
                f"it holds {len(saved) + added.added} now.",
                icon=":material/check_circle:",
            )
    except StoreError as err:
        st.error(f"The history database could not be written: {literal(err)}")


# --- page ------------------------------------------------------------------------------------

catalog = cached_catalog()
scenario, source = current_scenario(catalog)
scenario_toml = scenario_to_toml(scenario)
problem: Problem = resolve(scenario, catalog)
bucket_names = [b.name for b in problem.buckets]
ss["track_buckets"] = bucket_names
first_day, last_day = horizon(problem)
time_limit = plan_time_limit()

st.title("Track & re-plan")
title = f"**{literal(scenario.title)}**, " if scenario.title else ""
st.markdown(
    f"Tracking {title}{source}: {scenario.cycles} cycle{'s' if scenario.cycles > 1 else ''} "
    f"from {format_day(first_day)} to {format_day(last_day)}. Log what you sent and what came of it; "
    "the page shows where you stand against the plan and the best plan for the days that are left."
)

picked = ss.get("track_today")
if not isinstance(picked, date) or not first_day <= picked <= last_day:
    ss["track_today"] = clamp_today(problem, date.today())
today_cols = st.columns([1, 3])
today: date = today_cols[0].date_input(
    "Today",
    min_value=first_day,
    max_value=last_day,
    key="track_today",
    format="YYYY-MM-DD",
    help="The day to re-plan from. The log counts the days before it; a row dated after it is refused.",
)
today_cols[1].caption(f"Default: today's date, moved into the scenario's horizon ({first_day:%d %b %Y} to {last_day:%d %b %Y}).")

# --- the usage log ------------------------------------------------------------------------

st.header("Usage log")
with st.container(border=True):
    cols = st.columns([3, 2])
    cols[0].file_uploader(
        "Import a usage log (CSV)",
        type=["csv", "txt"],
        key="track_upload",
        on_change=_on_upload,
        help="Columns sent_on, bucket, outcome (pending, accepted, declined, replied), outcome_on; "
        "optional recipient and free. Comma, semicolon or tab; UTF-8 with or without BOM. Extra columns are ignored.",
    )
    with cols[1]:
        st.radio(
            "Dates that are not ISO are",
            options=list(DATE_ORDERS),
            format_func=DATE_ORDERS.get,
            key="track_date_order",
            on_change=_on_date_order,
            horizontal=True,
            persist_state=PERSIST,
            help="03/04/2026 is 3 April day first, 4 March month first; ISO dates (2026-04-03) are read in every order.",
        )
        st.radio(
            "A file imported",
            options=list(IMPORT_MODES),
            format_func=IMPORT_MODES.get,
            key="track_import_mode",
            horizontal=True,
            persist_state=PERSIST,
            help="Add: the file's rows join the log, those it already holds not twice. Replace: the table becomes the "
            "file's rows. Either way the import can be undone.",
        )

report = ss.get("track_import_report")
if report:
    name_md = f"**{literal(report['file'])}**"
    if "error" in report:
        st.error(f"{name_md} was not imported: {literal(report['error'])}", icon=":material/error:")
    else:
        before, after = report["before"], report["after"]
        if before == 0:
            effect = f"The log has {after} rows now."
        elif report["mode"] == "add":
            held = report["already"]
            already = f"; {held} of the file's rows were in it already and were not added again" if held else ""
            effect = f"Added to the {before} rows the log had{already}: it has {after} now."
        else:
            effect = f"Replaced the log's {before} rows: it has the file's {after} now (undo brings the {before} back)."
        if report["clean"]:
            st.success(f"{name_md}: {literal(report['summary'])} {effect}", icon=":material/check_circle:")
        else:
            listed = [f"- {literal(line)}" for line in report["rejected"]]
            st.warning(
                f"{name_md}: {literal(report['summary'])} {effect} Fix the rejected lines in the file and import it "
                "again, or add them in the table. Rejected (the header is line 1):\n" + "\n".join(listed),
                icon=":material/warning:",
            )
undo_slot = st.empty()  # filled once the table has read this run's edits: an undo is offered on the table as it is
show_notice("track_notice")

if _editor_key() not in ss:  # the editor's state is gone after a visit to another page
    ss["track_rows_base"] = ss.get("track_rows_edited", [])
base_rows = ss.get("track_rows_base", [])
unknown = sorted({str(r["bucket"]) for r in base_rows if r.get("bucket") and r["bucket"] not in bucket_names})
st.markdown("**InMails sent**: one row per InMail; edit any cell, add or delete rows")
edited = st.data_editor(
    _log_frame(base_rows),
    key=_editor_key(),
    num_rows="dynamic",
    placeholder="",
    width="stretch",
    column_config={
        "_index": st.column_config.NumberColumn("Row", disabled=True),
        "sent_on": st.column_config.DateColumn("Sent on", format="YYYY-MM-DD", required=True),
        "bucket": st.column_config.SelectboxColumn("Bucket", options=[*bucket_names, *unknown], required=True),
        "outcome": st.column_config.SelectboxColumn("Outcome", options=OUTCOMES, required=True, default="pending"),
        "outcome_on": st.column_config.DateColumn("Outcome on", format="YYYY-MM-DD", help="Empty while pending."),
        "recipient": st.column_config.TextColumn("Recipient", help="Optional."),
        "free": st.column_config.SelectboxColumn(
            "Free?", options=list(FREE_CHOICES), help="Empty: the bucket's default (Open Profile and 1st-degree are free)."
        ),
    },
)
rows = clean_log_rows(edited.to_dict("records"))
ss["track_rows_edited"] = rows
undo = _can_undo()
if undo is not None:
    undo_slot.button(
        f"Undo {literal(undo['what'])}",
        key="track_undo_import",
        icon=":material/undo:",
        on_click=_on_undo,
        help=f"Puts back the {len(undo['rows'])} rows the log had before.",
    )
check = check_log_rows(rows, buckets=bucket_names, today=today)
entries = check.entries
if check.rejected:
    st.warning(
        f"{len(check.rejected)} row{'s' if len(check.rejected) > 1 else ''} of the table "
        f"{'are' if len(check.rejected) > 1 else 'is'} left out until fixed:\n"
        + "\n".join(f"- {literal(m)}" for m in check.messages()),
        icon=":material/edit_note:",
    )

store, store_problem = _open_store()
default_name = scenario.title or "Untitled scenario"
if ss.get("track_name_for") != default_name:  # a new scenario title names the log, until the user types another
    ss["track_name_for"] = default_name
    ss["track_name"] = default_name
log_cols = st.columns([2, 1, 1, 1])
name = (
    log_cols[0]
    .text_input("Name in the history", key="track_name", help="The log is saved under this scenario name.", persist_state=PERSIST)
    .strip()
)
saved_count = 0
if store is not None and name:
    try:
        saved_count = len(store.usage(name))
    except StoreError as err:
        store, store_problem = None, str(err)
if log_cols[1].button(
    "Save the log",
    key="track_save_log",
    icon=":material/save:",
    disabled=store is None or not name or not entries,
    help="Adds the rows not saved yet to the log kept under this name in the history database.",
):
    assert store is not None
    _save_log(store, name, entries)
    saved_count = len(store.usage(name))
log_cols[2].button(
    "Load the saved log",
    key="track_load_log",
    icon=":material/history:",
    disabled=store is None or saved_count == 0,
    on_click=_on_load_saved,
    args=(store, name),
    help="Replaces the table with the log saved under this name.",
)
download_button("Log (CSV)", usage_to_csv(entries), file_name="usage_log.csv", key="track_dl_log", where=log_cols[3])
if store is None:
    st.caption(f"History database unavailable: {literal(store_problem)}")
elif name:
    st.caption(f"{saved_count} InMails saved under {literal(repr(name))} in {literal(store.url)}.")
else:
    st.caption(f"Database: {literal(store.url)}.")

# --- where I stand ---------------------------------------------------------------------------

st.header("Where I stand")
actual = actual_ledger(problem, entries, today)
if actual.overspent_on is not None:
    st.error(
        f"**The log spends credits the ledger does not hold, first on {format_day(actual.overspent_on)}.** "
        "Check the log's dates, buckets and free sends (a free InMail uses no credit); there is no re-plan until it adds up.",
        icon=":material/error:",
    )
    st.stop()

original = cached_plan(scenario_toml, time_limit)
use_learned = bool(ss.get("track_use_learned", False)) and scenario.buckets is not None
with st.spinner("Re-planning from today..."):
    try:
        result: Replan | None = _replan(scenario_toml, usage_to_csv(entries), today, use_learned, time_limit)
        replan_problem = ""
    except ScenarioError as err:
        result, replan_problem = None, "; ".join(err.problems)
    except Exception as err:  # a solver failure is reported, not shown as a traceback; the log stays
        result, replan_problem = None, f"the planner failed ({type(err).__name__}: {err})"

kept = logged_before(problem, entries, today)
balance = balance_table(actual, problem)
metrics = st.columns(5)
held = held_today(problem, entries, today)
note = held.note()
metrics[0].metric(
    "Credits held today",
    f"{held.total:,.0f}",
    note,
    delta_color="off",
    delta_arrow="off",
    help="What you can spend today, before today's sends: the credits carried into today, with today's grant "
    "(on a cycle's first day) and the credits given back today for logged responses.",
)
metrics[1].metric("Returned by responses", f"{actual.credits_returned:,.0f}", help="Credits given back for logged responses.")
metrics[2].metric("InMails logged", f"{len(kept)}", help="Sent before today, inside the scenario's horizon.")
metrics[3].metric("Responses logged", f"{responses(kept)}")
gap = spend_gap(original.ledger if original.is_ok else None, actual.table, today)
metrics[4].metric(
    "Credits against plan",
    "n/a" if gap is None else gap_words(gap).removesuffix(" plan").removesuffix(" of"),
    help="Credits the plan spent before today less those the log spent.",
)
if today == first_day:
    st.info("Today is the scenario's first day: nothing is logged before it yet, so the re-plan is the plan.")
elif result is not None:
    sentence = standing(result, original if original.is_ok else None)
    st.info(sentence[:1].upper() + sentence[1:] + ".", icon=":material/flag:")
st.plotly_chart(
    actual_burndown_figure(
        problem,
        original.ledger if original.is_ok else None,
        actual.table,
        today,
        result.plan.ledger if result is not None and result.plan.is_ok else None,
    ),
    key="track_burndown",
    width="stretch",
    config=CHART_CONFIG,
)
left, right = st.columns([2, 3])
with left:
    st.markdown("**Balance at the start of today, by expiry**")
    st.dataframe(
        balance,
        key="track_balance",
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={
            "expires_after": st.column_config.DateColumn("Usable through", format="ddd D MMM YYYY"),
            "credits": st.column_config.NumberColumn("Credits", format="%.2f"),
            "days_left": st.column_config.NumberColumn("Days left", help="Today included."),
        },
    )
    if held.granted > 0:
        usable = problem.calendar.date_of(problem.last_valid_day(problem.calendar.index_of(today)))
        st.caption(f"Today's grant of {held.granted:,.0f} credits comes on top, usable through {format_day(usable)}.")
with right:
    if actual.notes:
        st.markdown("**Log rows the ledger leaves out**")
        st.markdown("\n".join(f"- {literal(n)}" for n in actual.notes))
    with st.expander("Actual ledger, day by day", icon=":material/account_balance:"):
        st.dataframe(
            actual.table,
            key="track_actual_ledger",
            hide_index=True,
            width="stretch",
            placeholder="–",
            column_config=fraction_columns(actual.table),
        )

# --- learned response rates ------------------------------------------------------------------

st.header("Learned response rates")
rates = result.rates if result is not None else learned_rates(problem, entries, today)
st.caption(
    f"Per bucket, the template's rate is a prior worth {PRIOR_WEIGHT} observations. A send with an outcome counts as one "
    "observation; a send still pending counts as part of one, the chance that a response would have come by now had it "
    "been coming (a young pending send counts little, one pending for 30 days as a whole no). Learned = (prior x "
    f"{PRIOR_WEIGHT} + responses) / ({PRIOR_WEIGHT} + effective observations); the rate lies between the 5 % and 95 % "
    "columns with 90 % probability."
)
st.dataframe(
    rates,
    key="track_rates",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_order=[
        "bucket",
        "prior_rate",
        "logged_sends",
        "responses",
        "observations",
        "observed_rate",
        "learned_rate",
        "learned_p05",
        "learned_p95",
    ],
    column_config={
        "bucket": "Bucket",
        "prior_rate": st.column_config.NumberColumn("Template rate", format="percent"),
        "logged_sends": st.column_config.NumberColumn("Logged sends"),
        "responses": st.column_config.NumberColumn("Responses"),
        "observations": st.column_config.NumberColumn(
            "Effective n", format="%.1f", help="Sends with an outcome, plus each pending send's share of one observation."
        ),
        "observed_rate": st.column_config.NumberColumn("Observed rate", format="percent", help="Responses / effective n."),
        "learned_rate": st.column_config.NumberColumn("Learned rate", format="percent"),
        "learned_p05": st.column_config.NumberColumn(
            "5 %", format="percent", help="The rate is above this with 95 % probability."
        ),
        "learned_p95": st.column_config.NumberColumn(
            "95 %", format="percent", help="The rate is below this with 95 % probability."
        ),
    },
)
st.toggle(
    "Use learned rates for the re-plan",
    key="track_use_learned",
    persist_state=PERSIST,
    disabled=scenario.buckets is None,
    help="Plan the days left with the learned rates instead of the template's.",
)

# --- re-plan from today ------------------------------------------------------------------------

st.header("Re-plan from today")
if result is None:
    st.error(f"No re-plan: {literal(replan_problem)}", icon=":material/error:")
    st.stop()
new = result.plan
rates_note = "learned response rates" if result.used_learned_rates else "the template's response rates"
st.caption(
    f"The same model from {format_day(today)} to {format_day(last_day)}, starting from the credits held today, "
    f"with what the log already sent taken off this cycle's pools and goal targets, and {rates_note}."
)
if not new.is_ok:
    if new.status is PlanStatus.INFEASIBLE:
        reasons = new.diagnosis or [
            "The planner could not name the conflict; try loosening minimums, the reserve or the daily cap."
        ]
        st.error(f"**No plan for the days left.** {literal(new.message)} Why:\n" + "\n".join(f"- {literal(r)}" for r in reasons))
    else:
        st.error(literal(new.message))
    st.stop()
if new.status is PlanStatus.FEASIBLE:
    st.warning(f"{literal(new.message)} It is within {new.gap or 0:.2%} of the best possible.", icon=":material/timer:")

headline = headline_table(original, actual, new, kept)
old_t, new_t = original.totals, new.totals
assert new_t is not None
done_and_new = responses(kept) + new_t.expected_responses
replan_cols = st.columns(4)
if old_t is not None:
    replan_cols[0].metric("Old plan: expected responses", f"{old_t.expected_responses:,.2f}")
    replan_cols[1].metric(
        "Logged + new plan",
        f"{done_and_new:,.2f}",
        f"{done_and_new - old_t.expected_responses:+.2f}",
        help="Responses logged so far plus the new plan's expected ones.",
    )
replan_cols[2].metric("New plan: InMails from today", f"{new_t.sends}")
replan_cols[3].metric("New plan: expiring unused", f"{new_t.expired_unused:,.1f}")
st.dataframe(
    headline,
    key="track_headline",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_config={
        "measure": st.column_config.TextColumn("", width="medium"),
        "old_plan": st.column_config.NumberColumn("Old plan (whole horizon)", format="%g"),
        "logged": st.column_config.NumberColumn("Logged before today", format="%g"),
        "new_plan": st.column_config.NumberColumn("New plan from today", format="%g"),
        "logged_plus_new": st.column_config.NumberColumn("Logged + new plan", format="%g"),
    },
)

todays = sends_on(new.schedule, today)
if todays.items:
    st.success(literal(todays.sentence()), icon=":material/send:")
else:
    st.info(literal(todays.sentence()), icon=":material/event_busy:")
st.markdown("**The new schedule**")
st.dataframe(
    new.schedule,
    key="track_schedule",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_config=fraction_columns(new.schedule),
)
downloads = st.columns(3)
download_button(
    "New schedule (CSV)", schedule_csv(new), file_name="replan_schedule.csv", key="track_dl_schedule", where=downloads[0]
)
download_button(
    "Usage log (CSV)", usage_to_csv(entries), file_name="usage_log.csv", key="track_dl_log_bottom", where=downloads[1]
)
download_button(
    "Actual ledger (CSV)", to_csv(actual.table), file_name="actual_ledger.csv", key="track_dl_actual", where=downloads[2]
)
st.caption(
    "The same re-plan on the command line: `inmail-planner replan scenario.toml --log usage_log.csv "
    f"--today {today.isoformat()}{' --learned-rates' if result.used_learned_rates else ''} --schedule new.csv`."
)

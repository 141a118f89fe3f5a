"""Page-layer helpers the pages share: cached catalog and plans, the current scenario, the history store, notices, downloads.

Not a page: ``app.py``'s ``st.navigation`` lists the pages explicitly, and
they import this module (``from app_pages.common import ...``; Streamlit puts
the entry script's folder, the repository root, on ``sys.path``). It holds
only what needs Streamlit (caching, ``st.session_state``,
``st.query_params``, elements); logic without Streamlit belongs in
``planner/``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import planner.solve
from planner.catalog import Catalog, load_catalog
from planner.form import default_form, scenario_from_form
from planner.plan import Plan
from planner.scenario import AnyScenario, Scenario, ScenarioError, scenario_from_toml
from planner.share import PARAM, decode_scenario
from planner.store import Store, StoreError, database_url
from planner.text import literal
from planner.today import DaySends

DEFAULT_TIME_LIMIT = 10.0  # seconds per solve; keeps the pages responsive on long horizons
PERSIST: Literal["session"] = "session"  # widget values survive a visit to another page
CHART_CONFIG = {"displaylogo": False}
STARTING = "the Plan page's starting scenario"
TEAM_OPEN = "team_open"  # (name, TOML) of a saved team version the History page opens on the Team page


# --- cached work ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def cached_catalog() -> Catalog:
    """The tier catalog, read once."""
    return load_catalog()


@st.cache_data(show_spinner=False, max_entries=128)
def cached_plan(scenario_toml: str, time_limit: float) -> Plan:
    """Plan a scenario given as TOML text; a rerun, or another page, with the same text and limit does not solve again."""
    catalog = cached_catalog()
    # planner.solve.make_plan is looked up at each call, not bound at import: a test can count or fail the solves
    return planner.solve.make_plan(
        scenario_from_toml(scenario_toml, catalog), catalog=catalog, time_limit=time_limit, gap=planner.solve.DEFAULT_GAP
    )


def plan_time_limit() -> float:
    """The solver time limit set on the Plan page, else :data:`DEFAULT_TIME_LIMIT`."""
    return float(st.session_state.get("plan_time_limit", DEFAULT_TIME_LIMIT))


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    """One store per database URL for the app process (a Store is safe to share between sessions)."""
    return Store.open(url)


def open_store() -> Store:
    """The history database: ``INMAIL_PLANNER_DB``, else a SQLite file in the user's data directory.

    Raises :class:`planner.store.StoreError` when it cannot be opened.
    """
    return _store(database_url(None).render_as_string(hide_password=False))


def save_to_history(store: Store, name: str, scenario: AnyScenario, plan: Plan, *, where: DeltaGenerator | None = None) -> None:
    """Save a scenario under ``name`` (its next version, or the same one when unchanged) with its plan, and say what was saved.

    The History page's selection moves to what was saved (``history_version``, ``history_plan``).
    """
    box = where if where is not None else st
    shown_name = literal(repr(name))
    try:
        known = {v.id for v in store.scenario_versions(name)}
        record = store.save_scenario(name, scenario)  # the latest version again when nothing changed
        st.session_state["history_version"] = record.id  # show what was just saved
        unchanged = record.id in known
        plans_of_record = [p for p in store.list_plans() if p.scenario_id == record.id] if unchanged else []
        if unchanged and plans_of_record:
            st.session_state["history_plan"] = plans_of_record[-1].id
            box.info(
                f"Unchanged: {shown_name} is still version {record.version}, with its plan (plan {plans_of_record[-1].id}); "
                "nothing new was saved.",
                icon=":material/check_circle:",
            )
        elif plan.is_ok:
            saved = store.save_plan(record.id, plan)
            st.session_state["history_plan"] = saved.id
            if unchanged:
                said = f"Unchanged: {shown_name} is still version {record.version}; saved its plan (plan {saved.id})."
            else:
                said = f"Saved {shown_name} version {record.version} with its plan (plan {saved.id})."
            box.success(said, icon=":material/check_circle:")
        else:
            what = f"Unchanged: {shown_name} is still version" if unchanged else f"Saved {shown_name} version"
            box.warning(f"{what} {record.version}; it has no plan to save ({literal(plan.message)}).")
    except StoreError as err:
        box.error(f"Not saved: {literal(err)}")


def feasible_note(plan: Plan) -> str:
    """What a plan that is not proven optimal is worth, in words (markdown-safe): its message and its proven gap."""
    proven = (
        f"It is within {plan.gap:.2%} of the best possible."
        if plan.gap is not None
        else "How far it is from the best possible is not proven."
    )
    return f"{literal(plan.message)} {proven}"


# --- the scenario -----------------------------------------------------------------------------


def current_scenario(
    catalog: Catalog, *, report_link_error: bool = True, starting: str = f"{STARTING} (open Plan to change it)"
) -> tuple[Scenario, str]:
    """The scenario the Plan page left in the session, else the link's (``?s=...``), else ``starting``'s; and its source.

    A link that cannot be read is shown as an error, unless
    ``report_link_error`` is False; the starting scenario is used then.
    """
    toml = st.session_state.get("scenario_toml")
    if toml is not None:
        return scenario_from_toml(toml, catalog), "your scenario from the Plan page"
    link = st.query_params.get(PARAM)
    if link is not None:
        try:
            return decode_scenario(link, catalog), "the scenario from the link"
        except ScenarioError as err:
            if report_link_error:
                st.error("The link's scenario could not be read:\n" + "\n".join(f"- {literal(p)}" for p in err.problems))
    return scenario_from_form(default_form(date.today()), catalog), starting


# --- elements ---------------------------------------------------------------------------------


def show_notice(key: str) -> None:
    """Show, once, the ``(kind, message)`` a callback left under ``key``: a success, or else an error.

    The message is text (it names the user's files, buckets and values), shown as typed.
    """
    notice = st.session_state.pop(key, None)
    if notice is not None:
        kind, message = notice
        (st.success if kind == "success" else st.error)(literal(message))


def download_button(
    label: str,
    data: str,
    *,
    file_name: str,
    key: str,
    mime: str = "text/csv",
    where: DeltaGenerator | None = None,
    **options: Any,
) -> None:
    """A download button (in ``where``, else the main area) with the download icon; a click does not rerun the page."""
    target = st if where is None else where
    target.download_button(
        label, data, file_name=file_name, mime=mime, key=key, icon=":material/download:", on_click="ignore", **options
    )


def fraction_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """``column_config`` for a plan's or ledger's table: columns of fractions (expected responses, credit-backs) to 2 decimals."""
    fractional = [c for c in frame.columns if frame[c].dtype.kind == "f" and bool((frame[c].dropna() % 1 != 0).any())]
    return {c: st.column_config.NumberColumn(format="%.2f") for c in fractional}


def file_stem(title: str | None, fallback: str) -> str:
    """A download's file name from a title: letters and digits kept, the rest ``_`` (``fallback`` for none)."""
    return "".join(c if c.isalnum() else "_" for c in (title or fallback).lower()).strip("_") or fallback


def uploaded_text(upload: Any) -> str:
    """An uploaded file's text; a file that is not UTF-8 is refused with a :class:`ScenarioError` naming it."""
    try:
        return str(upload.getvalue().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScenarioError([f"uploaded file {upload.name!r}: not UTF-8 text; is it a scenario TOML file?"]) from None


def day_input(where: DeltaGenerator, key: str, first: date, last: date) -> date:
    """A date input of a day of the plan (today when the plan covers it, else its first day), kept in range."""
    picked = st.session_state.get(key)
    if not isinstance(picked, date) or not first <= picked <= last:
        st.session_state[key] = date.today() if first <= date.today() <= last else first
    return where.date_input("Day", min_value=first, max_value=last, key=key, format="YYYY-MM-DD")


def show_day_sends(where: DeltaGenerator, todays: DaySends) -> None:
    """A day's sends in words (:meth:`DaySends.sentence`): a success when there are any, else a note of the next."""
    if todays.items:
        where.success(literal(todays.sentence()), icon=":material/send:")
    else:
        where.info(literal(todays.sentence()), icon=":material/event_busy:")

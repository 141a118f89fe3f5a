"""Page-layer cache of why a plan is what it is (:mod:`planner.why`) and of the response curve (:mod:`planner.curve`).

Not a page. Each function is cached by the scenario's TOML text and the
solver time limit, and only computes (STYLE.md 12): it returns data and
draws nothing. The reasons and the credit values re-solve once per cycle;
the sweep solves once per point; so a display control that reruns the page
solves nothing again.
"""

from __future__ import annotations

import streamlit as st

import planner.curve
import planner.why
from app_pages.common import cached_catalog, cached_plan
from planner.curve import Sweep
from planner.scenario import scenario_from_toml
from planner.why import Why


@st.cache_data(show_spinner=False, max_entries=64)
def cached_reasons(scenario_toml: str, time_limit: float) -> Why:
    """Why each bucket of the scenario's plan sends what it does (no re-solve: quick)."""
    return planner.why.explain(cached_plan(scenario_toml, time_limit))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_why(scenario_toml: str, time_limit: float) -> Why:
    """The reasons and the value of one more credit per cycle (a re-solve per cycle), for the scenario's plan."""
    return planner.why.why(cached_plan(scenario_toml, time_limit), time_limit=time_limit)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_sweep(scenario_toml: str) -> Sweep:
    """The current tier's sweep over 0..4x its monthly credits (each point warm from the last, one second at most)."""
    catalog = cached_catalog()
    return planner.curve.sweep_scenario(scenario_from_toml(scenario_toml, catalog), catalog)

"""Page-layer cache of the outcome simulation (:mod:`planner.risk`) for the Plan and Compare pages.

Not a page. Each function here is cached by the scenario's TOML text, the
solver time limit, the paths and the seed, and only computes (STYLE.md 12): it
returns data (a :class:`~planner.risk.RiskReport`, a
:class:`~planner.risk.SafeReliance`, a :class:`~planner.risk.RiskComparison`)
and draws nothing, so a cache hit replays nothing into a layout that is gone,
and a display control that reruns the page does not simulate again. The plans
come from :func:`app_pages.common.cached_plan`, so a plan the page solved
already is not solved again.

The paths and the seed default to the command line's (``inmail-planner risk``),
so the page shows the numbers its ``--summary`` writes for the same scenario.
"""

from __future__ import annotations

import streamlit as st

import planner.risk
from app_pages.common import cached_catalog, cached_plan
from planner.plan import Plan
from planner.risk import DEFAULT_PATHS, DEFAULT_SEED, RiskComparison, RiskReport, SafeReliance
from planner.scenario import Scenario, scenario_from_toml, scenario_to_toml

__all__ = ["DEFAULT_PATHS", "DEFAULT_SEED", "cached_risk", "cached_risk_comparison", "cached_safe_reliance"]


@st.cache_data(show_spinner=False, max_entries=64)
def cached_risk(scenario_toml: str, time_limit: float, paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED) -> RiskReport:
    """The risk report of the scenario's plan (the plan must have a schedule)."""
    plan = cached_plan(scenario_toml, time_limit)
    # looked up at each call, not bound at import: a test can count the simulations
    return planner.risk.simulate(plan, paths=paths, seed=seed).report()


@st.cache_data(show_spinner=False, max_entries=64)
def cached_safe_reliance(
    scenario_toml: str, time_limit: float, risk: float, paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED
) -> SafeReliance:
    """The safe reliance for ``risk`` (:func:`planner.risk.safe_reliance`), each reliance's plan from :func:`cached_plan`.

    Raises :class:`planner.risk.NoSchedule` when even counting on no credit-back gives no plan.
    """
    catalog = cached_catalog()

    def plan_for(scenario: Scenario) -> Plan:
        return cached_plan(scenario_to_toml(scenario), time_limit)

    return planner.risk.safe_reliance(
        scenario_from_toml(scenario_toml, catalog), risk, plan_for=plan_for, paths=paths, seed=seed, catalog=catalog
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cached_risk_comparison(
    tier_tomls: tuple[tuple[str, str], ...], current: str, time_limit: float, paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED
) -> RiskComparison:
    """Each ``(tier name, scenario TOML on that tier)`` planned and simulated on common random numbers against ``current``.

    Tiers whose plan has no schedule are left out
    (:func:`planner.risk.compare_with_risk`); raises ``ValueError`` when the
    current tier's is one of them.
    """
    plans = [(name, cached_plan(toml, time_limit)) for name, toml in tier_tomls]
    return planner.risk.compare_with_risk(plans, current, paths=paths, seed=seed)

"""InMail credit planner: turn a scenario into an optimal plan of InMail sends.

The package is importable without Streamlit. Data flows one way::

    scenario file or widgets -> Scenario -> Problem -> model -> solver -> Plan

>>> from planner import load_scenario, make_plan
"""

from __future__ import annotations

from planner.catalog import Catalog, Tier, load_catalog
from planner.compare import compare_tiers
from planner.plan import Plan, PlanStatus, Totals
from planner.scenario import Bucket, Scenario, ScenarioError, load_scenario, scenario_from_toml, scenario_to_toml
from planner.solve import make_plan

__all__ = [
    "Bucket",
    "Catalog",
    "Plan",
    "PlanStatus",
    "Scenario",
    "ScenarioError",
    "Tier",
    "Totals",
    "compare_tiers",
    "load_catalog",
    "load_scenario",
    "make_plan",
    "scenario_from_toml",
    "scenario_to_toml",
]

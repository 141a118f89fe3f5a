"""InMail credit planner: turn a scenario into an optimal plan of InMail sends.

The package is importable without Streamlit. Data flows one way::

    scenario file or widgets -> Scenario -> Problem -> model -> solver -> Plan

The names below are loaded when first used (PEP 562), so that importing one
light module, such as :mod:`planner.usage` for the command line, does not load
pandas and the solver.

>>> from planner import load_scenario, make_plan
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.catalog import Catalog, Tier, load_catalog
    from planner.compare import compare_tiers
    from planner.plan import Plan, PlanStatus, Totals
    from planner.scenario import Bucket, Scenario, ScenarioError, load_scenario, scenario_from_toml, scenario_to_toml
    from planner.solve import make_plan

_HOMES = {
    "Bucket": "planner.scenario",
    "Catalog": "planner.catalog",
    "Plan": "planner.plan",
    "PlanStatus": "planner.plan",
    "Scenario": "planner.scenario",
    "ScenarioError": "planner.scenario",
    "Tier": "planner.catalog",
    "Totals": "planner.plan",
    "compare_tiers": "planner.compare",
    "load_catalog": "planner.catalog",
    "load_scenario": "planner.scenario",
    "make_plan": "planner.solve",
    "scenario_from_toml": "planner.scenario",
    "scenario_to_toml": "planner.scenario",
}

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


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])

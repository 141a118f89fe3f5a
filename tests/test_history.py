"""planner.history: the history database's scenario versions and plans as tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from actual_log import SCENARIO

from planner.history import plans_table, scenario_versions_table
from planner.solve import make_plan
from planner.store import Store


@pytest.fixture(scope="module")
def original() -> Any:
    plan = make_plan(SCENARIO, time_limit=30)
    assert plan.is_ok
    return plan


def test_versions_and_plans_tables(original: Any) -> None:
    store = Store.open("sqlite://")
    try:
        first = store.save_scenario("Q3", SCENARIO)
        second = store.save_scenario("Q3", SCENARIO.model_copy(update={"title": "Q3 again"}))
        saved = store.save_plan(second.id, original)
        versions = scenario_versions_table(store.scenario_versions("Q3"), {second.id: 1})
        plans = plans_table(store.list_plans())
    finally:
        store.close()
    assert list(versions["version"]) == [1, 2]
    assert list(versions["id"]) == [first.id, second.id]
    assert list(versions["title"]) == ["", "Q3 again"]
    assert list(versions["plans"]) == [0, 1]
    assert versions["tier"].iloc[0] == "T" and versions["cycles"].iloc[0] == 2 and versions["buckets"].iloc[0] == 2
    assert plans["id"].tolist() == [saved.id]
    row = plans.iloc[0]
    assert (row["name"], row["version"], row["status"]) == ("Q3", 2, "optimal")
    assert row["expected_responses"] == pytest.approx(original.totals.expected_responses)
    assert pd.isna(row["cost_per_response"])  # an inline tier has no price

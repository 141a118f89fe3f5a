"""Tier comparison: one row per tier, extra responses and cost against the current tier."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.compare import compare_tiers, verdict
from planner.paths import EXAMPLES_DIR
from planner.scenario import ScenarioError, load_scenario


def test_comparison_rows_and_differences() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "sales_rep.toml").with_tier("Premium Business")
    table = compare_tiers(scenario, ["Premium Business", "Sales Navigator Core"]).set_index("tier")
    current, core = table.loc["Premium Business"], table.loc["Sales Navigator Core"]
    assert bool(current["current"]) and not bool(core["current"])
    assert current["credits_spent"] == 15 and core["credits_spent"] == 50
    assert core["extra_responses_per_month"] == pytest.approx(core["expected_responses"] - current["expected_responses"])
    assert core["extra_cost_per_month"] == pytest.approx(99.99 - 59.99)
    assert core["extra_cost_per_extra_response"] == pytest.approx(40 / core["extra_responses_per_month"])
    assert core["cost_per_response"] == pytest.approx(99.99 / core["expected_responses"])


def test_verdict_names_extra_responses_price_and_unused_credits() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml").with_tier("Premium Career")
    table = compare_tiers(scenario, ["Premium Career", "Premium Business"])
    (line,) = verdict(table)
    assert line.startswith("Premium Business adds ")
    assert "for $20 more" in line
    assert "your pools would leave 5 of its 15 credits a month unused" in line


def test_edited_prices_are_used() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml").with_tier("Premium Career")
    table = compare_tiers(scenario, ["Premium Business"], prices={"Premium Business": 10.0})
    assert table.set_index("tier").loc["Premium Business", "price_monthly"] == 10.0


def test_progress_is_reported_per_tier() -> None:
    seen: list[tuple[int, int, str]] = []
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml").with_tier("Premium Career")
    compare_tiers(scenario, ["Premium Career", "Premium Business"], on_progress=lambda i, n, name: seen.append((i, n, name)))
    assert seen == [(0, 2, "Premium Career"), (1, 2, "Premium Business")]


def test_unknown_tier_is_refused_before_solving() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml")
    with pytest.raises(ScenarioError, match="'Nope': unknown tier"):
        compare_tiers(scenario, ["Nope"])


def test_unpriced_tier_has_no_cost_per_response() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml").with_tier("Premium Career")
    table = compare_tiers(scenario, ["Sales Navigator Advanced Plus"]).set_index("tier")
    assert pd.isna(table.loc["Sales Navigator Advanced Plus", "cost_per_response"])

"""Tier comparison: one row per tier, extra responses and cost against the current tier, and the verdicts in words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from planner.catalog import Tier, load_catalog
from planner.compare import (
    compare_plans,
    compare_tiers,
    comparison_table,
    current_tier,
    money,
    recommendation,
    tier_scenario,
    tiers_to_compare,
    verdict,
)
from planner.paths import EXAMPLES_DIR
from planner.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from planner.solve import make_plan


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
    with pytest.raises(ScenarioError, match='"Nope": unknown tier'):
        compare_tiers(scenario, ["Nope"])


def test_unpriced_tier_has_no_cost_per_response() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml").with_tier("Premium Career")
    table = compare_tiers(scenario, ["Sales Navigator Advanced Plus"]).set_index("tier")
    assert pd.isna(table.loc["Sales Navigator Advanced Plus", "cost_per_response"])


# --- what the verdicts say ------------------------------------------------------------------------


def _capped(cap: int | None = 5, pool: int | None = None) -> Scenario:
    """One unbounded (or pooled) bucket on Premium Business, weekdays of June 2026 (22 send days)."""
    bucket: dict[str, object] = {"name": "Prospects", "goal": "sales", "priority": "high", "response_rate": 0.2}
    if pool is not None:
        bucket["pool"] = pool
    return parse_scenario({"start": date(2026, 6, 1), "tier": "Premium Business", "daily_cap": cap, "buckets": [bucket]})


def test_a_daily_cap_that_leaves_credits_unused_is_named_not_the_pools() -> None:
    table = compare_tiers(_capped(cap=5), ["Premium Business", "Recruiter (Corporate)"])
    (line,) = verdict(table)
    # 22 weekdays x 5 = 110 sends of the 150 credits: the cap, not a pool (there is none), leaves 40 unused
    assert "the daily cap of 5 InMails a day would leave 40 of its 150 credits a month unused" in line
    assert "pools" not in line
    assert table.set_index("tier").loc["Recruiter (Corporate)", "unused_because"] == "the daily cap of 5 InMails a day"


def test_pools_that_leave_credits_unused_are_named_not_the_cap() -> None:
    table = compare_tiers(_capped(cap=5, pool=30), ["Premium Business", "Recruiter (Corporate)"]).set_index("tier")
    assert table.loc["Recruiter (Corporate)", "unused_because"] == "your pools"
    assert pd.isna(table.loc["Premium Business", "unused_because"])  # 15 credits, all spent


@pytest.mark.parametrize(
    ("pace", "said"),
    [
        ({"speed_guard": {"base": 2, "growth": 0}}, "the speed guard (base 2, growth 0)"),
        ({"replies_per_day": 0.5}, "the reply capacity of 0.5 expected replies a day"),
        ({"speed_guard": {"base": 3, "growth": 0}, "replies_per_day": 0.5}, "the reply capacity of 0.5 expected replies a day"),
    ],
)
def test_a_pace_that_leaves_credits_unused_is_named(pace: dict[str, Any], said: str) -> None:
    bucket = {"name": "Cold", "goal": "sales", "response_rate": 0.25}
    data = {"start": date(2026, 6, 1), "tier": "Premium Business", "buckets": [bucket], **pace}
    table = compare_tiers(parse_scenario(data), ["Premium Business", "Recruiter (Corporate)"]).set_index("tier")
    # 22 weekdays x 2 sends (the guard's 2 a day, or 0.5 replies / 0.25) = 44 of the 150 credits
    assert table.loc["Recruiter (Corporate)", "unused_because"] == said
    plan = make_plan(parse_scenario({**data, "tier": "Recruiter (Corporate)"}))
    assert plan.totals is not None and plan.totals.credits_spent == 44


def test_a_verdict_never_says_plus_zero() -> None:
    # the same 50 credits on a tier without a list price: the same responses, said in words
    scenario = load_scenario(EXAMPLES_DIR / "sales_rep.toml").with_tier("Sales Navigator Core")
    table = compare_tiers(scenario, ["Sales Navigator Core", "Sales Navigator Advanced Plus"])
    (line,) = verdict(table)
    assert "+0.0" not in line and "0.0 " not in line
    assert line == (
        "Sales Navigator Advanced Plus gives the same expected responses; it has no list price to compare (ask for a quote)."
    )


def test_the_comparison_names_the_best_upgrade_and_the_most_per_dollar() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "sales_rep.toml").with_tier("Premium Business")
    table = compare_tiers(scenario, ["Premium Business", "Sales Navigator Core", "Sales Navigator Advanced", "Recruiter Lite"])
    best, value = recommendation(table)
    assert best == (
        "Best upgrade: Sales Navigator Core, 4.5 more expected responses a month for $40 more a month "
        "($8.89 per extra response), the cheapest extra responses of the tiers compared."
    )
    core = table.set_index("tier").loc["Sales Navigator Core"]
    per_response = money(core["cost_per_response"])
    assert value == f"Most responses per dollar of the paid tiers: Sales Navigator Core, {per_response} per expected response."


def test_when_no_tier_adds_responses_the_advice_is_to_stay_and_why() -> None:
    # a pool of 10 a month: Premium Business's 15 credits already leave 5 unused, so more credits add nothing
    table = compare_tiers(_capped(cap=None, pool=10), ["Premium Business", "Sales Navigator Core"])
    best, value = recommendation(table)
    assert best == (
        "Stay on Premium Business: no tier compared gives more expected responses; the plan is held back by your pools, "
        "not by credits (5 of its 15 credits a month go unused)."
    )
    assert value.startswith("Most responses per dollar of the paid tiers: Premium Business (your current tier), ")


def test_a_cheaper_tier_with_as_many_responses_is_named_as_a_switch() -> None:
    table = compare_tiers(_capped(cap=None, pool=5).with_tier("Premium Business"), ["Premium Business", "Premium Career"])
    best, _ = recommendation(table)
    assert best == "Switch to Premium Career: it gives as many expected responses as Premium Business for $20 less a month."


def test_comparison_table_adds_per_month_figures_and_responses_per_dollar() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "team_upgrade.toml")
    tiers = ["Premium Business", "Sales Navigator Core", "Sales Navigator Advanced Plus", "Recruiter Lite"]
    table = comparison_table(compare_tiers(scenario, tiers, time_limit=10), cycles=2).set_index("tier")
    core = table.loc["Sales Navigator Core"]
    assert core["extra_responses_per_dollar"] == pytest.approx(core["extra_responses_per_month"] / core["extra_cost_per_month"])
    assert pd.isna(table.loc["Premium Business", "extra_responses_per_dollar"])  # the current tier costs nothing extra
    assert pd.isna(table.loc["Sales Navigator Advanced Plus", "extra_responses_per_dollar"])  # no list price
    assert table.loc["Recruiter Lite", "unused_per_month"] == pytest.approx(table.loc["Recruiter Lite", "unused_credits"] / 2)


def test_plans_made_elsewhere_tabulate_as_compare_tiers_does() -> None:
    # the Compare page solves each tier through its own cache and tabulates with compare_plans
    catalog = load_catalog()
    scenario = load_scenario(EXAMPLES_DIR / "job_seeker.toml").with_tier("Premium Career")
    chosen = tiers_to_compare(scenario, ["Premium Business"], catalog=catalog, prices={"Premium Business": 50.0})
    assert [t.name for t in chosen] == ["Premium Career", "Premium Business"]  # the current tier joins, first
    scenarios = [tier_scenario(scenario, t, catalog) for t in chosen]
    assert scenarios[0].tier == "Premium Career"  # a catalog tier by its name
    assert isinstance(scenarios[1].tier, Tier) and scenarios[1].tier.price_monthly == 50.0  # an edited price, inline
    plans = [(t, make_plan(s, catalog=catalog)) for t, s in zip(chosen, scenarios, strict=True)]
    table = compare_plans(plans, current_tier(scenario, catalog).name, scenario.cycles)
    expected = compare_tiers(scenario, ["Premium Business"], catalog=catalog, prices={"Premium Business": 50.0})
    pd.testing.assert_frame_equal(table.drop(columns="gap"), expected.drop(columns="gap"))

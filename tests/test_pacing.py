"""The default pace (planner/pacing.py): sized from the tier's credits and the send days, used by new scenarios."""

from __future__ import annotations

from datetime import date

import pytest

from planner.catalog import Catalog, load_catalog
from planner.form import default_form, scenario_from_form
from planner.pacing import default_pace, send_days_per_cycle
from planner.paths import EXAMPLES_DIR
from planner.scenario import load_scenario
from planner.solve import make_plan

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("tier", "send_days", "even"),
    [
        ("Sales Navigator Core", WEEKDAYS, 3),  # ceil(50 / 21)
        ("Recruiter (Corporate)", WEEKDAYS, 8),  # ceil(150 / 21)
        ("Recruiter (Corporate)", ["Tue", "Thu"], 19),  # ceil(150 / 8): fewer send days, more a day
        ("Premium Career", WEEKDAYS, 1),  # ceil(5 / 21)
        ("Free (Basic)", WEEKDAYS, 1),  # no credits: still one a day, for free sends
    ],
)
def test_the_pace_is_the_credits_spread_over_the_send_days(catalog: Catalog, tier: str, send_days: list[str], even: int) -> None:
    pace = default_pace(catalog[tier], send_days)
    assert (pace.daily_cap, pace.speed_guard.base, pace.speed_guard.growth) == (2 * even, even, 1.5)


def test_send_days_of_an_average_cycle() -> None:
    assert [send_days_per_cycle(WEEKDAYS[:n]) for n in range(1, 6)] == [4, 8, 13, 17, 21]
    assert send_days_per_cycle(WEEKDAYS + ["Sat", "Sun"]) == 30


def test_a_new_scenario_and_the_paced_example_use_the_rule(catalog: Catalog) -> None:
    scenario = scenario_from_form(default_form(date(2026, 6, 1), catalog), catalog)
    pace = default_pace(catalog["Sales Navigator Core"], WEEKDAYS)
    assert (scenario.daily_cap, scenario.speed_guard, scenario.version) == (pace.daily_cap, pace.speed_guard, 2)
    example = load_scenario(EXAMPLES_DIR / "sales_paced.toml")
    assert isinstance(example.tier, str)
    example_pace = default_pace(catalog[example.tier], [str(d) for d in example.send_days])
    assert (example.daily_cap, example.speed_guard) == (example_pace.daily_cap, example_pace.speed_guard)


def test_the_default_pace_still_spends_every_credit_of_the_default_scenario(catalog: Catalog) -> None:
    plan = make_plan(scenario_from_form(default_form(date(2026, 6, 1), catalog), catalog), time_limit=30)
    assert plan.is_ok and plan.totals is not None
    assert plan.totals.credits_spent == 50 and int(plan.sends.sum(axis=0).max()) <= 6

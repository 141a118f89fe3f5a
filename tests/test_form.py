"""Tests of planner.form: the Plan page's widget values to a Scenario and back."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from planner.catalog import Catalog, Policy, Tier, load_catalog
from planner.form import (
    BUCKET_COLUMNS,
    FormValues,
    carry_renames,
    clean_rows,
    default_form,
    even_shares,
    form_from_scenario,
    parse_bonus,
    parse_days_off,
    renames,
    rows_for_goals,
    scenario_from_form,
    template_rows,
    with_goals,
)
from planner.paths import EXAMPLES_DIR
from planner.scenario import Goal, ScenarioError, load_scenario, scenario_from_toml, scenario_to_toml

START = date(2026, 6, 1)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def form() -> FormValues:
    return default_form(START)


def _problems(form: FormValues, catalog: Catalog) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        scenario_from_form(form, catalog)
    return err.value.problems


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_round_trips_through_the_form(path: Path, catalog: Catalog) -> None:
    scenario = load_scenario(path)
    assert scenario_from_form(form_from_scenario(scenario, catalog), catalog) == scenario


def test_the_default_form_is_one_cycle_of_sales_navigator_core(form: FormValues, catalog: Catalog) -> None:
    scenario = scenario_from_form(form, catalog)
    assert scenario.tier == "Sales Navigator Core" and scenario.cycles == 1 and scenario.start == START
    assert scenario.goals == {"sales": 1.0}
    assert scenario.buckets is not None
    assert [b.name for b in scenario.buckets] == ["Initial prospecting", "Follow-up", "Account expansion"]
    assert scenario_from_toml(scenario_to_toml(scenario)) == scenario  # what the page downloads reads back


def test_a_template_scenario_shows_the_templates_buckets(catalog: Catalog) -> None:
    scenario = scenario_from_toml('start = 2026-06-01\ntier = "premium business"\n[goals]\nsales = 0.6\nnetworking = 0.4\n')
    form = form_from_scenario(scenario, catalog)
    assert form.tier == "Premium Business"  # the catalog's spelling
    assert form.goals == ["sales", "networking"]
    assert form.shares_pct == {"sales": 60.0, "networking": 40.0}
    assert [r["name"] for r in form.buckets] == [r["name"] for r in template_rows(["sales", "networking"])]
    assert form.buckets[3]["free"] is True and form.buckets[0]["response_rate_pct"] == 15


def test_tiers_per_cycle(form: FormValues, catalog: Catalog) -> None:
    upgrade = replace(form, cycles=2, per_cycle=True, cycle_tiers=("Premium Business", "Sales Navigator Core"))
    assert scenario_from_form(upgrade, catalog).tiers == ["Premium Business", "Sales Navigator Core"]
    same = replace(upgrade, cycle_tiers=("Premium Business", "Premium Business", "Recruiter Lite"))
    scenario = scenario_from_form(same, catalog)
    assert scenario.tier == "Premium Business" and scenario.tiers is None  # one tier: written as one
    longer = replace(upgrade, cycles=3)  # a cycle added after the choices: it keeps the last cycle's tier
    assert scenario_from_form(longer, catalog).tiers == ["Premium Business", "Sales Navigator Core", "Sales Navigator Core"]
    assert form_from_scenario(scenario_from_form(upgrade, catalog), catalog).per_cycle


def test_an_inline_tier_stays_inline(form: FormValues, catalog: Catalog) -> None:
    custom = Tier(name="Negotiated", monthly_credits=120, policy=Policy.ROLLOVER, max_age_days=90, credit_back=True)
    scenario = scenario_from_form(replace(form, tier="Negotiated", custom_tiers={"Negotiated": custom}), catalog)
    assert scenario.tier == custom


def test_goal_shares_in_percent_need_not_be_exact_floats(form: FormValues, catalog: Catalog) -> None:
    three = with_goals(form, ["sales", "networking", "thought_leadership"])
    thirds = replace(three, shares_pct={"sales": 33.3, "networking": 33.3, "thought_leadership": 33.4})
    goals = scenario_from_form(thirds, catalog).goals
    assert goals is not None and math.isclose(sum(goals.values()), 1.0, abs_tol=1e-9)
    assert goals[Goal.THOUGHT_LEADERSHIP] == pytest.approx(0.334)


def test_changing_goals_keeps_edits_and_brings_templates(form: FormValues) -> None:
    edited = replace(form, buckets=[dict(form.buckets[0], pool=7), *form.buckets[1:]])
    both = with_goals(edited, ["networking", "sales"])
    assert both.goals == ["sales", "networking"]  # in the app's goal order
    assert both.shares_pct == {"sales": 50.0, "networking": 50.0}
    assert both.buckets[0]["pool"] == 7
    assert [r["goal"] for r in both.buckets] == ["sales"] * 3 + ["networking"] * 2
    only = with_goals(both, ["networking"])
    assert [r["name"] for r in only.buckets] == ["Open Profile and 1st-degree", "Industry peers"]
    new_row = {c: None for c in BUCKET_COLUMNS}
    assert rows_for_goals([new_row], ["sales"])[0] == new_row  # a row still being typed stays


def test_even_shares() -> None:
    assert even_shares([]) == {}
    assert even_shares(["sales"]) == {"sales": 100.0}
    assert sum(even_shares(["a", "b", "c", "d", "e", "f", "g"]).values()) == 100


def test_rows_from_the_table_editor(form: FormValues, catalog: Catalog) -> None:
    frame = pd.DataFrame(form.buckets, columns=BUCKET_COLUMNS)
    frame["pool"] = pd.array(frame["pool"], dtype="Int64")
    frame["weight"] = frame["weight"].astype("float64")
    rows = clean_rows(frame.to_dict("records"))
    assert rows[1]["pool"] is None and rows[1]["weight"] is None  # pd.NA and NaN become None
    empty = {c: (False if c == "free" else None) for c in BUCKET_COLUMNS}
    scenario = scenario_from_form(replace(form, buckets=[*rows, empty]), catalog)
    assert scenario.buckets is not None and len(scenario.buckets) == 3  # an empty added row is ignored
    weighted = [dict(rows[0], weight=5.0), *rows[1:]]
    bucket = scenario_from_form(replace(form, buckets=weighted), catalog).buckets[0]  # type: ignore[index]
    assert bucket.weight == 5.0 and bucket.priority is None  # a weight overrides the priority


def test_bad_input_names_the_field_and_the_value_as_typed(form: FormValues, catalog: Catalog) -> None:
    rows = form.buckets
    bad = replace(
        form,
        tier="Gold",
        shares_pct={"sales": 90.0},
        buckets=[dict(rows[0], response_rate_pct=150.0), dict(rows[1], pool=2.5), dict(rows[2], name=" ", goal=None)],
        days_off="2026-12-24, 24/12/2026",
        bonus_credits="five",
        refund_reliance_pct=120.0,
    )
    problems = _problems(bad, catalog)
    # the schema's rules and wording (as the CLI says them), with the values as the form shows them
    expected = [
        "buckets row 1 ('Initial prospecting'): response rate = 150 % (in the scenario file: response_rate = 1.5: ",
        "buckets row 2 ('Follow-up'): pool = 2.5: ",
        "buckets row 3: name = ",
        "buckets row 3: goal: ",
        "days_off = '24/12/2026': not a date",
        "Bonus credits: bonus_credits = 'five': not a whole number",
        "Credit-back reliance = 120 % (in the scenario file: refund_reliance = 1.2: ",
    ]
    for text in expected:
        assert any(text in p for p in problems), (text, problems)
    # once the fields parse, the scenario-wide rules speak: the goal mix and the tier
    problems = _problems(replace(form, tier="Gold", shares_pct={"sales": 90.0}), catalog)
    assert any(p.startswith("goal mix = sales 90 % (in the scenario file: goals: shares sum to 0.9, not 1") for p in problems)
    (tier,) = _problems(replace(form, tier="Gold"), catalog)
    assert tier.startswith("tier = ") and "Gold" in tier and "unknown tier" in tier


def test_a_rate_of_500_or_a_negative_lag_is_refused_not_clamped(form: FormValues, catalog: Catalog) -> None:
    rows = form.buckets
    problems = _problems(replace(form, buckets=[dict(rows[0], response_rate_pct=500), *rows[1:]]), catalog)
    assert len(problems) == 1
    assert problems[0].startswith(
        "buckets row 1 ('Initial prospecting'): response rate = 500 % (in the scenario file: response_rate = 5.0: "
    )
    problems = _problems(replace(form, buckets=[dict(rows[0], response_rate_pct=-1), *rows[1:]]), catalog)
    assert "response rate = -1 %" in problems[0]
    (lag,) = _problems(replace(form, refund_lag_days=-1), catalog)
    assert lag.startswith("Credit-back lag (days): refund_lag_days = -1: ")


def test_a_day_that_does_not_exist_is_called_so_not_a_bad_format() -> None:
    with pytest.raises(ScenarioError, match=r"days_off = '2027-02-30': no such day \(day is out of range for month\)"):
        parse_days_off("2027-02-30")
    with pytest.raises(ScenarioError, match="not a date; write YYYY-MM-DD"):
        parse_days_off("30/02/2027")


def test_a_rename_carries_to_the_buckets_that_follow_it(form: FormValues) -> None:
    rows = form.buckets
    assert rows[1]["follows"] == "Initial prospecting"
    renamed = renames(rows, {0: {"name": "First touch"}, 2: {"pool": 3}})
    assert renamed == {"Initial prospecting": "First touch"}
    edited = [dict(rows[0], name="First touch"), *rows[1:]]
    after = carry_renames(edited, renamed)
    assert [r["follows"] for r in after] == [None, "First touch", None]
    assert renames(rows, {"1": {"name": "Follow-up"}}) == {}  # the same name: no rename


def test_model_errors_name_the_bucket_row(form: FormValues, catalog: Catalog) -> None:
    rows = form.buckets
    problems = _problems(replace(form, buckets=[dict(rows[0], min=30), *rows[1:]]), catalog)
    assert problems == ["buckets row 1 ('Initial prospecting'): min (30) is above pool (25)"]
    problems = _problems(replace(form, buckets=[rows[0], dict(rows[1], follows="Nobody"), rows[2]]), catalog)
    assert problems == ["buckets row 2 ('Follow-up'): follows = \"Nobody\": no bucket has that name"]
    problems = _problems(replace(form, buckets=[rows[0], rows[0]]), catalog)
    assert problems == ["buckets row 2 ('Initial prospecting'): name = \"Initial prospecting\": bucket names must be unique"]


def test_goals_and_buckets_cannot_be_empty(form: FormValues, catalog: Catalog) -> None:
    assert "goals: none chosen" in _problems(replace(form, goals=[], shares_pct={}), catalog)[0]
    assert "buckets: the table is empty" in _problems(replace(form, buckets=[]), catalog)[0]


def test_days_off_and_bonus_parsing() -> None:
    assert parse_days_off("") == []
    assert parse_days_off("2026-12-25\n2026-12-24; 2026-12-25") == [date(2026, 12, 24), date(2026, 12, 25)]
    assert parse_bonus("  ", 3) == 0
    assert parse_bonus("0, 10, 0", 3) == [0, 10, 0]
    with pytest.raises(ScenarioError, match="2 numbers for 3 cycles"):
        parse_bonus("1, 2", 3)
    with pytest.raises(ScenarioError, match="bonus_credits = 'x'"):
        parse_bonus("x", 1)


def test_numbers_out_of_range_come_back_from_the_model_with_their_field(form: FormValues, catalog: Catalog) -> None:
    problems = _problems(replace(form, cycles=13), catalog)
    assert any(p.startswith("Cycles (months): cycles = 13") for p in problems)
    problems = _problems(replace(form, bonus_credits="1, 2"), catalog)
    assert any("bonus_credits" in p for p in problems)

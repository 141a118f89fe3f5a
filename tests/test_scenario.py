"""Scenario validation, TOML round trip, and resolution against the catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import bucket, make, tier

from planner.catalog import load_catalog
from planner.paths import EXAMPLES_DIR
from planner.problem import resolve
from planner.scenario import ScenarioError, load_scenario, scenario_from_toml, scenario_to_toml

BASE = 'start = 2026-06-01\ntier = "Premium Business"\n'


def refused(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + "colour = 'red'\n[goals]\nsales = 1.0", 'colour: unknown field (value "red")'),
        (BASE + "cycles = 'two'\n[goals]\nsales = 1.0", 'cycles = "two": must be a whole number, not text'),
        (BASE + "cycles = 13\n[goals]\nsales = 1.0", "cycles = 13: must be between 1 and 12"),
        (BASE + "cycles = 0\n[goals]\nsales = 1.0", "cycles = 0"),
        (BASE + "[goals]\nsales = 0.7\nnetworking = 0.2", "shares sum to 0.9, not 1"),
        (BASE + "reserve = -5\n[goals]\nsales = 1.0", "reserve = -5"),
        (BASE + "daily_cap = -1\n[goals]\nsales = 1.0", "daily_cap = -1"),
        (BASE + "bonus_credits = -2\n[goals]\nsales = 1.0", "bonus_credits = -2"),
        ('start = "tomorrow"\ntier = "Premium Business"\n[goals]\nsales = 1.0', 'start = "tomorrow": must be a date'),
        ('start = 2026-06-01\ntier = "Premium Platinum"\n[goals]\nsales = 1.0', 'tier = "Premium Platinum": unknown tier'),
        (BASE + "[goals]\nsailing = 1.0", "goals.sailing"),
        (BASE + "send_days = ['Mon', 'Funday']\n[goals]\nsales = 1.0", 'send_days[1] = "Funday"'),
        (BASE + "refund_reliance = 1.5\n[goals]\nsales = 1.0", "refund_reliance = 1.5"),
        (BASE + "time_discount = 0.1\n[goals]\nsales = 1.0", "time_discount = 0.1: times the horizon (30 days)"),
        (BASE + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 2\n", "buckets[0].response_rate = 2"),
        (BASE + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.1\npool = -3\n", "buckets[0].pool = -3"),
        (
            BASE + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.1\npriority = 'urgent'\n",
            'buckets[0].priority = "urgent"',
        ),
        (
            BASE + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.1\nfollows = 'B'\n",
            'buckets[0].follows = "B": no bucket has that name',
        ),
        (
            BASE
            + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.1\nfollows = 'B'\n"
            + "[[buckets]]\nname = 'B'\ngoal = 'sales'\nresponse_rate = 0.1\nfollows = 'A'\n",
            "buckets.follows forms a loop: A -> B -> A",
        ),
        (BASE + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.1\nmin = 5\npool = 3\n", "min (5) is above pool (3)"),
        (
            BASE
            + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.1\n"
            + "[[buckets]]\nname = 'A'\ngoal = 'sales'\nresponse_rate = 0.2\n",
            'buckets[1].name = "A": bucket names must be unique',
        ),
        (
            'start = 2026-06-01\ncycles = 2\ntiers = ["Premium Business"]\n[goals]\nsales = 1.0',
            "tiers lists 1 tiers but cycles = 2",
        ),
        ("start = 2026-06-01\n[goals]\nsales = 1.0", "give either tier"),
        (BASE, "goals: give a goal mix"),
        (BASE + "[goals\nsales = 1.0", "not valid TOML"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_value(text: str, expected: str) -> None:
    assert expected in refused(text)


def test_buckets_of_several_goals_need_a_goal_mix() -> None:
    text = (
        BASE
        + "[[buckets]]\nname='A'\ngoal='sales'\nresponse_rate=0.1\n[[buckets]]\nname='B'\ngoal='networking'\nresponse_rate=0.1\n"
    )
    assert "the buckets have several goals (networking, sales)" in refused(text)


def test_a_single_goal_needs_no_mix() -> None:
    problem = resolve(make())
    assert problem.seats[0].shares == {"sales": 1.0}


def test_goals_without_buckets_bring_their_templates() -> None:
    scenario = scenario_from_toml(BASE + "[goals]\nsales = 0.6\nrecruiting = 0.4")
    names = [b.name for b in resolve(scenario).buckets]
    assert names[:3] == ["Initial prospecting", "Follow-up", "Account expansion"]
    assert "Passive candidates" in names


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_examples_round_trip_losslessly(path: Path) -> None:
    scenario = load_scenario(path)
    text = scenario_to_toml(scenario)
    assert scenario_from_toml(text) == scenario
    assert scenario_to_toml(scenario_from_toml(text)) == text


def test_round_trip_keeps_every_field() -> None:
    scenario = make(
        cycles=2,
        tier=None,
        tiers=["Premium Business", tier(20, credit_back=True)],
        bonus_credits=[3, 0],
        send_days=["Mon", "Wed"],
        days_off=[date(2026, 2, 4)],
        weekday_factor={"Mon": 0.9},
        daily_cap=4,
        reserve=2,
        reserve_release_days=5,
        refund_reliance=0.5,
        refund_lag_days=10,
        time_discount=0.002,
        goals={"sales": 0.5, "networking": 0.5},
        buckets=[
            bucket("A", priority=None, weight=2.5, pool=4, min=1),
            bucket("B", goal="networking", free=True, follows="A", follows_who="responders", gap_days=2),
        ],
    )
    assert scenario_from_toml(scenario_to_toml(scenario)) == scenario


def test_tier_names_ignore_case_and_inline_tiers_resolve() -> None:
    scenario = scenario_from_toml('start = 2026-06-01\ntier = "premium business"\n[goals]\nsales = 1.0')
    assert resolve(scenario).tiers[0].monthly_credits == 15
    inline = (
        'start = 2026-06-01\ntier = { name = "Deal", monthly_credits = 120, policy = "rollover", max_age_days = 90, '
        "balance_cap = 480, credit_back = true, price_monthly = 0 }\n[goals]\nsales = 1.0"
    )
    assert resolve(scenario_from_toml(inline)).tiers[0].balance_cap == 480


def test_rollover_tier_needs_its_max_age() -> None:
    text = 'start = 2026-06-01\ntier = { name = "X", monthly_credits = 5, policy = "rollover" }\n[goals]\nsales = 1.0'
    assert "needs max_age_days" in refused(text)


def test_cycles_clamp_to_month_end_from_start() -> None:
    problem = resolve(make(start=date(2026, 1, 31), cycles=3))
    starts = [problem.calendar.date_of(t) for t in problem.calendar.cycle_starts]
    assert starts == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert problem.calendar.date_of(problem.n_days - 1) == date(2026, 4, 29)


def test_missing_file_and_binary_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="scenario file"):
        load_scenario(tmp_path / "nope.toml")
    junk = tmp_path / "junk.toml"
    junk.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(junk)


def test_catalog_carries_every_plan_with_sources() -> None:
    catalog = load_catalog()
    for name in (
        "Free (Basic)",
        "Premium Career",
        "Premium Business",
        "Sales Navigator Core",
        "Sales Navigator Advanced",
        "Sales Navigator Advanced Plus",
        "Recruiter Lite",
        "Recruiter (Corporate)",
        "Recruiter Professional Services",
    ):
        assert name in catalog
        assert catalog[name].source and catalog[name].as_of
    assert catalog["Premium Business"].balance_cap == 45
    assert catalog["Sales Navigator Core"].monthly_credits == 50


def test_a_scenario_at_every_limit_round_trips_losslessly() -> None:
    from planner import fields

    name = "ש" * (fields.MAX_NAME_CHARS - 2) + "🚀!"
    scenario = make(
        title="T" * fields.MAX_TITLE_CHARS,
        start=fields.LAST_START,
        cycles=12,
        tier={
            "name": "N" * fields.MAX_NAME_CHARS,
            "monthly_credits": fields.MAX_CREDITS,
            "policy": "rollover",
            "max_age_days": fields.MAX_AGE_DAYS,
            "balance_cap": fields.MAX_BALANCE,
            "credit_back": True,
            "price_monthly": float(fields.MAX_PRICE),
            "notes": "line one\nline two",
        },
        bonus_credits=[fields.MAX_CREDITS] * 12,
        weekday_factor={"Mon": float(fields.MAX_FACTOR), "Tue": 0.0},
        daily_cap=fields.MAX_DAILY_CAP,
        reserve=fields.MAX_CREDITS,
        reserve_release_days=fields.MAX_RELEASE_DAYS,
        refund_reliance=1.0,
        refund_lag_days=fields.MAX_DAYS,
        time_discount=0.0,
        buckets=[
            bucket(name, priority=None, weight=float(fields.MAX_WEIGHT), pool=fields.MAX_BALANCE, min=fields.MAX_CREDITS),
            bucket("F", follows=name, gap_days=fields.MAX_DAYS, response_rate=1.0),
        ],
    )
    text = scenario_to_toml(scenario)
    assert scenario_from_toml(text) == scenario
    assert scenario.buckets is not None and scenario.buckets[0].name == name


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("cycles", 13, "cycles = 13: must be between 1 and 12"),
        ("bonus_credits", 100_001, "bonus_credits = 100001: must be between 0 and 100000"),
        ("daily_cap", 10_001, "daily_cap = 10001: must be between 0 and 10000"),
        ("reserve", 100_001, "reserve = 100001: must be between 0 and 100000"),
        ("reserve_release_days", 32, "reserve_release_days = 32: must be between 0 and 31"),
        ("refund_lag_days", 0, "refund_lag_days = 0: must be between 1 and 366"),
        ("refund_reliance", 1.01, "refund_reliance = 1.01: must be between 0 and 1"),
        ("time_discount", -0.001, "time_discount = -0.001: must be between 0 and 1"),
        ("weekday_factor", {"Mon": 100.5}, "weekday_factor.Mon = 100.5: must be between 0 and 100"),
        ("title", "T" * 201, "201 characters long; at most 200"),
        ("start", date(1999, 12, 31), "start = 1999-12-31: must be between 2000-01-01 and 2099-12-31"),
        ("days_off", [date(2026, 2, 3)] * 401, "days_off = [2026-02-03, 2026-02-03, 2026-02-03, 2026-02-03, ...]: has 401 items"),
        ("buckets", [bucket(pool=1_000_001)], "buckets[0].pool = 1000001: must be between 0 and 1000000"),
        ("buckets", [bucket(min=100_001)], "buckets[0].min = 100001: must be between 0 and 100000"),
        ("buckets", [bucket(gap_days=367)], "buckets[0].gap_days = 367: must be between 0 and 366"),
        ("buckets", [bucket(priority=None, weight=0.0)], "buckets[0].weight = 0.0: must be above 0 and at most 1000"),
        ("buckets", [bucket(priority=None, weight=1000.5)], "buckets[0].weight = 1000.5: must be above 0 and at most 1000"),
        ("buckets", [bucket("x" * 81)], "buckets[0].name"),
        ("buckets", [bucket(f"b{i}", pool=1) for i in range(101)], "has 101 items; at most 100"),
        ("tier", tier(100_001), "tier.monthly_credits = 100001: must be between 0 and 100000"),
        ("tier", tier(5, balance_cap=1_000_001), "tier.balance_cap = 1000001: must be between 0 and 1000000"),
        ("tier", tier(5, price_monthly=float("nan")), "tier.price_monthly = nan: must be between 0 and 1000000"),
        ("tier", tier(5, policy="rollover", max_age_days=3661), "tier.max_age_days = 3661: must be between 1 and 3660"),
        ("tier", tier(5, notes="x\x00y"), 'tier.notes = "x\\u0000y": holds the control character \\x00'),
    ],
)
def test_every_number_and_text_has_a_range_named_in_its_message(field: str, value: object, expected: str) -> None:
    from planner.scenario import ScenarioError

    with pytest.raises(ScenarioError) as err:
        make(**{field: value})
    assert any(expected in p for p in err.value.problems), err.value.problems

"""Teams: pooled seats (MODEL.md v2, "Teams: pooled seats"): the file, the plan, the checks, the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.check import violations
from planner.ledger import simulate
from planner.paths import EXAMPLES_DIR
from planner.scenario import (
    Scenario,
    ScenarioError,
    TeamScenario,
    any_scenario_from_toml,
    load_any_scenario,
    parse_any_scenario,
    parse_scenario,
    scenario_to_toml,
)
from planner.solve import make_plan

# a small contract whose pool the seats compete for: 30 credits a seat, rolling over, capped, with credit-back
TIER = {
    "name": "Small pool",
    "monthly_credits": 30,
    "policy": "rollover",
    "max_age_days": 45,
    "balance_cap": 50,
    "credit_back": True,
}


def bucket(name: str, rate: float, pool: int | None = None, **extra: Any) -> dict[str, Any]:
    fields = {"name": name, "goal": "recruiting", "priority": "high", "response_rate": rate, **extra}
    return fields if pool is None else fields | {"pool": pool}


def team(seats: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"version": 2, "start": date(2026, 3, 2), "cycles": 2, "tier": TIER, "seats": seats, **extra}


SEATS: list[dict[str, Any]] = [
    {
        "name": "Ana",
        "seat_cap": 30,
        "buckets": [bucket("Passive", 0.2, 60), bucket("Follow-up", 0.1, follows="Passive", gap_days=4)],
    },
    {"name": "Ben", "daily_cap": 3, "send_days": ["Mon", "Wed"], "buckets": [bucket("Engineers", 0.3, 50)]},
    {"name": "Chloe", "days_off": [date(2026, 3, 3)], "buckets": [bucket("Referrals", 0.15, 40), bucket("Alumni", 0.25, 10)]},
]


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        parse_any_scenario(data)
    return err.value.problems


# --- the file ----------------------------------------------------------------------------------


def test_a_bad_seat_field_is_refused_naming_the_seat_and_the_field() -> None:
    seats = [SEATS[0], SEATS[1], {**SEATS[2], "daily_cap": -1}]
    assert problems(team(seats)) == ['seats[2] ("Chloe").daily_cap = -1: must be between 0 and 10000']


def test_a_seat_problem_across_fields_names_the_seat() -> None:
    seats = [SEATS[0], {"name": "Ben", "buckets": [bucket("A", 0.2, 5, follows="Nobody")]}]
    assert problems(team(seats)) == ['seats[1] ("Ben").buckets[0].follows = "Nobody": no bucket has that name']


def test_duplicate_seat_names_are_refused() -> None:
    assert problems(team([SEATS[0], {**SEATS[1], "name": "Ana"}])) == ['seats[1] ("Ana").name: seat names must be unique']


def test_buckets_beside_seats_and_version_1_are_refused_with_a_message() -> None:
    found = problems(team(SEATS, buckets=[bucket("X", 0.1, 5)], version=1))
    assert any(p.startswith("buckets: a team scenario gives each seat its own buckets") for p in found)
    assert any(p.startswith("version = 1: a team scenario (with seats) is a version 2 file") for p in found)


def test_a_one_seat_reader_refuses_a_team_and_a_v1_file_stays_a_scenario() -> None:
    with pytest.raises(ScenarioError, match="this is a team scenario"):
        parse_scenario(team(SEATS))
    one = parse_any_scenario({"start": date(2026, 3, 2), "tier": TIER, "buckets": [bucket("A", 0.2, 5)]})
    assert isinstance(one, Scenario) and one.version == 1


def test_a_team_file_round_trips_through_toml() -> None:
    scenario = parse_any_scenario(team(SEATS))
    text = scenario_to_toml(scenario)
    assert "version = 2" in text
    assert any_scenario_from_toml(text) == scenario


# --- the plan ----------------------------------------------------------------------------------


def test_a_one_seat_team_plans_exactly_the_one_seat_scenario() -> None:
    single = load_any_scenario(EXAMPLES_DIR / "sales_rep.toml")
    assert isinstance(single, Scenario)
    data = single.model_dump(exclude_none=True)
    seat = {"name": "Solo", "buckets": data.pop("buckets"), "goals": data.pop("goals")}
    if "daily_cap" in data:
        seat["daily_cap"] = data.pop("daily_cap")
    data.pop("version")
    one = parse_any_scenario({**data, "version": 2, "seats": [seat]})
    assert isinstance(one, TeamScenario)
    a, b = make_plan(single), make_plan(one)
    assert a.totals is not None and b.totals is not None
    assert np.array_equal(a.sends, b.sends)
    assert b.totals.objective == pytest.approx(a.totals.objective)
    assert list(b.schedule["seat"].unique()) == ["Solo"]
    assert b.schedule.drop(columns="seat").equals(a.schedule)


def test_a_team_plan_meets_every_rule_on_the_pool_and_on_each_seat() -> None:
    plan = make_plan(parse_any_scenario(team(SEATS, refund_reliance=0.5, reserve=5)))
    assert plan.is_ok and plan.gap is not None and plan.gap <= 0.005
    problem = plan.problem
    assert violations(problem, plan.sends) == []
    ledger = simulate(problem, plan.sends)
    assert ledger.feasible and (ledger.table["closing"] >= -1e-6).all()
    assert problem.grants == (90, 90) and problem.balance_cap(0) == 150  # 3 seats x 30, 3 x 50
    # the pool binds: the seats' own best schedules together spend more than it gives, so the whole model shared it
    assert plan.solver.startswith("HiGHS") and "seat by seat" not in plan.solver and plan.totals is not None
    by_seat = {s.seat: s for s in plan.seats}
    assert all(c <= 30 for c in by_seat["Ana"].credits_by_cycle)
    ben = plan.schedule[plan.schedule["seat"] == "Ben"]
    assert set(ben["weekday"]) <= {"Mon", "Wed"} and ben.groupby("date")["sends"].sum().max() <= 3
    assert date(2026, 3, 3) not in set(plan.schedule[plan.schedule["seat"] == "Chloe"]["date"])
    assert sum(s.credits_used for s in plan.seats) == plan.totals.credits_spent


def test_seat_by_seat_and_the_whole_model_agree_within_the_gap() -> None:
    for seats in (SEATS[:2], SEATS, [*SEATS, {**SEATS[1], "name": "Dan"}]):
        scenario = parse_any_scenario(team(seats, refund_reliance=0.3))
        split, whole = make_plan(scenario), make_plan(scenario, split_seats=False, gap=0.0)
        assert split.totals is not None and whole.totals is not None
        value = whole.totals.weighted_value
        assert split.totals.objective >= whole.totals.objective - 0.005 * value
        assert violations(split.problem, split.sends) == []


CYCLE_TIER = {"name": "Small pool, monthly", "monthly_credits": 25, "policy": "cycle", "credit_back": True}
TWO_GOALS = [
    {**seat, "goals": {"recruiting": 0.6, "networking": 0.4},
     "buckets": [*seat["buckets"], {**bucket(f"Peers of {seat['name']}", 0.3, 12), "goal": "networking"}]}
    for seat in SEATS
]  # fmt: skip


@pytest.mark.parametrize(
    ("seats", "extra"),
    [
        (SEATS, {"refund_reliance": 0.5, "reserve": 5}),  # the pool binds
        (SEATS, {"tier": {**TIER, "monthly_credits": 200, "balance_cap": None}}),  # room for every seat
        (SEATS, {"tier": None, "tiers": [CYCLE_TIER, TIER], "refund_reliance": 0.4}),  # a tier change
        (TWO_GOALS, {"refund_reliance": 0.3}),  # two goals a seat, the pool binds
    ],
    ids=["pool binds", "pool has room", "tier changes", "two goals a seat"],
)
def test_a_team_plan_is_feasible_and_its_proven_gap_is_true(seats: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    data = {k: v for k, v in team(seats, **extra).items() if v is not None}
    scenario = parse_any_scenario(data)
    plan, exact = make_plan(scenario), make_plan(scenario, split_seats=False, gap=0.0, time_limit=60)
    assert plan.is_ok and plan.totals is not None and plan.gap is not None and plan.bound is not None
    assert violations(plan.problem, plan.sends) == []
    assert exact.status == "optimal" and exact.totals is not None
    optimum, value = exact.totals.objective, exact.totals.weighted_value
    assert plan.bound >= optimum - 1e-6  # the bound is one: the proven optimum is not above it
    assert optimum - plan.totals.objective <= plan.gap * value + 1e-6  # so the gap it proves holds on the value
    assert plan.gap <= 0.005


def test_a_pool_with_room_for_every_seat_plans_seat_by_seat() -> None:
    roomy = {**TIER, "monthly_credits": 200, "balance_cap": None}
    plan = make_plan(parse_any_scenario(team(SEATS, tier=roomy)))
    assert plan.solver == "HiGHS, seat by seat" and plan.is_ok
    assert violations(plan.problem, plan.sends) == []


def test_the_example_team_plans_with_ana_at_her_seat_cap() -> None:
    plan = make_plan(load_any_scenario(EXAMPLES_DIR / "teams" / "recruiting_team.toml"))
    assert plan.is_ok and plan.gap is not None and plan.gap <= 0.005
    ana = next(s for s in plan.seats if s.seat == "Ana")
    assert ana.cap_binding_cycles == (1, 2) and ana.credits_by_cycle == (120, 120)


# --- the CLI -----------------------------------------------------------------------------------


def test_the_cli_plans_a_team_file_with_a_seat_column_and_seat_totals(tmp_path: Path) -> None:
    schedule, summary = tmp_path / "s.csv", tmp_path / "s.json"
    done = subprocess.run(
        [sys.executable, "-m", "planner.cli", "plan", str(EXAMPLES_DIR / "teams" / "recruiting_team.toml"),
         "--schedule", str(schedule), "--summary", str(summary)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "seat caps binding: Ana (cycle 1, 2)" in done.stdout
    rows = list(csv.DictReader(io.StringIO(schedule.read_text())))
    assert {r["seat"] for r in rows} == {"Ana", "Ben", "Chloe"}
    seats = json.loads(summary.read_text())["seats"]
    assert [s["seat"] for s in seats] == ["Ana", "Ben", "Chloe"]


def test_the_cli_refuses_a_bad_team_file_naming_the_seat(tmp_path: Path) -> None:
    text = (EXAMPLES_DIR / "teams" / "recruiting_team.toml").read_text().replace("daily_cap = 8", "daily_cap = -8")
    path = tmp_path / "bad.toml"
    path.write_text(text)
    done = subprocess.run([sys.executable, "-m", "planner.cli", "plan", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert 'seats[2] ("Chloe").daily_cap = -8' in done.stderr


@pytest.mark.parametrize(
    ("command", "option", "said"),
    [
        ("plan", ["--max-risk", "0.1"], "--max-risk: the safe reliance is searched for one seat"),
        ("compare", ["--curve", "curve.csv"], "--curve: the response curve is drawn for one seat"),
    ],
)
def test_the_cli_refuses_one_seat_options_for_a_team_with_a_message(
    tmp_path: Path, command: str, option: list[str], said: str
) -> None:
    team_file = str(EXAMPLES_DIR / "teams" / "recruiting_team.toml")
    done = subprocess.run(
        [sys.executable, "-m", "planner.cli", command, team_file, *option],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "curve.csv").exists()


def test_a_single_seat_schedule_keeps_its_columns() -> None:
    plan = make_plan(load_any_scenario(EXAMPLES_DIR / "sales_rep.toml"))
    assert "seat" not in plan.schedule.columns
    assert "seats" not in plan.summary()

"""Tests of planner.team_page and planner.team_charts: the seats table to and from a team, per-seat tables, a credit's worth."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from apphelpers import plotly_array

from planner.catalog import load_catalog
from planner.problem import resolve
from planner.scenario import ScenarioError, TeamScenario, any_scenario_from_toml, scenario_to_toml
from planner.solve import make_plan
from planner.team_charts import seat_share_figure
from planner.team_page import (
    FROM_FILE,
    contract_fields,
    credit_values,
    default_seat_rows,
    seat_rows,
    seat_schedule,
    seat_table,
    team_from_rows,
    with_seat_cap,
)

CATALOG = load_catalog()
CONTRACT: dict[str, Any] = {"start": date(2026, 6, 1), "tier": "Recruiter (Corporate)", "cycles": 1}

TEAM_TOML = """
version = 2
start = 2026-06-01
tier = "Recruiter (Corporate)"

[[seats]]
name = "Ana"
goals = { recruiting = 1.0 }
seat_cap = 20

[[seats]]
name = "Bo"
send_days = ["Mon", "Wed"]
goals = { sales = 0.5, networking = 0.5 }
"""


def _plan(team: TeamScenario, gap: float = 0.0) -> Any:
    return make_plan(resolve(team, CATALOG), catalog=CATALOG, gap=gap)


def test_rows_become_the_team_a_file_with_the_same_seats_gives() -> None:
    rows: list[dict[str, Any]] = [
        {"name": "Ana", "goal": "recruiting", "send_days": None, "daily_cap": None, "seat_cap": 20.0},
        {"name": "Bo", "goal": "sales", "send_days": "Mon, Wed", "daily_cap": 4, "seat_cap": float("nan")},
    ]
    team = team_from_rows(rows, CONTRACT, CATALOG)
    same = any_scenario_from_toml(
        'version = 2\nstart = 2026-06-01\ntier = "Recruiter (Corporate)"\n'
        '[[seats]]\nname = "Ana"\ngoals = { recruiting = 1.0 }\nseat_cap = 20\n'
        '[[seats]]\nname = "Bo"\ngoals = { sales = 1.0 }\nsend_days = ["Mon", "Wed"]\ndaily_cap = 4\n',
        CATALOG,
    )
    assert team == same


def test_a_bad_cell_is_refused_naming_the_seat_and_the_field() -> None:
    rows = [dict(default_seat_rows()[0], name="Ana", seat_cap=-3), dict(default_seat_rows()[1], send_days="Mon Funday")]
    with pytest.raises(ScenarioError) as err:
        team_from_rows(rows, CONTRACT, CATALOG)
    text = "\n".join(err.value.problems)
    assert 'seats[0] ("Ana").seat_cap = -3' in text
    assert 'seats[1] ("Seat 2").send_days[1] = "Funday"' in text


def test_a_fractional_seat_cap_is_refused_not_rounded() -> None:
    rows = [dict(default_seat_rows()[0], seat_cap=20.5)]
    with pytest.raises(ScenarioError) as err:
        team_from_rows(rows, CONTRACT, CATALOG)
    assert any("seat_cap = 20.5" in p for p in err.value.problems), err.value.problems


def test_a_row_without_name_or_goal_is_refused() -> None:
    with pytest.raises(ScenarioError) as err:
        team_from_rows([{"name": None, "goal": "sales"}, {"name": "X", "goal": None}], CONTRACT, CATALOG)
    assert err.value.problems == ["seats[0].name: give the seat a name", 'seats[1] ("X").goal: choose the seat\'s goal']


def test_a_file_team_round_trips_through_the_table_keeping_seats_it_cannot_show() -> None:
    team = any_scenario_from_toml(TEAM_TOML, CATALOG)
    assert isinstance(team, TeamScenario)
    rows, kept = seat_rows(team)
    assert [r["goal"] for r in rows] == ["recruiting", FROM_FILE]
    assert rows[1]["send_days"] == "Mon, Wed"
    assert set(kept) == {"Bo"}
    again = team_from_rows(rows, contract_fields(team), CATALOG, kept)
    assert scenario_to_toml(again) == scenario_to_toml(team)


def test_from_file_needs_a_seat_from_a_file() -> None:
    with pytest.raises(ScenarioError) as err:
        team_from_rows([{"name": "New", "goal": FROM_FILE}], CONTRACT, CATALOG)
    assert 'seats[0] ("New").goal' in err.value.problems[0]


def test_seat_table_and_schedule_add_up_to_the_plan() -> None:
    team = team_from_rows(default_seat_rows(), CONTRACT, CATALOG)
    plan = _plan(team)
    table = seat_table(plan)
    assert list(table["seat"]) == ["Seat 1", "Seat 2"]
    assert table["credits_used"].sum() == plan.totals.credits_spent
    assert table["expected_responses"].sum() == pytest.approx(plan.totals.expected_responses)
    assert table["credit_share"].sum() == pytest.approx(1.0)
    mine = seat_schedule(plan, "Seat 1")
    assert "seat" not in mine.columns
    assert mine["credits_used"].sum() == table.loc[0, "credits_used"]
    assert table.loc[0, "cap_binds_in"] == ("1" if plan.seats[0].cap_binding_cycles else "")


def test_the_worth_of_a_credit_more_matches_a_re_solve_with_the_cap_one_larger() -> None:
    team = team_from_rows(default_seat_rows(), CONTRACT, CATALOG)
    values = credit_values(team, catalog=CATALOG)
    base = _plan(team)
    assert base.seats[0].cap_binding_cycles == (1,)  # the example is one where the cap binds
    more = _plan(with_seat_cap(team, 0, 21))
    first, second = values
    assert first.binds and first.seat_cap == 20
    assert first.responses_gain == pytest.approx(more.totals.expected_responses - base.totals.expected_responses)
    assert first.value_gain == pytest.approx(more.totals.weighted_value - base.totals.weighted_value)
    assert (
        first.responses_gain is not None and first.responses_gain > 0
    )  # the pool has credits the uncapped seat leaves: the capped seat would use one
    assert second.seat_cap is None and second.responses_gain is None
    assert "gains nothing the pool isn't already giving it" in second.sentence()


def test_a_cap_that_does_not_bind_is_re_solved_too_and_says_so() -> None:
    rows = [dict(default_seat_rows()[0], seat_cap=500), default_seat_rows()[1]]
    team = team_from_rows(rows, CONTRACT, CATALOG)
    (first, _) = credit_values(team, catalog=CATALOG)
    assert not first.binds
    more = _plan(with_seat_cap(team, 0, 501))
    assert first.responses_gain == pytest.approx(more.totals.expected_responses - _plan(team).totals.expected_responses)
    assert "does not bind" in first.sentence()


def test_seat_share_figure_draws_each_seats_credits_and_responses() -> None:
    team = team_from_rows(default_seat_rows(), CONTRACT, CATALOG)
    plan = _plan(team)
    fig = seat_share_figure(plan)
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"Credits used", "Seat cap", "Expected responses"}
    assert list(plotly_array(traces["Credits used"].y)) == [s.credits_used for s in plan.seats]
    assert list(traces["Seat cap"].x) == ["Seat 1"]

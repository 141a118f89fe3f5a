"""AppTest tests of the Team page: the seats table, the team's plan against make_plan, refusals, and the table kept across pages.

Widgets are found by their keys. The numbers the page shows are checked
against :func:`planner.solve.make_plan` of the same team written as a file,
so the page's table-to-scenario path is checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from apphelpers import app_test, chart_spec, edit_table, metric_values, plotly_array, read_only_table, run, texts
from streamlit.testing.v1 import AppTest

from planner.catalog import load_catalog
from planner.plan import Plan
from planner.problem import resolve
from planner.scenario import any_scenario_from_toml, parse_scenario
from planner.share import TEAM_PARAM, decode_text, encode_scenario
from planner.solve import make_plan

APP = "../app.py"  # relative to tests/
PAGE = "app_pages/team.py"
CATALOG = load_catalog()


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    st.cache_data.clear()
    monkeypatch.setenv("INMAIL_PLANNER_DB", str(tmp_path / "history.sqlite3"))
    yield


def _team_page() -> AppTest:
    at = run(app_test(APP))
    at.switch_page(PAGE)
    return run(at)


def _editor_key(at: AppTest) -> str:
    return f"team_seats_v{at.session_state['team_editor_version']}"


def _edit(at: AppTest, edited_rows: dict[int, dict[str, Any]]) -> AppTest:
    return edit_table(at, _editor_key(at), edited_rows=edited_rows)


def _plan_of(toml: str) -> Plan:
    team = any_scenario_from_toml(toml, CATALOG)
    return make_plan(resolve(team, CATALOG), catalog=CATALOG)


def _team_toml(at: AppTest, seats: str) -> str:
    start = at.session_state["team_start"]
    return f'version = 2\nstart = {start.isoformat()}\ntier = "Recruiter (Corporate)"\ntitle = "My team"\n{seats}'


def _seat_table(at: AppTest) -> Any:
    return read_only_table(at, "cap_binds_in")


def test_the_page_opens_with_a_plan_that_is_make_plans() -> None:
    at = _team_page()
    assert not at.error, texts(at.error)
    plan = _plan_of(
        _team_toml(
            at,
            '[[seats]]\nname = "Seat 1"\ngoals = { recruiting = 1.0 }\nseat_cap = 20\n'
            '[[seats]]\nname = "Seat 2"\ngoals = { recruiting = 1.0 }\n',
        )
    )
    assert plan.totals is not None
    metrics = metric_values(at)
    assert metrics["Credits spent"] == f"{plan.totals.credits_spent:,.0f}"
    assert metrics["Expected responses"] == f"{plan.totals.expected_responses:,.2f}"
    table = _seat_table(at)
    assert list(table["credits_used"]) == [s.credits_used for s in plan.seats]
    assert list(table["cap_binds_in"]) == [", ".join(map(str, s.cap_binding_cycles)) for s in plan.seats]
    # the burn-down is the pool's ledger
    burndown = chart_spec(at, "team_burndown")
    balance = next(t for t in burndown["data"] if t["name"] == "Balance")
    assert list(plotly_array(balance["y"])) == pytest.approx(list(plan.ledger["closing"].astype(float)))


def test_editing_the_seats_table_replans_and_matches_make_plan() -> None:
    at = _team_page()
    at = _edit(at, {0: {"name": "Ana", "goal": "sales", "send_days": "Mon, Wed"}, 1: {"seat_cap": 30, "daily_cap": 5}})
    assert not at.error, texts(at.error)
    plan = _plan_of(
        _team_toml(
            at,
            '[[seats]]\nname = "Ana"\ngoals = { sales = 1.0 }\nseat_cap = 20\nsend_days = ["Mon", "Wed"]\n'
            '[[seats]]\nname = "Seat 2"\ngoals = { recruiting = 1.0 }\nseat_cap = 30\ndaily_cap = 5\n',
        )
    )
    assert plan.totals is not None
    assert metric_values(at)["Expected responses"] == f"{plan.totals.expected_responses:,.2f}"
    table = _seat_table(at)
    assert list(table["seat"]) == ["Ana", "Seat 2"]
    assert list(table["credits_used"]) == [s.credits_used for s in plan.seats]
    assert list(table["expected_responses"]) == pytest.approx([s.expected_responses for s in plan.seats])
    # the seat's own day: Ana's schedule only
    at.selectbox(key="team_today_seat").set_value("Ana")
    at = run(at)
    mine = read_only_table(at, "bucket")
    assert set(mine["weekday"]) <= {"Mon", "Wed"}
    assert int(mine["credits_used"].sum()) == plan.seats[0].credits_used


def test_a_bad_seat_cap_is_refused_naming_the_seat_and_the_field_and_the_entry_is_kept() -> None:
    at = _team_page()
    at = _edit(at, {1: {"seat_cap": -5}})
    errors = texts(at.error)
    assert 'seats[1] ("Seat 2").seat_cap = -5' in errors, errors
    assert at.session_state["team_rows_edited"][1]["seat_cap"] == -5
    assert not at.get("plotly_chart")  # no plan is shown for inputs that have none
    # the same entry is still in the table on the next run
    at = run(at)
    assert 'seats[1] ("Seat 2").seat_cap = -5' in texts(at.error)


def test_leaving_and_coming_back_keeps_the_table() -> None:
    at = _team_page()
    at = _edit(at, {0: {"name": "Ana", "seat_cap": 12}})
    at.switch_page("app_pages/catalog.py")
    at = run(at)
    at.switch_page(PAGE)
    at = run(at)
    editor = next(d for d in at.dataframe if d.editing_mode != "read_only")
    assert list(editor.value["name"]) == ["Ana", "Seat 2"]
    assert int(editor.value["seat_cap"].iloc[0]) == 12
    assert list(_seat_table(at)["seat"]) == ["Ana", "Seat 2"]
    # the next edit keeps the earlier one
    at = _edit(at, {1: {"seat_cap": 40}})
    table = _seat_table(at)
    assert list(table["seat_cap"]) == [12, 40]


TEAM_FILE = b"""version = 2
title = "Recruiting desk"
start = 2026-06-01
tier = "Recruiter (Corporate)"
reserve = 5

[[seats]]
name = "Ana"
goals = { recruiting = 1.0 }
seat_cap = 25

[[seats]]
name = "Bo"
goals = { sales = 0.5, networking = 0.5 }
"""


def test_uploading_a_team_file_loads_its_seats_and_plans_it() -> None:
    at = _team_page()
    at.file_uploader(key="team_upload").upload("desk.toml", TEAM_FILE, "application/toml")
    at = run(at)
    assert "Loaded the team scenario 'desk.toml' (2 seats)." in texts(at.success)
    assert at.text_input(key="team_title").value == "Recruiting desk"
    rows = at.session_state["team_rows_edited"]
    assert [r["goal"] for r in rows] == ["recruiting", "from file"]
    plan = _plan_of(TEAM_FILE.decode())
    assert plan.totals is not None
    assert metric_values(at)["Expected responses"] == f"{plan.totals.expected_responses:,.2f}"


def test_a_one_seat_upload_is_refused_and_the_table_stays() -> None:
    at = _team_page()
    one_seat = b'start = 2026-06-01\ntier = "Premium Business"\n[goals]\nsales = 1.0\n'
    at.file_uploader(key="team_upload").upload("one.toml", one_seat)
    at = run(at)
    assert "uploaded file 'one.toml': a one-seat scenario" in texts(at.error)
    assert [r["name"] for r in at.session_state["team_rows_edited"]] == ["Seat 1", "Seat 2"]


@pytest.mark.parametrize(("page", "key"), [(PAGE, "team_upload"), ("app_pages/plan.py", "plan_upload")])
def test_an_upload_that_is_not_utf8_is_named_once(page: str, key: str) -> None:
    at = run(app_test(APP))
    at.switch_page(page)
    at = run(at)
    at.file_uploader(key=key).upload("latin.toml", "title = 'caf\u00e9'".encode("latin-1"))
    at = run(at)
    assert "- uploaded file 'latin.toml': not UTF-8 text; is it a scenario TOML file?" in texts(at.error).splitlines()


def test_a_team_saved_from_the_page_reopens_from_history_on_the_team_page() -> None:
    at = _team_page()
    at.file_uploader(key="team_upload").upload("desk.toml", TEAM_FILE, "application/toml")
    at = run(at)
    run(at.text_input(key="team_save_name").input("Desk *bold* [x](y)"))
    run(at.button(key="team_save").click())
    assert "Saved 'Desk *bold* [x](y)' version 1 with its plan (plan 1)." in texts(at.success)
    saved_rows = at.session_state["team_rows_edited"]
    # the table changes, the History page opens the saved version: the Team page shows it again
    _edit(at, {0: {"seat_cap": 7}})
    assert at.session_state["team_rows_edited"] != saved_rows
    run(at.switch_page("app_pages/history.py"))
    assert not at.exception
    run(at.button(key="history_open").click())
    assert at.title[0].value == "Plan a team's pooled credits"
    assert "Loaded the team scenario 'Desk *bold* [x](y)' (2 seats)." in texts(at.success)
    assert at.session_state["team_rows_edited"] == saved_rows
    assert metric_values(at)["Expected responses"] == f"{_plan_of(TEAM_FILE.decode()).totals.expected_responses:,.2f}"  # type: ignore[union-attr]


def _team_page_from_link(value: str) -> AppTest:
    at = run(app_test(APP))
    at.switch_page(PAGE)
    at.query_params[TEAM_PARAM] = value
    return run(at)


def test_the_pages_link_opens_the_same_team_in_a_new_session() -> None:
    at = _team_page()
    at.file_uploader(key="team_upload").upload("desk.toml", TEAM_FILE, "application/toml")
    at = run(at)
    _edit(at, {0: {"seat_cap": 7}})
    link = at.query_params[TEAM_PARAM]
    shown = metric_values(at)
    # a reload or a second browser with the link: a new session, the same seats and the same plan
    other = _team_page_from_link(link)
    assert other.session_state["team_rows_edited"] == at.session_state["team_rows_edited"]
    assert other.text_input(key="team_title").value == "Recruiting desk"
    assert metric_values(other) == shown
    assert shown["Expected responses"] == f"{_plan_of(decode_text(link, TEAM_PARAM)).totals.expected_responses:,.2f}"  # type: ignore[union-attr]
    assert "seat_cap = 7" in decode_text(link, TEAM_PARAM)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("not-a-link!", "link parameter team = 'not-a-link!': not a scenario link"),
        (
            encode_scenario(parse_scenario({"start": date(2026, 6, 1), "tier": "Premium Business", "goals": {"sales": 1.0}})),
            "a one-seat scenario",
        ),
    ],
)
def test_a_link_that_is_not_a_team_is_named_and_the_page_keeps_its_table(value: str, said: str) -> None:
    at = _team_page_from_link(value)
    assert said in texts(at.error)
    assert [r["name"] for r in at.session_state["team_rows_edited"]] == ["Seat 1", "Seat 2"]
    assert metric_values(at)["Seats"] == "2"


def test_a_plan_not_proven_optimal_says_its_gap_or_that_none_is_proven() -> None:
    from dataclasses import replace

    from app_pages.common import feasible_note
    from planner.plan import PlanStatus
    from planner.text import literal

    plan = _plan_of(TEAM_FILE.decode())
    stopped = replace(plan, status=PlanStatus.FEASIBLE, gap=0.0123, message="Stopped at the *time limit*.")
    assert feasible_note(stopped) == literal("Stopped at the *time limit*.") + " It is within 1.23% of the best possible."
    assert feasible_note(replace(stopped, gap=None)).endswith("How far it is from the best possible is not proven.")

"""AppTest tests of the Streamlit app: every page opens, and the Plan and Compare pages react to their widgets.

Widgets are found by their explicit keys. AppTest cannot read a download's
bytes, so the exports are checked through the same functions the page calls
(and against the command line) rather than through the buttons.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from apphelpers import (
    app_test,
    chart_spec,
    edit_table,
    metric_values,
    no_exception,
    plotly_array,
    read_only_table,
    run,
    texts,
)
from conftest import INFEASIBLE_TOML
from streamlit.testing.v1 import AppTest

import planner.solve
from planner.catalog import load_catalog
from planner.cli import run as cli_run
from planner.export import schedule_csv
from planner.paths import EXAMPLES_DIR
from planner.scenario import load_scenario, scenario_from_toml
from planner.share import decode_scenario, encode_scenario
from planner.solve import make_plan
from planner.text import literal

APP = "../app.py"  # relative to tests/
PAGES = [
    "app_pages/plan.py",
    "app_pages/compare.py",
    "app_pages/team.py",
    "app_pages/track.py",
    "app_pages/history.py",
    "app_pages/catalog.py",
]


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    st.cache_data.clear()
    monkeypatch.setenv("INMAIL_PLANNER_DB", str(tmp_path / "history.sqlite3"))  # pages that save history write here
    yield


def _app() -> AppTest:
    return run(app_test(APP))


def _editor_key(at: AppTest) -> str:
    return f"plan_buckets_v{at.session_state['plan_editor_version']}"


def _edit(at: AppTest, edited_rows: dict[int, dict[str, Any]]) -> AppTest:
    return edit_table(at, _editor_key(at), edited_rows=edited_rows)


# --- every page opens ---------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_an_error(page: str) -> None:
    at = _app()
    at.switch_page(page)
    at.run()
    no_exception(at)
    assert not at.error, texts(at.error)
    assert at.title


# --- the Plan page ------------------------------------------------------------------------


def test_the_default_plan_shows_numbers_charts_schedule_and_downloads() -> None:
    at = _app()
    metrics = metric_values(at)
    assert list(metrics)[:7] == [
        "Credits granted",
        "Credits spent",
        "Expiring unused",
        "Forfeited over cap",
        "Expected responses",
        "Cost per expected response",
        "Solver gap",
    ]  # then the risk numbers (tests/test_app_risk.py)
    assert metrics["Credits granted"] == "50"
    assert metrics["Expected responses"] == "7.25"
    burndown = chart_spec(at, "plan_burndown")
    assert {t["name"] for t in burndown["data"]} >= {"Balance", "Even pace", "Grant", "Balance cap"}
    assert chart_spec(at, "plan_weekly")["data"]
    assert {b.key for b in at.get("download_button")} == {"plan_dl_schedule", "plan_dl_ledger", "plan_dl_scenario"}
    allocation = read_only_table(at, "share")
    assert allocation["sends"].sum() == 50
    # the scenario the page planned is in the session (for Compare) and in the URL
    scenario = scenario_from_toml(at.session_state["scenario_toml"])
    assert decode_scenario(at.query_params["s"]) == scenario


def test_changing_the_tier_changes_the_totals_and_the_burn_down() -> None:
    at = _app()
    before = chart_spec(at, "plan_burndown")
    at.selectbox(key="plan_tier").set_value("Premium Business").run()
    no_exception(at)
    metrics = {m.label: m for m in at.metric}
    assert metrics["Credits granted"].value == "15"
    assert metrics["Credits granted"].delta == "-35"
    assert metrics["Expected responses"].value == "2.75"
    after = chart_spec(at, "plan_burndown")
    assert after != before
    assert after["layout"]["annotations"][0]["text"] == "Cycle 1: Premium Business"
    cap = next(t for t in after["data"] if t["name"] == "Balance cap")
    assert set(plotly_array(cap["y"]).tolist()) == {45.0}
    assert scenario_from_toml(at.session_state["scenario_toml"]).tier == "Premium Business"


def test_a_different_tier_per_cycle_upgrades_at_the_next_cycle() -> None:
    at = _app()
    at.toggle(key="plan_per_cycle").set_value(True).run()
    at.number_input(key="plan_cycles").set_value(2).run()
    at.selectbox(key="plan_tier_1").set_value("Premium Business")
    at.selectbox(key="plan_tier_2").set_value("Sales Navigator Core").run()
    no_exception(at)
    assert not at.error, texts(at.error)
    assert metric_values(at)["Credits granted"] == "65"
    scenario = scenario_from_toml(at.session_state["scenario_toml"])
    assert scenario.tiers == ["Premium Business", "Sales Navigator Core"]
    labels = [a["text"] for a in chart_spec(at, "plan_burndown")["layout"]["annotations"]]
    assert labels == ["Cycle 1: Premium Business", "Cycle 2: Sales Navigator Core"]


def test_choosing_goals_brings_their_buckets_and_splits_the_shares() -> None:
    at = _app()
    at.multiselect(key="plan_goals").select("networking").run()
    no_exception(at)
    assert at.number_input(key="plan_share_sales").value == 50
    assert at.number_input(key="plan_share_networking").value == 50
    names = list(at.data_editor[0].value["name"])
    assert names == ["Initial prospecting", "Follow-up", "Account expansion", "Open Profile and 1st-degree", "Industry peers"]
    scenario = scenario_from_toml(at.session_state["scenario_toml"])
    assert scenario.goals == {"sales": 0.5, "networking": 0.5}
    assert set(read_only_table(at, "shortfall")["goal"]) == {"Sales prospecting", "Networking"}  # labels, not keys


def test_editing_a_bucket_replans_and_survives_a_visit_to_another_page() -> None:
    at = _app()
    _edit(at, {0: {"pool": 5}})
    assert not at.error, texts(at.error)
    allocation = read_only_table(at, "share").set_index("bucket")
    assert allocation.loc["Initial prospecting", "sends"] == 5
    assert allocation.loc["Follow-up", "sends"] == 4  # 0.85 x 5 non-responders
    scenario = scenario_from_toml(at.session_state["scenario_toml"])
    assert scenario.buckets is not None and scenario.buckets[0].pool == 5
    at.switch_page("app_pages/catalog.py")
    at.run()
    at.switch_page("app_pages/plan.py")
    at.run()
    no_exception(at)
    assert at.data_editor[0].value["pool"].iloc[0] == 5
    assert read_only_table(at, "share").set_index("bucket").loc["Initial prospecting", "sends"] == 5


def test_bad_input_names_the_field_and_value_and_keeps_the_inputs() -> None:
    at = _app()
    at.selectbox(key="plan_tier").set_value("Premium Business")
    at.number_input(key="plan_share_sales").set_value(90.0).run()
    no_exception(at)
    assert "goal mix = sales 90 %" in texts(at.error) and "shares sum to 0.9, not 1" in texts(at.error)
    assert at.number_input(key="plan_share_sales").value == 90
    assert at.selectbox(key="plan_tier").value == "Premium Business"
    _edit(at, {1: {"response_rate_pct": 150.0}})
    assert "buckets row 2 ('Follow-up'): response rate = 150 %" in texts(at.error)
    at.text_input(key="plan_days_off").set_value("2026-02-30").run()
    assert "days_off = '2026-02-30': no such day (day is out of range for month)" in texts(at.error)
    # fixing every field brings the plan back
    at.number_input(key="plan_share_sales").set_value(100.0)
    at.text_input(key="plan_days_off").set_value("")
    _edit(at, {1: {"response_rate_pct": 10.0}})
    assert not at.error, texts(at.error)
    assert metric_values(at)["Credits granted"] == "15"


def test_a_response_rate_of_500_is_refused_with_its_value_not_changed_to_100() -> None:
    at = _app()
    _edit(at, {0: {"response_rate_pct": 500.0}})
    errors = texts(at.error)
    # the value as typed, then the schema's own rule as the CLI says it
    assert "buckets row 1 ('Initial prospecting'): response rate = 500 % (in the scenario file: response_rate = 5.0: " in errors
    assert at.data_editor[0].value["response_rate_pct"].iloc[0] == 15  # the table's rows, and the edit on them:
    assert at.session_state[_editor_key(at)]["edited_rows"] == {0: {"response_rate_pct": 500.0}}  # kept as typed
    at.number_input(key="plan_refund_lag_days").set_value(-1).run()
    no_exception(at)
    assert "Credit-back lag (days): refund_lag_days = -1: " in texts(at.error)
    assert at.number_input(key="plan_refund_lag_days").value == -1  # not changed to 1
    at.number_input(key="plan_cycles").set_value(13).run()
    no_exception(at)
    assert "Cycles (months): cycles = 13" in texts(at.error)


def test_an_invalid_goal_mix_keeps_the_last_plan_marked_stale() -> None:
    at = _app()
    at.multiselect(key="plan_goals").select("networking").run()
    before = metric_values(at)  # the plan of sales 50 %, networking 50 %
    at.number_input(key="plan_share_sales").set_value(70.0).run()  # typing 70 before the other share says 30
    no_exception(at)
    assert "goal mix = sales 70 %, networking 50 %" in texts(at.error)
    assert "Stale:" in texts(at.warning)
    assert metric_values(at) == before  # the last plan that had inputs without a problem, still shown
    assert scenario_from_toml(at.session_state["scenario_toml"]).goals == {"sales": 0.5, "networking": 0.5}  # and Compare
    at.query_params.clear()  # a page link back to Plan drops the link's scenario: the stale page writes it again
    at.run()
    assert decode_scenario(at.query_params["s"]).goals == {"sales": 0.5, "networking": 0.5}
    at.number_input(key="plan_share_networking").set_value(30.0).run()
    assert not at.error and "Stale:" not in texts(at.warning)
    assert scenario_from_toml(at.session_state["scenario_toml"]).goals == {"sales": 0.7, "networking": 0.3}


def test_editing_two_rates_then_renaming_keeps_every_edit_and_the_next_one() -> None:
    at = _app()
    _edit(at, {0: {"response_rate_pct": 20.0}})
    _edit(at, {0: {"response_rate_pct": 20.0}, 1: {"response_rate_pct": 12.0}})  # the editor holds both edits
    key = _editor_key(at)
    _edit(at, {0: {"response_rate_pct": 20.0}, 1: {"response_rate_pct": 12.0}, 2: {"name": "Upsell"}})
    assert _editor_key(at) != key  # a new name: the edits became the rows of a new table
    _edit(at, {2: {"pool": 4}})  # the next edit lands on them
    assert not at.error, texts(at.error)
    table = at.data_editor[0].value
    assert table["name"].tolist() == ["Initial prospecting", "Follow-up", "Upsell"]
    assert table["response_rate_pct"].tolist()[:2] == [20.0, 12.0]
    buckets = scenario_from_toml(at.session_state["scenario_toml"]).buckets
    assert buckets is not None
    assert [(b.name, b.response_rate) for b in buckets] == [("Initial prospecting", 0.2), ("Follow-up", 0.12), ("Upsell", 0.2)]
    assert buckets[2].pool == 4
    allocation = read_only_table(at, "share").set_index("bucket")
    assert allocation.loc["Upsell", "sends"] == 4


def test_renaming_a_parent_bucket_renames_it_in_its_follow_up() -> None:
    at = _app()
    _edit(at, {0: {"name": "First touch"}})
    assert not at.error, texts(at.error)  # was: follows = 'Initial prospecting': no bucket has that name
    table = at.data_editor[0].value
    assert table["name"].tolist()[0] == "First touch" and table["follows"].tolist()[1] == "First touch"
    buckets = scenario_from_toml(at.session_state["scenario_toml"]).buckets
    assert buckets is not None and buckets[1].follows == "First touch"
    assert read_only_table(at, "share").set_index("bucket").loc["Follow-up", "sends"] > 0


def test_a_notice_does_not_move_the_pacing_expander() -> None:
    """A notice shown once moved the elements after it: "Pacing and policies" snapped shut on the next change."""
    at = _app()
    path = EXAMPLES_DIR / "team_upgrade.toml"
    at.file_uploader(key="plan_upload").upload(path.name, path.read_bytes(), "application/toml").run()
    assert at.success  # the notice
    with_notice = _path_of(at, at.expander[0])
    at.number_input(key="plan_reserve").set_value(3).run()
    no_exception(at)
    assert not at.success or "Loaded" not in texts(at.success)
    assert _path_of(at, at.expander[0]) == with_notice


def _path_of(at: AppTest, element: Any) -> list[int]:
    """The position of ``element`` in the page's main block: the indices from the top, as Streamlit keys its elements."""

    def find(node: Any, trail: list[int]) -> list[int] | None:
        if node is element:
            return trail
        for i, child in enumerate(getattr(node, "children", {}).values()):
            found = find(child, [*trail, i])
            if found is not None:
                return found
        return None

    found = find(at.main, [])
    assert found is not None
    return found


def test_a_scenario_with_no_plan_shows_why_and_keeps_every_input() -> None:
    at = _app()
    at.selectbox(key="plan_tier").set_value("Premium Business").run()
    _edit(at, {1: {"min": 30}})  # 30 follow-ups, but 15 credits
    errors = texts(at.error)
    assert "No plan for this scenario" in errors
    assert "Follow-up" in errors and "30" in errors  # the diagnosis names the bucket and the numbers
    assert not at.metric
    assert at.selectbox(key="plan_tier").value == "Premium Business"
    assert at.session_state[_editor_key(at)]["edited_rows"] == {1: {"min": 30}}
    assert at.data_editor[0].value["name"].tolist() == ["Initial prospecting", "Follow-up", "Account expansion"]
    # the scenario itself is valid, so it can still be saved and shared
    assert "plan_dl_scenario" in {b.key for b in at.get("download_button")}
    assert scenario_from_toml(at.session_state["scenario_toml"]).buckets[1].min == 30  # type: ignore[index]


def test_uploading_a_scenario_file_loads_every_input() -> None:
    at = _app()
    path = EXAMPLES_DIR / "team_upgrade.toml"
    at.file_uploader(key="plan_upload").upload(path.name, path.read_bytes(), "application/toml").run()
    no_exception(at)
    assert "Loaded the scenario file 'team_upgrade.toml'." in texts(at.success)
    assert at.toggle(key="plan_per_cycle").value is True
    assert at.selectbox(key="plan_tier_1").value == "Premium Business"
    assert at.selectbox(key="plan_tier_2").value == "Sales Navigator Core"
    assert at.number_input(key="plan_daily_cap").value == 6
    assert at.text_input(key="plan_days_off").value == "2026-12-24, 2026-12-25"
    assert at.number_input(key="plan_share_sales").value == 70
    expected = make_plan(load_scenario(path), time_limit=10)
    assert expected.totals is not None
    assert metric_values(at)["Expected responses"] == f"{expected.totals.expected_responses:,.2f}"
    # what the page would download is the uploaded scenario
    assert scenario_from_toml(at.session_state["scenario_toml"]) == load_scenario(path)


def test_a_bad_upload_says_why_and_changes_nothing() -> None:
    at = _app()
    at.selectbox(key="plan_tier").set_value("Premium Business").run()
    at.file_uploader(key="plan_upload").upload("bad.toml", b'start = 2026-06-01\ntier = "Gold"\n[goals]\nsales = 1.0\n').run()
    no_exception(at)
    assert "uploaded file 'bad.toml': tier = \"Gold\": unknown tier" in texts(at.error)
    assert at.selectbox(key="plan_tier").value == "Premium Business"
    assert metric_values(at)["Credits granted"] == "15"


def test_an_infeasible_upload_shows_the_diagnosis() -> None:
    at = _app()
    at.file_uploader(key="plan_upload").upload("tight.toml", INFEASIBLE_TOML.encode()).run()
    no_exception(at)
    assert "No plan for this scenario" in texts(at.error)
    assert at.text_input(key="plan_title").value == "Too many minimums"


def test_a_shared_link_reproduces_the_plan() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "team_upgrade.toml")
    at = app_test(APP)
    at.query_params["s"] = encode_scenario(scenario)
    at.run()
    no_exception(at)
    expected = make_plan(scenario, time_limit=10)
    assert expected.totals is not None
    metrics = metric_values(at)
    assert metrics["Credits granted"] == f"{expected.totals.credits_granted:,.0f}"
    assert metrics["Expected responses"] == f"{expected.totals.expected_responses:,.2f}"
    assert scenario_from_toml(at.session_state["scenario_toml"]) == scenario
    assert decode_scenario(at.query_params["s"]) == scenario


def test_a_broken_link_is_explained_and_the_page_still_plans() -> None:
    at = app_test(APP)
    at.query_params["s"] = "eNqrVkrOz0nNzdO1"  # cut short
    at.run()
    no_exception(at)
    assert "link parameter s = 'eNqrVkrOz0nNzdO1'" in texts(at.error)
    assert metric_values(at)["Credits granted"] == "50"


def test_an_example_loads_and_the_picker_resets() -> None:
    at = _app()
    at.selectbox(key="plan_example").set_value("job_seeker").run()
    no_exception(at)
    assert metric_values(at)["Credits granted"] == "10"
    assert at.selectbox(key="plan_example").value is None
    assert at.selectbox(key="plan_tier").value == "Premium (brief, 10 credits)"


def test_a_display_only_change_does_not_solve_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = planner.solve.make_plan

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("solve")
        return real(*args, **kwargs)

    monkeypatch.setattr(planner.solve, "make_plan", counting)
    at = _app()
    assert len(calls) == 1
    days = at.date_input(key="plan_day")
    days.set_value(at.session_state["plan_day"].replace(day=15)).run()
    no_exception(at)
    at.switch_page("app_pages/catalog.py").run()
    at.switch_page("app_pages/plan.py").run()
    assert len(calls) == 1
    at.selectbox(key="plan_tier").set_value("Premium Business").run()
    assert len(calls) == 2
    at.selectbox(key="plan_tier").set_value("Sales Navigator Core").run()
    assert len(calls) == 2  # solved before: from the cache


def test_the_downloaded_schedule_is_the_command_lines(tmp_path: Path) -> None:
    at = _app()
    at.selectbox(key="plan_tier").set_value("Premium Business").run()
    toml = at.session_state["scenario_toml"]  # the page's "Scenario (TOML)" download
    scenario_file = tmp_path / "scenario.toml"
    scenario_file.write_text(toml, encoding="utf-8")
    out = tmp_path / "schedule.csv"
    assert cli_run(["plan", str(scenario_file), "--schedule", str(out)]) == 0
    page_plan = make_plan(scenario_from_toml(toml, load_catalog()), time_limit=10)
    assert schedule_csv(page_plan) == out.read_text(encoding="utf-8")


# --- the Compare page ---------------------------------------------------------------------


def _compare(at: AppTest) -> AppTest:
    at.switch_page("app_pages/compare.py")
    at.run()
    no_exception(at)
    return at


def test_compare_plans_the_plan_pages_scenario_on_every_tier() -> None:
    at = _app()
    at.selectbox(key="plan_tier").set_value("Premium Business").run()
    _compare(at)
    assert at.multiselect(key="compare_tiers").value == list(load_catalog())
    table = read_only_table(at, "responses_per_month")
    assert list(table["tier"]) == list(load_catalog())
    assert table.set_index("tier").loc["Premium Business", "current"]
    verdicts = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert literal("Sales Navigator Core adds 4.5 expected responses a month for $40 more: $8.89 each.") in verdicts
    chart = chart_spec(at, "compare_chart")
    assert [a["text"] for a in chart["layout"]["annotations"]][0] == "Expected responses a month"
    assert "compare_dl_csv" in {b.key for b in at.get("download_button")}


def test_compare_uses_the_prices_typed_and_the_tiers_ticked() -> None:
    at = _compare(_app())
    at.multiselect(key="compare_tiers").set_value(["Premium Business", "Sales Navigator Core"]).run()
    no_exception(at)
    table = read_only_table(at, "responses_per_month").set_index("tier")
    assert list(table.index) == ["Premium Business", "Sales Navigator Core"]
    assert table.loc["Sales Navigator Core", "cost_per_response"] == pytest.approx(99.99 / 7.25)
    key = at.session_state["compare_prices_key"]
    core = list(load_catalog()).index("Sales Navigator Core")
    edit_table(at, key, edited_rows={core: {"price_monthly": 72.5}})
    table = read_only_table(at, "responses_per_month").set_index("tier")
    assert table.loc["Sales Navigator Core", "price_monthly"] == 72.5
    assert table.loc["Sales Navigator Core", "cost_per_response"] == pytest.approx(10.0)


# --- the Catalog page ---------------------------------------------------------------------


def test_catalog_lists_every_tier_with_source_and_date() -> None:
    at = _app()
    at.switch_page("app_pages/catalog.py")
    at.run()
    no_exception(at)
    table = read_only_table(at, "source")
    catalog = load_catalog()
    assert list(table["name"]) == list(catalog)
    assert table["source"].str.len().min() > 0
    assert set(table["as_of"]) == {t.as_of for t in catalog.values()}
    # the sources and dates in a table that wraps long text: none is cut off at the edge
    sources = at.table[0].value
    assert list(sources.index) == list(catalog) and list(sources.columns) == ["Source", "As of", "Notes"]
    assert list(sources["Source"]) == list(table["source"])


def test_a_solver_failure_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("HiGHS stopped")

    monkeypatch.setattr(planner.solve, "make_plan", broken)
    at = app_test(APP)
    at.run()
    no_exception(at)
    assert "The planner failed on this scenario** (RuntimeError: HiGHS stopped)" in texts(at.error)
    assert at.selectbox(key="plan_tier").value == "Sales Navigator Core"


def test_a_twelve_cycle_plan_stays_within_the_time_limit() -> None:
    at = _app()
    at.number_input(key="plan_time_limit").set_value(20.0)
    at.number_input(key="plan_cycles").set_value(12).run()
    no_exception(at)
    assert not at.error, texts(at.error)
    assert metric_values(at)["Credits granted"] == "600"
    ledger_days = len(read_only_table(at, "closing"))
    assert 365 <= ledger_days <= 366


# --- user text is text ----------------------------------------------------------------------

HOSTILE = "**T** [in](https://evil.example) ![p](https://evil.example/p) <b>x</b> :red[r]"  # a name has at most 80


def test_markdown_in_a_title_and_a_bucket_name_from_a_link_is_shown_as_typed() -> None:
    """A crafted link showed an outside image and a phishing link in the app's own message box."""
    scenario = scenario_from_toml(
        f"""start = 2026-06-01
title = {HOSTILE!r}
tier = "Premium Business"
[[buckets]]
name = {HOSTILE!r}
goal = "sales"
priority = "high"
response_rate = 0.2
"""
    )
    at = app_test(APP)
    at.query_params["s"] = encode_scenario(scenario)
    at.run()
    no_exception(at)
    assert at.text_input(key="plan_title").value == HOSTILE
    at.date_input(key="plan_day").set_value(scenario.start).run()
    today = [e.value for e in [*at.success, *at.info]]
    assert any(f"send 15 x {HOSTILE}; 15 credits" in texts([e]) for e in at.success), today
    for body in [*today, *(c.value for c in at.caption), *(e.value for e in at.error)]:
        # every markdown element's source escapes the user's text: no link, image, tag or directive is drawn
        for live in ("](https://", "![", "<b>", ":red["):
            assert live not in body, body


def test_an_uploaded_file_name_with_markdown_is_shown_as_typed() -> None:
    at = _app()
    name = "[click](https://evil.example) **x**.toml"
    at.file_uploader(key="plan_upload").upload(name, b"not = [toml").run()
    no_exception(at)
    (error,) = at.error
    assert f"uploaded file {name!r}:" in texts([error])
    assert "](https://" not in error.value and "**x**" not in error.value


def test_a_crash_shows_no_error_details() -> None:
    """A crash showed the exception and a traceback with the server's paths."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_the_ledger_shows_fractions_to_two_places_and_goals_by_their_labels() -> None:
    """The ledger showed numbers like 16.433324, the goal mix raw keys ("sales")."""
    at = app_test(APP)
    at.query_params["s"] = encode_scenario(load_scenario(EXAMPLES_DIR / "team_upgrade.toml"))  # credit-back at 50 %
    at.run()
    no_exception(at)
    (ledger,) = [d for d in at.dataframe if "credited_back" in d.value.columns]
    columns = json.loads(ledger.proto.columns)
    assert columns["credited_back"]["type_config"]["format"] == "%.2f" and columns["closing"]["type_config"]["format"] == "%.2f"
    assert ledger.proto.placeholder == "–"  # an empty cell shows a dash, not None
    assert set(read_only_table(at, "shortfall")["goal"]) == {"Sales prospecting", "Networking"}


def test_a_new_scenario_starts_at_the_default_pace_and_the_form_sets_guard_and_replies() -> None:
    at = _app()
    # the default pace of planner/pacing.py for Sales Navigator Core's 50 credits on weekdays
    assert at.number_input(key="plan_daily_cap").value == 6
    assert at.number_input(key="plan_guard_base").value == 3
    assert at.number_input(key="plan_guard_growth").value == 1.5
    assert at.number_input(key="plan_replies_per_day").value is None
    planned = scenario_from_toml(at.session_state["scenario_toml"])
    assert planned.version == 2 and planned.speed_guard is not None and planned.speed_guard.base == 3
    at.number_input(key="plan_guard_base").set_value(2.0)
    at.number_input(key="plan_guard_growth").set_value(0.0)
    at.number_input(key="plan_replies_per_day").set_value(0.3).run()
    no_exception(at)
    assert not at.error, texts(at.error)
    planned = scenario_from_toml(at.session_state["scenario_toml"])
    assert planned.speed_guard is not None
    assert (planned.speed_guard.base, planned.speed_guard.growth, planned.replies_per_day) == (2, 0, 0.3)
    expected = make_plan(planned, time_limit=10)  # the page plans what the form says
    assert expected.totals is not None and expected.sends.sum(axis=0).max() <= 2
    assert metric_values(at)["Expected responses"] == f"{expected.totals.expected_responses:,.2f}"
    # a bad value names the field and the value, and keeps what was typed
    at.number_input(key="plan_guard_growth").set_value(50.0).run()
    no_exception(at)
    assert "Speed guard growth: speed_guard.growth = 50: must be between 0 and 10" in texts(at.error)
    assert at.number_input(key="plan_guard_growth").value == 50
    at.number_input(key="plan_guard_growth").set_value(None)
    at.number_input(key="plan_guard_base").set_value(None).run()  # both empty: no guard
    assert not at.error, texts(at.error)
    assert scenario_from_toml(at.session_state["scenario_toml"]).speed_guard is None


def test_emptying_the_daily_cap_turns_it_off() -> None:
    at = _app()
    assert at.number_input(key="plan_daily_cap").value == 6  # the default pace
    at.number_input(key="plan_daily_cap").set_value(None).run()
    no_exception(at)
    assert not at.error, texts(at.error)
    assert scenario_from_toml(at.session_state["scenario_toml"]).daily_cap is None

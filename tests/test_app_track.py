"""AppTest tests of the Track & re-plan and History pages, through their widget keys.

The history database is a temporary SQLite file (``INMAIL_PLANNER_DB`` set
per test). Most tests open a page file directly with the Plan page's
scenario put in the session, as the Plan page leaves it; the tests that move
between pages use ``tests/apps/track_app.py``, the app's navigation with both
pages added. AppTest cannot read a download's bytes: what the page offers
is checked against the library functions it calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from apphelpers import app_test, chart_spec, edit_table, metric_values, plotly_array, read_only_table, run, texts
from streamlit.testing.v1 import AppTest

from planner.actuals import replan
from planner.scenario import scenario_from_toml, scenario_to_toml
from planner.solve import make_plan
from planner.store import Store
from planner.usage import Outcome, UsageEntry, import_usage

ROOT = Path(__file__).resolve().parent.parent
TRACK = str(ROOT / "app_pages" / "track.py")
HISTORY = str(ROOT / "app_pages" / "history.py")
PLAN = str(ROOT / "app_pages" / "plan.py")
NAV = "apps/track_app.py"  # relative to tests/

SCENARIO_TOML = """version = 1
title = "Track test"
start = 2026-06-01
tier = "Premium Business"

[[buckets]]
name = "Initial"
goal = "sales"
priority = "high"
response_rate = 0.2
pool = 12

[[buckets]]
name = "Follow-up"
goal = "sales"
priority = "medium"
response_rate = 0.1
follows = "Initial"
gap_days = 3
"""
SCENARIO = scenario_from_toml(SCENARIO_TOML)
TODAY = date(2026, 6, 11)

# line 3 names a bucket the scenario does not have; line 6 is a reply without its date
LOG_CSV = b"""sent_on;bucket;outcome;outcome_on;note
2026-06-01;Initial;replied;2026-06-03;hi
2026-06-02;Nope;pending;;
2026-06-02;Initial;pending;;
2026-06-05;Follow-up;declined;2026-06-08;
2026-06-08;Initial;replied;;
"""
GOOD = [
    UsageEntry(date(2026, 6, 1), "Initial", Outcome.REPLIED, date(2026, 6, 3)),
    UsageEntry(date(2026, 6, 2), "Initial", Outcome.PENDING),
    UsageEntry(date(2026, 6, 5), "Follow-up", Outcome.DECLINED, date(2026, 6, 8)),
]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "history.sqlite3"
    monkeypatch.setenv("INMAIL_PLANNER_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db
    st.cache_resource.clear()


# --- helpers --------------------------------------------------------------------------------


def _page(path: str, today: date | None = TODAY, toml: str = SCENARIO_TOML) -> AppTest:
    """A page file run alone, with the scenario in the session as the Plan page leaves it."""
    at = app_test(path)
    at.session_state["scenario_toml"] = scenario_to_toml(scenario_from_toml(toml))
    if today is not None:
        at.session_state["track_today"] = today
    return run(at)


def _editor_key(at: AppTest) -> str:
    return (
        f"track_log_v{at.session_state['track_editor_version']}" if "track_editor_version" in at.session_state else "track_log_v0"
    )


def _log_table(at: AppTest) -> pd.DataFrame:
    for frame in at.dataframe:
        if frame.editing_mode != "read_only" and "sent_on" in frame.value.columns:
            return frame.value
    raise AssertionError("no log table")


def _add_rows(at: AppTest, rows: list[dict[str, Any]]) -> AppTest:
    return edit_table(at, _editor_key(at), added_rows=rows)


def _import(at: AppTest, data: bytes = LOG_CSV, name: str = "log.csv") -> AppTest:
    at.file_uploader(key="track_upload").upload(name, data, "text/csv")
    return run(at)


# --- both pages open ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", [TRACK, HISTORY])
def test_the_pages_open_from_the_apps_navigation_without_an_error(page: str) -> None:
    at = app_test(NAV)
    run(at)
    run(at.switch_page(page))
    assert not at.error, texts(at.error)
    assert at.title[0].value in ("Track & re-plan", "History")


def test_track_opens_on_the_plan_pages_scenario_with_an_empty_log() -> None:
    at = _page(TRACK)
    assert not at.error, texts(at.error)
    assert "Track test" in at.markdown[0].value
    metrics = metric_values(at)
    assert metrics["InMails logged"] == "0"
    assert metrics["Credits held today"] == "15"  # the grant of 1 June, nothing spent
    assert _log_table(at).empty
    # nothing logged by 11 June: 15 credits behind a plan that sends them all on the first day
    assert "15 credits behind plan" in texts(at.info)


def test_today_defaults_to_the_date_moved_into_the_horizon() -> None:
    at = _page(TRACK, today=None)
    assert at.date_input(key="track_today").value == date(2026, 6, 30)  # the scenario's June is over by now


# --- import -------------------------------------------------------------------------------------


def test_an_import_keeps_the_good_rows_and_names_each_bad_line() -> None:
    at = _import(_page(TRACK))
    warning = texts(at.warning)
    assert "**log.csv**: Imported 3 of 5 rows; rejected 2 (lines 3, 6); ignored column note." in warning
    rejected = read_only_table(at, "reason")
    assert rejected["line"].tolist() == [3, 6]
    assert rejected["reason"].iloc[0].startswith("bucket = 'Nope': not a bucket of the scenario")
    assert rejected["reason"].iloc[1] == "outcome_on is empty but outcome is replied; give the date of the replied outcome"
    log = _log_table(at)
    assert log["bucket"].tolist() == ["Initial", "Initial", "Follow-up"]
    assert log["outcome"].tolist() == ["replied", "pending", "declined"]
    metrics = metric_values(at)
    assert metrics["InMails logged"] == "3"
    assert metrics["Responses logged"] == "2"
    assert metrics["Returned by responses"] == "2"
    assert "Traceback" not in texts(at.error) + warning


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"when,what\n2026-06-01,Initial\n", "the header lacks columns"),
        (b"", "the file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    at = _import(_page(TRACK), data, "junk.csv")
    errors = texts(at.error)
    assert "**junk.csv** was not imported:" in errors and reason in errors
    assert _log_table(at).empty


def test_day_first_dates_import_when_the_order_is_named() -> None:
    data = b"sent_on,bucket,outcome,outcome_on\n02/06/2026,Initial,replied,05/06/2026\n03/06/2026,Initial,pending,\n"
    at = _import(_page(TRACK), data, "eu.csv")
    assert "rejected 2" in texts(at.warning)
    assert "name the order" in read_only_table(at, "reason")["reason"].iloc[0]
    run(at.radio(key="track_date_order").set_value("day_first"))  # the same file, read again
    assert "**eu.csv**: Imported 2 of 2 rows." in texts(at.success)
    log = _log_table(at)
    assert log["sent_on"].tolist() == [date(2026, 6, 2), date(2026, 6, 3)]


def test_an_import_can_add_to_the_log() -> None:
    at = _import(_page(TRACK))
    run(at.toggle(key="track_import_append").set_value(True))
    _import(at, b"sent_on,bucket,outcome,outcome_on\n2026-06-09,Initial,pending,\n", "more.csv")
    assert len(_log_table(at)) == 4
    assert metric_values(at)["InMails logged"] == "4"


# --- entering rows --------------------------------------------------------------------------------


def test_a_row_entered_in_the_table_counts_and_a_bad_one_is_named() -> None:
    at = _import(_page(TRACK))
    _add_rows(
        at,
        [
            {"sent_on": "2026-06-10", "bucket": "Initial", "outcome": "pending"},
            {"sent_on": "2026-06-10", "bucket": "Initial", "outcome": "accepted"},  # no outcome date
        ],
    )
    metrics = metric_values(at)
    assert metrics["InMails logged"] == "4"
    assert metrics["Credits held today"] == "13"  # 15 granted, 4 spent, 2 back from the responses
    warning = texts(at.warning)
    assert "1 row of the table is left out until fixed:" in warning
    assert "row 5: outcome_on is empty but outcome is accepted" in warning


def test_an_overspending_log_names_the_first_day_and_does_not_replan() -> None:
    at = _page(TRACK)
    _add_rows(at, [{"sent_on": "2026-06-03", "bucket": "Initial", "outcome": "pending"}] * 16)
    errors = texts(at.error)
    assert "The log spends credits the ledger does not hold, first on Wed 3 Jun 2026." in errors
    assert not any(h.value == "Re-plan from today" for h in at.header)


# --- where I stand and the re-plan ---------------------------------------------------------------


def test_where_i_stand_and_the_replan_match_the_library() -> None:
    at = _import(_page(TRACK))
    expected = replan(SCENARIO, GOOD, TODAY, time_limit=10)
    totals = expected.plan.totals
    assert totals is not None
    balance = read_only_table(at, "expires_after")
    pd.testing.assert_frame_equal(
        balance[["expires_after", "credits"]], expected.actual.balance_today(expected.plan.problem), check_dtype=False
    )
    schedule = read_only_table(at, "expected_responses")
    assert schedule[["date", "bucket", "sends"]].to_dict("records") == expected.plan.schedule[
        ["date", "bucket", "sends"]
    ].to_dict("records")
    headline = read_only_table(at, "logged_plus_new").set_index("measure")
    assert headline.loc["InMails sent", "logged"] == 3
    assert headline.loc["InMails sent", "new_plan"] == totals.sends
    metrics = metric_values(at)
    assert metrics["New plan: InMails from today"] == str(totals.sends)
    assert metrics["Old plan: expected responses"] == "2.70"
    chart = chart_spec(at, "track_burndown")
    names = [t["name"] for t in chart["data"]]
    assert names[:2] == ["Planned", "Actual"] and "Re-plan from today" in names
    actual = next(t for t in chart["data"] if t["name"] == "Actual")
    assert plotly_array(actual["y"]).tolist() == expected.actual.table["closing"].tolist()
    sentence = expected.standing(make_plan(SCENARIO, time_limit=10))
    assert sentence[:1].upper() + sentence[1:] + "." in texts(at.info)
    assert {b.key for b in at.get("download_button")} >= {"track_dl_schedule", "track_dl_log", "track_dl_actual"}


def test_learned_rates_are_shown_and_used_when_chosen() -> None:
    at = _import(_page(TRACK))
    rates = read_only_table(at, "learned_rate").set_index("bucket")
    # Initial: 1 response among 1 send with an outcome; prior 0.2 worth 20 observations
    assert rates.loc["Initial", "observations"] == 1 and rates.loc["Initial", "responses"] == 1
    assert rates.loc["Initial", "learned_rate"] == pytest.approx((0.2 * 20 + 1) / 21)
    before = read_only_table(at, "expected_responses")["expected_responses"].sum()
    run(at.toggle(key="track_use_learned").set_value(True))
    after = read_only_table(at, "expected_responses")["expected_responses"].sum()
    expected = replan(SCENARIO, GOOD, TODAY, use_learned_rates=True, time_limit=10)
    assert after == pytest.approx(expected.plan.schedule["expected_responses"].sum())
    assert after > before
    assert any("learned response rates" in c.value for c in at.caption)


# --- save, History, reopen ----------------------------------------------------------------------


def test_saving_the_log_adds_new_rows_and_saves_changed_ones_as_the_whole_log(_fresh: Path) -> None:
    at = _import(_page(TRACK))
    run(at.button(key="track_save_log").click())
    assert "Saved 3 new InMails to the log of 'Track test' (batch 1); it holds 3 now." in texts(at.success)
    with Store.open(str(_fresh)) as store:
        assert store.usage("Track test") == sorted(GOOD, key=lambda e: e.sent_on)
    run(at.button(key="track_save_log").click())
    assert "Nothing new to save" in texts(at.info)
    _add_rows(at, [{"sent_on": "2026-06-10", "bucket": "Initial", "outcome": "pending"}])
    run(at.button(key="track_save_log").click())
    assert "Saved 1 new InMails" in texts(at.success)
    # a saved row changed here (a reply came): the whole log is saved again, nothing counted twice
    edit_table(at, _editor_key(at), edited_rows={1: {"outcome": "accepted", "outcome_on": "2026-06-04"}})
    run(at.button(key="track_save_log").click())
    assert "Saved the whole log of 'Track test' again" in texts(at.success)
    with Store.open(str(_fresh)) as store:
        # the table now holds the three imported rows, the second accepted on 4 June
        assert store.usage("Track test") == [
            GOOD[0],
            UsageEntry(date(2026, 6, 2), "Initial", Outcome.ACCEPTED, date(2026, 6, 4)),
            GOOD[2],
        ]
        assert [b.replaces_log for b in store.usage_batches("Track test")] == [False, False, True]


def test_the_saved_log_loads_back_into_the_table(_fresh: Path) -> None:
    with Store.open(str(_fresh)) as store:
        store.add_usage("Track test", GOOD, source="test")
    at = _page(TRACK)
    assert "3 InMails saved under 'Track test'" in texts(at.caption)
    run(at.button(key="track_load_log").click())
    assert "Loaded the 3 InMails saved under 'Track test'." in texts(at.success)
    assert len(_log_table(at)) == 3
    assert metric_values(at)["InMails logged"] == "3"


def test_history_lists_versions_and_plans_and_shows_plan_versus_actual(_fresh: Path) -> None:
    at = _page(HISTORY, today=None)
    assert str(_fresh) in at.markdown[0].value  # the database URL
    assert "Nothing saved yet" in texts(at.info)
    run(at.button(key="history_save").click())
    assert "Saved 'Track test' version 1 with its plan (plan 1)." in texts(at.success)
    run(at.button(key="history_save").click())  # saved again: version 2, the first kept
    versions = read_only_table(at, "version")
    assert versions["version"].tolist() == [1, 2] and versions["plans"].tolist() == [1, 1]
    assert at.selectbox(key="history_plan").value == 2
    plans = read_only_table(at, "expected_responses")
    assert plans["id"].tolist() == [1, 2]
    assert metric_values(at)["Credits granted"] == "15"
    assert "No usage is logged under 'Track test' yet." in texts(at.info)
    with Store.open(str(_fresh)) as store:
        store.add_usage("Track test", GOOD, source="test")
    run(at.date_input(key="history_as_of").set_value(TODAY))
    table = read_only_table(at, "logged_responses")
    row = table.iloc[0]
    assert (row["cycle"], row["status"], row["logged_sends"], row["logged_responses"]) == (1, "to 10 Jun 2026", 3, 2)
    assert row["actual_credits_spent"] == 3
    assert row["planned_credits_spent"] == 15  # the plan sends all 15 credits before 11 June
    chart = chart_spec(at, "history_burndown")
    assert [t["name"] for t in chart["data"]][:2] == ["Planned", "Actual"]


def test_import_save_and_reopen_a_version_from_history() -> None:
    at = app_test(NAV)
    run(at)
    run(at.file_uploader(key="plan_upload").upload("track.toml", SCENARIO_TOML.encode(), "application/toml"))
    saved_toml = at.session_state["scenario_toml"]
    assert scenario_from_toml(saved_toml).title == "Track test"
    # log on the Track page and save the log
    at.session_state["track_today"] = TODAY
    run(at.switch_page(TRACK))
    _import(at)
    run(at.button(key="track_save_log").click())
    assert "Saved 3 new InMails" in texts(at.success)
    # save the scenario and its plan on the History page
    run(at.switch_page(HISTORY))
    run(at.button(key="history_save").click())
    # change the scenario on the Plan page, then reopen the saved version from History
    run(at.switch_page(PLAN))
    run(at.selectbox(key="plan_tier").set_value("Premium Career"))
    assert at.session_state["scenario_toml"] != saved_toml
    run(at.switch_page(HISTORY))
    run(at.button(key="history_open").click())
    assert at.title[0].value == "Plan your InMail credits"
    assert at.session_state["scenario_toml"] == saved_toml
    assert metric_values(at)["Credits granted"] == "15"
    # and the saved log is there for the reopened scenario
    run(at.switch_page(TRACK))
    assert "3 InMails saved under 'Track test'" in texts(at.caption)


def test_replan_reads_the_logs_own_csv_back_unchanged() -> None:
    # the page caches the re-plan on the log's CSV text and reads the entries back from it
    from planner.usage import usage_to_csv

    log = [*GOOD, UsageEntry(date(2026, 6, 9), "Initial", Outcome.PENDING, recipient="=1+1", free=True)]
    assert import_usage(usage_to_csv(log).encode("utf-8")).entries == log

"""AppTest tests of the Track & re-plan and History pages, through their widget keys.

The history database is a temporary SQLite file (``INMAIL_PLANNER_DB`` set
per test). Most tests open a page file directly with the Plan page's
scenario put in the session, as the Plan page leaves it; the tests that move
between pages use ``tests/apps/track_app.py``, the app's navigation with both
pages added. AppTest cannot read a download's bytes: what the page offers
is checked against the library functions it calls.
"""

from __future__ import annotations

import math
import re
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
from planner.logtable import check_log_rows
from planner.scenario import scenario_from_toml, scenario_to_toml
from planner.solve import make_plan
from planner.store import Store
from planner.text import WORD_JOINER
from planner.today import sends_on
from planner.tracking import standing
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


def seen(elements: Any) -> str:
    """The text of markdown elements as a reader sees it: backslash escapes (:func:`planner.text.literal`) resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", texts(elements)).replace(WORD_JOINER, "")


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
    assert not at.error, seen(at.error)
    assert at.title[0].value in ("Track & re-plan", "History")


def test_track_opens_on_the_plan_pages_scenario_with_an_empty_log() -> None:
    at = _page(TRACK)
    assert not at.error, seen(at.error)
    assert "Track test" in at.markdown[0].value
    metrics = metric_values(at)
    assert metrics["InMails logged"] == "0"
    assert metrics["Credits held today"] == "15"  # the grant of 1 June, nothing spent
    assert _log_table(at).empty
    # nothing logged by 11 June: 15 credits behind a plan that sends them all on the first day
    assert "15 credits behind plan" in seen(at.info)


def test_today_defaults_to_the_date_moved_into_the_horizon() -> None:
    at = _page(TRACK, today=None)
    assert at.date_input(key="track_today").value == date(2026, 6, 30)  # the scenario's June is over by now


# --- import -------------------------------------------------------------------------------------


def test_an_import_keeps_the_good_rows_and_names_each_bad_line() -> None:
    at = _import(_page(TRACK))
    warning = seen(at.warning)
    assert "**log.csv**: Imported 3 of 5 rows; rejected 2 (lines 3, 6); ignored column note. The log has 3 rows now." in warning
    assert "- line 3: bucket = 'Nope': not a bucket of the scenario" in warning
    assert "- line 6: outcome_on is empty but outcome is replied; give the date of the replied outcome" in warning
    log = _log_table(at)
    assert log["bucket"].tolist() == ["Initial", "Initial", "Follow-up"]
    assert log["outcome"].tolist() == ["replied", "pending", "declined"]
    metrics = metric_values(at)
    assert metrics["InMails logged"] == "3"
    assert metrics["Responses logged"] == "2"
    assert metrics["Returned by responses"] == "2"
    assert "Traceback" not in seen(at.error) + warning


def test_the_rejection_reasons_of_an_import_are_shown_whole_not_cut_off() -> None:
    # the user saw the reasons cut off at the width of a table column
    at = _import(_page(TRACK))
    reasons = [r.reason for r in import_usage(LOG_CSV, buckets=["Initial", "Follow-up"]).rejected]
    assert len(reasons[0]) > 60  # the bucket's reason names every known bucket
    shown = seen(at.warning)
    for reason in reasons:
        assert reason in shown
    assert not any(frame.editing_mode == "read_only" and "reason" in frame.value.columns for frame in at.dataframe)


def test_an_impossible_date_is_named_for_what_it_is_not_as_not_a_date() -> None:
    # the user saw "2027-02-30" called "not a date; write YYYY-MM-DD"
    data = b"sent_on,bucket,outcome,outcome_on\n2026-06-31,Initial,pending,\n2026-06-03,Initial,replied,2026-02-30\n"
    at = _import(_page(TRACK), data, "dates.csv")
    warning = seen(at.warning)
    assert "- line 2: sent_on = '2026-06-31': June 2026 has 30 days" in warning
    assert "- line 3: outcome_on = '2026-02-30': February 2026 has 28 days" in warning
    assert "not a date" not in warning


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
    errors = seen(at.error)
    assert "**junk.csv** was not imported:" in errors and reason in errors
    assert _log_table(at).empty


def test_day_first_dates_import_when_the_order_is_named() -> None:
    data = b"sent_on,bucket,outcome,outcome_on\n02/06/2026,Initial,replied,05/06/2026\n03/06/2026,Initial,pending,\n"
    at = _import(_page(TRACK), data, "eu.csv")
    assert "rejected 2" in seen(at.warning)
    assert "name the order" in seen(at.warning)
    run(at.radio(key="track_date_order").set_value("day_first"))  # the same file, read again
    assert "**eu.csv**: Imported 2 of 2 rows." in seen(at.success)
    log = _log_table(at)
    assert log["sent_on"].tolist() == [date(2026, 6, 2), date(2026, 6, 3)]


MORE_CSV = b"sent_on,bucket,outcome,outcome_on\n2026-06-09,Initial,pending,\n"


def test_an_import_adds_to_the_log_by_default_and_the_same_file_twice_adds_nothing() -> None:
    at = _import(_page(TRACK))
    assert at.radio(key="track_import_mode").value == "add"
    _import(at, MORE_CSV, "more.csv")
    assert len(_log_table(at)) == 4
    assert "**more.csv**: Imported 1 of 1 rows. Added to the 3 rows the log had: it has 4 now." in seen(at.success)
    _import(at, LOG_CSV, "log.csv")  # the first file again
    assert len(_log_table(at)) == 4
    assert "3 of the file's rows were in it already and were not added again: it has 4 now." in seen(at.warning)
    assert metric_values(at)["InMails logged"] == "4"


def test_an_import_that_replaces_the_log_can_be_undone() -> None:
    # the user saw: importing a log replaced the current one with no way back
    at = _import(_page(TRACK))
    _add_rows(at, [{"sent_on": "2026-06-10", "bucket": "Initial", "outcome": "pending"}])  # typed in, in no file
    run(at.radio(key="track_import_mode").set_value("replace"))
    _import(at, MORE_CSV, "more.csv")
    assert len(_log_table(at)) == 1
    assert "Replaced the log's 4 rows: it has the file's 1 now" in seen(at.success)
    run(at.button(key="track_undo_import").click())
    log = _log_table(at)
    assert len(log) == 4 and log["sent_on"].tolist()[-1] == date(2026, 6, 10)  # the typed row is back too
    assert "Undid the import of more.csv: the log has its 4 rows from before again." in seen(at.success)
    assert metric_values(at)["InMails logged"] == "4"
    assert "track_undo_import" not in [b.key for b in at.button]  # undone: nothing left to undo


def test_undo_is_offered_only_while_the_table_is_as_the_import_left_it() -> None:
    at = _import(_page(TRACK))
    _import(at, MORE_CSV, "more.csv")
    assert "track_undo_import" in [b.key for b in at.button]
    _add_rows(at, [{"sent_on": "2026-06-10", "bucket": "Initial", "outcome": "pending"}])  # an edit after it
    assert "track_undo_import" not in [b.key for b in at.button]  # an undo would drop the edit


def test_rows_after_the_today_in_use_at_import_are_kept_and_count_once_today_is_moved() -> None:
    # the user saw a first import reject good rows as "after today": the import ran with a "today" the page
    # did not show yet (a typed date applies on blur); now the rows stay and the page's today judges them
    at = _import(_page(TRACK, today=date(2026, 6, 3)))
    assert len(_log_table(at)) == 3
    warning = seen(at.warning)
    assert "row 3: sent_on = '2026-06-05' is after today (2026-06-03)" in warning
    assert metric_values(at)["InMails logged"] == "2"
    run(at.date_input(key="track_today").set_value(TODAY))
    assert "after today" not in seen(at.warning)
    assert metric_values(at)["InMails logged"] == "3"


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
    warning = seen(at.warning)
    assert "1 row of the table is left out until fixed:" in warning
    assert "row 5: outcome_on is empty but outcome is accepted" in warning


def test_an_overspending_log_names_the_first_day_and_does_not_replan() -> None:
    at = _page(TRACK)
    _add_rows(at, [{"sent_on": "2026-06-03", "bucket": "Initial", "outcome": "pending"}] * 16)
    errors = seen(at.error)
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
    sentence = standing(expected, make_plan(SCENARIO, time_limit=10))
    assert sentence[:1].upper() + sentence[1:] + "." in seen(at.info)
    # "what do I send today" in the words the Plan page uses for its own plan
    assert sends_on(expected.plan.schedule, TODAY).sentence() in seen(at.success) + seen(at.info)
    assert {b.key for b in at.get("download_button")} >= {"track_dl_schedule", "track_dl_log", "track_dl_actual"}


def test_learned_rates_are_shown_and_used_when_chosen() -> None:
    at = _import(_page(TRACK))
    rates = read_only_table(at, "learned_rate").set_index("bucket")
    # Initial: a reply, and a send of 2 June still pending on 11 June: 9 days old, it counts as the chance that a
    # response would have come by now, F(9) = 1 - exp(-9 / 7) (fewer than 20 responses: L = refund_lag_days = 7)
    n = 1 + (1 - math.exp(-9 / 7))
    assert rates.loc["Initial", "observations"] == pytest.approx(n) and rates.loc["Initial", "responses"] == 1
    assert rates.loc["Initial", "learned_rate"] == pytest.approx((0.2 * 20 + 1) / (20 + n))
    before = read_only_table(at, "expected_responses")["expected_responses"].sum()
    run(at.toggle(key="track_use_learned").set_value(True))
    after = read_only_table(at, "expected_responses")["expected_responses"].sum()
    expected = replan(SCENARIO, GOOD, TODAY, use_learned_rates=True, time_limit=10)
    assert after == pytest.approx(expected.plan.schedule["expected_responses"].sum())
    assert after > before
    assert any("learned response rates" in c.value for c in at.caption)


def test_each_learned_rate_shows_its_5_to_95_percent_range_and_its_effective_n() -> None:
    # the user saw "Observed rate 100 %" two weeks into a log, with no sign of how little it rested on
    at = _import(_page(TRACK))
    table = read_only_table(at, "learned_p05").set_index("bucket")
    expected = replan(SCENARIO, GOOD, TODAY, time_limit=10).rates.set_index("bucket")
    for column in ("observations", "learned_rate", "learned_p05", "learned_p95"):
        assert table[column].tolist() == pytest.approx(expected[column].tolist())
    assert (table["learned_p05"] < table["learned_rate"]).all() and (table["learned_rate"] < table["learned_p95"]).all()
    assert any("5 % and 95 %" in c.value for c in at.caption)


# --- save, History, reopen ----------------------------------------------------------------------


def test_saving_the_log_adds_new_rows_and_saves_changed_ones_as_the_whole_log(_fresh: Path) -> None:
    at = _import(_page(TRACK))
    run(at.button(key="track_save_log").click())
    assert "Saved 3 new InMails to the log of 'Track test' (batch 1); it holds 3 now." in seen(at.success)
    with Store.open(str(_fresh)) as store:
        assert store.usage("Track test") == sorted(GOOD, key=lambda e: e.sent_on)
    run(at.button(key="track_save_log").click())
    assert "Nothing new to save" in seen(at.info)
    _add_rows(at, [{"sent_on": "2026-06-10", "bucket": "Initial", "outcome": "pending"}])
    run(at.button(key="track_save_log").click())
    assert "Saved 1 new InMails" in seen(at.success)
    # a saved row changed here (a reply came): the whole log is saved again, nothing counted twice
    edit_table(at, _editor_key(at), edited_rows={1: {"outcome": "accepted", "outcome_on": "2026-06-04"}})
    run(at.button(key="track_save_log").click())
    assert "Saved the whole log of 'Track test' again" in seen(at.success)
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
    assert "3 InMails saved under 'Track test'" in seen(at.caption)
    run(at.button(key="track_load_log").click())
    assert "Loaded the 3 InMails saved under 'Track test'." in seen(at.success)
    assert len(_log_table(at)) == 3
    assert metric_values(at)["InMails logged"] == "3"


def test_history_lists_versions_and_plans_and_shows_plan_versus_actual(_fresh: Path) -> None:
    at = _page(HISTORY, today=None)
    assert str(_fresh) in seen(at.markdown[:1])  # the database URL
    assert "Nothing saved yet" in seen(at.info)
    run(at.button(key="history_save").click())
    assert "Saved 'Track test' version 1 with its plan (plan 1)." in seen(at.success)
    run(at.button(key="history_save").click())  # saved again, unchanged: no copy
    assert "Unchanged: 'Track test' is still version 1, with its plan (plan 1); nothing new was saved." in seen(at.info)
    versions = read_only_table(at, "version")
    assert versions["version"].tolist() == [1] and versions["plans"].tolist() == [1]
    assert at.selectbox(key="history_plan").value == 1
    plans = read_only_table(at, "expected_responses")
    assert plans["id"].tolist() == [1]
    assert metric_values(at)["Credits granted"] == "15"
    assert "No usage is logged under 'Track test' yet." in seen(at.info)
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
    assert "Saved 3 new InMails" in seen(at.success)
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
    assert "3 InMails saved under 'Track test'" in seen(at.caption)


def test_replan_reads_the_logs_own_csv_back_unchanged() -> None:
    # the page caches the re-plan on the log's CSV text and reads the entries back from it
    from planner.usage import usage_to_csv

    log = [*GOOD, UsageEntry(date(2026, 6, 9), "Initial", Outcome.PENDING, recipient="=1+1", free=True)]
    assert import_usage(usage_to_csv(log).encode("utf-8")).entries == log


# --- what a person reads ------------------------------------------------------------------------

CYCLE_TOML = """version = 1
title = "Grant day"
start = 2026-06-01
cycles = 2
tier = { name = "Cycle 50", monthly_credits = 50, policy = "cycle", credit_back = false }

[[buckets]]
name = "Initial"
goal = "sales"
priority = "high"
response_rate = 0.2
"""


def test_on_a_grant_day_the_credits_held_today_include_the_grant() -> None:
    # the user saw "Credits held today 0 (+50 granted today)" on the first day of a cycle
    at = _page(TRACK, today=date(2026, 7, 1), toml=CYCLE_TOML)
    held = next(m for m in at.metric if m.label == "Credits held today")
    assert (held.value, held.proto.delta) == ("50", "50 granted today, none carried over")
    assert "Today's grant of 50 credits comes on top, usable through Fri 31 Jul 2026." in seen(at.caption)
    run(at.date_input(key="track_today").set_value(date(2026, 7, 2)))
    held = next(m for m in at.metric if m.label == "Credits held today")
    assert (held.value, held.proto.delta) == ("50", "")  # the day after: no note


EVIL = "**T** [evil](http://evil.example)"


def _unescaped_markdown(at: AppTest) -> list[str]:
    """Markdown element bodies that would draw a link or an image."""
    bodies = [e.value for kind in (at.markdown, at.caption, at.error, at.warning, at.info, at.success) for e in kind]
    return [b for b in bodies if re.search(r"(?<!\\)\]\(|(?<!\\)!\[", b)]


def test_markdown_in_titles_bucket_names_file_names_and_log_notes_is_shown_as_typed() -> None:
    # the user saw **T** [evil](http://evil.example) as bold text and a live link
    bucket = "[Sign in](http://evil.example/login)"
    toml = (
        SCENARIO_TOML.replace('title = "Track test"', f"title = {EVIL!r}".replace("'", '"'))
        .replace('name = "Follow-up"', f'name = "{bucket}"')
        .replace('follows = "Initial"\n', "")
    )
    at = _page(TRACK, toml=toml)
    data = (
        "sent_on,bucket,outcome,outcome_on\n"
        f"2026-05-30,{bucket},pending,\n"  # before the start: the ledger's note names the bucket
        f"2026-06-02,{bucket},replied,2026-06-03\n"
        "2026-06-02,<b>Nope</b>,pending,\n"
    ).encode()
    _import(at, data, "[file](http://evil.example).csv")
    assert _unescaped_markdown(at) == []
    shown = seen(at.markdown) + seen(at.warning) + seen(at.caption)
    assert EVIL in shown and "[file](http://evil.example).csv" in shown and "<b>Nope</b>" in shown
    assert f"{bucket}: sent before the scenario starts" in seen(at.markdown)


@pytest.mark.parametrize("title", ["x" * 200, "مرحبا بالعالم", "🚀 Q3 👩‍💻", "<script>alert(1)</script>"])
def test_hostile_titles_are_shown_literally_without_an_error(title: str) -> None:
    toml = SCENARIO_TOML.replace('title = "Track test"', f"title = {title!r}".replace("'", '"'))
    at = _page(TRACK, toml=toml)
    assert not at.error, seen(at.error)
    assert title in seen(at.markdown[:1])
    assert _unescaped_markdown(at) == []


# --- long sessions ------------------------------------------------------------------------------


def _replan_matches_the_library(at: AppTest, today: date, use_learned: bool = False) -> None:
    """The page's metrics and re-plan are what the library makes of the log the page holds (its table with every edit)."""
    entries = check_log_rows(_rows(at), buckets=["Initial", "Follow-up"], today=today).entries
    expected = replan(SCENARIO, entries, today, use_learned_rates=use_learned, time_limit=10)
    assert expected.plan.totals is not None
    metrics = metric_values(at)
    assert metrics["InMails logged"] == str(sum(1 for e in entries if e.sent_on < today))
    assert metrics["New plan: InMails from today"] == str(expected.plan.totals.sends)
    schedule = read_only_table(at, "expected_responses")
    assert schedule["sends"].sum() == expected.plan.schedule["sends"].sum()


def _rows(at: AppTest) -> list[dict[str, Any]]:
    """The log's rows as the page read them from its table on the last run, edits included."""
    return list(at.session_state["track_rows_edited"])


def test_a_long_session_on_track_and_history_never_raises_and_keeps_every_edit(_fresh: Path) -> None:
    at = app_test(NAV)
    run(at)
    run(at.file_uploader(key="plan_upload").upload("track.toml", SCENARIO_TOML.encode(), "application/toml"))
    at.session_state["track_today"] = TODAY
    run(at.switch_page(TRACK))
    _import(at)
    _replan_matches_the_library(at, TODAY)
    typed = [{"sent_on": "2026-06-08", "bucket": "Initial", "outcome": "pending"}]
    _add_rows(at, typed)
    # the editor sends its whole delta each time: the added row and, now, an edit
    edit_table(at, _editor_key(at), edited_rows={2: {"outcome": "accepted", "outcome_on": "2026-06-10"}}, added_rows=typed)
    _replan_matches_the_library(at, TODAY)
    run(at.toggle(key="track_use_learned").set_value(True))
    _replan_matches_the_library(at, TODAY, use_learned=True)
    run(at.toggle(key="track_use_learned").set_value(False))
    run(at.date_input(key="track_today").set_value(date(2026, 6, 15)))
    _replan_matches_the_library(at, date(2026, 6, 15))
    run(at.date_input(key="track_today").set_value(TODAY))
    assert len(_rows(at)) == 4 and _rows(at)[2]["outcome"] == "accepted"
    _import(at, MORE_CSV, "more.csv")  # added
    assert len(_rows(at)) == 5
    run(at.button(key="track_undo_import").click())  # and undone
    assert len(_rows(at)) == 4 and _rows(at)[2]["outcome"] == "accepted" and _rows(at)[3]["sent_on"] == date(2026, 6, 8)
    run(at.button(key="track_save_log").click())
    assert "Saved 4 new InMails" in seen(at.success)
    for page in (PLAN, HISTORY, TRACK, HISTORY, TRACK):  # leave and come back, several times
        run(at.switch_page(page))
        assert not at.error, seen(at.error)
    log = _log_table(at)  # the table as drawn after the visits
    assert len(log) == 4 and log["outcome"].tolist()[2] == "accepted"  # the edits survived them
    _replan_matches_the_library(at, TODAY)
    run(at.switch_page(HISTORY))
    run(at.button(key="history_save").click())
    run(at.date_input(key="history_as_of").set_value(TODAY))
    table = read_only_table(at, "logged_responses")
    assert table["logged_sends"].iloc[0] == 4
    run(at.selectbox(key="history_plan").set_value(1))
    run(at.button(key="history_open").click())
    assert at.title[0].value == "Plan your InMail credits"
    run(at.switch_page(TRACK))
    assert len(_rows(at)) == 4
    # a reload: a new session on the same link, the saved log loads back
    again = app_test(NAV)
    again.query_params["s"] = at.query_params.get("s", "")
    run(again)
    again.session_state["track_today"] = TODAY
    run(again.switch_page(TRACK))
    run(again.button(key="track_load_log").click())
    assert len(_rows(again)) == 4
    _replan_matches_the_library(again, TODAY)

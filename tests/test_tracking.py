"""planner.tracking: the log as table rows, plan versus actual, the headline table and the burn-down figure.

Numbers are worked out by hand from MODEL.md ("Actuals") in the comments,
on the two-cycle scenario and the ten-day log of ``test_actuals.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from conftest import ACTUALS_SCENARIO

from planner.actuals import actual_ledger, replan
from planner.scenario import parse_scenario, resolve
from planner.solve import make_plan
from planner.store import Store
from planner.tracking import (
    actual_burndown_figure,
    actual_to_date,
    balance_table,
    check_log_rows,
    clamp_today,
    clean_log_rows,
    gap_words,
    headline_table,
    log_diff,
    log_rows,
    logged_before,
    plan_vs_actual,
    plans_table,
    responses,
    scenario_versions_table,
    spend_gap,
)
from planner.usage import Outcome, UsageEntry

P, A, D, R = Outcome.PENDING, Outcome.ACCEPTED, Outcome.DECLINED, Outcome.REPLIED

SCENARIO = parse_scenario(ACTUALS_SCENARIO)  # 1 June 2026 is a Monday; cycle 1 is June, cycle 2 July
PROBLEM = resolve(SCENARIO)


def entry(sent: date, bucket: str, outcome: Outcome, on: date | None = None, **extra: Any) -> UsageEntry:
    return UsageEntry(sent, bucket, outcome, on, **extra)


def june(day: int) -> date:
    return date(2026, 6, day)


# ten days of sends, some replies, some declines, 4 June missed (as in test_actuals.py)
LOG = [
    entry(june(1), "A", R, june(3)),
    entry(june(1), "A", P),
    entry(june(2), "A", D, june(5)),
    entry(june(2), "A", P),
    entry(june(3), "A", A, june(4)),
    entry(june(5), "F", P),
    entry(june(8), "A", P),
    entry(june(9), "A", R, june(10)),
    entry(june(10), "F", P),
]
TODAY = june(11)


@pytest.fixture(scope="module")
def original() -> Any:
    plan = make_plan(SCENARIO, time_limit=30)
    assert plan.is_ok
    return plan


# --- the log as table rows ------------------------------------------------------------------


def test_rows_read_back_as_the_same_entries() -> None:
    log = [
        *LOG,
        entry(june(4), "A", P, recipient="=HYPERLINK(1)", free=True),  # formula-like text comes back as text
        entry(june(4), "A", P, recipient="'quoted", free=False),
        entry(june(4), "F", R, june(6), recipient='Ana; ops, "EMEA"'),
    ]
    rows = log_rows(log)
    assert [r["free"] for r in rows[-3:]] == ["free", "paid", None]
    check = check_log_rows(rows, buckets=["A", "F"], today=TODAY)
    assert check.rejected == []
    assert check.entries == log


def test_bad_rows_are_named_by_their_row_number_and_the_good_ones_kept() -> None:
    rows = log_rows(LOG[:2])
    rows.insert(1, {"sent_on": june(2), "bucket": "Nope", "outcome": "pending"})
    rows.append({"sent_on": june(3), "bucket": "A", "outcome": "replied"})  # no outcome date
    rows.append({"sent_on": june(12), "bucket": "A", "outcome": "pending"})  # after today
    rows.append({"sent_on": "3/6/2026", "bucket": "A", "outcome": "pending"})  # text that is no ISO date
    rows.append({"sent_on": june(3), "bucket": "A", "outcome": "pending", "free": "maybe"})
    check = check_log_rows(rows, buckets=["A", "F"], today=TODAY)
    assert check.entries == LOG[:2]
    assert [r.line for r in check.rejected] == [2, 4, 5, 6, 7]
    messages = check.messages()
    assert messages[0].startswith("row 2: bucket = 'Nope': not a bucket of the scenario")
    assert messages[1] == "row 4: outcome_on is empty but outcome is replied; give the date of the replied outcome"
    assert messages[2] == "row 5: sent_on = '2026-06-12' is after today (2026-06-11)"
    assert "row 6: sent_on = '3/6/2026': not an ISO date" in messages[3]
    assert messages[4].startswith("row 7: free = 'maybe': not a yes/no value")


def test_no_rows_is_an_empty_log() -> None:
    check = check_log_rows([], buckets=["A"])
    assert check.entries == [] and check.rejected == []


def test_clean_rows_take_what_a_table_editor_returns() -> None:
    records = [
        {
            "sent_on": pd.Timestamp("2026-06-01"),
            "bucket": "A",
            "outcome": "replied",
            "outcome_on": datetime(2026, 6, 3, 0, 0),
            "recipient": "  Ana  ",
            "free": pd.NA,
        },
        {
            "sent_on": "2026-06-02",
            "bucket": "A",
            "outcome": "pending",
            "outcome_on": pd.NaT,
            "recipient": float("nan"),
            "free": "paid",
        },
        {"sent_on": None, "bucket": None, "outcome": None, "outcome_on": None, "recipient": "", "free": None},  # a blank row
    ]
    rows = clean_log_rows(records)
    assert rows == [
        {"sent_on": june(1), "bucket": "A", "outcome": "replied", "outcome_on": june(3), "recipient": "Ana", "free": None},
        {"sent_on": june(2), "bucket": "A", "outcome": "pending", "outcome_on": None, "recipient": None, "free": "paid"},
    ]
    entries = check_log_rows(rows, buckets=["A"]).entries
    assert entries == [entry(june(1), "A", R, june(3), recipient="Ana"), entry(june(2), "A", P, free=False)]


def test_log_diff_is_a_multiset_difference() -> None:
    a, b, c = LOG[0], LOG[1], LOG[2]
    assert log_diff([a, a, b], [a]) == ([a, b], [])
    assert log_diff([a, c], [a, b]) == ([c], [b])  # b was changed or deleted since it was saved
    assert log_diff([], []) == ([], [])


# --- actuals --------------------------------------------------------------------------------


def test_today_is_clamped_into_the_horizon() -> None:
    assert clamp_today(PROBLEM, date(2026, 1, 1)) == june(1)
    assert clamp_today(PROBLEM, TODAY) == TODAY
    assert clamp_today(PROBLEM, date(2027, 1, 1)) == date(2026, 7, 31)


def test_actual_to_date_inside_the_horizon_is_the_actual_ledger() -> None:
    ours, theirs = actual_to_date(PROBLEM, LOG, TODAY), actual_ledger(PROBLEM, LOG, TODAY)
    assert ours.table.equals(theirs.table)
    assert ours.credits_returned == theirs.credits_returned == 4
    assert [(lot.last_day, lot.amount) for lot in ours.lots] == [(lot.last_day, lot.amount) for lot in theirs.lots]


def test_actual_to_date_after_the_horizon_covers_its_last_day() -> None:
    last = date(2026, 7, 31)
    log = [*LOG, entry(last, "A", P), entry(date(2026, 7, 30), "A", R, last)]
    actual = actual_to_date(PROBLEM, log, date(2026, 9, 1))
    table = actual.table
    assert len(table) == PROBLEM.n_days == 61
    assert table["date"].iloc[-1] == last
    assert table["spent"].sum() == 11
    # the reply of 30 July returns its credit on 31 July, the last day
    assert table.loc[table["date"] == last, "credited_back"].item() == 1
    assert actual.credits_returned == 5
    # 10 + 10 granted, 11 spent, 5 returned, nothing expires within 61 days of 90-day credits
    assert table["closing"].iloc[-1] == 20 - 11 + 5
    assert actual.overspent_on is None


def test_an_overspending_log_names_its_first_day_after_the_horizon_too() -> None:
    log = [entry(june(2), "A", P)] * 11
    assert actual_to_date(PROBLEM, log, TODAY).overspent_on == june(2)
    assert actual_to_date(PROBLEM, log, date(2026, 12, 1)).overspent_on == june(2)


def test_balance_table_counts_the_days_each_lot_has_left() -> None:
    actual = actual_ledger(PROBLEM, LOG, TODAY)
    table = balance_table(actual, PROBLEM)
    assert list(table.columns) == ["expires_after", "credits", "days_left"]
    # the grant of 1 June is usable through 29 Aug: 80 days from 11 June, both counted
    assert table.iloc[0].to_dict() == {"expires_after": date(2026, 8, 29), "credits": 1.0, "days_left": 80}
    assert table["credits"].sum() == 5


def test_logged_before_and_responses() -> None:
    log = [*LOG, entry(june(11), "A", P), entry(date(2026, 5, 31), "A", P)]
    kept = logged_before(PROBLEM, log, TODAY)
    assert kept == LOG
    assert responses(kept) == 4


def test_spend_gap_against_the_plan(original: Any) -> None:
    actual = actual_ledger(PROBLEM, LOG, TODAY)
    planned = float(original.ledger.loc[original.ledger["date"] < TODAY, "spent"].sum())
    assert spend_gap(original.ledger, actual.table, TODAY) == pytest.approx(planned - 9)
    assert spend_gap(None, actual.table, TODAY) is None
    assert gap_words(1.0) == "1 credit behind plan"
    assert gap_words(-3.4) == "3 credits ahead of plan"


def test_headline_table_puts_the_old_plan_the_log_and_the_replan_side_by_side(original: Any) -> None:
    result = replan(SCENARIO, LOG, TODAY, time_limit=30)
    kept = logged_before(PROBLEM, LOG, TODAY)
    table = headline_table(original, result.actual, result.plan, kept).set_index("measure")
    new = result.plan.totals
    assert new is not None
    assert list(table.columns) == ["old_plan", "logged", "new_plan", "logged_plus_new"]
    sends = table.loc["InMails sent"]
    assert sends["old_plan"] == original.totals.sends
    assert sends["logged"] == 9
    assert sends["new_plan"] == new.sends
    assert sends["logged_plus_new"] == 9 + new.sends
    spent = table.loc["Credits spent"]
    assert spent["logged"] == 9 and spent["new_plan"] == new.credits_spent
    resp = table.loc["Responses (logged; expected in a plan)"]
    assert resp["logged"] == 4
    assert resp["logged_plus_new"] == pytest.approx(4 + new.expected_responses)
    assert table.loc["Credits back from responses", "logged"] == 4
    left = table.loc["Credits left at the end"]
    assert pd.isna(left["logged"]) and left["logged_plus_new"] == pytest.approx(new.credits_left_at_end)


def test_headline_table_without_plans_keeps_the_log_column() -> None:
    actual = actual_ledger(PROBLEM, LOG, TODAY)
    table = headline_table(None, actual, None, LOG).set_index("measure")
    assert table["old_plan"].isna().all() and table["new_plan"].isna().all()
    assert table.loc["InMails sent", "logged"] == 9


def test_plan_vs_actual_per_cycle(original: Any) -> None:
    log = [*LOG, entry(date(2026, 7, 1), "A", R, date(2026, 7, 2)), entry(date(2026, 7, 2), "A", P)]
    today = date(2026, 7, 3)
    table = plan_vs_actual(PROBLEM, original.schedule, original.ledger, log, today)
    assert list(table["cycle"]) == [1, 2]
    june_row, july_row = table.iloc[0], table.iloc[1]
    assert june_row["status"] == "done" and june_row["last_day"] == date(2026, 6, 30)
    assert july_row["status"] == "to 02 Jul 2026" and july_row["last_day"] == date(2026, 7, 2)
    # June: the ten-day log; July: two sends, one reply
    assert (june_row["logged_sends"], june_row["actual_credits_spent"], june_row["logged_responses"]) == (9, 9.0, 4)
    assert (july_row["logged_sends"], july_row["actual_credits_spent"], july_row["logged_responses"]) == (2, 2.0, 1)
    sched, ledger = original.schedule, original.ledger
    in_june = sched["cycle"] == 1
    assert june_row["planned_sends"] == sched.loc[in_june, "sends"].sum()
    assert june_row["expected_responses"] == pytest.approx(sched.loc[in_june, "expected_responses"].sum())
    assert june_row["planned_credits_spent"] == ledger.loc[ledger["cycle"] == 1, "spent"].sum()
    early_july = (sched["date"] >= date(2026, 7, 1)) & (sched["date"] <= date(2026, 7, 2))
    assert july_row["planned_sends"] == sched.loc[early_july, "sends"].sum()


def test_plan_vs_actual_before_the_start_is_empty(original: Any) -> None:
    assert plan_vs_actual(PROBLEM, original.schedule, original.ledger, LOG, june(1)).empty


def test_plan_vs_actual_reads_a_saved_plans_tables(original: Any) -> None:
    store = Store.open("sqlite://")
    try:
        record = store.save_scenario("two cycles", SCENARIO)
        saved = store.load_plan_record(store.save_plan(record.id, original).id)
        from_store = plan_vs_actual(PROBLEM, saved.schedule(), saved.ledger(), LOG, date(2026, 8, 15))
    finally:
        store.close()
    direct = plan_vs_actual(PROBLEM, original.schedule, original.ledger, LOG, date(2026, 8, 15))
    pd.testing.assert_frame_equal(from_store, direct, check_dtype=False)
    assert list(from_store["status"]) == ["done", "done"]


# --- the chart ------------------------------------------------------------------------------


def test_the_figure_draws_plan_actual_and_replan_with_today_and_the_gap(original: Any) -> None:
    result = replan(SCENARIO, LOG, TODAY, time_limit=30)
    fig = actual_burndown_figure(PROBLEM, original.ledger, result.actual.table, TODAY, result.plan.ledger)
    names = [t.name for t in fig.data]
    assert names[:2] == ["Planned", "Actual"]
    assert {"Returned by a response", "Re-plan from today"} <= set(names)
    actual = next(t for t in fig.data if t.name == "Actual")
    assert list(actual.x) == [june(d) for d in range(1, 11)]
    assert list(actual.y) == list(result.actual.table["closing"])
    replanned = next(t for t in fig.data if t.name == "Re-plan from today")
    assert replanned.x[0] == TODAY
    texts = [a.text for a in fig.layout.annotations]
    assert "Today, Thu 11 Jun 2026" in texts
    gap = spend_gap(original.ledger, result.actual.table, TODAY)
    assert gap is not None and f"<b>{gap_words(gap)}</b>" in texts
    assert "Cycle 2: T" in texts
    assert "Actual" in actual.text[2] and "+1 back from responses" in actual.text[2]  # 3 June: a reply's credit


def test_the_figure_without_anything_to_draw_says_so() -> None:
    empty = actual_ledger(PROBLEM, [], june(1)).table
    fig = actual_burndown_figure(PROBLEM, None, empty, june(1))
    assert not fig.data
    assert "Nothing to draw yet" in fig.layout.annotations[0].text


def test_the_figure_shows_actual_expiry() -> None:
    scenario = parse_scenario(
        {
            "start": date(2026, 6, 1),
            "cycles": 2,
            "tier": {"name": "Cycle", "monthly_credits": 3, "policy": "cycle"},
            "buckets": [{"name": "A", "goal": "sales", "priority": "high", "response_rate": 0.2}],
        }
    )
    problem = resolve(scenario)
    actual = actual_ledger(problem, [entry(june(2), "A", P)], date(2026, 7, 5))
    fig = actual_burndown_figure(problem, None, actual.table, date(2026, 7, 5))
    expiry = next(t for t in fig.data if t.name == "Expiry")
    assert list(expiry.x) == [june(30)] and list(expiry.text) == ["−2"]


# --- history tables -------------------------------------------------------------------------


def test_versions_and_plans_tables(original: Any) -> None:
    store = Store.open("sqlite://")
    try:
        first = store.save_scenario("Q3", SCENARIO)
        second = store.save_scenario("Q3", SCENARIO.model_copy(update={"title": "Q3 again"}))
        saved = store.save_plan(second.id, original)
        versions = scenario_versions_table(store.scenario_versions("Q3"), {second.id: 1})
        plans = plans_table(store.list_plans())
    finally:
        store.close()
    assert list(versions["version"]) == [1, 2]
    assert list(versions["id"]) == [first.id, second.id]
    assert list(versions["title"]) == ["", "Q3 again"]
    assert list(versions["plans"]) == [0, 1]
    assert versions["tier"].iloc[0] == "T" and versions["cycles"].iloc[0] == 2 and versions["buckets"].iloc[0] == 2
    assert plans["id"].tolist() == [saved.id]
    row = plans.iloc[0]
    assert (row["name"], row["version"], row["status"]) == ("Q3", 2, "optimal")
    assert row["expected_responses"] == pytest.approx(original.totals.expected_responses)
    assert pd.isna(row["cost_per_response"])  # an inline tier has no price

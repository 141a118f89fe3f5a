"""planner.tracking: plan versus actual, the credits held today, where the log stands, the headline table.

Numbers are worked out by hand from MODEL.md ("Actuals") in the comments,
on the two-cycle scenario and the ten-day log of :mod:`actual_log`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from actual_log import LOG, PROBLEM, SCENARIO, TODAY, P, R, cycle_problem, entry, june

from planner.actuals import actual_ledger, replan
from planner.solve import make_plan
from planner.store import Store
from planner.tracking import (
    actual_to_date,
    balance_table,
    clamp_today,
    gap_words,
    headline_table,
    held_today,
    logged_before,
    plan_vs_actual,
    responses,
    spend_gap,
    standing,
)


@pytest.fixture(scope="module")
def original() -> Any:
    plan = make_plan(SCENARIO, time_limit=30)
    assert plan.is_ok
    return plan


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


# --- the credits held today, and where the log stands ------------------------------------------


def test_on_a_grant_day_the_credits_held_count_the_grant_as_a_person_would() -> None:
    # the user saw "Credits held today 0 (+50 granted today)" on the first day of a cycle
    problem = cycle_problem(50)
    held = held_today(problem, [entry(june(2), "A", P)] * 3, date(2026, 7, 1))
    assert (held.carried, held.granted, held.forfeited, held.total) == (0, 50, 0, 50)  # June's 47 expired on 30 June
    assert held.note() == "50 granted today, none carried over"
    other_day = held_today(problem, [entry(june(2), "A", P)] * 3, june(3))
    assert (other_day.total, other_day.note()) == (47, None)


def test_a_grant_over_the_cap_is_counted_less_what_the_cap_forfeits() -> None:
    # 10 a month, cap 30, nothing sent: 10 held on 30 June, 10 granted on 1 July, nothing over the cap
    held = held_today(PROBLEM, [], date(2026, 7, 1))
    assert (held.carried, held.granted, held.forfeited, held.total) == (10, 10, 0, 20)
    assert held.note() == "10 granted today, 10 carried over"
    # the reply of 3 June returns its credit that day: 10 granted, 4 sent on 1 and 2 June, 1 back
    back = held_today(PROBLEM, LOG, june(3))
    assert (back.carried, back.returned, back.total) == (6, 1, 7)
    assert back.note() == "1 back from a response, 6 carried over"


def test_standing_says_behind_or_ahead_and_what_expires_next(original: Any) -> None:
    result = replan(SCENARIO, LOG, TODAY, time_limit=30)
    sentence = standing(result, original)
    gap = spend_gap(original.ledger, result.actual.table, TODAY)
    assert gap is not None and sentence.startswith(gap_words(gap) + "; at this pace ")
    assert standing(result).startswith("at this pace ")

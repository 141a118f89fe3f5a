"""planner.logtable: the usage log as the rows of the Track page's table, checked by the import's rules."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from actual_log import LOG, TODAY, P, R, entry, june

from planner.logtable import add_rows, check_log_rows, clean_log_rows, log_rows


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


def test_a_file_added_twice_adds_its_rows_once() -> None:
    rows = log_rows(LOG[:3])
    again, held = add_rows(rows, LOG[:3])
    assert again == rows and held == 3
    more, held = add_rows(rows, LOG[:5])  # an updated export: only its two new rows come in
    assert more == log_rows(LOG[:5]) and held == 3
    twins, held = add_rows([], [LOG[1], LOG[1]])  # two InMails alike are two sends
    assert len(twins) == 2 and held == 0

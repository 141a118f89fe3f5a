"""The usage log as the rows of the Track page's editable table, and back; no Streamlit.

- :func:`log_rows` and :func:`clean_log_rows`: the log as table rows (dates
  as ``date``, ``free`` as ``"free"``/``"paid"``/None) and the rows an
  editable table returns, cleaned;
- :func:`check_log_rows`: every row checked by the one set of row rules
  (:func:`planner.usage.parse_usage_row`, which a file import and
  ``inmail-planner log add`` use too), so a row typed in the app and a row in
  a file mean the same;
- :func:`add_rows`: a file's entries added to the log, those the log already
  holds not twice (:func:`planner.usage.log_diff`, the one rule for
  duplicates).

>>> rows = log_rows([UsageEntry(date(2026, 6, 1), "Initial", Outcome.REPLIED, date(2026, 6, 3), free=False)])
>>> rows[0]["free"], check_log_rows(rows, buckets=["Initial"]).entries[0].outcome
('paid', <Outcome.REPLIED: 'replied'>)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from planner.usage import COLUMNS, Outcome, Rejected, UsageEntry, UsageRowError, log_diff, parse_usage_row

LOG_COLUMNS = list(COLUMNS)  # sent_on, bucket, outcome, outcome_on, recipient, free
FREE = "free"  # the ``free`` cell of a row: sent without a credit
PAID = "paid"  # ... or with one; empty means the bucket's default
FREE_CHOICES = (FREE, PAID)
OUTCOMES = [str(o) for o in Outcome]

Row = dict[str, Any]


def log_rows(entries: Iterable[UsageEntry]) -> list[Row]:
    """The log as rows of the editable table: dates as ``date``, ``free`` as ``"free"``/``"paid"``/None.

    >>> [row] = log_rows([UsageEntry(date(2026, 6, 1), "A", Outcome.PENDING)])
    >>> row["sent_on"], row["outcome"], row["outcome_on"], row["free"]
    (datetime.date(2026, 6, 1), 'pending', None, None)
    """
    return [
        {
            "sent_on": e.sent_on,
            "bucket": e.bucket,
            "outcome": str(e.outcome),
            "outcome_on": e.outcome_on,
            "recipient": e.recipient,
            "free": None if e.free is None else (FREE if e.free else PAID),
        }
        for e in entries
    ]


def _blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip() == "":
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _as_date(value: object) -> date | str | None:
    """A table cell as a date; text that is not one stays text (the row check names it)."""
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[10:11] in ("", "T", " ") else text
    except ValueError:
        return text


def _as_text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip() or None


def clean_log_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    """The rows an editable table returns, with blanks as None and dates as ``date``.

    Rows with every cell blank (a row added and left empty) are dropped.

    >>> rows = clean_log_rows([{"sent_on": pd.Timestamp("2026-06-01"), "bucket": "A", "outcome": "pending",
    ...                         "outcome_on": pd.NaT, "recipient": float("nan"), "free": None}, {"bucket": None}])
    >>> len(rows), rows[0]["sent_on"], rows[0]["outcome_on"], rows[0]["recipient"]
    (1, datetime.date(2026, 6, 1), None, None)
    """
    rows = []
    for record in records:
        row: Row = {
            "sent_on": _as_date(record.get("sent_on")),
            "bucket": _as_text(record.get("bucket")),
            "outcome": _as_text(record.get("outcome")),
            "outcome_on": _as_date(record.get("outcome_on")),
            "recipient": _as_text(record.get("recipient")),
            "free": _as_text(record.get("free")),
        }
        if all(v is None for v in row.values()):
            continue
        rows.append(row)
    return rows


@dataclass(frozen=True)
class LogCheck:
    """The rows of the log table read as usage entries: the good ones and each bad row's reason.

    ``rejected`` holds row numbers counted from 1 (the table's first row).
    """

    entries: list[UsageEntry]
    rejected: list[Rejected] = field(default_factory=list)

    def messages(self) -> list[str]:
        """One line per bad row: ``row 3: outcome_on is empty but outcome is replied; ...``."""
        return [f"row {r.line}: {r.reason}" for r in self.rejected]


def _free_value(value: object) -> object:
    """A ``free`` cell for the row rules: ``"free"``/``"paid"`` as yes/no; anything else as it is (the rules name it)."""
    text = value.strip().lower() if isinstance(value, str) else value
    return {FREE: True, PAID: False}.get(text, value) if isinstance(text, str) else value


def check_log_rows(
    rows: Sequence[Mapping[str, Any]], *, buckets: Collection[str] | None = None, today: date | None = None
) -> LogCheck:
    """Read table rows as usage entries by the one set of row rules (:func:`planner.usage.parse_usage_row`).

    Parameters
    ----------
    rows
        Rows as :func:`clean_log_rows` gives them.
    buckets
        The scenario's bucket names; a row naming another bucket is rejected.
    today
        A row sent, or with an outcome, after this day is rejected.

    >>> check = check_log_rows([{"sent_on": date(2026, 6, 1), "bucket": "A", "outcome": "replied"}], buckets=["A"])
    >>> check.entries, check.messages()
    ([], ['row 1: outcome_on is empty but outcome is replied; give the date of the replied outcome'])
    """
    entries: list[UsageEntry] = []
    rejected: list[Rejected] = []
    for number, row in enumerate(rows, start=1):
        cells = {column: row.get(column) for column in LOG_COLUMNS} | {"free": _free_value(row.get("free"))}
        try:
            entries.append(parse_usage_row(cells, buckets=buckets, today=today))
        except UsageRowError as err:
            rejected.append(Rejected(number, str(err), tuple(p.kind for p in err.problems)))
    return LogCheck(entries, rejected)


def add_rows(log: Sequence[Mapping[str, Any]], incoming: Sequence[UsageEntry]) -> tuple[list[Row], int]:
    """``log`` with the entries of ``incoming`` it does not hold yet, and how many it already held.

    Duplicates follow the one rule of :func:`planner.usage.log_diff`: a file
    imported twice adds nothing the second time, an updated export adds only
    its new rows, and two identical rows (two InMails alike) both count.

    >>> a = UsageEntry(date(2026, 6, 1), "A", Outcome.PENDING)
    >>> b = UsageEntry(date(2026, 6, 2), "A", Outcome.PENDING)
    >>> rows, held = add_rows(log_rows([a]), [a, b, b])
    >>> len(rows), held
    (3, 1)
    """
    new, _ = log_diff(incoming, check_log_rows(log).entries)
    return [*(dict(r) for r in log), *log_rows(new)], len(incoming) - len(new)

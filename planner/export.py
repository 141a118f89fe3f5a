"""Exports: spreadsheet-safe CSV of schedules, ledgers and comparisons, and summary JSON.

A cell that a spreadsheet would read as a formula (it begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with a leading ``'`` so that
it opens as text, by the one rule of :mod:`planner.spreadsheet`. Numbers stay
numbers: only text cells are escaped.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from planner.plan import Plan
from planner.spreadsheet import FORMULA_STARTS as FORMULA_STARTS  # noqa: F401 - planner.tracking still reads it here
from planner.spreadsheet import safe_cell


def to_csv(table: pd.DataFrame) -> str:
    """A table as spreadsheet-safe CSV text."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def schedule_csv(plan: Plan) -> str:
    return to_csv(plan.schedule)


def ledger_csv(plan: Plan) -> str:
    return to_csv(plan.ledger)


def summary_json(plan: Plan, data: dict[str, object] | None = None) -> str:
    """The plan's summary as JSON text, or ``data`` (the summary with more keys) when given."""
    return json.dumps(plan.summary() if data is None else data, indent=2, default=str) + "\n"


def write_text(path: Path | str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")

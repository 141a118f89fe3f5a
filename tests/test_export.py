"""Spreadsheet-safe CSV and summary exports."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from planner.export import safe_cell, summary_json, to_csv
from planner.paths import EXAMPLES_DIR
from planner.scenario import load_scenario
from planner.solve import make_plan


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_escaped(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert to_csv(pd.DataFrame({"bucket": [text]})).splitlines()[1].lstrip('"').startswith("'")


def test_numbers_and_plain_text_are_untouched() -> None:
    table = pd.DataFrame({"bucket": ["Follow-up"], "sends": [-3], "rate": [0.5]})
    assert to_csv(table) == "bucket,sends,rate\nFollow-up,-3,0.5\n"


def test_summary_json_holds_totals_status_and_gap() -> None:
    plan = make_plan(load_scenario(EXAMPLES_DIR / "job_seeker.toml"))
    data = json.loads(summary_json(plan))
    assert data["status"] == "optimal"
    assert data["totals"]["sends"] == 10
    assert 0 <= data["gap"] <= 0.005


def test_a_text_cell_reads_back_as_written_through_export_and_the_log_import() -> None:
    # one rule for both: a cell led by "'" is marked too, so that dropping one mark on import gives it back
    from datetime import date

    from planner.spreadsheet import escape_cell, unescape_cell
    from planner.usage import Outcome, UsageEntry, import_usage, usage_to_csv

    for text in ("'quoted", "=1", "plain", "-x"):
        assert unescape_cell(escape_cell(text)) == text
        assert to_csv(pd.DataFrame({"bucket": [text]})).splitlines()[1] == escape_cell(text)
        log = usage_to_csv([UsageEntry(date(2026, 6, 1), text, Outcome.PENDING)])
        assert import_usage(log.encode()).entries[0].bucket == text


def test_the_csv_parser_of_the_log_loads_neither_the_exports_nor_pandas() -> None:
    import subprocess
    import sys

    code = "import sys, planner.usage; print(sorted({'pandas', 'planner.export', 'planner.plan'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr

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

"""AppTest tests: the Plan page says why each bucket sends what it does, the Compare page draws the response curve.

The app runs from ``app.py`` on a link to MODEL.md's sales example; the
expected reasons and credit values are :mod:`planner.why`'s on the same plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from apphelpers import app_test, chart_spec, plotly_array, run, shown

from planner.paths import EXAMPLES_DIR
from planner.scenario import load_scenario
from planner.share import PARAM, encode_scenario
from planner.solve import make_plan
from planner.why import why

APP = "../app.py"
COMPARE = "app_pages/compare.py"
SALES = EXAMPLES_DIR / "sales_rep.toml"


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    st.cache_data.clear()
    monkeypatch.setenv("INMAIL_PLANNER_DB", str(tmp_path / "history.sqlite3"))
    yield


def _opened() -> object:
    at = app_test(APP)
    at.query_params[PARAM] = encode_scenario(load_scenario(SALES))
    return run(at)


def test_the_plan_page_shows_every_buckets_reason_and_the_credit_value() -> None:
    at = _opened()
    expected = why(make_plan(load_scenario(SALES)))
    markdown = "\n".join(shown(m.value) for m in at.markdown)  # type: ignore[attr-defined]
    assert "Why these sends" in markdown
    for b in expected.buckets:
        assert f"- {b.line}" in markdown
    assert "Initial prospecting: 25 sends: pool of 25 used up" in markdown
    table = next(d for d in at.dataframe if "weighted_value" in d.value.columns).value  # type: ignore[attr-defined]
    assert list(table["cycle"]) == [1]
    assert table["responses"].iloc[0] == pytest.approx(expected.credit_values[0].responses)


def test_the_compare_page_draws_the_response_curve() -> None:
    at = _opened()
    at = run(at.switch_page(COMPARE))  # type: ignore[attr-defined]
    spec = chart_spec(at, "compare_curve")
    line = spec["data"][0]
    credits = plotly_array(line["x"])
    assert credits[0] == 0 and credits[-1] == 200  # 4x the example's 50 credits a month
    responses = plotly_array(line["y"])
    assert (responses[1:] >= responses[:-1] - 1e-9).all()
    labels = [text for trace in spec["data"][1:] for text in trace["text"]]
    assert any(label.startswith("Sales Navigator Core") for label in labels)
    assert "Cheapest response" in spec["layout"]["title"]["text"]
    assert any("Cheapest response" in shown(m.value) for m in at.markdown)  # type: ignore[attr-defined]

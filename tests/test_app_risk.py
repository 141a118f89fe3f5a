"""AppTest tests of the outcome simulation in the app: the ranges on the Compare page.

The app runs from ``app.py``, as a browser opens it; a fresh AppTest in the
same process is a new browser session on the same server (the caches are
shared). Expected numbers come from :mod:`planner.risk`, the library the
command line runs, with the same paths and seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from apphelpers import app_test, edit_table, read_only_table, run, texts
from streamlit.testing.v1 import AppTest

import planner.risk
from planner.catalog import load_catalog
from planner.compare import current_tier, tier_scenario, tiers_to_compare
from planner.risk import DEFAULT_PATHS, DEFAULT_SEED, compare_with_risk
from planner.scenario import scenario_from_toml
from planner.solve import make_plan
from planner.text import literal

APP = "../app.py"  # relative to tests/
COMPARE = "app_pages/compare.py"
PLAN = "app_pages/plan.py"
COMPARE_TIME_LIMIT = 5.0  # the Compare page's default


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    st.cache_data.clear()
    monkeypatch.setenv("INMAIL_PLANNER_DB", str(tmp_path / "history.sqlite3"))
    yield


@pytest.fixture
def simulations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call of :func:`planner.risk.simulate` from now on, counted (it still simulates)."""
    calls: list[int] = []
    real: Callable[..., Any] = planner.risk.simulate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(planner.risk, "simulate", counted)
    return calls


def _compare(at: AppTest | None = None) -> AppTest:
    at = at if at is not None else run(app_test(APP))
    run(at.switch_page(COMPARE))
    assert not at.error, texts(at.error)
    return at


def _risk_table(at: AppTest) -> pd.DataFrame:
    return read_only_table(at, "responses_p10")


def test_the_ranges_equal_the_librarys_for_the_same_scenario_and_seed() -> None:
    at = _compare()
    catalog = load_catalog()
    scenario = scenario_from_toml(at.session_state["scenario_toml"], catalog)
    plans = [
        (tier.name, make_plan(tier_scenario(scenario, tier, catalog), catalog=catalog, time_limit=COMPARE_TIME_LIMIT))
        for tier in tiers_to_compare(scenario, list(catalog), catalog=catalog)
    ]
    expected = compare_with_risk(plans, current_tier(scenario, catalog).name, paths=DEFAULT_PATHS, seed=DEFAULT_SEED)
    shown = _risk_table(at)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected.table(), check_dtype=False)
    assert (shown["responses_p90"] > shown["responses_p10"]).any()  # ranges, not points
    markdown = [m.value for m in at.markdown]
    assert "\n".join(f"- {literal(line)}" for line in expected.verdict()) in markdown


def test_a_rerun_a_second_visit_a_new_browser_and_a_price_edit_do_not_simulate_again(simulations: list[int]) -> None:
    # the bug this page once had: CacheReplayClosureError on the second comparison of the same scenario
    at = _compare()
    first = _risk_table(at)
    simulated = len(simulations)
    assert simulated == len(first)  # one simulation per tier
    run(at)  # a rerun, as a click elsewhere does
    run(at.switch_page(PLAN))
    _compare(at)  # leave and come back
    edit_table(at, at.session_state["compare_prices_key"], edited_rows={3: {"price_monthly": 55.0}})  # a display control
    pd.testing.assert_frame_equal(_risk_table(at), first)
    again = _compare()  # a new browser, the same scenario
    pd.testing.assert_frame_equal(_risk_table(again), first)
    assert len(simulations) == simulated


def test_ticking_fewer_tiers_shows_their_ranges_only() -> None:
    at = _compare()
    at.multiselect(key="compare_tiers").set_value(["Premium Business", "Sales Navigator Core"])
    run(at)
    assert list(_risk_table(at)["tier"]) == ["Premium Business", "Sales Navigator Core"]
    assert texts(at.markdown).count("gives") >= 1  # one verdict on how sure, for the tier that is not current

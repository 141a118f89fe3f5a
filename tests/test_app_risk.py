"""AppTest tests of the outcome simulation in the app: the Plan page's risk numbers, fan and safe reliance; Compare's ranges.

The app runs from ``app.py``, as a browser opens it; a fresh AppTest in the
same process is a new browser session on the same server (the caches are
shared). Expected numbers come from the command line (``inmail-planner risk
--summary --fan``, ``inmail-planner plan --max-risk --summary``) on the
scenario the page downloads, or from :mod:`planner.risk`, with the same paths
and seed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from apphelpers import app_test, chart_spec, edit_table, metric_values, plotly_array, read_only_table, run, texts
from streamlit.testing.v1 import AppTest

import planner.risk
from planner import cli
from planner.catalog import load_catalog
from planner.compare import current_tier, tier_scenario, tiers_to_compare
from planner.risk import DEFAULT_PATHS, DEFAULT_SEED, compare_with_risk
from planner.risk_charts import FAN_BAND, FAN_EDGE, FAN_MEDIAN
from planner.scenario import scenario_from_toml
from planner.share import PARAM, decode_scenario
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


def _cli(tmp_path: Path, toml: str, *args: str) -> dict[str, Any]:
    """The command line on the page's scenario file: its summary JSON."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(toml, encoding="utf-8")
    summary = tmp_path / "summary.json"
    assert cli.run([*args[:1], str(scenario), *args[1:], "--summary", str(summary)]) == 0
    data: dict[str, Any] = json.loads(summary.read_text(encoding="utf-8"))
    return data


def _expected_metrics(summary: dict[str, Any]) -> dict[str, str]:
    """The Plan page's risk numbers as the summary JSON says them (the page's formats, written out here)."""
    day = summary["dry_day_p10"]
    return {
        "Chance of running dry": f"{100 * summary['p_run_dry']:.0f} %",
        "10 % of paths dry by": "never"
        if day is None
        else f"{date.fromisoformat(day):%a} {date.fromisoformat(day).day} {date.fromisoformat(day):%b %Y}",
        "Reserve holds": f"{100 * summary['p_reserve_holds']:.0f} %",
        "Responses P10-P90": f"{summary['responses']['p10']:g}-{summary['responses']['p90']:g}",
    }


def _plan() -> AppTest:
    at = run(app_test(APP))
    assert not at.error, texts(at.error)
    return at


def test_the_plan_pages_risk_numbers_and_fan_equal_the_command_lines(tmp_path: Path) -> None:
    at = _plan()
    toml = at.session_state["scenario_toml"]  # the page's "Scenario (TOML)" download
    fan = tmp_path / "fan.csv"
    summary = _cli(tmp_path, toml, "risk", "--fan", str(fan))
    shown = metric_values(at)
    assert {k: shown[k] for k in _expected_metrics(summary)} == _expected_metrics(summary)
    assert shown["Credit-back reliance used"] == f"{100 * scenario_from_toml(toml, load_catalog()).refund_reliance:g} %"
    # the band on the burn-down: P10 to P90 filled, the P50 line; three traces, not one per path
    traces = {t["name"]: t for t in chart_spec(at, "plan_burndown")["data"]}
    expected = pd.read_csv(fan)
    np.testing.assert_allclose(plotly_array(traces[FAN_EDGE]["y"]), expected["p90"])
    np.testing.assert_allclose(plotly_array(traces[FAN_BAND]["y"]), expected["p10"])
    np.testing.assert_allclose(plotly_array(traces[FAN_MEDIAN]["y"]), expected["p50"])
    assert traces[FAN_BAND]["fill"] == "tonexty"
    assert sum(1 for name in traces if name.startswith("Simulated")) == 3


def test_choosing_the_reliance_for_me_plans_what_the_command_lines_max_risk_plans(tmp_path: Path) -> None:
    at = _plan()
    typed = at.session_state["plan_refund_reliance"]
    own = at.session_state["scenario_toml"]
    run(at.toggle(key="plan_risk_auto").set_value(True))
    assert at.slider(key="plan_risk_pct").value == 10  # the default risk
    run(at.slider(key="plan_risk_pct").set_value(20))
    assert not at.error, texts(at.error)
    summary = _cli(tmp_path, own, "plan", "--max-risk", "0.2")
    shown = metric_values(at)
    assert shown["Credit-back reliance used"] == f"{100 * summary['refund_reliance']:g} %"
    assert {k: shown[k] for k in _expected_metrics(summary["risk"])} == _expected_metrics(summary["risk"])
    chosen = next(i.value for i in at.info if i.value.startswith("**Chosen for you:**"))
    assert "keeps the chance of running dry at" in chosen
    # the user's own field is not changed; what the page plans, downloads and links says the reliance used
    assert at.session_state["plan_refund_reliance"] == typed
    catalog = load_catalog()
    assert scenario_from_toml(at.session_state["scenario_toml"], catalog).refund_reliance == summary["refund_reliance"]
    assert decode_scenario(at.query_params[PARAM], catalog).refund_reliance == summary["refund_reliance"]
    at.toggle(key="plan_risk_auto").set_value(False)  # off again: the plan counts on the typed reliance
    run(at)
    assert at.session_state["scenario_toml"] == own


def test_display_controls_reruns_and_revisits_of_the_plan_page_do_not_simulate_again(simulations: list[int]) -> None:
    at = _plan()
    at.toggle(key="plan_risk_auto").set_value(True)
    run(at)
    simulated = len(simulations)
    shown = metric_values(at)
    days = at.session_state["plan_day"]
    at.date_input(key="plan_day").set_value(days.replace(day=min(days.day + 3, 28)))  # a display control
    run(at)
    assert len(simulations) == simulated
    run(at.switch_page(COMPARE))  # the Compare page simulates its tiers ...
    simulated = len(simulations)
    run(at.switch_page(PLAN))  # ... and back on the Plan page nothing is simulated again
    run(at)
    assert metric_values(at) == shown
    assert len(simulations) == simulated


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
    at = run(app_test(APP))  # the Plan page simulates its plan ...
    before = len(simulations)
    _compare(at)
    first = _risk_table(at)
    simulated = len(simulations)
    assert simulated - before == len(first)  # ... and the Compare page one plan per tier
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

"""Tests of planner/risk_charts.py: the fan band on the burn-down and the tier ranges, from real simulations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import plotly.graph_objects as go
import pytest

from planner.catalog import load_catalog
from planner.charts import burndown_figure
from planner.compare import tier_scenario
from planner.form import default_form, scenario_from_form
from planner.plan import Plan
from planner.risk import RiskReport, compare_with_risk, simulate
from planner.risk_charts import FAN_BAND, FAN_EDGE, FAN_MEDIAN, add_fan, fan_traces, risk_compare_figure, risk_headline
from planner.scenario import Scenario
from planner.solve import make_plan

START = date(2026, 12, 1)


@pytest.fixture(scope="module")
def plan() -> Plan:
    catalog = load_catalog()
    plan = make_plan(scenario_from_form(default_form(START), catalog), catalog=catalog)
    assert plan.is_ok
    return plan


@pytest.fixture(scope="module")
def report(plan: Plan) -> RiskReport:
    return simulate(plan, paths=500, seed=3).report()


def test_the_fan_is_a_band_and_a_median_line_whatever_the_paths(plan: Plan, report: RiskReport) -> None:
    traces = fan_traces(report)
    assert [t.name for t in traces] == [FAN_EDGE, FAN_BAND, FAN_MEDIAN]
    edge, band, median = traces
    assert band.fill == "tonexty"  # filled up to the trace before it: the P90 edge
    np.testing.assert_array_equal(np.asarray(edge.y), report.fan["p90"].to_numpy(float))
    np.testing.assert_array_equal(np.asarray(band.y), report.fan["p10"].to_numpy(float))
    np.testing.assert_array_equal(np.asarray(median.y), report.fan["p50"].to_numpy(float))
    assert list(band.x) == list(plan.ledger["date"])
    assert len(fan_traces(simulate(plan, paths=2000, seed=3).report())) == 3  # not one line per path


def test_add_fan_draws_the_band_beneath_the_plans_traces_and_keeps_them(plan: Plan, report: RiskReport) -> None:
    base = burndown_figure(plan)
    fig = add_fan(base, report)
    names = [t.name for t in fig.data]
    assert names[:3] == [FAN_EDGE, FAN_BAND, FAN_MEDIAN]
    assert names[3:] == [t.name for t in base.data]  # every trace of the plan's burn-down, in its order
    assert "500 simulated paths" in fig.layout.title.text
    assert len(base.data) == len(names) - 3  # the plan's figure itself is left alone
    assert isinstance(fig.to_dict(), dict)  # serialisable as Streamlit sends it


def test_the_band_holds_the_expected_balance_where_nothing_is_random() -> None:
    # rates of 0: no response, no credit-back, every path the plan's own ledger: a band of zero width on the balance
    catalog = load_catalog()
    form = default_form(START)
    scenario = scenario_from_form(form, catalog)
    assert scenario.buckets is not None
    # a minimum makes the plan spend: with every rate 0 any schedule is optimal, and the solver may pick sending nothing
    zero = [b.model_copy(update={"response_rate": 0.0, "min": 10 if i == 0 else b.min}) for i, b in enumerate(scenario.buckets)]
    scenario = scenario.model_copy(update={"buckets": zero})
    plan = make_plan(scenario, catalog=catalog)
    assert plan.is_ok and plan.ledger["spent"].sum() > 0
    _, band, median = fan_traces(simulate(plan, paths=200, seed=1).report())
    np.testing.assert_allclose(np.asarray(band.y), plan.ledger["closing"].to_numpy(float), atol=1e-6)
    np.testing.assert_allclose(np.asarray(median.y), plan.ledger["closing"].to_numpy(float), atol=1e-6)


def test_the_compare_figure_draws_each_tiers_range_and_chance_of_running_dry(plan: Plan) -> None:
    catalog = load_catalog()
    scenario = plan.problem.scenario
    assert isinstance(scenario, Scenario)
    names = ["Premium Business", "Sales Navigator Core", "<b>Evil</b> & co"]
    tiers = [
        catalog["Premium Business"],
        catalog["Sales Navigator Core"],
        catalog["Premium Business"].model_copy(update={"name": names[2]}),
    ]
    plans = [(t.name, make_plan(tier_scenario(scenario, t, catalog), catalog=catalog)) for t in tiers]
    comparison = compare_with_risk(plans, "Sales Navigator Core", paths=300, seed=0)
    fig = risk_compare_figure(comparison)
    ranges, medians, dry = fig.data
    assert isinstance(ranges, go.Bar) and list(ranges.y)[2] == "&lt;b&gt;Evil&lt;/b&gt; &amp; co"  # a name is text
    for i, row in enumerate(comparison.rows):
        assert ranges.base[i] == row.responses.p10
        assert ranges.base[i] + ranges.x[i] == pytest.approx(row.responses.p90)
        assert medians.x[i] == row.responses.p50
        assert dry.x[i] == pytest.approx(100 * row.p_run_dry)
    assert "300 simulated paths" in fig.layout.title.text


def test_the_headline_numbers_say_the_reports_and_the_recruiter_guard_only_when_there_is_one(report: RiskReport) -> None:
    shown = {label: value for label, value, _ in risk_headline(report)}
    assert shown["Chance of running dry"] == f"{100 * report.p_run_dry:.0f} %"
    assert shown["Responses P10-P90"] == f"{report.responses.p10:g}-{report.responses.p90:g}"
    assert not any("response rate" in label for label in shown)  # Sales Navigator: no 13 % guard
    guarded = {label: value for label, value, _ in risk_headline(replace(report, p_low_response_rate=0.25))}
    assert guarded["Below 13 % response rate"] == "25 %"

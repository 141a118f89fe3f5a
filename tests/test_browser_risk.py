"""In a real browser: the band on the Plan page's burn-down, its risk numbers, and the simulated ranges on the Compare page.

A real ``streamlit run app.py`` driven by Playwright on Debian's headless
Chromium (the server, the browser and the waits are :mod:`browser`'s). What is
checked is what a person sees: the P10-P90 band filled on the burn-down with
its legend entry and the risk numbers beside the headline numbers; the range bars and the chance of running dry
drawn in the Compare page's risk chart, the verdict on how sure the
simulation is, and the numbers in the table equal to the library's for the
same scenario, paths and seed.

Skipped only when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from browser import MARKS, expect, idle, main_text, metric, new_context, screenshot

from planner.catalog import load_catalog
from planner.compare import current_tier, tier_scenario, tiers_to_compare
from planner.form import default_form, scenario_from_form
from planner.risk import RiskComparison, compare_with_risk
from planner.risk_charts import FAN_BAND
from planner.solve import make_plan
from planner.text import WORD_JOINER

pytestmark = MARKS


def _library(tiers: list[str]) -> RiskComparison:
    catalog = load_catalog()
    scenario = scenario_from_form(default_form(date.today()), catalog)
    plans = [
        (t.name, make_plan(tier_scenario(scenario, t, catalog), catalog=catalog, time_limit=5.0))
        for t in tiers_to_compare(scenario, tiers, catalog=catalog)
    ]
    return compare_with_risk(plans, current_tier(scenario, catalog).name)


def test_the_plan_page_draws_the_band_on_the_burn_down_beside_the_risk_numbers(server: str, browser: Any, tmp_path: Path) -> None:
    context = new_context(browser)
    try:
        pg = context.new_page()
        pg.goto(server)
        expect(metric(pg, "Chance of running dry")).to_be_visible()
        expect(metric(pg, "Responses P10-P90")).to_have_text(re.compile(r"^\d+(\.\d+)?-\d+(\.\d+)?$"))
        idle(pg)
        chart = pg.locator(".st-key-plan_burndown")
        expect(chart.get_by_text(FAN_BAND)).to_be_visible()  # its legend entry
        fills = chart.locator("path.js-fill")  # Plotly's filled areas
        expect(fills.first).to_be_attached()
        drawn = [f for f in fills.all() if len(f.get_attribute("d") or "") > 20 and "0.16" in (f.get_attribute("style") or "")]
        assert len(drawn) == 1, [f.get_attribute("style") for f in fills.all()]  # one band, in its colour, not a line per path
        assert chart.locator(".scatterlayer .trace").count() < 20
        assert pg.locator('[data-testid="stException"]').count() == 0
        screenshot(pg, "plan_risk.png", tmp_path)
    finally:
        context.close()


def test_the_compare_page_shows_each_tiers_range_and_how_sure_it_is(server: str, browser: Any, tmp_path: Path) -> None:
    expected = _library(list(load_catalog()))  # the page ticks every tier at first
    context = new_context(browser)
    try:
        pg = context.new_page()
        pg.goto(f"{server}/compare")
        expect(pg.get_by_role("heading", name="How sure: responses as ranges")).to_be_visible()
        idle(pg)
        chart = pg.locator(".st-key-compare_risk_chart")
        expect(chart.locator(".main-svg").first).to_be_visible()
        expect(chart.get_by_text("Chance of running dry")).to_be_visible()
        # one range bar per tier in the responses panel and one in the chance panel
        expect(chart.locator(".barlayer .point")).to_have_count(2 * len(expected.rows))
        text = main_text(pg).replace(WORD_JOINER, "")
        for line in expected.verdict():
            assert line in text
        for row in [r for r in expected.rows if r.responses.p90 > r.responses.p10]:  # a bar of no width has no label
            assert f"{row.responses.p10:,.0f}-{row.responses.p90:,.0f}" in chart.inner_text()
        assert pg.locator('[data-testid="stException"]').count() == 0
        screenshot(pg, "compare_risk.png", tmp_path)
    finally:
        context.close()

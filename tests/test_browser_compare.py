"""In a real browser: Compare tiers twice, after a visit, a reload and in a second browser; text from a link shown as typed.

A real ``streamlit run app.py`` driven by Playwright on Debian's headless
Chromium (the server, the browser and the waits are :mod:`browser`'s). The
first test follows what broke for a new user: a comparison of the default
scenario, then the same comparison again (back from the Plan page, after a
reload, and in a second browser, whose plans all come from the server's
cache), each time with the verdicts shown and no exception. The second opens
a shared link whose title and tier name are markdown (a link and an image)
on the Compare and the Track pages: the page shows the characters, and no
link or image to the outside exists.

Skipped only when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser import MARKS, WAIT_MS, expect, idle, main_text, new_context

from planner.catalog import Tier, load_catalog
from planner.compare import compare_tiers, recommendation
from planner.form import default_form, scenario_from_form
from planner.share import PARAM, encode_scenario
from planner.text import WORD_JOINER

EVIL_TITLE = "**T** [evil](http://evil.example)"
EVIL_TIER = "![p](https://evil.example/p.png) [Sign in](https://evil.example/a)"  # a tier name is at most 80 characters

pytestmark = MARKS


def _best_upgrade() -> str:
    """The recommendation's first line for the default scenario, as the library says it."""
    catalog = load_catalog()
    scenario = scenario_from_form(default_form(date.today()), catalog)
    return recommendation(compare_tiers(scenario, list(catalog), catalog=catalog, time_limit=5.0), scenario.cycles)[0]


def _assert_compared(pg: Any, best: str) -> None:
    """The Compare page is drawn to its end with the verdicts, and shows no exception."""
    expect(pg.get_by_role("heading", name="Compare tiers")).to_be_visible()
    expect(pg.get_by_text(best, exact=True)).to_be_visible()
    expect(pg.get_by_role("heading", name="Table")).to_be_visible()
    idle(pg)
    assert pg.locator('[data-testid="stException"]').count() == 0
    text = main_text(pg)
    assert "CacheReplayClosureError" not in text and "Traceback" not in text and "KeyError" not in text


def test_compare_twice_after_a_visit_a_reload_and_in_a_second_browser(server: str, browser: Any) -> None:
    best = _best_upgrade()
    first = new_context(browser)
    pg = first.new_page()
    pg.goto(server + "/compare")
    _assert_compared(pg, best)
    pg.get_by_role("link", name="Plan", exact=True).click()
    expect(pg.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=WAIT_MS)
    idle(pg)
    pg.get_by_role("link", name="Compare tiers", exact=True).click()
    _assert_compared(pg, best)
    pg.reload()
    _assert_compared(pg, best)
    second = new_context(browser)  # another browser: its own session, the server's cached plans
    try:
        other = second.new_page()
        other.goto(server + "/compare")
        _assert_compared(other, best)
    finally:
        second.close()
        first.close()


@pytest.mark.parametrize(("path", "heading"), [("/compare", "Compare tiers"), ("/track", "Track & re-plan")])
def test_markdown_in_a_shared_links_title_and_tier_is_shown_as_typed(
    server: str, browser: Any, path: str, heading: str, tmp_path: Path
) -> None:
    catalog = load_catalog()
    tier = Tier(**{**catalog["Premium Business"].model_dump(), "name": EVIL_TIER})
    scenario = scenario_from_form(default_form(date.today()), catalog).model_copy(update={"title": EVIL_TITLE})
    context = new_context(browser)
    try:
        pg = context.new_page()
        pg.goto(f"{server}{path}?{PARAM}={encode_scenario(scenario.with_tier(tier))}")
        expect(pg.get_by_role("heading", name=heading)).to_be_visible()
        expect(pg.get_by_text("evil.example").first).to_be_visible()
        idle(pg)
        main = pg.locator('[data-testid="stMain"]')
        assert main.locator('a[href*="evil.example"]').count() == 0
        assert main.locator('img[src*="evil.example"]').count() == 0
        text = main_text(pg).replace(WORD_JOINER, "")  # the invisible joiner that keeps a bare URL from linking
        assert EVIL_TITLE in text and EVIL_TIER in text
        assert pg.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()

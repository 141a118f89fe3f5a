"""AppTest tests of the Compare tiers page: repeat comparisons, text from links shown as typed, long sessions.

The app runs from ``app.py`` (its navigation), as a browser opens it. A
fresh :class:`AppTest` in the same process is a new browser session on the
same server: Streamlit's caches are shared between them, so a second AppTest
with the same scenario is what "open it in a new browser" does. Expected
numbers come from :func:`planner.compare.compare_tiers`, the library the CLI
runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from apphelpers import app_test, edit_table, read_only_table, run, texts
from streamlit.testing.v1 import AppTest

from planner.catalog import Tier, load_catalog
from planner.compare import compare_tiers, recommendation, verdict
from planner.form import default_form, scenario_from_form
from planner.scenario import Scenario, scenario_from_toml
from planner.share import PARAM, encode_scenario
from planner.text import literal

APP = "../app.py"  # relative to tests/
COMPARE = "app_pages/compare.py"
PLAN = "app_pages/plan.py"
EVIL_TITLE = "**T** [evil](http://evil.example)"
EVIL_TIER = "![p](https://evil.example/p.png) [Sign in](https://evil.example/a)"  # a tier name is at most 80 characters


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    st.cache_data.clear()
    monkeypatch.setenv("INMAIL_PLANNER_DB", str(tmp_path / "history.sqlite3"))
    yield


def _open(at: AppTest | None = None, link: Scenario | None = None) -> AppTest:
    """The app opened on the Plan page (or a link), then the Compare page."""
    at = at if at is not None else app_test(APP)
    if link is not None:
        at.query_params[PARAM] = encode_scenario(link)
    run(at)
    return _compare(at)


def _compare(at: AppTest) -> AppTest:
    run(at.switch_page(COMPARE))
    assert not at.error, texts(at.error)
    assert at.title[0].value == "Compare tiers"
    return at


def _table(at: AppTest) -> dict[str, float]:
    table = read_only_table(at, "responses_per_month")
    return dict(zip(table["tier"], table["responses_per_month"].astype(float), strict=True))


def _all_text(at: AppTest) -> str:
    return "\n".join(e.value for kind in (at.markdown, at.caption, at.error, at.info, at.warning) for e in kind)


# --- a repeat comparison ------------------------------------------------------------------


def test_compare_again_after_leaving_reloading_or_in_a_new_browser_shows_no_cache_replay_error() -> None:
    # the user saw: CacheReplayClosureError "While running _compare(), a streamlit element is called on some
    # layout block created outside the function" on the second comparison of the same scenario
    at = _open()
    first = _table(at)
    run(at.switch_page(PLAN))  # leave ...
    _compare(at)  # ... and come back
    assert _table(at) == first
    run(at)  # a rerun of the page, as a click elsewhere on it does
    assert _table(at) == first
    again = _open()  # a new browser, the same (default) scenario: every plan comes from the cache
    assert _table(again) == first
    assert not again.exception


def test_a_new_browser_on_the_same_link_compares_without_an_error() -> None:
    scenario = scenario_from_form(default_form(date.today()), load_catalog()).model_copy(update={"title": "Shared"})
    first = _table(_open(link=scenario))
    second = _open(link=scenario)
    assert _table(second) == first


def test_the_table_matches_the_library_for_the_plan_pages_scenario() -> None:
    at = _open()
    catalog = load_catalog()
    scenario = scenario_from_toml(at.session_state["scenario_toml"], catalog)
    expected = compare_tiers(scenario, list(catalog), catalog=catalog, time_limit=5.0)
    shown = _table(at)
    assert shown == pytest.approx(dict(zip(expected["tier"], expected["responses_per_month"], strict=True)))
    markdown = [m.value for m in at.markdown]
    for line in recommendation(expected, scenario.cycles):
        assert f"**{literal(line)}**" in markdown
    verdicts = next(m for m in markdown if m.startswith("- "))
    assert verdicts == "\n".join(f"- {literal(line)}" for line in verdict(expected, scenario.cycles))


# --- user text is text --------------------------------------------------------------------


def test_markdown_in_a_linked_title_and_tier_name_is_shown_as_typed_not_as_a_link() -> None:
    # the user saw: **T** [evil](http://evil.example) as bold text and a live link, from a shared URL
    catalog = load_catalog()
    evil_tier = Tier(**{**catalog["Premium Business"].model_dump(), "name": EVIL_TIER})
    scenario = scenario_from_form(default_form(date.today()), catalog).model_copy(update={"title": EVIL_TITLE})
    scenario = scenario.with_tier(evil_tier)
    at = _open(link=scenario)
    shown = _all_text(at)
    assert literal(EVIL_TITLE) in shown and literal(EVIL_TIER) in shown
    assert "](http" not in shown.replace("\\]\\(http", "")  # no unescaped link anywhere
    assert "![" not in shown.replace("!\\[", "")  # no image
    assert EVIL_TIER in set(read_only_table(at, "responses_per_month")["tier"])  # tables show text as it is


# --- a long session -----------------------------------------------------------------------


def test_a_long_session_of_ticks_prices_limits_and_visits_never_raises() -> None:
    at = _open()
    catalog = load_catalog()
    names = list(catalog)
    steps = [
        lambda: at.multiselect(key="compare_tiers").set_value(["Premium Business", "Sales Navigator Core"]),
        lambda: at.multiselect(key="compare_tiers").set_value(["Sales Navigator Core"]),
        lambda: at.multiselect(key="compare_tiers").set_value([]),
        lambda: at.multiselect(key="compare_tiers").set_value(names[2:6]),
        lambda: at.number_input(key="compare_time_limit").set_value(3.0),
        lambda: at.switch_page(PLAN),
        lambda: at.switch_page(COMPARE),
        lambda: at.multiselect(key="compare_tiers").set_value(names),
        lambda: at.switch_page(PLAN),
        lambda: at.selectbox(key="plan_tier").set_value("Premium Business"),
        lambda: at.switch_page(COMPARE),
    ]
    for step in steps:
        run(step())
        assert not at.exception
    for price in (72.5, 10.0, 250.0):  # prices typed one after another, each applied
        core = names.index("Sales Navigator Core")
        edit_table(at, at.session_state["compare_prices_key"], edited_rows={core: {"price_monthly": price}})
        table = read_only_table(at, "responses_per_month").set_index("tier")
        assert table.loc["Sales Navigator Core", "price_monthly"] == price
    run(at.switch_page(PLAN))
    _compare(at)  # the price typed last survives the visit
    table = read_only_table(at, "responses_per_month").set_index("tier")
    assert table.loc["Sales Navigator Core", "price_monthly"] == 250.0
    assert table.loc["Premium Business", "current"]
    scenario = scenario_from_toml(at.session_state["scenario_toml"], catalog)
    expected = compare_tiers(scenario, names, catalog=catalog, prices={"Sales Navigator Core": 250.0}, time_limit=3.0)
    assert dict(zip(table.index, table["responses_per_month"], strict=True)) == pytest.approx(
        dict(zip(expected["tier"], expected["responses_per_month"], strict=True))
    )
    assert at.multiselect(key="compare_tiers").value == names
    assert at.number_input(key="compare_time_limit").value == 3.0

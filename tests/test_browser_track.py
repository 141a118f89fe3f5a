"""End to end: import a usage log, see actual versus plan, re-plan, save, and read plan versus actual in History.

A real ``streamlit run`` of ``tests/apps/track_app.py`` (the app's navigation
with the Track & re-plan and History pages) driven by Playwright on Debian's
headless Chromium, as ``tests/test_browser.py`` does for the Plan and Compare
pages. The history database is a temporary SQLite file (``INMAIL_PLANNER_DB``).
The scenario starts ten days before the day the test runs, so the page's
"today" (today's date) falls inside it without typing a date. The test also
takes the screenshot ``track.png``: in the test's ``tmp_path``, or in
``docs/screenshots`` with ``UPDATE_SCREENSHOTS=1`` (``make screenshots``).
The server, the browser, the waits and the screenshot are :mod:`browser`'s.

Skipped only when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser import MARKS, WAIT_MS, chromium, expect, idle, main_text, metric, new_context, screenshot, streamlit_server

from planner.actuals import replan
from planner.scenario import scenario_from_toml
from planner.solve import make_plan
from planner.tracking import standing
from planner.usage import import_usage

APP = "tests/apps/track_app.py"

TODAY = date.today()
START = TODAY - timedelta(days=10)
SCENARIO_TOML = f"""version = 1
title = "Browser track"
start = {START.isoformat()}
tier = "Premium Business"
send_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

[[buckets]]
name = "Initial"
goal = "sales"
priority = "high"
response_rate = 0.2
pool = 12

[[buckets]]
name = "Follow-up"
goal = "sales"
priority = "medium"
response_rate = 0.1
follows = "Initial"
gap_days = 3
"""


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


# line 3 names a bucket the scenario does not have
LOG_CSV = f"""sent_on,bucket,outcome,outcome_on,recipient
{_day(0)},Initial,replied,{_day(2)},Ana
{_day(1)},Nope,pending,,Bo
{_day(1)},Initial,pending,,Cy
{_day(4)},Initial,declined,{_day(6)},Di
{_day(7)},Follow-up,pending,,Cy
"""

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``streamlit run tests/apps/track_app.py`` on a free localhost port with its own database; its base URL."""
    with streamlit_server(APP, tmp_path_factory.mktemp("history") / "history.sqlite3") as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    """One page for the whole path: later steps continue from earlier ones, as a person would."""
    with chromium() as browser:
        context = new_context(browser)
        pg = context.new_page()
        pg.goto(server + "/")
        # the Plan page's file uploader is enough: the upload reruns the page on the test's scenario
        expect(pg.locator('[data-testid="stFileUploader"]').first).to_be_visible(timeout=WAIT_MS)
        yield pg
        context.close()


# --- helpers --------------------------------------------------------------------------------


def _upload(pg: object, name: str, data: bytes) -> None:
    pg.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(  # type: ignore[attr-defined]
        {"name": name, "mimeType": "text/plain", "buffer": data}
    )


def _expected(use_learned: bool = False) -> tuple[object, object]:
    """What the library says for the test's scenario and log: the re-plan and the original plan."""
    scenario = scenario_from_toml(SCENARIO_TOML)
    entries = import_usage(LOG_CSV.encode(), buckets=["Initial", "Follow-up"], today=TODAY).entries
    return replan(scenario, entries, TODAY, use_learned_rates=use_learned, time_limit=10), make_plan(scenario, time_limit=10)


# --- the path -------------------------------------------------------------------------------


def test_import_a_log_and_see_actual_versus_plan(page: object) -> None:
    _upload(page, "browser_track.toml", SCENARIO_TOML.encode())
    expect(page.get_by_text("Loaded the scenario file 'browser_track.toml'.")).to_be_visible()  # type: ignore[attr-defined]
    expect(metric(page, "Credits granted")).to_have_text("15")
    idle(page)
    page.get_by_role("link", name="Track & re-plan").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Track & re-plan")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text("Browser track", exact=True)).to_be_visible()  # type: ignore[attr-defined]
    idle(page)

    _upload(page, "usage.csv", LOG_CSV.encode())
    expect(page.get_by_text("Imported 4 of 5 rows; rejected 1 (line 3)")).to_be_visible()  # type: ignore[attr-defined]
    expect(metric(page, "InMails logged")).to_have_text("4")
    idle(page)
    result, original = _expected()
    balance = result.actual.balance_today(result.plan.problem)  # type: ignore[attr-defined]
    expect(metric(page, "Credits held today")).to_have_text(f"{balance['credits'].sum():,.0f}")
    expect(metric(page, "Returned by responses")).to_have_text("2")
    sentence = standing(result, original)  # type: ignore[arg-type]
    expect(page.get_by_text(sentence[:1].upper() + sentence[1:] + ".")).to_be_visible()  # type: ignore[attr-defined]
    chart = page.locator(".js-plotly-plot").first  # type: ignore[attr-defined]
    legend = chart.inner_text()
    assert "Planned" in legend and "Actual" in legend and "Re-plan from today" in legend
    body = main_text(page)
    assert "Traceback" not in body
    # the rejected line with its whole reason, as text
    assert "line 3: bucket = 'Nope': not a bucket of the scenario; known: 'Follow-up', 'Initial'" in body
    # the log's table: drawn on a canvas, its text is in the grid's accessible table
    grids = page.locator('[data-testid="stDataFrame"]')  # type: ignore[attr-defined]
    expect(grids.nth(0)).to_contain_text("Sent on")
    log = grids.nth(0).text_content() or ""
    assert "Ana" in log and "Di" in log and "Bo" not in log  # the good rows kept, the bad one not


def test_replan_from_today_with_learned_rates(page: object, tmp_path: Path) -> None:
    result, original = _expected()
    expect(metric(page, "New plan: InMails from today")).to_have_text(str(result.plan.totals.sends))  # type: ignore[attr-defined]
    expect(metric(page, "Old plan: expected responses")).to_have_text(f"{original.totals.expected_responses:,.2f}")  # type: ignore[attr-defined]
    screenshot(page, "track.png", tmp_path)
    learned, _ = _expected(use_learned=True)
    page.get_by_text("Use learned rates for the re-plan").click()  # type: ignore[attr-defined]
    logged_plus_new = 1 + 1 + learned.plan.totals.expected_responses  # type: ignore[attr-defined]
    expect(metric(page, "Logged + new plan")).to_have_text(f"{logged_plus_new:,.2f}")
    expect(page.get_by_text("learned response rates", exact=False).first).to_be_visible()  # type: ignore[attr-defined]
    idle(page)


def test_save_the_log_and_see_plan_versus_actual_in_history(page: object) -> None:
    page.get_by_role("button", name="Save the log", exact=True).click()  # type: ignore[attr-defined]
    expect(page.get_by_text("Saved 4 new InMails to the log of 'Browser track'")).to_be_visible()  # type: ignore[attr-defined]
    idle(page)
    page.get_by_role("link", name="History").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()  # type: ignore[attr-defined]
    idle(page)
    page.get_by_role("button", name="Save scenario and plan").click()  # type: ignore[attr-defined]
    expect(page.get_by_text("Saved 'Browser track' version 1 with its plan (plan 1).")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Plan versus actual")).to_be_visible()  # type: ignore[attr-defined]
    idle(page)
    assert "4 InMails in 1 import" in main_text(page)
    chart = page.locator(".js-plotly-plot").last  # type: ignore[attr-defined]
    assert "Actual" in chart.inner_text()

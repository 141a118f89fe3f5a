"""End to end: a real ``streamlit run`` server driven by Playwright on Debian's headless Chromium.

The path a person takes: choose a tier and see the plan change, edit a
bucket, upload a scenario file, download the schedule and get the command
line's rows, open a shared link and see the same plan, compare tiers, and
read why a scenario has no plan. The test also takes the screenshots of the
Plan and Compare pages: in the test's ``tmp_path``, or in ``docs/screenshots``
with ``UPDATE_SCREENSHOTS=1`` (``make screenshots``). The server, the browser,
the waits and the screenshots are :mod:`browser`'s.

Skipped when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it), unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (
    CHROMIUM,
    MARKS,
    ROOT,
    WAIT_MS,
    edit_cell,
    expect,
    idle,
    main_text,
    metric,
    metrics,
    new_context,
    screenshot,
)
from conftest import INFEASIBLE_TOML

EXAMPLE = ROOT / "data" / "examples" / "team_upgrade.toml"

pytestmark = MARKS


@pytest.fixture(scope="module")
def context(browser: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    ctx = new_context(browser, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def page(context: object, server: str) -> Iterator[object]:
    """One page for the whole path: later steps continue from earlier ones, as a person would."""
    pg = context.new_page()  # type: ignore[attr-defined]
    pg.goto(server + "/")
    _wait_for_plan(pg)
    yield pg
    pg.close()


# --- helpers --------------------------------------------------------------------------------


def _wait_for_plan(pg: object) -> None:
    expect(metric(pg, "Credits granted")).to_be_visible(timeout=WAIT_MS)
    expect(pg.locator(".js-plotly-plot").first).to_be_visible(timeout=WAIT_MS)  # type: ignore[attr-defined]
    idle(pg)


def _choose(pg: object, label: str, option: str) -> None:
    pg.get_by_role("combobox", name=label).click()  # type: ignore[attr-defined]
    pg.get_by_role("option", name=option).first.click()  # type: ignore[attr-defined]


def _upload(pg: object, path: Path) -> None:
    pg.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))  # type: ignore[attr-defined]


def _download(pg: object, label: str, target: Path) -> Path:
    with pg.expect_download(timeout=WAIT_MS) as info:  # type: ignore[attr-defined]
        pg.get_by_role("button", name=label).click()  # type: ignore[attr-defined]
    info.value.save_as(str(target))
    return target


def _cli(*args: str) -> subprocess.Popen[str]:
    """Start ``inmail-planner`` (the console script, else ``python -m planner.cli``); it runs while the browser works."""
    script = Path(sys.executable).with_name("inmail-planner")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "planner.cli"]
    return subprocess.Popen([*command, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen[str]) -> None:
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr


# --- the path -------------------------------------------------------------------------------


def test_choosing_a_tier_changes_the_totals_and_the_burn_down(page: object) -> None:
    expect(metric(page, "Credits granted")).to_have_text("50")
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Cycle 1: Sales Navigator Core")  # type: ignore[attr-defined]
    _choose(page, "Tier", "Premium Business: 15 credits, $59.99/month")
    expect(metric(page, "Credits granted")).to_have_text("15")
    expect(metric(page, "Expected responses")).to_have_text("2.75")
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Cycle 1: Premium Business")  # type: ignore[attr-defined]
    assert "s=" in page.url  # type: ignore[attr-defined]


def test_editing_a_bucket_replans(page: object) -> None:
    before = metrics(page)["Expected responses"]
    edit_cell(page, row=2, name="Account expansion", column=5, old="10", value="2")  # Pool / cycle: 10 -> 2
    expect(metric(page, "Expected responses")).not_to_have_text(before)
    idle(page)
    # 2 account expansions (r = 0.20), then 13 initial sends (r = 0.15): 2.35 expected responses
    expect(metric(page, "Expected responses")).to_have_text("2.35")


def test_upload_then_download_gives_the_command_lines_schedule(page: object, tmp_path: Path) -> None:
    cli_out = tmp_path / "cli_schedule.csv"
    cli = _cli("plan", str(EXAMPLE), "--schedule", str(cli_out))
    _upload(page, EXAMPLE)
    expect(page.get_by_text("Loaded the scenario file 'team_upgrade.toml'.")).to_be_visible()  # type: ignore[attr-defined]
    expect(metric(page, "Credits granted")).to_have_text("65")
    idle(page)
    downloaded = _download(page, "Schedule (CSV)", tmp_path / "app_schedule.csv")
    _finish(cli)
    assert downloaded.read_text(encoding="utf-8") == cli_out.read_text(encoding="utf-8")
    # the scenario file the page offers runs on the command line to the same rows
    scenario = _download(page, "Scenario (TOML)", tmp_path / "app_scenario.toml")
    again = tmp_path / "cli_again.csv"
    _finish(_cli("plan", str(scenario), "--schedule", str(again)))
    assert again.read_text(encoding="utf-8") == cli_out.read_text(encoding="utf-8")


def test_a_shared_link_opens_the_same_plan(page: object, context: object, tmp_path: Path) -> None:
    url = page.url  # type: ignore[attr-defined]
    assert "?s=" in url
    expected = metrics(page)
    screenshot(page, "plan.png", tmp_path)
    other = context.new_page()  # type: ignore[attr-defined]
    try:
        other.goto(url)
        _wait_for_plan(other)
        for label, value in expected.items():
            expect(metric(other, label)).to_have_text(value)
        assert set(metrics(other)) == set(expected)
        expect(other.locator(".js-plotly-plot").first).to_contain_text("Cycle 2: Sales Navigator Core")
    finally:
        other.close()


def test_compare_tiers_shows_a_table_a_chart_and_verdicts(page: object, tmp_path: Path) -> None:
    page.get_by_role("link", name="Compare tiers", exact=True).click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Compare tiers")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text("Tier comparison", exact=True)).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text("Sales Navigator Core adds")).to_be_visible()  # type: ignore[attr-defined]
    idle(page)
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Expected responses a month")  # type: ignore[attr-defined]
    screenshot(page, "compare.png", tmp_path)
    page.get_by_role("link", name="Plan", exact=True).click()  # type: ignore[attr-defined]
    _wait_for_plan(page)
    expect(metric(page, "Credits granted")).to_have_text("65")  # the inputs survived the visit


def test_a_scenario_with_no_plan_says_why_and_keeps_the_inputs(page: object, tmp_path: Path) -> None:
    path = tmp_path / "too_many_minimums.toml"
    path.write_text(INFEASIBLE_TOML, encoding="utf-8")
    _upload(page, path)
    alert = page.get_by_text("No plan for this scenario.")  # type: ignore[attr-defined]
    expect(alert).to_be_visible()
    idle(page)
    assert page.locator('[data-testid="stMetric"]').count() == 0  # type: ignore[attr-defined]
    body = main_text(page)
    assert "Traceback" not in body
    assert "Prospects" in body and "40" in body  # the diagnosis names the bucket and its minimum
    expect(page.get_by_role("textbox", name="Title")).to_have_value("Too many minimums")  # type: ignore[attr-defined]
    expect(page.get_by_role("combobox", name="Tier")).to_have_value("Premium Business: 15 credits, $59.99/month")  # type: ignore[attr-defined]


def test_chromium_is_debians() -> None:
    assert shutil.which("chromium") or CHROMIUM.exists()


def test_without_chromium_the_browser_tests_fail_in_ci_and_skip_elsewhere(tmp_path: Path) -> None:
    """Issue 9: browser tests that skip silently when Chromium is missing hide a broken CI."""
    (tmp_path / "test_needs_a_browser.py").write_text(
        "from browser import MARKS, chromium\n\npytestmark = MARKS\n\n\n"
        "def test_it() -> None:\n    with chromium():\n        pass\n"
    )
    env = {**os.environ, "INMAIL_PLANNER_CHROMIUM": str(tmp_path / "no-chromium"), "PYTHONPATH": str(ROOT / "tests")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", str(tmp_path)]
    env.pop("CI", None)
    skipped = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout
    failed = subprocess.run(command, env={**env, "CI": "1"}, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "1 failed" in failed.stdout, failed.stdout
    assert "CI is set, so the browser tests fail rather than skip" in failed.stdout

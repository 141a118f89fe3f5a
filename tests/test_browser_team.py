"""In a real browser: the Team page's seats table edited, kept across a visit, and a seat name from a file shown as typed.

A real ``streamlit run app.py`` driven by Playwright on Debian's headless
Chromium (the server, the browser and the waits are :mod:`browser`'s).

Skipped only when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from browser import MARKS, edit_cell, expect, idle, main_text, metric, new_context

from planner.catalog import load_catalog
from planner.problem import resolve
from planner.scenario import any_scenario_from_toml
from planner.solve import make_plan
from planner.text import WORD_JOINER

pytestmark = MARKS

EVIL_SEAT = "**Ana** [x](http://evil.example)"


def _responses(seats: str) -> str:
    """The expected responses the page should show for a team of these seats starting today, as make_plan plans it."""
    catalog = load_catalog()
    toml = f'version = 2\nstart = {date.today().isoformat()}\ntier = "Recruiter (Corporate)"\ntitle = "My team"\n{seats}'
    plan = make_plan(resolve(any_scenario_from_toml(toml, catalog), catalog), catalog=catalog)
    assert plan.totals is not None
    return f"{plan.totals.expected_responses:,.2f}"


def _no_exception(pg: Any) -> None:
    idle(pg)
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in main_text(pg)


def test_an_edited_seat_cap_plans_and_survives_a_visit_to_another_page(server: str, browser: Any) -> None:
    context = new_context(browser)
    pg = context.new_page()
    pg.goto(server + "/team")
    expect(pg.get_by_role("heading", name="Plan a team's pooled credits")).to_be_visible()
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    _no_exception(pg)
    edit_cell(pg, 0, "Seat 1", 4, "20", "35")
    wanted = _responses(
        '[[seats]]\nname = "Seat 1"\ngoals = { recruiting = 1.0 }\nseat_cap = 35\n'
        '[[seats]]\nname = "Seat 2"\ngoals = { recruiting = 1.0 }\n'
    )
    expect(metric(pg, "Expected responses")).to_have_text(wanted)
    _no_exception(pg)
    pg.get_by_role("link", name="Catalog").click()
    expect(pg.get_by_role("heading", name="Tier catalog").first).to_be_visible()
    pg.get_by_role("link", name="Team").click()
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    expect(metric(pg, "Expected responses")).to_have_text(wanted)
    expect(pg.locator('[data-testid="stDataFrame"]').first.locator("#glide-cell-5-0")).to_have_text("35")
    _no_exception(pg)
    context.close()


def test_a_seat_name_from_a_file_is_shown_as_typed(server: str, browser: Any, tmp_path: Path) -> None:
    upload = tmp_path / "desk.toml"
    upload.write_text(
        f'version = 2\nstart = 2026-06-01\ntier = "Recruiter (Corporate)"\n'
        f'[[seats]]\nname = "{EVIL_SEAT}"\ngoals = {{ recruiting = 1.0 }}\nseat_cap = 10\n'
        '[[seats]]\nname = "Bo"\ngoals = { sales = 1.0 }\n',
        encoding="utf-8",
    )
    context = new_context(browser)
    pg = context.new_page()
    pg.goto(server + "/team")
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    pg.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    expect(pg.get_by_text("Loaded the team scenario 'desk.toml' (2 seats).")).to_be_visible()
    expect(pg.get_by_text("Seat caps that bind:")).to_be_visible()
    text = main_text(pg).replace(WORD_JOINER, "")  # the invisible joiner that keeps a bare URL from linking
    assert f"Seat caps that bind: {EVIL_SEAT} (cycle 1)." in text
    assert pg.locator('a[href*="evil.example"]').count() == 0
    _no_exception(pg)
    context.close()

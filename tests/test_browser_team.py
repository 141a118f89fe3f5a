"""In a real browser: the Team page's seats table edited, kept across visits and reloads, and a seat name shown as typed.

The long session edits seat after seat, leaves and comes back, reloads, opens the link in a second browser and
reopens a saved version from the History page, and after each step checks the page against ``inmail-planner plan``
on the team its address holds.

A real ``streamlit run app.py`` driven by Playwright on Debian's headless
Chromium (the server, the browser and the waits are :mod:`browser`'s).

Skipped only when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from browser import MARKS, edit_cell, expect, idle, main_text, metric, metrics, new_context

from planner.catalog import load_catalog
from planner.cli import run as cli_run
from planner.problem import resolve
from planner.scenario import any_scenario_from_toml
from planner.share import TEAM_PARAM, decode_text
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
    wanted = f"Seat caps that bind: {EVIL_SEAT} (cycle 1)."
    text = ""
    for _ in range(60):  # the notice shows first; the page below it is still the last team's until the plan is drawn
        idle(pg)
        text = main_text(pg).replace(WORD_JOINER, "")  # the invisible joiner that keeps a bare URL from linking
        if wanted in text:
            break
        pg.wait_for_timeout(500)
    assert wanted in text, text[-3000:]
    assert pg.locator('a[href*="evil.example"]').count() == 0
    _no_exception(pg)
    context.close()


# --- a long session: edits, a visit, a reload, a second browser, the history; the command line's numbers after each step


def _held_team(pg: Any) -> str:
    """The team scenario TOML the page's address holds (the page writes it on every plan)."""
    values = parse_qs(urlparse(pg.url).query).get(TEAM_PARAM)
    assert values, f"no ?{TEAM_PARAM}= in {pg.url}"
    return decode_text(values[0], TEAM_PARAM)


def _cli_numbers(toml: str, work: Path) -> dict[str, float]:
    """``inmail-planner plan FILE`` on the team: credits granted and spent, expected responses, as it prints them."""
    path = work / "team.toml"
    path.write_text(toml, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_run(["plan", str(path)]) == 0
    printed = out.getvalue()
    credits = re.search(r"credits: ([\d,.]+) granted, ([\d,.]+) spent", printed)
    responses = re.search(r"expected responses ([\d,.]+)", printed)
    assert credits and responses, printed
    return {
        "Pool credits granted": float(credits[1].replace(",", "")),
        "Credits spent": float(credits[2].replace(",", "")),
        "Expected responses": float(responses[1].replace(",", "")),
    }


def _holds(pg: Any, work: Path) -> str:
    """No exception, and the page's headline numbers are the command line's for the team in its address."""
    last: tuple[dict[str, float], dict[str, float]] = ({}, {})
    for _ in range(20):
        _no_exception(pg)
        toml = _held_team(pg)
        expected = _cli_numbers(toml, work)
        shown = {k: float(v.replace(",", "")) for k, v in metrics(pg).items() if k in expected}
        if shown.keys() == expected.keys() and all(abs(shown[k] - expected[k]) <= 0.005 for k in expected):
            return toml
        last = (shown, expected)
        pg.wait_for_timeout(500)
    raise AssertionError(f"the page shows {last[0]}, the command line {last[1]} for the team in the address")


def _cell(pg: Any, column: int, row: int) -> Any:
    return pg.locator('[data-testid="stDataFrame"]').first.locator(f"#glide-cell-{column}-{row}")


def test_an_afternoon_on_the_team_page_matches_the_command_line_at_every_step(server: str, browser: Any, tmp_path: Path) -> None:
    context = new_context(browser)
    pg = context.new_page()
    pg.goto(server + "/team")
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    _holds(pg, tmp_path)
    # 1-3: three edits in a row, each kept by the next
    edit_cell(pg, 0, "Seat 1", 4, "20", "12")
    assert "seat_cap = 12" in _holds(pg, tmp_path)
    edit_cell(pg, 1, "Seat 2", 3, "", "4")
    assert "daily_cap = 4" in _holds(pg, tmp_path)
    edit_cell(pg, 0, "Seat 1", 2, "", "Mon, Wed")
    held = _holds(pg, tmp_path)
    assert "seat_cap = 12" in held and "daily_cap = 4" in held and '"Mon"' in held
    # 4: three cycles
    box = pg.get_by_role("spinbutton", name="Cycles (months)")
    box.fill("3")
    box.press("Enter")
    pg.wait_for_timeout(500)
    held = _holds(pg, tmp_path)
    assert "cycles = 3" in held and "seat_cap = 12" in held
    shown = metrics(pg)
    # 5: away to Compare and Catalog, and back
    for link, heading in (
        ("Compare tiers", "Compare tiers"),
        ("Catalog", "Tier catalog"),
        ("Team", "Plan a team's pooled credits"),
    ):
        pg.get_by_role("link", name=link, exact=True).click()
        expect(pg.get_by_role("heading", name=heading).first).to_be_visible()
        _no_exception(pg)
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    assert _holds(pg, tmp_path) == held and metrics(pg) == shown
    expect(_cell(pg, 5, 0)).to_have_text("12")
    # 6: a reload
    pg.reload()
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    assert _holds(pg, tmp_path) == held and metrics(pg) == shown
    expect(_cell(pg, 4, 1)).to_have_text("4")
    # 7: a second browser on the same link, which edits its own copy
    other = new_context(browser)
    try:
        pg2 = other.new_page()
        pg2.goto(pg.url)
        expect(pg2.get_by_role("heading", name="Each seat's share")).to_be_visible()
        assert _holds(pg2, tmp_path) == held and metrics(pg2) == shown
        edit_cell(pg2, 1, "Seat 2", 4, "", "5")
        assert "seat_cap = 5" in _holds(pg2, tmp_path)
    finally:
        other.close()
    # the first browser still has its own team
    pg.reload()
    expect(pg.get_by_role("heading", name="Each seat's share")).to_be_visible()
    assert _holds(pg, tmp_path) == held
    # 8: saved to the history, changed, and opened again from the History page
    name = pg.get_by_role("textbox", name="Save as")
    name.fill("Afternoon team")
    name.press("Enter")
    pg.wait_for_timeout(500)
    idle(pg)
    pg.get_by_role("button", name="Save team and plan").click()
    expect(pg.get_by_text("Saved 'Afternoon team' version 1 with its plan")).to_be_visible()
    edit_cell(pg, 0, "Seat 1", 4, "12", "30")
    assert "seat_cap = 30" in _holds(pg, tmp_path)
    pg.get_by_role("link", name="History", exact=True).click()
    expect(pg.get_by_role("heading", name="History").first).to_be_visible()
    _no_exception(pg)
    pg.get_by_role("button", name="Open this version").click()
    expect(pg.get_by_text("Loaded the team scenario 'Afternoon team' (2 seats).")).to_be_visible()
    assert _holds(pg, tmp_path) == held and metrics(pg) == shown
    context.close()

"""A person's afternoon in the app, end to end: a real ``streamlit run`` and headless Chromium, one long session.

The steps follow one another on one page as a person's do: a tier, cycles,
a goal mix typed share by share (an invalid mix on the way), several edits of
the bucket table, a rename of a parent bucket and the edit after it, a row
added and deleted, a rate of 500, the pacing options, hostile text in every
text field of the Plan page, a visit to every page and back, a reload, a
second browser context with the same link, and Compare twice.

After every step :func:`_holds` checks that the page shows no exception and
that its headline numbers are the command line's (``planner.cli.run(["plan",
file, "--summary", ...])``) for the scenario the page says it holds: the
scenario in its link (``?s=...``), which is also its "Scenario (TOML)"
download.

One server for the module and one browser; the steps share one context and
page (a person's tab), and one more context opens the same link.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from browser import MARKS, edit_cell, expect, idle, main_text, metric, metrics, new_context

from planner.cli import run as cli_run
from planner.scenario import Scenario, scenario_to_toml
from planner.share import PARAM, decode_scenario
from planner.text import WORD_JOINER

pytestmark = MARKS


# markdown, HTML, a link and an outside image, right-to-left text and emoji, in one name
HOSTILE = "[a](https://evil.example)![](https://evil.example/p)<b>x</b> שלום👋🏽:red[r]**T**"  # a name: 80 at most
HEADLINE = {  # metric label -> (totals field, digits), as the Plan page formats them
    "Credits granted": ("credits_granted", 0),
    "Credits spent": ("credits_spent", 0),
    "Expiring unused": ("expired_unused", 1),
    "Forfeited over cap": ("forfeited_over_cap", 1),
    "Expected responses": ("expected_responses", 2),
}
PAGES = {"Compare tiers": "Compare tiers", "Track & re-plan": "Track", "History": "History", "Catalog": "Tier catalog"}


@pytest.fixture(scope="module")
def page(browser: Any, server: str) -> Iterator[Any]:
    """The person's tab, for the whole journey."""
    context = new_context(browser, accept_downloads=True)
    pg = context.new_page()
    pg.goto(server + "/")
    expect(metric(pg, "Credits granted")).to_be_visible()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("journey")


# --- what the page holds, and the command line's numbers for it ------------------------------------


def held_scenario(pg: Any) -> Scenario:
    """The scenario the page's link holds (the page writes it on every plan)."""
    values = parse_qs(urlparse(pg.url).query).get(PARAM)
    assert values, f"no ?{PARAM}= in {pg.url}"
    return decode_scenario(values[0])


SUMMARIES: dict[str, dict[str, Any]] = {}  # scenario file -> its summary: the same file plans the same


def cli_summary(scenario: Scenario, work: Path) -> dict[str, Any]:
    """``inmail-planner plan FILE --summary OUT`` on the scenario; the summary it writes.

    Run once per scenario file (the summary's reasons re-solve every cycle: seconds): a check
    repeated while the page draws, and a scenario the journey comes back to, read it again.
    """
    text = scenario_to_toml(scenario)
    if text not in SUMMARIES:
        path, out = work / "held.toml", work / "summary.json"
        path.write_text(text, encoding="utf-8")
        assert cli_run(["plan", str(path), "--summary", str(out)]) == 0
        SUMMARIES[text] = dict(json.loads(out.read_text(encoding="utf-8")))
    return SUMMARIES[text]


def expected_headline(summary: dict[str, Any]) -> dict[str, str]:
    totals = summary["totals"]
    return {label: f"{float(totals[name]):,.{digits}f}" for label, (name, digits) in HEADLINE.items()}


def no_exception(pg: Any) -> None:
    """No exception element, no traceback, no live link or image to an outside site on the page."""
    idle(pg)
    assert pg.locator('[data-testid="stException"]').count() == 0, main_text(pg)[:2000]
    body = main_text(pg)
    assert "Traceback" not in body and "Error:" not in body.replace("ScenarioError", ""), body[:2000]
    planted = pg.locator('a[href*="evil.example"], img[src*="evil.example"]')
    where = """e => { const c = e.closest('[data-testid="stMarkdownContainer"]') || e; return c.innerHTML.slice(0, 600); }"""
    assert planted.count() == 0, (
        f"a link or image to an outside site was drawn: {[planted.nth(i).evaluate(where) for i in range(planted.count())]}"
    )


def _holds(pg: Any, work: Path) -> Scenario:
    """The page shows no exception and its headline numbers are the command line's for the scenario it holds.

    The page may still be drawing the last change: the check is repeated for
    a while before it fails with the last difference.
    """
    pg.wait_for_timeout(300)
    last: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for _ in range(20):
        no_exception(pg)
        scenario = held_scenario(pg)
        summary = cli_summary(scenario, work)
        if summary["status"] in ("optimal", "feasible"):
            expected = expected_headline(summary)
            shown = {label: value for label, value in metrics(pg).items() if label in HEADLINE}
            if shown == expected:
                return scenario
            last = (shown, expected)
        elif "No plan for this scenario" in main_text(pg):
            return scenario
        pg.wait_for_timeout(500)
    raise AssertionError(f"the page shows {last[0]}, the command line {last[1]} for the scenario in the link")


# --- widgets ------------------------------------------------------------------------------------------


def _settle(pg: Any) -> None:
    """Let the rerun a change starts begin, then wait for it to end."""
    pg.wait_for_timeout(500)
    idle(pg)


def _choose(pg: Any, label: str, option: str) -> None:
    pg.get_by_role("combobox", name=label).click()
    pg.get_by_role("option", name=option).first.click()
    pg.keyboard.press("Escape")
    _settle(pg)


def _number(pg: Any, label: str, value: str) -> None:
    box = pg.get_by_role("spinbutton", name=label)
    box.fill(value)
    box.press("Enter")
    _settle(pg)


def _text(pg: Any, label: str, value: str) -> None:
    box = pg.get_by_role("textbox", name=label)
    box.fill(value)
    box.press("Enter")
    _settle(pg)


def _errors(pg: Any) -> str:
    """The text of the page's message boxes (errors, warnings, notes), as a person reads it (no word joiners)."""
    idle(pg)
    alerts = pg.locator('[data-testid="stAlert"]')
    return "\n".join(alerts.nth(i).inner_text() for i in range(alerts.count())).replace(WORD_JOINER, "")


def _no_problem(pg: Any) -> None:
    """No "Some inputs need a fix" box: the inputs have a plan of their own."""
    expect(pg.get_by_text("Some inputs need a fix")).to_have_count(0)


def _grid_text(pg: Any) -> str:
    """The text of the bucket table's cells (the grid's accessible twin)."""
    cells = pg.locator('[data-testid="stDataFrame"]').first.locator('[role="gridcell"]')
    return "\n".join(cells.nth(i).inner_text() for i in range(cells.count()))


def _visit(pg: Any, link: str, heading: str) -> None:
    pg.get_by_role("link", name=link, exact=True).click()
    expect(pg.get_by_role("heading", name=heading).first).to_be_visible()
    pg.wait_for_timeout(300)
    no_exception(pg)


def _back_to_plan(pg: Any) -> None:
    pg.get_by_role("link", name="Plan", exact=True).click()
    expect(metric(pg, "Credits granted")).to_be_visible()


# --- the journey ----------------------------------------------------------------------------------


def test_tier_cycles_and_a_goal_mix_typed_share_by_share(page: Any, work: Path) -> None:
    _holds(page, work)
    _choose(page, "Tier", "Premium Business: 15 credits, $59.99/month")  # 1
    assert _holds(page, work).tier == "Premium Business"
    _number(page, "Cycles (months)", "3")  # 2
    assert _holds(page, work).cycles == 3
    _choose(page, "Goals", "Networking")  # 3
    assert _holds(page, work).goals == {"sales": 0.5, "networking": 0.5}
    _number(page, "Sales prospecting %", "70")  # 4: 70 + 50, while the person is still typing
    assert "goal mix = sales 70 %, networking 50 %" in _errors(page)
    expect(page.get_by_text("Stale:")).to_be_visible()
    assert _holds(page, work).goals == {"sales": 0.5, "networking": 0.5}  # the last plan stays, with its numbers
    _number(page, "Networking %", "30")  # 5
    assert _holds(page, work).goals == {"sales": 0.7, "networking": 0.3}
    _no_problem(page)


def test_edits_of_the_bucket_table_are_all_kept(page: Any, work: Path) -> None:
    edit_cell(page, row=0, name="Initial prospecting", column=4, old="15", value="20")  # 6
    assert [b.response_rate for b in _holds(page, work).buckets or []][:2] == [0.2, 0.1]
    edit_cell(page, row=1, name="Follow-up", column=4, old="10", value="12")  # 7
    assert [b.response_rate for b in _holds(page, work).buckets or []][:2] == [0.2, 0.12]
    edit_cell(page, row=2, name="Account expansion", column=5, old="10", value="6")  # 8
    buckets = _holds(page, work).buckets or []
    assert [(b.name, b.response_rate, b.pool) for b in buckets[:3]] == [
        ("Initial prospecting", 0.2, 25),
        ("Follow-up", 0.12, None),
        ("Account expansion", 0.2, 6),
    ]


def test_renaming_a_parent_bucket_keeps_its_follow_up_and_the_next_edit(page: Any, work: Path) -> None:
    edit_cell(page, row=0, name="Initial prospecting", column=0, old="Initial prospecting", value="First touch")  # 9
    scenario = _holds(page, work)
    _no_problem(page)  # was: follows = 'Initial prospecting': no bucket has that name
    buckets = scenario.buckets or []
    assert [b.name for b in buckets[:3]] == ["First touch", "Follow-up", "Account expansion"]
    assert buckets[1].follows == "First touch"
    edit_cell(page, row=0, name="First touch", column=5, old="25", value="18")  # 10: the edit after a rename
    buckets = _holds(page, work).buckets or []
    # the edit applied, and nothing before it undone (the table went back to its defaults here)
    assert [(b.name, b.response_rate, b.pool) for b in buckets[:3]] == [
        ("First touch", 0.2, 18),
        ("Follow-up", 0.12, None),
        ("Account expansion", 0.2, 6),
    ]
    edit_cell(page, row=1, name="Follow-up", column=9, old="5", value="4")  # 11
    assert (_holds(page, work).buckets or [])[1].gap_days == 4


def _choose_in_cell(pg: Any, row: int, column: int, option: str) -> None:
    """Pick ``option`` in the bucket table's select cell (row, column): select the row, move right, Enter opens it."""
    grid = pg.locator('[data-testid="stDataFrame"]').first
    grid.click(position={"x": 80, "y": 35 + 35 * row + 17})
    pg.wait_for_timeout(200)
    for _ in range(column):
        pg.keyboard.press("ArrowRight")
    pg.keyboard.press("Enter")
    pg.get_by_role("option", name=option, exact=True).click()
    _settle(pg)


def test_a_row_added_and_deleted(page: Any, work: Path) -> None:
    before = len(held_scenario(page).buckets or [])
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.hover()
    page.get_by_role("button", name="Add row").first.click()  # 12
    _settle(page)
    edit_cell(page, row=before, name="", column=0, old="", value="Webinar guests")  # 13
    edit_cell(page, row=before, name="Webinar guests", column=4, old="", value="9")  # 14
    _choose_in_cell(page, before, 1, "Sales prospecting")  # 15: the last required cell; the row counts now
    buckets = _holds(page, work).buckets or []
    assert [(b.name, b.response_rate) for b in buckets[before:]] == [("Webinar guests", 0.09)]
    # 16: delete it again: tick its row marker, press Delete
    grid.click(position={"x": 12, "y": 35 + 35 * before + 17})
    page.wait_for_timeout(200)
    page.keyboard.press("Delete")
    _settle(page)
    assert [b.name for b in _holds(page, work).buckets or []][before:] == []
    assert "Webinar guests" not in _grid_text(page)


def test_a_rate_of_500_is_refused_and_kept(page: Any, work: Path) -> None:
    edit_cell(page, row=1, name="Follow-up", column=4, old="12", value="500")  # 17
    errors = _errors(page)
    assert "buckets row 2 ('Follow-up'): response rate = 500 %" in errors
    assert "500" in _grid_text(page)  # still what was typed, not 100
    _holds(page, work)
    edit_cell(page, row=1, name="Follow-up", column=4, old="500", value="12")  # 18
    assert (_holds(page, work).buckets or [])[1].response_rate == 0.12
    _no_problem(page)


def test_pacing_and_policies_stays_open_while_changed(page: Any, work: Path) -> None:
    page.get_by_text("Pacing and policies").click()  # 16
    expander = page.locator('[data-testid="stExpander"] details').first
    _number(page, "Daily cap", "4")  # 17
    assert _holds(page, work).daily_cap == 4
    assert expander.get_attribute("open") is not None
    _number(page, "Reserve (credits)", "-1")  # 18: refused, named, kept
    assert "Reserve (credits): reserve = -1" in _errors(page)
    expect(page.get_by_role("spinbutton", name="Reserve (credits)")).to_have_value("-1")
    _number(page, "Reserve (credits)", "2")  # 19
    assert _holds(page, work).reserve == 2
    _text(page, "Days off", "2027-02-30")  # 20
    assert "days_off = '2027-02-30': no such day" in _errors(page)
    _text(page, "Days off", "2026-12-24")  # 21
    assert _holds(page, work).days_off
    assert expander.get_attribute("open") is not None


def test_hostile_text_in_every_text_field_is_shown_as_typed(page: Any, work: Path) -> None:
    _text(page, "Title", HOSTILE)  # 22
    assert _holds(page, work).title == HOSTILE
    expect(page.get_by_role("textbox", name="Title")).to_have_value(HOSTILE)
    edit_cell(page, row=2, name="Account expansion", column=0, old="Account expansion", value=HOSTILE)  # 23
    buckets = _holds(page, work).buckets or []
    assert buckets[2].name == HOSTILE
    assert HOSTILE in main_text(page).replace(WORD_JOINER, "")  # in What do I send today, as typed
    _text(page, "Bonus credits", HOSTILE)  # 24: echoed in the message, as typed
    assert f"bonus_credits = {HOSTILE.split()[0]!r}" in _errors(page)
    _text(page, "Bonus credits", "0")
    _text(page, "Days off", "<img src=https://evil.example/p.png> [x](https://evil.example)")  # 25
    assert "days_off = '<img" in _errors(page)
    _text(page, "Days off", "2026-12-24")
    long = "x" * 10_000  # 26: refused with a message or kept, never a crash
    _text(page, "Title", long)
    _holds(page, work)
    _text(page, "Title", "Afternoon plan")
    assert _holds(page, work).title == "Afternoon plan"
    upload = work / "[Sign in](https___evil.example) **x** <b>.toml"  # 27: a file name is text too
    upload.write_text("not = [toml", encoding="utf-8")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    expect(page.get_by_text(f"uploaded file {upload.name!r}", exact=False)).to_be_visible()
    _holds(page, work)


@pytest.mark.parametrize("link", list(PAGES))
def test_leaving_for_a_page_and_coming_back_keeps_the_plan(page: Any, work: Path, link: str) -> None:
    before = _holds(page, work)
    shown = metrics(page)
    try:
        _visit(page, link, PAGES[link])  # one step there, one back
    finally:
        _back_to_plan(page)  # a page that fails leaves the journey on the Plan page
    assert _holds(page, work) == before, f"the scenario changed after a visit to {link}"
    assert metrics(page) == shown
    expect(page.get_by_role("textbox", name="Title")).to_have_value("Afternoon plan")


def test_a_reload_and_a_second_browser_show_the_same_plan(page: Any, browser: Any, work: Path) -> None:
    before = _holds(page, work)
    shown = metrics(page)
    page.reload()  # 36
    expect(metric(page, "Credits granted")).to_be_visible()
    assert _holds(page, work) == before
    assert {k: v for k, v in metrics(page).items() if k in HEADLINE} == {k: v for k, v in shown.items() if k in HEADLINE}
    other = new_context(browser)  # 37: the link sent to someone else
    try:
        pg = other.new_page()
        pg.goto(page.url)
        expect(metric(pg, "Credits granted")).to_be_visible()
        assert _holds(pg, work) == before
        _visit(pg, "Compare tiers", "Compare tiers")
    finally:
        other.close()


def test_compare_twice(page: Any, work: Path) -> None:
    for _ in range(2):  # the second comparison crashed with CacheReplayClosureError
        try:
            _visit(page, "Compare tiers", "Compare tiers")
            expect(page.get_by_text("Tier comparison").first).to_be_visible()
            no_exception(page)
        finally:
            _back_to_plan(page)
        _holds(page, work)

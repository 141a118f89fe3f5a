"""What the browser tests share: a ``streamlit run`` server, Debian's headless Chromium, waits and screenshots.

Used by ``tests/test_browser.py``, ``tests/test_browser_journey.py`` and
``tests/test_browser_track.py``; not a test module itself. Without Playwright
or ``/usr/bin/chromium`` the browser tests skip (the tests mark themselves with
:data:`MARKS`), unless the environment variable ``CI`` is set: in CI a missing
browser FAILS them, so a run without one cannot pass as green.

Screenshots go to the test's ``tmp_path``, so a test run leaves the work
tree as it was; with ``UPDATE_SCREENSHOTS=1`` (``make screenshots``) they
replace the ones in ``docs/screenshots``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

CHROMIUM = Path(os.environ.get("INMAIL_PLANNER_CHROMIUM", "/usr/bin/chromium"))  # the variable: to test a machine without it
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 90_000  # the machine is shared; a cold page can take a while to render
VIEWPORT = {"width": 1400, "height": 1600}

IN_CI = bool(os.environ.get("CI"))
MISSING = "Debian's chromium is not at /usr/bin/chromium (.ci/run installs it)"

MARKS = [
    # in CI the tests run, and chromium() fails them with MISSING
    pytest.mark.skipif(not CHROMIUM.exists() and not IN_CI, reason=MISSING),
    pytest.mark.timeout(600),
]

if IN_CI:
    import playwright.sync_api as playwright_api  # in CI a missing Playwright is an error, not a skip
else:
    playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
# one timeout for every browser test module's expect(): set here, once, at import, and never reset by a
# module (a module that put Playwright's 5 s default back made the modules after it fail on a busy machine)
expect.set_options(timeout=WAIT_MS)


# --- the server and the browser -------------------------------------------------------------


def free_port() -> int:
    """A localhost TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(script: str, db: Path) -> Iterator[str]:
    """``streamlit run script`` (relative to the repository) on a free localhost port with the history database ``db``.

    Yields the base URL once the server answers its health check; stops the
    server on exit. Fails the test if the server exits or does not answer
    within 60 s.
    """
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "INMAIL_PLANNER_DB": str(db)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "localhost",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    log = open(os.devnull, "w")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail(f"streamlit run exited with status {process.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("streamlit run did not answer its health check within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright; closed on exit. Fails the test when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING + "; CI is set, so the browser tests fail rather than skip")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A module's own ``streamlit run app.py`` on a free localhost port with its own history database; its base URL.

    A fixture of every browser test module: ``tests/conftest.py`` loads this module as a pytest plugin.
    """
    with streamlit_server("app.py", tmp_path_factory.mktemp("history") / "history.sqlite3") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A module's own headless Chromium."""
    with chromium() as chromium_browser:
        yield chromium_browser


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context with the tests' viewport and :data:`WAIT_MS` as its default timeout."""
    context = browser.new_context(viewport=VIEWPORT, **options)
    context.set_default_timeout(WAIT_MS)
    return context


# --- reading and waiting ----------------------------------------------------------------------


def metric(pg: Any, label: str) -> Any:
    """The value of the metric card with ``label``, as a locator."""
    return pg.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def metrics(pg: Any) -> dict[str, str]:
    """Every metric card's label and value, in page order."""
    cards = pg.locator('[data-testid="stMetric"]')
    out = {}
    for i in range(cards.count()):
        card = cards.nth(i)
        out[card.locator('[data-testid="stMetricLabel"]').inner_text().strip()] = (
            card.locator('[data-testid="stMetricValue"]').inner_text().strip()
        )
    return out


def main_text(pg: Any) -> str:
    """The text of the page's main block."""
    return str(pg.locator('[data-testid="stMain"]').inner_text())


IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('.stale-element, [data-stale="true"]')"""


def idle(pg: Any) -> None:
    """Wait until the script run has finished and every element has rendered.

    Checked twice, 250 ms apart: a page that reruns itself (``st.rerun``, as
    the Plan page does after a rename) is idle for a moment between its runs.
    """
    for _ in range(2):
        pg.wait_for_function(IDLE, timeout=WAIT_MS)
        pg.wait_for_timeout(250)
    pg.wait_for_function(IDLE, timeout=WAIT_MS)


def edit_cell(pg: Any, row: int, name: str, column: int, old: str, value: str, *, table: int = 0) -> None:
    """Type ``value`` into the cell (row, column) of the page's ``table``-th table editor, both counted from 0.

    ``name`` is the row's first cell and ``old`` the cell's value, to check the
    cell before typing.

    The table is drawn on a canvas: select the row's first cell by a click
    (a click that only focuses the canvas is repeated; the grid's accessible
    twin marks the selected cell), move to the cell with the arrow keys from
    whichever cell the click left selected, check the row by its first cell, type
    (which opens the cell's editor) and commit with Enter; then wait for the
    rerun the edit starts.
    """
    grid = pg.locator('[data-testid="stDataFrame"]').nth(table)
    grid.scroll_into_view_if_needed()
    header = row_height = 35
    selected = grid.locator('[role="gridcell"][aria-selected="true"]')
    # the accessible twin's cells are "glide-cell-<column from 1>-<row from 0>"; a click on a table drawn a
    # moment ago can select a cell without giving the grid the keys, so the moves are checked and redone
    target = f"glide-cell-{column + 1}-{row}"
    has_keys = "e => e.contains(document.activeElement)"
    editing = "() => !!document.activeElement && document.activeElement.classList.contains('gdg-input')"
    idle(pg)
    for _ in range(10):
        grid.click(position={"x": 80, "y": header + row_height * row + row_height / 2})
        pg.wait_for_timeout(200)
        if pg.evaluate(editing):  # a click on the cell that is already selected opens its editor: close it
            pg.keyboard.press("Escape")
            pg.wait_for_timeout(200)
        if selected.count() != 1 or not grid.evaluate(has_keys):
            pg.wait_for_timeout(300)
            continue  # not selected yet, or the table was still being drawn anew
        # a click on a grid that already has the keys is sometimes ignored and the previous edit's cell
        # stays selected: the keys move from whichever cell is selected to the target
        _, _, at_column, at_row = str(selected.first.get_attribute("id")).rsplit("-", 3)
        moves = [
            ("ArrowRight" if column + 1 > int(at_column) else "ArrowLeft", abs(column + 1 - int(at_column))),
            ("ArrowDown" if row > int(at_row) else "ArrowUp", abs(row - int(at_row))),
        ]
        for key, times in moves:
            for _ in range(times):
                pg.keyboard.press(key)
                pg.wait_for_timeout(30)
        # the accessible twin follows the canvas a moment later (longer on a loaded machine): wait for it
        # before deciding that the keys were lost
        for _ in range(20):
            if selected.count() == 1 and selected.first.get_attribute("id") == target:
                break
            pg.wait_for_timeout(150)
        if selected.count() == 1 and selected.first.get_attribute("id") == target:
            break
        pg.wait_for_timeout(400)
    assert selected.count() == 1 and selected.first.get_attribute("id") == target, f"no cell {target} of {name!r}"
    expect(grid.locator(f"#glide-cell-1-{row}")).to_have_text(name)
    expect(selected.first).to_have_text(old)
    # the first key opens the cell's editor; the rest go to it once it has the focus (sooner, they are lost)
    pg.keyboard.type(value[0])
    pg.wait_for_function(editing)
    pg.keyboard.type(value[1:], delay=10)
    pg.wait_for_timeout(100)
    pg.keyboard.press("Enter")
    pg.wait_for_timeout(500)  # the rerun the edit starts
    idle(pg)


# --- screenshots ------------------------------------------------------------------------------


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``docs/screenshots`` with ``UPDATE_SCREENSHOTS=1``, else the test's ``tmp_path``."""
    return SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


def screenshot(pg: Any, name: str, tmp_path: Path) -> Path:
    """A screenshot of the whole page as ``name`` in :func:`screenshot_dir`; its path.

    The app scrolls inside its main block, so the viewport grows to the
    block's height for the picture and then shrinks back. Asserts the file
    is a PNG of the page: the viewport's width, at least 900 pixels high,
    and not one flat colour.
    """
    height = pg.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollHeight), 900)"
    )
    pg.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, 6000)})
    pg.wait_for_timeout(800)
    idle(pg)
    folder = screenshot_dir(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pg.screenshot(path=str(path))
    pg.set_viewport_size(VIEWPORT)
    assert_page_image(path)
    return path


def assert_page_image(path: Path) -> None:
    """``path`` is a PNG of a drawn page: the viewport's width, at least 900 pixels high, many colours."""
    assert path.is_file(), f"no screenshot at {path}"
    with Image.open(path) as image:
        assert image.format == "PNG", image.format
        width, height = image.size
        assert width == VIEWPORT["width"] and height >= 900, image.size
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 16, f"{path.name} is nearly blank: {len(colours)} colours"

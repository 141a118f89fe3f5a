"""The code as the house keeps it: ruff's rules and mypy's types over the planner, the pages, the tests and the benchmarks.

Run by the suite so that CI refuses a change that breaks them (``make lint``
runs the same two commands by hand). The folders and settings are
pyproject.toml's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    done = run("ruff", "check", "planner", "tests", "app.py", "app_pages", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing_in_the_planner_the_pages_the_tests_and_the_benchmarks() -> None:
    done = run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    # every Python file of those folders is checked, none left out of the configuration
    ours = [p for folder in ("planner", "app_pages", "tests", "bench") for p in (ROOT / folder).rglob("*.py")]
    assert f"in {len(ours) + 1} source files" in done.stdout, done.stdout  # + app.py

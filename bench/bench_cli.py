"""Benchmark: the ``inmail-planner`` command as a whole process, the way a person runs it.

Like hyperfine: each command runs ``--runs`` times in a fresh process (after
one warm-up run, so the file cache is warm as it is for a person's second
call) and the median wall-clock time is reported with the min and max.
Targets on the 2-core machine: ``inmail-planner --help`` under 0.5 s and a
one-cycle ``plan data/examples/sales_rep.toml`` under 1.0 s.
Run: ``make bench`` (or ``python bench/bench_cli.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "sales_rep.toml"


def _program() -> list[str]:
    """The installed console script beside this Python (as a user runs it), else ``python -m planner.cli``."""
    script = Path(sys.executable).with_name("inmail-planner")
    return [str(script)] if script.exists() else [sys.executable, "-m", "planner.cli"]


def commands(db: Path) -> list[tuple[str, list[str], float | None]]:
    """(label, arguments, target seconds) of each command measured."""
    return [
        ("inmail-planner --help", ["--help"], 0.5),
        ("inmail-planner plan sales_rep.toml (1 cycle)", ["plan", str(EXAMPLE)], 1.0),
        ("inmail-planner tiers", ["tiers"], None),
        ("inmail-planner history --db new.sqlite3", ["history", "--db", str(db)], None),
    ]


def measure(args: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` fresh processes running the planner with ``args`` (after a warm-up)."""
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([*_program(), *args], check=True, capture_output=True, cwd=ROOT)
        if i > 0:
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_cli_"))
    try:
        print("| command | median (s) | min-max (s) | target | met |")
        print("|---|---|---|---|---|")
        for label, argv, target in commands(workdir / "new.sqlite3"):
            times = measure(argv, args.runs)
            median = statistics.median(times)
            met = "" if target is None else ("yes" if median < target else "**no**")
            shown = "" if target is None else f"< {target:g} s"
            print(f"| `{label}` | {median:.3f} | {min(times):.3f}-{max(times):.3f} | {shown} | {met} |")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{args.runs} runs each after one warm-up; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()

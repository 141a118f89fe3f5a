"""Benchmark: interaction latency of the Plan page, server side (AppTest rerun after a tier change).

A person changes the tier of a one-cycle plan; how long until the page's
script has rerun (form -> scenario -> plan -> figures -> tables)? Measured
with ``streamlit.testing.v1.AppTest`` in this process, so it is the server's
share of the latency, without the browser's drawing. Two cases:

- ``new plan``: every change needs a solve (the cache is cleared before
  each change; this also drops the cached catalog, so it is an upper bound);
- ``cached plan``: a tier already planned in this session (the rerun reads
  the plan from ``st.cache_data``).

Target on the 2-core machine: median under 0.5 s for the new-plan case.
Run: ``.venv/bin/python bench/bench_app.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TARGET_SECONDS = 0.5
TIERS = ["Premium Business", "Sales Navigator Core"]  # one cycle each: the page's default scenario


def _rerun_seconds(at: AppTest, tier: str) -> float:
    at.selectbox(key="plan_tier").set_value(tier)
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the page raised: {[e.value for e in at.exception]}")
    if not at.metric:
        raise SystemExit(f"no plan on the page after choosing {tier!r}: {[e.value for e in at.error]}")
    return seconds


def measure(runs: int, cached: bool) -> list[float]:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()  # imports, the first plan, the catalog
    for tier in TIERS:  # warm both tiers once
        _rerun_seconds(at, tier)
    times = []
    for i in range(runs):
        if not cached:
            st.cache_data.clear()
        times.append(_rerun_seconds(at, TIERS[i % len(TIERS)]))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="tier changes per case (default 15)")
    args = parser.parse_args(argv)
    # a cache cleared outside a server, and AppTest itself, log a harmless line per run
    for name in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.ERROR)
    print("| case | runs | median (s) | p90 (s) | min-max (s) | target |")
    print("|---|---|---|---|---|---|")
    status = 0
    for label, cached in (("new plan", False), ("cached plan", True)):
        times = sorted(measure(args.runs, cached))
        median = statistics.median(times)
        p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
        target = f"< {TARGET_SECONDS} s" if not cached else "-"
        verdict = ""
        if not cached:
            verdict = " (met)" if median < TARGET_SECONDS else " (MISSED)"
            status = 0 if median < TARGET_SECONDS else 1
        print(f"| {label} | {len(times)} | {median:.3f} | {p90:.3f} | {times[0]:.3f}-{times[-1]:.3f} | {target}{verdict} |")
    return status


if __name__ == "__main__":
    sys.exit(main())

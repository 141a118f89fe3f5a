"""Benchmark: the outcome simulation of a 12-cycle, five-bucket plan at 2,000 and 10,000 paths.

The plan is bench/five_buckets.toml (credit-back at 60 % reliance, rolling
90-day expiry under a cap, reserve, daily cap, a free bucket) planned once;
then :func:`planner.risk.simulate` and the risk report are timed, median of 5
runs after a warm-up. Target on the 2-core machine: 10,000 paths well under a
second. Run: ``python bench/bench_risk.py`` (``--runs N``, ``--paths A B ...``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from planner.risk import simulate
from planner.scenario import load_scenario
from planner.solve import make_plan

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 1.0  # for 10,000 paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--paths", type=int, nargs="+", default=[2000, 10000])
    args = parser.parse_args()
    plan = make_plan(load_scenario(HERE / "five_buckets.toml"))
    assert plan.is_ok and plan.totals is not None, plan.message
    simulate(plan, paths=100, seed=0)  # warm up
    print(f"plan: {plan.problem.n_days} days, {int(plan.sends.sum())} sends ({plan.totals.credits_spent:.0f} credit-paid)")
    print("| paths | median simulate (s) | median report (s) | min-max total (s) | median CPU total (s) | P(run dry) | target |")
    print("|---|---|---|---|---|---|---|")
    for paths in args.paths:
        sim_times, report_times, cpu_times = [], [], []
        p_dry = 0.0
        for run in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            sim = simulate(plan, paths=paths, seed=run)
            middle = time.perf_counter()
            p_dry = sim.report().p_run_dry
            sim_times.append(middle - started)
            report_times.append(time.perf_counter() - middle)
            cpu_times.append(time.process_time() - cpu)  # the machine is shared: CPU time shows the work itself
        totals = [a + b for a, b in zip(sim_times, report_times, strict=True)]
        target = f"< {TARGET_SECONDS:g} s" if paths == 10000 else "-"
        print(
            f"| {paths:,} | {statistics.median(sim_times):.3f} | {statistics.median(report_times):.3f} "
            f"| {min(totals):.3f}-{max(totals):.3f} | {statistics.median(cpu_times):.3f} | {p_dry:.3f} | {target} |"
        )


if __name__ == "__main__":
    main()

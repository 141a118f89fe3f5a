"""Benchmark: why a plan is what it is (reasons, one more credit's value per cycle) and the response curve's sweep.

The reasons check the schedule on the real ledger; the credit values re-solve
once per cycle, each warm-started from the plan with its best extra send; the
sweep solves the current tier at 17 monthly credit counts (0..4x), each point
warm from the last, at most 1 s a point. Scenarios: bench/five_buckets.toml for
1, 3 and 12 cycles, and the shipped sales and upgrade examples. No targets
asserted; the README's benchmark section reports the numbers.
Run: ``python bench/bench_why.py`` (``--runs`` times each, the median).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from planner.catalog import load_catalog
from planner.curve import sweep_scenario
from planner.paths import EXAMPLES_DIR
from planner.scenario import Scenario, load_scenario
from planner.solve import make_plan
from planner.why import credit_values, explain

HERE = Path(__file__).resolve().parent


def scenarios() -> list[tuple[str, Scenario]]:
    bench = load_scenario(HERE / "five_buckets.toml")
    out = [
        (f"five buckets, {n} cycle{'s' if n > 1 else ''}", bench.model_validate(bench.model_dump() | {"cycles": n}))
        for n in (1, 3, 12)
    ]
    out += [(f"{name}.toml", load_scenario(EXAMPLES_DIR / f"{name}.toml")) for name in ("sales_rep", "team_upgrade")]
    return out


def _median(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-curve-12", action="store_true", help="skip the 12-cycle sweep (the slowest)")
    args = parser.parse_args()
    catalog = load_catalog()
    make_plan(scenarios()[0][1])  # warm up imports and HiGHS
    print("| scenario | plan (s) | reasons (s) | credit values (s) | sweep, 17 points (s) |")
    print("|---|---|---|---|---|")
    for label, scenario in scenarios():
        plan_s = _median(args.runs, lambda s=scenario: make_plan(s))
        plan = make_plan(scenario)
        reasons_s = _median(args.runs, lambda p=plan: explain(p))
        values_s = _median(args.runs, lambda p=plan: credit_values(p))
        if args.no_curve_12 and scenario.cycles == 12:
            sweep = "-"
        else:
            sweep = f"{_median(args.runs, lambda s=scenario: sweep_scenario(s, catalog)):.2f}"
        print(f"| {label} | {plan_s:.3f} | {reasons_s:.3f} | {values_s:.2f} | {sweep} |")


if __name__ == "__main__":
    main()

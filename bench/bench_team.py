"""Benchmark: a team's plan time and peak memory against seats (1, 10, 50, 100, 200) and cycles (3, 12).

Each seat has three buckets (passive candidates, a follow-up to their
non-responders, referral requests) on a pooled Recruiter (Corporate)
contract: 150 credits a seat, 90-day rollover, a balance cap of 600 a seat,
credit-back with reliance 0.5, a reserve; seats differ (seeded): rates,
pools, daily caps, a seat cap on some, four send days on some.

Two demands: ``within`` (the seats together want less than the pool gives:
the seats are planned one by one, :func:`planner.team.seat_by_seat`) and
``over`` (they want more: the whole team's LP shares the pool out and the
seats are planned within their shares, :func:`planner.team.pooled`).
``--plain`` times the whole team's model handed to the solver, the baseline
(``make_plan(..., split_seats=False)``), with the same time limit.
Targets (2-core machine): 50 seats x 12 cycles under 10 s and 200 seats x
3 cycles under 20 s, within 0.5 % of the optimum (proven gap on the value).
Run: ``python bench/bench_team.py`` (``--seats 50 --cycles 12`` for one size).
Each run happens in a fresh subprocess so that peak memory is per plan.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

from planner.scenario import TeamScenario, parse_any_scenario

HERE = Path(__file__).resolve().parent
TARGETS = {(50, 12): 10.0, (200, 3): 20.0}


def team_scenario(seats: int, cycles: int, demand: str = "within", seed: int = 7) -> TeamScenario:
    """The benchmark's team: ``demand`` "within" the pool's credits, or "over" them."""
    rng = random.Random(seed)
    scale = 0.4 if demand == "within" else 1.0
    rows = []
    for i in range(seats):
        seat: dict[str, object] = {
            "name": f"Recruiter {i + 1}",
            "daily_cap": rng.choice([8, 10, 12, 15]),
            "buckets": [
                {
                    "name": "Passive candidates",
                    "goal": "recruiting",
                    "priority": "high",
                    "response_rate": round(rng.uniform(0.12, 0.25), 3),
                    "pool": int(rng.randint(60, 160) * scale),
                },
                {
                    "name": "Follow-up",
                    "goal": "recruiting",
                    "priority": "medium",
                    "response_rate": round(rng.uniform(0.08, 0.15), 3),
                    "follows": "Passive candidates",
                    "follows_who": "non_responders",
                    "gap_days": rng.choice([3, 5, 7]),
                },
                {
                    "name": "Referral requests",
                    "goal": "recruiting",
                    "priority": "low",
                    "response_rate": round(rng.uniform(0.10, 0.30), 3),
                    "pool": int(rng.randint(10, 60) * scale),
                },
            ],
        }
        if rng.random() < 0.3:
            seat["seat_cap"] = rng.randint(90, 150)
        if rng.random() < 0.2:
            seat["send_days"] = ["Mon", "Tue", "Wed", "Thu"]
        rows.append(seat)
    data = {
        "version": 2,
        "title": f"Recruiting team, {seats} seats",
        "start": date(2026, 1, 5),
        "cycles": cycles,
        "tier": "Recruiter (Corporate)",
        "refund_reliance": 0.5,
        "reserve": 20,
        "days_off": [date(2026, 5, 25), date(2026, 7, 3), date(2026, 12, 25)],
        "seats": rows,
    }
    scenario = parse_any_scenario(data)
    assert isinstance(scenario, TeamScenario)
    return scenario


ONE_RUN = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from bench_team import team_scenario
from planner.solve import make_plan
seats, cycles, demand, plain, limit = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1", float(sys.argv[6])
make_plan(team_scenario(2, 1))  # warm up imports and HiGHS
scenario = team_scenario(seats, cycles, demand)
started = time.perf_counter()
plan = make_plan(scenario, time_limit=limit, split_seats=not plain)
seconds = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "status": str(plan.status), "gap": plan.gap,
                  "solver": plan.solver, "objective": plan.totals.objective if plan.totals else None}))
"""


def measure(seats: int, cycles: int, demand: str, plain: bool, limit: float) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", ONE_RUN, str(HERE), str(seats), str(cycles), demand, "1" if plain else "0", str(limit)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, nargs="*", default=[1, 10, 50, 100, 200])
    parser.add_argument("--cycles", type=int, nargs="*", default=[3, 12])
    parser.add_argument("--demand", nargs="*", choices=("within", "over"), default=["within", "over"])
    parser.add_argument("--plain", action="store_true", help="also time the whole team's model at once (the baseline)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print("| seats | cycles | demand | method | plan time (s) | peak memory (MiB) | status | proven gap | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    for cycles in args.cycles:
        for seats in args.seats:
            for demand in args.demand:
                for plain in (False, True) if args.plain else (False,):
                    r = measure(seats, cycles, demand, plain, args.time_limit)
                    gap = "n/a" if r["gap"] is None else f"{float(r['gap']):.3%}"  # type: ignore[arg-type]
                    target = TARGETS.get((seats, cycles))
                    method = "whole model" if plain else str(r["solver"])
                    print(
                        f"| {seats} | {cycles} | {demand} | {method} | {float(r['seconds']):.2f} | "  # type: ignore[arg-type]
                        f"{float(r['peak_mib']):.0f} | {r['status']} | {gap} | {f'< {target:g} s' if target else ''} |",  # type: ignore[arg-type]
                        flush=True,
                    )


if __name__ == "__main__":
    main()

"""The ``inmail-planner`` command line: plan, compare and list tiers from scenario files.

Exit status: 0 a plan, 2 invalid input (scenario, usage log, or a log that
spends credits the ledger does not hold), 3 no feasible plan, 4 the time limit
ran out before any plan was found, 5 the solver failed. Messages go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from planner.actuals import replan
from planner.catalog import Catalog, load_catalog
from planner.compare import compare_tiers, verdict
from planner.export import ledger_csv, schedule_csv, summary_json, to_csv, write_text
from planner.plan import Plan, PlanStatus
from planner.scenario import Scenario, ScenarioError, load_scenario, resolve
from planner.solve import DEFAULT_GAP, DEFAULT_TIME_LIMIT, make_plan
from planner.usage import UsageImportError, import_usage

EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_TIME_LIMIT, EXIT_ERROR = 0, 2, 3, 4, 5
EXIT_OF_STATUS = {
    PlanStatus.OPTIMAL: EXIT_OK,
    PlanStatus.FEASIBLE: EXIT_OK,
    PlanStatus.INFEASIBLE: EXIT_INFEASIBLE,
    PlanStatus.TIME_LIMIT: EXIT_TIME_LIMIT,
    PlanStatus.ERROR: EXIT_ERROR,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
    return value


def _gap(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1 (0.005 = 0.5 %%)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="inmail-planner", description="Plan how to spend LinkedIn InMail credits.")
    parser.add_argument("--catalog", help="tier catalog CSV (default: the shipped data/tiers.csv)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = sub.add_parser("plan", help="plan a scenario file")
    plan.add_argument("scenario", help="scenario TOML file")
    plan.add_argument("--schedule", metavar="FILE.csv", help="write the schedule (date, bucket, sends, ...)")
    plan.add_argument("--ledger", metavar="FILE.csv", help="write the daily credit ledger")
    plan.add_argument("--summary", metavar="FILE.json", help="write totals, status and gap as JSON")
    plan.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT, metavar="S", help="seconds the solver may take")
    plan.add_argument("--gap", type=_gap, default=DEFAULT_GAP, help="relative optimality gap to stop at (default 0.002)")
    plan.add_argument("--solver", choices=("highs", "cbc"), default="highs")

    compare = sub.add_parser("compare", help="plan a scenario on several tiers")
    compare.add_argument("scenario", help="scenario TOML file")
    compare.add_argument("--tiers", nargs="+", metavar="TIER", help="tier names (default: the whole catalog)")
    compare.add_argument("--csv", metavar="FILE", help="write the comparison as CSV")
    compare.add_argument("--time-limit", type=_positive, default=10.0, metavar="S", help="seconds per tier")

    re = sub.add_parser("replan", help="re-plan a scenario from today, given a usage log")
    re.add_argument("scenario", help="scenario TOML file")
    re.add_argument("--log", required=True, metavar="USAGE.csv", help="usage log CSV: sent_on, bucket, outcome, outcome_on [, recipient, free]")
    re.add_argument("--today", required=True, type=_date, metavar="YYYY-MM-DD", help="the day to re-plan from")
    re.add_argument("--date-order", choices=("iso", "day_first", "month_first"), default="iso", help="how the log writes dates that are not ISO")
    re.add_argument("--learned-rates", action="store_true", help="plan with the response rates learned from the log")
    re.add_argument("--schedule", metavar="FILE.csv", help="write the new schedule")
    re.add_argument("--ledger", metavar="FILE.csv", help="write the new plan's ledger (from today)")
    re.add_argument("--actual-ledger", metavar="FILE.csv", help="write the ledger the log made (before today)")
    re.add_argument("--summary", metavar="FILE.json", help="write totals, status, gap, balance today and learned rates as JSON")
    re.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT, metavar="S", help="seconds the solver may take")

    sub.add_parser("tiers", help="list the tier catalog")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _replan(args: argparse.Namespace, scenario: Scenario, catalog: Catalog) -> int:
    problem = resolve(scenario, catalog)
    data = Path(args.log).read_bytes()
    imported = import_usage(data, buckets=[b.name for b in problem.buckets], date_order=args.date_order, today=args.today)
    print(f"usage log: {imported.summary()}", file=sys.stderr)
    for row in imported.rejected:
        print(f"  - line {row.line}: {row.reason}", file=sys.stderr)
    result = replan(scenario, imported.entries, args.today, catalog=catalog, use_learned_rates=args.learned_rates, time_limit=args.time_limit)
    actual = result.actual
    if actual.overspent_on is not None:
        print(
            f"inmail-planner: the log spends credits the ledger does not hold, first on {actual.overspent_on}; "
            "check the log's dates, buckets and free sends",
            file=sys.stderr,
        )
        return EXIT_INVALID
    for note in actual.notes:
        print(f"  - {note}", file=sys.stderr)
    balance = actual.balance_today(result.plan.problem)
    held = ", ".join(f"{row.credits:g} until {row.expires_after}" for row in balance.itertuples()) or "none"
    print(f"balance at the start of {args.today}: {balance['credits'].sum():g} credits ({held}); {actual.credits_returned:g} returned by responses")
    print(f"standing: {result.standing(make_plan(scenario, catalog=catalog, time_limit=args.time_limit))}")
    _report(result.plan)
    if args.summary:
        summary = result.plan.summary()
        summary["balance_today"] = balance.to_dict(orient="records")
        summary["credits_returned"] = actual.credits_returned
        summary["learned_rates"] = result.rates.to_dict(orient="records")
        write_text(args.summary, json.dumps(summary, indent=2, default=str) + "\n")
    if args.actual_ledger:
        write_text(args.actual_ledger, to_csv(actual.table))
    if result.plan.is_ok:
        if args.schedule:
            write_text(args.schedule, schedule_csv(result.plan))
        if args.ledger:
            write_text(args.ledger, ledger_csv(result.plan))
    return EXIT_OF_STATUS[result.plan.status]


def _report(plan: Plan) -> None:
    out = sys.stdout
    if plan.totals is None:
        print(f"{plan.status}: {plan.message}", file=sys.stderr)
        for reason in plan.diagnosis:
            print(f"  - {reason}", file=sys.stderr)
        return
    t = plan.totals
    gap = "n/a" if plan.gap is None else f"{plan.gap:.3%}"
    print(f"status: {plan.status} (gap {gap}, {plan.solver}, {plan.solve_seconds:.2f} s)", file=out)
    print(
        f"credits: {t.credits_granted:g} granted, {t.credits_spent:g} spent, {t.expired_unused:.2f} expire unused, "
        f"{t.forfeited_over_cap:.2f} forfeited over the cap, {t.credits_left_at_end:.2f} left at the end",
        file=out,
    )
    print(f"sends: {t.sends} ({t.free_sends} free); expected responses {t.expected_responses:.2f}; goal shortfall {t.goal_shortfall}", file=out)
    if t.cost_per_response is not None:
        print(f"price ${t.price_paid:,.2f}; ${t.cost_per_response:,.2f} per expected response (estimated prices)", file=out)


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        catalog: Catalog = load_catalog(args.catalog) if args.catalog else load_catalog()
    except (OSError, ValueError) as err:
        print(f"inmail-planner: catalog: {err}", file=sys.stderr)
        return EXIT_INVALID
    try:
        if args.command == "tiers":
            print(to_csv(pd.DataFrame(catalog.rows()).convert_dtypes()), end="")
            return EXIT_OK
        scenario = load_scenario(args.scenario, catalog)
        if args.command == "replan":
            return _replan(args, scenario, catalog)
        if args.command == "plan":
            plan = make_plan(scenario, catalog=catalog, time_limit=args.time_limit, gap=args.gap, solver=args.solver)
            _report(plan)
            if args.summary:
                write_text(args.summary, summary_json(plan))
            if plan.is_ok:
                if args.schedule:
                    write_text(args.schedule, schedule_csv(plan))
                if args.ledger:
                    write_text(args.ledger, ledger_csv(plan))
            return EXIT_OF_STATUS[plan.status]
        table = compare_tiers(scenario, args.tiers, catalog=catalog, time_limit=args.time_limit)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        for line in verdict(table, scenario.cycles):
            print(line)
        if args.csv:
            write_text(args.csv, to_csv(table))
        return EXIT_OK
    except ScenarioError as err:
        print(f"inmail-planner: invalid scenario {getattr(args, 'scenario', '')}:", file=sys.stderr)
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    except UsageImportError as err:
        print(f"inmail-planner: usage log {args.log}: {err}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as err:
        print(f"inmail-planner: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return EXIT_INVALID


def main() -> None:
    raise SystemExit(run())


if __name__ == "__main__":
    main()

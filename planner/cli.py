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
from planner.store import Store, StoreError
from planner.usage import ImportResult, Outcome, UsageEntry, UsageImportError, import_usage, usage_to_csv

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
    plan.add_argument(
        "--save", metavar="NAME", help="save the scenario (a new version of NAME) and the plan in the history database"
    )

    compare = sub.add_parser("compare", help="plan a scenario on several tiers")
    compare.add_argument("scenario", help="scenario TOML file")
    compare.add_argument("--tiers", nargs="+", metavar="TIER", help="tier names (default: the whole catalog)")
    compare.add_argument("--csv", metavar="FILE", help="write the comparison as CSV")
    compare.add_argument("--time-limit", type=_positive, default=10.0, metavar="S", help="seconds per tier")

    re = sub.add_parser("replan", help="re-plan a scenario from today, given a usage log")
    re.add_argument("scenario", help="scenario TOML file")
    source = re.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--log", metavar="USAGE.csv", help="usage log CSV: sent_on, bucket, outcome, outcome_on [, recipient, free]"
    )
    source.add_argument("--log-from", metavar="NAME", help="the usage log saved under NAME in the history database")
    re.add_argument("--today", required=True, type=_date, metavar="YYYY-MM-DD", help="the day to re-plan from")
    re.add_argument(
        "--date-order",
        choices=("iso", "day_first", "month_first"),
        default="iso",
        help="how the log writes dates that are not ISO",
    )
    re.add_argument("--learned-rates", action="store_true", help="plan with the response rates learned from the log")
    re.add_argument("--schedule", metavar="FILE.csv", help="write the new schedule")
    re.add_argument("--ledger", metavar="FILE.csv", help="write the new plan's ledger (from today)")
    re.add_argument("--actual-ledger", metavar="FILE.csv", help="write the ledger the log made (before today)")
    re.add_argument("--summary", metavar="FILE.json", help="write totals, status, gap, balance today and learned rates as JSON")
    re.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT, metavar="S", help="seconds the solver may take")

    log = sub.add_parser("log", help="the usage log kept in the history database, per scenario name")
    log_sub = log.add_subparsers(dest="log_command", required=True, parser_class=_Parser)
    imp = log_sub.add_parser("import", help="import a usage CSV (good rows kept, bad rows reported by line)")
    imp.add_argument("name", help="scenario name the log belongs to")
    imp.add_argument("file", help="usage log CSV")
    imp.add_argument("--date-order", choices=("iso", "day_first", "month_first"), default="iso")
    imp.add_argument(
        "--today", type=_date, default=None, metavar="YYYY-MM-DD", help="rows after this day are refused (default: today)"
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help="the file is the whole log (outcomes updated): it replaces the saved log, which is kept as history",
    )
    add = log_sub.add_parser("add", help="add one InMail sent")
    add.add_argument("name", help="scenario name the log belongs to")
    add.add_argument("--sent-on", required=True, type=_date, metavar="YYYY-MM-DD")
    add.add_argument("--bucket", required=True)
    add.add_argument("--outcome", choices=[str(o) for o in Outcome], default="pending")
    add.add_argument("--outcome-on", type=_date, metavar="YYYY-MM-DD", help="the outcome's date (not for pending)")
    add.add_argument("--recipient")
    add.add_argument("--free", action="store_true", default=None, help="sent without a credit (Open Profile, 1st degree)")
    show = log_sub.add_parser("list", help="print the log as CSV")
    show.add_argument("name", help="scenario name")
    for p in (imp, add, show):
        p.add_argument(
            "--db",
            metavar="URL_OR_PATH",
            help="history database (default: INMAIL_PLANNER_DB, else a file in the user data directory)",
        )
    plan.add_argument("--db", metavar="URL_OR_PATH", help="history database for --save")
    re.add_argument("--db", metavar="URL_OR_PATH", help="history database for --log-from")

    hist = sub.add_parser("history", help="list saved scenarios and plans")
    hist.add_argument("--db", metavar="URL_OR_PATH", help="history database")

    sub.add_parser("tiers", help="list the tier catalog")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _report_import(imported: ImportResult) -> None:
    print(f"usage log: {imported.summary()}", file=sys.stderr)
    for row in imported.rejected:
        print(f"  - line {row.line}: {row.reason}", file=sys.stderr)


def _known_buckets(store: Store, name: str) -> list[str] | None:
    """Bucket names of the latest saved version of the scenario ``name``, if one is saved."""
    versions = store.scenario_versions(name)
    if not versions:
        return None
    return [b.name for b in resolve(versions[-1].scenario()).buckets]


def _log(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        if args.log_command == "list":
            print(usage_to_csv(store.usage(args.name)), end="")
            return EXIT_OK
        buckets = _known_buckets(store, args.name)
        if args.log_command == "import":
            today = args.today or date.today()
            imported = import_usage(Path(args.file).read_bytes(), buckets=buckets, date_order=args.date_order, today=today)
            _report_import(imported)
            if args.replace:
                batch = store.replace_usage(args.name, imported.entries, source=Path(args.file).name)
                print(f"the log of {args.name!r} is now these {len(imported.entries)} InMails (batch {batch})")
            elif imported.entries:
                batch = store.add_usage(args.name, imported.entries, source=Path(args.file).name)
                print(f"saved {len(imported.entries)} InMails to the log of {args.name!r} (batch {batch})")
            return EXIT_OK
        if buckets is not None and args.bucket not in buckets:
            print(
                f"inmail-planner: bucket = {args.bucket!r}: not a bucket of {args.name!r}; known: {', '.join(buckets)}",
                file=sys.stderr,
            )
            return EXIT_INVALID
        if (args.outcome == "pending") != (args.outcome_on is None):
            need = (
                "leave out --outcome-on for a pending InMail"
                if args.outcome == "pending"
                else f"--outcome-on is needed for outcome {args.outcome}"
            )
            print(f"inmail-planner: {need}", file=sys.stderr)
            return EXIT_INVALID
        try:
            entry = UsageEntry(args.sent_on, args.bucket, Outcome(args.outcome), args.outcome_on, args.recipient, args.free)
        except ValueError as err:
            print(f"inmail-planner: {err}", file=sys.stderr)
            return EXIT_INVALID
        store.add_usage(args.name, [entry], source="command line")
        print(f"logged {entry.sent_on} {entry.bucket} ({entry.outcome}) under {args.name!r}")
        return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        print(f"database: {store.url}")
        for record in store.list_scenarios():
            print(f"scenario {record.name!r}: version {record.version}, saved {record.created_at:%Y-%m-%d %H:%M}")
            for plan in store.list_plans(record.name):
                print(f"  plan {plan.id}: v{plan.scenario_version}, {plan.status}, saved {plan.created_at:%Y-%m-%d %H:%M}")
    return EXIT_OK


def _replan(args: argparse.Namespace, scenario: Scenario, catalog: Catalog) -> int:
    problem = resolve(scenario, catalog)
    if args.log_from:
        with Store.open(args.db) as store:
            entries = [e for e in store.usage(args.log_from) if e.sent_on < args.today]
        print(f"usage log: {len(entries)} InMails logged under {args.log_from!r} before {args.today}", file=sys.stderr)
    else:
        imported = import_usage(
            Path(args.log).read_bytes(), buckets=[b.name for b in problem.buckets], date_order=args.date_order, today=args.today
        )
        _report_import(imported)
        entries = imported.entries
    result = replan(
        scenario, entries, args.today, catalog=catalog, use_learned_rates=args.learned_rates, time_limit=args.time_limit
    )
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
    print(
        f"balance at the start of {args.today}: {balance['credits'].sum():g} credits ({held}); "
        f"{actual.credits_returned:g} returned by responses"
    )
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
    print(
        f"sends: {t.sends} ({t.free_sends} free); expected responses {t.expected_responses:.2f}; "
        f"goal shortfall {t.goal_shortfall}",
        file=out,
    )
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
        if args.command == "log":
            return _log(args)
        if args.command == "history":
            return _history(args)
        if args.command == "tiers":
            print(to_csv(pd.DataFrame(catalog.rows()).convert_dtypes()), end="")
            return EXIT_OK
        scenario = load_scenario(args.scenario, catalog)
        if args.command == "replan":
            return _replan(args, scenario, catalog)
        if args.command == "plan":
            plan = make_plan(scenario, catalog=catalog, time_limit=args.time_limit, gap=args.gap, solver=args.solver)
            _report(plan)
            if args.save:
                with Store.open(args.db) as store:
                    record = store.save_scenario(args.save, scenario)
                    saved = store.save_plan(record.id, plan)
                print(f"saved as {args.save!r} version {record.version} (plan {saved.id})")
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
        print(f"inmail-planner: usage log {getattr(args, 'log', None) or getattr(args, 'file', '')}: {err}", file=sys.stderr)
        return EXIT_INVALID
    except StoreError as err:
        print(f"inmail-planner: history database: {err}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as err:
        print(f"inmail-planner: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return EXIT_INVALID


def main() -> None:
    raise SystemExit(run())


if __name__ == "__main__":
    main()

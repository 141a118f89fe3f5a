"""The ``inmail-planner`` command line: plan, compare and list tiers from scenario files.

Exit status:

- 0 a plan (or the command did what it was asked);
- 2 invalid input: a scenario, a usage log or log row, an option, a file that
  cannot be read or written, a log that spends credits the ledger does not
  hold, or a history database that cannot be used (damaged, read-only, an
  empty ``--db``, a value this planner does not know);
- 3 no feasible plan; 4 the time limit ran out before any plan was found;
  5 the solver failed;
- 70 an unexpected error: a bug; the message names it, without a traceback
  (``INMAIL_PLANNER_DEBUG=1`` shows the traceback);
- 130 interrupted (Ctrl-C).

Messages go to stderr. Each command imports what it needs when it runs, so
``--help`` and the small commands start fast: pandas, the solver and the
history database are loaded by the commands that use them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.usage import BadCell, ImportResult, Outcome, UsageImportError, UsageRowError, parse_date

if TYPE_CHECKING:
    from planner.actuals import Replan
    from planner.catalog import Catalog
    from planner.plan import Plan
    from planner.scenario import Scenario
    from planner.store import Store
    from planner.usage import UsageEntry

EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_TIME_LIMIT, EXIT_ERROR = 0, 2, 3, 4, 5
EXIT_BUG, EXIT_INTERRUPTED = 70, 130
MAX_PATHS = 50_000  # every path's day is held in memory: a year of 50,000 paths takes about 600 MB
REPORT_REJECTED = 50  # rejected log rows printed one by one; past these, counts per reason
DEBUG_VAR = "INMAIL_PLANNER_DEBUG"


class _Parser(argparse.ArgumentParser):
    """Exit 2 on a bad option; help texts that need the solver's defaults are filled in when help is shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.late_help: list[tuple[argparse.Action, Callable[[], str]]] = []

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)

    def format_help(self) -> str:
        for action, text in self.late_help:
            action.help = text()
        return super().format_help()


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0 (and finite)")
    return value


def _gap(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1 (0.005 = 0.5 %%)")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1 (0.1 = a 10 %% chance)")
    return value


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} must be from {low:,} to {high:,}")
        return value

    return parse


def _date(text: str) -> date:
    try:
        return parse_date(text, None)
    except BadCell as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _db(text: str) -> str:
    if text.strip() == "":
        raise argparse.ArgumentTypeError(
            f"{text!r} is empty: give a file path or a database URL, or leave --db out for the default database"
        )
    return text


def _solver_help(what: str) -> Callable[[], str]:
    def text() -> str:
        from planner.solve import ACCEPT_GAP, DEFAULT_GAP, DEFAULT_TIME_LIMIT

        if what == "gap":
            return (
                f"relative optimality gap on the value to prove, searching up to the time limit for it; without it the "
                f"solver aims for {DEFAULT_GAP:g} = {DEFAULT_GAP * 100:g} %% and accepts a plan proven within "
                f"{ACCEPT_GAP * 100:g} %% (MODEL.md) once its quick stages have run"
            )
        return f"seconds the solver may take (default {DEFAULT_TIME_LIMIT:g})"

    return text


def _risk_defaults() -> tuple[int, int]:
    """The simulation's default paths and seed (read when help is shown: planner.risk loads numpy)."""
    from planner.risk import DEFAULT_PATHS, DEFAULT_SEED

    return DEFAULT_PATHS, DEFAULT_SEED


def _solver_options(parser: _Parser, *, gap: bool) -> None:
    """--time-limit (and --gap): their defaults are the solver's, read when a plan is made or help is shown."""
    action = parser.add_argument("--time-limit", type=_positive, default=None, metavar="S")
    parser.late_help.append((action, _solver_help("time")))
    if gap:
        action = parser.add_argument("--gap", type=_gap, default=None)
        parser.late_help.append((action, _solver_help("gap")))


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (cheap: it imports no solver, no pandas, no database)."""
    parser = _Parser(prog="inmail-planner", description="Plan how to spend LinkedIn InMail credits.")
    parser.add_argument("--catalog", help="tier catalog CSV (default: the shipped data/tiers.csv)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = sub.add_parser("plan", help="plan a scenario file (one seat, or a team with [[seats]])")
    plan.add_argument("scenario", help="scenario TOML file")
    plan.add_argument("--schedule", metavar="FILE.csv", help="write the schedule (date, bucket, sends, ...; a team's: seat too)")
    plan.add_argument("--ledger", metavar="FILE.csv", help="write the daily credit ledger")
    plan.add_argument(
        "--summary",
        metavar="FILE.json",
        help="write totals, status and gap as JSON, with why each bucket sends what it does and what one more credit "
        "of each cycle is worth (a re-solve per cycle)",
    )
    _solver_options(plan, gap=True)
    plan.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    plan.add_argument(
        "--save",
        metavar="NAME",
        help="save the scenario (a new version of NAME unless unchanged) and the plan in the history database",
    )

    plan.add_argument(
        "--max-risk",
        type=_share,
        metavar="R",
        help="count on as much of the expected credit-backs as keeps the chance of running dry at or below R "
        "(0.1 = 10 %%): the safe refund_reliance, put in the summary",
    )

    risk = sub.add_parser("risk", help="simulate a scenario's plan with random responses: the chance of running dry")
    risk.add_argument("scenario", help="scenario TOML file")
    action = risk.add_argument("--paths", type=_count(1, MAX_PATHS), default=None, metavar="N")
    risk.late_help.append((action, lambda: f"random paths to simulate (default {_risk_defaults()[0]:,}; at most {MAX_PATHS:,})"))
    action = risk.add_argument("--seed", type=_count(0, 2**63 - 1), default=None, metavar="S")
    risk.late_help.append((action, lambda: f"the same seed gives the same numbers (default {_risk_defaults()[1]})"))
    risk.add_argument("--log", metavar="USAGE.csv", help="usage log CSV: simulate the re-plan from --today, with learned rates")
    risk.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the day to re-plan from (with --log)")
    risk.add_argument("--date-order", choices=("iso", "day_first", "month_first"), default="iso")
    risk.add_argument("--fan", metavar="FILE.csv", help="write the balance fan: date, p10, p50, p90 of the closing balance")
    risk.add_argument("--summary", metavar="FILE.json", help="write P(run dry), its 10 %% day, P(reserve holds) and the spreads")
    _solver_options(risk, gap=False)

    compare = sub.add_parser("compare", help="plan a scenario on several tiers")
    compare.add_argument("scenario", help="scenario TOML file")
    compare.add_argument("--tiers", nargs="+", metavar="TIER", help="tier names (default: the whole catalog)")
    compare.add_argument("--csv", metavar="FILE", help="write the comparison as CSV")
    compare.add_argument(
        "--curve",
        metavar="FILE.csv",
        help="write the response curve as CSV: the current tier at 0..4x its monthly credits, and every tier's own plan",
    )
    compare.add_argument("--time-limit", type=_positive, default=10.0, metavar="S", help="seconds per tier (default 10)")

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
    re.add_argument(
        "--learned-rates",
        action="store_true",
        help="plan with the response rates learned from the log (each shown with its 5-95 %% range and n)",
    )
    re.add_argument("--schedule", metavar="FILE.csv", help="write the new schedule")
    re.add_argument("--ledger", metavar="FILE.csv", help="write the new plan's ledger (from today)")
    re.add_argument("--actual-ledger", metavar="FILE.csv", help="write the ledger the log made (before today)")
    re.add_argument("--summary", metavar="FILE.json", help="write totals, status, gap, balance today and learned rates as JSON")
    _solver_options(re, gap=False)

    log = sub.add_parser("log", help="the usage log kept in the history database, per scenario name")
    log_sub = log.add_subparsers(dest="log_command", required=True, parser_class=_Parser)
    imp = log_sub.add_parser(
        "import", help="import a usage CSV (good rows kept, bad rows reported by line, rows already saved skipped)"
    )
    imp.add_argument("name", help="scenario name the log belongs to")
    imp.add_argument("file", help="usage log CSV")
    imp.add_argument("--date-order", choices=("iso", "day_first", "month_first"), default="iso")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="the file is the whole log (outcomes updated): it replaces the saved log, which is kept as history",
    )
    add = log_sub.add_parser("add", help="add one InMail sent (checked by the same rules as a row of an imported file)")
    add.add_argument("name", help="scenario name the log belongs to")
    add.add_argument("--sent-on", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--bucket", required=True)
    add.add_argument("--outcome", choices=[str(o) for o in Outcome], default="pending")
    add.add_argument("--outcome-on", metavar="YYYY-MM-DD", help="the outcome's date (not for pending)")
    add.add_argument("--recipient")
    add.add_argument("--free", action="store_true", default=None, help="sent without a credit (Open Profile, 1st degree)")
    for p in (imp, add):
        p.add_argument(
            "--today", type=_date, default=None, metavar="YYYY-MM-DD", help="rows after this day are refused (default: today)"
        )
    show = log_sub.add_parser("list", help="print the log as CSV")
    show.add_argument("name", help="scenario name")
    for p in (imp, add, show):
        p.add_argument(
            "--db",
            type=_db,
            metavar="URL_OR_PATH",
            help="history database (default: INMAIL_PLANNER_DB, else a file in the user data directory)",
        )
    plan.add_argument("--db", type=_db, metavar="URL_OR_PATH", help="history database for --save")
    re.add_argument("--db", type=_db, metavar="URL_OR_PATH", help="history database for --log-from")

    hist = sub.add_parser("history", help="list saved scenarios and plans")
    hist.add_argument("--db", type=_db, metavar="URL_OR_PATH", help="history database")

    sub.add_parser("tiers", help="list the tier catalog")
    return parser


# --- helpers ------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"inmail-planner: {message}", file=sys.stderr)


def _catalog(args: argparse.Namespace) -> Catalog:
    from planner.catalog import load_catalog

    try:
        return load_catalog(args.catalog) if args.catalog else load_catalog()
    except (OSError, ValueError) as err:
        raise _Refused(f"catalog {args.catalog or '(shipped)'}: {err}") from None


class _Refused(Exception):
    """Bad input found by the CLI itself: its message is printed, exit 2."""


def _report_import(imported: ImportResult) -> None:
    print(f"usage log: {imported.summary()}", file=sys.stderr)
    for line in imported.report(limit=REPORT_REJECTED):
        print(f"  - {line}", file=sys.stderr)


def _known_buckets(store: Store, name: str, catalog: Catalog) -> list[str] | None:
    """Bucket names of the latest saved version of the scenario ``name``, if one is saved."""
    from planner.problem import resolve

    versions = store.scenario_versions(name)
    if not versions:
        return None
    return [b.name for b in resolve(versions[-1].scenario(), catalog).buckets]


def _write_outputs(plan: Plan, args: argparse.Namespace, summary: str | None) -> None:
    from planner.export import ledger_csv, schedule_csv, write_text

    if args.summary and summary is not None:
        write_text(args.summary, summary)
    if plan.is_ok:
        if args.schedule:
            write_text(args.schedule, schedule_csv(plan))
        if args.ledger:
            write_text(args.ledger, ledger_csv(plan))


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
    if plan.problem.is_team:
        binding = [f"{s.seat} (cycle {', '.join(map(str, s.cap_binding_cycles))})" for s in plan.seats if s.cap_binding_cycles]
        print(f"seats: {len(plan.seats)}; seat caps binding: {'; '.join(binding) if binding else 'none'}", file=out)


def _exit_of(plan: Plan) -> int:
    from planner.plan import PlanStatus

    return {
        PlanStatus.OPTIMAL: EXIT_OK,
        PlanStatus.FEASIBLE: EXIT_OK,
        PlanStatus.INFEASIBLE: EXIT_INFEASIBLE,
        PlanStatus.TIME_LIMIT: EXIT_TIME_LIMIT,
        PlanStatus.ERROR: EXIT_ERROR,
    }[plan.status]


# --- commands ----------------------------------------------------------------------------


def _plan(args: argparse.Namespace) -> int:
    from planner.export import summary_json
    from planner.scenario import Scenario, ScenarioError, load_any_scenario
    from planner.solve import ACCEPT_GAP, DEFAULT_GAP, DEFAULT_TIME_LIMIT, make_plan

    catalog = _catalog(args)
    scenario = load_any_scenario(args.scenario, catalog)
    time_limit = args.time_limit or DEFAULT_TIME_LIMIT
    gap = DEFAULT_GAP if args.gap is None else args.gap
    accept = ACCEPT_GAP if args.gap is None else None  # a gap asked for is searched for, not replaced by MODEL.md's
    data: dict[str, object] | None = None
    if args.max_risk is not None and not isinstance(scenario, Scenario):
        raise ScenarioError(["--max-risk: the safe reliance is searched for one seat; a team scenario is planned without it"])
    if args.max_risk is None or not isinstance(scenario, Scenario):
        plan = make_plan(scenario, catalog=catalog, time_limit=time_limit, gap=gap, solver=args.solver, accept=accept)
    else:
        from planner.risk import NoSchedule, safe_reliance

        try:
            safe = safe_reliance(
                scenario,
                args.max_risk,
                plan_for=lambda s: make_plan(
                    s, time_limit=time_limit, gap=gap, solver=args.solver, catalog=catalog, accept=accept
                ),
            )
        except NoSchedule as err:
            plan = err.plan
        else:
            plan = safe.plan
            # with the reliance chosen: what --save keeps is what was planned
            scenario = scenario.model_copy(update={"refund_reliance": safe.reliance})
            print(f"safe reliance: {safe.sentence} ({safe.report.paths:,} paths)")
            data = plan.summary() | {"refund_reliance": safe.reliance, "max_risk": args.max_risk, "risk": safe.report.summary()}
    _report(plan)
    summary: str | None = None
    if args.summary:  # the reasons and the credit values re-solve once per cycle: only when asked for
        from planner.why import why

        data = (data if data is not None else plan.summary()) | why(plan, gap=gap, time_limit=time_limit).summary()
        summary = summary_json(plan, data)
    # the files first: a history database that cannot be written must not cost the user the plan
    _write_outputs(plan, args, summary)
    if args.save:
        from planner.store import Store, StoreError

        try:
            with Store.open(args.db) as store:
                record = store.save_scenario(args.save, scenario)
                saved = store.save_plan(record.id, plan)
        except StoreError as err:
            written = [f for f in (args.schedule, args.ledger, args.summary) if f]
            done = f"; the files were written ({', '.join(written)})" if written else ""
            _say(f"history database: {err}; the plan was not saved{done}")
            return EXIT_INVALID
        if record.unchanged:
            print(f"{args.save!r} is unchanged: it is version {record.version} already (plan {saved.id} saved with it)")
        else:
            print(f"saved as {args.save!r} version {record.version} (plan {saved.id})")
    return _exit_of(plan)


def _compare(args: argparse.Namespace) -> int:
    from planner.compare import compare_tiers, verdict
    from planner.export import to_csv, write_text
    from planner.scenario import Scenario, ScenarioError, load_any_scenario

    catalog = _catalog(args)
    scenario = load_any_scenario(args.scenario, catalog)
    if args.curve and not isinstance(scenario, Scenario):
        raise ScenarioError(["--curve: the response curve is drawn for one seat; a team scenario is compared without it"])
    table = compare_tiers(scenario, args.tiers, catalog=catalog, time_limit=args.time_limit)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    for line in verdict(table, scenario.cycles):
        print(line)
    if args.csv:
        write_text(args.csv, to_csv(table))
    if args.curve and isinstance(scenario, Scenario):  # a team's was refused above
        from planner.curve import response_curve, sweep_scenario

        curve = response_curve(sweep_scenario(scenario, catalog), table)
        print(f"{curve.sentence()} (response curve: {len(curve.points)} points, {curve.seconds:.2f} s)")
        write_text(args.curve, to_csv(curve.table()))
    return EXIT_OK


def _tiers(args: argparse.Namespace) -> int:
    import pandas as pd

    from planner.export import to_csv

    print(to_csv(pd.DataFrame(_catalog(args).rows()).convert_dtypes()), end="")
    return EXIT_OK


def _log(args: argparse.Namespace) -> int:
    from planner.store import Store
    from planner.usage import import_usage, parse_usage_row, usage_to_csv

    with Store.open(args.db) as store:
        if args.log_command == "list":
            print(usage_to_csv(store.usage(args.name)), end="")
            return EXIT_OK
        buckets = _known_buckets(store, args.name, _catalog(args))
        today = args.today or date.today()
        if args.log_command == "import":
            imported = import_usage(Path(args.file).read_bytes(), buckets=buckets, date_order=args.date_order, today=today)
            _report_import(imported)
            if args.replace:
                batch = store.replace_usage(args.name, imported.entries, source=Path(args.file).name)
                print(f"the log of {args.name!r} is now these {len(imported.entries)} InMails (batch {batch})")
                return EXIT_OK
            added = store.add_new_usage(args.name, imported.entries, source=Path(args.file).name)
            skipped = f"; skipped {added.skipped} already in the log (exact duplicates)" if added.skipped else ""
            if added.batch_id is None:
                print(f"nothing new to save to the log of {args.name!r}{skipped}")
            else:
                print(f"saved {added.added} InMails to the log of {args.name!r} (batch {added.batch_id}){skipped}")
            return EXIT_OK
        # log add: the row rules of an imported row, with the options as its cells
        cells = {
            "sent_on": args.sent_on,
            "bucket": args.bucket,
            "outcome": args.outcome,
            "outcome_on": args.outcome_on,
            "recipient": args.recipient,
            "free": args.free,
        }
        try:
            entry = parse_usage_row(cells, buckets=buckets, today=today)
        except UsageRowError as err:
            for problem in err.problems:
                text = problem.text
                if problem.kind == "bucket is not a bucket of the scenario":
                    text = f"bucket = {args.bucket!r}: not a bucket of {args.name!r}; known: {', '.join(buckets or [])}"
                _say(f"log add: {_as_options(text)}")
            return EXIT_INVALID
        store.add_usage(args.name, [entry], source="command line")
        print(f"logged {entry.sent_on} {entry.bucket} ({entry.outcome}) under {args.name!r}")
        return EXIT_OK


def _as_options(text: str) -> str:
    """A row rule's message with the option names ``log add`` takes (``--outcome-on`` for ``outcome_on``).

    >>> _as_options("outcome_on is empty but outcome is replied; give the date of the replied outcome")
    '--outcome-on is empty but outcome is replied; give the date of the replied outcome'
    """
    for column in ("outcome_on", "sent_on", "recipient"):
        text = text.replace(column, f"--{column.replace('_', '-')}")
    return text


def _history(args: argparse.Namespace) -> int:
    from planner.store import Store

    with Store.open(args.db) as store:
        print(f"database: {store.url}")
        for record in store.list_scenarios():
            print(f"scenario {record.name!r}: version {record.version}, saved {record.created_at:%Y-%m-%d %H:%M}")
            for plan in store.list_plans(record.name):
                print(f"  plan {plan.id}: v{plan.scenario_version}, {plan.status}, saved {plan.created_at:%Y-%m-%d %H:%M}")
    return EXIT_OK


def _rates_lines(rates: Any) -> list[str]:
    """One line per bucket: the learned rate, its 5-95 % range, n and k, and the prior."""
    lines = ["learned response rates (posterior mean, 5-95 % range; n = effective observations, pending sends in part):"]
    for r in rates.itertuples():
        lines.append(
            f"  {r.bucket}: {r.learned_rate:.1%} ({r.learned_p05:.1%} to {r.learned_p95:.1%}); "
            f"n = {r.observations:.1f} with {r.responses} responses; prior {r.prior_rate:.1%}"
        )
    return lines


def _records(table: Any) -> list[dict[str, Any]]:
    # NaN is not JSON: an empty cell is null
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()} for row in table.to_dict("records")]


def _replanned(
    args: argparse.Namespace, scenario: Scenario, catalog: Catalog, time_limit: float, *, learned_rates: bool
) -> tuple[Replan, list[UsageEntry]]:
    """The usage log (``--log`` or ``--log-from``) and the re-plan from ``--today`` it gives; _Refused when it cannot be made."""
    from planner.actuals import replan
    from planner.problem import resolve
    from planner.scenario import ScenarioError
    from planner.usage import import_usage

    problem = resolve(scenario, catalog)
    if getattr(args, "log_from", None):
        from planner.store import Store

        with Store.open(args.db) as store:
            entries = [e for e in store.usage(args.log_from) if e.sent_on < args.today]
        print(f"usage log: {len(entries)} InMails logged under {args.log_from!r} before {args.today}", file=sys.stderr)
    else:
        imported = import_usage(
            Path(args.log).read_bytes(), buckets=[b.name for b in problem.buckets], date_order=args.date_order, today=args.today
        )
        _report_import(imported)
        entries = imported.entries
    try:
        result = replan(scenario, entries, args.today, catalog=catalog, use_learned_rates=learned_rates, time_limit=time_limit)
    except ScenarioError as err:  # the scenario itself was read before: this is about --today or the log
        reasons = "".join(f"\n  - {reason}" for reason in err.problems)
        raise _Refused(f"cannot re-plan {args.scenario} from --today {args.today}:{reasons}") from None
    if result.actual.overspent_on is not None:
        raise _Refused(
            f"the log spends credits the ledger does not hold, first on {result.actual.overspent_on}; "
            "check the log's dates, buckets and free sends"
        )
    return result, list(entries)


def _replan(args: argparse.Namespace) -> int:
    from planner.export import to_csv, write_text
    from planner.scenario import load_scenario
    from planner.solve import DEFAULT_TIME_LIMIT, make_plan

    catalog = _catalog(args)
    scenario = load_scenario(args.scenario, catalog)
    time_limit = args.time_limit or DEFAULT_TIME_LIMIT
    result, _ = _replanned(args, scenario, catalog, time_limit, learned_rates=args.learned_rates)
    actual = result.actual
    for note in actual.notes:
        print(f"  - {note}", file=sys.stderr)
    balance = actual.balance_today(result.plan.problem)
    held = ", ".join(f"{row.credits:g} until {row.expires_after}" for row in balance.itertuples()) or "none"
    print(
        f"balance at the start of {args.today}: {balance['credits'].sum():g} credits ({held}); "
        f"{actual.credits_returned:g} returned by responses"
    )
    from planner.tracking import standing

    print(f"standing: {standing(result, make_plan(scenario, catalog=catalog, time_limit=time_limit))}")
    if args.learned_rates:
        for line in _rates_lines(result.rates):
            print(line)
    _report(result.plan)
    if args.summary:
        summary = result.plan.summary()
        summary["balance_today"] = balance.to_dict(orient="records")
        summary["credits_returned"] = actual.credits_returned
        summary["used_learned_rates"] = result.used_learned_rates
        summary["learned_rates"] = _records(result.rates)
        write_text(args.summary, json.dumps(summary, indent=2, default=str) + "\n")
    if args.actual_ledger:
        write_text(args.actual_ledger, to_csv(actual.table))
    _write_outputs(result.plan, args, None)
    return _exit_of(result.plan)


def _risk(args: argparse.Namespace) -> int:
    from planner.export import to_csv, write_text
    from planner.risk import Beliefs, beliefs_from_log, simulate
    from planner.scenario import load_scenario
    from planner.solve import DEFAULT_TIME_LIMIT, make_plan

    if (args.log is None) != (args.today is None):
        raise _Refused("--log and --today go together: the re-plan from today of the log is what is simulated")
    catalog = _catalog(args)
    scenario = load_scenario(args.scenario, catalog)
    time_limit = args.time_limit or DEFAULT_TIME_LIMIT
    beliefs: Beliefs | None = None
    if args.log is not None:
        result, entries = _replanned(args, scenario, catalog, time_limit, learned_rates=False)
        plan = result.plan
        if plan.is_ok:
            beliefs = beliefs_from_log(result, entries)
        print(f"re-plan from {args.today}, rates drawn from what the log taught (learned posteriors)")
    else:
        plan = make_plan(scenario, catalog=catalog, time_limit=time_limit)
    _report(plan)
    if not plan.is_ok:
        return _exit_of(plan)
    default_paths, default_seed = _risk_defaults()
    paths = default_paths if args.paths is None else args.paths
    report = simulate(plan, beliefs, paths=paths, seed=default_seed if args.seed is None else args.seed).report()
    for line in report.lines():
        print(line)
    if args.fan:
        write_text(args.fan, to_csv(report.fan))
    if args.summary:
        write_text(args.summary, json.dumps(report.summary(), indent=2) + "\n")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "risk": _risk,
    "plan": _plan,
    "compare": _compare,
    "replan": _replan,
    "log": _log,
    "history": _history,
    "tiers": _tiers,
}


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (see the module docstring)."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except _Refused as err:
        _say(str(err))
        return EXIT_INVALID
    except UsageImportError as err:
        _say(f"usage log {getattr(args, 'log', None) or getattr(args, 'file', '')}: {err}")
        return EXIT_INVALID
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as err:  # sorted by kind in _failed, which imports the error types only when one is raised
        return _failed(args, err)


def _failed(args: argparse.Namespace, err: Exception) -> int:
    """The exit status and message for an error a command raised."""
    from planner.scenario import ScenarioError
    from planner.store import StoreError

    if isinstance(err, ScenarioError):
        where = getattr(args, "scenario", None)
        _say(f"invalid scenario {where}:" if where else "invalid scenario:")
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    if isinstance(err, StoreError):
        _say(f"history database: {err}")
        return EXIT_INVALID
    if isinstance(err, OSError):
        _say(f"{err.filename or ''}: {err.strerror or err}")
        return EXIT_INVALID
    if os.environ.get(DEBUG_VAR):
        traceback.print_exception(err)
    _say(f"unexpected error ({type(err).__name__}: {err}); this is a bug, please report it with the command you ran")
    return EXIT_BUG


def main() -> None:
    """The console script."""
    raise SystemExit(run())


if __name__ == "__main__":
    main()

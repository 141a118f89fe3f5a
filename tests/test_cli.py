"""The inmail-planner command line, run as a user would (a real subprocess)."""

from __future__ import annotations

import csv
import json
import math
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from planner.paths import EXAMPLES_DIR

SALES = str(EXAMPLES_DIR / "sales_rep.toml")


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_plan_writes_schedule_ledger_and_summary(tmp_path: Path) -> None:
    out = cli(
        "plan",
        SALES,
        "--schedule",
        str(tmp_path / "s.csv"),
        "--ledger",
        str(tmp_path / "l.csv"),
        "--summary",
        str(tmp_path / "s.json"),
        "--time-limit",
        "30",
    )
    assert out.returncode == 0, out.stderr
    assert "status: optimal" in out.stdout
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    assert {"date", "bucket", "sends"} <= set(rows[0])
    assert sum(int(r["sends"]) for r in rows) == 50
    ledger = list(csv.DictReader((tmp_path / "l.csv").open()))
    assert len(ledger) == 30 and float(ledger[-1]["closing"]) == 0
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["status"] == "optimal" and summary["gap"] <= 0.005
    assert summary["totals"]["credits_spent"] == 50


def test_invalid_scenario_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('start = 2026-06-01\ntier = "Premium Business"\ncycles = 20\n[goals]\nsales = 1.0\n')
    out = cli("plan", str(bad))
    assert out.returncode == 2
    assert "cycles = 20" in out.stderr and "Traceback" not in out.stderr


def test_missing_file_and_bad_option_exit_2(tmp_path: Path) -> None:
    out = cli("plan", str(tmp_path / "missing.toml"))
    assert out.returncode == 2 and "missing.toml" in out.stderr and "Traceback" not in out.stderr
    out = cli("plan", SALES, "--time-limit", "-3")
    assert out.returncode == 2 and "must be above 0" in out.stderr


def test_infeasible_scenario_exits_3_with_the_reason(tmp_path: Path) -> None:
    text = Path(SALES).read_text().replace("pool = 10\n", "pool = 10\nmin = 9\n").replace("daily_cap", "x")
    text = text.replace("cycles = 1\n", 'cycles = 1\ndaily_cap = 1\nsend_days = ["Mon"]\n')
    scenario = tmp_path / "tight.toml"
    scenario.write_text(text)
    out = cli("plan", str(scenario), "--schedule", str(tmp_path / "s.csv"))
    assert out.returncode == 3
    assert "minimums need 9 sends but 5 send days x 1/day allow 5" in out.stderr
    assert not (tmp_path / "s.csv").exists()


def test_compare_lists_each_tier_and_writes_csv(tmp_path: Path) -> None:
    out = cli("compare", SALES, "--tiers", "Premium Business", "Sales Navigator Core", "--csv", str(tmp_path / "c.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert [r["tier"] for r in rows] == ["Sales Navigator (use it or lose it)", "Premium Business", "Sales Navigator Core"]
    assert "Premium Business saves $40 a month but loses 4.5 expected responses a month" in out.stdout


def test_compare_unknown_tier_exits_2() -> None:
    out = cli("compare", SALES, "--tiers", "Premium Gold")
    assert out.returncode == 2 and '"Premium Gold": unknown tier' in out.stderr


def test_tiers_lists_the_catalog() -> None:
    out = cli("tiers")
    assert out.returncode == 0
    rows = list(csv.DictReader(out.stdout.splitlines()))
    assert rows[3]["name"] == "Sales Navigator Core" and rows[3]["max_age_days"] == "90"


def test_csv_cells_that_look_like_formulas_are_escaped(tmp_path: Path) -> None:
    text = Path(SALES).read_text().replace('"Account expansion"', '"=HYPERLINK(\\"x\\")"')
    scenario = tmp_path / "evil.toml"
    scenario.write_text(text)
    out = cli("plan", str(scenario), "--schedule", str(tmp_path / "s.csv"))
    assert out.returncode == 0, out.stderr
    buckets = {r["bucket"] for r in csv.DictReader((tmp_path / "s.csv").open())}
    assert '\'=HYPERLINK("x")' in buckets


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_solver_choice(solver: str, tmp_path: Path) -> None:
    out = cli("plan", SALES, "--solver", solver, "--summary", str(tmp_path / "s.json"))
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "s.json").read_text())["solver"].startswith({"highs": "HiGHS", "cbc": "CBC"}[solver])


USAGE = """sent_on;bucket;outcome;outcome_on;notes
2026-12-01;Initial prospecting;replied;2026-12-03;first
2026-12-01;Initial prospecting;pending;;
2026-12-02;Initial prospecting;declined;2026-12-04;
2026-12-02;Nope;pending;;
2026-12-09;Industry leaders;maybe;;
"""


def test_replan_reports_balance_rejected_rows_and_a_new_plan(tmp_path: Path) -> None:
    log = tmp_path / "usage.csv"
    log.write_bytes(b"\xef\xbb\xbf" + USAGE.encode())
    out = cli(
        "replan",
        str(EXAMPLES_DIR / "team_upgrade.toml"),
        "--log",
        str(log),
        "--today",
        "2026-12-10",
        "--schedule",
        str(tmp_path / "s.csv"),
        "--summary",
        str(tmp_path / "s.json"),
        "--learned-rates",
    )
    assert out.returncode == 0, out.stderr
    assert "Imported 3 of 5 rows; rejected 2 (lines 5, 6)" in out.stderr
    assert "line 5: bucket = 'Nope'" in out.stderr and "line 6: outcome = 'maybe'" in out.stderr
    # 15 granted, 3 sent, 2 returned by the reply and the decline
    assert "balance at the start of 2026-12-10: 14 credits" in out.stdout
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    assert min(r["date"] for r in rows) >= "2026-12-10"
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["credits_returned"] == 2
    learned = {r["bucket"]: r for r in summary["learned_rates"]}
    # 2 responses and one send pending 9 days, a partial trial of 1 - exp(-9 / 7) (refund_lag_days = 7)
    n = 2 + (1 - math.exp(-9 / 7))
    initial = learned["Initial prospecting"]
    assert initial["observations"] == pytest.approx(n) and initial["responses"] == 2
    assert initial["learned_rate"] == pytest.approx((0.15 * 20 + 2) / (20 + n))
    assert initial["learned_p05"] < initial["learned_rate"] < initial["learned_p95"]
    assert learned["Follow-up"]["observed_rate"] is None  # no sends: null in the JSON, not NaN
    assert "  Initial prospecting: 22.0% (" in out.stdout and f"n = {n:.1f} with 2 responses; prior 15.0%" in out.stdout


def test_replan_refuses_a_log_that_overspends(tmp_path: Path) -> None:
    log = tmp_path / "usage.csv"
    log.write_text("sent_on,bucket,outcome,outcome_on\n" + "2026-12-01,Initial prospecting,pending,\n" * 16)
    out = cli("replan", str(EXAMPLES_DIR / "team_upgrade.toml"), "--log", str(log), "--today", "2026-12-10")
    assert out.returncode == 2
    assert "the log spends credits the ledger does not hold, first on 2026-12-01" in out.stderr


def test_replan_refuses_junk_and_a_bad_date(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02binary\xff")
    out = cli("replan", str(EXAMPLES_DIR / "team_upgrade.toml"), "--log", str(junk), "--today", "2026-12-10")
    assert out.returncode == 2 and "Traceback" not in out.stderr and "usage log" in out.stderr
    out = cli("replan", str(EXAMPLES_DIR / "team_upgrade.toml"), "--log", str(junk), "--today", "10/12/2026")
    assert out.returncode == 2 and "argument --today: '10/12/2026': not an ISO date (YYYY-MM-DD)" in out.stderr
    out = cli("replan", str(EXAMPLES_DIR / "team_upgrade.toml"), "--log", str(junk), "--today", "2027-02-30")
    assert out.returncode == 2 and "argument --today: '2027-02-30': February 2027 has 28 days" in out.stderr


def test_usage_log_in_the_history_database(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    scenario = str(EXAMPLES_DIR / "team_upgrade.toml")
    out = cli("plan", scenario, "--save", "team", "--db", db)
    assert out.returncode == 0 and "saved as 'team' version 1 (plan 1)" in out.stdout
    log = tmp_path / "usage.csv"
    log.write_text(USAGE)
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--db", db)
    assert out.returncode == 0 and "saved 3 InMails" in out.stdout and "line 5: bucket = 'Nope'" in out.stderr
    add = ("log", "add", "team", "--today", "2026-12-10", "--db", db, "--sent-on", "2026-12-09")
    out = cli(*add, "--bucket", "Industry leaders", "--outcome", "replied")
    assert out.returncode == 2 and "--outcome-on is empty but outcome is replied" in out.stderr
    out = cli(*add, "--bucket", "Nope")
    assert out.returncode == 2 and "bucket = 'Nope': not a bucket of 'team'" in out.stderr
    out = cli(*add, "--bucket", "Industry leaders")
    assert out.returncode == 0, out.stderr
    listed = list(csv.DictReader(cli("log", "list", "team", "--db", db).stdout.splitlines()))
    assert len(listed) == 4 and listed[-1]["bucket"] == "Industry leaders"
    out = cli("replan", scenario, "--log-from", "team", "--today", "2026-12-10", "--db", db)
    assert out.returncode == 0, out.stderr
    assert "balance at the start of 2026-12-10: 13 credits" in out.stdout  # 15 - 4 sent + 2 returned
    out = cli("history", "--db", db)
    assert "scenario 'team': version 1" in out.stdout and "plan 1: v1, optimal" in out.stdout
    # a reply came to a pending InMail: the corrected file replaces the saved log
    log.write_text(
        USAGE.replace("2026-12-01;Initial prospecting;pending;;", "2026-12-01;Initial prospecting;replied;2026-12-08;")
    )
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--replace", "--db", db)
    assert out.returncode == 0 and "the log of 'team' is now these 3 InMails" in out.stdout
    listed = list(csv.DictReader(cli("log", "list", "team", "--db", db).stdout.splitlines()))
    assert [r["outcome"] for r in listed] == ["replied", "replied", "declined"]


def test_log_add_refuses_a_send_after_today_as_log_import_does(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    out = cli("log", "add", "team", "--sent-on", "2026-12-11", "--bucket", "A", "--today", "2026-12-10", "--db", db)
    assert out.returncode == 2 and "--sent-on = '2026-12-11' is after today (2026-12-10)" in out.stderr
    log = tmp_path / "usage.csv"
    log.write_text("sent_on,bucket,outcome,outcome_on\n2026-12-11,A,pending,\n")
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--db", db)
    assert "sent_on = '2026-12-11' is after today (2026-12-10)" in out.stderr
    out = cli("log", "add", "team", "--sent-on", "2027-02-30", "--bucket", "A", "--db", db)
    assert out.returncode == 2 and "--sent-on = '2027-02-30': February 2027 has 28 days" in out.stderr
    assert cli("log", "list", "team", "--db", db).stdout.strip() == "sent_on,bucket,outcome,outcome_on,recipient,free"


def test_importing_the_same_file_twice_skips_the_duplicates_and_says_how_many(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    log = tmp_path / "usage.csv"
    log.write_text("sent_on,bucket,outcome,outcome_on\n" + "2026-12-01,A,pending,\n" * 2 + "2026-12-02,A,replied,2026-12-03\n")
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--db", db)
    assert out.returncode == 0 and "saved 3 InMails" in out.stdout  # two equal rows in one file are two sends
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--db", db)
    assert out.returncode == 0
    assert "nothing new to save to the log of 'team'; skipped 3 already in the log (exact duplicates)" in out.stdout
    log.write_text(log.read_text() + "2026-12-04,A,pending,\n")
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--db", db)
    assert "saved 1 InMails to the log of 'team'" in out.stdout and "skipped 3 already in the log" in out.stdout
    assert len(cli("log", "list", "team", "--db", db).stdout.splitlines()) == 1 + 4


def test_a_file_of_bad_rows_gives_a_short_report_not_143_mb_of_reasons(tmp_path: Path) -> None:
    # the attack was a million rows (tests/test_usage.py reads those); 200,000 keep this process quick
    log = tmp_path / "usage.csv"
    log.write_text("sent_on,bucket,outcome,outcome_on\n" + "x\n" * 200_000)
    out = cli("log", "import", "team", str(log), "--db", str(tmp_path / "h.db"))
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert len(out.stderr) < 10_000 and len(out.stderr.splitlines()) == 1 + 50 + 1
    assert "rejected 200,000" in out.stderr and "outcome is empty (200,000)" in out.stderr


def test_an_empty_db_is_refused_not_the_default(tmp_path: Path) -> None:
    env = {**os.environ, "INMAIL_PLANNER_DB": str(tmp_path / "default.db")}
    out = subprocess.run(
        [sys.executable, "-m", "planner.cli", "history", "--db", ""], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 2 and "argument --db: '' is empty: give a file path or a database URL" in out.stderr
    assert not (tmp_path / "default.db").exists()


def _broken_store(tmp_path: Path, how: str) -> str:
    db = tmp_path / "history.db"
    assert cli("log", "add", "team", "--sent-on", "2026-12-01", "--bucket", "A", "--db", str(db)).returncode == 0
    if how == "damaged":
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = bytearray(db.read_bytes())
        data[4096 : 3 * 4096] = bytes((i * 151 + 7) % 256 for i in range(2 * 4096))
        db.write_bytes(bytes(data))
    elif how == "dropped table":
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TABLE plans")
    elif how == "unknown outcome":
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE usage_entries SET outcome = 'ghosted'")
    elif how == "a directory":
        db.unlink()
        db.mkdir()
    return str(db)


@pytest.mark.parametrize("how", ["damaged", "dropped table", "unknown outcome", "a directory"])
def test_a_broken_history_database_is_a_message_and_exit_2_never_a_traceback(tmp_path: Path, how: str) -> None:
    db = _broken_store(tmp_path, how)
    # every command that reads what is broken: the log for an unknown outcome, anything for the rest
    if how == "unknown outcome":
        commands = [
            ("log", "list", "team"),
            ("replan", str(EXAMPLES_DIR / "team_upgrade.toml"), "--log-from", "team", "--today", "2026-12-10"),
        ]
    else:
        commands = [("history",), ("plan", SALES, "--save", "S")]
    for args in commands:
        out = cli(*args, "--db", db)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr and "inmail-planner: history database:" in out.stderr, out.stderr


def test_plan_save_to_a_broken_store_still_writes_the_schedule(tmp_path: Path) -> None:
    db = _broken_store(tmp_path, "a directory")
    schedule = tmp_path / "s.csv"
    out = cli("plan", SALES, "--save", "S", "--db", db, "--schedule", str(schedule))
    assert out.returncode == 2 and "the plan was not saved; the files were written" in out.stderr
    assert sum(int(r["sends"]) for r in csv.DictReader(schedule.open())) == 50


def test_saving_an_unchanged_scenario_says_so_instead_of_a_new_version(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    assert "saved as 'S' version 1 (plan 1)" in cli("plan", SALES, "--save", "S", "--db", db).stdout
    out = cli("plan", SALES, "--save", "S", "--db", db)
    assert out.returncode == 0 and "'S' is unchanged: it is version 1 already (plan 2 saved with it)" in out.stdout


def test_bad_output_paths_and_options_are_messages_not_tracebacks(tmp_path: Path) -> None:
    out = cli("plan", SALES, "--schedule", str(tmp_path / "no" / "such" / "dir.csv"))
    assert out.returncode == 2 and "Traceback" not in out.stderr and "dir.csv" in out.stderr
    out = cli("plan", SALES, "--gap", "nan")
    assert out.returncode == 2 and "'nan' must be between 0 and 1" in out.stderr
    out = cli("plan", SALES, "--time-limit", "inf")
    assert out.returncode == 2 and "'inf' must be above 0" in out.stderr
    out = cli("--catalog", str(tmp_path / "none.csv"), "tiers")
    assert out.returncode == 2 and "catalog" in out.stderr and "Traceback" not in out.stderr
    out = cli("replan", SALES, "--log", str(tmp_path / "none.csv"), "--today", "2026-06-10")
    assert out.returncode == 2 and "none.csv" in out.stderr and "Traceback" not in out.stderr
    log = tmp_path / "log.csv"
    log.write_text("sent_on,bucket,outcome,outcome_on\n")
    out = cli("replan", SALES, "--log", str(log), "--today", "2030-01-01")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "cannot re-plan" in out.stderr and "today = 2030-01-01: outside the scenario's horizon" in out.stderr


def test_help_imports_no_pandas_sqlalchemy_or_solver() -> None:
    code = (
        "import sys\nfrom planner.cli import run\n"
        "try:\n    run(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'sqlalchemy', 'pulp', 'numpy', 'scipy', 'pydantic'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_plan_keeps_the_speed_guard_and_reply_capacity_of_a_v2_file(tmp_path: Path) -> None:
    paced = tmp_path / "paced.toml"
    paced.write_text(
        'version = 2\nstart = 2026-06-01\ntier = "Sales Navigator Core"\nreplies_per_day = 0.5\n'
        "speed_guard = { base = 2, growth = 1.5 }\n[goals]\nsales = 1.0\n"
    )
    out = cli("plan", str(paced), "--schedule", str(tmp_path / "s.csv"), "--time-limit", "30")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    sends: dict[date, int] = {}
    replies: dict[date, float] = {}
    for r in rows:
        day = date.fromisoformat(r["date"])
        sends[day] = sends.get(day, 0) + int(r["sends"])
        replies[day] = replies.get(day, 0.0) + float(r["expected_responses"])
    for day, n in sends.items():  # InMails of a day <= 2 + 1.5 * (those of the 7 days before) / 7
        week = sum(sends.get(day - timedelta(days=i), 0) for i in range(1, 8))
        assert n <= 2 + 1.5 * week / 7 + 1e-9, (day, n, week)
    assert sum(sends.values()) == 50 and max(replies.values()) <= 0.5 + 1e-9
    bad = tmp_path / "bad.toml"
    bad.write_text(paced.read_text().replace("growth = 1.5", "growth = 50"))
    out = cli("plan", str(bad))
    assert out.returncode == 2 and "speed_guard.growth = 50: must be between 0 and 10" in out.stderr


def test_plan_summary_says_why_and_what_one_more_credit_is_worth(tmp_path: Path) -> None:
    """The summary's ``why`` (bucket -> reason) and ``credit_value`` (cycle -> responses), equal to planner.why's."""
    from planner.scenario import load_scenario
    from planner.solve import make_plan
    from planner.why import why

    out = cli("plan", SALES, "--summary", str(tmp_path / "s.json"))
    assert out.returncode == 0, out.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    expected = why(make_plan(load_scenario(SALES))).summary()
    assert summary["why"] == expected["why"]
    assert summary["why"]["Initial prospecting"] == "pool of 25 used up"
    assert set(summary["credit_value"]) == {"1"}
    assert summary["credit_value"]["1"] == pytest.approx(expected["credit_value"]["1"], abs=1e-6)
    assert summary["credit_weighted_value"]["1"] > 0


def test_compare_writes_the_response_curve(tmp_path: Path) -> None:
    out = cli("compare", SALES, "--tiers", "Premium Business", "Sales Navigator Core", "--curve", str(tmp_path / "c.csv"))
    assert out.returncode == 0, out.stderr
    assert "Cheapest response" in out.stdout
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    curve = [r for r in rows if r["kind"] == "curve"]
    tiers = {r["tier"]: r for r in rows if r["kind"] == "tier"}
    assert [int(r["monthly_credits"]) for r in curve][0] == 0 and int(curve[-1]["monthly_credits"]) == 200
    responses = [float(r["responses_per_month"]) for r in curve]
    assert responses == sorted(responses)
    assert {"Premium Business", "Sales Navigator Core"} <= set(tiers)

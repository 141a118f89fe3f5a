"""The inmail-planner command line, run as a user would (a real subprocess)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
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
    assert out.returncode == 2 and "'Premium Gold': unknown tier" in out.stderr


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
    assert json.loads((tmp_path / "s.json").read_text())["solver"] == {"highs": "HiGHS", "cbc": "CBC"}[solver]


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
    learned = {r["bucket"]: r["learned_rate"] for r in summary["learned_rates"]}
    assert learned["Initial prospecting"] == pytest.approx((0.15 * 20 + 2) / 22)


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
    assert out.returncode == 2 and "'10/12/2026' is not a date" in out.stderr


def test_usage_log_in_the_history_database(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    scenario = str(EXAMPLES_DIR / "team_upgrade.toml")
    out = cli("plan", scenario, "--save", "team", "--db", db)
    assert out.returncode == 0 and "saved as 'team' version 1 (plan 1)" in out.stdout
    log = tmp_path / "usage.csv"
    log.write_text(USAGE)
    out = cli("log", "import", "team", str(log), "--today", "2026-12-10", "--db", db)
    assert out.returncode == 0 and "saved 3 InMails" in out.stdout and "line 5: bucket = 'Nope'" in out.stderr
    out = cli("log", "add", "team", "--sent-on", "2026-12-09", "--bucket", "Industry leaders", "--outcome", "replied", "--db", db)
    assert out.returncode == 2 and "--outcome-on is needed for outcome replied" in out.stderr
    out = cli("log", "add", "team", "--sent-on", "2026-12-09", "--bucket", "Nope", "--db", db)
    assert out.returncode == 2 and "bucket = 'Nope': not a bucket of 'team'" in out.stderr
    out = cli("log", "add", "team", "--sent-on", "2026-12-09", "--bucket", "Industry leaders", "--db", db)
    assert out.returncode == 0
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

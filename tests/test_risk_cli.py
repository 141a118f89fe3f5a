"""``inmail-planner risk`` and ``plan --max-risk``, run as a user would (a real subprocess)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from planner.paths import EXAMPLES_DIR
from planner.store import Store
from tests.conftest import INFEASIBLE_TOML

TEAM = str(EXAMPLES_DIR / "team_upgrade.toml")  # credit-back at 50 % reliance, an upgrade after one cycle
USAGE = """sent_on,bucket,outcome,outcome_on
2026-12-01,Initial prospecting,replied,2026-12-03
2026-12-01,Initial prospecting,pending,
2026-12-02,Initial prospecting,declined,2026-12-04
2026-12-03,Initial prospecting,pending,
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True, timeout=300)


def test_risk_writes_the_fan_and_the_summary(tmp_path: Path) -> None:
    fan, summary = tmp_path / "fan.csv", tmp_path / "risk.json"
    out = cli("risk", TEAM, "--paths", "3000", "--seed", "4", "--fan", str(fan), "--summary", str(summary))
    assert out.returncode == 0, out.stderr
    assert "chance of running dry:" in out.stdout and "of 3,000 paths" in out.stdout
    rows = list(csv.DictReader(fan.open()))
    assert list(rows[0]) == ["date", "p10", "p50", "p90"]
    assert rows[0]["date"] == "2026-12-01" and len(rows) == 62  # December and January
    assert all(float(r["p10"]) <= float(r["p50"]) <= float(r["p90"]) for r in rows)
    data = json.loads(summary.read_text())
    assert {"p_run_dry", "dry_day_p10", "p_reserve_holds", "responses", "spent", "expired", "forfeited"} <= set(data)
    assert 0 <= data["p_run_dry"] <= 1 and 0 <= data["p_reserve_holds"] <= 1
    assert data["dry_day_p10"] is None or data["dry_day_p10"].startswith("202")
    for key in ("responses", "spent", "expired", "forfeited"):
        assert set(data[key]) == {"mean", "p10", "p50", "p90"}
    assert cli("risk", TEAM, "--paths", "3000", "--seed", "4", "--summary", str(tmp_path / "again.json")).returncode == 0
    assert json.loads((tmp_path / "again.json").read_text()) == data  # the same seed, the same numbers


def test_risk_of_a_replan_from_the_log(tmp_path: Path) -> None:
    log = tmp_path / "usage.csv"
    log.write_text(USAGE)
    summary = tmp_path / "risk.json"
    out = cli("risk", TEAM, "--log", str(log), "--today", "2026-12-10", "--paths", "1000", "--summary", str(summary))
    assert out.returncode == 0, out.stderr
    assert "re-plan from 2026-12-10" in out.stdout
    fan = tmp_path / "fan.csv"
    assert cli("risk", TEAM, "--log", str(log), "--today", "2026-12-10", "--paths", "200", "--fan", str(fan)).returncode == 0
    assert next(csv.DictReader(fan.open()))["date"] == "2026-12-10"  # the simulation starts today


def test_risk_refuses_bad_options(tmp_path: Path) -> None:
    out = cli("risk", TEAM, "--paths", "0")
    assert out.returncode == 2 and "argument --paths: '0' must be from 1 to 50,000" in out.stderr
    out = cli("risk", TEAM, "--seed", "-3")
    assert out.returncode == 2 and "argument --seed: '-3' must be from 0" in out.stderr
    out = cli("risk", TEAM, "--today", "2026-12-10")
    assert out.returncode == 2 and "--log and --today go together" in out.stderr
    log = tmp_path / "usage.csv"
    log.write_text(USAGE)
    out = cli("risk", TEAM, "--log", str(log), "--today", "2027-06-01")
    assert out.returncode == 2 and "cannot re-plan" in out.stderr and "Traceback" not in out.stderr


def test_plan_with_max_risk_puts_the_safe_reliance_in_the_summary(tmp_path: Path) -> None:
    summary = tmp_path / "plan.json"
    out = cli("plan", TEAM, "--max-risk", "0.1", "--summary", str(summary))
    assert out.returncode == 0, out.stderr
    assert "safe reliance: counting on " in out.stdout and "keeps the chance of running dry at" in out.stdout
    data = json.loads(summary.read_text())
    assert data["status"] == "optimal"
    assert data["refund_reliance"] in [round(0.05 * i, 2) for i in range(21)]
    assert data["risk"]["p_run_dry"] <= 0.1
    out = cli("plan", TEAM, "--max-risk", "1.5")
    assert out.returncode == 2 and "argument --max-risk: '1.5' must be between 0 and 1" in out.stderr


def test_plan_with_max_risk_of_a_scenario_without_a_plan_says_why(tmp_path: Path) -> None:
    scenario = tmp_path / "none.toml"
    scenario.write_text(INFEASIBLE_TOML)
    out = cli("plan", str(scenario), "--max-risk", "0.1")
    assert out.returncode == 3 and "infeasible" in out.stderr and "Traceback" not in out.stderr


def test_plan_with_max_risk_saves_the_scenario_it_planned(tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    summary = tmp_path / "plan.json"
    out = cli("plan", TEAM, "--max-risk", "0.1", "--summary", str(summary), "--save", "team", "--db", db)
    assert out.returncode == 0, out.stderr
    with Store.open(db) as store:
        saved = store.scenario_versions("team")[-1].scenario()
    assert saved.refund_reliance == json.loads(summary.read_text())["refund_reliance"]

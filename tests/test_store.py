"""Tests of planner.store against a real SQLite file: versions, plans, usage batches, migrations, concurrency."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect

from planner import Plan, load_scenario, make_plan
from planner.paths import EXAMPLES_DIR
from planner.scenario import Scenario
from planner.store import (
    ENV_VAR,
    SCHEMA_VERSION,
    RecordNotFound,
    Store,
    StoreError,
    database_url,
    default_database_path,
    migrate,
)
from planner.usage import Outcome, UsageEntry

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sales() -> Scenario:
    return load_scenario(EXAMPLES_DIR / "sales_rep.toml")


@pytest.fixture(scope="module")
def sales_plan(sales: Scenario) -> Plan:
    return make_plan(sales)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


LOG = [
    UsageEntry(date(2026, 6, 1), "Initial prospecting", Outcome.REPLIED, date(2026, 6, 3), "Ann", None),
    UsageEntry(date(2026, 6, 1), "Account expansion", Outcome.PENDING, None, None, False),
    UsageEntry(date(2026, 6, 2), "Follow-up", Outcome.DECLINED, date(2026, 6, 2), "Bob", True),
]


# --- where the database is -------------------------------------------------------------------


def test_open_creates_a_wal_sqlite_file_at_the_current_schema(store: Store, db_path: Path) -> None:
    assert db_path.exists()
    assert store.schema_version == SCHEMA_VERSION == 3
    with closing(sqlite3.connect(db_path)) as conn, conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.url == f"sqlite:///{db_path}"


def test_the_env_var_names_a_path_or_a_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "sub" / "from-env.db"))
    with Store.open() as s:
        assert s.url.endswith("/sub/from-env.db")
    assert (tmp_path / "sub" / "from-env.db").exists()
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'url.db'}")
    with Store.open() as s:
        assert s.url == f"sqlite:///{tmp_path / 'url.db'}"
    # an argument wins over the variable
    assert database_url(tmp_path / "arg.db").database == str(tmp_path / "arg.db")


def test_default_is_a_file_in_the_user_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_database_path() == tmp_path / "xdg" / "inmail-planner" / "history.sqlite3"
    assert database_url(None).database == str(default_database_path().resolve())


def test_a_bad_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot be read"):
        database_url("not a url://x")
    with pytest.raises(StoreError, match="nosuchdb://x"):
        Store.open("nosuchdb://x")


def test_a_missing_driver_is_named_and_the_password_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a machine without it
    with pytest.raises(StoreError, match=r"postgresql\+psycopg://me:\*\*\*@db/planner: its driver is not installed") as err:
        Store.open("postgresql+psycopg://me:secret@db/planner")
    assert "secret" not in str(err.value)


# --- scenarios -------------------------------------------------------------------------------


def test_saving_under_a_name_adds_versions_and_never_overwrites(store: Store, sales: Scenario, db_path: Path) -> None:
    v1 = store.save_scenario("Sales", sales)
    v2 = store.save_scenario(" Sales ", sales.model_copy(update={"title": "second"}))
    other = store.save_scenario("Recruiting", load_scenario(EXAMPLES_DIR / "recruiter.toml"))
    v3 = store.save_scenario("Sales", sales.model_copy(update={"title": "third"}))
    assert [v1.version, v2.version, v3.version, other.version] == [1, 2, 3, 1]
    assert v1.created_at.tzinfo is UTC
    store.close()

    with Store.open(db_path) as reopened:
        assert [(r.name, r.version) for r in reopened.list_scenarios()] == [("Recruiting", 1), ("Sales", 3)]
        versions = reopened.scenario_versions("Sales")
        assert [r.id for r in versions] == [v1.id, v2.id, v3.id]
        assert [reopened.load_scenario(r.id).title for r in versions] == [sales.title, "second", "third"]
        assert reopened.load_scenario(v1.id) == sales
        assert reopened.scenario_record(v2.id) == v2
        assert reopened.scenario_versions("nobody") == []


def test_saving_an_unchanged_scenario_returns_its_version_instead_of_an_identical_new_one(store: Store, sales: Scenario) -> None:
    first = store.save_scenario("Sales", sales)
    again = store.save_scenario("Sales", sales)
    assert (again.id, again.version, again.unchanged) == (first.id, 1, True) and not first.unchanged
    assert [r.version for r in store.scenario_versions("Sales")] == [1]
    changed = store.save_scenario("Sales", sales.model_copy(update={"title": "changed"}))
    assert (changed.version, changed.unchanged) == (2, False)
    # back to the first: a new version, since it differs from the latest one
    assert store.save_scenario("Sales", sales).version == 3


def test_an_empty_database_location_is_refused_not_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    for empty in ("", "   "):
        with pytest.raises(StoreError, match="the database location is empty"):
            Store.open(empty)
    assert not (tmp_path / "env.db").exists()


def test_bad_names_and_ids(store: Store, sales: Scenario) -> None:
    with pytest.raises(StoreError, match="must not be empty"):
        store.save_scenario("  ", sales)
    with pytest.raises(StoreError, match="at most 200"):
        store.save_scenario("x" * 201, sales)
    with pytest.raises(RecordNotFound, match="no saved scenario has id 99"):
        store.load_scenario(99)
    with pytest.raises(RecordNotFound, match="no saved plan has id 5"):
        store.load_plan_record(5)


# --- plans -----------------------------------------------------------------------------------


def test_a_real_plan_is_saved_with_its_inputs_and_read_back(
    store: Store, sales: Scenario, sales_plan: Plan, db_path: Path
) -> None:
    record = store.save_scenario("Sales", sales)
    saved = store.save_plan(record.id, sales_plan)
    assert (saved.scenario_name, saved.scenario_version, saved.status) == ("Sales", 1, sales_plan.status)
    assert saved.solver == "HiGHS" and saved.solve_seconds == pytest.approx(sales_plan.solve_seconds)
    store.close()

    with Store.open(db_path) as s:
        [listed] = s.list_plans()
        assert listed == saved
        assert listed.summary == json.loads(json.dumps(sales_plan.summary(), default=float))
        assert listed.summary["totals"]["credits_spent"] == 50.0
        full = s.load_plan_record(saved.id)
        assert full.record == saved
        assert full.scenario() == sales
        pd.testing.assert_frame_equal(full.schedule(), sales_plan.schedule, check_dtype=False)
        ledger = full.ledger()
        assert list(ledger.columns) == list(sales_plan.ledger.columns)
        assert ledger["date"].tolist() == sales_plan.ledger["date"].tolist()
        for column in ("opening", "spent", "closing", "expired"):
            assert ledger[column].tolist() == pytest.approx(sales_plan.ledger[column].tolist())


def test_plans_list_by_scenario_name_and_keep_the_scenario_that_made_them(
    store: Store, sales: Scenario, sales_plan: Plan
) -> None:
    a1 = store.save_scenario("A", sales)
    b1 = store.save_scenario("B", sales)
    a2 = store.save_scenario("A", sales.model_copy(update={"title": "A, second"}))
    p1 = store.save_plan(a1.id, sales_plan)
    p2 = store.save_plan(b1.id, sales_plan)
    p3 = store.save_plan(a2.id, sales_plan)
    assert [p.id for p in store.list_plans()] == [p1.id, p2.id, p3.id]
    assert [(p.id, p.scenario_version) for p in store.list_plans("A")] == [(p1.id, 1), (p3.id, 2)]
    # the plan keeps the scenario it was made from, not the record's (here the title differs)
    assert store.load_plan_record(p3.id).scenario().title == sales.title


def test_a_plan_for_an_unknown_scenario_is_refused_and_nothing_written(store: Store, sales_plan: Plan) -> None:
    with pytest.raises(RecordNotFound, match="save the scenario first"):
        store.save_plan(42, sales_plan)
    assert store.list_plans() == []


def test_an_empty_plan_round_trips(store: Store, sales: Scenario) -> None:
    # a scenario with no feasible plan: the minimum is above the credits
    bucket = sales.buckets[0].model_copy(update={"min": 25})  # type: ignore[index]
    impossible = sales.model_copy(update={"buckets": [bucket], "daily_cap": 1})
    plan = make_plan(impossible)
    assert not plan.is_ok
    record = store.save_scenario("Impossible", impossible)
    full = store.load_plan_record(store.save_plan(record.id, plan).id)
    assert full.record.status == plan.status
    assert full.ledger().empty and full.schedule().empty


# --- usage -----------------------------------------------------------------------------------


def test_usage_batches_are_kept_per_scenario(store: Store, db_path: Path) -> None:
    first = store.add_usage("Sales", LOG[:2], source="june.csv")
    second = store.add_usage("Sales", LOG[2:], source="app")
    store.add_usage("Other", LOG)
    store.close()
    with Store.open(db_path) as s:
        assert s.usage("Sales") == LOG  # by date sent, then as added
        assert s.usage("Sales", batch_id=second) == LOG[2:]
        assert len(s.usage("Other")) == 3 and s.usage("nobody") == []
        batches = s.usage_batches("Sales")
        assert [(b.id, b.n_entries, b.source) for b in batches] == [(first, 2, "june.csv"), (second, 1, "app")]
        assert len(s.usage_batches()) == 3


def test_a_usage_batch_is_all_or_nothing(store: Store) -> None:
    store.add_usage("Sales", LOG[:1])
    broken = UsageEntry(date(2026, 6, 5), "Follow-up", Outcome.PENDING)
    object.__setattr__(broken, "bucket", None)  # the database refuses it (NOT NULL), mid-batch
    with pytest.raises(Exception, match="NOT NULL"):
        store.add_usage("Sales", [*LOG, broken, *LOG])
    assert store.usage("Sales") == LOG[:1]
    assert len(store.usage_batches("Sales")) == 1


# --- migrations ------------------------------------------------------------------------------

# What the first planner with a database wrote (schema version 1), kept verbatim.
V1_DDL = """
CREATE TABLE schema_version (
    version INTEGER NOT NULL, description VARCHAR(200) NOT NULL, applied_at DATETIME NOT NULL,
    PRIMARY KEY (version));
CREATE TABLE scenarios (
    id INTEGER NOT NULL, name VARCHAR(200) NOT NULL, version INTEGER NOT NULL, toml TEXT NOT NULL,
    created_at DATETIME NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_scenarios_name_version UNIQUE (name, version));
CREATE TABLE usage_batches (
    id INTEGER NOT NULL, scenario_name VARCHAR(200) NOT NULL, source VARCHAR(500),
    n_entries INTEGER NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_usage_batches_scenario_name ON usage_batches (scenario_name);
CREATE TABLE plans (
    id INTEGER NOT NULL, scenario_id INTEGER NOT NULL, scenario_toml TEXT NOT NULL, status VARCHAR(20) NOT NULL,
    summary_json TEXT NOT NULL, schedule_csv TEXT NOT NULL, ledger_csv TEXT NOT NULL, created_at DATETIME NOT NULL,
    PRIMARY KEY (id), FOREIGN KEY(scenario_id) REFERENCES scenarios (id));
CREATE INDEX ix_plans_scenario_id ON plans (scenario_id);
CREATE TABLE usage_entries (
    id INTEGER NOT NULL, batch_id INTEGER NOT NULL, scenario_name VARCHAR(200) NOT NULL, sent_on DATE NOT NULL,
    bucket VARCHAR(200) NOT NULL, outcome VARCHAR(16) NOT NULL, outcome_on DATE, free BOOLEAN,
    PRIMARY KEY (id), FOREIGN KEY(batch_id) REFERENCES usage_batches (id));
CREATE INDEX ix_usage_entries_scenario_name ON usage_entries (scenario_name);
CREATE INDEX ix_usage_entries_batch_id ON usage_entries (batch_id);
INSERT INTO schema_version VALUES (1, 'initial schema', '2026-05-01 09:00:00.000000');
"""


def _v1_database(path: Path, sales: Scenario, sales_plan: Plan) -> None:
    from planner.scenario import scenario_to_toml

    toml = scenario_to_toml(sales)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(V1_DDL)
        stamp = "2026-05-01 09:00:00.000000"
        conn.executemany(
            "INSERT INTO scenarios (id, name, version, toml, created_at) VALUES (?, ?, ?, ?, ?)",
            [(1, "Sales", 1, toml, stamp), (2, "Sales", 2, toml, stamp)],
        )
        conn.execute(
            "INSERT INTO plans VALUES (1, 2, ?, 'optimal', ?, ?, ?, ?)",
            (toml, json.dumps({"status": "optimal"}), sales_plan.schedule.to_csv(index=False), "", stamp),
        )
        conn.execute("INSERT INTO usage_batches VALUES (1, 'Sales', 'old.csv', 2, ?)", (stamp,))
        conn.executemany(
            "INSERT INTO usage_entries VALUES (?, 1, 'Sales', ?, ?, ?, ?, ?)",
            [
                (1, "2026-05-02", "Initial prospecting", "replied", "2026-05-04", 0),
                (2, "2026-05-03", "Follow-up", "pending", None, None),
            ],
        )


def test_a_database_from_schema_v1_opens_after_an_upgrade_keeping_every_row(
    db_path: Path, sales: Scenario, sales_plan: Plan
) -> None:
    _v1_database(db_path, sales, sales_plan)
    with Store.open(db_path) as s:
        assert s.schema_version == 3
        assert [(r.id, r.version) for r in s.scenario_versions("Sales")] == [(1, 1), (2, 2)]
        assert s.scenario_versions("Sales")[0].created_at == datetime(2026, 5, 1, 9, tzinfo=UTC)
        assert s.load_scenario(2) == sales
        [plan] = s.list_plans()
        assert (plan.id, plan.scenario_version, plan.solver, plan.solve_seconds) == (1, 2, None, None)
        assert s.load_plan_record(1).schedule()["sends"].sum() == 50
        assert s.usage("Sales") == [
            UsageEntry(date(2026, 5, 2), "Initial prospecting", Outcome.REPLIED, date(2026, 5, 4), None, False),
            UsageEntry(date(2026, 5, 3), "Follow-up", Outcome.PENDING),
        ]
        # and the upgraded database takes new rows with the new columns
        s.add_usage("Sales", LOG)
        assert s.save_scenario("Sales", sales.model_copy(update={"title": "after the upgrade"})).version == 3
        assert [e.recipient for e in s.usage("Sales")][-3:] == ["Ann", None, "Bob"]
    with closing(sqlite3.connect(db_path)) as conn, conn:
        steps = conn.execute("SELECT version, description FROM schema_version ORDER BY version").fetchall()
    assert [v for v, _ in steps] == [1, 2, 3]


def test_an_upgraded_database_has_the_schema_of_a_new_one(tmp_path: Path, sales: Scenario, sales_plan: Plan) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _v1_database(old, sales, sales_plan)
    Store.open(old).close()
    Store.open(new).close()

    def shape(path: Path) -> dict[str, tuple[list[tuple[str, str, bool]], list[str]]]:
        engine = create_engine(f"sqlite:///{path}")
        insp = inspect(engine)
        out = {
            t: (
                sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)),
                sorted(str(i["name"]) for i in insp.get_indexes(t)),
            )
            for t in insp.get_table_names()
        }
        engine.dispose()
        return out

    assert shape(old) == shape(new)


def test_the_first_migration_step_writes_the_v1_schema(tmp_path: Path, sales: Scenario, sales_plan: Plan) -> None:
    by_code, verbatim = tmp_path / "code.db", tmp_path / "verbatim.db"
    engine = create_engine(f"sqlite:///{by_code}")
    with engine.begin() as conn:
        assert migrate(conn, target=1) == [1]
    engine.dispose()
    _v1_database(verbatim, sales, sales_plan)
    assert _columns(by_code) == _columns(verbatim)


def _columns(path: Path) -> dict[str, list[tuple[str, str, int]]]:
    """Each table's columns as SQLite reports them: name, declared type, not-null."""
    with closing(sqlite3.connect(path)) as raw:
        tables = [t for (t,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: [(row[1], row[2], row[3]) for row in raw.execute(f"PRAGMA table_info({t})")] for t in tables}


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    Store.open(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')")
    with pytest.raises(StoreError, match="schema version 99, newer than this planner's 3"):
        Store.open(db_path)


def test_a_database_with_our_tables_but_no_version_is_refused(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("CREATE TABLE scenarios (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match="no schema_version table"):
        Store.open(db_path)


def test_a_file_that_is_not_a_database_is_a_store_error(db_path: Path) -> None:
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open database"):
        Store.open(db_path)


def _damage(path: Path) -> None:
    """Fixed "random" bytes over the pages in the middle of the file (page headers included)."""
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // 2) // page * page
    data[middle : middle + 2 * page] = bytes((i * 151 + 7) % 256 for i in range(2 * page))
    path.write_bytes(bytes(data))


def test_a_damaged_file_is_a_store_error_naming_what_failed(db_path: Path, sales: Scenario) -> None:
    with Store.open(db_path) as s:
        for i in range(30):
            s.save_scenario("Sales", sales.model_copy(update={"title": f"v{i} " + "x" * 500}))
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(db_path)
    with pytest.raises(StoreError) as caught, Store.open(db_path) as s:
        s.list_scenarios()
        s.scenario_versions("Sales")
    assert "malformed" in str(caught.value) or "not a database" in str(caught.value)


def test_a_read_only_database_is_a_store_error_on_open(db_path: Path, sales: Scenario) -> None:
    # the tests run as root, who may write any file: SQLite's read-only mode gives the error a read-only file gives
    Store.open(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # as a file copied from elsewhere may be
    url = f"sqlite:///file:{db_path}?mode=ro&uri=true"
    with pytest.raises(
        StoreError, match=r"cannot open database .*attempt to write a readonly database \(in: PRAGMA journal_mode"
    ):
        Store.open(url)


def test_a_dropped_table_is_named_at_open(db_path: Path) -> None:
    Store.open(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("DROP TABLE plans")
    with pytest.raises(StoreError, match="lacks table plans although its schema is version"):
        Store.open(db_path)


def test_a_stored_outcome_the_code_does_not_know_is_a_store_error(store: Store, db_path: Path) -> None:
    store.add_usage("Sales", LOG)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE usage_entries SET outcome = 'ghosted' WHERE id = 2")
    with pytest.raises(StoreError, match="holds \\(entry 2\\) outcome 'ghosted', which this planner does not know"):
        store.usage("Sales")


def test_a_failing_statement_is_named_in_the_error(store: Store, db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("DROP TABLE usage_batches")
    with pytest.raises(StoreError, match=r"list the usage batches: no such table: usage_batches \(in: SELECT"):
        store.usage_batches()


def test_opening_waits_while_another_connection_writes_in_rollback_mode(db_path: Path) -> None:
    # SQLite refuses "PRAGMA journal_mode = WAL" at once, without the busy timeout, while another connection
    # holds the write lock of a rollback-mode database: the cause of "database is locked" when two processes
    # open a new history database together
    Store.open(db_path).close()
    with closing(sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)) as other:
        other.execute("PRAGMA journal_mode = DELETE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("CREATE TABLE other_program (x)")
        release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        release.start()
        try:
            with Store.open(db_path) as s:
                assert s.schema_version == SCHEMA_VERSION
        finally:
            release.join()
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- concurrency -----------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from datetime import date
    from planner.paths import EXAMPLES_DIR
    from planner.scenario import load_scenario
    from planner.store import Store
    from planner.usage import Outcome, UsageEntry

    db, tag, n, gate = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    scenario = load_scenario(EXAMPLES_DIR / "sales_rep.toml")
    (gate.parent / f"ready-{tag}").touch()
    deadline = time.monotonic() + 60
    while not gate.exists():
        if time.monotonic() > deadline:
            sys.exit("no go signal")
        time.sleep(0.005)
    store = Store.open(db)  # both open a fresh file at once: the first creates the schema
    for i in range(n):
        store.save_scenario("Shared", scenario.model_copy(update={"title": f"{tag}-{i}"}))
        store.add_usage("Shared", [UsageEntry(date(2026, 6, 1), "Follow-up", Outcome.PENDING, recipient=f"{tag}-{i}")])
        time.sleep(0.002)  # as a person's clicks would: lets the other writer in between
    store.close()
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    db, gate, n = tmp_path / "shared.db", tmp_path / "go", 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), tag, str(n), str(gate)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{tag}").exists() for tag in ("a", "b")):
        assert time.monotonic() < deadline, "writers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    gate.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err

    with Store.open(db) as s:
        versions = s.scenario_versions("Shared")
        assert [r.version for r in versions] == list(range(1, 2 * n + 1))
        titles = {s.load_scenario(r.id).title for r in versions}
        assert titles == {f"{tag}-{i}" for tag in ("a", "b") for i in range(n)}
        recipients = [e.recipient for e in s.usage("Shared")]
        assert sorted(recipients) == sorted(f"{tag}-{i}" for tag in ("a", "b") for i in range(n))  # type: ignore[type-var]
        assert len(s.usage_batches("Shared")) == 2 * n
        assert s.schema_version == SCHEMA_VERSION
    with closing(sqlite3.connect(db)) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_threads_sharing_one_store_lose_nothing(store: Store, sales: Scenario) -> None:
    errors: list[BaseException] = []

    def work(tag: int) -> None:
        try:
            for i in range(10):
                store.save_scenario("Threads", sales.model_copy(update={"title": f"{tag}-{i}"}))
                store.add_usage("Threads", LOG[:1])
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r.version for r in store.scenario_versions("Threads")] == list(range(1, 41))
    assert len(store.usage("Threads")) == 40


def test_replacing_the_log_updates_outcomes_and_keeps_every_batch(db_path: Path) -> None:
    pending = UsageEntry(date(2026, 6, 1), "Initial prospecting", Outcome.PENDING)
    other = UsageEntry(date(2026, 6, 2), "Initial prospecting", Outcome.PENDING)
    replied = UsageEntry(date(2026, 6, 1), "Initial prospecting", Outcome.REPLIED, date(2026, 6, 5))
    later = UsageEntry(date(2026, 6, 8), "Follow-up", Outcome.PENDING)
    with Store.open(db_path) as s:
        s.add_usage("Sales", [pending, other])
        s.replace_usage("Sales", [replied, other], source="app")
        s.add_usage("Sales", [later])
        assert s.usage("Sales") == [replied, other, later]
        assert [b.replaces_log for b in s.usage_batches("Sales")] == [False, True, False]
        assert s.usage("Sales", batch_id=1) == [pending, other]  # the older record is kept

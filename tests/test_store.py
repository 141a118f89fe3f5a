"""Tests of planner.store on a real SQLite file and a real PostgreSQL server: versions, plans, usage, migrations, concurrency.

Every test of the store's behaviour takes the ``backend`` fixture, so it runs
twice: on a SQLite file and on an empty database of a throwaway PostgreSQL
cluster that the session starts (tests/pg.py: skipped with the reason where no
server can start, failed in CI). Tests of SQLite's own ways (WAL, a damaged or
read-only file) take ``db_path`` and run on SQLite only.
"""

from __future__ import annotations

import json
import socket
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
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from planner import Plan, load_scenario, make_plan
from planner.cli import run
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pg  # noqa: E402  (tests/pg.py: the throwaway PostgreSQL cluster)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sales() -> Scenario:
    return load_scenario(EXAMPLES_DIR / "sales_rep.toml")


@pytest.fixture(scope="module")
def sales_plan(sales: Scenario) -> Plan:
    return make_plan(sales)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    cluster = pg.start_or_skip()
    yield cluster
    cluster.stop()


class Backend:
    """One kind of database for a test: ``new_url()`` makes an empty database of that kind."""

    def __init__(self, name: str, folder: Path, cluster: pg.Cluster | None) -> None:
        self.name, self._folder, self._cluster, self._made = name, folder, cluster, 0

    def new_url(self) -> str:
        if self._cluster is not None:
            return self._cluster.new_database()
        self._made += 1
        return f"sqlite:///{self._folder / f'history-{self._made}.sqlite3'}"

    @staticmethod
    def sql(url: str, *statements: str) -> None:
        """Run SQL on the database in one transaction, as another program (or a person with a SQL shell) would."""
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    return Backend(request.param, tmp_path, cluster)


@pytest.fixture
def db_url(backend: Backend) -> str:
    """An empty database of the test's backend."""
    return backend.new_url()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file, for the tests of SQLite's own ways."""
    return tmp_path / "history.sqlite3"


LOG = [
    UsageEntry(date(2026, 6, 1), "Initial prospecting", Outcome.REPLIED, date(2026, 6, 3), "Ann", None),
    UsageEntry(date(2026, 6, 1), "Account expansion", Outcome.PENDING, None, None, False),
    UsageEntry(date(2026, 6, 2), "Follow-up", Outcome.DECLINED, date(2026, 6, 2), "Bob", True),
]


# --- where the database is -------------------------------------------------------------------


def test_open_creates_a_wal_sqlite_file_at_the_current_schema(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert db_path.exists()
        assert store.schema_version == SCHEMA_VERSION == 3
        with closing(sqlite3.connect(db_path)) as conn, conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.url == f"sqlite:///{db_path}"


def test_an_empty_postgresql_database_gets_the_schema_in_native_types(pg_cluster: pg.Cluster) -> None:
    url = pg_cluster.new_database()
    with Store.open(url) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.url == url
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        assert set(insp.get_table_names()) == {"schema_version", "scenarios", "plans", "usage_batches", "usage_entries"}
        types = {c["name"]: str(c["type"]) for c in insp.get_columns("usage_entries")}
        assert (types["sent_on"], types["free"], types["bucket"]) == ("DATE", "BOOLEAN", "VARCHAR(200)")
        created = next(c for c in insp.get_columns("scenarios") if c["name"] == "created_at")
        assert str(created["type"]) == "TIMESTAMP"
        # ids come from sequences (SERIAL), as the store inserts without them
        assert all(
            "nextval" in str(c["default"])
            for t in ("scenarios", "plans", "usage_batches")
            for c in insp.get_columns(t)
            if c["name"] == "id"
        )
        assert _steps(engine) == [1, 2, 3]
        Store.open(url).close()  # a second open finds the schema made and applies nothing
        assert _steps(engine) == [1, 2, 3]
    finally:
        engine.dispose()


def _steps(engine: Engine) -> list[int]:
    """The migration steps recorded in the database."""
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version FROM schema_version ORDER BY version")).scalars())


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


def test_the_env_var_points_the_store_and_the_cli_at_the_team_database(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_VAR, db_url)
    scenario = str(EXAMPLES_DIR / "sales_rep.toml")
    assert run(["plan", scenario, "--save", "Team Q3"]) == 0
    assert run(["plan", scenario, "--save", "Team Q3", "--db", db_url]) == 0  # the same again: unchanged, a second plan
    with Store.open() as s:
        assert s.url == db_url
        assert [(r.name, r.version) for r in s.list_scenarios()] == [("Team Q3", 1)]
        assert [p.scenario_version for p in s.list_plans("Team Q3")] == [1, 1]
    capsys.readouterr()
    monkeypatch.delenv(ENV_VAR)
    assert run(["history", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert f"database: {db_url}" in out and "scenario 'Team Q3': version 1" in out


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


def test_saving_under_a_name_adds_versions_and_never_overwrites(store: Store, sales: Scenario, db_url: str) -> None:
    v1 = store.save_scenario("Sales", sales)
    v2 = store.save_scenario(" Sales ", sales.model_copy(update={"title": "second"}))
    other = store.save_scenario("Recruiting", load_scenario(EXAMPLES_DIR / "recruiter.toml"))
    v3 = store.save_scenario("Sales", sales.model_copy(update={"title": "third"}))
    assert [v1.version, v2.version, v3.version, other.version] == [1, 2, 3, 1]
    assert v1.created_at.tzinfo is UTC
    store.close()

    with Store.open(db_url) as reopened:
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


def test_names_keep_their_characters_and_list_in_one_order_on_every_database(store: Store, sales: Scenario) -> None:
    names = ["b", "Vertrieb – Q3 ☕", "C", "日" * 200, "a b"]  # 200 characters of 3 bytes each: PostgreSQL counts characters
    for name in names:
        store.save_scenario(name, sales)
    assert [r.name for r in store.list_scenarios()] == sorted(names)  # by code point: "C" before "a b" before "b"
    assert [r.version for r in store.scenario_versions("日" * 200)] == [1]
    assert store.scenario_versions("c") == []  # names are case-sensitive


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
    # SQLite would keep a NUL and PostgreSQL refuse it; a lone surrogate no driver can encode: refused alike on both
    with pytest.raises(StoreError, match=r"scenario name 'Q3\\x00' holds the character \\x00, which a database cannot store"):
        store.save_scenario("Q3\x00", sales)
    with pytest.raises(StoreError, match=r"holds the character \\ud800"):
        store.add_usage("Q3\ud800", LOG)
    assert store.list_scenarios() == [] and store.usage_batches() == []
    with pytest.raises(RecordNotFound, match="no saved scenario has id 99"):
        store.load_scenario(99)
    with pytest.raises(RecordNotFound, match="no saved plan has id 5"):
        store.load_plan_record(5)


# --- plans -----------------------------------------------------------------------------------


def test_a_real_plan_is_saved_with_its_inputs_and_read_back(store: Store, sales: Scenario, sales_plan: Plan, db_url: str) -> None:
    record = store.save_scenario("Sales", sales)
    saved = store.save_plan(record.id, sales_plan)
    assert (saved.scenario_name, saved.scenario_version, saved.status) == ("Sales", 1, sales_plan.status)
    assert saved.solver == sales_plan.solver and saved.solver.startswith("HiGHS")
    assert saved.solve_seconds == pytest.approx(sales_plan.solve_seconds)
    store.close()

    with Store.open(db_url) as s:
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


def test_a_team_scenario_and_its_plan_round_trip_with_two_writers_at_once(store: Store, db_url: str) -> None:
    from planner.paths import EXAMPLES_DIR
    from planner.scenario import TeamScenario, load_any_scenario

    team = load_any_scenario(EXAMPLES_DIR / "teams" / "recruiting_team.toml")
    assert isinstance(team, TeamScenario)
    other = team.model_copy(update={"title": "Second writer"})
    versions: list[int] = []

    def write(scenario: TeamScenario) -> None:
        with Store.open(db_url) as mine:
            versions.append(mine.save_scenario("Recruiting team", scenario).version)

    writers = [threading.Thread(target=write, args=(s,)) for s in (team, other)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert sorted(versions) == [1, 2]
    saved = store.scenario_versions("Recruiting team")
    back = [r.scenario() for r in saved]
    assert team in back and other in back
    plan = make_plan(team)
    full = store.load_plan_record(store.save_plan(saved[0].id, plan).id)
    assert full.scenario() == team
    assert list(full.schedule()["seat"]) == list(plan.schedule["seat"])
    assert full.record.summary["seats"][0]["seat"] == "Ana"


# --- usage -----------------------------------------------------------------------------------


def test_usage_batches_are_kept_per_scenario(store: Store, db_url: str) -> None:
    first = store.add_usage("Sales", LOG[:2], source="june.csv")
    second = store.add_usage("Sales", LOG[2:], source="app")
    store.add_usage("Other", LOG)
    store.close()
    with Store.open(db_url) as s:
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
    # SQLite: "NOT NULL constraint failed"; PostgreSQL: "null value in column ... violates not-null constraint"
    with pytest.raises(StoreError, match=r"save usage entries under 'Sales': .*(NOT NULL|not-null)"):
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


def _v1_database(backend: Backend, url: str, sales: Scenario, sales_plan: Plan) -> None:
    """A database as the first planner with a database left it: schema version 1, two versions, a plan, a usage batch.

    On SQLite the schema is the v1 planner's DDL verbatim; on PostgreSQL it is
    made by the first migration step (test_the_first_migration_step_writes_the_v1_schema
    holds that step to the verbatim DDL). The rows go in as that planner wrote
    them: without ids, which the database numbers (on PostgreSQL, its sequences).
    """
    from planner.scenario import scenario_to_toml

    if backend.name == "sqlite":
        path = make_url(url).database
        assert path is not None
        with closing(sqlite3.connect(path)) as raw, raw:
            raw.executescript(V1_DDL)
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            assert migrate(conn, target=1) == [1]
        engine.dispose()
    toml, stamp = scenario_to_toml(sales), "2026-05-01 09:00:00.000000"
    engine = create_engine(url)
    with engine.begin() as conn:
        for _ in range(2):
            conn.execute(
                text("INSERT INTO scenarios (name, version, toml, created_at) VALUES ('Sales', :v, :toml, :at)"),
                {"v": conn.execute(text("SELECT count(*) FROM scenarios")).scalar_one() + 1, "toml": toml, "at": stamp},
            )
        conn.execute(
            text(
                "INSERT INTO plans (scenario_id, scenario_toml, status, summary_json, schedule_csv, ledger_csv, created_at) "
                "VALUES (2, :toml, 'optimal', :summary, :schedule, '', :at)"
            ),
            {
                "toml": toml,
                "summary": json.dumps({"status": "optimal"}),
                "schedule": sales_plan.schedule.to_csv(index=False),
                "at": stamp,
            },
        )
        conn.execute(
            text("INSERT INTO usage_batches (scenario_name, source, n_entries, created_at) VALUES ('Sales', 'old.csv', 2, :at)"),
            {"at": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO usage_entries (batch_id, scenario_name, sent_on, bucket, outcome, outcome_on, free) "
                "VALUES (1, 'Sales', :sent, :bucket, :outcome, :on, :free)"
            ),
            [
                {"sent": "2026-05-02", "bucket": "Initial prospecting", "outcome": "replied", "on": "2026-05-04", "free": False},
                {"sent": "2026-05-03", "bucket": "Follow-up", "outcome": "pending", "on": None, "free": None},
            ],
        )
    engine.dispose()


def test_a_database_from_schema_v1_opens_after_an_upgrade_keeping_every_row(
    backend: Backend, db_url: str, sales: Scenario, sales_plan: Plan
) -> None:
    _v1_database(backend, db_url, sales, sales_plan)
    with Store.open(db_url) as s:
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
        # and the upgraded database takes new rows with the new columns, numbered after the old ones
        assert s.add_usage("Sales", LOG) == 2
        new = s.save_scenario("Sales", sales.model_copy(update={"title": "after the upgrade"}))
        assert (new.id, new.version) == (3, 3)
        assert [e.recipient for e in s.usage("Sales")][-3:] == ["Ann", None, "Bob"]
        assert s.save_plan(new.id, sales_plan).id == 2
        engine = s.engine
        assert _steps(engine) == [1, 2, 3]


def test_an_upgraded_database_has_the_schema_of_a_new_one(backend: Backend, sales: Scenario, sales_plan: Plan) -> None:
    old, new = backend.new_url(), backend.new_url()
    _v1_database(backend, old, sales, sales_plan)
    Store.open(old).close()
    Store.open(new).close()

    def shape(url: str) -> dict[str, tuple[list[tuple[str, str, bool]], list[str]]]:
        engine = create_engine(url)
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
    with closing(sqlite3.connect(verbatim)) as raw, raw:
        raw.executescript(V1_DDL)
    assert _columns(by_code) == _columns(verbatim)


def _columns(path: Path) -> dict[str, list[tuple[str, str, int]]]:
    """Each table's columns as SQLite reports them: name, declared type, not-null."""
    with closing(sqlite3.connect(path)) as raw:
        tables = [t for (t,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: [(row[1], row[2], row[3]) for row in raw.execute(f"PRAGMA table_info({t})")] for t in tables}


def test_a_newer_schema_is_refused(db_url: str) -> None:
    Store.open(db_url).close()
    Backend.sql(db_url, "INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')")
    with pytest.raises(StoreError, match="schema version 99, newer than this planner's 3"):
        Store.open(db_url)


def test_a_database_with_our_tables_but_no_version_is_refused(db_url: str) -> None:
    Backend.sql(db_url, "CREATE TABLE scenarios (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match="no schema_version table"):
        Store.open(db_url)


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


def test_an_unreachable_server_is_a_store_error_naming_it_without_the_password(pg_cluster: pg.Cluster, tmp_path: Path) -> None:
    url = f"postgresql+psycopg://planner:secret@/planner?host={tmp_path}"  # no server listens there
    with pytest.raises(
        StoreError, match=r"cannot open database postgresql\+psycopg://planner:\*\*\*@/planner.*connection"
    ) as err:
        Store.open(url)
    assert "secret" not in str(err.value) and "Traceback" not in str(err.value)


def test_a_role_that_may_not_create_tables_is_told_so_at_open(pg_cluster: pg.Cluster) -> None:
    # PostgreSQL 15 lets only a database's owner create tables in its public schema: a team's usual first mistake
    url = pg_cluster.new_database()
    Backend.sql(url, "CREATE ROLE member LOGIN")
    member = url.replace("planner@", "member@", 1)
    with pytest.raises(
        StoreError, match=r"cannot open database .*member@.*create or upgrade the schema: permission denied for schema public"
    ):
        Store.open(member)
    # once the owner has made the tables, a role without rights on them is refused at open, naming the table
    Store.open(url).close()
    with pytest.raises(StoreError, match=r"cannot open database .*member@.*: open: permission denied for table schema_version"):
        Store.open(member)


def test_a_server_that_never_answers_is_given_up_on(
    pg_cluster: pg.Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a socket that takes the connection and never answers, as a server behind a dead link or a hung one would
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.bind(str(tmp_path / ".s.PGSQL.5432"))
    silent.listen()
    monkeypatch.setattr("planner.store.CONNECT_TIMEOUT_SECONDS", 2)  # libpq's least; 10 s unless the URL says otherwise
    try:
        with pytest.raises(StoreError, match=r"cannot open database postgresql\+psycopg://planner@/planner.*timeout"):
            Store.open(f"postgresql+psycopg://planner@/planner?host={tmp_path}")
    finally:
        silent.close()


def test_a_dropped_table_is_named_at_open(db_url: str) -> None:
    Store.open(db_url).close()
    Backend.sql(db_url, "DROP TABLE plans")
    with pytest.raises(StoreError, match="lacks table plans although its schema is version"):
        Store.open(db_url)


def test_a_stored_outcome_the_code_does_not_know_is_a_store_error(store: Store, db_url: str) -> None:
    store.add_usage("Sales", LOG)
    Backend.sql(db_url, "UPDATE usage_entries SET outcome = 'ghosted' WHERE id = 2")
    with pytest.raises(StoreError, match="holds \\(entry 2\\) outcome 'ghosted', which this planner does not know"):
        store.usage("Sales")


def test_a_failing_statement_is_named_in_the_error(store: Store, db_url: str) -> None:
    Backend.sql(db_url, "DROP TABLE usage_entries", "DROP TABLE usage_batches")
    # SQLite: "no such table: usage_batches"; PostgreSQL: 'relation "usage_batches" does not exist'
    with pytest.raises(
        StoreError,
        match=r'list the usage batches: (no such table: usage_batches|relation "usage_batches" does not exist) \(in: SELECT',
    ):
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
    store = Store.open(db)  # both open a new, empty database at once: one creates the schema, the other finds it
    for i in range(n):
        store.save_scenario("Shared", scenario.model_copy(update={"title": f"{tag}-{i}"}))
        store.add_usage("Shared", [UsageEntry(date(2026, 6, 1), "Follow-up", Outcome.PENDING, recipient=f"{tag}-{i}")])
        # both save the same scenario, and both import the same file i: one version, and file i's row once
        store.save_scenario("Same", scenario)
        store.add_new_usage("Imported", [UsageEntry(date(2026, 6, 2), "Follow-up", Outcome.PENDING, recipient=f"file-{i}")])
        time.sleep(0.002)  # as a person's clicks would: lets the other writer in between
    store.close()
    """
)


def test_two_processes_writing_at_once_lose_nothing(backend: Backend, db_url: str, tmp_path: Path) -> None:
    gate, n = tmp_path / "go", 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, db_url, tag, str(n), str(gate)],
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

    with Store.open(db_url) as s:
        versions = s.scenario_versions("Shared")
        assert [r.version for r in versions] == list(range(1, 2 * n + 1))
        titles = {s.load_scenario(r.id).title for r in versions}
        assert titles == {f"{tag}-{i}" for tag in ("a", "b") for i in range(n)}
        recipients = [e.recipient for e in s.usage("Shared")]
        assert sorted(recipients) == sorted(f"{tag}-{i}" for tag in ("a", "b") for i in range(n))  # type: ignore[type-var]
        assert len(s.usage_batches("Shared")) == 2 * n
        assert [r.version for r in s.scenario_versions("Same")] == [1]
        assert [e.recipient for e in s.usage("Imported")] == [f"file-{i}" for i in range(n)]
        assert s.schema_version == SCHEMA_VERSION
        assert _steps(s.engine) == [1, 2, 3]  # migrated once
    if backend.name == "sqlite":
        path = make_url(db_url).database
        assert path is not None
        with closing(sqlite3.connect(path)) as conn, conn:
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


def test_replacing_the_log_updates_outcomes_and_keeps_every_batch(store: Store) -> None:
    pending = UsageEntry(date(2026, 6, 1), "Initial prospecting", Outcome.PENDING)
    other = UsageEntry(date(2026, 6, 2), "Initial prospecting", Outcome.PENDING)
    replied = UsageEntry(date(2026, 6, 1), "Initial prospecting", Outcome.REPLIED, date(2026, 6, 5))
    later = UsageEntry(date(2026, 6, 8), "Follow-up", Outcome.PENDING)
    first = store.add_usage("Sales", [pending, other])
    store.replace_usage("Sales", [replied, other], source="app")
    store.add_usage("Sales", [later])
    assert store.usage("Sales") == [replied, other, later]
    assert [b.replaces_log for b in store.usage_batches("Sales")] == [False, True, False]
    assert store.usage("Sales", batch_id=first) == [pending, other]  # the older record is kept

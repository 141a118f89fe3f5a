"""History in a database: saved scenarios (every version), plans with their inputs, usage logs.

The store speaks SQLAlchemy Core, so the same code runs on the default SQLite
file and on PostgreSQL given a URL. Where the database is, first match wins:

1. the ``url_or_path`` passed to :meth:`Store.open`;
2. the environment variable ``INMAIL_PLANNER_DB`` (a SQLAlchemy URL such as
   ``postgresql+psycopg://user@host/planner``, or a file path);
3. ``history.sqlite3`` in the user's data directory
   (``platformdirs.user_data_dir("inmail-planner")``).

A value with ``://`` in it is a URL; anything else is a SQLite file path.

Records are only ever added: saving a scenario under a name it already has
adds version n + 1 beside the older ones (unless it is the same as version n:
then version n is returned, marked ``unchanged``), a plan keeps the scenario
TOML that made it, and a usage import is one batch written in one
transaction (all of its rows or none).

Errors
    Whatever goes wrong in the database (a damaged file, a read-only file, a
    dropped table, a value the code does not know) is a :class:`StoreError`
    whose message says what the store was doing and, for SQL, which statement
    failed; never a bare driver error.

Schema versions
    ``schema_version`` holds one row per migration step applied. At open, the
    steps of :data:`MIGRATIONS` above the database's version run in order,
    inside one write transaction that holds the write lock from its start
    (``BEGIN IMMEDIATE``; on PostgreSQL an advisory lock, as DDL there takes
    no lock on tables yet to be made) and reads the version under it, so a database from
    an older planner opens after an upgrade and two processes opening a new
    database at once do not both migrate: the second waits, then finds the
    schema made. A database at the current version is only read at open.
    The steps are plain functions rather than Alembic: there are few, they
    must run inside the app at open (no command to remember), and each is a
    couple of portable DDL statements. A database newer than this code is
    refused rather than guessed at.

Concurrency
    On SQLite the file is put in WAL mode (readers do not block the writer)
    with a busy timeout; SQLite refuses that switch at once, without waiting,
    while another connection writes in the old mode, so it is retried until
    the busy timeout. Every write transaction starts with
    ``BEGIN IMMEDIATE``, so it holds the write lock from its first read
    (the version number of a new scenario is read and written under one lock);
    concurrent writers wait their turn instead of failing or losing rows.
    PostgreSQL writes at READ COMMITTED, where two transactions may read the
    same latest version at once; so a write under a scenario name (a scenario
    version, a usage batch) first takes a transaction-scoped advisory lock on
    that name (``pg_advisory_xact_lock``), released at commit: writes under
    one name take turns, read what the one before them committed (the next
    version number, the unchanged-save rule, the rows a usage import already
    holds), and number their usage batches in commit order, which is the
    order the log is read in. On other databases the unique (name, version)
    key and a retry do that job for scenario versions.

>>> store = Store.open("sqlite://")   # in memory, for the example
>>> from planner.scenario import scenario_from_toml
>>> s = scenario_from_toml('start = 2026-06-01\\ntier = "Premium Business"\\n[goals]\\nsales = 1.0')
>>> [store.save_scenario("Q3 sales", s).version, store.save_scenario("Q3 sales", s.model_copy(update={"title": "B"})).version]
[1, 2]
>>> store.save_scenario("Q3 sales", s.model_copy(update={"title": "B"})).unchanged   # the same again: version 2 back
True
>>> [(r.name, r.version) for r in store.list_scenarios()]
[('Q3 sales', 2)]
>>> store.close()
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import platformdirs
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, CursorResult, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError, StatementError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Select

from planner.plan import Plan, PlanStatus
from planner.scenario import AnyScenario, any_scenario_from_toml, scenario_to_toml
from planner.usage import BUCKET_MAX_CHARS, RECIPIENT_MAX_CHARS, Outcome, UsageEntry, log_diff

_E = TypeVar("_E", bound=StrEnum)

ENV_VAR = "INMAIL_PLANNER_DB"
APP_NAME = "inmail-planner"
DEFAULT_FILENAME = "history.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 10  # PostgreSQL: give up on a server that does not answer (a URL's own connect_timeout wins)
NAME_MAX = 200
SAVE_RETRIES = 5
_PG_MIGRATION_LOCK = 0x1A_4D_A1_1  # advisory lock key: one migrating process at a time on PostgreSQL
_PG_NAME_LOCKS = 0x1A_4D  # advisory lock space (the two-key form) of the per-name write locks on PostgreSQL


class StoreError(Exception):
    """The database cannot be used as asked (bad name, unknown record, schema too new, ...)."""


class RecordNotFound(StoreError, LookupError):
    """No record has that id."""


def _statement(text: str | None) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= 160 else one_line[:157] + "..."


def describe(err: BaseException) -> str:
    """A database error in words: the driver's message and, when there is one, the statement that failed.

    >>> describe(sqlite3.OperationalError("database is locked"))
    'database is locked'
    """
    if isinstance(err, StatementError):
        cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err.orig or err
        statement = _statement(err.statement)
        return f"{_driver_message(cause)} (in: {statement})" if statement else _driver_message(cause)
    return str(err)


def _driver_message(cause: BaseException) -> str:
    """The driver's message on one line, without PostgreSQL's "LINE n: ..." copy of the statement and its caret.

    >>> _driver_message(Exception('relation "plans" does not exist\\nLINE 1: SELECT * FROM plans\\n                      ^'))
    'relation "plans" does not exist'
    """
    lines = [line.strip() for line in str(cause).splitlines()]
    # the statement is named whole after the message; its excerpt with a caret under the error adds only noise
    return " ".join(line for line in lines if line and not re.match(r"LINE \d+:", line) and set(line) != {"^"})


def _plain(err: SQLAlchemyError) -> str:
    # SQLAlchemy's own text adds a link to its docs and the bound values; the person needs neither
    return describe(err) if isinstance(err, StatementError) else str(err).split("\n")[0]


# --- types ------------------------------------------------------------------------------


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, stored as naive UTC so every database keeps it alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value!r}: a stored time must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


# --- schema: the current tables (what the code reads and writes) -------------------------

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_MAX), nullable=False),
    Column("version", Integer, nullable=False),
    Column("toml", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("name", "version", name="uq_scenarios_name_version"),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False, index=True),
    Column("scenario_toml", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("summary_json", Text, nullable=False),
    Column("schedule_csv", Text, nullable=False),
    Column("ledger_csv", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("solve_seconds", Float, nullable=True),  # v2
    Column("solver", String(40), nullable=True),  # v2
)

usage_batches = Table(
    "usage_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_name", String(NAME_MAX), nullable=False, index=True),
    Column("source", String(500), nullable=True),
    Column("n_entries", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("replaces_log", Boolean, nullable=True),  # v3: the batch is the whole log from here on
)

usage_entries = Table(
    "usage_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("usage_batches.id"), nullable=False, index=True),
    Column("scenario_name", String(NAME_MAX), nullable=False, index=True),
    Column("sent_on", Date, nullable=False),
    Column("bucket", String(BUCKET_MAX_CHARS), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("outcome_on", Date, nullable=True),
    Column("free", Boolean, nullable=True),
    Column("recipient", String(RECIPIENT_MAX_CHARS), nullable=True),  # v2
)


# --- migrations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    """One schema step: the version it brings the database to, and the DDL that does it."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1_initial(conn: Connection) -> None:
    # frozen copy of the first schema: later steps change it, this never does
    v1 = MetaData()
    Table(
        "schema_version",
        v1,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", String(200), nullable=False),
        Column("applied_at", UTCDateTime, nullable=False),
    )
    Table(
        "scenarios",
        v1,
        Column("id", Integer, primary_key=True),
        Column("name", String(NAME_MAX), nullable=False),
        Column("version", Integer, nullable=False),
        Column("toml", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        UniqueConstraint("name", "version", name="uq_scenarios_name_version"),
    )
    Table(
        "plans",
        v1,
        Column("id", Integer, primary_key=True),
        Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False, index=True),
        Column("scenario_toml", Text, nullable=False),
        Column("status", String(20), nullable=False),
        Column("summary_json", Text, nullable=False),
        Column("schedule_csv", Text, nullable=False),
        Column("ledger_csv", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
    )
    Table(
        "usage_batches",
        v1,
        Column("id", Integer, primary_key=True),
        Column("scenario_name", String(NAME_MAX), nullable=False, index=True),
        Column("source", String(500), nullable=True),
        Column("n_entries", Integer, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
    )
    Table(
        "usage_entries",
        v1,
        Column("id", Integer, primary_key=True),
        Column("batch_id", Integer, ForeignKey("usage_batches.id"), nullable=False, index=True),
        Column("scenario_name", String(NAME_MAX), nullable=False, index=True),
        Column("sent_on", Date, nullable=False),
        Column("bucket", String(NAME_MAX), nullable=False),
        Column("outcome", String(16), nullable=False),
        Column("outcome_on", Date, nullable=True),
        Column("free", Boolean, nullable=True),
    )
    v1.create_all(conn, checkfirst=False)


def _add_column(conn: Connection, table: str, column: Column[Any]) -> None:
    """ALTER TABLE ... ADD COLUMN, portable: nullable, no default, so every database can do it."""
    quote = conn.dialect.identifier_preparer.quote
    kind = column.type.compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column.name)} {kind}"))


def _v2_recipient_and_solver(conn: Connection) -> None:
    _add_column(conn, "usage_entries", Column("recipient", String(500)))
    _add_column(conn, "plans", Column("solve_seconds", Float))
    _add_column(conn, "plans", Column("solver", String(40)))


def _v3_log_snapshots(conn: Connection) -> None:
    _add_column(conn, "usage_batches", Column("replaces_log", Boolean))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema: scenarios, plans, usage batches and entries", _v1_initial),
    Migration(2, "usage_entries.recipient; plans.solve_seconds and plans.solver", _v2_recipient_and_solver),
    Migration(3, "usage_batches.replaces_log: a batch that is the whole log (outcomes updated)", _v3_log_snapshots),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Bring the database on ``conn`` (inside a transaction) up to ``target``; the steps applied.

    Raises
    ------
    StoreError
        When the database is newer than this code, or holds planner tables
        without a ``schema_version`` table.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    inspector = inspect(conn)
    if inspector.has_table("schema_version"):
        current = conn.execute(select(func.max(schema_version.c.version))).scalar_one() or 0
    else:
        ours = [t for t in metadata.tables if t != "schema_version" and inspector.has_table(t)]
        if ours:
            raise StoreError(
                f"the database has planner tables ({', '.join(ours)}) but no schema_version table; "
                "it was not made by this planner or is damaged"
            )
        current = 0
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {current}, newer than this planner's {SCHEMA_VERSION}; "
            "upgrade the planner to open it"
        )
    applied = []
    for step in MIGRATIONS:
        if current < step.version <= target:
            step.apply(conn)
            conn.execute(insert(schema_version).values(version=step.version, description=step.description, applied_at=_now()))
            applied.append(step.version)
    if target == SCHEMA_VERSION:
        check_tables(conn)
    return applied


def check_tables(conn: Connection) -> None:
    """Refuse a database whose schema version is current but lacks a table or column this code uses.

    Raises
    ------
    StoreError
        Naming the missing tables or columns.
    """
    inspector = inspect(conn)
    missing: list[str] = []
    for table in metadata.tables.values():
        if not inspector.has_table(table.name):
            missing.append(f"table {table.name}")
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [f"column {table.name}.{c.name}" for c in table.columns if c.name not in have]
    if missing:
        raise StoreError(
            f"the database lacks {', '.join(missing)} although its schema is version {SCHEMA_VERSION}: "
            "it was changed by hand or is damaged; open another file, or restore a backup"
        )


def _schema_is_current(conn: Connection) -> bool:
    """Whether the database is at this code's schema version (a read: no write lock needed to open it)."""
    if not inspect(conn).has_table("schema_version"):
        return False
    return bool(conn.execute(select(func.max(schema_version.c.version))).scalar_one() == SCHEMA_VERSION)


# --- where the database is ------------------------------------------------------------------


def default_database_path() -> Path:
    """The SQLite file used when neither an argument nor ``INMAIL_PLANNER_DB`` names one."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DEFAULT_FILENAME


def database_url(url_or_path: str | os.PathLike[str] | URL | None = None) -> URL:
    """The SQLAlchemy URL of the database: the argument, else ``INMAIL_PLANNER_DB``, else the default file.

    >>> database_url("/tmp/h.sqlite3").render_as_string()
    'sqlite:////tmp/h.sqlite3'
    >>> database_url("postgresql+psycopg://me@db/planner").drivername
    'postgresql+psycopg'
    >>> database_url("")
    Traceback (most recent call last):
    planner.store.StoreError: the database location is empty (''): give a file path or a database URL
    """
    if isinstance(url_or_path, URL):
        return url_or_path
    value: str | os.PathLike[str] | None = url_or_path
    if value is not None and str(value).strip() == "":
        raise StoreError(f"the database location is empty ({str(value)!r}): give a file path or a database URL")
    if value is None:
        value = os.environ.get(ENV_VAR, "").strip() or None  # an empty variable is an unset one
    if value is None:
        return _sqlite_url(default_database_path())
    if isinstance(value, str) and "://" in value:
        try:
            return make_url(value)
        except SQLAlchemyError as err:
            raise StoreError(f"database URL {value!r} cannot be read: {err}") from None
    return _sqlite_url(Path(value).expanduser())


def _sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(path.resolve()))


def _is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode, waiting while another connection writes in the old mode.

    SQLite answers a journal mode change with "database is locked" at once,
    without its busy handler, while another connection holds the write lock of
    a database in rollback mode (e.g. creating the schema of a new file), and
    with the old mode when it cannot change it: both are retried.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            if str(cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower() == "wal":
                return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError(f"the database stayed busy for {BUSY_TIMEOUT_SECONDS:g} s; it was not put in WAL mode")
        time.sleep(0.02)


def _make_engine(url: URL, echo: bool) -> Engine:
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        # libpq waits as long as the operating system does (minutes) for a server that does not answer: the app would hang
        return create_engine(url, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    if url.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    memory = _is_memory(url)
    if not memory:
        assert url.database is not None
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would BEGIN late and COMMIT before DDL;
        # take it over, so that a transaction here is a real SQLite transaction
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        statement = ""
        try:
            for statement in (f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}", "PRAGMA foreign_keys = ON"):
                cursor.execute(statement)
            if not memory:
                statement = "PRAGMA journal_mode = WAL"
                _use_wal(cursor)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open database {url.database}: {err} (in: {statement})") from None
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a write transaction takes the write lock at once: what it reads stays true until it commits
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("planner_write") else "BEGIN")

    return engine


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioRecord:
    """One saved version of a named scenario."""

    id: int
    name: str
    version: int
    created_at: datetime
    toml: str
    unchanged: bool = False  # set by save_scenario: the scenario was this version already, nothing new was saved

    def scenario(self) -> AnyScenario:
        """The scenario (one seat, or a team), read back and checked (as :func:`~planner.scenario.any_scenario_from_toml`)."""
        return any_scenario_from_toml(self.toml)


@dataclass(frozen=True)
class PlanRecord:
    """A saved plan's headline: which scenario version made it, when, status and summary."""

    id: int
    scenario_id: int
    scenario_name: str
    scenario_version: int
    created_at: datetime
    status: PlanStatus
    summary: dict[str, Any]  # Plan.summary() as saved
    solve_seconds: float | None
    solver: str | None


@dataclass(frozen=True)
class StoredPlan:
    """A saved plan in full: its record, the scenario TOML that made it, schedule and ledger."""

    record: PlanRecord
    scenario_toml: str
    schedule_csv: str
    ledger_csv: str

    def scenario(self) -> AnyScenario:
        """The scenario the plan was made from (which may differ from its record, e.g. another tier)."""
        return any_scenario_from_toml(self.scenario_toml)

    def schedule(self) -> pd.DataFrame:
        """The schedule table, dates as ``datetime.date``."""
        return _read_table(self.schedule_csv)

    def ledger(self) -> pd.DataFrame:
        """The ledger table, dates as ``datetime.date``."""
        return _read_table(self.ledger_csv)


@dataclass(frozen=True)
class AddedUsage:
    """What :meth:`Store.add_new_usage` did: the batch written (None if nothing was new), rows added and skipped."""

    batch_id: int | None
    added: int
    skipped: int  # exact duplicates of rows already saved


@dataclass(frozen=True)
class UsageBatch:
    """One usage import: all of its entries were written in one transaction."""

    id: int
    scenario_name: str
    n_entries: int
    source: str | None
    created_at: datetime
    replaces_log: bool = False  # the batch is the whole log from its time on (earlier batches are kept, not read)


_DATE_COLUMNS = ("date", "oldest_expiry", "sent_on", "outcome_on")


def _write_table(table: pd.DataFrame) -> str:
    # faithful CSV (no spreadsheet escaping: planner.export does that on the way out to a user)
    if table.shape[1] == 0:
        return ""
    return table.to_csv(index=False, lineterminator="\n")


def _read_table(csv_text: str) -> pd.DataFrame:
    if csv_text.strip() == "":
        return pd.DataFrame()
    frame = pd.read_csv(io.StringIO(csv_text))
    for column in _DATE_COLUMNS:
        if column in frame.columns:
            parsed = pd.to_datetime(frame[column], format="ISO8601", errors="coerce")
            frame[column] = [d.date() if not pd.isna(d) else None for d in parsed]
    return frame


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _check_name(name: str) -> str:
    clean = name.strip() if isinstance(name, str) else ""
    if not clean:
        raise StoreError("a scenario name must not be empty")
    if len(clean) > NAME_MAX:
        raise StoreError(f"scenario name is {len(clean)} characters long; at most {NAME_MAX}")
    # a NUL is stored by SQLite but refused by PostgreSQL, and no driver can encode a lone surrogate:
    # refused alike on every database, before the database sees them
    odd = next((ch for ch in clean if ch == "\x00" or "\ud800" <= ch <= "\udfff"), None)
    if odd is not None:
        raise StoreError(f"scenario name {ascii(clean)} holds the character {ascii(odd)[1:-1]}, which a database cannot store")
    return clean


# --- the store ------------------------------------------------------------------------------


class Store:
    """Saved scenarios, plans and usage logs in one database. Open with :meth:`Store.open`.

    A store is safe to share between threads (one per app process, e.g. in
    ``st.cache_resource``); several processes may open the same database.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url_or_path: str | os.PathLike[str] | URL | None = None, *, echo: bool = False) -> Store:
        """Open (and create, or upgrade to the current schema) the database.

        Parameters
        ----------
        url_or_path
            A SQLAlchemy URL, or a SQLite file path; default ``INMAIL_PLANNER_DB``,
            else ``history.sqlite3`` in the user's data directory.
        echo
            Log every SQL statement (SQLAlchemy's ``echo``).

        Raises
        ------
        StoreError
            When the database cannot be opened or its schema is newer than this code.
        """
        url = database_url(url_or_path)
        shown = url.render_as_string(hide_password=True)
        try:
            engine = _make_engine(url, echo)
        except ImportError as err:
            raise StoreError(f"cannot open database {shown}: its driver is not installed ({err})") from None
        except (SQLAlchemyError, OSError) as err:
            raise StoreError(f"cannot open database {shown}: {err}") from None
        store = cls(engine)
        try:
            with store._read("open") as conn:
                current = _schema_is_current(conn)
                if current:
                    check_tables(conn)
            if not current:
                with store._write("create or upgrade the schema") as conn:
                    migrate(conn)  # reads the version again under the write lock: another process may have migrated
        except StoreError as err:
            engine.dispose()
            message = str(err)
            raise StoreError(
                message if message.startswith("cannot open") else f"cannot open database {shown}: {message}"
            ) from None
        return store

    def close(self) -> None:
        """Release the store's connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for reports and tests; writes go through the methods)."""
        return self._engine

    @property
    def schema_version(self) -> int:
        """The schema version the database is at."""
        with self._read("read the schema version") as conn:
            return int(conn.execute(select(func.max(schema_version.c.version))).scalar_one() or 0)

    @contextmanager
    def _write(self, doing: str, *, name: str | None = None, conflicts: bool = False) -> Iterator[Connection]:
        """A write transaction; a database error in it becomes a StoreError saying what failed (``doing``).

        ``name``: the scenario name written under, whose writes must take turns
        (on PostgreSQL, see "Concurrency"; SQLite's ``BEGIN IMMEDIATE`` already
        serialises every write). ``conflicts``: let an IntegrityError through,
        for a caller that retries on it.
        """
        try:
            with self._engine.connect() as conn:
                conn.execution_options(planner_write=True)
                with conn.begin():
                    if name is not None and conn.dialect.name == "postgresql":
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))"),
                            {"space": _PG_NAME_LOCKS, "key": _name_lock_key(name)},
                        )
                    yield conn
        except IntegrityError as err:
            if conflicts:
                raise
            raise StoreError(f"{doing}: {_plain(err)}") from None
        except SQLAlchemyError as err:
            raise StoreError(f"{doing}: {_plain(err)}") from None
        except sqlite3.Error as err:  # pragma: no cover - SQLAlchemy wraps the driver's errors
            raise StoreError(f"{doing}: {err}") from None

    @contextmanager
    def _read(self, doing: str) -> Iterator[Connection]:
        """A read transaction; a database error in it becomes a StoreError saying what failed (``doing``)."""
        try:
            with self._engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as err:
            raise StoreError(f"{doing}: {_plain(err)}") from None

    # --- scenarios ---

    def save_scenario(self, name: str, scenario: AnyScenario) -> ScenarioRecord:
        """Save a scenario under a name, as the next version of that name (older versions stay).

        A scenario the same as the name's latest version (the same TOML) is not
        saved again: that version is returned with ``unchanged`` set.

        Parameters
        ----------
        name
            The scenario's name (surrounding spaces dropped; 1 to 200 characters).
        scenario
            The scenario, one seat or a team; stored as its TOML.
        """
        name = _check_name(name)
        toml = scenario_to_toml(scenario)
        for attempt in range(SAVE_RETRIES):
            try:
                with self._write(f"save scenario {name!r}", name=name, conflicts=True) as conn:
                    latest = conn.execute(
                        select(scenarios).where(scenarios.c.name == name).order_by(scenarios.c.version.desc()).limit(1)
                    ).first()
                    if latest is not None and latest.toml == toml:
                        # the same scenario again: a second identical version would only make the history longer
                        return replace(_scenario_record(latest), unchanged=True)
                    version = (latest.version if latest is not None else 0) + 1
                    created = _now()
                    new_id = _new_id(
                        conn.execute(insert(scenarios).values(name=name, version=version, toml=toml, created_at=created))
                    )
                return ScenarioRecord(new_id, name, version, created, toml)
            except IntegrityError as err:
                # another writer took this version number first (databases with neither BEGIN IMMEDIATE nor the name lock)
                if attempt == SAVE_RETRIES - 1:
                    raise StoreError(f"save scenario {name!r}: {_plain(err)}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def list_scenarios(self) -> list[ScenarioRecord]:
        """The latest version of each named scenario, by name (by code point, the same on every database)."""
        latest = select(scenarios.c.name, func.max(scenarios.c.version).label("version")).group_by(scenarios.c.name).subquery()
        query = select(scenarios).join(latest, (scenarios.c.name == latest.c.name) & (scenarios.c.version == latest.c.version))
        with self._read("list the saved scenarios") as conn:
            records = [_scenario_record(row) for row in conn.execute(query)]
        # sorted here, not by ORDER BY: PostgreSQL sorts by the server's collation ('b' before 'C' in en_US), SQLite by code point
        return sorted(records, key=lambda r: r.name)

    def scenario_versions(self, name: str) -> list[ScenarioRecord]:
        """Every saved version of a scenario, oldest first (empty if the name is unknown)."""
        query = select(scenarios).where(scenarios.c.name == name.strip()).order_by(scenarios.c.version)
        with self._read(f"read the versions of scenario {name!r}") as conn:
            return [_scenario_record(row) for row in conn.execute(query)]

    def scenario_record(self, record_id: int) -> ScenarioRecord:
        """One saved scenario version by id."""
        with self._read(f"read saved scenario {record_id}") as conn:
            row = conn.execute(select(scenarios).where(scenarios.c.id == record_id)).first()
        if row is None:
            raise RecordNotFound(f"no saved scenario has id {record_id}")
        return _scenario_record(row)

    def load_scenario(self, record_id: int) -> AnyScenario:
        """The scenario saved as record ``record_id``, read back and checked."""
        return self.scenario_record(record_id).scenario()

    # --- plans ---

    def save_plan(self, scenario_record_id: int, plan: Plan) -> PlanRecord:
        """Save a plan made from a saved scenario version, with the scenario TOML that made it.

        The plan's own scenario is stored beside the link (it may differ from
        the record, e.g. a tier comparison's plan for another tier).
        """
        summary_json = json.dumps(plan.summary(), default=_json_default)
        created = _now()
        solve_seconds, solver = float(plan.solve_seconds), plan.solver or None
        with self._write(f"save a plan of saved scenario {scenario_record_id}") as conn:
            parent = conn.execute(select(scenarios).where(scenarios.c.id == scenario_record_id)).first()
            if parent is None:
                raise RecordNotFound(f"no saved scenario has id {scenario_record_id}; save the scenario first")
            new_id = _new_id(
                conn.execute(
                    insert(plans).values(
                        scenario_id=scenario_record_id,
                        scenario_toml=scenario_to_toml(plan.problem.scenario),
                        status=str(plan.status),
                        summary_json=summary_json,
                        schedule_csv=_write_table(plan.schedule),
                        ledger_csv=_write_table(plan.ledger),
                        created_at=created,
                        solve_seconds=solve_seconds,
                        solver=solver,
                    )
                )
            )
        return PlanRecord(
            id=new_id,
            scenario_id=scenario_record_id,
            scenario_name=parent.name,
            scenario_version=parent.version,
            created_at=created,
            status=plan.status,
            summary=json.loads(summary_json),
            solve_seconds=solve_seconds,
            solver=solver,
        )

    def list_plans(self, scenario_name: str | None = None) -> list[PlanRecord]:
        """Saved plans, oldest first; only those of one scenario name (any version) if given."""
        query = (
            select(*_PLAN_HEADLINE, scenarios.c.name, scenarios.c.version)
            .join(scenarios, plans.c.scenario_id == scenarios.c.id)
            .order_by(plans.c.id)
        )
        if scenario_name is not None:
            query = query.where(scenarios.c.name == scenario_name.strip())
        with self._read("list the saved plans") as conn:
            return [_plan_record(row) for row in conn.execute(query)]

    def load_plan_record(self, plan_id: int) -> StoredPlan:
        """A saved plan in full: record, scenario TOML, schedule and ledger."""
        query = (
            select(plans, scenarios.c.name, scenarios.c.version)
            .join(scenarios, plans.c.scenario_id == scenarios.c.id)
            .where(plans.c.id == plan_id)
        )
        with self._read(f"read saved plan {plan_id}") as conn:
            row = conn.execute(query).first()
        if row is None:
            raise RecordNotFound(f"no saved plan has id {plan_id}")
        return StoredPlan(_plan_record(row), row.scenario_toml, row.schedule_csv, row.ledger_csv)

    # --- usage ---

    def replace_usage(self, scenario_name: str, entries: Iterable[UsageEntry], *, source: str | None = None) -> int:
        """Save ``entries`` as the whole log of a scenario from now on (outcomes updated, rows fixed).

        The earlier batches stay in the database (saving never loses a record)
        but :meth:`usage` reads from this batch on. Returns the batch id.
        """
        return self.add_usage(scenario_name, entries, source=source, replaces_log=True)

    def add_usage(
        self, scenario_name: str, entries: Iterable[UsageEntry], *, source: str | None = None, replaces_log: bool = False
    ) -> int:
        """Add a batch of usage entries to a scenario's log, all or none; the batch id.

        Parameters
        ----------
        scenario_name
            The scenario the log belongs to (by name: every version shares it).
        entries
            The sends, e.g. ``import_usage(...).entries``.
        source
            Where they came from (a file name, "app", "cli"), kept with the batch.
        """
        name = _check_name(scenario_name)
        with self._write(f"save usage entries under {name!r}", name=name) as conn:
            return self._insert_batch(conn, name, list(entries), source, replaces_log)

    def add_new_usage(self, scenario_name: str, entries: Iterable[UsageEntry], *, source: str | None = None) -> AddedUsage:
        """Add the entries the saved log does not hold yet (:func:`planner.usage.log_diff`), in one write.

        Importing the same file twice adds nothing the second time; the saved
        log is read and the new rows written under one write lock, so two
        imports at once cannot both add the same rows.
        """
        name = _check_name(scenario_name)
        entries = list(entries)
        with self._write(f"save usage entries under {name!r}", name=name) as conn:
            saved = [_usage_entry(row, name) for row in conn.execute(self._log_query(name))]
            new, _ = log_diff(entries, saved)
            batch = self._insert_batch(conn, name, new, source, False) if new else None
        return AddedUsage(batch_id=batch, added=len(new), skipped=len(entries) - len(new))

    @staticmethod
    def _insert_batch(conn: Connection, name: str, entries: list[UsageEntry], source: str | None, replaces_log: bool) -> int:
        rows = [
            {
                "scenario_name": name,
                "sent_on": e.sent_on,
                "bucket": e.bucket,
                "outcome": str(e.outcome),
                "outcome_on": e.outcome_on,
                "free": e.free,
                "recipient": e.recipient,
            }
            for e in entries
        ]
        batch_id = _new_id(
            conn.execute(
                insert(usage_batches).values(
                    scenario_name=name,
                    source=source[:500] if source else None,
                    n_entries=len(rows),
                    created_at=_now(),
                    replaces_log=replaces_log,
                )
            )
        )
        if rows:
            conn.execute(insert(usage_entries), [{**row, "batch_id": batch_id} for row in rows])
        return batch_id

    @staticmethod
    def _log_query(name: str) -> Select[Any]:
        """The rows of the log of ``name``: the latest batch that replaced the log and every batch after it.

        One statement, so that it reads one snapshot: as two (the latest
        replacing batch, then the rows from it on), a replacement committed in
        between would be read beside the one it replaces (at PostgreSQL's READ
        COMMITTED every statement sees the latest commits).
        """
        snapshot = (
            select(func.max(usage_batches.c.id))
            .where(usage_batches.c.scenario_name == name, usage_batches.c.replaces_log.is_(True))
            .scalar_subquery()
        )
        return (
            select(usage_entries)
            .where(usage_entries.c.scenario_name == name, usage_entries.c.batch_id >= func.coalesce(snapshot, 0))
            .order_by(usage_entries.c.sent_on, usage_entries.c.id)
        )

    def usage(self, scenario_name: str, *, batch_id: int | None = None) -> list[UsageEntry]:
        """A scenario's usage log (or one batch of it), by date sent, then as added.

        The log is the latest batch saved with :meth:`replace_usage` and every
        batch added after it (all batches, if none replaced the log).
        """
        name = scenario_name.strip()
        with self._read(f"read the usage log of {name!r}") as conn:
            if batch_id is not None:
                query = (
                    select(usage_entries)
                    .where(usage_entries.c.scenario_name == name, usage_entries.c.batch_id == batch_id)
                    .order_by(usage_entries.c.sent_on, usage_entries.c.id)
                )
            else:
                query = self._log_query(name)
            found = list(conn.execute(query))
        return [_usage_entry(row, name) for row in found]

    def usage_batches(self, scenario_name: str | None = None) -> list[UsageBatch]:
        """The usage imports, oldest first; only one scenario's if a name is given."""
        query = select(usage_batches).order_by(usage_batches.c.id)
        if scenario_name is not None:
            query = query.where(usage_batches.c.scenario_name == scenario_name.strip())
        with self._read("list the usage batches") as conn:
            return [
                UsageBatch(row.id, row.scenario_name, row.n_entries, row.source, row.created_at, bool(row.replaces_log))
                for row in conn.execute(query)
            ]


_PLAN_HEADLINE: Sequence[Column[Any]] = (
    plans.c.id,
    plans.c.scenario_id,
    plans.c.created_at,
    plans.c.status,
    plans.c.summary_json,
    plans.c.solve_seconds,
    plans.c.solver,
)


def _name_lock_key(name: str) -> int:
    """The advisory lock key of a scenario name: a stable signed 32-bit hash (a collision only makes two names take turns)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big", signed=True)


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _known(kind: type[_E], value: str, where: str) -> _E:
    """A stored value of an enumeration; one this code does not know is a StoreError saying where it is."""
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(str(v) for v in kind)
        raise StoreError(
            f"{where} {value!r}, which this planner does not know (it knows {known}): "
            "the database was written by a newer planner or another program"
        ) from None


def _usage_entry(row: Any, name: str) -> UsageEntry:
    """A stored usage row as an entry; a value this code does not know is a StoreError naming the row."""
    outcome = _known(Outcome, row.outcome, f"the usage log of {name!r} holds (entry {row.id}) outcome")
    try:
        return UsageEntry(
            sent_on=row.sent_on,
            bucket=row.bucket,
            outcome=outcome,
            outcome_on=row.outcome_on,
            recipient=row.recipient,
            free=row.free,
        )
    except (TypeError, ValueError) as err:
        raise StoreError(f"the usage log of {name!r} holds an entry this planner cannot read (entry {row.id}): {err}") from None


def _scenario_record(row: Any) -> ScenarioRecord:
    return ScenarioRecord(id=row.id, name=row.name, version=row.version, created_at=row.created_at, toml=row.toml)


def _plan_record(row: Any) -> PlanRecord:
    status = _known(PlanStatus, row.status, f"saved plan {row.id} has status")
    try:
        summary = json.loads(row.summary_json)
    except (TypeError, ValueError) as err:
        raise StoreError(f"saved plan {row.id}: its summary cannot be read ({err})") from None
    return PlanRecord(
        id=row.id,
        scenario_id=row.scenario_id,
        scenario_name=row.name,
        scenario_version=row.version,
        created_at=row.created_at,
        status=status,
        summary=summary,
        solve_seconds=row.solve_seconds,
        solver=row.solver,
    )

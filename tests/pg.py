"""A throwaway PostgreSQL cluster for the tests, from the machine's PostgreSQL binaries (Debian's ``postgresql``).

One cluster per test session, in a temporary folder, listening only on a Unix
socket in that folder (no TCP port, nothing another program could reach), with
fsync off and ``initdb --no-sync``: its data is thrown away, so durability would
only cost time. Each test asks for a fresh database in it (``CREATE DATABASE``
takes a few tens of milliseconds).

PostgreSQL refuses to run as root, and the tests run as root here and in CI: the
server then runs as the ``postgres`` system user that Debian's package creates
(else ``nobody``), in a folder that user owns, through ``setpriv``, which also
sets a parent-death signal so that a test run killed halfway does not leave a
server behind.

Where no server can be started (no binaries, no driver), :func:`start_or_skip`
skips the PostgreSQL tests with the reason, except in CI (``CI`` set, as
``.ci/run`` runs): there it fails them, so that a CI run cannot pass by
skipping them.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import psycopg  # imported where used: a machine without the driver still imports this module, and is told why

SUPERUSER = "planner"
START_TIMEOUT_SECONDS = 30.0
# the throwaway cluster's settings: no durability (fsync, full pages, commit flush), no TCP
SERVER_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "60",
}


# sorting as a team's server would (English, by ICU: "a b" < "b" < "C"), not by code point as the C locale and SQLite do,
# so that a test sees where the store must not leave order to the database; C.UTF-8 is the only UTF-8 libc locale Debian
# always has
LOCALE = ("--locale-provider=icu", "--icu-locale=en-US", "--locale=C.UTF-8")


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def find_bin_dir() -> Path:
    """The folder of ``initdb``, ``postgres`` and friends: on the PATH, else Debian's newest ``/usr/lib/postgresql/N/bin``.

    Raises
    ------
    Unavailable
        When neither holds ``initdb``.
    """
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])]
    )
    if not debian:
        raise Unavailable("initdb is neither on the PATH nor in /usr/lib/postgresql/*/bin (install Debian's postgresql package)")
    return debian[-1].parent


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged user the server runs as when we are root (PostgreSQL refuses root); None: as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise Unavailable("running as root, and neither a postgres nor a nobody user exists to run the server as")


class Cluster:
    """A running throwaway cluster; :meth:`new_database` gives each test its own database. Start with :meth:`start`."""

    def __init__(self, root: Path, bin_dir: Path, server: subprocess.Popen[bytes]) -> None:
        self.root = root  # holds data/, the socket and server.log; removed by stop()
        self.bin_dir = bin_dir
        self._server = server
        self._names = itertools.count(1)

    @classmethod
    def start(cls) -> Cluster:
        """Make a cluster in a new temporary folder and start its server; returns once it accepts connections.

        Raises
        ------
        Unavailable
            When the binaries, the driver or the server are missing or fail (with the server's log).
        """
        try:
            import psycopg  # noqa: F401 - only to say so early if the driver is missing
        except ImportError as err:
            raise Unavailable(f"the psycopg driver is not installed ({err})") from None
        bin_dir = find_bin_dir()
        user = _server_user()
        # /tmp itself, not pytest's tmp_path: that is private to root, and the server's user must reach its folder
        root = Path(tempfile.mkdtemp(prefix="inmail-pg-"))
        as_user: list[str] = []
        if user is not None:
            os.chown(root, user.pw_uid, user.pw_gid)
            as_user = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
        try:
            initdb = subprocess.run(
                [*as_user, str(bin_dir / "initdb"), "-D", str(root / "data"), "--no-sync", "--auth=trust"]
                + [f"--username={SUPERUSER}", "--encoding=UTF8", *LOCALE, "--no-instructions"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if initdb.returncode != 0:
                raise Unavailable(f"initdb failed ({initdb.returncode}): {initdb.stderr.strip() or initdb.stdout.strip()}")
            settings = [arg for key, value in SERVER_SETTINGS.items() for arg in ("-c", f"{key}={value}")]
            log = (root / "server.log").open("wb")
            # a parent-death signal: if the test run dies, the server stops with it (SIGQUIT: immediate shutdown)
            server = subprocess.Popen(
                ["setpriv", *as_user[1:], "--pdeathsig=QUIT", str(bin_dir / "postgres"), "-D", str(root / "data")]
                + ["-k", str(root), *settings],
                cwd=root,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
        except (OSError, subprocess.SubprocessError) as err:
            shutil.rmtree(root, ignore_errors=True)
            raise Unavailable(f"cannot run the PostgreSQL binaries in {bin_dir}: {err}") from None
        except Unavailable:
            shutil.rmtree(root, ignore_errors=True)
            raise
        cluster = cls(root, bin_dir, server)
        try:
            cluster._wait_until_ready()
        except Unavailable:
            cluster.stop()
            raise
        return cluster

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if self._server.poll() is not None:
                raise Unavailable(f"the PostgreSQL server exited ({self._server.returncode}): {self.log()}")
            try:
                self._connect("postgres").close()
                return
            except psycopg.OperationalError as err:
                if time.monotonic() > deadline:
                    raise Unavailable(
                        f"the PostgreSQL server did not accept connections in {START_TIMEOUT_SECONDS:g} s: {err}"
                    ) from None
            time.sleep(0.05)

    def _connect(self, database: str) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to one database of the cluster, as its superuser."""
        import psycopg

        return psycopg.connect(host=str(self.root), user=SUPERUSER, dbname=database, autocommit=True, connect_timeout=5)

    def log(self) -> str:
        """The end of the server's log (why it failed to start, when it did)."""
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-2000:].strip() if path.exists() else "(no log)"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database of the cluster, over the Unix socket (as SQLAlchemy writes it)."""
        from sqlalchemy.engine import URL

        url = URL.create("postgresql+psycopg", username=SUPERUSER, database=database, query={"host": str(self.root)})
        return url.render_as_string(hide_password=False)

    def new_database(self) -> str:
        """Create an empty database (a new name each call); its SQLAlchemy URL."""
        name = f"test_{next(self._names)}"
        with self._connect("postgres") as admin:
            # FILE_COPY: a plain copy of the small template, faster here than WAL-logging it block by block
            admin.execute(f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended) and remove the folder."""
        if self._server.poll() is None:
            self._server.send_signal(signal.SIGINT)
            try:
                self._server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def in_ci() -> bool:
    """Whether this is a CI run (``CI`` set to anything but empty, 0 or false), where a missing server is a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def start_or_skip() -> Cluster:
    """Start a cluster; where none can start, skip the calling test with the reason, or fail it in CI."""
    try:
        return Cluster.start()
    except Unavailable as why:
        if in_ci():
            pytest.fail(f"the PostgreSQL store tests must run in CI, but no server could be started: {why}", pytrace=False)
        pytest.skip(f"no PostgreSQL server for the store tests: {why}")

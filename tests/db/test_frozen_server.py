"""A server that stops answering: the station gives up within seconds and recovers by itself.

The test starts its own PostgreSQL server (initdb + pg_ctl, on a free port of 127.0.0.1) and
pauses every one of its processes with SIGSTOP, which is what a frozen or swapped-out server
looks like to a station: its host still accepts and acknowledges data, nothing ever answers.
The shared test server is never touched; it only serves the shorter tests at the end, of the
timeouts themselves.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import TypeVar

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import (
    AnsweringConnection,
    ServerNotAnswering,
    answers,
    make_engine,
    unit_of_work,
    without_time_limits,
)
from app.db.picking_models import PickList
from app.services.intake.receiving import import_orders
from app.services.picking.scans import claim_next
from app.services.picking.waves import release_wave
from app.ui.feedback import Feedback, FeedbackLevel
from app.ui.settings import WorkstationSettings
from app.ui.station import COMMIT_UNCONFIRMED, UNREACHABLE, StationContext
from tests.conftest import NO_POSTGRES, POSTGRES_URL, postgres_schema_url
from tests.services.floor import SUPERVISOR, load_floor, write_orders
from tests.services.journey import add_picker

# "Does not hang", not a performance budget: the station's timeouts are about 5 s, and a call
# that has not returned after HANG_S is ended by letting the server run again.
BOUND_S = 12.0
HANG_S = 30.0
SERVER_USER = "postgres"  # initdb and postgres refuse to run as root
R = TypeVar("R")

pytestmark = pytest.mark.postgres


def _bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, per pg_config, or in Debian's versioned folders."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    debian = [Path(p) for p in glob("/usr/lib/postgresql/*/bin")]
    candidates += sorted(debian, key=lambda p: _version(p.parent.name), reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in name.split("."))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with suppress(OSError):
            for line in status.read_text().splitlines():
                if line.startswith("PPid:") and int(line.split()[1]) == pid:
                    found.append(int(status.parent.name))
                    break
    return found


def _signal(pids: list[int], number: signal.Signals) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, number)


@dataclass
class PrivateServer:
    """A throw-away PostgreSQL server owned by one test."""

    bin_dir: Path
    folder: Path
    port: int
    run_as: list[str]
    postmaster: int = 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.run_as, *command], check=True, capture_output=True, text=True, timeout=60
        )

    def start(self) -> None:
        data, log = self.folder / "data", self.folder / "server.log"
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c max_connections=20"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.postmaster = int((data / "postmaster.pid").read_text().split()[0])

    def processes(self) -> list[int]:
        return [self.postmaster, *_children(self.postmaster)] if self.postmaster else []

    def freeze(self) -> None:
        """Pause the postmaster first (so it starts nothing new), then every backend."""
        _signal([self.postmaster], signal.SIGSTOP)
        _signal(_children(self.postmaster), signal.SIGSTOP)

    def thaw(self) -> None:
        _signal(self.processes(), signal.SIGCONT)

    def stop(self) -> None:
        if not self.postmaster:
            return
        self.thaw()
        try:
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                "immediate", "-w", "-t", "30", "stop",
            )  # fmt: skip
        except (subprocess.SubprocessError, OSError):
            _signal(self.processes(), signal.SIGKILL)
        self.postmaster = 0


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    """A PostgreSQL server of this test's own, always resumed and stopped at the end."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    if not sys.platform.startswith("linux"):
        pytest.skip("pausing a private PostgreSQL server needs Linux (/proc, SIGSTOP)")
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="baton-frozen-"))
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            owner = None
        if runuser is None or owner is None:
            shutil.rmtree(folder)
            pytest.skip(f"running as root needs runuser and a '{SERVER_USER}' user for the server")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = [runuser, "-u", SERVER_USER, "--"]
    server = PrivateServer(bin_dir, folder, _free_port(), run_as)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _within_bound(server: PrivateServer, call: Callable[[], R]) -> R:
    """Run `call`; fail if it took BOUND_S or more. A call still waiting at HANG_S is freed."""
    rescue = threading.Timer(HANG_S, server.thaw)
    rescue.start()
    started = time.monotonic()
    try:
        return call()
    finally:
        rescue.cancel()
        took = time.monotonic() - started
        assert took < BOUND_S, f"hung {took:.1f} s on a frozen server (bound {BOUND_S:g} s)"


@contextmanager
def _frozen(server: PrivateServer) -> Iterator[None]:
    server.freeze()
    try:
        yield
    finally:
        server.thaw()


def _station(database: Database, tmp_path: Path, qtbot: QtBot) -> StationContext:
    feedback = Feedback()
    qtbot.addWidget(feedback.band)
    settings = WorkstationSettings(tmp_path / "station.ini")
    context = StationContext(database=database, settings=settings, feedback=feedback)
    context.actor = add_picker(database, "OP-1111", "Pat")
    return context


def _released_floor(database: Database, tmp_path: Path) -> None:
    load_floor(database)
    orders = {"#1": [("MUG-BLUE", 1)], "#2": [("SOCK-ZOE", 1)]}
    import_orders(database.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(database.sessions) as session:
        release_wave(session, SUPERVISOR)


def test_a_frozen_server_is_given_up_on_and_the_station_recovers(
    private_server: PrivateServer, tmp_path: Path, qtbot: QtBot
) -> None:
    database = open_database(DatabaseChoice(private_server.url, embedded_default=False))
    try:
        _released_floor(database, tmp_path)
        context = _station(database, tmp_path, qtbot)
        held = database.engine.connect()  # a connection in the middle of a transaction
        held.exec_driver_sql("SELECT 1")
        context.reload_patterns()  # and one left idle in the pool

        with _frozen(private_server):
            # The idle pooled connection: its ping goes unanswered.
            assert _within_bound(private_server, lambda: context.act(claim_next)) is None
            band = context.feedback.band
            assert (band.level, band.message) == (FeedbackLevel.ERROR, UNREACHABLE)
            # Then a new connection: the server accepts it but never says hello.
            context.feedback.prompt("Scan")
            assert _within_bound(private_server, lambda: context.act(claim_next)) is None
            assert (band.level, band.message) == (FeedbackLevel.ERROR, UNREACHABLE)
            # The connection that was in a transaction when the server froze.
            with pytest.raises(OperationalError):
                _within_bound(private_server, lambda: held.exec_driver_sql("SELECT 1"))
            _within_bound(private_server, held.close)
            # The status bar's question is answered "no", not left hanging.
            assert _within_bound(private_server, lambda: answers(database.engine)) is False

        # The server answers again: the same station works without being restarted.
        context.feedback.prompt("Scan")
        assert context.act(claim_next) is not None
        assert context.feedback.band.level is FeedbackLevel.PROMPT
        assert answers(database.engine)
    finally:
        database.close()


def _claimed(database: Database) -> int:
    with database.sessions() as session:
        query = select(func.count()).where(PickList.status == "CLAIMED")
        return session.scalar(query.select_from(PickList)) or 0


def test_a_server_frozen_while_saving_is_not_said_to_have_recorded_nothing(
    private_server: PrivateServer, tmp_path: Path, qtbot: QtBot
) -> None:
    database = open_database(DatabaseChoice(private_server.url, embedded_default=False))
    try:
        _released_floor(database, tmp_path)
        context = _station(database, tmp_path, qtbot)
        # The server stops just as the station sends COMMIT.
        event.listen(database.engine, "commit", lambda _conn: private_server.freeze(), once=True)
        try:
            assert _within_bound(private_server, lambda: context.act(claim_next)) is None
        finally:
            private_server.thaw()
        band = context.feedback.band
        assert (band.level, band.message) == (FeedbackLevel.ERROR, COMMIT_UNCONFIRMED)
        # Running again, the server reads the COMMIT it had been sent: the claim is there.
        qtbot.waitUntil(lambda: _claimed(database) == 1, timeout=10_000)
        context.feedback.prompt("Scan")
        assert context.act(claim_next) is not None  # the picker's own list, claimed once
        assert _claimed(database) == 1
    finally:
        database.close()


@pytest.fixture
def schema_url() -> Iterator[str]:
    """A fresh schema on the shared test server (its URL carries a search_path option)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from postgres_schema_url()


def test_connections_carry_the_timeouts_and_keep_the_urls_own(schema_url: str) -> None:
    engine = make_engine(f"{schema_url}&keepalives_idle=30")
    try:
        with engine.connect() as connection:
            shown = {
                name: connection.exec_driver_sql(f"SHOW {name}").scalar_one()
                for name in ("lock_timeout", "statement_timeout", "search_path")
            }
            given = connection.connection.driver_connection.info.get_parameters()  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert shown["lock_timeout"] == shown["statement_timeout"] == "5s"
    assert shown["search_path"].startswith("t_")  # the URL's own options still apply
    assert given["keepalives"] == "1" and given["tcp_user_timeout"] == "5000"
    assert given["keepalives_idle"] == "30"  # a value given in the URL is kept


def test_a_migration_may_take_longer_than_a_station_would_wait(
    schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AnsweringConnection, "answer_timeout_s", 0.5)
    engine = make_engine(f"{schema_url}%20-cstatement_timeout%3D200")
    try:
        with engine.begin() as connection, without_time_limits(connection):
            connection.exec_driver_sql("SELECT pg_sleep(1)")
        with pytest.raises(OperationalError) as stopped, engine.begin() as connection:
            connection.exec_driver_sql("SELECT pg_sleep(1)")
        assert not isinstance(stopped.value.orig, ServerNotAnswering)  # the server said stop
        with pytest.raises(OperationalError) as given_up, engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            connection.exec_driver_sql("SELECT pg_sleep(1)")
        assert isinstance(given_up.value.orig, ServerNotAnswering)  # the station stopped waiting
    finally:
        engine.dispose()

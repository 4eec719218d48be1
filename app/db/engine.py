"""Engines and sessions: one factory for SQLite and PostgreSQL, with the floor's settings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen
from psycopg.errors import _WaitTimeout
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 5_000
# A station must not hang on a server that is gone, frozen, or holding a row for long: it gives
# up after about 5 s with an OperationalError (which stations show as "not reachable or busy")
# and works again, with new connections, once the server answers.
POSTGRES_CONNECT_TIMEOUT_S = 5
POSTGRES_LOCK_TIMEOUT_MS = 5_000
# The server cancels any statement after 5 s too: the promise is 5 s whatever the wait. A wait
# for a row may end as either timeout; both are OperationalErrors and read the same to a person.
POSTGRES_STATEMENT_TIMEOUT_MS = 5_000
# Those timeouts run in the server, so a server that cannot run (stopped, swapped out, its
# host gone) never sends them. The station stops waiting for any answer after this long: one
# second past the statement timeout, so a server that is alive always reports its own timeout
# first and keeps the connection.
POSTGRES_ANSWER_TIMEOUT_S = POSTGRES_STATEMENT_TIMEOUT_MS / 1000 + 1
# The ping before a pooled connection is reused; a live server answers it in a millisecond.
POSTGRES_PING_TIMEOUT_S = 2.0
# The kernel notices a vanished peer: an idle pooled connection is probed after 5 s of silence
# and dropped after 3 unanswered probes 1 s apart; data the server's host does not acknowledge
# within 5 s breaks the connection. (A stopped server process is still acknowledged by its
# kernel, so only the answer timeout above catches that one.)
POSTGRES_TCP = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 1,
    "keepalives_count": 3,
    "tcp_user_timeout": 5_000,
}
RV = TypeVar("RV")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and write-first BEGINs.

    PostgreSQL connections give up after about 5 s on a lock, a slow statement, a connection
    that cannot be made, or a server that stopped answering.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Options given in the URL (a search_path, another timeout) come last and so win.
        given = parsed.query.get("options", "")
        options = " ".join(
            part
            for part in (
                f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT_MS}",
                f"-c statement_timeout={POSTGRES_STATEMENT_TIMEOUT_MS}",
                *((given,) if isinstance(given, str) else given),
            )
            if part
        )
        defaults = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, **POSTGRES_TCP}
        connect_args: dict[str, Any] = {
            key: value for key, value in defaults.items() if key not in parsed.query
        }
        connect_args["options"] = options
        if parsed.get_driver_name() != "psycopg":
            return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_psycopg(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class ServerNotAnswering(psycopg.OperationalError):
    """The server took no notice of a request within the answer timeout; the connection is shut."""


class CommitUnconfirmed(ServerNotAnswering):
    """The server stopped answering after it was sent COMMIT: the change may have been saved.

    The COMMIT may sit unread in the server's buffers and take effect when the server runs
    again, so "nothing was recorded" would not be true here.
    """


class AnsweringConnection(psycopg.Connection[Any]):
    """A psycopg connection that stops waiting for a server that does not answer.

    Every round trip (statements, fetches, commit, rollback) waits in `wait`; there the wait is
    bounded. The connection is closed when the time is up, because the reply may still arrive
    later and the conversation cannot be resumed: the pool then replaces it.
    """

    answer_timeout_s: float | None = POSTGRES_ANSWER_TIMEOUT_S

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        limit = self.answer_timeout_s
        if timeout is not None or limit is None:  # psycopg's own bounded waits, or no limit
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, limit)
        except _WaitTimeout as exc:
            self.close()
            raise ServerNotAnswering(
                f"the database server did not answer within {limit:g} s"
            ) from exc

    def commit(self) -> None:
        try:
            super().commit()
        except ServerNotAnswering as exc:
            raise CommitUnconfirmed(f"{exc}, after COMMIT: it may still take effect") from exc

    @contextmanager
    def answering_within(self, seconds: float | None) -> Iterator[None]:
        """Wait at most `seconds` (None: as long as it takes) for each answer inside the block."""
        before = self.answer_timeout_s
        self.answer_timeout_s = seconds
        try:
            yield
        finally:
            self.answer_timeout_s = before


def _configure_psycopg(engine: Engine) -> None:
    @event.listens_for(engine, "do_connect")
    def _on_connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        return AnsweringConnection.connect(*cargs, **cparams)

    # SQLAlchemy's pool_pre_ping, with a short bound: a pooled connection whose server went
    # away (a restart) is replaced, as pre-ping does, but one whose server does not answer is
    # given up at once instead of waiting for a new connection that would not answer either.
    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not isinstance(dbapi_connection, AnsweringConnection):
            return
        try:
            with dbapi_connection.answering_within(POSTGRES_PING_TIMEOUT_S):
                dbapi_connection.execute(";").close()
        except ServerNotAnswering:
            raise
        except psycopg.Error as exc:
            if dbapi_connection.closed or dbapi_connection.broken:
                raise InvalidatePoolError() from exc
            raise


@contextmanager
def without_time_limits(connection: Connection) -> Iterator[None]:
    """Lift the statement and answer timeouts for the rest of `connection`'s transaction.

    For administrative work that may rightly take long (a migration rewriting a big table),
    never for a station's actions. The lock timeout stays: a migration waiting behind the
    floor's transactions would stop every station that queues behind it.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    raw = connection.connection.driver_connection
    if not isinstance(raw, AnsweringConnection):
        yield
        return
    with raw.answering_within(None):
        yield


WRITE = "baton_write"


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling is switched off so that we can issue
    # BEGIN IMMEDIATE: every unit of work takes the write lock up front, which is how
    # SQLite serialises claims (the equivalent of FOR UPDATE) and avoids upgrade deadlocks.
    # Reads begin DEFERRED, so they never wait for a writer (WAL lets them run alongside).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's own lower() knows only ASCII; searches must fold Å like PostgreSQL does.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed scan survives a power cut too, not only a crashed station.
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        writes = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values readable after commit (results outlive the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One user action: a session and a write transaction, committed on success, else undone."""
    with factory() as session, session.begin():
        session.connection(execution_options={WRITE: True})
        yield session


def describe(engine: Engine) -> str:
    """Where the data is, for status bars and messages: a file path or a server and database."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database or ':memory:'}"
    return f"PostgreSQL {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query now (for a station's status bar)."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception:  # any failure means "not reachable"; the log keeps the cause
        log.warning("database did not answer", exc_info=True)
        return False
    return True

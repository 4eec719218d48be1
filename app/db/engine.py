"""Engines and sessions: one factory for SQLite and PostgreSQL, with the floor's settings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 5_000
# A station must not hang on a server that is gone or a row someone holds for long.
POSTGRES_CONNECT_TIMEOUT_S = 5
POSTGRES_LOCK_TIMEOUT_MS = 5_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and write-first BEGINs."""
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
        # Keep options given in the URL (e.g. a search_path) and add the lock timeout.
        given = parsed.query.get("options", "")
        options = " ".join(
            part
            for part in (
                *((given,) if isinstance(given, str) else given),
                f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT_MS}",
            )
            if part
        )
        connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, "options": options}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


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

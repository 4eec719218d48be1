"""Readers shared by the screen tests: the feedback band, an order's status, the scan journal, a
refusing printer;
and a copy of a floor on the same database."""

from __future__ import annotations

import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.models import Order
from app.ui.feedback import FeedbackLevel
from app.ui.main_window import MainWindow
from tests.conftest import postgres_database

# For a screen test the database plays no part in (idle timers, refused noise, markup): its
# PostgreSQL leg would repeat the SQLite one and cost a floor copy.
sqlite_only = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def band(window: MainWindow) -> tuple[FeedbackLevel, str]:
    """What the station's feedback band shows: its colour level and its message."""
    feedback = window.station.feedback.band
    return feedback.level, feedback.message


def order_status(database: Database, number: str) -> str:
    """The order's status as the database holds it now."""
    with database.sessions() as session:
        return session.scalars(select(Order.status).where(Order.number == number)).one()


def refused_printer() -> str:
    """A ZPL printer address on a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"zpl:127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def floor_copy(source: Database, folder: Path) -> Iterator[Database]:
    """Another database holding the rows `source` holds now, on the same backend.

    SQLite copies the file; PostgreSQL makes a new database with `source` as its template
    (its connections are closed first: a template is copied only with nobody connected).
    """
    if source.engine.dialect.name == "sqlite":
        path = folder / f"floor-{uuid.uuid4().hex[:8]}.sqlite3"
        with source.engine.connect() as connection:  # the WAL's commits into the file first
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(str(source.engine.url.database), path)
        url = f"sqlite:///{path}"
        copy = open_database(DatabaseChoice(url, embedded_default=True))
        try:
            yield copy
        finally:
            copy.close()
        return
    source.engine.dispose()
    with postgres_database(template=source.engine.url.database) as url:
        copy = open_database(DatabaseChoice(url, embedded_default=True))
        try:
            yield copy
        finally:
            copy.close()

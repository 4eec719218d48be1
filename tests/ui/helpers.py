"""Readers shared by the screen tests: the feedback band, an order's status, a refusing printer;
and a copy of a floor on the same database."""

from __future__ import annotations

import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.models import Base, Order
from app.ui.feedback import FeedbackLevel
from app.ui.main_window import MainWindow
from tests.conftest import postgres_schema

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

    SQLite copies the file; PostgreSQL makes a fresh schema and copies every table's rows
    (a copy is a fraction of a second where seeding the demo takes seconds).
    """
    if source.engine.dialect.name == "sqlite":
        path = folder / f"floor-{uuid.uuid4().hex[:8]}.sqlite3"
        with source.engine.connect() as connection:  # the WAL's commits into the file first
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(str(source.engine.url.database), path)
        copy = open_database(DatabaseChoice(f"sqlite:///{path}", embedded_default=True))
        try:
            yield copy
        finally:
            copy.close()
        return
    with source.engine.connect() as connection:
        origin = connection.execute(text("SELECT current_schema()")).scalar_one()
    with postgres_schema() as (_schema, url):
        copy = open_database(DatabaseChoice(url, embedded_default=True))
        try:
            _copy_rows(copy, origin)
            yield copy
        finally:
            copy.close()


def _copy_rows(target: Database, origin: str) -> None:
    """Every table's rows from schema `origin` into the target's fresh schema, ids kept."""
    with target.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:  # parents before the rows that refer to them
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            connection.execute(
                text(
                    f'INSERT INTO "{table.name}" ({columns}) '
                    f'SELECT {columns} FROM "{origin}"."{table.name}"'
                )
            )
        # The copied ids are taken: each sequence goes on after the largest one.
        serials = connection.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
                " AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
            )
        ).all()
        for table_name, column in serials:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column),"
                    f' coalesce(max("{column}"), 0) + 1, false) FROM "{table_name}"'
                ),
                {"table": f'"{table_name}"', "column": column},
            )

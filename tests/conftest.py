"""Shared fixtures: Qt offscreen, and a real database on SQLite and (when configured) PostgreSQL.

Database tests take the `db` fixture and run twice: once on a fresh SQLite file, once on a
fresh PostgreSQL schema named by BATON_TEST_POSTGRES_URL. Without that variable the
PostgreSQL leg is skipped with a visible reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import Engine, create_engine, text

from app.config import DatabaseChoice
from app.db.database import Database, open_database

# The whole suite can run on another date: BATON_TEST_CLOCK_DAYS=400 moves the clock a year and
# a bit ahead (ticking on from there). CI runs it today and shifted: nothing may pass today and
# fail next month.
CLOCK_DAYS_ENV = "BATON_TEST_CLOCK_DAYS"
CLOCK_DAYS = int(os.environ.get(CLOCK_DAYS_ENV, "0") or 0)

POSTGRES_ENV = "BATON_TEST_POSTGRES_URL"
POSTGRES_URL = os.environ.get(POSTGRES_ENV, "").strip()
NO_POSTGRES = f"PostgreSQL leg skipped: set {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"


def pytest_report_header() -> str:
    return f"clock: {CLOCK_DAYS:+d} days from today ({CLOCK_DAYS_ENV})"


@pytest.fixture(scope="session", autouse=True)
def _moved_clock() -> Iterator[None]:
    """The clock moved by BATON_TEST_CLOCK_DAYS for the whole run (no move without it)."""
    if not CLOCK_DAYS:
        yield
        return
    import time_machine

    with time_machine.travel(datetime.now(UTC) + timedelta(days=CLOCK_DAYS), tick=True):
        yield


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test touches the real user's data directory or database setting."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("BATON_DATABASE_URL", raising=False)


def _admin_engine(url: str, **options: Any) -> Engine:
    """An engine for the tests' own set-up and clean-up (creating and dropping schemas and
    databases): without a station's 5 s limits, which a DROP on a busy machine can outlast;
    pytest-timeout still bounds a test."""
    return create_engine(url, **options)


@contextmanager
def postgres_schema() -> Iterator[tuple[str, str]]:
    """A brand-new PostgreSQL schema and a URL whose connections use it, dropped afterwards."""
    from app.config import normalise_url

    base = normalise_url(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield schema, f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """The URL of a brand-new PostgreSQL database (a copy of database `template`), dropped after.

    Copying a seeded database this way takes a tenth of a second; `template` must have no open
    connections while it is copied.
    """
    from sqlalchemy import make_url

    from app.config import normalise_url

    base = make_url(normalise_url(POSTGRES_URL))
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a brand-new PostgreSQL schema, dropped afterwards."""
    with postgres_schema() as (_schema, url):
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'floor.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from postgres_schema_url()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open, empty, current-schema database on each backend."""
    database = open_database(DatabaseChoice(db_url, embedded_default=True))
    yield database
    database.close()

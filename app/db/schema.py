"""Creating, checking and upgrading the schema with Alembic.

A fresh database is created from the models and stamped at head. A database whose revision
differs from the code's is upgraded only on request (`baton db upgrade`), except the embedded
default, which belongs to one workstation and may upgrade itself.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect

from app.db.engine import without_time_limits
from app.db.models import Base

MIGRATIONS = Path(__file__).with_name("migrations")
UPGRADE_COMMAND = "baton db upgrade"


class SchemaMismatch(Exception):
    """The database's schema revision is not the one this code was written for."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at Baton's migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code expects."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is stamped with, or None for an unstamped database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_known(revision: str) -> bool:
    """Whether this code knows `revision` (a newer Baton may have written one it does not)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def is_empty(engine: Engine) -> bool:
    """True when the database holds none of Baton's tables."""
    names = set(inspect(engine).get_table_names())
    return not names & set(Base.metadata.tables)


def create_fresh(engine: Engine) -> None:
    """Create every table from the models and stamp the database at head."""
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        command.stamp(alembic_config(connection), "head")


def upgrade(engine: Engine) -> str:
    """Bring the database to head (creating it when empty); returns the revision reached."""
    if is_empty(engine):
        create_fresh(engine)
    else:
        current = current_revision(engine)
        if current is not None and not is_known(current):
            raise SchemaMismatch(
                f"This database was upgraded by a newer Baton (schema revision {current}); "
                "this Baton cannot change it. Update Baton instead."
            )
        with engine.begin() as connection, without_time_limits(connection):
            command.upgrade(alembic_config(connection), "head")
    return head_revision()


def ensure_schema(engine: Engine, *, may_upgrade: bool) -> None:
    """Make sure the database matches the code, or raise SchemaMismatch naming the fix."""
    if is_empty(engine):
        create_fresh(engine)
        return
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is not None and not is_known(current):
        raise SchemaMismatch(
            f"This database was upgraded by a newer Baton (schema revision {current}). "
            "Update Baton on this station; do not downgrade a shared database."
        )
    if may_upgrade:
        upgrade(engine)
        return
    if current is None:
        raise SchemaMismatch(
            "This database has tables but no Baton schema revision; it was not made by Baton."
        )
    raise SchemaMismatch(
        f"The database schema is at revision {current}, this Baton needs {head}. "
        f"Ask a supervisor to run `{UPGRADE_COMMAND}` (back up the database first)."
    )

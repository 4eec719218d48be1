"""Schema: migrations equal the models, fresh databases are stamped, mismatches refuse."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app.config import DatabaseChoice
from app.db.database import open_database
from app.db.engine import make_engine
from app.db.models import Base
from app.db.schema import (
    UPGRADE_COMMAND,
    SchemaMismatch,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)


def test_migrations_from_empty_reach_head_and_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, Base.metadata)
    assert drift == [], f"models and migrations differ: {drift}"
    engine.dispose()


def test_fresh_database_is_created_from_models_and_stamped_at_head(db_url: str) -> None:
    database = open_database(DatabaseChoice(db_url, embedded_default=False))
    assert current_revision(database.engine) == head_revision()
    assert {"orders", "order_lines", "stock", "order_events"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.close()


def _stamp(db_url: str, revision: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_shared_database_with_other_revision_refuses_and_names_the_upgrade_command(
    db_url: str,
) -> None:
    open_database(DatabaseChoice(db_url, embedded_default=False)).close()
    _stamp(db_url, "0001")  # as if made by an older Baton
    with pytest.raises(SchemaMismatch) as refused:
        open_database(DatabaseChoice(db_url, embedded_default=False))
    assert UPGRADE_COMMAND in str(refused.value)
    assert "revision 0001" in str(refused.value)


def test_tables_without_a_revision_are_not_taken_over(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="not made by Baton"):
        open_database(DatabaseChoice(db_url, embedded_default=False))


def test_upgrade_from_the_first_revision_keeps_data(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(
            text(
                "INSERT INTO locations (code, zone, aisle, bay, level, needs_count) "
                "VALUES ('A01-01-1', 'PICK', 1, 1, 1, false)"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT code FROM locations")) == "A01-01-1"
    engine.dispose()

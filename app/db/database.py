"""Opening the floor database: resolve where it is, connect, and check its schema."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import DatabaseChoice
from app.db.engine import describe, make_engine, session_factory
from app.db.schema import ensure_schema


@dataclass(frozen=True)
class Database:
    """An open database: its engine, its session factory and a description for people."""

    engine: Engine
    sessions: sessionmaker[Session]
    description: str
    embedded_default: bool
    _closed: threading.Event = field(
        default_factory=threading.Event, init=False, repr=False, compare=False
    )

    @property
    def closed(self) -> bool:
        """Whether close() was called: whatever watches the database stops."""
        return self._closed.is_set()

    def close(self) -> None:
        """Close every connection; background checks on this database end with it."""
        self._closed.set()
        self.engine.dispose()


def open_database(choice: DatabaseChoice, *, check_schema: bool = True) -> Database:
    """Connect to the chosen database; the embedded default is created or upgraded as needed.

    A shared database whose schema differs from the code raises SchemaMismatch naming the
    upgrade command instead of being migrated by surprise.
    """
    engine = make_engine(choice.url)
    if check_schema:
        ensure_schema(engine, may_upgrade=choice.embedded_default)
    return Database(engine, session_factory(engine), describe(engine), choice.embedded_default)

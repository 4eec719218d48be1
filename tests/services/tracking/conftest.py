"""Orders shipped through the real dock, and carrier event files written for them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent, OutboxMessage
from app.db.packing_models import Carton
from app.db.tracking_models import TrackingEvent
from app.services.dispatch.manifests import close_load
from app.services.tracking.events import TrackingSummary, import_tracking
from app.services.tracking.sources import FileSource
from tests.services.dispatch.conftest import add_shipper, dock, load, tracking_numbers
from tests.services.floor import SUPERVISOR

# (tracking number, status, occurred_at, location, description); a time as an aware datetime
# or as the text the file holds.
Row = tuple[str, str, datetime | str, str, str]
__all__ = ["dock"]  # the dock fixture, shared with the dispatch tests
COLUMNS = ("tracking_number", "status", "occurred_at", "location", "description")


@pytest.fixture(autouse=True)
def _still_clock() -> Iterator[None]:
    """The clock stands still at the start of each test: a moment written to a file and the
    same moment asserted afterwards are equal to the second."""
    with time_machine.travel(clock.now().replace(microsecond=0), tick=False):
        yield


@pytest.fixture
def shipped(dock: Database) -> Database:
    """#1001 (two cartons) and #1002 shipped with Deutsche Post from DOCK-1, #1004 with UPS
    from DOCK-2; #1003's carton closed but left at the dock."""
    lee = add_shipper(dock)
    for door, numbers in (("DOCK-1", ("#1001", "#1002")), ("DOCK-2", ("#1004",))):
        for number in numbers:
            for tracking in tracking_numbers(dock, number):
                load(dock, lee, door, tracking)
        with unit_of_work(dock.sessions) as session:
            close_load(session, lee, door)
    return dock


def moment(hours_ago: float) -> datetime:
    """A moment before now, to the second (nothing depends on today's date)."""
    return (clock.now() - timedelta(hours=hours_ago)).replace(microsecond=0)


def _text(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


def write_csv(path: Path, rows: Sequence[Row], columns: Sequence[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(v) for v in row][: len(columns)])
    return path


def write_json(path: Path, rows: Sequence[Row], wrapped: bool = False) -> Path:
    events = [dict(zip(COLUMNS, [_text(v) for v in row], strict=True)) for row in rows]
    path.write_text(
        json.dumps({"events": events} if wrapped else events, indent=2), encoding="utf-8"
    )
    return path


def import_file(db: Database, path: Path, fmt: str | None = None) -> TrackingSummary:
    return import_tracking(db.sessions, SUPERVISOR, FileSource(path, fmt))


def counts(db: Database) -> tuple[int, int, int]:
    """Tracking events, timeline events and outbox messages stored."""
    with db.sessions() as session:
        return (
            len(session.scalars(select(TrackingEvent.id)).all()),
            len(session.scalars(select(OrderEvent.id)).all()),
            len(session.scalars(select(OutboxMessage.id)).all()),
        )


def messages(db: Database, number: str, kind: str) -> list[OutboxMessage]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .join(Order, Order.id == OutboxMessage.order_id)
                .where(Order.number == number, OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        )


def carton(db: Database, tracking: str) -> Carton:
    with db.sessions() as session:
        return session.scalars(select(Carton).where(Carton.tracking_number == tracking)).one()


def timeline(db: Database, number: str) -> list[tuple[str, str | None, str]]:
    with db.sessions() as session:
        return [
            (e.kind, e.to_status, e.detail)
            for e in session.scalars(
                select(OrderEvent).join(Order).where(Order.number == number).order_by(OrderEvent.id)
            )
        ]

"""A badge disabled mid-shift: the operator's next station action is refused, nothing recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import OrderEvent
from app.domain.scanning.classify import Scan, classify
from app.services.intake.receiving import import_orders
from app.services.masterdata.operators import set_active
from app.services.picking.scans import claim_next, scan
from app.services.picking.views import Expect
from app.services.picking.waves import release_wave
from app.ui.feedback import Feedback, FeedbackLevel
from app.ui.settings import WorkstationSettings
from app.ui.station import StationContext
from tests.services.floor import SUPERVISOR, load_floor, write_orders
from tests.services.journey import add_picker, pick_view

REFUSED = "OP-1111 is disabled; a supervisor can enable the badge."


@pytest.fixture
def floor(db: Database, tmp_path: Path) -> Database:
    load_floor(db)
    orders = {"#1": [("MUG-BLUE", 1)], "#2": [("SOCK-ZOE", 1)]}
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR)
    return db


def station(db: Database, tmp_path: Path, qtbot: QtBot) -> StationContext:
    feedback = Feedback()
    qtbot.addWidget(feedback.band)
    settings = WorkstationSettings(tmp_path / "station.ini")
    return StationContext(database=db, settings=settings, feedback=feedback)


def badge(db: Database, active: bool) -> None:
    with unit_of_work(db.sessions) as session:
        set_active(session, SUPERVISOR, "OP-1111", active)


def events(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(OrderEvent)) or 0


def test_a_picker_disabled_mid_shift_is_refused_on_the_next_scan(
    floor: Database, tmp_path: Path, qtbot: QtBot
) -> None:
    context = station(floor, tmp_path, qtbot)
    context.actor = pat = add_picker(floor, "OP-1111", "Pat")
    claimed = context.act(claim_next)
    assert claimed is not None and claimed.expect is Expect.LOCATION
    stop = claimed.current_stop
    assert stop is not None
    location = classify(stop.location)
    assert isinstance(location, Scan)

    badge(floor, active=False)
    before, view = events(floor), pick_view(floor, pat, claimed.code)
    assert context.act(lambda s, a: scan(s, a, claimed.code, location)) is None
    assert (context.feedback.band.level, context.feedback.band.message) == (
        FeedbackLevel.ERROR,
        REFUSED,
    )
    assert context.act(claim_next) is None
    assert context.feedback.band.message == REFUSED
    assert events(floor) == before and pick_view(floor, pat, claimed.code) == view

    badge(floor, active=True)
    assert context.act(lambda s, a: scan(s, a, claimed.code, location)) is not None
    assert pick_view(floor, pat, claimed.code).expect is Expect.PRODUCT

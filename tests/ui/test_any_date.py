"""The demo and every screen on any date: today, weeks and a year ahead, a leap day, New Year's
Eve around the cutoff, and the daylight-saving change days in Europe and the US.

Time is an input: the clock is moved with time-machine (ticking on from there) and the station's
time zone with TZ, then the demo is seeded and every screen of `baton screenshot --list` is
driven on a copy of it. Whatever the date, the demo's held orders are the same, its cutoffs are
16:00 where the warehouse stands, and the screens show the times the services hold.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from app import clock
from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.models import Order
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo
from app.services.desk.orders import show_order
from app.services.dispatch.doors import list_doors
from app.services.dispatch.loading import cartons
from app.ui.feedback import FeedbackLevel
from app.ui.harness import Harness, demo_station, settle
from app.ui.screens.lookup import LookupScreen
from app.ui.screenshot import SCREENS


@dataclass(frozen=True)
class Moment:
    """A wall-clock time in a time zone, or days from the real now."""

    zone: str
    local: str | None = None  # "2028-02-29 10:00"; None: now plus `days`
    days: int = 0

    def start(self) -> datetime:
        if self.local is None:
            return datetime.now(ZoneInfo(self.zone)) + timedelta(days=self.days)
        return datetime.fromisoformat(self.local).replace(tzinfo=ZoneInfo(self.zone))


MOMENTS = {
    "today": Moment("Europe/Berlin"),
    "in-45-days": Moment("Europe/Berlin", days=45),
    "in-400-days": Moment("America/New_York", days=400),
    "leap-day": Moment("Europe/Berlin", "2028-02-29 10:00"),
    "new-years-eve-before-cutoff": Moment("Europe/Berlin", "2026-12-31 13:30"),
    "new-years-eve-after-cutoff": Moment("America/New_York", "2027-12-31 15:30"),
    "eu-summer-time-starts": Moment("Europe/Berlin", "2027-03-28 09:00"),
    "eu-summer-time-ends": Moment("Europe/Berlin", "2027-10-31 01:30"),
    "us-summer-time-starts": Moment("America/New_York", "2027-03-14 11:00"),
    "us-summer-time-ends": Moment("America/New_York", "2027-11-07 00:30"),
}

# Screens whose point is a red band: an unknown code, a weight out of tolerance.
RED_ON_PURPOSE = {"refused-scan", "packing-weight", "dispatch-refused"}


@pytest.fixture
def station_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test set the station's time zone with TZ; the original one is back afterwards."""
    yield
    monkeypatch.undo()
    time.tzset()


def _at(moment: Moment, monkeypatch: pytest.MonkeyPatch) -> time_machine.travel:
    monkeypatch.setenv("TZ", moment.zone)
    time.tzset()
    return time_machine.travel(moment.start(), tick=True)


def _seed(path: Path) -> Database:
    database = open_database(DatabaseChoice(f"sqlite:///{path}", embedded_default=True))
    seed_demo(database.sessions, Actor.command_line("demo"))
    return database


def _held(database: Database) -> dict[str, tuple[str, ...]]:
    with database.sessions() as session:
        numbers = session.scalars(
            select(Order.number).where(Order.status == OrderStatus.ON_HOLD.value)
        ).all()
        held = {n: show_order(session, n).order.hold_reasons for n in sorted(numbers)}
        # The dock: each door's carrier and the orders of the cartons waiting for its truck.
        for door in list_doors(session):
            waiting = sorted({c.order for c in cartons(session, "CLOSED", door.carrier)})
            held[door.door] = (door.carrier, *waiting)
        return held


@pytest.fixture(scope="module")
def held_today(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """The demo's held orders, seeded at the real now in the machine's own time zone."""
    database = _seed(tmp_path_factory.mktemp("today") / "demo.sqlite3")
    try:
        return _held(database)
    finally:
        database.close()


def _looked_up(harness: Harness, number: str) -> str:
    harness.scan("OP-9001")
    lookup = next(s for s in harness.window.screens if isinstance(s, LookupScreen))
    harness.window.show_screen(lookup)
    harness.scan(number)
    return lookup.view.page.toPlainText()


@pytest.mark.slow
@pytest.mark.parametrize("name", MOMENTS)
def test_the_demo_and_every_screen_on_any_date(
    name: str,
    held_today: dict[str, tuple[str, ...]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    station_zone: None,
) -> None:
    moment = MOMENTS[name]
    with _at(moment, monkeypatch):
        seeded = clock.local_now()
        database = _seed(tmp_path / "demo.sqlite3")
        try:
            assert _held(database) == held_today
            with database.sessions() as session:
                detail = show_order(session, "#100001")
                due = {
                    o.ship_by
                    for o in session.scalars(select(Order).where(Order.ship_by.is_not(None)))
                }
        finally:
            database.close()

        # Cutoffs are 16:00 local on the day, DST or not, the next one at least two hours on.
        local_due = sorted(d.astimezone(ZoneInfo(moment.zone)) for d in due)
        assert {(d.hour, d.minute) for d in local_due} == {(16, 0)}
        first = local_due[0]
        assert seeded + timedelta(hours=2) <= first <= seeded + timedelta(hours=2, days=1)
        assert len({d.date() for d in local_due}) == 2  # the next cutoff and the one after
        # The order was received now: the timeline agrees with the clock and the ship-by.
        received = detail.timeline[0]
        assert abs(received.at - seeded) < timedelta(minutes=5)
        assert detail.order.ship_by is not None and detail.order.ship_by > received.at

        for screen, (_, drive) in SCREENS.items():
            copy = tmp_path / f"{screen}.sqlite3"
            shutil.copy(tmp_path / "demo.sqlite3", copy)
            with demo_station(f"sqlite:///{copy}", size=(1280, 800)) as harness:
                drive(harness)
                settle()
                level, message = harness.feedback()
                red = level == FeedbackLevel.ERROR.value
                assert red == (screen in RED_ON_PURPOSE), (screen, message)
                assert not harness.window.grab().isNull()

        # What the screens say in local time is what the services hold.
        copy = tmp_path / "lookup.sqlite3"
        shutil.copy(tmp_path / "demo.sqlite3", copy)
        with demo_station(f"sqlite:///{copy}", size=(1280, 800)) as harness:
            text = _looked_up(harness, "#100001")
        ship_by = detail.order.ship_by.astimezone(ZoneInfo(moment.zone))
        assert f"Ship by {ship_by:%a %d %b} 16:00" in text
        assert f"{received.at.astimezone(ZoneInfo(moment.zone)):%d %b %H:%M:%S}" in text

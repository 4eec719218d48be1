"""The log-in screen after wrong PINs: a red band that says to wait, then that the badge is
locked; typed with real key events, as a person at a station types."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.services.actor import Actor
from app.services.masterdata.operators import unlock_badge
from app.ui.feedback import FeedbackLevel
from app.ui.harness import type_scan
from app.ui.main_window import MainWindow
from tests.ui.helpers import band

PACKER = "OP-3001"  # Sam Okafor, PIN 1234 on the demo floor
LOCKED = "Badge OP-3001 is locked after 5 wrong PINs: a supervisor must unlock it."


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(clock.now(), tick=False) as moving:
        yield moving


def _type(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    """Type at a person's speed, so the scanner input hands every key to the field."""
    field.setFocus()
    field.clear()
    qtbot.keyClicks(field, text, delay=80)
    qtbot.waitUntil(lambda: field.text() == text, timeout=2000)


def _log_in(window: MainWindow, qtbot: QtBot, badge: str, pin: str) -> None:
    _type(qtbot, window.login.badge, badge)
    _type(qtbot, window.login.pin, pin)
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)


def test_wrong_pins_turn_the_band_red_with_the_wait_then_the_lock(
    window: MainWindow, qtbot: QtBot, database: Database, traveller: time_machine.Coordinates
) -> None:
    _log_in(window, qtbot, PACKER, "0000")
    assert band(window) == (FeedbackLevel.ERROR, "Badge or PIN not recognised.")
    _log_in(window, qtbot, PACKER, "1111")
    _log_in(window, qtbot, PACKER, "2222")
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Badge or PIN not recognised: wait 5 s before trying again.",
    )
    assert window.login.pin.text() == ""  # a refused PIN is never left in the field
    traveller.shift(timedelta(seconds=2))
    _log_in(window, qtbot, PACKER, "1234")  # the right PIN, too early
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Too many wrong PINs: wait 10 s before trying again.",
    )
    assert window.station.actor is None
    traveller.shift(timedelta(seconds=10))
    _log_in(window, qtbot, PACKER, "3333")
    assert band(window) == (FeedbackLevel.ERROR, LOCKED)
    traveller.shift(timedelta(minutes=5))
    _log_in(window, qtbot, PACKER, "1234")
    assert band(window) == (FeedbackLevel.ERROR, LOCKED)
    type_scan(window, PACKER)  # the badge itself does not get past the lock
    assert band(window) == (FeedbackLevel.ERROR, LOCKED)
    assert window.station.actor is None

    with unit_of_work(database.sessions) as session:
        unlock_badge(session, Actor.command_line(), PACKER)
    _log_in(window, qtbot, PACKER, "1234")
    assert window.station.actor is not None and window.station.actor.name == "Sam Okafor"

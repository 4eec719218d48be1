"""Driving a real station window offscreen: for screenshots, scan replays and tests.

A station is built exactly as `main.py` builds it, on a database and a throwaway settings
file, and scans are typed into it as key events the way a wedge scanner types them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo
from app.ui.main_window import MainWindow
from app.ui.settings import PDF_FOLDER, SOUND_ON, STATION_NAME, WorkstationSettings

NAMED_KEYS = {
    **{f"f{n}": getattr(Qt.Key, f"Key_F{n}") for n in range(1, 13)},
    "enter": Qt.Key.Key_Return,
    "escape": Qt.Key.Key_Escape,
}

KEY_CHOICES = "F1-F12, Enter or Escape"
HUMAN_KEY_MS = 70  # a person's pause between keys: longer than a scanner's gap (50 ms)


@dataclass
class Harness:
    """A station window on a database, offscreen."""

    window: MainWindow
    database: Database

    def scan(self, text: str) -> None:
        """Type `text` as a scanner does (GS as Ctrl+], a key event per character) then Enter."""
        type_scan(self.window, text)

    def key_in(self, text: str) -> None:
        """Key `text` by hand into the field that has focus (a weight, a count), then Enter."""
        key_in(self.window, text)

    def press(self, key: str) -> None:
        """Press a key by name (F1-F12, Enter, Escape), as an operator presses a shortcut."""
        code = NAMED_KEYS.get(key.strip().lower())
        if code is None:
            raise ValueError(f"unknown key {key!r}; use {KEY_CHOICES}")
        QTest.keyClick(self.window.focusWidget() or self.window, code)
        settle()

    def feedback(self) -> tuple[str, str]:
        """What the operator sees now: the band's level and message."""
        band = self.window.station.feedback.band
        return band.level.value, band.message


def ensure_offscreen() -> QApplication:
    """A QApplication that renders without a display (set before Qt starts)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # No display and no sound card here: Qt's notes about them are noise for the reader.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false;qt.qpa.*=false")
    from app.ui.app import application

    app = application()
    _quiet_offscreen_notes()
    return app


# Notes Qt prints without a category (so no logging rule can turn them off) on every window
# the offscreen platform shows and when no sound server runs: nothing a reader can act on.
OFFSCREEN_NOTES = frozenset(
    {
        "This plugin does not support propagateSizeHints()",
        "PulseAudioService: pa_context_connect() failed",
    }
)
_passed_on: list[Callable[[QtMsgType, QMessageLogContext, str], None] | None] = [None]


def _quiet_offscreen_notes() -> None:
    """Drop OFFSCREEN_NOTES; every other message goes where it went before."""
    previous = qInstallMessageHandler(_offscreen_message)
    if previous is not _offscreen_message:
        _passed_on[0] = previous


def _offscreen_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in OFFSCREEN_NOTES:
        return
    handler = _passed_on[0]
    if handler is not None:
        handler(kind, context, message)
        return
    category = context.category
    sys.stderr.write(
        f"{category}: {message}\n" if category and category != "default" else f"{message}\n"
    )


@contextmanager
def demo_station(
    database_url: str | DatabaseChoice | None = None,
    size: tuple[int, int] = (1600, 1000),
    *,
    pdf_folder: Path | None = None,
    station_name: str = "demo-station",
) -> Iterator[Harness]:
    """A station window on `database_url`, or on a fresh demo database in a temporary folder.

    Its settings are throwaway (no sound, PDF printers); its PDFs go to `pdf_folder`, else to
    the temporary folder, deleted at the end with everything in it.
    """
    ensure_offscreen()
    from app.ui.app import build_station

    with tempfile.TemporaryDirectory(prefix="baton-") as folder:
        if isinstance(database_url, DatabaseChoice):
            choice = database_url
        elif database_url is not None:
            choice = DatabaseChoice(database_url, embedded_default=False)
        else:
            choice = DatabaseChoice(f"sqlite:///{Path(folder) / 'demo.sqlite3'}", True)
        database = open_database(choice)
        try:
            if database_url is None:
                seed_demo(database.sessions, Actor.command_line("demo"))
            settings = WorkstationSettings(Path(folder) / "station.ini")
            settings.set(SOUND_ON, False)
            settings.set(STATION_NAME, station_name)
            # PDFs leave the temporary folder only when asked to (a replay on a real floor).
            settings.set(PDF_FOLDER, str(pdf_folder or Path(folder) / "pdf"))
            window = MainWindow(build_station(database, settings))
            window.resize(*size)
            window.show()
            settle()
            try:
                yield Harness(window, database)
            finally:
                window.close()
                window.deleteLater()
                # Deleted now, not at some later event loop: a closed station's timers, pings
                # and event filters must not live on into the next one.
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                settle()
        finally:
            database.close()


def settle() -> None:
    """Let Qt lay out, paint and deliver queued signals."""
    app = QCoreApplication.instance()
    if app is not None:
        for _ in range(3):
            app.processEvents()


def type_scan(window: QWidget, text: str) -> None:
    """Send `text` and Enter to the window's focus widget as a wedge scanner would."""
    target = window.focusWidget() or window
    for char in text:
        if char == "\x1d":
            key, modifiers = Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier
        else:
            key = _key_for(char)
            modifiers = (
                Qt.KeyboardModifier.ShiftModifier
                if char.isalpha() and char.isupper()
                else Qt.KeyboardModifier.NoModifier
            )
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, char))
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            target, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
        )
    settle()


def key_in(window: QWidget, text: str) -> None:
    """Type `text` at a person's pace into the focus widget, then Enter, as a packer keys a
    weight: slower than a scanner, so the scanner input hands the keys to the field."""
    target = window.focusWidget() or window
    for char in text:
        QTest.keyClick(target, char)
        QTest.qWait(HUMAN_KEY_MS)
    QTest.keyClick(target, Qt.Key.Key_Return)
    settle()


def _key_for(char: str) -> Qt.Key:
    if char.isascii() and (char.isalnum() or char in " #-_.|()/:;,+*"):
        return Qt.Key(ord(char.upper()))
    return Qt.Key.Key_unknown

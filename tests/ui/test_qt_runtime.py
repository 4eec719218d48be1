"""The Qt runtime a station relies on: thousands of scans must not wear anything out."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_qt_calls_returning_none_keep_none_alive(qtbot: QtBot) -> None:
    # Some PySide6 builds drop a reference to None on every call that returns None when run
    # on Python 3.11; a station then aborts after a few thousand scans. Pinned in pyproject.
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("scan")
    assert sys.getrefcount(None) - before >= 0

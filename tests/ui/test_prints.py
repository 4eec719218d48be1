"""The supervisor's print log driven as a person drives it: badge scan, buttons, dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from app.db.database import Database
from app.services.printing.records import recent_prints
from app.ui.background import BackgroundJob
from app.ui.feedback import FeedbackLevel
from app.ui.harness import settle, type_scan
from app.ui.main_window import MainWindow
from app.ui.screens.prints import FAILED_BACKGROUND, PrintsScreen
from app.ui.settings import LABEL_PRINTER
from tests.printing.conftest import rasterise, read_barcodes
from tests.ui.helpers import band, refused_printer

SUPERVISOR, PICKER = "OP-9001", "OP-1001"


def open_prints(window: MainWindow) -> PrintsScreen:
    """The prints screen of the window (added here while the window does not list it yet)."""
    screen = next((s for s in window.screens if isinstance(s, PrintsScreen)), None)
    if screen is None:
        screen = PrintsScreen(window.station)
        window.screens.append(screen)
        window.stack.addWidget(screen)
    window.show_screen(screen)
    settle()
    return screen


def finish(qtbot: QtBot, job: BackgroundJob | None, signal: str = "done") -> None:
    assert job is not None
    with qtbot.waitSignal(getattr(job, signal), timeout=60_000):
        pass
    settle()


def test_location_labels_print_in_the_background_and_are_logged(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_prints(window)
    assert screen.model.rowCount() == 0 and not screen.reprint_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (2, True))
    screen.locations_button.click()
    finish(qtbot, screen.job)
    level, message = band(window)
    assert level is FeedbackLevel.OK and message.startswith("Printed #1 location labels aisle 02")
    row = screen.selected
    assert row is not None and (row.id, row.documents, row.operator) == (1, 24, "Alex Morgan")
    (pdf,) = (tmp_path / "pdf").iterdir()
    assert [r.text for r in read_barcodes(rasterise(pdf, 203)[0])] == ["A02-01-1"]


def test_a_failed_reprint_shows_red_stays_in_the_log_and_can_be_retried(
    window: MainWindow, qtbot: QtBot, database: Database
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_prints(window)
    finish(qtbot, screen.print_tote_labels("T0100", 2))
    settings = window.station.settings

    settings.set(LABEL_PRINTER, refused_printer())
    screen.table.selectRow(0)
    qtbot.mouseClick(screen.reprint_button, Qt.MouseButton.LeftButton)
    finish(qtbot, screen.job, "failed")
    level, message = band(window)
    assert level is FeedbackLevel.ERROR and "refused the connection" in message
    failed = screen.selected
    assert failed is not None and not failed.ok and failed.reprint_of == 1
    assert screen.reprint_button.text() == "&Retry"
    outcome_cell = screen.model.index(screen.model.row_of(failed.id), 6)
    assert outcome_cell.data() == "✖ FAILED"
    background = outcome_cell.data(Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == FAILED_BACKGROUND

    settings.set(LABEL_PRINTER, "pdf")
    qtbot.mouseClick(screen.reprint_button, Qt.MouseButton.LeftButton)
    finish(qtbot, screen.job)
    assert band(window)[0] is FeedbackLevel.OK
    with database.sessions() as session:
        rows = recent_prints(session)
    assert [(r.id, r.ok, r.reprint_of) for r in rows] == [
        (3, True, 1),
        (2, False, 1),
        (1, True, None),
    ]
    screen.failed_button.click()
    assert [screen.model.row_at(i).id for i in range(screen.model.rowCount())] == [2]  # type: ignore[union-attr]


def test_a_missing_system_printer_and_bad_settings_are_red(
    window: MainWindow, qtbot: QtBot
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_prints(window)
    window.station.settings.set(LABEL_PRINTER, "system:Label printer upstairs")
    finish(qtbot, screen.print_badges(["OP-1001"]), "failed")
    level, message = band(window)
    assert level is FeedbackLevel.ERROR
    assert "no system printer named 'Label printer upstairs'" in message
    assert screen.selected is not None and not screen.selected.ok
    window.station.settings.set(LABEL_PRINTER, "lpt1")
    assert screen.print_badges([]) is None
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Printer settings: Unknown printer 'lpt1': use pdf:FOLDER, zpl:HOST:PORT or system:NAME.",
    )


def test_cancelling_a_batch_prints_and_logs_nothing(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_prints(window)
    job = screen.print_tote_labels("T0001", 5000)
    assert job is not None
    job.cancel.set()
    finish(qtbot, job, "failed")
    assert band(window) == (FeedbackLevel.ATTENTION, "Cancelled: nothing was printed.")
    assert screen.model.rowCount() == 0
    assert not (tmp_path / "pdf").exists() or list((tmp_path / "pdf").iterdir()) == []


def test_the_print_log_is_for_supervisors(window: MainWindow) -> None:
    type_scan(window, PICKER)
    screen = open_prints(window)
    assert window.current_screen is not screen
    assert band(window) == (FeedbackLevel.ERROR, "Prints is not open to your role.")


def test_the_log_model_passes_the_model_tester(  # type: ignore[no-untyped-def]
    qtmodeltester, window: MainWindow, qtbot: QtBot
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_prints(window)
    finish(qtbot, screen.print_tote_labels("T0100", 1))
    qtmodeltester.check(screen.model)

"""The supervisor's print log: every print and reprint, failures in red, reprint and retry.

Printing runs off the GUI thread (a network printer may take seconds to answer) and outside
any transaction; the print log records each outcome in its own short transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)
from sqlalchemy.exc import SQLAlchemyError

from app.domain.roles import Role
from app.printing import BatchProgress, PrintCancelled, Printer, PrintingError
from app.services.actor import Actor
from app.services.errors import BatonError
from app.services.printing import records
from app.services.printing.records import PrintRow, RecordedPrint
from app.ui.background import BackgroundJob, Progress
from app.ui.paged_model import PagedTableModel
from app.ui.printers import printer_for
from app.ui.screens.base import Screen
from app.ui.station import StationContext

log = logging.getLogger(__name__)
PAGE = 100
FAILED_BACKGROUND, FAILED_TEXT = "#f9c7c7", "#8e0000"
Index = QModelIndex | QPersistentModelIndex
Work = Callable[[Actor, Printer, Callable[[BatchProgress], None], threading.Event], RecordedPrint]


def _what(row: PrintRow) -> str:
    return row.description + (f"  (reprint of #{row.reprint_of})" if row.reprint_of else "")


COLUMNS: tuple[tuple[str, Callable[[PrintRow], str]], ...] = (
    ("#", lambda r: str(r.id)),
    ("When", lambda r: r.at.astimezone().strftime("%d %b %H:%M:%S")),
    ("What", _what),
    ("Printer", lambda r: r.printer),
    ("Who", lambda r: r.operator or "-"),
    ("Station", lambda r: r.station),
    ("Outcome", lambda r: "✔ ok" if r.ok else "✖ FAILED"),
    ("Message", lambda r: r.message.splitlines()[0] if r.message else ""),
)
OUTCOME_COLUMN = 6


def _decorate(row: PrintRow, column: int, role: int) -> Any:
    if role == Qt.ItemDataRole.ToolTipRole:
        return f"{row.message}\n{row.destination}".strip()
    if row.ok:
        return None
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(QColor(FAILED_BACKGROUND))
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(QColor(FAILED_TEXT))
    if role == Qt.ItemDataRole.FontRole and column == OUTCOME_COLUMN:
        font = QFont()
        font.setBold(True)
        return font
    return None


class PrintLogModel(PagedTableModel[PrintRow]):
    """The print log, newest first, a page at a time as the view scrolls (plain rows only)."""

    def __init__(self, load_page: Callable[[int, int], list[PrintRow]], parent: Any = None):
        super().__init__(
            COLUMNS, load_page, key=lambda row: row.id, decorate=_decorate, page=PAGE, parent=parent
        )


class PrintsScreen(Screen):
    """Recent prints with their outcome; reprint or retry one; print master-data labels."""

    title = "Prints"
    roles = frozenset({Role.SUPERVISOR})

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self.failed_only = False
        self.model = PrintLogModel(self._load_page, self)
        self.reprint_button = QPushButton("&Reprint")
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.locations_button = QPushButton("&Location labels…")
        self.locations_button.clicked.connect(self._on_locations)
        self.totes_button = QPushButton("&Tote labels…")
        self.totes_button.clicked.connect(self._on_totes)
        self.badges_button = QPushButton("&Badges…")
        self.badges_button.clicked.connect(self._on_badges)
        self.failed_button = QPushButton("&Failed only")
        self.failed_button.setCheckable(True)
        self.failed_button.toggled.connect(self._on_failed_only)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.reprint_button)
        for button in (self.locations_button, self.totes_button, self.badges_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.failed_button)
        bar.addWidget(refresh)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selected)
        self.table.doubleClicked.connect(lambda _index: self.reprint_selected())

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(90)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.job: BackgroundJob | None = None
        self.busy = False  # one print job at a time from this screen
        self._show_selected(None)

    # -- the log --------------------------------------------------------------------------
    def _load_page(self, offset: int, limit: int) -> list[PrintRow]:
        failed = self.failed_only
        query = lambda s: records.recent_prints(s, limit, offset, failed_only=failed)  # noqa: E731
        return self.station.read(query) or []

    def activate(self) -> None:
        self.refresh()
        self.station.feedback.prompt("Select a print to reprint it, or print labels for the floor.")

    def refresh(self, select: int | None = None) -> None:
        """Reload the log; keep (or move to) the selected print."""
        current = self.selected
        keep = select if select is not None else current.id if current else None
        self.model.reload()
        self.table.resizeColumnsToContents()
        for column in (2, 7):
            width = self.table.columnWidth(column)
            self.table.setColumnWidth(column, max(160, min(width, 460)))
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._show_selected(None)

    @property
    def selected(self) -> PrintRow | None:
        """The print the supervisor picked, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_selected(self, *_: object) -> None:
        self._show_selected(self.selected)

    def _show_selected(self, row: PrintRow | None) -> None:
        self.reprint_button.setEnabled(row is not None)
        self.reprint_button.setText("&Retry" if row is not None and not row.ok else "&Reprint")
        if row is None:
            self.detail.setStyleSheet("font-size: 16pt; color: #455a64; padding: 6px;")
            self.detail.setText("Select a print to see where it went and to print it again.")
            return
        when = row.at.astimezone().strftime("%d %b %H:%M")
        who = f"{row.operator} at {row.station}" if row.operator else row.station
        state = "printed" if row.ok else "FAILED"
        self.detail.setText(
            f"#{row.id} {_what(row)}: {state} {when} on {row.printer}, {who}\n{row.message}"
        )
        look = "" if row.ok else f"color: {FAILED_TEXT}; background: {FAILED_BACKGROUND};"
        self.detail.setStyleSheet(f"font-size: 16pt; font-weight: 600; padding: 6px; {look}")

    def _on_failed_only(self, checked: bool) -> None:
        self.failed_only = checked
        self.refresh()

    # -- printing -------------------------------------------------------------------------
    def reprint_selected(self) -> BackgroundJob | None:
        """Print the selected print again (a retry when it had failed)."""
        row = self.selected
        if row is None:
            return None
        record_id, layout = row.id, row.layout
        return self._start(
            f"Printing #{record_id} again",
            layout,
            lambda a, p, progress, cancel: records.reprint(
                self.station.database.sessions, a, p, record_id, progress=progress, cancel=cancel
            ),
        )

    def print_location_labels(self, aisle: int) -> BackgroundJob | None:
        """Every location label of an aisle on the label printer, off the GUI thread."""
        return self._start(
            f"Location labels, aisle {aisle}",
            records.LOCATION_LAYOUT,
            lambda a, p, progress, cancel: records.print_location_labels(
                self.station.database.sessions, a, p, aisle, progress=progress, cancel=cancel
            ),
        )

    def print_tote_labels(self, first: str, count: int) -> BackgroundJob | None:
        """`count` tote labels from `first` on the label printer."""
        return self._start(
            f"Tote labels from {first}",
            records.TOTE_LAYOUT,
            lambda a, p, progress, cancel: records.print_tote_labels(
                self.station.database.sessions, a, p, first, count, progress=progress, cancel=cancel
            ),
        )

    def print_badges(self, badges: list[str]) -> BackgroundJob | None:
        """Badges of the operators named (all active ones when none are)."""
        return self._start(
            "Operator badges",
            records.BADGE_LAYOUT,
            lambda a, p, progress, cancel: records.print_badges(
                self.station.database.sessions, a, p, badges, progress=progress, cancel=cancel
            ),
        )

    def _on_locations(self) -> None:
        aisle, ok = QInputDialog.getInt(
            self, "Location labels", "Print every label of aisle", 1, 1, 999
        )
        if ok:
            self.print_location_labels(aisle)

    def _on_totes(self) -> None:
        first, ok = QInputDialog.getText(self, "Tote labels", "First tote code", text="T0001")
        if not ok or not first.strip():
            return
        count, ok = QInputDialog.getInt(self, "Tote labels", "How many labels", 50, 1, 10_000)
        if ok:
            self.print_tote_labels(first.strip(), count)

    def _on_badges(self) -> None:
        badge, ok = QInputDialog.getText(
            self, "Operator badges", "Badge to print (leave empty for every active operator)"
        )
        if ok:
            self.print_badges([badge.strip()] if badge.strip() else [])

    def _start(self, title: str, layout: str, work: Work) -> BackgroundJob | None:
        actor = self.station.actor
        if actor is None:
            self.station.feedback.error("Scan your badge first.")
            return None
        if self.busy:
            self.station.feedback.attention("A print is still running; wait for it to finish.")
            return None
        try:
            printer = printer_for(self.station.settings, layout)
        except BatonError as exc:
            self.station.feedback.error(f"Printer settings: {exc.message}")
            return None

        def run(progress: Progress, cancel: threading.Event) -> RecordedPrint:
            report = lambda step: progress(step.done, step.total or 0)  # noqa: E731
            return work(actor, printer, report, cancel)

        self.busy = True
        self.job = BackgroundJob(self, title, run)
        self.job.done.connect(self._on_printed)
        self.job.failed.connect(self._on_failed)
        self.job.start()
        return self.job

    def _on_printed(self, printed: RecordedPrint) -> None:
        self.busy = False
        what = printed.what or printed.layout
        self.station.feedback.ok(f"Printed #{printed.record_id} {what} on {printed.printer}.")
        self.refresh(select=printed.record_id)

    def _on_failed(self, error: object) -> None:
        self.busy = False
        if isinstance(error, PrintCancelled):
            self.station.feedback.attention("Cancelled: nothing was printed.")
        elif isinstance(error, PrintingError):
            # Red with the reason; the failed print stays selected so Retry is one press.
            self.station.feedback.error(f"Not printed: {error}")
            outcome = error.outcome
            self.refresh(select=outcome.record_id if isinstance(outcome, RecordedPrint) else None)
        elif isinstance(error, BatonError):
            self.station.feedback.error(error.message)
        elif isinstance(error, SQLAlchemyError):
            self.station.feedback.error(
                "Database not reachable or busy: the print log could not be read or written."
            )
        else:
            self.station.feedback.error(f"Printing failed unexpectedly ({type(error).__name__}).")

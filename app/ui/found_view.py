"""A look-up result (headline, facts, tables), shared by the look-up screen and the desk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.lookup import Found, Section


class FoundView(QWidget):
    """A headline in large type, facts below it, then one table per section."""

    def __init__(self, placeholder: str, headline_pt: int = 26) -> None:
        super().__init__()
        self.headline = QLabel(placeholder)
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet(f"font-size: {headline_pt}pt; font-weight: 700;")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setStyleSheet("font-size: 15pt;")
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet(
            "font-size: 16pt; font-weight: 700; color: #4a2c00; background: #ffd180;"
            "border-left: 8px solid #e65100; padding: 6px 10px;"
        )
        self.alerts.hide()
        self._tables = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.alerts)
        layout.addWidget(self.facts)
        layout.addLayout(self._tables, 1)
        self.found: Found | None = None

    def show_found(self, found: Found) -> None:
        self.found = found
        self.headline.setText(found.title)
        self.facts.setText("\n".join(found.facts))
        self.alerts.setText("\n".join(f"! {alert}" for alert in found.alerts))
        self.alerts.setVisible(bool(found.alerts))
        self._clear_tables()
        for section in found.sections:
            title = QLabel(section.title)
            title.setStyleSheet("font-size: 15pt; font-weight: 700; margin-top: 6px;")
            self._tables.addWidget(title)
            self._tables.addWidget(_table(section), 1)

    def clear(self, placeholder: str) -> None:
        self.found = None
        self.headline.setText(placeholder)
        self.facts.clear()
        self.alerts.hide()
        self._clear_tables()

    def _clear_tables(self) -> None:
        while self._tables.count():
            item = self._tables.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()


def _table(section: Section) -> QTableWidget:
    table = QTableWidget(len(section.rows), len(section.columns))
    table.setHorizontalHeaderLabels(list(section.columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(section.rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The last column (details, sources) takes the room left and wraps instead of hiding text.
    header.setSectionResizeMode(len(section.columns) - 1, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    return table

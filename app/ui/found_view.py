"""A look-up result (headline, facts, tables), shared by the look-up screen and the desk."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.services.lookup import Found, Section


class FoundView(QScrollArea):
    """A headline in large type, facts below it, then one table per section; scrolls as one."""

    def __init__(self, placeholder: str, headline_pt: int = 26) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.setWidget(inner)
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
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.alerts)
        layout.addWidget(self.facts)
        layout.addLayout(self._tables)
        layout.addStretch(1)
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
            self._tables.addWidget(_table(section))

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


def _table(section: Section) -> QLabel:
    """A section as a rich-text table: cells wrap to the width there is, the view scrolls."""
    head = "".join(f"<th align='left'>{escape(c)}</th>" for c in section.columns)
    rows = "".join(
        f"<tr style='background:{'#ffffff' if i % 2 == 0 else '#f1f4f6'}'>"
        + "".join(f"<td>{escape(v)}</td>" for v in row)
        + "</tr>"
        for i, row in enumerate(section.rows)
    )
    empty = f"<tr><td colspan='{len(section.columns)}'>none</td></tr>" if not section.rows else ""
    label = QLabel(
        "<table width='100%' cellspacing='0' cellpadding='5' "
        "style='border: 1px solid #cfd8dc; font-size: 13pt;'>"
        f"<tr style='background:#eceff1'>{head}</tr>{rows}{empty}</table>"
    )
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setProperty("section", section.title)
    return label

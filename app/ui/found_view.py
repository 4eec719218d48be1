"""A look-up result (headline, facts, tables), shared by the look-up screen and the desk."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.services.desk.lookup import Found, Section

_TABLE = (
    "<table width='100%' cellspacing='0' cellpadding='5' "
    "style='border: 1px solid #cfd8dc; margin-bottom: 10px;'>"
)


class FoundView(QWidget):
    """A headline in large type and any alerts, then the facts and tables in one scrolling page.

    The facts and tables are one rich-text document: it wraps to the width there is and is
    laid out once per scan, which keeps a scan's answer quick even for long orders.
    """

    def __init__(self, placeholder: str, headline_pt: int = 26) -> None:
        super().__init__()
        self.headline = QLabel(placeholder)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)  # codes and names are never markup
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet(f"font-size: {headline_pt}pt; font-weight: 700;")
        self.alerts = QLabel()
        self.alerts.setTextFormat(Qt.TextFormat.PlainText)
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet(
            "font-size: 16pt; font-weight: 700; color: #4a2c00; background: #ffd180;"
            "border-left: 8px solid #e65100; padding: 6px 10px;"
        )
        self.alerts.hide()
        self.page = QTextBrowser()
        self.page.setFrameShape(QFrame.Shape.NoFrame)
        self.page.setOpenLinks(False)
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setStyleSheet("font-size: 14pt; background: transparent;")
        self.page.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.alerts)
        layout.addWidget(self.page, 1)
        self.found: Found | None = None

    def show_found(self, found: Found) -> None:
        self.found = found
        self.headline.setText(found.title)
        self.alerts.setText("\n".join(f"! {alert}" for alert in found.alerts))
        self.alerts.setVisible(bool(found.alerts))
        facts = "<br>".join(escape(fact) for fact in found.facts)
        sections = "".join(_section(section) for section in found.sections)
        self.page.setHtml(f"<p>{facts}</p>{sections}")

    def clear(self, placeholder: str) -> None:
        self.found = None
        self.headline.setText(placeholder)
        self.alerts.hide()
        self.page.clear()


def _section(section: Section) -> str:
    """A section as a titled HTML table (cells wrap to the width there is)."""
    head = "".join(f"<th align='left'>{escape(c)}</th>" for c in section.columns)
    rows = "".join(
        f"<tr style='background:{'#ffffff' if i % 2 == 0 else '#f1f4f6'}'>"
        + "".join(f"<td>{escape(v)}</td>" for v in row)
        + "</tr>"
        for i, row in enumerate(section.rows)
    )
    if not section.rows:
        rows = f"<tr><td colspan='{len(section.columns)}'>none</td></tr>"
    return (
        f"<p style='font-weight:700; margin-top:8px'>{escape(section.title)}</p>"
        f"{_TABLE}<tr style='background:#eceff1'>{head}</tr>{rows}</table>"
    )

"""KPI tiles painted with Qt: a big number, what it counts, and a line or two in colour."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

RED = "#c62828"
AMBER = "#b26a00"  # amber dark enough to read as text on white
AMBER_FILL = "#F2B705"
GREEN = "#1b7f3b"
INK = "#1a1a1a"
MUTED = "#546e7a"
QUIET = "#b0bec5"


class Tile(QWidget):
    """One figure read at arm's length: the value large, its name above, notes below.

    The left edge says how things stand: red, amber, or grey when all is well.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.value = "–"
        self.notes: list[tuple[str, str]] = []  # (text, colour)
        self.accent = QUIET
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(96, 92)

    def sizeHint(self) -> QSize:
        return QSize(130, 110)

    def show_figure(self, value: str, notes: list[tuple[str, str]], accent: str = QUIET) -> None:
        """Show `value` with `notes` under it; repainted only when something changed."""
        if (value, notes, accent) == (self.value, self.notes, self.accent):
            return
        self.value, self.notes, self.accent = value, list(notes), accent
        self.setAccessibleDescription(f"{self.title}: {value}. " + ". ".join(t for t, _ in notes))
        self.update()

    def text(self) -> str:
        """What the tile says, in one line (for tests and screen readers alike)."""
        return " · ".join([self.title, self.value, *(t for t, _ in self.notes)])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(QColor("#cfd8dc"), 1.5))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.accent))
        painter.drawRoundedRect(QRectF(box.left(), box.top(), 10, box.height()), 4, 4)

        inner = box.adjusted(18, 6, -8, -6)
        height = inner.height()
        lines = max(len(self.notes), 1)
        title_px = max(int(height * 0.15), 13)
        note_px = max(int(height * 0.14), 12)
        value_px = max(int(height - title_px - lines * note_px * 1.25 - 8), 18)
        value_px = min(value_px, int(height * 0.5))

        title = self.title.upper()
        while title_px > 10 and _width(title, title_px) > inner.width():
            title_px -= 1  # a long name in a narrow tile: smaller, never cut
        painter.setPen(QColor(MUTED))
        painter.setFont(_font(title_px, bold=True))
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), title_px * 1.3),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        top = inner.top() + title_px * 1.3
        painter.setPen(QColor(INK))
        painter.setFont(_font(value_px, bold=True))
        painter.drawText(
            QRectF(inner.left(), top, inner.width(), value_px * 1.2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.value,
        )
        top += value_px * 1.2
        painter.setFont(_font(note_px, bold=True))
        for text, colour in self.notes:
            painter.setPen(QColor(colour))
            painter.drawText(
                QRectF(inner.left(), top, inner.width(), note_px * 1.25),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            top += note_px * 1.25
        painter.end()


def _width(text: str, pixels: int) -> int:
    return QFontMetrics(_font(pixels, bold=True)).horizontalAdvance(text)


def _font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font

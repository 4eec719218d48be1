"""What a station screen is: a widget that takes scans and forwards them to services."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from app.domain.roles import Role
from app.domain.scanning.classify import Scan
from app.services.floor.journal import Stage
from app.ui.station import StationContext


class Screen(QWidget):
    """A station screen. Subclasses set `title` and `roles` and handle the scans they expect."""

    title = ""
    roles: frozenset[Role] = frozenset(Role)
    stage = Stage.STATION  # where the scan journal says this screen's scans were handled

    def __init__(self, station: StationContext) -> None:
        super().__init__()
        self.station = station

    def on_scan(self, scan: Scan) -> None:
        """A classified scan arrived while this screen is showing."""
        self.station.refuse_scan(
            self.stage,
            scan,
            f"{scan.describe()}: not used on the {self.title} screen.",
            attention=True,
        )

    def activate(self) -> None:
        """The screen is about to be shown (refresh what it displays)."""

    def take_typed(self, text: str) -> bool:
        """Whether the screen takes a scanned run of keys as it is, before it is classified
        (a scale typing a weight into a field); False hands it on as a scan."""
        return False

    def shutdown(self) -> None:
        """The station is closing: finish what must not be lost (labels being printed)."""

    def wants_badge(self) -> bool:
        """Whether a scanned badge now approves something here (a supervisor's approval)
        instead of switching the operator."""
        return False


def heading(text: str, size: int = 26) -> QLabel:
    """A large bold label for screen titles and key facts."""
    label = QLabel(text)
    label.setProperty("role", "heading")
    label.setStyleSheet(f"font-size: {size}pt; font-weight: 700;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def plain_label(
    size: int, *, bold: bool = False, color: str = "#1a1a1a", text: str = "", wrap: bool = False
) -> QLabel:
    """A plain-text label in a fixed size: codes and names are never markup."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    weight = 700 if bold else 400
    label.setStyleSheet(f"font-size: {size}pt; font-weight: {weight}; color: {color};")
    return label


def banner() -> QFrame:
    """The pale band under the feedback band where a screen says what is in hand and what next."""
    frame = QFrame()
    frame.setObjectName("banner")
    frame.setStyleSheet("QFrame#banner { background: #fff8e1; border-left: 12px solid #0d47a1; }")
    return frame


def shortcut(keys: str, parent: QWidget, slot: Callable[[], None]) -> QShortcut:
    """A key that works while `parent` shows, wherever focus is on the window."""
    key = QShortcut(QKeySequence(keys), parent)
    key.activated.connect(slot)
    return key


def photo_placeholder(size: int, font_pt: int) -> QLabel:
    """Where a product's photo goes (none are loaded yet): a dashed square saying so."""
    label = QLabel("no\nphoto" if size < 100 else "no photo")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFixedSize(size, size)
    label.setStyleSheet(
        f"font-size: {font_pt}pt; color: #78909c; background: #eceff1; border: 2px dashed #90a4ae;"
    )
    return label

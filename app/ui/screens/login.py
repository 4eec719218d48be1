"""Badge login: scan a badge, or type badge id and PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.scanning.classify import Scan, ScanKind
from app.services.actor import Actor
from app.services.masterdata.operators import badge_login, pin_login
from app.ui.screens.base import Screen, heading
from app.ui.station import StationContext


class LoginScreen(Screen):
    """The screen a station shows when nobody is logged in."""

    title = "Log in"
    logged_in = Signal(object)  # Actor

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        prompt = heading("Scan your badge to start", 34)
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = heading("No badge? Type your badge id and PIN.", 16)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge = QLineEdit()
        self.badge.setMinimumWidth(420)
        self.badge.setPlaceholderText("Badge id, e.g. OP-1001")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("PIN")
        self.pin.returnPressed.connect(self._on_pin_login)
        button = QPushButton("Log in")
        button.clicked.connect(self._on_pin_login)
        form_box = QWidget()
        form_box.setFixedWidth(620)
        form = QFormLayout(form_box)
        form.addRow("Badge", self.badge)
        form.addRow("PIN", self.pin)
        form.addRow("", button)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(prompt)
        layout.addSpacing(24)
        layout.addWidget(hint)
        layout.addWidget(form_box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def activate(self) -> None:
        self.badge.clear()
        self.pin.clear()
        self.station.feedback.prompt("Scan your badge to log in.")

    def ask_pin_for(self, badge: str) -> None:
        """A badge id was typed, not scanned: it needs the PIN as well."""
        self.badge.setText(badge)
        self.pin.clear()
        self.pin.setFocus()
        self.station.feedback.attention(f"Badge {badge} typed: now type your PIN and press Enter.")

    def on_scan(self, scan: Scan) -> None:
        if scan.kind is not ScanKind.BADGE:
            self.station.feedback.error(f"{scan.describe()} is not a badge. Scan your badge first.")
            return
        name = self.station.station_name
        actor = self.station.read(lambda s: badge_login(s, scan.code, name))
        if actor is not None:
            self._welcome(actor)

    def _on_pin_login(self) -> None:
        badge, pin = self.badge.text().strip(), self.pin.text()
        if not badge or not pin:
            self.station.feedback.attention("Type your badge id and your PIN.")
            return
        name = self.station.station_name
        # A write: a wrong PIN is counted on the badge (and may lock it) even when refused.
        login = self.station.read(lambda s: pin_login(s, badge, pin, name), write=True)
        self.pin.clear()
        if login is None:
            return
        if login.actor is None:
            self.station.feedback.error(login.refusal)
            return
        self._welcome(login.actor)

    def _welcome(self, actor: Actor) -> None:
        self.logged_in.emit(actor)

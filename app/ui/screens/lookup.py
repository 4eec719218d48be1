"""Scan anything: an order's timeline, a location's stock, where a product is stored."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout

from app.domain.scanning.classify import Scan, ScanRejected
from app.services.desk.lookup import look_up
from app.services.floor.journal import Stage
from app.ui.found_view import FoundView
from app.ui.screens.base import Screen
from app.ui.station import StationContext

PLACEHOLDER = "Scan anything to see what it is"


class LookupScreen(Screen):
    """Shows what any scanned or typed code is; every role may use it."""

    title = "Look up"
    stage = Stage.LOOKUP

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self.query = QLineEdit()
        self.query.setPlaceholderText(
            "Scan, or type and press Enter: order #1001, location A03-12-2, SKU, GTIN, badge"
        )
        self.query.returnPressed.connect(self._on_typed)
        self.view = FoundView(PLACEHOLDER, headline_pt=30)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.view, 1)

    def activate(self) -> None:
        self.station.feedback.prompt("Scan an order, location, product or badge.")

    def on_scan(self, scan: Scan) -> None:
        found = self.station.read(lambda s: look_up(s, scan))
        if found is None:
            self.view.clear(PLACEHOLDER)
            return
        self.view.show_found(found)
        self.station.feedback.ok(found.title)

    def _on_typed(self) -> None:
        result = self.station.classify(self.query.text())
        self.query.clear()
        if isinstance(result, ScanRejected):
            self.station.feedback.error(result.reason)
            return
        self.on_scan(result)

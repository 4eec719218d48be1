"""The dashboard's hourly bar charts, drawn with pyqtgraph.

pyqtgraph brings numpy (about 0.7 s to import), so only the dashboard imports this module,
the first time it is shown: no other station pays for it at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

INK = "#263238"
BAR_WIDTH = 0.75


def _font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


class HourlyChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph ships no type hints
    """One figure per local hour of the day as bars, today's total after its name."""

    def __init__(self, name: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.name = name
        self.total = 0
        self._shown: tuple[tuple[datetime, ...], tuple[int, ...]] = ((), ())
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumSize(120, 120)
        item = self.getPlotItem()
        item.setContentsMargins(2, 2, 6, 2)
        for side in ("bottom", "left"):
            axis = self.getAxis(side)
            axis.setPen(pg.mkPen(INK))
            axis.setTextPen(pg.mkPen(INK))
            axis.setStyle(tickFont=_font(11), tickLength=-4)
        self.getAxis("left").setWidth(32)
        self.showGrid(y=True, alpha=0.25)
        self.bars = pg.BarGraphItem(
            x=[0], height=[0], width=BAR_WIDTH, brush=colour, pen=pg.mkPen(None)
        )
        self.addItem(self.bars)
        self._title("0")

    def _title(self, total: str) -> None:
        self.setTitle(
            f"<span style='font-size:11pt; font-weight:700; color:{INK}'>{self.name}</span><br>"
            f"<span style='font-size:11pt; color:{INK}'>{total} today</span>"
        )

    def show_hours(self, hours: Sequence[datetime], values: Sequence[int]) -> None:
        """Bars for `values`, one per hour starting at `hours` (local); nothing is redrawn when
        they are what the chart already shows (most refreshes, within an hour)."""
        shown = (tuple(hours), tuple(values))
        if shown == self._shown:
            return
        self._shown = shown
        xs = list(range(len(values)))
        self.bars.setOpts(x=xs or [0], height=list(values) or [0], width=BAR_WIDTH)
        self.total = sum(values)
        self._title(f"{self.total:,}")
        step = 3 if len(xs) > 12 else 2 if len(xs) > 6 else 1
        self.getAxis("bottom").setTicks(
            [[(x, f"{hours[x]:%H}") for x in xs if hours[x].hour % step == 0]]
        )
        self.setXRange(-0.6, max(len(xs), 6) - 0.4, padding=0)
        self.setYRange(0, max([*values, 4]) * 1.12, padding=0)

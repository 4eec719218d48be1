"""The supervisor's dashboard: the floor at a glance, refreshed by itself every few seconds.

The figures are read off the GUI thread (one short read, `floor_snapshot`) and shown when they
arrive, so the supervisor's station never waits on them; a read that fails leaves the last
figures up with a quiet amber line. The charts' library is imported the first time the
dashboard is shown, never at a station's start-up.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import clock
from app.domain.roles import Role
from app.domain.scanning.refusals import Refusal
from app.services.floor.dashboard import STAGES, FloorSnapshot, floor_snapshot
from app.ui.screens.base import Screen, plain_label, shortcut
from app.ui.station import StationContext
from app.ui.tiles import AMBER, AMBER_FILL, GREEN, INK, MUTED, QUIET, RED, Tile

if TYPE_CHECKING:
    from app.ui.charts import HourlyChart

log = logging.getLogger(__name__)
REFRESH_MS = 5_000
CHART_NAMES = ("Orders picked", "Lines picked", "Units sorted", "Cartons packed", "Cartons loaded")
CHART_COLOURS = ("#1565c0", "#00838f", "#6a1b9a", "#2e7d32", "#e65100")
NOT_READ = "Dashboard not refreshed: the database did not answer"


class _Signals(QObject):
    read = Signal(object)  # a FloorSnapshot, or the words saying why there is none


class DashboardScreen(Screen):
    """Counts by stage against the cutoffs, the forecast, throughput, refusals, bottlenecks."""

    title = "Dashboard"
    roles = frozenset({Role.SUPERVISOR})
    refreshed = Signal(object)  # the snapshot shown, or the failure line (for tests and tools)

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self.snapshot: FloorSnapshot | None = None
        self.charts: list[HourlyChart] = []
        self._busy = False
        self._signals = _Signals()
        self._signals.read.connect(self._on_read)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        shortcut("F5", self, self.refresh)

        self.tiles = {stage: Tile(stage) for stage in STAGES}
        tiles = QHBoxLayout()
        tiles.setSpacing(6)
        for tile in self.tiles.values():
            tile.setMinimumHeight(108)
            tiles.addWidget(tile)
        self.forecast = plain_label(19, bold=True, wrap=True)
        self.as_of = plain_label(12, color=MUTED)
        self.problem = plain_label(14, bold=True, wrap=True)
        self.problem.setStyleSheet(
            f"background: {AMBER_FILL}; color: {INK}; font-size: 14pt; font-weight: 700;"
            "padding: 4px 12px; border-radius: 6px;"
        )
        self.problem.hide()
        head = QHBoxLayout()
        head.addWidget(self.forecast, 1)
        head.addWidget(self.as_of, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.chart_grid = QGridLayout()
        self.chart_grid.setSpacing(4)
        self.chart_box = QWidget()
        self.chart_box.setLayout(self.chart_grid)

        self.exceptions = {
            name: Tile(name)
            for name in ("shorts", "problem totes", "print failures", "messages failed")
        }
        counters = QGridLayout()
        counters.setSpacing(4)
        for i, tile in enumerate(self.exceptions.values()):
            tile.setMinimumSize(80, 70)
            counters.addWidget(tile, i // 2, i % 2)
        self.refusals = _table(("Refused today", "n", "‰"))
        self.refusals.setToolTip("Refused scans today by kind, and per 1,000 scans")
        middle = QVBoxLayout()
        middle.addLayout(counters, 1)
        middle.addWidget(self.refusals, 2)

        self.oldest_slot = plain_label(14, bold=True, wrap=True)
        self.dock = _table(("At the dock", "cartons", "pickup"))
        self.operators = _table(("Operator", "units", "per h", "refused"))
        right = QVBoxLayout()
        right.addWidget(self.oldest_slot)
        right.addWidget(self.dock, 2)
        right.addWidget(self.operators, 3)

        body = QHBoxLayout()
        body.addWidget(self.chart_box, 10)
        body.addLayout(middle, 6)
        body.addLayout(right, 7)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(tiles, 1)  # the stage tiles grow with the screen, a fifth of it
        layout.addLayout(head)
        layout.addWidget(self.problem)
        layout.addLayout(body, 4)

    # -- refreshing ---------------------------------------------------------------------
    def activate(self) -> None:
        self._ensure_charts()
        self.refresh()
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        # Another screen, or logged out: nobody is looking, no reads. A minimised window
        # (a spontaneous hide) keeps refreshing, so it is current when it comes back.
        if not event.spontaneous():
            self.timer.stop()
        super().hideEvent(event)

    def shutdown(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        """Read the figures in a worker thread, unless a read is still under way."""
        actor, database = self.station.actor, self.station.database
        if actor is None or actor.role is not Role.SUPERVISOR or self._busy or database.closed:
            return
        self._busy = True
        signals = self._signals

        def work() -> None:
            result: FloorSnapshot | str
            if database.closed:  # the station closed while this waited for a thread
                return
            try:
                with database.sessions() as session:
                    result = floor_snapshot(session, actor)
            except Exception:  # the database away, a bug: logged, the last figures stay up
                log.warning("the dashboard could not be read", exc_info=True)
                result = f"{NOT_READ} at {clock.local_now():%H:%M:%S}"
            if shiboken6.isValid(signals):
                with contextlib.suppress(RuntimeError):  # the window went in between
                    signals.read.emit(result)

        QThreadPool.globalInstance().start(work)

    def _on_read(self, result: object) -> None:
        self._busy = False
        if isinstance(result, FloorSnapshot):
            self.problem.hide()
            self.show_snapshot(result)
        else:
            shown = self.snapshot
            since = f"; figures as of {shown.at.astimezone():%H:%M:%S}" if shown else ""
            self.problem.setText(f"{result}{since}. Trying again every few seconds.")
            self.problem.show()
        self.refreshed.emit(result)

    # -- showing ------------------------------------------------------------------------
    def _ensure_charts(self) -> None:
        """The charts, made the first time the dashboard is shown (their import is heavy)."""
        if self.charts:
            return
        from app.ui.charts import HourlyChart

        for i, (name, colour) in enumerate(zip(CHART_NAMES, CHART_COLOURS, strict=True)):
            chart = HourlyChart(name, colour)
            self.charts.append(chart)
            # Three charts on top, two wider ones under them (a grid of six columns).
            row, span = (0, 2) if i < 3 else (1, 3)
            self.chart_grid.addWidget(chart, row, (i if i < 3 else i - 3) * span, 1, span)
        if self.snapshot is not None:
            self._show_charts(self.snapshot)

    def show_snapshot(self, snap: FloorSnapshot) -> None:
        self.snapshot = snap
        for count in snap.stages:
            notes: list[tuple[str, str]] = []
            accent = QUIET
            if count.at_risk:
                notes.append((f"{count.at_risk} at risk", AMBER))
                accent = AMBER_FILL
            if count.late:
                notes.insert(0, (f"{count.late} late", RED))
                accent = RED
            if not notes:
                notes.append(("today" if count.stage == "shipped" else "on time", MUTED))
            self.tiles[count.stage].show_figure(f"{count.count:,}", notes, accent)
        miss = snap.forecast.will_miss
        self.forecast.setText(snap.forecast.sentence(snap.at))
        self.forecast.setStyleSheet(
            f"font-size: 19pt; font-weight: 700; color: {RED if miss else GREEN};"
        )
        self.as_of.setText(f"as of {snap.at.astimezone():%H:%M:%S}")
        for name, value in (
            ("shorts", snap.shorts),
            ("problem totes", snap.problem_totes),
            ("print failures", snap.print_failures),
            ("messages failed", snap.messages_failed),
        ):
            accent = AMBER_FILL if value else QUIET
            self.exceptions[name].show_figure(str(value), [], accent)
        self._show_charts(snap)
        rows = []
        for kind, count in snap.refused_by_kind:
            per = snap.refused_per_1000(kind)
            rows.append((Refusal(kind).label, str(count), "–" if per is None else f"{per:.1f}"))
        self._fill(self.refusals, rows)
        slot = snap.oldest_slot
        if slot is None:
            self.oldest_slot.setText("Put wall: no complete slot waiting")
            self.oldest_slot.setStyleSheet(f"font-size: 14pt; color: {MUTED};")
        else:
            minutes = int((snap.at - slot.completed_at).total_seconds() // 60)
            self.oldest_slot.setText(
                f"Oldest complete slot: {slot.slot} ({slot.order}), waiting {minutes} min"
            )
            colour = RED if minutes >= 60 else AMBER if minutes >= 20 else INK
            self.oldest_slot.setStyleSheet(f"font-size: 14pt; font-weight: 700; color: {colour};")
        self._fill(
            self.dock,
            [(d.carrier, str(d.cartons), _pickup(d.pickup_at, snap.at)) for d in snap.dock],
        )
        self._fill(
            self.operators,
            [
                (
                    o.name,
                    f"{o.units:,}",
                    "–" if o.units_per_hour is None else f"{o.units_per_hour:.0f}",
                    str(o.refused),
                )
                for o in snap.operators
            ],
        )

    def _show_charts(self, snap: FloorSnapshot) -> None:
        hourly = snap.hourly
        for chart, (_, values) in zip(self.charts, hourly.series(), strict=False):
            chart.show_hours(hourly.hours, values)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    if c:
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    table.setItem(r, c, item)
                if item.text() != text:
                    item.setText(text)


def _pickup(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "none booked"
    local = at.astimezone()
    return f"{local:%H:%M}" if local.date() == now.astimezone().date() else f"{local:%a %H:%M}"


def _table(headers: tuple[str, ...]) -> QTableWidget:
    """A read-only table of plain text rows."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans and keys stay with the window
    table.setAlternatingRowColors(True)
    table.setStyleSheet("QTableWidget, QHeaderView::section { font-size: 12pt; }")
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table

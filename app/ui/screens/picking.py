"""The picker's screen: take the next pick list, then walk it stop by stop, scan by scan.

Everything shown is read back from the picking services after each action; the screen keeps
only the code of the list being walked, so a restarted station shows exactly what is recorded.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import NotFound
from app.services.floor.journal import Stage
from app.services.picking.scans import claim_next, current_list, key_count, short
from app.services.picking.scans import scan as scan_pick
from app.services.picking.views import Expect, PickListView, ScanOutcome, StopView
from app.ui.screens.base import Screen, photo_placeholder, plain_label, shortcut
from app.ui.station import StationContext

Action = Callable[[Session, Actor], ScanOutcome]
PICK_SCANS = (ScanKind.LOCATION, ScanKind.PRODUCT, ScanKind.TOTE)
NEXT_STOPS = 3
START_PROMPT = "Press Enter or F5 to take your next pick list."
MODES = {
    "sort_while_pick": "cart: each order into its own tote",
    "pick_then_sort": "batch: one tote, sorted at the put wall",
    "single": "one order",
}


def _label(size: int, *, bold: bool = False, color: str = "#1a1a1a", text: str = "") -> QLabel:
    return plain_label(size, bold=bold, color=color, text=text, wrap=True)


def _to_take(view: PickListView, stop: StopView) -> int:
    """Units still to take from the shelf now: the current order's on a cart, else the stop's."""
    task = view.current_task
    if view.mode == "sort_while_pick" and task is not None:
        return task.quantity - task.picked
    return stop.quantity - stop.picked


def _target(view: PickListView) -> str:
    """Where the units go: the order's tote and cart position, or the batch tote."""
    task = view.current_task
    if task is None:
        return ""
    if view.mode == "sort_while_pick":
        where = f"cart position {task.position} · order {task.order}"
        if task.tote:
            return f"Put in tote {task.tote} · {where}"
        return f"Into an empty tote at {where}"
    if view.mode == "pick_then_sort":
        tote = view.orders[0][2] if view.orders else None
        count = f"{len(view.orders)} orders, sorted at the put wall"
        return f"Put in batch tote {tote} · {count}" if tote else f"Into an empty tote · {count}"
    if task.tote:
        return f"Into tote {task.tote} · order {task.order}"
    return f"Into an empty tote · order {task.order}"


def _next_scan(view: PickListView, stop: StopView) -> str:
    """The one thing to scan next, in the picker's words."""
    expect = view.expect
    if expect is Expect.LOCATION:
        return f"Scan the location {stop.location}"
    if expect is Expect.PRODUCT:
        return f"Scan the product {stop.sku} (or key the count)"
    if expect is Expect.TOTE:
        task = view.current_task
        if view.mode == "sort_while_pick" and task is not None:
            empty = f"Scan an empty tote for cart position {task.position}"
            return f"Scan the tote {task.tote}" if task.tote else empty
        tote = view.orders[0][2] if view.orders else None
        if tote:
            return f"Scan the tote {tote}"
        if view.mode == "single" and task is not None:
            return f"Scan an empty tote for order {task.order}"
        return "Scan an empty tote"
    return "This list is finished."


def _progress(view: PickListView) -> str:
    """Where the walk stands: stop, units and planned distance."""
    picked, planned = view.units
    return (
        f"{view.code} · Stop {view.stop_number} of {len(view.stops)} · "
        f"{picked} of {planned} units · {view.planned_m:.0f} m planned"
    )


def _claim(session: Session, actor: Actor) -> PickListView | str:
    """The picker's next list, or why there is none (an empty queue is not an error)."""
    try:
        return claim_next(session, actor)
    except NotFound as exc:
        return exc.message


class PickingScreen(Screen):
    """Takes the next pick list and shows one stop at a time: where, what, how many, into what."""

    title = "Picking"
    roles = frozenset({Role.PICKER, Role.SUPERVISOR})
    stage = Stage.PICKING

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self._code: str | None = None  # the list being walked; everything else is re-read
        self._picker_id: int | None = None  # whose list it is (another login starts afresh)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_start())
        self.pages.addWidget(self._build_stop())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        shortcut("F5", self, self._on_take)
        shortcut("F6", self, self._on_count_field)
        shortcut("F7", self, self._on_count)
        shortcut("F8", self, self._on_short)
        shortcut("F9", self, self._on_pause)

    # -- layout -----------------------------------------------------------------------------
    def _build_start(self) -> QWidget:
        self.start_page = QWidget()
        self.start_headline = _label(30, bold=True)
        self.start_detail = _label(20, color="#37474f")
        self.take_button = QPushButton("Take next pick list  [Enter / F5]")
        self.take_button.setStyleSheet("font-size: 28pt; min-height: 120px; padding: 12px 48px;")
        self.take_button.clicked.connect(self._on_take)
        # Enter alone takes a list; a scan's Enter never reaches here (the scanner keeps it).
        shortcut("Return", self.start_page, self._on_take)
        shortcut("Enter", self.start_page, self._on_take)
        layout = QVBoxLayout(self.start_page)
        layout.addStretch(1)
        for label in (self.start_headline, self.start_detail):
            # Full width, centred text: a wrapping label given an alignment is cut off.
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(label)
        layout.addSpacing(24)
        layout.addWidget(self.take_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return self.start_page

    def _build_stop(self) -> QWidget:
        self.stop_page = QWidget()
        self.location = _label(72, bold=True, color="#0d47a1")
        self.location.setWordWrap(False)
        self.take_count = _label(40, bold=True)
        self.take_count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.take_count.setStyleSheet(
            "font-size: 40pt; font-weight: 700; background: #fff3c4;"
            "border: 3px solid #1a1a1a; border-radius: 8px; padding: 4px 24px;"
        )
        self.take_count.setMinimumWidth(260)
        self.picture = photo_placeholder(150, 12)
        self.product = _label(28, bold=True)
        self.sku = _label(22, color="#37474f")
        self.target = _label(22, bold=True, color="#1a1a1a")
        self.target.setStyleSheet(
            "font-size: 22pt; font-weight: 700; background: #e3f2fd;"
            "border-left: 10px solid #0d47a1; padding: 6px 12px;"
        )
        self.next_scan = _label(28, bold=True, color="#263238")
        self.progress = _label(18, color="#37474f")
        self.next_title = _label(18, color="#37474f")
        self.next_stops = [
            [_label(18, color="#37474f") for _ in range(3)] for _ in range(NEXT_STOPS)
        ]

        product = QHBoxLayout()
        product.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.addWidget(self.product)
        words.addWidget(self.sku)
        words.addStretch(1)
        product.addLayout(words, 1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.addWidget(self.location, 0, 0)
        grid.addWidget(self.take_count, 0, 1)
        grid.addLayout(product, 1, 0)
        upcoming = QGridLayout()
        upcoming.setHorizontalSpacing(18)
        upcoming.addWidget(self.next_title, 0, 0, 1, 3)
        for row, cells in enumerate(self.next_stops, start=1):
            for column, cell in enumerate(cells):
                cell.setWordWrap(False)
                upcoming.addWidget(cell, row, column)
        upcoming.setRowStretch(NEXT_STOPS + 1, 1)
        grid.addLayout(upcoming, 1, 1)
        grid.setColumnStretch(0, 1)

        self.count = QSpinBox()
        self.count.setRange(1, 9999)
        self.count.setStyleSheet("font-size: 20pt; min-width: 110px;")
        # Not focused by default (scans should not land in it): F6 or a tap goes there.
        self.count.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.count.setAccessibleName("Units counted")
        self.count.lineEdit().returnPressed.connect(self._on_count)
        self.count_button = QPushButton("Enter count  [F7]")
        self.short_button = QPushButton("Location empty / short  [F8]")
        self.pause_button = QPushButton("Pause  [F9]")
        self.count_button.clicked.connect(self._on_count)
        self.short_button.clicked.connect(self._on_short)
        self.pause_button.clicked.connect(self._on_pause)
        buttons = QHBoxLayout()
        buttons.addWidget(_label(16, text="Count  [F6]"))
        buttons.addWidget(self.count)
        for button in (self.count_button, self.short_button, self.pause_button):
            button.setStyleSheet("font-size: 16pt; min-height: 56px;")
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self.stop_page)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(grid)
        layout.addWidget(self.next_scan)
        layout.addWidget(self.target)
        layout.addStretch(1)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        for label in (self.product, self.sku, self.next_scan, self.progress):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        return self.stop_page

    # -- showing ----------------------------------------------------------------------------
    def activate(self) -> None:
        actor = self.station.actor
        if actor is None or actor.operator_id != self._picker_id:
            self._code = None  # another operator: their own list comes with "Take next"
        if self._code is None:
            self._show_start("Ready for your next pick list", "")
            self.station.feedback.prompt(START_PROMPT)
            return
        view = self._reload()
        if view is not None:
            self.station.feedback.prompt(self.next_scan.text())

    def _reload(self) -> PickListView | None:
        """Read the list again and show it (after a refusal, a restart or a return here)."""
        code, actor = self._code, self.station.actor
        if code is None or actor is None:
            return None
        view = self.station.read(lambda s: current_list(s, actor, code))
        if view is not None:
            self._show(view)
        return view

    def _show_start(self, headline: str, detail: str) -> None:
        self.start_headline.setText(headline)
        self.start_detail.setText(detail)
        self.start_detail.setVisible(bool(detail))
        self.pages.setCurrentWidget(self.start_page)

    def _show(self, view: PickListView) -> None:
        """Show the list's current stop, or the start page once the list is finished."""
        stop = view.current_stop
        if stop is None:
            self._code = None
            self._show_start(f"Pick list {view.code} is finished", "")
            return
        self.location.setText(stop.location)
        left = _to_take(view, stop)
        in_hand = sum(t.picked - t.placed for t in stop.tasks)  # taken, not yet in a tote
        tote_next = view.expect is Expect.TOTE
        self.take_count.setText(f"Put {in_hand}" if tote_next else f"Take {left}")
        self.count.setMaximum(max(1, left))
        self.count.setValue(max(1, left))
        self.product.setText(stop.product)
        self.sku.setText(f"SKU {stop.sku}" + (f" · lot {stop.lot}" if stop.lot else ""))
        target = _target(view)
        self.target.setText(target)
        self.target.setVisible(bool(target))
        self.next_scan.setText(f"➜ {_next_scan(view, stop)}")
        self.progress.setText(f"{_progress(view)} · {MODES.get(view.mode, view.mode)}")
        later = [s for s in view.stops if s.seq > stop.seq and s.status == "OPEN"][:NEXT_STOPS]
        self.next_title.setText("Next:" if later else "Last stop")
        rows = [(s.location, s.sku, f"× {s.quantity - s.picked}") for s in later]
        rows += [("", "", "")] * (NEXT_STOPS - len(rows))
        for cells, texts in zip(self.next_stops, rows, strict=True):
            for cell, text in zip(cells, texts, strict=True):
                cell.setText(text)
        self.pages.setCurrentWidget(self.stop_page)

    # -- actions ----------------------------------------------------------------------------
    def _on_take(self) -> None:
        claimed = self.station.act(_claim)
        if isinstance(claimed, str):
            self.station.feedback.attention(claimed)  # nothing waiting: a fact, not a mistake
            return
        actor = self.station.actor
        if claimed is None or actor is None:
            return
        self._code, self._picker_id = claimed.code, actor.operator_id
        self._show(claimed)
        stop = claimed.current_stop
        where = f": go to {stop.location}" if stop is not None else ""
        verb = "resumed" if claimed.status == "IN_PROGRESS" else "taken"
        self.station.feedback.next(self.next_scan.text())
        self.station.feedback.ok(f"Pick list {claimed.code} {verb}{where}.")

    def on_scan(self, scan: Scan) -> None:
        code = self._code
        if code is None:
            if scan.kind in PICK_SCANS:
                self.station.refuse_scan(
                    self.stage, scan, f"Take a pick list first. {START_PROMPT}", attention=True
                )
            else:
                super().on_scan(scan)
            return
        self._apply(lambda s, a: scan_pick(s, a, code, scan), scan)

    def _on_count_field(self) -> None:
        if self.pages.currentWidget() is self.stop_page:
            self.count.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.count.selectAll()

    def _on_count(self) -> None:
        code, units = self._code, self.count.value()
        if code is None:
            return
        self.count.clearFocus()  # the next scan goes to the screen, not into the count
        self._apply(lambda s, a: key_count(s, a, code, units))

    def _on_short(self) -> None:
        code = self._code
        if code is not None:
            self._apply(lambda s, a: short(s, a, code))

    def _on_pause(self) -> None:
        view = self._reload()
        if view is None:
            return
        self._code = None  # the claim stays: "Take next" hands this list back first
        self._show_start(
            f"Pick list {view.code} paused at stop {view.stop_number}",
            "It stays yours: Take next pick list resumes it where you left off.",
        )
        self.station.feedback.prompt(START_PROMPT)

    def _apply(self, action: Action, scanned: Scan | None = None) -> None:
        """Run one pick action and read the list back in the same transaction (a scan is
        journaled; keyed counts and buttons are not)."""
        code = self._code
        assert code is not None
        outcome = (
            self.station.act(action)
            if scanned is None
            else self.station.scan(self.stage, scanned, action, code)
        )
        if outcome is None:
            # Refused (red shown): the stop as it stands. A list that cannot be read any
            # more (reassigned meanwhile) leaves the screen at the start, the red still showing.
            if self._reload() is None:
                self._code = None
                self._show_start("Ready for your next pick list", "")
            return
        view = outcome.view
        assert view is not None  # every pick action returns the list as it now stands
        if outcome.result == "done":
            self._finish(view, outcome)
            return
        self._show(view)
        self.station.feedback.next(self.next_scan.text())
        if outcome.result == "attention":
            self.station.feedback.attention(outcome.message)
        else:
            self.station.feedback.ok(outcome.message)

    def _finish(self, view: PickListView, outcome: ScanOutcome) -> None:
        """The list is done: what was picked, what went short, which totes to take to packing."""
        self._code = None
        # The view was read in the scan's own transaction, after its orders moved on.
        picked = view.order_statuses.count(OrderStatus.PICKED.value)
        short_orders = view.order_statuses.count(OrderStatus.SHORT.value)
        totes = sorted({tote for _, _, tote in view.orders if tote})
        units, _ = view.units
        orders = "order" if picked == 1 else "orders"
        detail = f"{picked} {orders} picked, {short_orders} short · {units} units"
        if totes:
            detail += f"\nTotes: {', '.join(totes)}"
        self._show_start(f"Pick list {view.code} done", detail)
        self.station.feedback.next(START_PROMPT)
        self.station.feedback.done(outcome.message)

"""The packer's screen: take an order to the bench, tick its checklist by scanning every unit,
weigh and close its cartons; labels print on their own.

The order is read back from the packing services after every action; the screen keeps only
the order number on the bench and what the packer is in the middle of (a keyed count or a
weight waiting for a supervisor's badge, a problem tote to scan), so a restarted station
shows exactly what is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.services.actor import Actor
from app.services.floor.journal import Stage
from app.services.packing.bench import (
    choose_box,
    close_carton,
    current_order,
    key_units,
    pack_item,
    start_packing,
)
from app.services.packing.boxes import list_boxes
from app.services.packing.documents import CartonPrint, last_closed_carton
from app.services.packing.jobs import PackOutcome
from app.services.packing.set_aside import set_aside
from app.services.packing.views import PackView, pack_queue
from app.ui.feedback import FeedbackLevel
from app.ui.screens.base import Screen, shortcut
from app.ui.screens.packing.printing import CartonPrinter
from app.ui.screens.packing.widgets import CartonPanel, Checklist, text_label, weight_text
from app.ui.station import StationContext

Action = Callable[[Session, Actor], PackOutcome]
START_SCANS = (ScanKind.ORDER, ScanKind.TOTE, ScanKind.SLOT)
START_PROMPT = "Scan an order number, a single-order tote or a complete put-wall slot"
REASONS = ("Damaged item", "Item missing", "Wrong item in the tote")


@dataclass(frozen=True)
class Pending:
    """What waits for a supervisor's badge or a problem tote: a keyed count, a weight, a problem."""

    kind: str  # "count", "weight" or "problem"
    line_id: int = 0
    units: int = 0
    grams: int = 0
    reason: str = ""


class PackingScreen(Screen):
    """One order at a time on the bench: its checklist, its carton, and what to do next."""

    title = "Packing"
    roles = frozenset({Role.PACKER, Role.SUPERVISOR})
    stage = Stage.PACKING

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self._number: str | None = None  # the order on the bench
        self._packer_id: int | None = None
        self._view: PackView | None = None
        self._selected: int | None = None  # the line a keyed count goes to
        self._pending: Pending | None = None
        self.last_carton: int | None = None  # the carton F9 reprints
        self.unprinted: list[int] = []  # cartons whose documents failed to print
        self.last_prints: list[CartonPrint] | str | None = None
        self._boxes: dict[str, str] = {}
        self.printer = CartonPrinter(station, self)
        self.printer.printed.connect(self._on_printed)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_start())
        self.pages.addWidget(self._build_order())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        for key, slot in (
            ("F5", self._on_close),
            ("F6", self._on_weight_field),
            ("F7", self._on_count_field),
            ("F8", self._on_problem),
            ("F9", self._on_reprint),
            ("Escape", self._on_escape),
        ):
            shortcut(key, self, slot)

    # -- layout -----------------------------------------------------------------------------
    def _build_start(self) -> QWidget:
        self.start_page = QWidget()
        self.start_headline = text_label(30, bold=True, wrap=True)
        self.start_detail = text_label(18, color="#37474f", wrap=True)
        self.queue = text_label(18, wrap=True)
        layout = QVBoxLayout(self.start_page)
        layout.addStretch(1)
        for label in (self.start_headline, self.start_detail, self.queue):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(label)
            layout.addSpacing(12)
        layout.addStretch(2)
        return self.start_page

    def _build_order(self) -> QWidget:
        self.order_page = QWidget()
        self.order = text_label(30, bold=True, color="#0d47a1")
        self.ship_to = text_label(16, bold=True)
        self.requested = text_label(14, color="#37474f")
        self.units = text_label(30, bold=True)
        self.units.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        who = QVBoxLayout()
        who.setSpacing(0)
        who.addWidget(self.ship_to)
        who.addWidget(self.requested)
        header = QHBoxLayout()
        header.addWidget(self.order, 2)
        header.addLayout(who, 3)
        header.addWidget(self.units, 2)

        # What a customs declaration of this order lacks: amber, read before closing.
        self.customs = text_label(14, bold=True, color="#e65100", wrap=True)
        self.customs.setVisible(False)

        self.checklist = Checklist()
        self.checklist.line_clicked.connect(self._on_line_clicked)
        self.carton = CartonPanel()
        self.carton.setMinimumWidth(430)
        middle = QHBoxLayout()
        middle.addWidget(self.checklist, 3)
        middle.addWidget(self.carton, 2)

        self.next_scan = text_label(22, bold=True, color="#263238", wrap=True)
        self.weight = QLineEdit()
        self.weight.setValidator(QIntValidator(1, 100_000, self.weight))
        self.weight.setPlaceholderText("grams")
        self.weight.setAccessibleName("Carton weight in grams")
        self.weight.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # scans never land in it
        self.weight.setStyleSheet("font-size: 20pt; min-width: 120px; max-width: 150px;")
        self.weight.returnPressed.connect(self._on_close)
        self.count = QSpinBox()
        self.count.setRange(1, 9999)
        self.count.setAccessibleName("Units keyed")
        self.count.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.count.setStyleSheet("font-size: 18pt; min-width: 80px;")
        self.count.lineEdit().returnPressed.connect(self._on_count_entered)
        self.count.setVisible(False)  # shown while a count is keyed (F7)
        buttons = QHBoxLayout()
        weight_label = text_label(15, bold=True, fit=True)
        weight_label.setText("Weight [F6]")
        buttons.addWidget(weight_label)
        buttons.addWidget(self.weight)
        self.close_button = QPushButton("Close carton  [F5]")
        self.count_button = QPushButton("Key count  [F7]")
        self.problem_button = QPushButton("Problem  [F8]")
        self.reprint_button = QPushButton("Reprint  [F9]")
        self.close_button.clicked.connect(self._on_close)
        self.count_button.clicked.connect(self._on_count_field)
        self.problem_button.clicked.connect(self._on_problem)
        self.reprint_button.clicked.connect(self._on_reprint)
        buttons.addWidget(self.close_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.count)
        for button in (self.count_button, self.problem_button, self.reprint_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self.order_page)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(header)
        layout.addWidget(rule)
        layout.addWidget(self.customs)
        layout.addLayout(middle, 1)
        layout.addWidget(self.next_scan)
        layout.addLayout(buttons)
        return self.order_page

    # -- showing ----------------------------------------------------------------------------
    def activate(self) -> None:
        actor = self.station.actor
        if actor is None or actor.operator_id != self._packer_id:
            self._number, self._pending, self._selected = None, None, None
            self.last_carton, self.unprinted = None, []
            self._packer_id = actor.operator_id if actor is not None else None
        boxes = self.station.read(list_boxes) or []
        self._boxes = {b.code: f"{b.name} · {b.size}" for b in boxes}
        view = self.station.read(lambda s: current_order(s, actor)) if actor else None
        if view is not None:
            self._number = view.order  # a restarted bench picks up where it was
        if self._number is None or view is None:
            self._show_start("Ready for the next order", "")
            self.station.feedback.prompt(START_PROMPT)
            return
        self._show(view)
        self.station.feedback.prompt(self.next_scan.text())

    def _show_start(self, headline: str, detail: str) -> None:
        self._number, self._view, self._pending = None, None, None
        self.start_headline.setText(headline)
        self.start_detail.setText(detail or f"➜ {START_PROMPT}")
        queue = self.station.read(lambda s: pack_queue(s, station=self.station.station_name))
        lines = []
        if queue is not None and queue.left_here:
            lines.append(
                "Left open on this bench: "
                + ", ".join(f"{o} ({who})" for o, who in queue.left_here)
                + ": scan its number to take it over"
            )
        if queue is not None and queue.slots:
            lines.append("Complete slots: " + ", ".join(f"{s} ({o})" for s, o in queue.slots))
        if queue is not None and queue.totes:
            lines.append("Picked: " + ", ".join(f"{t} ({o})" if t else o for t, o in queue.totes))
        self.queue.setText("\n".join(lines) or "Nothing waits to be packed right now.")
        self.pages.setCurrentWidget(self.start_page)

    def _show(self, view: PackView) -> None:
        self._view, self._number = view, view.order
        todo = [li for li in view.lines if not li.done]
        if self._selected not in {li.line_id for li in todo}:
            self._selected = todo[0].line_id if todo else None
        self.order.setText(f"Order {view.order}")
        self.ship_to.setText(f"{view.ship_name} · {view.destination}")
        self.requested.setText(f"{view.requested or 'no carrier asked'} · {view.started_from}")
        packed, expected = view.units
        self.units.setText(f"{packed} / {expected} units")
        self.customs.setText(f"⚠ {view.customs.warning}")
        self.customs.setVisible(bool(view.customs.warning))
        self.checklist.show_lines(view.lines, self._selected)
        self.carton.show_view(view, self._boxes)
        self.next_scan.setText(f"➜ {self._instruction(view)}")
        self.pages.setCurrentWidget(self.order_page)

    def _instruction(self, view: PackView) -> str:
        pending = self._pending
        if pending is not None and pending.kind == "problem":
            others = " / ".join(r for r in REASONS if r != pending.reason)
            return f"{pending.reason}: scan a problem tote (F8: {others}; Esc: back)"
        if pending is not None and pending.kind == "count":
            line = view.line(pending.line_id)
            sku = line.sku if line else "?"
            return f"Supervisor: scan your badge to approve {pending.units} × {sku} (Esc: back)"
        carton = view.open_carton
        if carton is not None and carton.weight_flagged:
            return "Weight is off: check the carton, weigh again [F6], or supervisor badge"
        if view.all_in:
            return "All items in: key the weight [F6] and press Enter to close the carton"
        if carton is not None and carton.units and len(view.plan) > 1:
            return "Scan the next item, or weigh & close this carton [F5] when it is full"
        return "Scan the next item"

    def shutdown(self) -> None:
        self.printer.wait()  # a closed carton's labels finish printing before the bench closes

    def take_typed(self, text: str) -> bool:
        """A scale that types its reading like a scanner, into the weight field (F6)."""
        reading = text.strip()
        # At most 6 digits (up to 100 kg in grams): a product code scanned meanwhile (8 digits
        # or more) is still a scan.
        if not (self.weight.hasFocus() and reading.isdigit() and len(reading) <= 6):
            return False
        self.weight.setText(reading)
        self._on_close()
        return True

    def wants_badge(self) -> bool:
        pending = self._pending
        if pending is not None and pending.kind in ("count", "weight"):
            return True
        carton = self._view.open_carton if self._view is not None else None
        return carton is not None and carton.weight_flagged

    # -- scans ------------------------------------------------------------------------------
    def on_scan(self, scan: Scan) -> None:
        number = self._number
        if self.count.isVisible() and scan.kind is not ScanKind.BADGE:
            self.count.setVisible(False)  # a scan instead of Enter: the keyed count is dropped
        if number is None:
            if scan.kind in START_SCANS:
                self._apply(lambda s, a: start_packing(s, a, scan), scan)
            elif scan.kind in (ScanKind.PRODUCT, ScanKind.BOX):
                self.station.refuse_scan(
                    self.stage, scan, f"No order on the bench. {START_PROMPT}."
                )
            else:
                super().on_scan(scan)
            return
        if scan.kind is ScanKind.BADGE:
            self._approve(number, scan)
        elif self._pending is not None and self._pending.kind == "problem":
            self._set_aside(number, scan)
        elif scan.kind is ScanKind.PRODUCT:
            self._apply(lambda s, a: pack_item(s, a, number, scan), scan, number)
        elif scan.kind is ScanKind.BOX:
            self._apply(lambda s, a: choose_box(s, a, number, scan.code), scan, number)
        elif scan.kind in START_SCANS:
            self.station.feedback.attention(
                f"Order {number} is on the bench: close its cartons, or set it aside [F8], "
                "before taking another."
            )
        else:
            super().on_scan(scan)

    def _approve(self, number: str, badge: Scan) -> None:
        pending = self._pending
        if pending is not None and pending.kind == "count":
            line, units = pending.line_id, pending.units
            self._pending = None
            self._apply(lambda s, a: key_units(s, a, number, line, units, badge.code))
        elif self._view is not None and self._view.open_carton is not None:
            carton = self._view.open_carton
            grams = carton.weight_g or 0
            self._apply(lambda s, a: close_carton(s, a, number, grams, badge.code))

    def _set_aside(self, number: str, tote: Scan) -> None:
        pending = self._pending
        assert pending is not None
        if tote.kind is not ScanKind.TOTE:
            self.station.refuse_scan(
                self.stage, tote, "Scan the problem tote the items go into (Esc: back)."
            )
            return
        self._apply(lambda s, a: set_aside(s, a, number, pending.reason, tote), tote, number)

    # -- keys -------------------------------------------------------------------------------
    def _on_weight_field(self) -> None:
        if self._number is None:
            return
        self.weight.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.weight.selectAll()
        # The expected weight is not shown before weighing: a check whose answer is on the
        # screen would check nothing.
        self.station.feedback.prompt("Put the carton on the scale; key its weight in grams, Enter")

    def _on_close(self) -> None:
        number = self._number
        if number is None:
            return
        text = self.weight.text().strip()
        if not text.isdigit():
            self._on_weight_field()
            self.station.feedback.attention("Key the carton's weight in grams, then Enter.")
            return
        grams = int(text)
        self.weight.clear()
        self.weight.clearFocus()  # the next scan goes to the screen, not into the weight
        self._apply(lambda s, a: close_carton(s, a, number, grams))

    def _on_count_field(self) -> None:
        view = self._view
        line = view.line(self._selected) if view is not None and self._selected else None
        if line is None:
            self.station.feedback.attention("Every line is complete: nothing to key.")
            return
        self.count.setMaximum(max(1, line.expected - line.packed))
        self.count.setValue(line.expected - line.packed)
        self.count.setVisible(True)
        self.count.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.count.selectAll()
        self.station.feedback.prompt(f"Key how many {line.sku} (Enter), then a supervisor's badge")

    def _on_count_entered(self) -> None:
        view, selected = self._view, self._selected
        line = view.line(selected) if view is not None and selected else None
        self.count.clearFocus()
        self.count.setVisible(False)
        if line is None:
            return
        self._pending = Pending("count", line_id=line.line_id, units=self.count.value())
        self._refresh()
        self.station.feedback.attention(self.next_scan.text().removeprefix("➜ "))

    def _on_problem(self) -> None:
        if self._number is None:
            return
        pending = self._pending
        if pending is not None and pending.kind == "problem":
            reason = REASONS[(REASONS.index(pending.reason) + 1) % len(REASONS)]
        else:
            reason = REASONS[0]
        self._pending = Pending("problem", reason=reason)
        self._refresh()
        self.station.feedback.attention(self.next_scan.text().removeprefix("➜ "))

    def _on_escape(self) -> None:
        self.count.setVisible(False)
        if self._pending is not None:
            self._pending = None
            self._refresh()
            self.station.feedback.prompt(self.next_scan.text())

    def _on_line_clicked(self, line_id: int) -> None:
        self._selected = line_id
        self._refresh()

    def _on_reprint(self) -> None:
        actor = self.station.actor
        carton = self.unprinted[-1] if self.unprinted else self.last_carton
        if carton is None and actor is not None:
            carton = self.station.read(lambda s: last_closed_carton(s, actor))
        if carton is None or actor is None:
            self.station.feedback.attention(
                "No carton closed at this bench yet: nothing to reprint."
            )
            return
        self.last_prints = None
        self.printer.print_carton(actor, carton, again=True)
        self.station.feedback.prompt("Reprinting the last carton's labels…")

    # -- outcomes ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Read the order again and show it (after a refusal or a change of what is pending);
        an order that is no longer this packer's (cancelled, taken over) leaves the bench."""
        number, actor = self._number, self.station.actor
        if number is None or actor is None:
            return
        view = self.station.read(lambda s: current_order(s, actor))
        if view is not None and view.order == number:
            self._show(view)
            return
        self._show_start(f"Order {number} is no longer on this bench", "")

    def _apply(self, action: Action, scanned: Scan | None = None, order: str = "") -> None:
        """Run one packing action (a scan is journaled, with the order on the bench it was
        checked against; a keyed count is not, and a weighing journals itself in close_carton)."""
        outcome = (
            self.station.act(action)
            if scanned is None
            else self.station.scan(self.stage, scanned, action, order)
        )
        if outcome is None:
            self._refresh()  # refused, red shown: the order as recorded
            return
        actor = self.station.actor
        if outcome.closed_carton is not None and actor is not None:
            self.last_carton, self.last_prints = outcome.closed_carton, None
            self.printer.print_carton(actor, outcome.closed_carton)
        self._pending = None
        view = outcome.view
        if outcome.result == "done" or view.job_status != "OPEN":
            self._finish(outcome)
            return
        self._show(view)
        self.station.feedback.next(self.next_scan.text())
        {"error": self.station.feedback.error, "attention": self.station.feedback.attention}.get(
            outcome.result, self.station.feedback.ok
        )(outcome.message)

    def _finish(self, outcome: PackOutcome) -> None:
        view = outcome.view
        cartons = [c for c in view.cartons if c.status != "OPEN"]
        detail = "\n".join(
            f"Carton {c.number}: {c.box or 'own packaging'} · {weight_text(c.weight_g or 0)}"
            f" · {c.carrier} {c.service} · {c.tracking_number}"
            for c in cartons
        )
        headline = (
            f"Order {view.order} packed"
            if outcome.result == "done"
            else f"Order {view.order} set aside"
        )
        self._show_start(headline, detail)
        self.station.feedback.next(START_PROMPT)
        if outcome.result == "done" and not view.customs.warning:
            self.station.feedback.done(outcome.message)
        else:
            self.station.feedback.attention(outcome.message)

    def _on_printed(self, carton_id: int, result: object) -> None:
        self.last_prints = result  # type: ignore[assignment]
        prints = list(result) if isinstance(result, list) else []
        failed = [p for p in prints if not p.ok]
        if isinstance(result, str) or failed:
            if carton_id not in self.unprinted:
                self.unprinted.append(carton_id)  # F9 prints it before any other
            why = result if isinstance(result, str) else failed[0].message
            self.station.feedback.error(
                f"{why} — the carton is saved: fix the printer and press F9 to print its "
                "labels again."
            )
            return
        self.unprinted = [c for c in self.unprinted if c != carton_id]
        # Labels come out while the packer goes on: a refusal meanwhile must stay red.
        if self.station.feedback.band.level in (FeedbackLevel.PROMPT, FeedbackLevel.OK):
            names = ", ".join(p.description.split(" order ")[0] for p in prints)
            self.station.feedback.ok(f"Printed: {names}.")

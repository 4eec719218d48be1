"""The shipper's screen at the dock: scan the door, then every carton going onto its truck.

What the screen shows is read from the dispatch services after every scan (the door's
carrier, the cartons waiting and those loaded), so a restarted station shows what is recorded.
Closing the load asks for F5 twice; the manifest is committed first, then written and printed
off the GUI thread, so a printer that is off never holds up the dock or loses a manifest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from difflib import SequenceMatcher

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from app import clock
from app.config import manifest_folder
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.services.dispatch.carrier_link import FileCarrierLink
from app.services.dispatch.loading import (
    DockCarton,
    DockView,
    dock_view,
    load_carton,
    unload_carton,
)
from app.services.dispatch.manifests import (
    ClosedLoad,
    ManifestHandover,
    close_load,
    hand_over,
    last_manifest,
)
from app.services.errors import BatonError
from app.services.floor.journal import Stage
from app.services.packing.jobs import supervisor_with_badge
from app.ui.printers import station_printers
from app.ui.screens.base import Screen, banner, plain_label, shortcut
from app.ui.station import StationContext

log = logging.getLogger(__name__)
CONFIRM_MS = 10_000  # the second F5 must come within this
TICK_MS = 15_000  # the countdown to the pickup


def _label(size: int, *, bold: bool = False, color: str = "#1a1a1a") -> QLabel:
    label = plain_label(size, bold=bold, color=color)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _row(carton: DockCarton) -> str:
    return (
        f"{carton.order:<9} {carton.carton:<6} {carton.tracking_number:<18} "
        f"{carton.weight_g / 1000:>5.1f} kg {carton.country}"
    )


class _Signals(QObject):
    finished = Signal(object)  # ManifestHandover or an error message


class _HandOver(QRunnable):
    def __init__(self, work: Callable[[], ManifestHandover], signals: _Signals) -> None:
        super().__init__()
        self._work, self._signals = work, signals

    def run(self) -> None:
        try:
            result: object = self._work()
        except BatonError as exc:
            result = exc.message
        except Exception as exc:  # shown to the shipper, never lost in a worker thread
            log.exception("handing over a manifest failed")
            result = f"The manifest is closed, but handing it over failed: {exc}"
        try:
            self._signals.finished.emit(result)
        except RuntimeError:  # the station closed meanwhile
            log.warning("manifest handed over after its station closed: %r", result)


class DockScreen(Screen):
    """A door's truck: the carrier's cartons to load, those loaded, and the time to pickup."""

    title = "Dock"
    roles = frozenset({Role.SHIPPER, Role.SUPERVISOR})
    stage = Stage.DISPATCH

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self._door: str | None = None
        self._view: DockView | None = None
        self._unloading = False  # F8: the next carton scanned comes off the truck
        self._approver: str | None = None  # a supervisor's badge scanned for the unload
        self._confirm_until = 0.0
        self._late: bool | None = None  # the pickup label's colour as last set
        self.door = _label(40, bold=True, color="#0d47a1")
        self.carrier = _label(24, bold=True)
        self.pickup = _label(20, bold=True, color="#37474f")
        self.next_scan = _label(24, bold=True, color="#263238")
        self.expected_title = _label(16, bold=True)
        self.loaded_title = _label(16, bold=True)
        self.expected = QListWidget()
        self.loaded = QListWidget()
        for label in (self.door, self.pickup):  # never squeezed out by the carrier's name
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        for listing in (self.expected, self.loaded):
            listing.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans never land in it
            listing.setUniformItemSizes(True)  # one line each: no per-row layout on a refill
            listing.setStyleSheet("font-family: monospace; font-size: 14pt;")
        self.close_button = QPushButton("Close load  [F5]")
        self.unload_button = QPushButton("Unload  [F8]")
        self.reprint_button = QPushButton("Reprint manifest  [F9]")
        for button in (self.close_button, self.unload_button, self.reprint_button):
            button.setStyleSheet("font-size: 16pt; min-height: 48px;")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self._on_close)
        self.unload_button.clicked.connect(self._on_unload)
        self.reprint_button.clicked.connect(self._on_reprint)
        shortcut("F5", self, self._on_close)
        shortcut("F8", self, self._on_unload)
        shortcut("F9", self, self._on_reprint)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.finished.connect(self._handed_over)
        self.tick = QTimer(self)
        self.tick.setInterval(TICK_MS)
        self.tick.timeout.connect(self._on_tick)
        self._build()

    def _build(self) -> None:
        band = banner()
        head = QVBoxLayout()
        head.setSpacing(0)
        top = QHBoxLayout()
        top.addWidget(self.door)
        top.addSpacing(24)
        top.addWidget(self.carrier, 1)
        top.addWidget(self.pickup)
        head.addLayout(top)
        head.addWidget(self.next_scan)
        inner = QHBoxLayout(band)
        inner.setContentsMargins(16, 2, 16, 2)
        inner.addLayout(head, 1)
        lists = QHBoxLayout()
        for title, listing in (
            (self.expected_title, self.expected),
            (self.loaded_title, self.loaded),
        ):
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(listing, 1)
            lists.addLayout(column, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.unload_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(band)
        layout.addLayout(lists, 1)
        layout.addLayout(buttons)

    # -- showing ----------------------------------------------------------------------------
    def activate(self) -> None:
        self._unloading, self._approver = False, None
        self._reload()
        self.tick.start()
        self.station.feedback.prompt(self.next_scan.text())

    def _reload(self, view: DockView | None = None) -> None:
        door = self._door
        if view is None and door is not None:
            view = self.station.read(lambda s: dock_view(s, door))
        self._view = view
        if view is None:
            self.door.setText("Dock")
            self.carrier.setText("Which door?")
            self.expected_title.setText("")
            self.loaded_title.setText("")
            self.expected.clear()
            self.loaded.clear()
        else:
            self.door.setText(view.door)
            self.carrier.setText(view.carrier or "no carrier today")
            self.expected_title.setText(f"Waiting at the dock: {len(view.expected)}")
            weight = view.loaded_weight_g / 1000
            self.loaded_title.setText(f"On the truck: {len(view.loaded)} · {weight:.1f} kg")
            self._fill(self.expected, view.expected)
            self._fill(self.loaded, view.loaded)
        self._show_pickup()
        self.next_scan.setText(f"➜ {self._instruction()}")

    @staticmethod
    def _fill(listing: QListWidget, cartons: tuple[DockCarton, ...]) -> None:
        """Show `cartons`, changing only the rows that changed: a scan moves one carton from
        one list to the other, and redrawing a whole truck on every scan would be slow."""
        rows = [_row(c) for c in cartons]
        shown = [listing.item(i).text() for i in range(listing.count())]
        if rows == shown:
            return
        steps = SequenceMatcher(a=shown, b=rows, autojunk=False).get_opcodes()
        for tag, start, end, new_start, new_end in reversed(steps):  # later rows first
            if tag == "equal":
                continue
            for _ in range(end - start):
                listing.takeItem(start)
            listing.insertItems(start, rows[new_start:new_end])

    def _on_tick(self) -> None:
        """Every few seconds: the countdown, and the door's lists as other stations change
        them (a carton closed at a bench, another shipper loading the same door)."""
        if not self.isVisible():
            return
        if self._door is not None:
            self._reload()
        else:
            self._show_pickup()

    def _show_pickup(self) -> None:
        view = self._view
        if view is None or not view.carrier:
            self.pickup.setText("")
            return
        if view.pickup_at is None:
            self.pickup.setText("no pickup booked")
            return
        left = view.time_left(clock.now())
        at = view.pickup_at.astimezone()
        # A pickup on another day says which: after today's truck has gone, the next is shown.
        when = f"{at:%H:%M}" if at.date() == clock.today() else f"{at:%a %H:%M}"
        self.pickup.setText(f"Pickup {when} · {left}")
        late = left.endswith("late") or left == "due now"
        if late is not self._late:  # a style sheet set again restyles the label for nothing
            self._late = late
            self.pickup.setStyleSheet(
                f"font-size: 20pt; font-weight: 700; color: {'#c62828' if late else '#37474f'};"
            )

    def _instruction(self) -> str:
        if self._door is None:
            return "Scan the door label"
        if self._unloading:
            if self._needs_approval():
                return "Unload: a supervisor scans their badge"
            return "Unload: scan the carton to take off the truck"
        return "Scan each carton's shipping label"

    def _needs_approval(self) -> bool:
        actor = self.station.actor
        return actor is not None and actor.role is not Role.SUPERVISOR and self._approver is None

    def wants_badge(self) -> bool:
        return self._unloading and self._needs_approval()

    # -- scans ------------------------------------------------------------------------------
    def on_scan(self, scan: Scan) -> None:
        self._confirm_until = 0.0
        if scan.kind is ScanKind.DOOR:
            self._choose_door(scan.code)
        elif scan.kind is ScanKind.BADGE and self.wants_badge():
            # Checked now, not at the carton: a shipper's own badge is refused at once.
            if self.station.read(lambda s: supervisor_with_badge(s, scan.code)) is None:
                return  # the reason is shown in red; still waiting for a supervisor
            self._approver = scan.code
            self._reload(self._view)
            self.station.feedback.prompt(self.next_scan.text())
            self.station.feedback.ok("Supervisor's badge taken: scan the carton to unload.")
        elif scan.kind in (ScanKind.TRACKING, ScanKind.CARTON):
            if self._door is None:
                self.station.refuse_scan(
                    self.stage, scan, "Scan the door label first: which truck is it for?"
                )
            elif self._unloading:
                self._unload(self._door, scan)
            else:
                self._load(self._door, scan)
        else:
            self.station.refuse_scan(
                self.stage,
                scan,
                f"{scan.describe()}: scan a door label or a carton's shipping label.",
            )

    def _choose_door(self, code: str) -> None:
        view = self.station.read(lambda s: dock_view(s, code))
        if view is None:
            return  # the reason is shown in red
        self._door, self._unloading, self._approver = view.door, False, None
        self._reload(view)
        self.station.feedback.next(self.next_scan.text())
        if view.carrier:
            self.station.feedback.ok(
                f"{view.door}: loading {view.carrier} · {len(view.expected)} carton(s) waiting"
            )
        else:
            self.station.feedback.attention(
                f"{view.door} has no carrier today: a supervisor sets one."
            )

    def _load(self, door: str, scan: Scan) -> None:
        outcome = self.station.scan(
            self.stage, scan, lambda s, a: load_carton(s, a, door, scan), door
        )
        if outcome is None:
            self._reload()  # red stays up: nothing was recorded
            return
        self._reload(outcome.view)
        self.station.feedback.next(self.next_scan.text())  # shown when the outcome fades
        if outcome.view.expected:
            self.station.feedback.ok(outcome.message)
        else:
            self.station.feedback.done(f"{outcome.message}. All loaded: close the load with F5.")

    def _unload(self, door: str, scan: Scan) -> None:
        approver = self._approver
        outcome = self.station.scan(
            self.stage, scan, lambda s, a: unload_carton(s, a, door, scan, approver), door
        )
        if outcome is None:
            self._reload()  # still unloading, the approval kept: scan the right carton
            return
        self._unloading, self._approver = False, None
        self._reload(outcome.view)
        self.station.feedback.prompt(self.next_scan.text())
        self.station.feedback.attention(outcome.message)

    # -- keys -------------------------------------------------------------------------------
    def _on_unload(self) -> None:
        if self._door is None:
            self.station.feedback.error("Scan the door label first.")
            return
        self._unloading, self._approver = not self._unloading, None
        self._reload(self._view)
        self.station.feedback.prompt(self.next_scan.text())
        if self._unloading:
            self.station.feedback.attention(self.next_scan.text().lstrip("➜ "))

    def _on_close(self) -> None:
        door, view = self._door, self._view
        if door is None or view is None:
            self.station.feedback.error("Scan the door label first.")
            return
        if not view.loaded:
            self.station.feedback.error(f"Nothing is loaded at {door}: scan the cartons first.")
            return
        moment = clock.now().timestamp()
        if moment > self._confirm_until:
            self._confirm_until = moment + CONFIRM_MS / 1000
            waiting = f"; {len(view.expected)} stay for the next truck" if view.expected else ""
            self.station.feedback.attention(
                f"Close {door}: {len(view.loaded)} {view.carrier} carton(s) leave{waiting}. "
                "Press F5 again to close."
            )
            return
        self._confirm_until = 0.0
        closed = self.station.act(lambda s, a: close_load(s, a, door))
        if closed is None:
            self._reload()
            return
        self._reload()
        self.station.feedback.prompt(self.next_scan.text())
        self.station.feedback.done(self._closed_message(closed))
        self._hand_over(closed)

    def _on_reprint(self) -> None:
        door = self._door
        if door is None:
            self.station.feedback.error("Scan the door label first.")
            return
        number = self.station.read(lambda s: last_manifest(s, door))
        if number is None:
            self.station.feedback.error(f"No load has been closed at {door} yet.")
            return
        self.station.feedback.ok(f"Printing manifest {number} again.")
        self._send(number, again=True)

    @staticmethod
    def _closed_message(closed: ClosedLoad) -> str:
        left = f"; {len(closed.not_loaded)} wait for the next truck" if closed.not_loaded else ""
        return (
            f"Manifest {closed.manifest}: {len(closed.cartons)} carton(s) shipped{left}. "
            "Printing the manifest for the driver."
        )

    def _hand_over(self, closed: ClosedLoad) -> None:
        self._send(closed.manifest)

    def _send(self, number: str, *, again: bool = False) -> None:
        """Write and print a committed manifest off the GUI thread (again: as a reprint)."""
        actor = self.station.actor
        if actor is None:
            return
        try:
            _labels, documents = station_printers(self.station.settings)
        except BatonError as exc:
            self.station.feedback.error(f"Printer setting: {exc.message}")
            documents = None
        factory = self.station.database.sessions
        link = FileCarrierLink(manifest_folder())

        def work() -> ManifestHandover:
            return hand_over(factory, actor, link, documents, number, again=again)

        self.pool.start(_HandOver(work, self._signals))

    def _handed_over(self, result: object) -> None:
        if isinstance(result, str):
            self.station.feedback.error(result)
            return
        assert isinstance(result, ManifestHandover)
        problems = [p for p in (result.files_problem, result.print_problem) if p]
        if result.printed is None and not result.print_problem:
            problems.append("The manifest was not printed: check the document printer setting.")
        if problems:
            self.station.feedback.error(" ".join(problems))
        else:
            self.station.feedback.ok(f"Manifest printed. {result.pickup}".strip())

    def shutdown(self) -> None:
        self.tick.stop()
        self.pool.waitForDone(30_000)

"""The supervisor's order desk: every open order, the hold queue, and what to do about a hold."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.formats.order_files import FORMATS
from app.domain.order_drafts import AddressDraft
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.states import CANCELLABLE, VERIFIABLE, OrderStatus
from app.services.desk.lookup import order_found
from app.services.desk.order_actions import cancel_order, fix_address, release_hold
from app.services.desk.order_list import (
    ATTENTION,
    OPEN_STATUSES,
    DeskFilter,
    DeskRow,
    attention_count,
    count_orders,
    desk_rows,
    status_counts,
)
from app.services.desk.orders import show_order
from app.services.intake.line_mapping import UnmappedLine, map_line, unmapped_lines
from app.services.intake.receiving import ImportSummary, import_orders
from app.services.packing.set_aside import back_to_packing
from app.services.picking.waves import MODES, release_wave
from app.ui.address_dialog import AddressDialog
from app.ui.background import BackgroundJob, Progress
from app.ui.cancel_dialog import CancelOrderDialog
from app.ui.found_view import FoundView
from app.ui.map_line_dialog import LineChoice, MapLineDialog
from app.ui.order_model import HOLD_COLUMN, OrderTableModel
from app.ui.screens.base import Screen
from app.ui.station import StationContext

FILTERS: tuple[tuple[str, str | None], ...] = (
    ("Open", None),
    ("On hold", "ON_HOLD"),
    ("Ready", "READY"),
    ("Released", "RELEASED"),
    ("Short", "SHORT"),
    ("Exceptions", "EXCEPTION"),
    ("Carrier issues", ATTENTION),  # the queue "Needs attention after shipping"
    ("All", "ALL"),
)
ATTENTION_QUEUE = next(i for i, (_, status) in enumerate(FILTERS) if status == ATTENTION)
PLACEHOLDER = "Select an order, or scan its number"


class OrderDeskScreen(Screen):
    """Orders by urgency with filters and search; the selected order's holds, lines and timeline."""

    title = "Order desk"
    roles = frozenset({Role.SUPERVISOR})

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self._filter = DeskFilter()
        self._status: str | None = None  # the selected order's status
        self.model = OrderTableModel(self._load_page, self._count, self)
        self.filter_buttons = QButtonGroup(self)
        bar = QHBoxLayout()
        for i, (label, _) in enumerate(FILTERS):
            button = QPushButton(label)
            button.setProperty("compact", True)
            button.setCheckable(True)
            button.setChecked(i == 0)
            if FILTERS[i][1] == ATTENTION:
                button.setToolTip(
                    "Needs attention after shipping: shipped orders the carrier reports "
                    "delayed, not delivered, held or returning"
                )
            self.filter_buttons.addButton(button, i)
            bar.addWidget(button)
        self.filter_buttons.idClicked.connect(self._on_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search number, name, e-mail, city")
        self.search.setMinimumWidth(120)  # room for every queue at 1280 pixels
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._on_search)
        bar.addWidget(self.search, 1)
        release_button = QPushButton("Release &wave…")
        release_button.setToolTip(
            "Release READY orders to the floor as pick lists, most urgent first"
        )
        release_button.clicked.connect(self._on_release_wave)
        import_button = QPushButton("&Import orders…")
        import_button.setToolTip("Import an order file (Shopify export, CSV or JSON)")
        import_button.clicked.connect(self._on_import)
        list_actions = QHBoxLayout()
        list_actions.addWidget(release_button)
        list_actions.addWidget(import_button)
        list_actions.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selected)

        self.detail = FoundView(PLACEHOLDER, headline_pt=22)
        # Alt+F, Alt+M, Alt+R, Alt+C: every action works from the keyboard too.
        self.fix_button = QPushButton("&Fix address…")
        self.map_button = QPushButton("&Map line…")
        self.map_button.setToolTip("Give a line that came without a SKU its product")
        self.release_button = QPushButton("&Release hold")
        self.cancel_button = QPushButton("&Cancel order…")
        self.fix_button.clicked.connect(self._on_fix_address)
        self.map_button.clicked.connect(self._on_map_line)
        self.release_button.clicked.connect(self._on_release)
        self.cancel_button.clicked.connect(self._on_cancel)
        actions = QHBoxLayout()
        for button in (self.fix_button, self.map_button, self.release_button, self.cancel_button):
            actions.addWidget(button)
        detail_box = QWidget()
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.addWidget(self.detail, 1)
        detail_layout.addLayout(actions)

        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table, 1)
        table_layout.addLayout(list_actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(table_box)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([900, 600])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.selected: str | None = None
        self._unmapped: list[UnmappedLine] = []  # the selected order's lines without a SKU
        self.dialog: QDialog | None = None  # the open dialog: fix address, map line, cancel
        self._job: BackgroundJob | None = None
        self._show_actions(None)

    # -- data -----------------------------------------------------------------------------
    def _load_page(self, offset: int, limit: int) -> list[DeskRow]:
        rows = self.station.read(lambda s: desk_rows(s, self._filter, offset, limit))
        return rows or []

    def _count(self) -> int:
        return self.station.read(lambda s: count_orders(s, self._filter)) or 0

    def activate(self) -> None:
        self.refresh()
        self.station.feedback.prompt("Scan an order number, or pick an order from the list.")

    def refresh(self) -> None:
        """Reload the list and the counts, keeping the selected order in view."""
        counts = self.station.read(status_counts) or {}
        open_count = sum(n for s, n in counts.items() if s in OPEN_STATUSES)
        for i, (label, status) in enumerate(FILTERS):
            if status == ATTENTION:
                n = self.station.read(attention_count) or 0
            elif status is None:
                n = open_count
            else:
                n = sum(counts.values()) if status == "ALL" else counts.get(status, 0)
            button = self.filter_buttons.button(i)
            button.setText(f"{label} ({n})")
        self.model.reload()
        self.table.resizeColumnsToContents()
        hold = self.table.columnWidth(HOLD_COLUMN)
        self.table.setColumnWidth(HOLD_COLUMN, max(160, min(hold, 420)))
        if self.selected:
            self.show_order(self.selected)

    def _on_filter(self, index: int) -> None:
        self._filter = DeskFilter(FILTERS[index][1], self._filter.text)
        self.refresh()

    def _on_search(self) -> None:
        self._filter = DeskFilter(self._filter.status, self.search.text())
        self.refresh()

    def _on_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        row = self.model.row_at(indexes[0].row()) if indexes else None
        if row is not None:
            self.show_order(row.number)

    def show_order(self, number: str) -> None:
        """Show an order's holds, lines and timeline in the detail pane."""
        found = self.station.read(lambda s: order_found(s, number))
        if found is None:
            self.selected, self._unmapped = None, []
            self.detail.clear(PLACEHOLDER)
            self._show_actions(None)
            return
        self.selected = number
        self.detail.show_found(found)
        held = found.state in (OrderStatus.ON_HOLD.value, OrderStatus.RECEIVED.value)
        unmapped = self.station.read(lambda s: unmapped_lines(s, number)) if held else None
        self._unmapped = unmapped or []
        self._show_actions(found.state)
        row = self.model.row_of(number)
        if row >= 0 and self.table.currentIndex().row() != row:
            self.table.selectRow(row)

    def _show_actions(self, status: str | None) -> None:
        state = OrderStatus(status) if status else None
        self.fix_button.setEnabled(state in VERIFIABLE)
        # Shown only for an order with a line to map: the row of actions keeps its width.
        self.map_button.setVisible(bool(self._unmapped) and state in VERIFIABLE)
        self._status = status
        self.release_button.setEnabled(state in (OrderStatus.ON_HOLD, OrderStatus.EXCEPTION))
        self.cancel_button.setEnabled(state in CANCELLABLE)

    # -- scans ----------------------------------------------------------------------------
    def on_scan(self, scan: Scan) -> None:
        if scan.kind is not ScanKind.ORDER:
            super().on_scan(scan)
            return
        self.show_order(scan.code)
        if self.selected == scan.code:
            self.station.feedback.ok(f"Order {scan.code}")

    # -- actions --------------------------------------------------------------------------
    def _on_release(self) -> None:
        number = self.selected
        if number is None:
            return
        if self._status == OrderStatus.EXCEPTION.value:  # set aside at packing: back to a bench
            said = self.station.act(lambda s, a: back_to_packing(s, a, number))
            if said is not None:
                self.station.feedback.ok(said)
                self.station.changed()
            return
        verdict = self.station.act(lambda s, a: release_hold(s, a, number))
        if verdict is not None:
            self._report(number, verdict.status.value, verdict.reasons)

    def _on_fix_address(self) -> None:
        number = self.selected
        if number is None:
            return
        detail = self.station.read(lambda s: show_order(s, number))
        if detail is None:
            return
        current = AddressDraft(**detail.ship_to)
        fix = partial(self._fix_address, number)
        self._open_dialog(AddressDialog(self, number, current, detail.order.hold_reasons, fix))

    def _fix_address(self, number: str, address: AddressDraft) -> bool:
        """Save the address and verify again; False (the band says why) keeps the dialog open."""
        verdict = self.station.act(lambda s, a: fix_address(s, a, number, address))
        if verdict is None:
            return False
        self._report(number, verdict.status.value, verdict.reasons)
        return True

    def _on_map_line(self) -> None:
        number = self.selected
        if number is None or not self._unmapped:
            return
        map_it = partial(self._map_line, number)
        self._open_dialog(MapLineDialog(self, number, self._unmapped, map_it))

    def _open_dialog(self, dialog: QDialog) -> None:
        """Window-modal, without a nested event loop; `dialog` names it until it closes."""
        dialog.finished.connect(self._on_dialog_closed)
        self.dialog = dialog
        dialog.open()

    def _on_dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def _map_line(self, number: str, choice: LineChoice) -> bool:
        """Map the chosen line; False (the band says why) keeps the dialog open for another try."""
        # A scanned barcode may carry an AIM prefix or be a GS1 code: read it as a scan.
        scan, code = self.station.classify(choice.code), choice.code
        if isinstance(scan, Scan) and scan.kind is ScanKind.PRODUCT:
            code = scan.code
        mapped = self.station.act(
            lambda s, a: map_line(s, a, number, choice.line_no, code, remember=choice.remember)
        )
        if mapped is None:
            return False
        said = f"Line {mapped.line_no} is {mapped.sku}" + (
            ", remembered for later imports" if mapped.remembered else ""
        )
        verdict = mapped.verdict
        if verdict.reasons:
            self.station.feedback.attention(f"{said}; {number} still on hold: {verdict.reasons[0]}")
        else:
            self.station.feedback.ok(f"{said}; {number} is {verdict.status.value.lower()}.")
        self.station.changed()
        return True

    def _on_cancel(self) -> None:
        number, status = self.selected, self._status
        if number is None or status is None:
            return
        cancel = partial(self._cancel, number)
        self._open_dialog(CancelOrderDialog(self, number, status, cancel))

    def _cancel(self, number: str, reason: str) -> bool:
        """Cancel the order; False (the band says why) keeps the dialog open."""
        if not reason.strip():
            self.station.feedback.attention("A cancellation needs a reason; nothing changed.")
            return False
        released = self.station.act(lambda s, a: cancel_order(s, a, number, reason.strip()))
        if released is None:
            return False
        self.station.feedback.done(f"Order {number} cancelled; {released} units back to stock.")
        self.station.changed()
        return True

    def _report(self, number: str, status: str, reasons: tuple[str, ...]) -> None:
        if reasons:
            self.station.feedback.attention(f"{number} still on hold: {reasons[0]}")
        else:
            self.station.feedback.ok(f"{number} is {status.replace('_', ' ').lower()}.")
        self.station.changed()

    def _on_release_wave(self) -> None:
        count, ok = QInputDialog.getInt(
            self, "Release a wave", "How many READY orders (most urgent first)?", 24, 1, 10_000
        )
        if not ok:
            return
        mode, ok = QInputDialog.getItem(
            self, "Release a wave", "How are they picked?", list(MODES), 0, False
        )
        if not ok:
            return
        wave = self.station.act(lambda s, a: release_wave(s, a, mode=mode, max_orders=count))
        if wave is None:
            return
        if wave.code is None:
            self.station.feedback.attention("No READY orders to release.")
            return
        self.station.feedback.done(
            f"Wave {wave.code}: {wave.orders} orders on {len(wave.pick_lists)} pick lists."
        )
        self.station.changed()

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import orders", "", "Orders (*.csv *.json)")
        if not path:
            return
        default = FORMATS.index("json") if path.lower().endswith(".json") else 0
        fmt, ok = QInputDialog.getItem(
            self, "Import orders", "File format", FORMATS, default, False
        )
        if ok:
            self.import_file(Path(path), fmt)

    def import_file(self, path: Path, fmt: str) -> BackgroundJob | None:
        """Import an order file off the GUI thread with a cancellable progress dialog."""
        actor = self.station.actor
        if actor is None:
            return None
        factory = self.station.database.sessions

        def work(progress: Progress, cancel: threading.Event) -> ImportSummary:
            report = lambda seen: progress(seen, 0)  # noqa: E731 - total unknown while streaming
            return import_orders(factory, actor, path, fmt, progress=report, cancel=cancel)

        self._job = BackgroundJob(self, f"Importing {path.name}", work)
        self._job.done.connect(self._on_imported)
        self._job.failed.connect(lambda exc: self.station.feedback.error(f"Import failed: {exc}"))
        self._job.start()
        return self._job

    def _on_imported(self, summary: ImportSummary) -> None:
        if summary.exit_code == 2:
            self.station.feedback.error(summary.unusable or "The file could not be used.")
            return
        text = (
            f"{len(summary.received)} orders received ({summary.ready} ready, "
            f"{summary.on_hold} on hold), {len(summary.already_received)} already here"
        )
        if summary.skipped:
            number, reason = summary.skipped[0]
            text += f", {len(summary.skipped)} not for the floor ({number}: {reason})"
        if summary.cancelled:
            self.station.feedback.attention(f"Import cancelled: {text}.")
        elif summary.rejected:
            first = summary.rejected[0]
            self.station.feedback.attention(
                f"{text}; {len(summary.rejected)} rejected ({first.where_and_why})"
            )
        else:
            self.station.feedback.done(f"{text}.")
        self.station.changed()

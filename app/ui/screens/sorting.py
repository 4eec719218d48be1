"""The sorter's screen at the put wall: scan a batch tote, then each item and the slot it lights.

The wall is re-read from the put-wall services after every scan; the screen keeps only the
wall it sorts into and the item in the sorter's hand, so a restarted station shows exactly
what is recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.scanning.refusals import Refusal
from app.services.actor import Actor
from app.services.errors import BatonError
from app.services.floor.journal import Stage
from app.services.sorting.put_wall import (
    OverPick,
    SlotView,
    SortOutcome,
    Target,
    WallView,
    WrongPut,
    put,
    return_extra,
    start_batch,
    target_for,
    wall_view,
    walls_status,
)
from app.ui.screens.base import Screen, banner, plain_label, shortcut
from app.ui.station import StationContext

ON_WALL = ("ASSIGNED", "FILLING")

# State -> (background, border, text, word on the tile). A short order is amber while it
# fills and red once complete (it goes to the supervisor, not to the pack bench).
LOOKS = {
    "FREE": ("#eceff1", "#b0bec5", "#78909c", "free"),
    "ASSIGNED": ("#e3f2fd", "#1565c0", "#0d47a1", "waiting"),
    "FILLING": ("#bbdefb", "#1565c0", "#0d47a1", "filling"),
    "COMPLETE": ("#c8e6c9", "#2e7d32", "#1b5e20", "TO PACK"),
    "SHORT": ("#ffe082", "#ff8f00", "#4e342e", "SHORT"),
    "SHORT_COMPLETE": ("#ef9a9a", "#c62828", "#4a0000", "SHORT"),
}
TARGET_LOOK = ("#1a1a1a", "#ffd600", "#ffffff")


def _position(row: int, col: int) -> str:
    """`B5`: the slot's row letter and column, as painted on the wall."""
    return f"{chr(64 + row)}{col}"


def _look(slot: SlotView) -> tuple[str, str, str, str]:
    if slot.short and slot.status in ("COMPLETE", *ON_WALL):
        return LOOKS["SHORT_COMPLETE" if slot.status == "COMPLETE" else "SHORT"]
    return LOOKS.get(slot.status, LOOKS["FREE"])


def _summary(wall: WallView) -> str:
    """The wall at a glance: how many slots are to pack, filling and free."""
    count = Counter(s.status for s in wall.slots)
    filling = sum(count[status] for status in ON_WALL)
    return f"{count['COMPLETE']} to pack · {filling} filling · {count['FREE']} free"


def _target_for(wall: str, item: Scan) -> Callable[[Session, Actor], SortOutcome | WrongPut]:
    """Ask the wall where the item goes; a refusal comes back as a value, to tell an over-pick."""

    def action(session: Session, actor: Actor) -> SortOutcome | WrongPut:
        try:
            return target_for(session, actor, wall, item)
        except WrongPut as exc:
            return exc

    return action


class SlotTile(QFrame):
    """One slot of the wall: position and counts in big type, the order and its state below."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.position = plain_label(26, bold=True)
        self.count = plain_label(26, bold=True)
        self.order = plain_label(13)
        self.state = plain_label(13, bold=True)
        # Each label carries its own size (an application-wide font size would win over the
        # frame's sheet), so the state's text colour is set on each label too.
        self._sizes = [(self.position, 26, 700), (self.count, 26, 700)]
        self._sizes += [(self.order, 13, 400), (self.state, 13, 700)]
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.setSpacing(0)
        for index, label in enumerate((self.position, self.count, self.order, self.state)):
            # The wall's width sets the tiles', never the other way round.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            if index % 2:
                label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            layout.addWidget(label, index // 2, index % 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_slot(self, slot: SlotView, *, target: bool) -> None:
        """Show the slot as it stands; the target slot inverted, with a thick yellow frame."""
        background, border, text, word = _look(slot)
        width = 3
        if target:
            background, border, text = TARGET_LOOK
            width, word = 8, "HERE"
        self.position.setText(_position(slot.row, slot.col))
        self.count.setText(f"{slot.placed} / {slot.expected}" if slot.order else "")
        self.order.setText(slot.order or "")
        self.state.setText(word)
        self.setStyleSheet(
            f"QFrame#tile {{ background: {background}; border: {width}px solid {border};"
            " border-radius: 8px; }"
        )
        for label, size, weight in self._sizes:
            label.setStyleSheet(
                f"font-size: {size}pt; font-weight: {weight}; color: {text};"
                " background: transparent; border: none;"
            )


class SortingScreen(Screen):
    """Shows the wall as it fills and, for the item in hand, the one slot it goes into."""

    title = "Sorting"
    roles = frozenset({Role.SORTER, Role.SUPERVISOR})
    stage = Stage.SORTING

    def __init__(self, station: StationContext) -> None:
        super().__init__(station)
        self._wall: str | None = None  # the wall this station sorts into
        self._item: Scan | None = None  # the item in the sorter's hand
        self._extra: Scan | None = None  # an over-picked item waiting to go back to stock
        self._target: Target | None = None  # where the item in hand goes (re-read on return)
        self._sorter_id: int | None = None
        self.tiles: dict[str, SlotTile] = {}
        self.arrow = plain_label(64, bold=True, color="#0d47a1")
        self.where = plain_label(26, bold=True)
        self.what = plain_label(20, color="#37474f")
        self.next_scan = plain_label(26, bold=True, color="#263238")
        self.grid = QGridLayout()
        self.grid.setSpacing(8)
        self.walls = QComboBox()
        self.walls.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # scans never land in it
        self.walls.setAccessibleName("Put wall")
        self.walls.setStyleSheet("font-size: 16pt; min-width: 120px;")
        self.walls.activated.connect(self._on_wall_chosen)
        self.waiting = plain_label(16, color="#37474f")
        self.waiting.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clear_button = QPushButton("Clear item  [F8]")
        self.clear_button.setStyleSheet("font-size: 16pt; min-height: 48px;")
        self.clear_button.clicked.connect(self._on_clear)
        shortcut("F8", self, self._on_clear)
        self._build()

    def _build(self) -> None:
        band = banner()
        words = QVBoxLayout()
        words.setSpacing(0)
        for label in (self.where, self.what, self.next_scan):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            words.addWidget(label)
        inner = QHBoxLayout(band)
        inner.setContentsMargins(16, 2, 16, 2)
        inner.addWidget(self.arrow)
        inner.addSpacing(24)
        inner.addLayout(words, 1)
        bottom = QHBoxLayout()
        wall_label = plain_label(16, color="#37474f")
        wall_label.setText("Wall")
        bottom.addWidget(wall_label)
        bottom.addWidget(self.walls)
        bottom.addWidget(self.waiting, 1)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(band)
        layout.addLayout(self.grid, 1)
        layout.addLayout(bottom)

    # -- showing ----------------------------------------------------------------------------
    def activate(self) -> None:
        actor = self.station.actor
        if actor is None or actor.operator_id != self._sorter_id:
            self._item = self._extra = self._target = None  # another sorter's hands are empty
            self._sorter_id = actor.operator_id if actor is not None else None
        walls = self.station.read(lambda s: [w.code for w in walls_status(s)]) or []
        self.walls.clear()
        self.walls.addItems(walls)
        if self._wall not in walls:
            self._wall = walls[0] if len(walls) == 1 else None
        if self._wall is not None:
            self.walls.setCurrentText(self._wall)
        else:
            self.walls.setCurrentIndex(-1)
        if self._item is not None and self._wall is not None:
            self._aim(self._item, quiet=True)  # the wall may have moved on meanwhile
            if self._item is None:
                return  # refused now: the red stays up
        else:
            self._reload()
        if not walls:
            self.station.feedback.attention("No put wall is set up: ask a supervisor.")
        else:
            self.station.feedback.prompt(self.next_scan.text())

    def _reload(self, wall: WallView | None = None) -> None:
        """Show the wall (as given, or read again) and the banner for the item in hand."""
        code = self._wall
        if wall is None and code is not None:
            wall = self.station.read(lambda s: wall_view(s, code))
        self._show_wall(wall)
        self._show_banner(wall)

    def _show_wall(self, wall: WallView | None) -> None:
        slots = wall.slots if wall is not None else ()
        if set(self.tiles) != {s.code for s in slots}:
            for tile in self.tiles.values():
                self.grid.removeWidget(tile)
                tile.deleteLater()
            self.tiles = {}
            for slot in slots:
                self.tiles[slot.code] = SlotTile()
                self.grid.addWidget(self.tiles[slot.code], slot.row - 1, slot.col - 1)
        aimed = self._target.slot if self._target is not None else None
        for slot in slots:
            self.tiles[slot.code].show_slot(slot, target=slot.code == aimed)
        waiting = wall.waiting if wall is not None else ()
        self.waiting.setText(
            f"{len(waiting)} order(s) wait for a free slot: {', '.join(waiting[:4])}"
            if waiting
            else ""
        )

    def _show_banner(self, wall: WallView | None) -> None:
        target = self._target
        if target is not None:
            self.arrow.setText(f"→ {_position(target.row, target.col)}")
            self.where.setText(f"Row {chr(64 + target.row)}, Column {target.col}")
            self.what.setText(f"Order {target.order} · SKU {target.sku} × {target.units}")
            self.next_scan.setText(f"➜ Scan slot {target.slot}")
            return
        # Same banner height with or without a target: the wall's tiles never jump.
        self.arrow.setText(wall.code if wall is not None else "?")
        self.where.setText(_summary(wall) if wall is not None else "Which wall?")
        self.what.setText(f"Put wall {wall.code}" if wall is not None else "")
        self.next_scan.setText(f"➜ {self._instruction(wall)}")

    def _instruction(self, wall: WallView | None) -> str:
        if wall is None:
            return "Scan any slot label of your wall, or choose the wall below"
        if self._extra is not None:
            return f"Put the extra {self._extra.code} aside: scan a location to return it"
        if any(s.status in ON_WALL for s in wall.slots):
            return "Scan an item"
        return "Scan a batch tote"

    # -- scans ------------------------------------------------------------------------------
    def on_scan(self, scan: Scan) -> None:
        wall = self._wall
        if wall is None:
            if scan.kind is ScanKind.SLOT:
                self._choose_by_slot(scan)
            elif scan.kind in (ScanKind.TOTE, ScanKind.PRODUCT):
                self.station.refuse_scan(
                    self.stage, scan, "Choose the wall first: scan any of its slot labels."
                )
            else:
                super().on_scan(scan)
            return
        if scan.kind is ScanKind.TOTE:
            self._item = self._target = None
            self._apply(lambda s, a: start_batch(s, a, wall, scan.code), scan)
        elif scan.kind is ScanKind.PRODUCT:
            self._aim(scan)
        elif scan.kind is ScanKind.SLOT:
            self._put(wall, scan)
        elif scan.kind is ScanKind.LOCATION and self._extra is not None:
            self._return(self._extra, scan)
        else:
            super().on_scan(scan)

    def _choose_by_slot(self, slot: Scan) -> None:
        """The first slot label scanned names the wall: its code is the label's prefix."""
        walls = [self.walls.itemText(i) for i in range(self.walls.count())]
        wall = next((w for w in walls if slot.code.startswith(f"{w}-")), None)
        if wall is None:
            self.station.refuse_scan(
                self.stage,
                slot,
                f"Slot {slot.code} is on no put wall set up here.",
                Refusal.WRONG_SLOT,
            )
            return
        self._set_wall(wall)
        self.station.feedback.ok(f"Sorting into wall {wall}.")

    def _aim(self, item: Scan, *, quiet: bool = False) -> None:
        """Light the slot the item goes into, or say why it goes nowhere."""
        wall = self._wall
        assert wall is not None
        self._item = self._target = None
        answer = (
            self.station.act(_target_for(wall, item))
            if quiet  # asked again after a refused put: not a scan of its own
            else self.station.scan(self.stage, item, _target_for(wall, item), wall)
        )
        if isinstance(answer, SortOutcome):
            self._item, self._target, self._extra = item, answer.target, None
            self._reload(answer.wall)
            if not quiet:  # quiet: after a refusal, whose red must stay up
                self.station.feedback.next(self.next_scan.text())
                self.station.feedback.ok(answer.message)
            return
        if isinstance(answer, WrongPut):
            self._refused(item, answer)
        self._reload()

    def _put(self, wall: str, slot: Scan) -> None:
        item = self._item
        if item is None:
            self.station.refuse_scan(
                self.stage, slot, "Scan an item first, then the slot it goes into."
            )
            return
        outcome = self.station.scan(
            self.stage, slot, lambda s, a: put(s, a, wall, item, slot), wall
        )
        if outcome is None:
            # Refused (red shown): the item stays in hand, unless the wall wants it no more.
            self._aim(item, quiet=True)
            return
        self._item = self._target = None
        self._apply_outcome(outcome)

    def _return(self, item: Scan, location: Scan) -> None:
        message = self.station.scan(
            self.stage, location, lambda s, a: return_extra(s, a, item, location)
        )
        if message is not None:
            self._extra = None
            self._reload()
            self.station.feedback.next(self.next_scan.text())
            self.station.feedback.ok(message)

    def _refused(self, item: Scan, error: BatonError) -> None:
        """Red for a refused item; an over-picked one is kept aside to go back to stock."""
        self._extra = item if isinstance(error, OverPick) else None
        self.station.feedback.error(error.message)

    def _apply(self, action: Callable[[Session, Actor], SortOutcome], scanned: Scan) -> None:
        outcome = self.station.scan(self.stage, scanned, action, self._wall or "")
        if outcome is None:
            self._reload()
            return
        self._apply_outcome(outcome)

    def _apply_outcome(self, outcome: SortOutcome) -> None:
        self._reload(outcome.wall)
        self.station.feedback.next(self.next_scan.text())
        if outcome.result == "done":
            self.station.feedback.done(outcome.message)
        elif outcome.result == "attention":
            self.station.feedback.attention(outcome.message)
        else:
            self.station.feedback.ok(outcome.message)

    # -- keys and clicks --------------------------------------------------------------------
    def _on_wall_chosen(self, index: int) -> None:
        self._set_wall(self.walls.itemText(index))

    def _set_wall(self, wall: str) -> None:
        self._wall, self._item, self._target, self._extra = wall, None, None, None
        self.walls.setCurrentText(wall)
        self._reload()
        self.station.feedback.prompt(self.next_scan.text())

    def _on_clear(self) -> None:
        self._item = self._target = self._extra = None
        self._reload()
        self.station.feedback.prompt(self.next_scan.text())

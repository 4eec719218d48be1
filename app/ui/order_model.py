"""The order desk's table model: lazy pages of plain rows, never ORM objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.desk import DeskRow

PAGE = 200
Index = QModelIndex | QPersistentModelIndex
_STATUS_COLOURS = {"ON_HOLD": "#fde2b8", "CANCELLED": "#e6e6e6", "SHORT": "#f9c7c7"}

COLUMNS: tuple[tuple[str, Callable[[DeskRow], str]], ...] = (
    ("Order", lambda r: r.number),
    ("Status", lambda r: r.status.replace("_", " ").title()),
    ("Ship by", lambda r: r.ship_by.astimezone().strftime("%d %b %H:%M") if r.ship_by else "-"),
    ("Hold reasons", lambda r: "; ".join(r.hold_reasons)),
    ("Lines", lambda r: str(r.lines)),
    ("Units", lambda r: str(r.units)),
    ("Carrier", lambda r: f"{r.carrier} {r.service}".strip() or "-"),
    ("Ship to", lambda r: f"{r.customer}, {r.country}" if r.country else r.customer),
)
HOLD_COLUMN = 3


class OrderTableModel(QAbstractTableModel):
    """Rows arrive a page at a time as the view scrolls (Qt's fetchMore protocol)."""

    def __init__(
        self,
        load_page: Callable[[int, int], list[DeskRow]],
        count: Callable[[], int],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._load_page, self._count = load_page, count
        self._rows: list[DeskRow] = []
        self._total = 0

    def reload(self) -> None:
        """Start again from the first page (a new filter, or data changed)."""
        self.beginResetModel()
        self._total = self._count()
        self._rows = self._load_page(0, PAGE) if self._total else []
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int) -> DeskRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, number: str) -> int:
        """The table row of an order already loaded, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.number == number), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        more = self._load_page(len(self._rows), PAGE)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[index.column()][1](row)
        if role == Qt.ItemDataRole.BackgroundRole and row.status in _STATUS_COLOURS:
            return QBrush(QColor(_STATUS_COLOURS[row.status]))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][0]
        return None

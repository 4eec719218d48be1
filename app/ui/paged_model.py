"""One lazy table model for every list a station shows: plain rows, a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[T], str]]


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Rows arrive a page at a time as the view scrolls (Qt's fetchMore protocol).

    Rows are plain values (dataclasses), never ORM objects: a model can outlive the session
    that read them. `count` (optional) gives the total up front; without it, a short page
    means the end. `decorate(row, column, role)` adds colours, fonts and tooltips.
    """

    def __init__(
        self,
        columns: Sequence[Column[T]],
        load_page: Callable[[int, int], list[T]],
        *,
        count: Callable[[], int] | None = None,
        key: Callable[[T], object] = id,
        decorate: Callable[[T, int, int], Any] | None = None,
        page: int = 200,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._load_page, self._count, self._key = load_page, count, key
        self._decorate = decorate
        self._page = page
        self._rows: list[T] = []
        self._total: int | None = None
        self._more = False

    def reload(self) -> None:
        """Start again from the first page (a new filter, or data changed)."""
        self.beginResetModel()
        self._total = self._count() if self._count is not None else None
        self._rows = self._load_page(0, self._page) if self._total != 0 else []
        self._more = len(self._rows) == self._page
        self.endResetModel()

    @property
    def total(self) -> int:
        """All rows the source has (as counted at the last reload), or the rows loaded so far."""
        return self._total if self._total is not None else len(self._rows)

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: object) -> int:
        """The table row of an item already loaded (by its key), or -1."""
        return next((i for i, r in enumerate(self._rows) if self._key(r) == key), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid():
            return False
        if self._total is not None:
            return len(self._rows) < self._total
        return self._more

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        more = self._load_page(len(self._rows), self._page)
        self._more = len(more) == self._page
        if not more:
            self._total = len(self._rows) if self._total is not None else None
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](row)
        if self._decorate is not None:
            return self._decorate(row, index.column(), role)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][0]
        return None

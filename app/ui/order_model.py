"""The order desk's table: its columns and colours on the shared lazy model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.services.desk.order_list import DeskRow
from app.ui.paged_model import PagedTableModel

PAGE = 200
_STATUS_COLOURS = {"ON_HOLD": "#fde2b8", "CANCELLED": "#e6e6e6", "SHORT": "#f9c7c7"}

COLUMNS: tuple[tuple[str, Callable[[DeskRow], str]], ...] = (
    ("Order", lambda r: r.number),
    ("Status", lambda r: r.status.replace("_", " ").title()),
    ("Ship by", lambda r: r.ship_by.astimezone().strftime("%d %b %H:%M") if r.ship_by else "-"),
    ("Reasons", lambda r: "; ".join(r.hold_reasons)),  # holds, or a carrier exception
    ("Lines", lambda r: str(r.lines)),
    ("Units", lambda r: str(r.units)),
    ("Carrier", lambda r: f"{r.carrier} {r.service}".strip() or "-"),
    ("Ship to", lambda r: f"{r.customer}, {r.country}" if r.country else r.customer),
)
HOLD_COLUMN = 3


def _decorate(row: DeskRow, column: int, role: int) -> Any:
    if role == Qt.ItemDataRole.ToolTipRole:
        return COLUMNS[column][1](row)
    if role == Qt.ItemDataRole.BackgroundRole and row.status in _STATUS_COLOURS:
        return QBrush(QColor(_STATUS_COLOURS[row.status]))
    if role == Qt.ItemDataRole.BackgroundRole and row.status == "SHIPPED" and row.hold_reasons:
        return QBrush(QColor(_STATUS_COLOURS["ON_HOLD"]))  # a carrier exception: look at it
    return None


class OrderTableModel(PagedTableModel[DeskRow]):
    """The order desk's rows: orders by urgency, held ones tinted."""

    def __init__(
        self,
        load_page: Callable[[int, int], list[DeskRow]],
        count: Callable[[], int],
        parent: Any = None,
    ) -> None:
        super().__init__(
            COLUMNS,
            load_page,
            count=count,
            key=lambda row: row.number,
            decorate=_decorate,
            page=PAGE,
            parent=parent,
        )

"""Tables whose rows flow onto further pages: capacity per page, header, rows, rules."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.printing.document import Item, Line
from app.printing.layout import TableElement, TextStyle

if TYPE_CHECKING:
    from app.printing.compose import Composer


def table_capacity(table: TableElement, first_page: bool) -> int:
    """How many rows fit on the first (or a following) page."""
    top = table.y if first_page else table.continue_y
    return int((table.bottom - top - table.header_height) / table.row_height + 1e-6)


def page_count(table: TableElement | None, rows: int) -> int:
    """Pages needed for `rows` table rows (1 without a table)."""
    if table is None:
        return 1
    first = table_capacity(table, True)
    if rows <= first:
        return 1
    return 1 + math.ceil((rows - first) / table_capacity(table, False))


def table_items(
    composer: Composer,
    table: TableElement,
    rows: Sequence[Mapping[str, Any]],
    start: int,
    page: int,
    pages: int,
) -> list[Item]:
    """The header and this page's share of rows."""
    top = table.y if page == 1 else table.continue_y
    items: list[Item] = []
    pad = table.padding
    cell = TextStyle(wrap=True, line_height=1.1)
    if table.header:
        cx = table.x
        for column in table.columns:
            style = replace(
                cell, size=table.header_size, bold=True, align=column.align, max_lines=1
            )
            box = (cx + pad, top + pad, column.w - 2 * pad, table.header_height)
            items += composer.text(column.title, *box, style, f"{table.name} header")
            cx += column.w
        rule_y = top + table.header_height
        items.append(Line(table.x, rule_y, table.x + table.w, rule_y, 0.3, f"{table.name} header"))
    y = top + table.header_height
    for offset, row in enumerate(rows):
        row_no = start + offset + 1
        get = composer.getter(table.name, page, pages, row, row_no)
        cx = table.x
        for i, column in enumerate(table.columns):
            owner = f"{table.name} row {row_no} column {column.title or i + 1}"
            if column.barcode is not None:
                spec = column.barcode
                items += composer.barcode(spec, cx, y + pad, column.w, column.align, owner, get)
            elif column.text is not None:
                style = replace(
                    cell,
                    family=column.font,
                    size=column.size or table.size,
                    bold=column.bold,
                    align=column.align,
                    max_lines=column.max_lines,
                )
                box = (cx + pad, y + pad, column.w - 2 * pad, table.row_height - 2 * pad)
                items += composer.text(column.text.fill(get), *box, style, owner)
            cx += column.w
        y += table.row_height
        if table.rules:
            items.append(Line(table.x, y, table.x + table.w, y, 0.1, f"{table.name} rules"))
    return items

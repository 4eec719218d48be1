"""Tables whose rows grow to fit their text and flow onto further pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from app.printing.document import Item, Line, item_boxes, shifted
from app.printing.layout import TableElement, TextStyle

if TYPE_CHECKING:
    from app.printing.compose import Composer


@dataclass(frozen=True)
class RowBlock:
    """One composed row: its height and its items, placed as if the row started at y = 0."""

    height: float
    items: tuple[Item, ...]


def compose_rows(
    composer: Composer, table: TableElement, rows: Sequence[Mapping[str, Any]]
) -> list[RowBlock]:
    """Every row, as tall as `row_height` or as its text needs (up to a column's max_lines)."""
    pad = table.padding
    cell = TextStyle(wrap=True, line_height=1.1)
    blocks: list[RowBlock] = []
    for index, row in enumerate(rows):
        row_no = index + 1
        # Page numbers are not known yet while rows are measured; cells cannot use them.
        get = composer.getter(table.name, 0, 0, row, row_no)
        items: list[Item] = []
        cx = table.x
        for i, column in enumerate(table.columns):
            owner = f"{table.name} row {row_no} column {column.title or i + 1}"
            if column.barcode is not None:
                spec = column.barcode
                items += composer.barcode(spec, cx, pad, column.w, column.align, owner, get)
            elif column.text is not None:
                style = replace(
                    cell,
                    family=column.font,
                    size=column.size or table.size,
                    bold=column.bold,
                    align=column.align,
                    max_lines=column.max_lines,
                )
                # With max_lines the row grows to fit them; without, the text fits the row.
                height = None if column.max_lines else table.row_height - 2 * pad
                box = (cx + pad, pad, column.w - 2 * pad, height)
                items += composer.text(column.text.fill(get), *box, style, owner)
            cx += column.w
        ink = max((box[3] for item in items for box in item_boxes(item)), default=0.0)
        blocks.append(RowBlock(max(table.row_height, ink + pad), tuple(items)))
    return blocks


def paginate(table: TableElement, blocks: Sequence[RowBlock]) -> list[list[int]]:
    """Row indexes per page: rows are added while they end above `bottom`."""
    pages: list[list[int]] = [[]]
    y = table.y + table.header_height
    for index, block in enumerate(blocks):
        if pages[-1] and y + block.height > table.bottom + 1e-6:
            pages.append([])
            y = table.continue_y + table.header_height
        pages[-1].append(index)
        y += block.height
    return pages


def table_items(
    composer: Composer,
    table: TableElement,
    blocks: Sequence[RowBlock],
    indexes: Sequence[int],
    page: int,
) -> list[Item]:
    """The header and this page's rows, with a thin rule under each row."""
    top = table.y if page == 1 else table.continue_y
    items: list[Item] = []
    pad = table.padding
    if table.header:
        cx = table.x
        for column in table.columns:
            style = TextStyle(
                size=table.header_size, bold=True, align=column.align, wrap=False, max_lines=1
            )
            box = (cx + pad, top + pad, column.w - 2 * pad, table.header_height)
            items += composer.text(column.title, *box, style, f"{table.name} header")
            cx += column.w
        rule_y = top + table.header_height
        items.append(Line(table.x, rule_y, table.x + table.w, rule_y, 0.3, f"{table.name} header"))
    y = top + table.header_height
    for index in indexes:
        block = blocks[index]
        items += [shifted(item, y) for item in block.items]
        y += block.height
        if table.rules:
            items.append(Line(table.x, y, table.x + table.w, y, 0.1, f"{table.name} rules"))
    return items

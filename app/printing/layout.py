"""The layout model: a page size and elements placed in millimetres, parsed from TOML data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from app.printing.errors import LayoutError
from app.printing.templates import Template

Align = Literal["left", "center", "right"]
PageSet = Literal["all", "first", "rest", "last"]
Verify = Literal["none", "gtin", "sscc", "tracking"]
Hri = Literal["below", "above", "none"]

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "a5": (148.0, 210.0),
    "a6": (105.0, 148.0),
    "letter": (215.9, 279.4),
    "cr80": (85.6, 54.0),
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)")


def page_size(spec: str) -> tuple[float, float]:
    """A named size ("A4", "Letter", "A6", "CR80") or "WxHin" / "WxHmm", in millimetres."""
    key = spec.strip().lower().replace(" ", "")
    if key in PAGE_SIZES:
        return PAGE_SIZES[key]
    match = _SIZE.fullmatch(key)
    if match is None:
        raise ValueError(f"unknown page size {spec!r} (e.g. A4, Letter, A6, 4x6in, 100x50mm)")
    factor = 25.4 if match.group(3) == "in" else 1.0
    return float(match.group(1)) * factor, float(match.group(2)) * factor


@dataclass(frozen=True)
class Page:
    """Page size in millimetres and the printer resolution barcodes are sized for."""

    width: float
    height: float
    dpi: int = 203


@dataclass(frozen=True)
class Placed:
    """What every element has: a name for messages and the pages it appears on."""

    name: str
    pages: PageSet


@dataclass(frozen=True)
class TextStyle:
    """How text is set and fitted into its box."""

    family: str = "sans"
    size: float = 10.0
    bold: bool = False
    align: Align = "left"
    wrap: bool = True
    max_lines: int | None = None
    min_size: float | None = None
    line_height: float = 1.15
    color: Literal["black", "white"] = "black"
    keep_blank_lines: bool = False


@dataclass(frozen=True)
class TextElement(Placed):
    """Text in a box `w` wide with its top at `y`; wraps, shrinks and ellipsises to fit."""

    x: float
    y: float
    w: float
    h: float | None
    text: Template
    font: str = "sans"
    size: float = 10.0
    bold: bool = False
    align: Align = "left"
    wrap: bool = True
    max_lines: int | None = None
    min_size: float | None = None
    line_height: float = 1.15
    color: Literal["black", "white"] = "black"
    keep_blank_lines: bool = False

    @property
    def style(self) -> TextStyle:
        """The element's text settings."""
        return TextStyle(
            self.font,
            self.size,
            self.bold,
            self.align,
            self.wrap,
            self.max_lines,
            self.min_size,
            self.line_height,
            self.color,
            self.keep_blank_lines,
        )


@dataclass(frozen=True)
class LineElement(Placed):
    """A straight line from (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float = 0.3


@dataclass(frozen=True)
class BoxElement(Placed):
    """A rectangle, outlined or filled."""

    x: float
    y: float
    w: float
    h: float
    thickness: float = 0.3
    fill: bool = False


@dataclass(frozen=True)
class BarcodeSpec:
    """How a barcode is drawn: symbology, sizes and its human-readable line."""

    symbology: str
    data: Template
    height: float
    module: float = 0.375
    min_module: float | None = None
    hri: Hri = "below"
    hri_text: Template | None = None
    hri_size: float = 9.0
    hri_bold: bool = False
    verify: Verify = "none"
    carrier: Template | None = None


@dataclass(frozen=True)
class BarcodeElement(Placed):
    """A barcode with its quiet zones inside the box x..x+w, aligned there."""

    x: float
    y: float
    w: float
    spec: BarcodeSpec
    align: Align = "center"


@dataclass(frozen=True)
class ImageElement(Placed):
    """A picture (logo) scaled to fit its box, keeping its proportions."""

    x: float
    y: float
    w: float
    h: float
    file: Template
    align: Align = "center"


@dataclass(frozen=True)
class Column:
    """One table column: a text cell or a barcode cell."""

    title: str
    w: float
    text: Template | None = None
    barcode: BarcodeSpec | None = None
    align: Align = "left"
    bold: bool = False
    size: float | None = None
    font: str = "sans"
    max_lines: int | None = None


@dataclass(frozen=True)
class TableElement(Placed):
    """Repeating rows from a list value; rows flow onto further pages."""

    x: float
    y: float
    w: float
    rows: str
    columns: tuple[Column, ...]
    row_height: float
    bottom: float
    continue_y: float
    size: float = 9.0
    header: bool = True
    header_size: float = 8.0
    header_height: float = 6.0
    rules: bool = True
    padding: float = 1.0


Element = TextElement | LineElement | BoxElement | BarcodeElement | ImageElement | TableElement


@dataclass(frozen=True)
class Layout:
    """A document layout: its page, its elements in drawing order, and sample values."""

    name: str
    title: str
    description: str
    page: Page
    elements: tuple[Element, ...]
    sample: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None

    @property
    def table(self) -> TableElement | None:
        """The flowing table, if the layout has one (at most one is allowed)."""
        return next((e for e in self.elements if isinstance(e, TableElement)), None)

    def value_names(self) -> tuple[str, ...]:
        """Every top-level value the layout reads, in order of first use."""
        seen: dict[str, None] = {}
        for element in self.elements:
            for name in _element_names(element):
                seen.setdefault(name, None)
        for special in ("page", "pages"):
            seen.pop(special, None)
        return tuple(seen)

    def row_names(self) -> tuple[str, ...]:
        """The values each table row reads (looked up in the row, then in the document)."""
        table = self.table
        if table is None:
            return ()
        seen: dict[str, None] = {}
        for column in table.columns:
            for template in _column_templates(column):
                for name in template.names:
                    seen.setdefault(name, None)
        seen.pop("row_no", None)
        return tuple(seen)


def _spec_templates(spec: BarcodeSpec) -> list[Template]:
    return [t for t in (spec.data, spec.hri_text, spec.carrier) if t is not None]


def _column_templates(column: Column) -> list[Template]:
    found = [column.text] if column.text is not None else []
    if column.barcode is not None:
        found += _spec_templates(column.barcode)
    return found


def _element_names(element: Element) -> list[str]:
    if isinstance(element, TextElement):
        return list(element.text.names)
    if isinstance(element, BarcodeElement):
        return [n for t in _spec_templates(element.spec) for n in t.names]
    if isinstance(element, ImageElement):
        return list(element.file.names)
    if isinstance(element, TableElement):
        return [element.rows]
    return []


def require(condition: bool, layout: str, message: str) -> None:
    """Raise LayoutError(message) unless `condition` holds."""
    if not condition:
        raise LayoutError(layout, message)

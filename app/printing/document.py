"""A composed document: pages of positioned primitives that the PDF and ZPL writers draw."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from app.printing.barcodes import Symbol, dots_to_mm
from app.printing.fonts import FontFace
from app.printing.layout import Align, Layout

PT_TO_MM = 25.4 / 72
Box = tuple[float, float, float, float]  # left, top, right, bottom in mm from the top-left


@dataclass(frozen=True)
class TextLine:
    """One line of text; `left` is where it starts after alignment in its box."""

    box_x: float
    box_w: float
    align: Align
    baseline: float
    size: float
    runs: tuple[tuple[FontFace, str], ...]
    text: str
    width: float
    bold: bool
    color: str
    owner: str

    @property
    def left(self) -> float:
        """x of the first glyph."""
        if self.align == "center":
            return self.box_x + (self.box_w - self.width) / 2
        if self.align == "right":
            return self.box_x + self.box_w - self.width
        return self.box_x

    @property
    def bbox(self) -> Box:
        """Ink extent, from ascender to descender."""
        ascent = max((f.ascent for f, _ in self.runs), default=760.0)
        descent = min((f.descent for f, _ in self.runs), default=-240.0)
        top = self.baseline - ascent / 1000 * self.size * PT_TO_MM
        bottom = self.baseline - descent / 1000 * self.size * PT_TO_MM
        return (self.left, top, self.left + self.width, bottom)


@dataclass(frozen=True)
class Rect:
    """A filled rectangle or an outline `thickness` wide (drawn inside the box)."""

    x: float
    y: float
    w: float
    h: float
    fill: bool
    thickness: float
    owner: str

    def boxes(self) -> list[Box]:
        """The inked areas (four edges for an outline, so things inside do not clash)."""
        x0, y0, x1, y1 = self.x, self.y, self.x + self.w, self.y + self.h
        if self.fill:
            return [(x0, y0, x1, y1)]
        t = self.thickness
        return [
            (x0, y0, x1, y0 + t),
            (x0, y1 - t, x1, y1),
            (x0, y0, x0 + t, y1),
            (x1 - t, y0, x1, y1),
        ]


@dataclass(frozen=True)
class Line:
    """A straight line."""

    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float
    owner: str

    def box(self) -> Box:
        """The line's ink as a box (butt ends: it widens only across its direction)."""
        t = self.thickness / 2
        dx = t if self.x1 == self.x2 else 0.0
        dy = t if self.y1 == self.y2 else 0.0
        return (
            min(self.x1, self.x2) - dx,
            min(self.y1, self.y2) - dy,
            max(self.x1, self.x2) + dx,
            max(self.y1, self.y2) + dy,
        )


@dataclass(frozen=True)
class Bars:
    """A barcode's bars: `x` is the first bar, on a printer-dot edge."""

    x: float
    y: float
    height: float
    symbol: Symbol
    module_dots: int
    dpi: int
    guard_extra: float
    owner: str

    @property
    def module_mm(self) -> float:
        """The narrow bar width."""
        return dots_to_mm(self.module_dots, self.dpi)

    @property
    def bars_width(self) -> float:
        """From the first bar's left edge to the last bar's right edge."""
        return len(self.symbol.modules) * self.module_mm

    @property
    def quiet_box(self) -> Box:
        """Bars plus quiet zones: nothing else may be drawn here."""
        return (
            self.x - self.symbol.quiet_left * self.module_mm,
            self.y,
            self.x + self.bars_width + self.symbol.quiet_right * self.module_mm,
            self.y + self.height + self.guard_extra,
        )


@dataclass(frozen=True)
class Picture:
    """An image scaled into x, y, w, h (already fitted to keep its proportions)."""

    x: float
    y: float
    w: float
    h: float
    path: Path
    owner: str


Item = TextLine | Rect | Line | Bars | Picture


@dataclass
class PageOut:
    """One composed page."""

    width: float
    height: float
    items: list[Item] = field(default_factory=list)


@dataclass
class Composed:
    """A layout filled with data: its pages, and warnings such as shortened text."""

    layout: Layout
    dpi: int
    pages: list[PageOut]
    warnings: list[str]


def shifted(item: Item, dy: float) -> Item:
    """The same item moved down by `dy` millimetres."""
    if isinstance(item, TextLine):
        return replace(item, baseline=item.baseline + dy)
    if isinstance(item, Line):
        return replace(item, y1=item.y1 + dy, y2=item.y2 + dy)
    return replace(item, y=item.y + dy)


def item_boxes(item: Item) -> list[Box]:
    """The areas an item inks."""
    if isinstance(item, TextLine):
        return [item.bbox]
    if isinstance(item, Rect):
        return item.boxes()
    if isinstance(item, Line):
        return [item.box()]
    if isinstance(item, Bars):
        return [item.quiet_box]
    return [(item.x, item.y, item.x + item.w, item.y + item.h)]


def _overlap(a: Box, b: Box) -> bool:
    eps = 0.01
    return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps


def placement_problems(page: PageOut) -> list[str]:
    """Ink off the page, and anything inside a barcode's quiet zone."""
    problems: list[str] = []
    for item in page.items:
        for box in item_boxes(item):
            if (
                box[0] < -0.01
                or box[1] < -0.01
                or box[2] > page.width + 0.01
                or (box[3] > page.height + 0.01)
            ):
                problems.append(f"{item.owner} reaches outside the page")
                break
    for bars in (i for i in page.items if isinstance(i, Bars)):
        zone = bars.quiet_box
        for other in page.items:
            if other is bars or other.owner == bars.owner:
                continue
            if any(_overlap(zone, box) for box in item_boxes(other)):
                problems.append(f"{other.owner} is inside the quiet zone of {bars.owner}")
    return problems

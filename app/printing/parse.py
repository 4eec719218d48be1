"""Turn a layout file's data (TOML tables) into a checked Layout; every mistake is named."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.printing.barcodes import SYMBOLOGIES
from app.printing.errors import LayoutError
from app.printing.fonts import FAMILIES
from app.printing.layout import (
    BarcodeElement,
    BarcodeSpec,
    BoxElement,
    Column,
    Element,
    ImageElement,
    Layout,
    LineElement,
    Page,
    TableElement,
    TextElement,
    page_size,
    require,
)
from app.printing.templates import Template, parse_template

_MISSING = object()


class _Fields:
    """Typed access to one TOML table; unknown keys are reported, not ignored."""

    def __init__(self, raw: Mapping[str, Any], layout: str, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise LayoutError(layout, f"{where} must be a table")
        self.raw = raw
        self.layout = layout
        self.where = where
        self.used: set[str] = set()

    def get(self, key: str, default: object) -> Any:
        self.used.add(key)
        if key in self.raw:
            return self.raw[key]
        if default is _MISSING:
            raise LayoutError(self.layout, f"{self.where} needs '{key}'")
        return default

    def fail(self, message: str) -> LayoutError:
        return LayoutError(self.layout, f"{self.where}: {message}")

    def num(self, key: str, default: Any = _MISSING) -> Any:
        value = self.get(key, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.fail(f"'{key}' must be a number, not {value!r}")
        if value is not None and value < 0:
            raise self.fail(f"'{key}' must not be negative")
        return float(value) if value is not None else None

    def int_(self, key: str, default: Any = _MISSING) -> Any:
        value = self.get(key, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(f"'{key}' must be a whole number, not {value!r}")
        return value

    def text(self, key: str, default: Any = _MISSING) -> Any:
        value = self.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"'{key}' must be text, not {value!r}")
        return value

    def flag(self, key: str, default: Any = _MISSING) -> Any:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false, not {value!r}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: Any = _MISSING) -> Any:
        value = self.get(key, default)
        if value not in options:
            raise self.fail(f"'{key}' must be one of {', '.join(options)}, not {value!r}")
        return value

    def template(self, key: str, default: Any = _MISSING) -> Any:
        source = self.text(key, default)
        if source is None:
            return None
        try:
            return parse_template(source)
        except ValueError as exc:
            raise self.fail(f"'{key}': {exc}") from None

    def finish(self, ignore: tuple[str, ...] = ()) -> None:
        unknown = sorted(set(self.raw) - self.used - set(ignore))
        if unknown:
            raise self.fail(f"unknown setting(s) {', '.join(unknown)}")


def _font(f: _Fields, bold: bool) -> str:
    family: str = f.choice("font", tuple(FAMILIES), "sans")
    if bold and FAMILIES[family][1] is None:
        raise f.fail(f"font '{family}' has no bold")
    return family


def _barcode_spec(f: _Fields, height_key: str = "height") -> BarcodeSpec:
    spec = BarcodeSpec(
        symbology=f.choice("symbology", SYMBOLOGIES),
        data=f.template("data"),
        height=f.num(height_key),
        module=f.num("module", 0.375),
        min_module=f.num("min_module", None),
        hri=f.choice("hri", ("below", "above", "none"), "below"),
        hri_text=f.template("hri_text", None),
        hri_size=f.num("hri_size", 9.0),
        hri_bold=f.flag("hri_bold", False),
        verify=f.choice("verify", ("none", "gtin", "sscc", "tracking"), "none"),
        carrier=f.template("carrier", "{carrier}" if f.raw.get("verify") == "tracking" else None),
    )
    if spec.module <= 0 or spec.height <= 0:
        raise f.fail("barcode 'module' and height must be positive")
    return spec


def _column(raw: Mapping[str, Any], layout: str, where: str, remaining: float) -> Column:
    f = _Fields(raw, layout, where)
    bold = f.flag("bold", False)
    kind = f.choice("kind", ("text", "barcode"), "text")
    column = Column(
        title=f.text("title", ""),
        w=f.num("w", remaining),
        text=f.template("text") if kind == "text" else None,
        barcode=_barcode_spec(f, "bar_height") if kind == "barcode" else None,
        align=f.choice("align", ("left", "center", "right"), "left"),
        bold=bold,
        size=f.num("size", None),
        font=_font(f, bold),
        max_lines=f.int_("max_lines", None),
    )
    f.finish()
    return column


def _element(raw: Mapping[str, Any], layout: str, index: int) -> Element:
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    where = f"element {index + 1} ({kind or 'no type'})"
    f = _Fields(raw, layout, where)
    f.choice("type", ("text", "line", "box", "barcode", "image", "table"))
    name = f.text("name", where)
    pages = f.choice("pages", ("all", "first", "rest", "last"), "all")
    element: Element
    if kind == "text":
        bold = f.flag("bold", False)
        element = TextElement(
            name,
            pages,
            f.num("x"),
            f.num("y"),
            f.num("w"),
            f.num("h", None),
            f.template("text"),
            font=_font(f, bold),
            size=f.num("size", 10.0),
            bold=bold,
            align=f.choice("align", ("left", "center", "right"), "left"),
            wrap=f.flag("wrap", True),
            max_lines=f.int_("max_lines", None),
            min_size=f.num("min_size", None),
            line_height=f.num("line_height", 1.15),
            color=f.choice("color", ("black", "white"), "black"),
            keep_blank_lines=f.flag("keep_blank_lines", False),
        )
    elif kind == "line":
        element = LineElement(
            name,
            pages,
            f.num("x1"),
            f.num("y1"),
            f.num("x2"),
            f.num("y2"),
            f.num("thickness", 0.3),
        )
    elif kind == "box":
        element = BoxElement(
            name,
            pages,
            f.num("x"),
            f.num("y"),
            f.num("w"),
            f.num("h"),
            f.num("thickness", 0.3),
            f.flag("fill", False),
        )
    elif kind == "barcode":
        element = BarcodeElement(
            name,
            pages,
            f.num("x"),
            f.num("y"),
            f.num("w"),
            _barcode_spec(f),
            f.choice("align", ("left", "center", "right"), "center"),
        )
    elif kind == "image":
        element = ImageElement(
            name,
            pages,
            f.num("x"),
            f.num("y"),
            f.num("w"),
            f.num("h"),
            f.template("file"),
            f.choice("align", ("left", "center", "right"), "center"),
        )
    else:
        element = _table(f, name, pages)
    f.finish()
    return element


def _table(f: _Fields, name: str, pages: Any) -> TableElement:
    x, y, w = f.num("x"), f.num("y"), f.num("w")
    raw_columns = f.get("columns", _MISSING)
    if not isinstance(raw_columns, list) or not raw_columns:
        raise f.fail("'columns' must be a list of column tables")
    columns: list[Column] = []
    used = 0.0
    for i, raw in enumerate(raw_columns):
        column = _column(raw, f.layout, f"{f.where} column {i + 1}", max(0.0, w - used))
        used += column.w
        columns.append(column)
    if used > w + 0.01:
        raise f.fail(f"columns are {used:g} mm wide but the table is {w:g} mm")
    for column in columns:
        templates: list[Template | None] = [column.text]
        if column.barcode:
            templates += [column.barcode.data, column.barcode.hri_text, column.barcode.carrier]
        if any(t and {"page", "pages"} & set(t.names) for t in templates):
            raise f.fail("{page} and {pages} cannot be used in table cells")
    return TableElement(
        name,
        pages,
        x,
        y,
        w,
        f.text("rows"),
        tuple(columns),
        f.num("row_height"),
        f.num("bottom"),
        f.num("continue_y", y),
        size=f.num("size", 9.0),
        header=f.flag("header", True),
        header_size=f.num("header_size", 8.0),
        header_height=f.num("header_height", 6.0),
        rules=f.flag("rules", True),
        padding=f.num("padding", 1.0),
    )


def _page(raw: Any, layout: str) -> Page:
    f = _Fields(raw, layout, "[page]")
    size = f.text("size", None)
    try:
        width, height = page_size(size) if size else (f.num("width"), f.num("height"))
    except ValueError as exc:
        raise f.fail(str(exc)) from None
    if size and ("width" in f.raw or "height" in f.raw):
        raise f.fail("give either 'size' or 'width' and 'height'")
    dpi = f.int_("dpi", 203)
    if dpi not in (203, 300, 600):
        raise f.fail(f"'dpi' must be 203, 300 or 600, not {dpi}")
    page = Page(width, height, dpi)
    f.finish(ignore=("width", "height"))
    return page


def parse_layout(name: str, data: Mapping[str, Any], source: Path | None = None) -> Layout:
    """Build a Layout from a parsed layout file; LayoutError names the first problem."""
    top = _Fields(data, name, "layout")
    page = _page(top.get("page", _MISSING), name)
    raw_elements = top.get("element", [])
    if not isinstance(raw_elements, list) or not raw_elements:
        raise LayoutError(name, "has no elements: they are written as [[element]] tables")
    elements = tuple(_element(raw, name, i) for i, raw in enumerate(raw_elements))
    sample = top.get("sample", {})
    if not isinstance(sample, Mapping):
        raise LayoutError(name, "[sample] must be a table of example values")
    layout = Layout(
        name,
        top.text("title", name),
        top.text("description", ""),
        page,
        elements,
        dict(sample),
        source,
    )
    top.finish()
    _check_geometry(layout)
    return layout


def _check_geometry(layout: Layout) -> None:
    """Elements must lie on the page; at most one flowing table."""
    width, height = layout.page.width, layout.page.height
    tables = [e for e in layout.elements if isinstance(e, TableElement)]
    require(len(tables) <= 1, layout.name, "a layout can have one table at most")
    for e in layout.elements:
        if isinstance(e, LineElement):
            box = (min(e.x1, e.x2), min(e.y1, e.y2), max(e.x1, e.x2), max(e.y1, e.y2))
        elif isinstance(e, TableElement):
            box = (e.x, e.y, e.x + e.w, e.bottom)
            require(
                e.bottom > e.y + e.header_height + e.row_height
                and e.bottom > e.continue_y + e.header_height + e.row_height,
                layout.name,
                f"{e.name}: 'bottom' leaves no room for a row",
            )
        elif isinstance(e, TextElement):
            box = (e.x, e.y, e.x + e.w, e.y + (e.h or 0.0))
        elif isinstance(e, BarcodeElement):
            box = (e.x, e.y, e.x + e.w, e.y + e.spec.height)
        else:
            box = (e.x, e.y, e.x + e.w, e.y + e.h)
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width + 0.01 and box[3] <= height + 0.01
        require(inside, layout.name, f"{e.name} reaches outside the {width:g} x {height:g} mm page")

"""Fill a layout with values: text fitted, barcodes encoded and sized, rows flowed onto pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from app.domain.gtin import is_gtin
from app.printing.barcodes import (
    dots_to_mm,
    encode,
    fitting_module_dots,
    module_dots,
    snap_mm,
    width_mm,
)
from app.printing.document import (
    PT_TO_MM,
    Bars,
    Composed,
    Item,
    Line,
    PageOut,
    Picture,
    Rect,
    TextLine,
    placement_problems,
)
from app.printing.errors import (
    BadValue,
    BarcodeError,
    LayoutError,
    MissingValue,
    UnprintableText,
)
from app.printing.fonts import FontBook, text_width
from app.printing.gs1 import is_sscc, parse_element_string
from app.printing.layout import (
    Align,
    BarcodeElement,
    BarcodeSpec,
    BoxElement,
    ImageElement,
    Layout,
    LineElement,
    TableElement,
    TextElement,
    TextStyle,
)
from app.printing.library import LayoutLibrary
from app.printing.tables import RowBlock, compose_rows, paginate, table_items
from app.printing.templates import value_text
from app.printing.textfit import fit_text
from app.printing.tracking import check_tracking_number

Getter = Callable[[str], str]
HRI_GAP = 0.6  # mm between bars and their human-readable line


@lru_cache(maxsize=64)
def _image_size(path: Path, mtime: float) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


class Composer:
    """Composes one document; holds what every element of it shares."""

    def __init__(
        self,
        layout: Layout,
        values: Mapping[str, Any],
        dpi: int,
        fonts: FontBook,
        library: LayoutLibrary,
    ) -> None:
        self.layout = layout
        self.values = values
        self.dpi = dpi
        self.fonts = fonts
        self.library = library
        self.warnings: list[str] = []

    def getter(
        self,
        where: str,
        page: int,
        pages: int,
        row: Mapping[str, Any] | None = None,
        row_no: int = 0,
    ) -> Getter:
        """Look a name up in the row, then page numbers, then the document's values."""

        def get(name: str) -> str:
            if row is not None:
                if name == "row_no":
                    return str(row_no)
                if name in row:
                    return value_text(row[name])
            if name == "page":
                return str(page)
            if name == "pages":
                return str(pages)
            if name in self.values:
                value = self.values[name]
                if isinstance(value, list | tuple | dict):
                    raise BadValue(f"value '{name}' used as text in {where} is a list or table")
                return value_text(value)
            place = where if row is None else f"{where}, row {row_no}"
            raise MissingValue(self.layout.name, name, place)

        return get

    def compose(self) -> Composed:
        """All pages of the document."""
        table = self.layout.table
        blocks: list[RowBlock] = []
        page_rows: list[list[int]] = [[]]
        if table is not None:
            blocks = compose_rows(self, table, self._rows(table))
            page_rows = paginate(table, blocks)
        pages = len(page_rows)
        out: list[PageOut] = []
        for number in range(1, pages + 1):
            page = PageOut(self.layout.page.width, self.layout.page.height)
            for element in self.layout.elements:
                shown = {
                    "all": True,
                    "first": number == 1,
                    "rest": number > 1,
                    "last": number == pages,
                }[element.pages]
                if not shown:
                    continue
                get = self.getter(element.name, number, pages)
                if isinstance(element, TableElement):
                    rows = page_rows[number - 1]
                    page.items += table_items(self, element, blocks, rows, number)
                else:
                    page.items += self.element(element, get)
            problems = placement_problems(page)
            if problems:
                raise LayoutError(self.layout.name, "; ".join(dict.fromkeys(problems)))
            out.append(page)
        return Composed(self.layout, self.dpi, out, self.warnings)

    def _rows(self, table: TableElement) -> Sequence[Mapping[str, Any]]:
        if table.rows not in self.values:
            raise MissingValue(self.layout.name, table.rows, f"rows of {table.name}")
        rows = self.values[table.rows]
        if not isinstance(rows, list | tuple) or not all(isinstance(r, Mapping) for r in rows):
            raise BadValue(f"value '{table.rows}' must be a list of rows (tables of values)")
        return rows

    def element(self, element: Any, get: Getter) -> list[Item]:
        """The primitives of one non-table element."""
        if isinstance(element, TextElement):
            text = element.text.fill(get)
            t = element
            return self.text(text, t.x, t.y, t.w, t.h, t.style, t.name)
        if isinstance(element, LineElement):
            ends = (element.x1, element.y1, element.x2, element.y2)
            return [Line(*ends, element.thickness, element.name)]
        if isinstance(element, BoxElement):
            b = element
            return [Rect(b.x, b.y, b.w, b.h, b.fill, b.thickness, b.name)]
        if isinstance(element, BarcodeElement):
            e = element
            return self.barcode(e.spec, e.x, e.y, e.w, e.align, e.name, get)
        if isinstance(element, ImageElement):
            return self.image(element, get)
        raise TypeError(element)

    def text(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        h: float | None,
        style: TextStyle,
        owner: str,
    ) -> list[Item]:
        """Lines of fitted text with their top at `y`."""
        paragraphs = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n")]
        if not style.keep_blank_lines:
            paragraphs = [p for p in paragraphs if p]
        if not any(paragraphs):
            return []
        family, bold = style.family, style.bold
        missing = self.fonts.split("".join(paragraphs), family, bold).missing
        if missing:
            raise UnprintableText(self.layout.name, owner, text, missing)
        fitted = fit_text(
            paragraphs,
            w,
            fonts=self.fonts,
            family=family,
            bold=bold,
            size=style.size,
            min_size=style.min_size,
            wrap=style.wrap,
            max_lines=style.max_lines,
            height=h,
            line_height=style.line_height,
        )
        if fitted.truncated:
            self.warnings.append(f"{owner}: text shortened to fit: {text!r}")
        size_mm = fitted.size * PT_TO_MM
        baseline = y + self.fonts.face(family, bold).ascent / 1000 * size_mm
        items: list[Item] = []
        for line in fitted.lines:
            runs = self.fonts.split(line, family, bold)
            width = text_width(runs, fitted.size) * PT_TO_MM
            items.append(
                TextLine(
                    x,
                    w,
                    style.align,
                    baseline,
                    fitted.size,
                    runs.runs,
                    line,
                    width,
                    bold,
                    style.color,
                    owner,
                )
            )
            baseline += size_mm * style.line_height
        return items

    def barcode(
        self,
        spec: BarcodeSpec,
        x: float,
        y: float,
        w: float,
        align: Align,
        owner: str,
        get: Getter,
    ) -> list[Item]:
        """Bars sized to whole printer dots inside x..x+w, with the human-readable line."""
        raw = spec.data.fill(get).strip()
        try:
            data = self._verified(spec, raw, get)
            symbol = encode(spec.symbology, data)
        except BarcodeError as exc:
            raise BarcodeError(f"layout '{self.layout.name}', {owner}: {exc}") from None
        dots = fitting_module_dots(symbol, spec.module, spec.min_module, w, self.dpi)
        if dots is None:
            need = width_mm(symbol, module_dots(spec.min_module or spec.module, self.dpi), self.dpi)
            raise BarcodeError(
                f"layout '{self.layout.name}', {owner}: {data!r} needs {need:.1f} mm with its "
                f"quiet zones but only {w:.1f} mm are free"
            )
        module = dots_to_mm(dots, self.dpi)
        total = width_mm(symbol, dots, self.dpi)
        offset = {"left": 0.0, "center": (w - total) / 2, "right": w - total}[align]
        direction = {"left": 1, "center": 0, "right": -1}[align]
        bars_x = snap_mm(x + offset + symbol.quiet_left * module, self.dpi, direction)
        hri_mm = spec.hri_size * PT_TO_MM
        guard_extra = 0.5 * hri_mm if symbol.guards and spec.hri == "below" else 0.0
        bars = Bars(bars_x, y, spec.height, symbol, dots, self.dpi, guard_extra, owner)
        items: list[Item] = [bars]
        if spec.hri == "none":
            return items
        text = spec.hri_text.fill(get) if spec.hri_text is not None else symbol.human_readable
        if spec.hri == "below":
            top = y + spec.height + (0.15 * hri_mm if symbol.guards else HRI_GAP)
        else:
            top = y - HRI_GAP - hri_mm
        style = TextStyle(
            size=spec.hri_size,
            bold=spec.hri_bold,
            align="center",
            wrap=False,
            max_lines=1,
            min_size=spec.hri_size * 0.7,
            line_height=1.0,
        )
        if symbol.symbology == "ean13" and spec.hri_text is None:
            # The retail look: first digit left of the bars, six under each half.
            first = replace(style, align="right")
            left_edge = bars_x - symbol.quiet_left * module
            items += self.text(
                text[0], left_edge, top, (symbol.quiet_left - 1) * module, None, first, owner
            )
            items += self.text(text[1:7], bars_x + 3 * module, top, 42 * module, None, style, owner)
            items += self.text(text[7:], bars_x + 50 * module, top, 42 * module, None, style, owner)
            return items
        zone = bars.quiet_box
        items += self.text(text, zone[0], top, zone[2] - zone[0], None, style, owner)
        return items

    def _verified(self, spec: BarcodeSpec, data: str, get: Getter) -> str:
        if spec.verify == "tracking":
            carrier = spec.carrier.fill(get) if spec.carrier is not None else ""
            return check_tracking_number(carrier, data)
        if spec.verify == "gtin" and not is_gtin(data):
            raise BarcodeError(f"{data!r} is not a GTIN with a correct check digit")
        if spec.verify == "sscc":
            if spec.symbology == "gs1-128":
                if not any(ai == "00" for ai, _ in parse_element_string(data).fields):
                    raise BarcodeError(f"{data!r} carries no SSCC (00)")
            elif not is_sscc(data):
                raise BarcodeError(f"{data!r} is not an SSCC-18 with a correct check digit")
        return data

    def image(self, element: ImageElement, get: Getter) -> list[Item]:
        """The picture fitted into its box; an empty file value leaves the box empty."""
        file = element.file.fill(get).strip()
        if not file:
            return []
        path = self.library.resolve(file)
        if not path.is_file():
            raise LayoutError(
                self.layout.name,
                f"{element.name}: image file {file!r} not found in {self.library.folder}",
            )
        try:
            iw, ih = _image_size(path, path.stat().st_mtime)
        except OSError as exc:  # not a picture Pillow can read (PIL errors are OSErrors)
            raise LayoutError(
                self.layout.name, f"{element.name}: image file {file!r} cannot be read: {exc}"
            ) from None
        scale = min(element.w / iw, element.h / ih)
        w, h = iw * scale, ih * scale
        x = {
            "left": element.x,
            "center": element.x + (element.w - w) / 2,
            "right": element.x + element.w - w,
        }[element.align]
        return [Picture(x, element.y + (element.h - h) / 2, w, h, path, element.name)]

"""ZPL II from composed pages: escaped UTF-8 text, ^BC/^BE barcodes, boxes and bitmaps."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.printing.barcodes import Symbol
from app.printing.document import PT_TO_MM, Bars, Line, PageOut, Picture, Rect, TextLine

# The printer's scalable font 0 with ^CI28 prints these; other text is sent as a bitmap.
_FONT0 = frozenset(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x100)]) - {"\\"}
# ^, ~ and _ would start a command, a control command or (under ^FH) a hex escape.
_ESCAPE = frozenset("^~_\\")
# Code 128 characters whose ^BC spelling is ambiguous between firmware manuals: drawn as bars.
_BC_UNSAFE = frozenset("^~>")


def escape_field_data(text: str) -> str:
    """Field data for use after ^FH: command characters and controls as _XX hex bytes."""
    out: list[str] = []
    for ch in text:
        if ch in _ESCAPE or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("".join(f"_{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def code128_field(symbol: Symbol) -> str | None:
    """^BC field data (no mode) that reproduces `symbol`'s codewords exactly; None if unsafe."""
    parts: list[str] = []
    subset = "B"
    for value in symbol.codewords:
        if value >= 99:  # switches, FNC1 and start codes: ZPL's >5 ... >; invocation codes
            parts.append(">" + chr(ord("0") + value - 94))
            subset = {99: "C", 100: "B", 101: "A", 103: "A", 104: "B", 105: "C"}.get(value, subset)
        elif subset == "C":
            parts.append(f"{value:02d}")
        elif subset == "B" and 0 <= value < 95 and chr(value + 32) not in _BC_UNSAFE:
            parts.append(chr(value + 32))
        else:
            return None
    return "".join(parts)


@lru_cache(maxsize=16)
def _pil_font(path: Path, subfont: int, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size=pixels, index=subfont)


def bitmap_field(image: Image.Image) -> str:
    """^GFA of a picture: dark pixels print, light ones do not."""
    mono = image.convert("L").point(lambda v: 255 if v < 128 else 0).convert("1")
    row = math.ceil(mono.width / 8)
    data = mono.tobytes()
    return f"^GFA,{len(data)},{len(data)},{row},{data.hex().upper()}"


@lru_cache(maxsize=32)
def _picture_field(path: Path, mtime: float, width: int, height: int) -> str:
    with Image.open(path) as image:
        rgba = image.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, "white")
    flat.alpha_composite(rgba)
    return bitmap_field(flat.convert("L").resize((width, height), Image.Resampling.LANCZOS))


class ZplWriter:
    """Turns pages into ^XA ... ^XZ label formats for one printer resolution."""

    def __init__(self, dpi: int = 203) -> None:
        if dpi not in (203, 300, 600):
            raise ValueError("ZPL printers print at 203, 300 or 600 dpi")
        self.dpi = dpi

    def dots(self, mm: float) -> int:
        """Millimetres to printer dots."""
        return round(mm * self.dpi / 25.4)

    def page(self, page: PageOut) -> str:
        """One label format."""
        d = self.dots
        out = ["^XA", "^CI28", f"^PW{d(page.width)}", f"^LL{d(page.height)}", "^LH0,0"]
        for item in page.items:
            if isinstance(item, TextLine):
                out.append(self._text(item))
            elif isinstance(item, Bars):
                out.append(self._bars(item))
            elif isinstance(item, Rect):
                out.append(self._rect(item))
            elif isinstance(item, Line):
                out.append(self._line(item))
            elif isinstance(item, Picture):
                pic = _picture_field(item.path, item.path.stat().st_mtime, d(item.w), d(item.h))
                out.append(f"^FO{d(item.x)},{d(item.y)}{pic}^FS")
        out.append("^PQ1")
        out.append("^XZ")
        return "\n".join(out) + "\n"

    def _text(self, line: TextLine) -> str:
        d = self.dots
        size_mm = line.size * PT_TO_MM
        ascent = max(f.ascent for f, _ in line.runs) / 1000 * size_mm
        top = line.baseline - ascent
        reverse = "^FR" if line.color == "white" else ""
        if all(ch in _FONT0 for ch in line.text):
            height = max(10, d(size_mm))
            justify = {"left": "L", "center": "C", "right": "R"}[line.align]
            return (
                f"^FO{d(line.box_x)},{d(top)}^A0N,{height},{height}"
                f"^FB{d(line.box_w)},1,0,{justify}{reverse}^FH^FD"
                f"{escape_field_data(line.text)}^FS"
            )
        return f"^FO{d(line.left)},{d(top)}{reverse}{self._text_bitmap(line)}^FS"

    def _text_bitmap(self, line: TextLine) -> str:
        """Text the printer's font may lack, drawn here with the same fonts as the PDF."""
        pixels = max(1, round(line.size / 72 * self.dpi))
        descent = -min(f.descent for f, _ in line.runs) / 1000
        ascent = max(f.ascent for f, _ in line.runs) / 1000
        width = self.dots(line.width) + 2
        height = math.ceil((ascent + descent) * pixels) + 1
        image = Image.new("L", (max(width, 1), max(height, 1)), 255)
        draw = ImageDraw.Draw(image)
        x = 0.0
        baseline = ascent * pixels
        for face, text in line.runs:
            font = _pil_font(face.path, face.subfont, pixels)
            draw.text((x, baseline), text, font=font, fill=0, anchor="ls")
            x += font.getlength(text)
        return bitmap_field(image)

    def _bars(self, bars: Bars) -> str:
        d = self.dots
        symbol = bars.symbol
        height = d(bars.height)
        origin = f"^FO{d(bars.x)},{d(bars.y)}^BY{bars.module_dots},3,{height}"
        if symbol.symbology == "ean13":
            # The printer adds the check digit itself; it must equal ours.
            return f"{origin}^BEN,{height},N,N^FD{symbol.data[:12]}^FS"
        field = code128_field(symbol)
        if field is not None:
            return f"{origin}^BCN,{height},N,N,N,N^FD{field}^FS"
        return self._bars_as_boxes(bars)

    def _bars_as_boxes(self, bars: Bars) -> str:
        """The exact bars as ^GB boxes (for data ^BC cannot carry unambiguously)."""
        d = self.dots
        x0, top, height = d(bars.x), d(bars.y), d(bars.height)
        m = bars.module_dots
        return "\n".join(
            f"^FO{x0 + start * m},{top}^GB{width * m},{height},{width * m}^FS"
            for start, width in bars.symbol.bars()
        )

    def _rect(self, rect: Rect) -> str:
        d = self.dots
        w, h = max(1, d(rect.w)), max(1, d(rect.h))
        thickness = min(w, h) if rect.fill else max(1, d(rect.thickness))
        return f"^FO{d(rect.x)},{d(rect.y)}^GB{w},{h},{thickness}^FS"

    def _line(self, line: Line) -> str:
        d = self.dots
        t = max(1, d(line.thickness))
        x1, y1, x2, y2 = d(line.x1), d(line.y1), d(line.x2), d(line.y2)
        if y1 == y2 or x1 == x2:
            left, top = min(x1, x2), min(y1, y2)
            w, h = abs(x2 - x1), abs(y2 - y1)
            if h == 0:
                return f"^FO{left},{top - t // 2}^GB{max(w, t)},{t},{t}^FS"
            return f"^FO{left - t // 2},{top}^GB{t},{max(h, t)},{t}^FS"
        # Diagonal: ^GD leans right (R) when the line rises to the right.
        lean = "R" if (x2 - x1) * (y2 - y1) < 0 else "L"
        return f"^FO{min(x1, x2)},{min(y1, y2)}^GD{abs(x2 - x1)},{abs(y2 - y1)},{t},B,{lean}^FS"

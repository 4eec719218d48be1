"""Draw composed pages with ReportLab: embedded TrueType text, barcodes as vector bars."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.printing.document import Bars, Line, PageOut, Picture, Rect, TextLine
from app.printing.fonts import FontBook

MM = 72 / 25.4  # points per millimetre

# Binary (not ASCII85) streams: smaller files, and ReportLab's ASCII85 encoder runs in pure
# Python unless its optional C accelerator is installed, which made every label 3x slower.
rl_config.useA85 = 0


@lru_cache(maxsize=32)
def _image(path: Path, mtime: float, width_mm: float, height_mm: float, dpi: int) -> ImageReader:
    """The picture at its printed size on white (labels are white): small and quick to embed."""
    with Image.open(path) as original:
        rgba = original.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, "white")
    flat.alpha_composite(rgba)
    image = flat.convert("RGB")
    r, g, b = image.split()
    if r.tobytes() == g.tobytes() == b.tobytes():
        image = r  # grey only: one channel, a third of the data
    width = max(1, math.ceil(width_mm / 25.4 * dpi))
    height = max(1, math.ceil(height_mm / 25.4 * dpi))
    if width < image.width and height < image.height:
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return ImageReader(image)


class PdfWriter:
    """One PDF file receiving pages one after another (a single label or a batch of 1,000)."""

    def __init__(self, out: BinaryIO, title: str, fonts: FontBook, dpi: int = 300) -> None:
        # invariant: no timestamps or random ids, so equal input gives equal bytes. The
        # initial font is ours, so no unused, unembedded Helvetica is listed in the file.
        self.canvas = Canvas(
            out, invariant=True, pageCompression=1, initialFontName=fonts.face("sans").name
        )
        self.canvas.setTitle(title)
        self.canvas.setCreator("Baton")
        self.canvas.setProducer("Baton")
        self.pages = 0
        self.dpi = max(dpi, 203)  # pictures are embedded at the printer's resolution

    def page(self, page: PageOut) -> None:
        """Draw one page and close it."""
        c = self.canvas
        height = page.height
        c.setPageSize((page.width * MM, height * MM))
        for item in page.items:
            if isinstance(item, TextLine):
                self._text(item, height)
            elif isinstance(item, Bars):
                self._bars(item, height)
            elif isinstance(item, Rect):
                self._rect(item, height)
            elif isinstance(item, Line):
                c.setLineWidth(item.thickness * MM)
                c.setStrokeGray(0)
                c.line(item.x1 * MM, (height - item.y1) * MM, item.x2 * MM, (height - item.y2) * MM)
            elif isinstance(item, Picture):
                mtime = item.path.stat().st_mtime
                reader = _image(item.path, mtime, item.w, item.h, self.dpi)
                c.drawImage(
                    reader,
                    item.x * MM,
                    (height - item.y - item.h) * MM,
                    item.w * MM,
                    item.h * MM,
                    mask="auto",
                )
        c.showPage()
        self.pages += 1

    def _text(self, line: TextLine, height: float) -> None:
        c = self.canvas
        c.setFillGray(1 if line.color == "white" else 0)
        x = line.left * MM
        y = (height - line.baseline) * MM
        if len(line.runs) == 1:
            face, text = line.runs[0]
            c.setFont(face.name, line.size)
            c.drawString(x, y, text)
            return
        # Runs of several fonts in one text object, each continuing where the last ended: a
        # reader of the file then finds one line of text, not a line per font.
        words = c.beginText(x, y)
        for face, text in line.runs:
            words.setFont(face.name, line.size)
            words.textOut(text)
        c.drawText(words)

    def _rect(self, rect: Rect, height: float) -> None:
        c = self.canvas
        top = height - rect.y - rect.h
        if rect.fill:
            c.setFillGray(0)
            c.rect(rect.x * MM, top * MM, rect.w * MM, rect.h * MM, stroke=0, fill=1)
            return
        # The stroke is centred on the path: inset by half its width so the ink stays inside.
        t = rect.thickness
        c.setLineWidth(t * MM)
        c.setStrokeGray(0)
        c.rect(
            (rect.x + t / 2) * MM,
            (top + t / 2) * MM,
            (rect.w - t) * MM,
            (rect.h - t) * MM,
            stroke=1,
            fill=0,
        )

    def _bars(self, bars: Bars, height: float) -> None:
        c = self.canvas
        module = bars.module_dots * 72 / bars.dpi  # exact points per narrow bar
        x0 = bars.x * MM
        top = (height - bars.y) * MM
        normal = bars.height * MM
        tall = (bars.height + bars.guard_extra) * MM
        guards = set(bars.symbol.guards)
        path = c.beginPath()
        for start, width in bars.symbol.bars():
            h = tall if (start, width) in guards else normal
            path.rect(x0 + start * module, top - h, width * module, h)
        c.setFillGray(0)
        c.drawPath(path, stroke=0, fill=1)

    def save(self) -> None:
        """Finish the file."""
        self.canvas.save()

"""Helpers for the printing tests: rasterise rendered PDFs and read their barcodes back."""

from __future__ import annotations

import io
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from app.printing.library import LABELS_DIR, LayoutLibrary


@dataclass(frozen=True)
class Read:
    """One barcode as a scanner would report it."""

    format: str
    symbology_id: str
    text: str


def rasterise(pdf: bytes | Path, dpi: int) -> list[Image.Image]:
    """Every page of a PDF as a greyscale picture at exactly `dpi`, dots counted from top-left.

    A page whose size is not a whole number of pixels is cut on the right and at the bottom
    rather than stretched, so that pixel n is printer dot n as on a label printer.
    """
    document = pdfium.PdfDocument(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    scale = dpi / 72
    try:
        images = []
        for page in document:
            # PDFium stretches a page onto a whole number of pixels; crop the page to a whole
            # number instead (keeping its top-left corner) so that nothing is stretched.
            width, height = page.get_size()
            fit_w = (math.floor(width * scale + 1e-6) - 0.01) / scale
            fit_h = (math.floor(height * scale + 1e-6) - 0.01) / scale
            page.set_cropbox(0, height - fit_h, fit_w, height)
            images.append(page.render(scale=scale, grayscale=True).to_pil())
        return images
    finally:
        document.close()


def read_barcodes(image: Image.Image) -> list[Read]:
    """All barcodes zxing-cpp finds, with raw text (GS separators kept)."""
    found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    return [Read(r.format.name, r.symbology_identifier, r.text) for r in found]


@pytest.fixture
def labels_copy(tmp_path: Path) -> LayoutLibrary:
    """A private copy of labels/ that a test may edit."""
    folder = tmp_path / "labels"
    shutil.copytree(LABELS_DIR, folder)
    return LayoutLibrary(folder)


def write_layout(folder: Path, name: str, text: str) -> None:
    """Write a layout file into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")


MINIMAL = """
title = "Test"
[page]
width = 100
height = 60
{extra}
"""


def layout_text(elements: str, extra: str = "") -> str:
    """A small 100 x 60 mm layout with `elements` (TOML [[element]] tables)."""
    return MINIMAL.format(extra=extra) + elements

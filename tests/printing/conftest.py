"""Helpers for the printing tests: rasterise rendered PDFs and read their barcodes back."""

from __future__ import annotations

import io
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
    """Every page of a PDF as a greyscale picture at `dpi`."""
    document = pdfium.PdfDocument(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
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

"""The rendering entry points: a layout and its values to PDF or to ZPL."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.printing.compose import Composer
from app.printing.document import Composed
from app.printing.fonts import FontBook, default_fonts
from app.printing.layout import Layout
from app.printing.library import LayoutLibrary, default_library
from app.printing.pdf import PdfWriter
from app.printing.zpl import ZplWriter


@dataclass(frozen=True)
class RenderResult:
    """What a render produced: pages, documents, and warnings worth showing (cut-off text)."""

    layout: str
    documents: int
    pages: int
    warnings: tuple[str, ...]


def resolve_layout(layout: Layout | str, library: LayoutLibrary | None = None) -> Layout:
    """A Layout as given, or loaded by name from the library."""
    if isinstance(layout, Layout):
        return layout
    return (library or default_library()).load(layout)


def compose(
    layout: Layout | str,
    data: Mapping[str, Any],
    *,
    dpi: int | None = None,
    fonts: FontBook | None = None,
    library: LayoutLibrary | None = None,
) -> Composed:
    """Fill `layout` with `data` (over the site values) into positioned pages."""
    library = library or default_library()
    resolved = resolve_layout(layout, library)
    composer = Composer(
        resolved,
        library.values_for(data),
        dpi or resolved.page.dpi,
        fonts or default_fonts(),
        library,
    )
    return composer.compose()


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file under a temporary name and rename it, so no half file is ever seen.

    The file gets the mode any new file of the user gets (0666 less the umask), as a print
    spooler or a colleague reading the PDF folder expects; mkstemp would make it 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = _new_file(path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _new_file(folder: Path) -> tuple[int, str]:
    """A new hidden file in `folder`, open for writing, created with mode 0666 & ~umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = str(folder / f".{secrets.token_hex(8)}.part")
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue


def render_pdf(
    layout: Layout | str,
    data: Mapping[str, Any],
    out: Path | str | BinaryIO,
    *,
    dpi: int | None = None,
    fonts: FontBook | None = None,
    library: LayoutLibrary | None = None,
) -> RenderResult:
    """Render one document to a PDF file (or binary stream); barcodes sized for `dpi`."""
    composed = compose(layout, data, dpi=dpi, fonts=fonts, library=library)

    def write(fh: BinaryIO) -> None:
        writer = PdfWriter(fh, composed.layout.title, fonts or default_fonts(), composed.dpi)
        for page in composed.pages:
            writer.page(page)
        writer.save()

    if isinstance(out, str | Path):
        write_atomically(Path(out), write)
    else:
        write(out)
    return RenderResult(composed.layout.name, 1, len(composed.pages), tuple(composed.warnings))


def pdf_bytes(layout: Layout | str, data: Mapping[str, Any], *, dpi: int | None = None) -> bytes:
    """The PDF of one document in memory (for a system-printer backend)."""
    buffer = io.BytesIO()
    render_pdf(layout, data, buffer, dpi=dpi)
    return buffer.getvalue()


def render_zpl(
    layout: Layout | str,
    data: Mapping[str, Any],
    dpi: int = 203,
    *,
    warnings: list[str] | None = None,
    fonts: FontBook | None = None,
    library: LayoutLibrary | None = None,
) -> str:
    """ZPL II for a thermal printer at `dpi` (203 or 300); one ^XA..^XZ per page."""
    composed = compose(layout, data, dpi=dpi, fonts=fonts, library=library)
    if warnings is not None:
        warnings.extend(composed.warnings)
    writer = ZplWriter(dpi)
    return "".join(writer.page(page) for page in composed.pages)

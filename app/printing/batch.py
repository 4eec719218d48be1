"""Many documents into one PDF or one ZPL stream, with progress and cancellation (no Qt)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Generator, Iterable, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from app.printing.document import Composed
from app.printing.errors import PrintingError
from app.printing.fonts import FontBook, default_fonts
from app.printing.layout import Layout
from app.printing.library import LayoutLibrary
from app.printing.pdf import PdfWriter
from app.printing.render import compose, resolve_layout, write_atomically
from app.printing.zpl import ZplWriter

Cancel = threading.Event | Callable[[], bool] | None
OnError = Literal["stop", "skip"]


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch is: documents done (rendered or failed) out of `total` (None: unknown)."""

    done: int
    total: int | None
    failed: int


@dataclass(frozen=True)
class BatchResult:
    """What a batch produced; with `cancelled` nothing was written."""

    layout: str
    documents: int
    pages: int
    failed: tuple[tuple[int, str], ...]
    cancelled: bool
    warnings: tuple[str, ...]


def is_cancelled(cancel: Cancel) -> bool:
    """Whether the operator asked to stop (an Event that is set, or a callable saying True)."""
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def compose_each(
    layout: Layout,
    documents: Iterable[Mapping[str, Any]],
    *,
    dpi: int | None,
    cancel: Cancel,
    on_error: OnError,
    fonts: FontBook | None = None,
    library: LayoutLibrary | None = None,
) -> Generator[tuple[BatchProgress, Composed | None, tuple[int, str] | None], None, bool]:
    """Compose documents one by one; yields progress with each; returns True if cancelled."""
    total = len(documents) if isinstance(documents, Sized) else None
    failed = 0
    for index, data in enumerate(documents):
        if is_cancelled(cancel):
            return True
        composed: Composed | None = None
        failure: tuple[int, str] | None = None
        try:
            composed = compose(layout, data, dpi=dpi, fonts=fonts, library=library)
        except PrintingError as exc:
            if on_error == "stop":
                exc.add_note(f"document {index + 1} of the batch")
                raise
            failure = (index, str(exc))
            failed += 1
        yield BatchProgress(index + 1, total, failed), composed, failure
    return is_cancelled(cancel)


@dataclass
class _Tally:
    """What a batch's composing produced, whichever writer took the pages."""

    rendered: int = 0
    pages: int = 0
    cancelled: bool = False
    failed: tuple[tuple[int, str], ...] = ()
    warnings: tuple[str, ...] = ()


def _compose_into(
    steps: Generator[tuple[BatchProgress, Composed | None, tuple[int, str] | None], None, bool],
    take: Callable[[Composed], None],
) -> Generator[BatchProgress, None, _Tally]:
    """Hand each composed document to `take`, yielding progress; returns the tally."""
    tally = _Tally()
    while True:
        try:
            progress, composed, failure = next(steps)
        except StopIteration as stop:
            tally.cancelled = bool(stop.value)
            return tally
        if composed is not None:
            take(composed)
            tally.rendered += 1
            tally.pages += len(composed.pages)
            tally.warnings += tuple(composed.warnings)
        if failure is not None:
            tally.failed += (failure,)
        yield progress


def pdf_batch_steps(
    layout: Layout | str,
    documents: Iterable[Mapping[str, Any]],
    out: Path | str | BinaryIO,
    *,
    dpi: int | None = None,
    cancel: Cancel = None,
    on_error: OnError = "stop",
    fonts: FontBook | None = None,
    library: LayoutLibrary | None = None,
) -> Generator[BatchProgress, None, BatchResult]:
    """Render every document into one PDF, yielding progress after each document."""
    resolved = resolve_layout(layout, library)
    buffer = io.BytesIO()
    writer = PdfWriter(buffer, resolved.title, fonts or default_fonts(), dpi or resolved.page.dpi)
    steps = compose_each(
        resolved,
        documents,
        dpi=dpi,
        cancel=cancel,
        on_error=on_error,
        fonts=fonts,
        library=library,
    )

    def take(composed: Composed) -> None:
        for page in composed.pages:
            writer.page(page)

    tally = yield from _compose_into(steps, take)
    cancelled, rendered = tally.cancelled, tally.rendered
    result = BatchResult(
        resolved.name, rendered, writer.pages, tally.failed, cancelled, tally.warnings
    )
    if cancelled or rendered == 0:
        return result
    writer.save()
    data = buffer.getvalue()

    def write(fh: BinaryIO) -> None:
        fh.write(data)

    if isinstance(out, str | Path):
        write_atomically(Path(out), write)
    else:
        write(out)
    return result


def render_batch_pdf(
    layout: Layout | str,
    documents: Iterable[Mapping[str, Any]],
    out: Path | str | BinaryIO,
    *,
    dpi: int | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    cancel: Cancel = None,
    on_error: OnError = "stop",
) -> BatchResult:
    """Render many documents (e.g. 1,000 shipping labels) into one PDF; progress by callback."""
    return drive_steps(
        pdf_batch_steps(layout, documents, out, dpi=dpi, cancel=cancel, on_error=on_error),
        progress,
    )


def zpl_batch_steps(
    layout: Layout | str,
    documents: Iterable[Mapping[str, Any]],
    chunks: list[str],
    *,
    dpi: int = 203,
    cancel: Cancel = None,
    on_error: OnError = "stop",
    fonts: FontBook | None = None,
    library: LayoutLibrary | None = None,
) -> Generator[BatchProgress, None, BatchResult]:
    """Render every document to ZPL, appending label formats to `chunks`; yields progress."""
    resolved = resolve_layout(layout, library)
    zpl = ZplWriter(dpi)
    produced: list[str] = []
    steps = compose_each(
        resolved,
        documents,
        dpi=dpi,
        cancel=cancel,
        on_error=on_error,
        fonts=fonts,
        library=library,
    )
    tally = yield from _compose_into(steps, lambda c: produced.extend(map(zpl.page, c.pages)))
    if not tally.cancelled:
        chunks += produced
    return BatchResult(
        resolved.name, tally.rendered, tally.pages, tally.failed, tally.cancelled, tally.warnings
    )


def render_batch_zpl(
    layout: Layout | str,
    documents: Iterable[Mapping[str, Any]],
    dpi: int = 203,
    *,
    progress: Callable[[BatchProgress], None] | None = None,
    cancel: Cancel = None,
    on_error: OnError = "stop",
) -> tuple[str, BatchResult]:
    """ZPL for many documents in one string (empty when cancelled)."""
    chunks: list[str] = []
    result = drive_steps(
        zpl_batch_steps(layout, documents, chunks, dpi=dpi, cancel=cancel, on_error=on_error),
        progress,
    )
    return "".join(chunks), result


def drive_steps(
    steps: Generator[BatchProgress, None, BatchResult],
    progress: Callable[[BatchProgress], None] | None,
) -> BatchResult:
    """Run a batch generator to its end, passing each progress step to `progress`."""
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            result: BatchResult = stop.value
            return result
        if progress is not None:
            progress(step)

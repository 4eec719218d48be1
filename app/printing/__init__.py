"""Labels and printing: layouts in labels/ rendered to PDF (ReportLab) and ZPL, printer backends.

Nothing here imports Qt; the system-printer backend lives in app/ui and implements `Printer`.
"""

from __future__ import annotations

from app.printing.batch import (
    BatchProgress,
    BatchResult,
    pdf_batch_steps,
    render_batch_pdf,
    render_batch_zpl,
    zpl_batch_steps,
)
from app.printing.errors import (
    BadValue,
    BarcodeError,
    LayoutError,
    LayoutNotFound,
    MissingValue,
    OutputNotWritable,
    PrintCancelled,
    PrinterTimeout,
    PrinterUnreachable,
    PrintFailed,
    PrintingError,
    UnprintableText,
)
from app.printing.gs1 import make_sscc
from app.printing.layout import Layout
from app.printing.library import (
    LayoutInfo,
    LayoutLibrary,
    list_layouts,
    load_layout,
    sample_data,
)
from app.printing.printers import (
    BasePrinter,
    PdfFolderPrinter,
    Printer,
    PrintJob,
    PrintOutcome,
    ZplTcpPrinter,
)
from app.printing.render import RenderResult, compose, pdf_bytes, render_pdf, render_zpl
from app.printing.tracking import check_tracking_number, scheme_for_carrier
from app.printing.values import address_values, city_line

__all__ = [
    "BadValue",
    "BarcodeError",
    "BasePrinter",
    "BatchProgress",
    "BatchResult",
    "Layout",
    "LayoutError",
    "LayoutInfo",
    "LayoutLibrary",
    "LayoutNotFound",
    "MissingValue",
    "OutputNotWritable",
    "PdfFolderPrinter",
    "PrintCancelled",
    "PrintFailed",
    "PrintJob",
    "PrintOutcome",
    "Printer",
    "PrinterTimeout",
    "PrinterUnreachable",
    "PrintingError",
    "RenderResult",
    "UnprintableText",
    "ZplTcpPrinter",
    "address_values",
    "check_tracking_number",
    "city_line",
    "compose",
    "list_layouts",
    "load_layout",
    "make_sscc",
    "pdf_batch_steps",
    "pdf_bytes",
    "render_batch_pdf",
    "render_batch_zpl",
    "render_pdf",
    "render_zpl",
    "sample_data",
    "scheme_for_carrier",
    "zpl_batch_steps",
]

"""The station's printers: the system printer through Qt print support, and the settings' choice.

The system printer gets the same PDF as every other backend, rasterised page by page at the
printer's own resolution (a whole divisor of it above 600 dpi), so that a barcode's bars,
sized in whole printer dots, land on whole dots.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.printing import BasePrinter, Printer, PrinterUnreachable, PrintFailed, PrintJob
from app.printing.batch import Cancel, drive_steps, is_cancelled, pdf_batch_steps
from app.printing.printers import Delivery, Progress
from app.printing.render import resolve_layout
from app.services.printing.records import is_document_layout, make_printer, parse_printer_spec
from app.ui.settings import DOCUMENT_PRINTER, LABEL_PRINTER, PDF_FOLDER, WorkstationSettings

MAX_RASTER_DPI = 600  # an A4 page at 600 dpi is already 35 million pixels
MM_PER_POINT = 25.4 / 72


class SystemPrinter(BasePrinter):
    """A printer installed on this workstation (CUPS, Windows), or a PDF file through Qt."""

    backend = "system"

    def __init__(
        self,
        printer_name: str = "",
        *,
        name: str | None = None,
        pdf_file: Path | None = None,
        dpi: int | None = None,
    ) -> None:
        super().__init__(name or printer_name or "default system printer")
        self.printer_name = printer_name
        self.pdf_file = pdf_file  # Qt's own PDF output instead of a printer ("print to file")
        self.dpi = dpi

    @property
    def destination(self) -> str:
        """The printer's system name, or the file."""
        if self.pdf_file is not None:
            return str(self.pdf_file)
        return f"system printer {self.printer_name or '(default)'}"

    def deliver(self, job: PrintJob, progress: Progress, cancel: Cancel) -> Delivery:
        """Render the job to one PDF (cancellable), then send its pages to the printer."""
        printer = self._open(job.what)
        dpi = raster_dpi(printer.resolution())
        buffer = io.BytesIO()
        steps = pdf_batch_steps(
            resolve_layout(job.layout),
            job.documents,
            buffer,
            dpi=dpi,
            cancel=cancel,
            on_error=job.on_error,
        )
        result = drive_steps(steps, progress)
        if not result.cancelled and result.documents and not is_cancelled(cancel):
            self._print_pdf(printer, buffer.getvalue(), dpi)
        return Delivery(result, self.destination)

    def _open(self, what: str) -> QPrinter:
        if self.pdf_file is not None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.pdf_file))
        else:
            info = (
                QPrinterInfo.printerInfo(self.printer_name)
                if self.printer_name
                else QPrinterInfo.defaultPrinter()
            )
            if info.isNull():
                known = ", ".join(QPrinterInfo.availablePrinterNames()) or "none"
                wanted = f"named '{self.printer_name}'" if self.printer_name else "set as default"
                raise PrinterUnreachable(
                    f"This workstation has no system printer {wanted} (installed: {known}). "
                    "Check the printer settings of this station."
                )
            printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        if self.dpi:
            printer.setResolution(self.dpi)
        printer.setDocName(what or "Baton")
        printer.setFullPage(True)  # the label's own margins are in the layout
        return printer

    def _print_pdf(self, printer: QPrinter, pdf: bytes, dpi: int) -> None:
        document = QPdfDocument()
        data = QBuffer()
        data.setData(QByteArray(pdf))
        data.open(QIODevice.OpenModeFlag.ReadOnly)
        document.load(data)
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            raise PrintFailed(f"The document for {self.name} could not be prepared for printing.")
        points = document.pagePointSize(0)
        size = QPageSize(
            QSizeF(points.width() * MM_PER_POINT, points.height() * MM_PER_POINT),
            QPageSize.Unit.Millimeter,
            "Baton label",
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
        printer.setPageLayout(
            QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
        )
        options = QPdfDocumentRenderOptions()
        # Bars and type edges stay solid: grey edge pixels print as random dots on a label.
        options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.PathAliased)
        scale = printer.resolution() / dpi
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintFailed(
                f"The {self.destination} did not accept the job. Check that it is online."
            )
        try:
            for page in range(document.pageCount()):
                if page:
                    printer.newPage()
                points = document.pagePointSize(page)
                pixels = QSize(
                    math.floor(points.width() / 72 * dpi + 1e-6),
                    math.floor(points.height() / 72 * dpi + 1e-6),
                )
                image = document.render(page, pixels, options)
                target = QRectF(0, 0, pixels.width() * scale, pixels.height() * scale)
                painter.drawImage(target, image)
        finally:
            painter.end()
        if printer.printerState() == QPrinter.PrinterState.Error:
            raise PrintFailed(f"The {self.destination} reported an error while printing.")


def raster_dpi(printer_dpi: int) -> int:
    """The resolution pages are drawn at: the printer's, or a whole divisor of it up to 600."""
    if printer_dpi <= 0:
        return 300
    return printer_dpi // math.ceil(printer_dpi / MAX_RASTER_DPI)


def printer_from_spec(text: str, pdf_folder: str) -> Printer:
    """The backend a spec names: pdf[:FOLDER], zpl:HOST[:PORT][@DPI] or system[:NAME]."""
    spec = parse_printer_spec(text, pdf_folder=pdf_folder)
    if spec.kind == "system":
        return SystemPrinter(spec.target)
    return make_printer(spec)


def station_printers(settings: WorkstationSettings) -> tuple[Printer, Printer]:
    """This station's label printer and document printer, from its settings."""
    folder = settings.get(PDF_FOLDER)
    return (
        printer_from_spec(settings.get(LABEL_PRINTER), folder),
        printer_from_spec(settings.get(DOCUMENT_PRINTER), folder),
    )


def printer_for(settings: WorkstationSettings, layout: str) -> Printer:
    """The printer a layout goes to at this station: sheets to documents, the rest to labels."""
    labels, documents = station_printers(settings)
    return documents if is_document_layout(layout) else labels

"""The system printer backend through Qt print support, printing into a PDF file here."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.printing import PdfFolderPrinter, PrinterUnreachable, PrintJob, ZplTcpPrinter, sample_data
from app.services.errors import InvalidInput
from app.ui.printers import SystemPrinter, printer_for, raster_dpi, station_printers
from app.ui.settings import (
    DOCUMENT_PRINTER,
    LABEL_PRINTER,
    PDF_FOLDER,
    WorkstationSettings,
)
from tests.printing.conftest import rasterise, read_barcodes

LOCATIONS = [
    {"location": code, "aisle": "01", "bay": "0" + code[5], "level": "1"}
    for code in ("A01-01-1", "A01-02-1", "A01-03-1")
]


def page_sizes_mm(path: Path) -> list[tuple[float, float]]:
    return [
        (
            round(float(p.mediabox.width) * 25.4 / 72, 1),
            round(float(p.mediabox.height) * 25.4 / 72, 1),
        )
        for p in PdfReader(path).pages
    ]


@pytest.mark.parametrize("dpi", [203, 300])
def test_labels_come_out_at_their_size_and_scan(qtbot: QtBot, tmp_path: Path, dpi: int) -> None:
    out = tmp_path / "printed.pdf"
    printer = SystemPrinter(name="Office", pdf_file=out, dpi=dpi)
    outcome = printer.print_job(PrintJob("location_100x50", LOCATIONS, what="aisle 1"))
    assert (outcome.ok, outcome.documents, outcome.pages, outcome.backend) == (True, 3, 3, "system")
    assert outcome.destination == str(out)
    for width, height in page_sizes_mm(out):
        assert abs(width - 100) < 0.5 and abs(height - 50) < 0.5
    decoded = [[r.text for r in read_barcodes(page)] for page in rasterise(out, dpi)]
    assert decoded == [["A01-01-1"], ["A01-02-1"], ["A01-03-1"]]


def test_a_shipping_label_prints_from_a_worker_thread(qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "label.pdf"
    data = sample_data("shipping_4x6")
    done: list[object] = []

    def work() -> None:
        job = PrintJob.single("shipping_4x6", data, what="order 1001")
        done.append(SystemPrinter(pdf_file=out, dpi=300).print_job(job))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert len(done) == 1
    texts = {r.text for r in read_barcodes(rasterise(out, 300)[0])}
    assert str(data["tracking_number"]) in texts


def test_a_missing_system_printer_is_a_clear_error(qtbot: QtBot) -> None:
    printer = SystemPrinter("Brother QL-820 upstairs")
    with pytest.raises(
        PrinterUnreachable, match="no system printer named 'Brother QL-820"
    ) as caught:
        printer.print_job(PrintJob.single("tote_label", sample_data("tote_label")))
    outcome = caught.value.outcome
    assert outcome is not None and not outcome.ok and outcome.printer == "Brother QL-820 upstairs"


def test_raster_resolution_divides_the_printers() -> None:
    assert [raster_dpi(d) for d in (203, 300, 600, 720, 1200, 2400, 0)] == [
        203, 300, 600, 360, 600, 600, 300,
    ]  # fmt: skip


def test_station_printers_follow_the_settings(qtbot: QtBot, tmp_path: Path) -> None:
    settings = WorkstationSettings(tmp_path / "station.ini")
    settings.set(PDF_FOLDER, str(tmp_path / "pdf"))
    labels, documents = station_printers(settings)
    assert isinstance(labels, PdfFolderPrinter) and labels.folder == tmp_path / "pdf"
    assert isinstance(documents, PdfFolderPrinter)
    settings.set(LABEL_PRINTER, "zpl:10.0.0.31:9100@300")
    settings.set(DOCUMENT_PRINTER, "system:Office Laser")
    labels, documents = station_printers(settings)
    assert isinstance(labels, ZplTcpPrinter) and labels.dpi == 300
    assert isinstance(documents, SystemPrinter) and documents.printer_name == "Office Laser"
    assert printer_for(settings, "packing_slip_a4") is not printer_for(settings, "tote_label")
    assert isinstance(printer_for(settings, "packing_slip_a4"), SystemPrinter)
    assert isinstance(printer_for(settings, "shipping_4x6"), ZplTcpPrinter)
    settings.set(LABEL_PRINTER, "lpt1")
    with pytest.raises(InvalidInput, match="Unknown printer 'lpt1'"):
        station_printers(settings)

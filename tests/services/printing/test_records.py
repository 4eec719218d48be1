"""Printing with a record, on both databases: ok and failed prints, reprints, batches, roles."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import PrintRecord
from app.domain.roles import Role
from app.printing import (
    MissingValue,
    PdfFolderPrinter,
    PrintCancelled,
    PrinterUnreachable,
    PrintFailed,
    PrintJob,
    PrintOutcome,
    ZplTcpPrinter,
    sample_data,
)
from app.printing.batch import BatchProgress, Cancel
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotAllowed, NotFound
from app.services.masterdata.operators import add_operator
from app.services.printing.records import (
    PrinterSpec,
    badge_label_data,
    is_document_layout,
    make_printer,
    parse_printer_spec,
    print_badges,
    print_batch,
    print_document,
    print_location_labels,
    print_tote_labels,
    recent_prints,
    reprint,
    tote_label_data,
)
from tests.printing.conftest import rasterise, read_barcodes
from tests.services.floor import SUPERVISOR, load_floor


def closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_packer(db: Database) -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, SUPERVISOR, "B-7", "Sam Okafor", Role.PACKER, "2468")
    return Actor(info.id, info.name, info.role, "pack bench 2")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The PDF folder (the SQLite database lives in tmp_path itself)."""
    return tmp_path / "out"


def records(db: Database) -> list[PrintRecord]:
    with db.sessions() as session:
        return list(session.scalars(select(PrintRecord).order_by(PrintRecord.id)))


def test_an_ok_print_is_recorded_with_who_where_and_what(db: Database, out: Path) -> None:
    actor = add_packer(db)
    data = sample_data("shipping_4x6")
    printed = print_document(
        db.sessions, actor, PdfFolderPrinter(out), "shipping_4x6", data, "order 1001 1/2"
    )
    assert printed.ok and printed.record_id > 0 and Path(printed.destination).is_file()
    with db.sessions() as session:
        (row,) = recent_prints(session)
    assert (row.id, row.layout, row.description, row.printer) == (
        printed.record_id,
        "shipping_4x6",
        "order 1001 1/2",
        "PDF folder",
    )
    assert (row.operator, row.station, row.outcome, row.documents, row.pages) == (
        "Sam Okafor",
        "pack bench 2",
        "ok",
        1,
        1,
    )
    assert row.destination == printed.destination and row.reprint_of is None
    assert row.at.tzinfo is not None
    (record,) = records(db)
    assert json.loads(record.data) == data


def test_a_printer_that_refuses_is_recorded_as_failed_and_raised(db: Database) -> None:
    actor = add_packer(db)
    printer = make_printer(parse_printer_spec(f"zpl:127.0.0.1:{closed_port()}"))
    with pytest.raises(PrinterUnreachable, match="refused the connection") as caught:
        print_document(
            db.sessions, actor, printer, "tote_label", sample_data("tote_label"), "tote T0042"
        )
    outcome = caught.value.outcome
    assert outcome is not None and not outcome.ok
    with db.sessions() as session:
        (row,) = recent_prints(session)
    assert getattr(outcome, "record_id", None) == row.id
    assert (row.outcome, row.ok, row.documents) == ("failed", False, 0)
    assert "refused the connection" in row.message and row.printer.startswith("ZPL 127.0.0.1:")


def test_bad_values_are_a_recorded_failure_too(db: Database, out: Path) -> None:
    data = sample_data("tote_label")
    del data["tote"]
    with pytest.raises(MissingValue):
        print_document(db.sessions, SUPERVISOR, PdfFolderPrinter(out), "tote_label", data, "")
    (record,) = records(db)
    assert record.outcome == "failed" and "needs the value 'tote'" in record.message
    assert list(out.iterdir()) == []


def test_reprint_prints_the_stored_values_and_links_to_the_first_print(
    db: Database, out: Path
) -> None:
    actor = add_packer(db)
    printer = PdfFolderPrinter(out)
    data = {
        **sample_data("shipping_4x6"),
        "weight": Decimal("1.25"),
        "ship_date": date(2026, 11, 26),
    }
    first = print_document(db.sessions, actor, printer, "shipping_4x6", data, "order 1001")
    again = reprint(db.sessions, actor, printer, first.record_id)
    reprint(db.sessions, SUPERVISOR, printer, again.record_id)
    assert again.ok and again.reprint and again.record_id != first.record_id
    one, two, three = records(db)
    assert one.data == two.data == three.data
    assert json.loads(one.data)["weight"] == "1.25"
    assert (two.reprint_of, three.reprint_of) == (first.record_id, first.record_id)
    assert two.description == "order 1001" and three.operator_id is None
    files = [rasterise(Path(p.destination), 203)[0] for p in (first, again)]
    assert [read_barcodes(f) for f in files[:1]] == [read_barcodes(f) for f in files[1:]]


def test_a_failed_print_can_be_retried(db: Database, out: Path) -> None:
    actor = add_packer(db)
    refused = ZplTcpPrinter("127.0.0.1", closed_port())
    with pytest.raises(PrinterUnreachable) as caught:
        print_document(db.sessions, actor, refused, "tote_label", sample_data("tote_label"), "t")
    failed_id = getattr(caught.value.outcome, "record_id", 0)
    retried = reprint(db.sessions, actor, PdfFolderPrinter(out), failed_id)
    with db.sessions() as session:
        rows = recent_prints(session)
        failed = recent_prints(session, failed_only=True)
    assert [(r.outcome, r.reprint_of) for r in rows] == [("ok", failed_id), ("failed", None)]
    assert [r.id for r in failed] == [failed_id] and retried.record_id == rows[0].id


def test_reprint_of_an_unknown_print_is_not_found(db: Database, out: Path) -> None:
    with pytest.raises(NotFound, match="no print #99"):
        reprint(db.sessions, SUPERVISOR, PdfFolderPrinter(out), 99)


def test_the_printer_runs_outside_any_transaction(db: Database, out: Path) -> None:
    class Meanwhile(PdfFolderPrinter):
        """Another station writes while this one prints: it must not wait for the printer."""

        def print_job(
            self, job: PrintJob, *, progress: Any = None, cancel: Cancel = None
        ) -> PrintOutcome:
            with unit_of_work(db.sessions) as session:
                add_operator(session, SUPERVISOR, "B-8", "Other Station", Role.PICKER, "1357")
            return super().print_job(job, progress=progress, cancel=cancel)

    printer = Meanwhile(out)
    print_document(db.sessions, SUPERVISOR, printer, "tote_label", sample_data("tote_label"), "")
    assert [r.outcome for r in records(db)] == ["ok"]


def test_an_unexpected_backend_failure_is_recorded_and_typed(db: Database) -> None:
    class Broken:
        name, backend = "Broken", "test"

        def print_job(self, job: PrintJob, **_: Any) -> PrintOutcome:
            raise RuntimeError("driver crashed")

    with pytest.raises(PrintFailed, match="Printing on Broken failed: driver crashed"):
        print_document(db.sessions, SUPERVISOR, Broken(), "tote_label", {"tote": "T1"}, "t")
    (record,) = records(db)
    assert (record.outcome, record.printer) == ("failed", "Broken")


def test_an_aisle_of_location_labels_is_one_pdf_and_one_record(db: Database, out: Path) -> None:
    load_floor(db)
    steps: list[BatchProgress] = []
    printed = print_location_labels(
        db.sessions, SUPERVISOR, PdfFolderPrinter(out), 1, progress=steps.append
    )
    assert (printed.documents, printed.pages) == (3, 3)
    assert [s.done for s in steps] == [1, 2, 3]
    (pdf,) = out.iterdir()
    decoded = [[r.text for r in read_barcodes(page)] for page in rasterise(pdf, 203)]
    assert decoded == [["A01-01-1"], ["A01-02-1"], ["A01-03-1"]]
    (record,) = records(db)
    assert (record.description, record.documents, record.layout) == (
        "location labels aisle 01 (3)",
        3,
        "location_100x50",
    )
    assert [d["location"] for d in json.loads(record.data)] == ["A01-01-1", "A01-02-1", "A01-03-1"]
    with pytest.raises(NotFound, match="Aisle 9 has no locations"):
        print_location_labels(db.sessions, SUPERVISOR, PdfFolderPrinter(out), 9)


def test_a_cancelled_batch_writes_nothing(db: Database, out: Path) -> None:
    load_floor(db)
    stop = threading.Event()
    with pytest.raises(PrintCancelled):
        print_location_labels(
            db.sessions,
            SUPERVISOR,
            PdfFolderPrinter(out),
            2,
            progress=lambda _step: stop.set(),
            cancel=stop,
        )
    assert records(db) == [] and list(out.iterdir()) == []


def test_a_picker_prints_single_labels_but_no_batches(db: Database, out: Path) -> None:
    load_floor(db)
    picker = Actor(None, "Pia Picker", Role.PICKER, "cart 3")
    printer = PdfFolderPrinter(out)
    first = print_document(
        db.sessions, picker, printer, "tote_label", sample_data("tote_label"), "tote T0042"
    )
    reprint(db.sessions, picker, printer, first.record_id)
    with pytest.raises(NotAllowed):
        print_location_labels(db.sessions, picker, printer, 1)
    with pytest.raises(NotAllowed):
        print_batch(db.sessions, picker, printer, "tote_label", [{"tote": "T1", "zone": ""}], "x")
    batch = print_tote_labels(db.sessions, SUPERVISOR, printer, "T0001", 2)
    with pytest.raises(NotAllowed):
        reprint(db.sessions, picker, printer, batch.record_id)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PrintRecord)) == 3


def test_tote_and_badge_batches(db: Database, out: Path) -> None:
    add_packer(db)
    printer = PdfFolderPrinter(out)
    totes = print_tote_labels(db.sessions, SUPERVISOR, printer, "T0099", 3, zone="Zone A")
    assert totes.what == "tote labels T0099–T0101 (3)" and totes.pages == 3
    badges = print_badges(db.sessions, SUPERVISOR, printer)
    assert badges.what == "badge B-7"
    decoded = [
        r.text for page in rasterise(Path(badges.destination), 300) for r in read_barcodes(page)
    ]
    assert decoded == ["B-7"]
    with db.sessions() as session, pytest.raises(NotFound, match="NOPE"):
        badge_label_data(session, ["B-7", "NOPE"])


def test_tote_codes_count_up_and_must_scan_as_totes() -> None:
    codes = [d["tote"] for d in tote_label_data("T0998", 3)]
    assert codes == ["T0998", "T0999", "T1000"]
    with pytest.raises(InvalidInput, match="would not scan as a tote"):
        tote_label_data("X0001", 2)
    with pytest.raises(InvalidInput, match="does not end in a number"):
        tote_label_data("TOTE", 2)
    with pytest.raises(InvalidInput, match="1 to"):
        tote_label_data("T0001", 0)


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("pdf:labels", PrinterSpec("pdf", "labels")),
        ("pdf", PrinterSpec("pdf", "fallback")),
        ("PDF:C:\\Labels", PrinterSpec("pdf", "C:\\Labels")),
        ("zpl:10.0.0.31", PrinterSpec("zpl", "10.0.0.31", 9100)),
        ("zpl:zebra-2:6101@300", PrinterSpec("zpl", "zebra-2", 6101, 300)),
        ("zpl:[fe80::1]:9100", PrinterSpec("zpl", "fe80::1", 9100)),
        ("system:Brother QL-820", PrinterSpec("system", "Brother QL-820")),
        ("system", PrinterSpec("system", "")),
    ],
)
def test_printer_specs(text: str, spec: PrinterSpec) -> None:
    assert parse_printer_spec(text, pdf_folder="fallback") == spec


@pytest.mark.parametrize(
    "text", ["", "lpt1", "pdf", "zpl:", "zpl:host:0", "zpl:host:99999", "zpl:a:b", "zpl:h@150"]
)
def test_bad_printer_specs_say_what_is_expected(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_printer_spec(text)


def test_backends_from_specs() -> None:
    zebra = make_printer(parse_printer_spec("zpl:zebra-2:6101@300"))
    assert isinstance(zebra, ZplTcpPrinter) and (zebra.name, zebra.dpi) == ("ZPL zebra-2:6101", 300)
    assert isinstance(make_printer(parse_printer_spec("pdf:out")), PdfFolderPrinter)
    with pytest.raises(InvalidInput, match="station app"):
        make_printer(parse_printer_spec("system:x"))
    assert is_document_layout("packing_slip_a4") and not is_document_layout("shipping_4x6")
    assert not is_document_layout("no_such_layout")

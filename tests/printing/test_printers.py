"""Printer backends against real folders and real sockets: each failure is typed and recorded."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.printing import (
    MissingValue,
    OutputNotWritable,
    PdfFolderPrinter,
    PrintCancelled,
    PrinterTimeout,
    PrinterUnreachable,
    PrintJob,
    ZplTcpPrinter,
    render_pdf,
    render_zpl,
    sample_data,
)
from app.printing.batch import BatchProgress


def test_pdf_folder_saves_one_file_and_a_record(tmp_path: Path) -> None:
    printer = PdfFolderPrinter(tmp_path / "out", name="Bench 2 PDF")
    job = PrintJob.single("shipping_4x6", sample_data("shipping_4x6"), what="order 1001 carton 1/2")
    outcome = printer.print_job(job)
    files = list((tmp_path / "out").iterdir())
    assert [f.suffix for f in files] == [".pdf"]
    assert "shipping_4x6-order-1001-carton-1-2" in files[0].name
    assert len(PdfReader(files[0]).pages) == 1
    assert outcome.ok and outcome.destination == str(files[0])
    assert (outcome.printer, outcome.backend, outcome.documents, outcome.pages) == (
        "Bench 2 PDF",
        "pdf-folder",
        1,
        1,
    )
    record = outcome.as_record()
    json.dumps(record)  # plain values only
    assert record["what"] == "order 1001 carton 1/2" and record["reprint"] is False


@pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_pdf_files_get_the_mode_the_users_umask_gives(tmp_path: Path, umask: int) -> None:
    # A print spooler or a colleague reads the PDF folder: the file is as readable as any
    # other file this user makes, neither more nor less.
    before = os.umask(umask)
    try:
        outcome = PdfFolderPrinter(tmp_path).print_job(
            PrintJob.single("tote_label", sample_data("tote_label"))
        )
        rendered = tmp_path / "rendered.pdf"
        render_pdf("tote_label", sample_data("tote_label"), rendered)
    finally:
        os.umask(before)
    for path in (Path(outcome.destination), rendered):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_reprint_is_marked(tmp_path: Path) -> None:
    printer = PdfFolderPrinter(tmp_path)
    job = PrintJob.single("tote_label", sample_data("tote_label"), reprint=True)
    assert printer.print_job(job).reprint


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    printer = PdfFolderPrinter(blocker / "labels", name="PDF")
    with pytest.raises(OutputNotWritable, match="Cannot save the PDF for printer 'PDF'") as caught:
        printer.print_job(PrintJob.single("tote_label", sample_data("tote_label")))
    outcome = caught.value.outcome
    assert outcome is not None and not outcome.ok
    assert outcome.message == str(caught.value)


def test_bad_data_fails_the_job_with_a_record(tmp_path: Path) -> None:
    data = sample_data("tote_label")
    del data["tote"]
    with pytest.raises(MissingValue) as caught:
        PdfFolderPrinter(tmp_path).print_job(PrintJob.single("tote_label", data))
    assert caught.value.outcome is not None and not caught.value.outcome.ok
    assert list(tmp_path.iterdir()) == []


def test_cancelled_batch_writes_nothing(tmp_path: Path) -> None:
    stop = threading.Event()
    seen: list[BatchProgress] = []

    def progress(step: BatchProgress) -> None:
        seen.append(step)
        if step.done == 3:
            stop.set()

    job = PrintJob("tote_label", [sample_data("tote_label")] * 10)
    with pytest.raises(PrintCancelled) as caught:
        PdfFolderPrinter(tmp_path).print_job(job, progress=progress, cancel=stop)
    assert [s.done for s in seen] == [1, 2, 3]
    assert list(tmp_path.iterdir()) == []
    assert caught.value.outcome is not None and caught.value.outcome.documents == 0


class Listener:
    """A printer stand-in on 127.0.0.1 that stores what it receives."""

    def __init__(self, read: bool = True) -> None:
        self.server = socket.socket()
        if not read:
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.read = read
        self.done = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            if not self.read:
                self.release.wait(10)  # a stalled printer: connected, reads nothing
                return
            while chunk := conn.recv(65536):
                self.received += chunk
        self.done.set()

    def close(self) -> None:
        self.release.set()
        self.server.close()
        self.thread.join(5)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.mark.timeout(20)
def test_zpl_reaches_the_printer_whole(listener: Listener) -> None:
    data = sample_data("shipping_4x6")
    printer = ZplTcpPrinter("127.0.0.1", listener.port, name="Zebra bench 2")
    outcome = printer.print_job(PrintJob("shipping_4x6", [data, data]))
    assert listener.done.wait(5)
    expected = render_zpl("shipping_4x6", data) * 2
    assert listener.received.decode("utf-8") == expected
    assert outcome.ok and outcome.destination == f"127.0.0.1:{listener.port}"
    assert (outcome.documents, outcome.pages, outcome.backend) == (2, 2, "zpl-tcp")


@pytest.mark.timeout(20)
def test_refused_connection() -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    port = closed.getsockname()[1]
    printer = ZplTcpPrinter("127.0.0.1", port, name="Zebra 1", connect_timeout=2)
    started = time.monotonic()
    try:
        with pytest.raises(PrinterUnreachable, match="refused the connection") as caught:
            printer.print_job(PrintJob.single("tote_label", sample_data("tote_label")))
    finally:
        closed.close()
    assert time.monotonic() - started < 2
    assert caught.value.outcome is not None and not caught.value.outcome.ok


@pytest.mark.timeout(20)
def test_printer_that_never_answers_times_out() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    queued = []
    try:
        for _ in range(8):  # fill the accept queue; the next connection attempt hangs
            client = socket.socket()
            client.settimeout(0.3)
            try:
                client.connect(("127.0.0.1", port))
            except TimeoutError:
                client.close()
                break
            queued.append(client)
        printer = ZplTcpPrinter("127.0.0.1", port, connect_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(PrinterTimeout, match=r"did not answer within 0\.5 s"):
            printer.print_job(PrintJob.single("tote_label", sample_data("tote_label")))
        assert time.monotonic() - started < 3
    finally:
        for client in queued:
            client.close()
        server.close()


@pytest.mark.timeout(30)
def test_printer_that_stops_taking_data_times_out() -> None:
    stalled = Listener(read=False)
    try:
        printer = ZplTcpPrinter("127.0.0.1", stalled.port, connect_timeout=2, send_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(PrinterTimeout, match="stopped taking data"):
            printer.send(b"^XA^FO10,10^GB100,100,100^FS^XZ\n" * 1_000_000)  # ~33 MB
        assert time.monotonic() - started < 10
    finally:
        stalled.close()

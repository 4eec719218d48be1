"""Printer backends: PDF files into a folder, raw ZPL over TCP port 9100; the shared interface."""

from __future__ import annotations

import os
import re
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from app import clock
from app.printing.batch import (
    BatchProgress,
    BatchResult,
    Cancel,
    OnError,
    drive_steps,
    pdf_batch_steps,
    zpl_batch_steps,
)
from app.printing.errors import (
    OutputNotWritable,
    PrintCancelled,
    PrinterTimeout,
    PrinterUnreachable,
    PrintFailed,
    PrintingError,
)
from app.printing.layout import Layout
from app.printing.render import resolve_layout

Progress = Callable[[BatchProgress], None] | None
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class PrintJob:
    """What to print: one layout and the values of each document (one label or a batch)."""

    layout: Layout | str
    documents: Sequence[Mapping[str, Any]]
    what: str = ""  # how the history names it, e.g. "order 1001 carton 1 of 2"
    reprint: bool = False
    on_error: OnError = "stop"

    @classmethod
    def single(
        cls, layout: Layout | str, data: Mapping[str, Any], what: str = "", reprint: bool = False
    ) -> PrintJob:
        """A job of one document."""
        return cls(layout, (data,), what, reprint)


@dataclass(frozen=True)
class PrintOutcome:
    """One print or reprint as it happened: ready to be stored in the print history."""

    what: str
    layout: str
    printer: str
    backend: str
    destination: str  # the PDF file, or host:port
    ok: bool
    message: str
    documents: int
    pages: int
    reprint: bool
    started_at: datetime
    finished_at: datetime
    warnings: tuple[str, ...] = ()
    failed: tuple[tuple[int, str], ...] = field(default_factory=tuple)

    def as_record(self) -> dict[str, Any]:
        """Plain values (text, numbers, ISO times) for a database row or a log line."""
        record = asdict(self)
        record["started_at"] = self.started_at.isoformat()
        record["finished_at"] = self.finished_at.isoformat()
        record["warnings"] = list(self.warnings)
        record["failed"] = [list(f) for f in self.failed]
        return record


class Printer(Protocol):
    """Anything that prints jobs: these backends here, the Qt system printer in app/ui."""

    # Read-only members, so that BasePrinter's class-level `backend` satisfies them.
    @property
    def name(self) -> str:
        """The printer as people call it."""
        ...

    @property
    def backend(self) -> str:
        """The kind of backend, e.g. `pdf-folder`."""
        ...

    def print_job(
        self, job: PrintJob, *, progress: Progress = None, cancel: Cancel = None
    ) -> PrintOutcome:
        """Print `job`; a typed PrintingError (with `.outcome` set) when it does not print."""
        ...


@dataclass(frozen=True)
class Delivery:
    """What a backend did with a job."""

    result: BatchResult
    destination: str


class BasePrinter(ABC):
    """Turns a backend's delivery into a PrintOutcome; every failure raises with its outcome."""

    backend: ClassVar[str] = ""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    @abstractmethod
    def destination(self) -> str:
        """Where prints go, for messages."""

    @abstractmethod
    def deliver(self, job: PrintJob, progress: Progress, cancel: Cancel) -> Delivery:
        """Render and hand over the job; PrintFailed subclasses for transport problems."""

    def print_job(
        self, job: PrintJob, *, progress: Progress = None, cancel: Cancel = None
    ) -> PrintOutcome:
        """Print `job`; raise a typed PrintingError whose `.outcome` records the failure."""
        started = clock.now()
        layout = job.layout if isinstance(job.layout, str) else job.layout.name
        try:
            delivery = self.deliver(job, progress, cancel)
        except PrintingError as exc:
            exc.outcome = self._outcome(job, layout, started, False, str(exc), self.destination)
            raise
        result = delivery.result
        if result.cancelled:
            message = f"printing {job.what or layout} was cancelled; nothing was sent"
            outcome = self._outcome(
                job, layout, started, False, message, delivery.destination, result
            )
            raise PrintCancelled(message, outcome)
        message = (
            f"{result.documents} document(s), {result.pages} page(s) sent to {self.name} "
            f"({delivery.destination})"
        )
        if result.failed:
            message += f"; {len(result.failed)} document(s) could not be printed"
        return self._outcome(job, layout, started, True, message, delivery.destination, result)

    def _outcome(
        self,
        job: PrintJob,
        layout: str,
        started: datetime,
        ok: bool,
        message: str,
        destination: str,
        result: BatchResult | None = None,
    ) -> PrintOutcome:
        return PrintOutcome(
            what=job.what,
            layout=layout,
            printer=self.name,
            backend=self.backend,
            destination=destination,
            ok=ok,
            message=message,
            documents=result.documents if result and not result.cancelled else 0,
            pages=result.pages if result and not result.cancelled else 0,
            reprint=job.reprint,
            started_at=started,
            finished_at=clock.now(),
            warnings=result.warnings if result else (),
            failed=result.failed if result else (),
        )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


class PdfFolderPrinter(BasePrinter):
    """Saves each job as a PDF file in a folder (the default backend of a new workstation)."""

    backend = "pdf-folder"

    def __init__(self, folder: Path | str, name: str = "PDF folder", dpi: int | None = None):
        super().__init__(name)
        self.folder = Path(folder)
        self.dpi = dpi

    @property
    def destination(self) -> str:
        """The folder."""
        return str(self.folder)

    def _problem(self, reason: str) -> OutputNotWritable:
        return OutputNotWritable(
            f"Cannot save the PDF for printer '{self.name}' in {self.folder}: {reason}. "
            "Check that the folder exists and that this workstation may write to it."
        )

    def file_for(self, job: PrintJob, when: datetime) -> Path:
        """A new file name: time, layout and what was printed."""
        layout = job.layout if isinstance(job.layout, str) else job.layout.name
        stem = "-".join(
            p for p in (when.strftime("%Y%m%d-%H%M%S-%f"), layout, _slug(job.what)) if p
        )
        path = self.folder / f"{stem}.pdf"
        counter = 1
        while path.exists():
            counter += 1
            path = self.folder / f"{stem}-{counter}.pdf"
        return path

    def deliver(self, job: PrintJob, progress: Progress, cancel: Cancel) -> Delivery:
        """Render the job into one PDF file in the folder (written whole or not at all)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._problem(exc.strerror or str(exc)) from exc
        if not os.access(self.folder, os.W_OK):
            raise self._problem("permission denied")
        path = self.file_for(job, clock.local_now())
        steps = pdf_batch_steps(
            resolve_layout(job.layout),
            job.documents,
            path,
            dpi=self.dpi,
            cancel=cancel,
            on_error=job.on_error,
        )
        try:
            result = drive_steps(steps, progress)
        except OSError as exc:
            raise self._problem(exc.strerror or str(exc)) from exc
        return Delivery(result, str(path))


class ZplTcpPrinter(BasePrinter):
    """Sends raw ZPL to a thermal label printer's port 9100."""

    backend = "zpl-tcp"

    def __init__(
        self,
        host: str,
        port: int = 9100,
        name: str | None = None,
        dpi: int = 203,
        connect_timeout: float = 5.0,
        send_timeout: float = 10.0,
    ) -> None:
        super().__init__(name or f"{host}:{port}")
        self.host = host
        self.port = port
        self.dpi = dpi
        self.connect_timeout = connect_timeout
        self.send_timeout = send_timeout

    @property
    def destination(self) -> str:
        """host:port."""
        return f"{self.host}:{self.port}"

    def deliver(self, job: PrintJob, progress: Progress, cancel: Cancel) -> Delivery:
        """Render all labels first (cancellable), then send them in one connection."""
        chunks: list[str] = []
        steps = zpl_batch_steps(
            resolve_layout(job.layout),
            job.documents,
            chunks,
            dpi=self.dpi,
            cancel=cancel,
            on_error=job.on_error,
        )
        result = drive_steps(steps, progress)
        if chunks and not result.cancelled:
            self.send("".join(chunks).encode("utf-8"))
        return Delivery(result, self.destination)

    def send(self, payload: bytes) -> None:
        """Deliver raw bytes; PrinterUnreachable / PrinterTimeout / PrintFailed say what broke."""
        where = f"printer '{self.name}'"
        if self.destination not in self.name:  # "10.0.0.31:9100 at 10.0.0.31:9100" says it twice
            where += f" at {self.destination}"
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except TimeoutError as exc:
            raise PrinterTimeout(
                f"The {where} did not answer within {self.connect_timeout:g} s. "
                "Check that it is switched on and connected to the network."
            ) from exc
        except ConnectionRefusedError as exc:
            raise PrinterUnreachable(
                f"The {where} refused the connection. Check that it is switched on and online, "
                "and that the address and port in the printer settings are right."
            ) from exc
        except socket.gaierror as exc:
            raise PrinterUnreachable(
                f"The printer address '{self.host}' is unknown. Check the printer settings."
            ) from exc
        except OSError as exc:
            raise PrinterUnreachable(
                f"The {where} cannot be reached: {exc.strerror or exc}."
            ) from exc
        with sock:
            # The timeout bounds each chunk, so a printer that stops taking data is noticed
            # while a long batch that it keeps accepting is not cut off.
            sock.settimeout(self.send_timeout)
            try:
                view = memoryview(payload)
                for start in range(0, len(view), _CHUNK):
                    sock.sendall(view[start : start + _CHUNK])
                sock.shutdown(socket.SHUT_WR)
            except TimeoutError as exc:
                raise PrinterTimeout(
                    f"The {where} stopped taking data for {self.send_timeout:g} s (out of "
                    "labels, paused or busy?). Some labels may have printed; check before "
                    "reprinting."
                ) from exc
            except OSError as exc:
                raise PrintFailed(
                    f"The connection to the {where} broke while sending: "
                    f"{exc.strerror or exc}. Some labels may have printed; check before "
                    "reprinting."
                ) from exc

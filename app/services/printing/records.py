"""Printing with a record: every print and reprint lands in the print log, failures included.

The slow part (rendering, a network printer that does not answer) runs outside any
transaction; the record is written afterwards in its own short one. So a print failure never
rolls back the action that asked for the print, and a record never waits on a printer.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Location, Operator, PrintRecord
from app.domain.roles import Role
from app.domain.scanning.classify import DEFAULT_PATTERNS, Scan, ScanKind, ScanPatterns, classify
from app.printing import (
    BatchProgress,
    LayoutError,
    PdfFolderPrinter,
    PrintCancelled,
    Printer,
    PrintFailed,
    PrintingError,
    PrintJob,
    PrintOutcome,
    ZplTcpPrinter,
    load_layout,
)
from app.printing.batch import Cancel
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound
from app.services.masterdata.warehouse import scan_patterns

log = logging.getLogger(__name__)

LOCATION_LAYOUT, TOTE_LAYOUT, BADGE_LAYOUT = "location_100x50", "tote_label", "operator_badge"
MAX_BATCH = 10_000
Progress = Callable[[BatchProgress], None] | None
Factory = sessionmaker[Session]
PrinterKind = Literal["pdf", "zpl", "system"]
_HOST_PORT = re.compile(r"(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]+))(?::(?P<port>\d{1,5}))?")


# -- printer settings ---------------------------------------------------------------------
@dataclass(frozen=True)
class PrinterSpec:
    """A printer as a station setting or `--printer` names it: pdf:FOLDER, zpl:HOST:PORT..."""

    kind: PrinterKind
    target: str  # the folder, the host, or the system printer's name ("" = the default one)
    port: int = 9100
    dpi: int | None = None


def parse_printer_spec(text: str, *, pdf_folder: Path | str | None = None) -> PrinterSpec:
    """`pdf[:FOLDER]`, `zpl:HOST[:PORT][@DPI]` or `system[:NAME]`; InvalidInput otherwise."""
    spec = text.strip()
    kind, _, rest = spec.partition(":")
    kind = kind.lower()
    if kind == "pdf":
        folder = rest.strip() or str(pdf_folder or "")
        if not folder:
            raise InvalidInput("Printer 'pdf' needs a folder: pdf:FOLDER.")
        return PrinterSpec("pdf", os.path.expanduser(folder))
    if kind == "system":
        return PrinterSpec("system", rest.strip())
    if kind == "zpl":
        address, _, dpi_text = rest.strip().partition("@")
        match = _HOST_PORT.fullmatch(address)
        port = int(match["port"] or 9100) if match else 0
        if match is None or not 0 < port < 65536:
            raise InvalidInput(f"'{spec}' is not a label printer address: use zpl:HOST:PORT.")
        dpi = int(dpi_text) if dpi_text.isdigit() else None
        if dpi_text and dpi not in (203, 300, 600):
            raise InvalidInput(f"'{spec}': a ZPL printer prints at @203, @300 or @600 dpi.")
        return PrinterSpec("zpl", match["v6"] or match["host"], port, dpi)
    raise InvalidInput(f"Unknown printer '{spec}': use pdf:FOLDER, zpl:HOST:PORT or system:NAME.")


def make_printer(spec: PrinterSpec) -> Printer:
    """The backend for a PDF folder or a ZPL printer (system printers belong to the app)."""
    if spec.kind == "pdf":
        return PdfFolderPrinter(spec.target, name="PDF folder", dpi=spec.dpi)
    if spec.kind == "zpl":
        where = f"[{spec.target}]" if ":" in spec.target else spec.target
        return ZplTcpPrinter(
            spec.target, spec.port, name=f"ZPL {where}:{spec.port}", dpi=spec.dpi or 203
        )
    raise InvalidInput(
        "System printers are used from the station app; here use pdf:FOLDER or zpl:HOST:PORT."
    )


def is_document_layout(layout: str) -> bool:
    """Whether a layout is a sheet for the document printer (A4, Letter) rather than a label."""
    try:
        return load_layout(layout).page.width >= 140
    except LayoutError:
        return False


# -- printing and recording ---------------------------------------------------------------
@dataclass(frozen=True)
class RecordedPrint(PrintOutcome):
    """A print's outcome together with its entry in the print log (0: it could not be stored)."""

    record_id: int = 0


def print_document(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    layout: str,
    data: Mapping[str, Any],
    description: str,
    *,
    reprint_of: int | None = None,
) -> RecordedPrint:
    """Print one document and record it; a failure is recorded too and raised (typed)."""
    plain = _plain(dict(data))
    job = PrintJob.single(layout, plain, what=description, reprint=reprint_of is not None)
    return _print_and_record(factory, actor, printer, job, _dumps(plain), reprint_of)


def print_batch(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    layout: str,
    documents: Sequence[Mapping[str, Any]],
    description: str,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Print many documents as one job and one record (supervisors: master-data labels)."""
    actor.require(Role.SUPERVISOR)
    if not documents:
        raise InvalidInput(f"Nothing to print for {description}.")
    if len(documents) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} labels in one batch; split {description}.")
    plain = _plain([dict(d) for d in documents])
    job = PrintJob(layout, tuple(plain), what=description)
    return _print_and_record(factory, actor, printer, job, _dumps(plain), None, progress, cancel)


def reprint(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    record_id: int,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Print a logged print again from its stored values; the new record names the first one."""
    with factory() as session:
        record = session.get(PrintRecord, record_id)
        if record is None:
            raise NotFound(f"There is no print #{record_id} in the print log.")
        layout, what, stored = record.layout, record.description, record.data
        first = record.reprint_of or record.id
    values = json.loads(stored)
    if isinstance(values, list):
        actor.require(Role.SUPERVISOR)
        job = PrintJob(layout, tuple(values), what=what, reprint=True)
    else:
        job = PrintJob.single(layout, values, what=what, reprint=True)
    return _print_and_record(factory, actor, printer, job, stored, first, progress, cancel)


def _print_and_record(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    job: PrintJob,
    stored: str,
    reprint_of: int | None,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    try:
        outcome = printer.print_job(job, progress=progress, cancel=cancel)
    except PrintCancelled:
        raise  # nothing was sent, so there is nothing to record
    except PrintingError as exc:
        failed = exc.outcome or _failure(printer, job, str(exc))
        exc.outcome = _with_record(
            failed, _record_failure(factory, actor, failed, stored, reprint_of)
        )
        raise
    except Exception as exc:
        # A backend bug must still be shown and logged as a failed print, never lost.
        log.exception("printer %s failed unexpectedly", printer.name)
        error = PrintFailed(f"Printing on {printer.name} failed: {exc}")
        failed = _failure(printer, job, str(error))
        error.outcome = _with_record(
            failed, _record_failure(factory, actor, failed, stored, reprint_of)
        )
        raise error from exc
    return _with_record(outcome, _record(factory, actor, outcome, stored, reprint_of))


def _record(
    factory: Factory, actor: Actor, outcome: PrintOutcome, stored: str, reprint_of: int | None
) -> int:
    message = "\n".join([outcome.message, *(f"Warning: {w}" for w in outcome.warnings)])
    with unit_of_work(factory) as session:
        record = PrintRecord(
            created_at=outcome.finished_at,
            layout=outcome.layout[:80],
            description=_clean(outcome.what)[:255],
            data=stored,
            printer=_clean(outcome.printer)[:120],
            destination=_clean(outcome.destination)[:500],
            operator_id=actor.operator_id,
            station=_clean(actor.station)[:64],
            outcome="ok" if outcome.ok else "failed",
            message=_clean(message),
            reprint_of=reprint_of,
            documents=outcome.documents,
            pages=outcome.pages,
        )
        session.add(record)
        session.flush()
        return record.id


def _record_failure(
    factory: Factory, actor: Actor, outcome: PrintOutcome, stored: str, reprint_of: int | None
) -> int:
    # The printing error matters more to the operator than a database hiccup on top of it.
    try:
        return _record(factory, actor, outcome, stored, reprint_of)
    except SQLAlchemyError:
        log.exception("could not record the failed print %r", outcome.what)
        return 0


def _failure(printer: Printer, job: PrintJob, message: str) -> PrintOutcome:
    now = clock.now()
    layout = job.layout if isinstance(job.layout, str) else job.layout.name
    return PrintOutcome(
        what=job.what,
        layout=layout,
        printer=printer.name,
        backend=printer.backend,
        destination="",
        ok=False,
        message=message,
        documents=0,
        pages=0,
        reprint=job.reprint,
        started_at=now,
        finished_at=now,
    )


def _with_record(outcome: PrintOutcome, record_id: int) -> RecordedPrint:
    values = {f.name: getattr(outcome, f.name) for f in fields(outcome)}
    return RecordedPrint(**values, record_id=record_id)


def _plain(value: Any) -> Any:
    """The values as they come back from the log, so a print and its reprint get the same."""
    return json.loads(_dumps(value))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _clean(text: str) -> str:
    return text.replace("\x00", "")  # PostgreSQL refuses NUL in text


# -- the print log --------------------------------------------------------------------------
@dataclass(frozen=True)
class PrintRow:
    """One line of the print log as screens and the command line show it."""

    id: int
    at: datetime
    layout: str
    description: str
    printer: str
    destination: str
    operator: str
    station: str
    ok: bool
    message: str
    reprint_of: int | None
    documents: int
    pages: int

    @property
    def outcome(self) -> str:
        """`ok` or `failed`."""
        return "ok" if self.ok else "failed"


def recent_prints(
    session: Session, limit: int = 50, offset: int = 0, *, failed_only: bool = False
) -> list[PrintRow]:
    """The newest prints first, a page at a time."""
    query = (
        select(PrintRecord, Operator.name)
        .outerjoin(Operator, Operator.id == PrintRecord.operator_id)
        .order_by(PrintRecord.created_at.desc(), PrintRecord.id.desc())
        .limit(max(0, limit))
        .offset(max(0, offset))
    )
    if failed_only:
        query = query.where(PrintRecord.outcome == "failed")
    return [
        PrintRow(
            id=r.id,
            at=r.created_at,
            layout=r.layout,
            description=r.description,
            printer=r.printer,
            destination=r.destination,
            operator=name or "",
            station=r.station,
            ok=r.outcome == "ok",
            message=r.message,
            reprint_of=r.reprint_of,
            documents=r.documents,
            pages=r.pages,
        )
        for r, name in session.execute(query)
    ]


# -- master-data labels -------------------------------------------------------------------
def location_label_data(session: Session, aisle: int) -> list[dict[str, str]]:
    """The values of every location label of one aisle, in walking order (bay, then level)."""
    rows = session.execute(
        select(Location.code, Location.aisle, Location.bay, Location.level)
        .where(Location.aisle == aisle)
        .order_by(Location.bay, Location.level, Location.code)
    )
    return [
        {"location": code, "aisle": f"{a:02d}", "bay": f"{b:02d}", "level": str(level)}
        for code, a, b, level in rows
    ]


def tote_label_data(
    first: str, count: int, zone: str = "", patterns: ScanPatterns = DEFAULT_PATTERNS
) -> list[dict[str, str]]:
    """`count` tote codes counting up from `first` (T0001, T0002, ...), each one a tote scan."""
    match = re.fullmatch(r"(.*?)(\d+)", first.strip())
    if match is None:
        raise InvalidInput(f"'{first}' does not end in a number to count from (e.g. T0001).")
    if not 1 <= count <= MAX_BATCH:
        raise InvalidInput(f"Print 1 to {MAX_BATCH} tote labels at a time.")
    prefix, digits = match.groups()
    codes = [f"{prefix}{n:0{len(digits)}d}" for n in range(int(digits), int(digits) + count)]
    for code in (codes[0], codes[-1], *codes[1:-1]):
        scan = classify(code, patterns)
        if not isinstance(scan, Scan) or scan.kind is not ScanKind.TOTE:
            raise InvalidInput(
                f"{code} would not scan as a tote with this warehouse's patterns; "
                "check the first code."
            )
    return [{"tote": code, "zone": zone} for code in codes]


def badge_label_data(session: Session, badges: Sequence[str] = ()) -> list[dict[str, str]]:
    """Badge values of the active operators (or only of `badges`), by name."""
    query = select(Operator).where(Operator.active).order_by(Operator.name)
    if badges:
        query = query.where(Operator.badge.in_(badges))
    operators = list(session.scalars(query))
    unknown = sorted(set(badges) - {o.badge for o in operators})
    if unknown:
        raise NotFound(f"No active operator has badge {', '.join(unknown)}.")
    return [
        {"operator_name": o.name, "role": Role(o.role).label, "badge": o.badge} for o in operators
    ]


def print_location_labels(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    aisle: int,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Every location label of one aisle in one job (supervisors)."""
    actor.require(Role.SUPERVISOR)
    with factory() as session:
        documents = location_label_data(session, aisle)
    if not documents:
        raise NotFound(f"Aisle {aisle} has no locations.")
    what = f"location labels aisle {aisle:02d} ({len(documents)})"
    return print_batch(
        factory, actor, printer, LOCATION_LAYOUT, documents, what, progress=progress, cancel=cancel
    )


def print_tote_labels(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    first: str,
    count: int,
    zone: str = "",
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Labels for `count` totes from `first` on, each checked to scan as a tote (supervisors)."""
    actor.require(Role.SUPERVISOR)
    with factory() as session:
        patterns = scan_patterns(session)
    documents = tote_label_data(first, count, zone, patterns)
    what = f"tote labels {documents[0]['tote']}–{documents[-1]['tote']} ({len(documents)})"
    return print_batch(
        factory, actor, printer, TOTE_LAYOUT, documents, what, progress=progress, cancel=cancel
    )


def print_badges(
    factory: Factory,
    actor: Actor,
    printer: Printer,
    badges: Sequence[str] = (),
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Badges of every active operator, or of the ones named (supervisors)."""
    actor.require(Role.SUPERVISOR)
    with factory() as session:
        documents = badge_label_data(session, badges)
    if not documents:
        raise NotFound("There are no active operators to print badges for.")
    one = len(documents) == 1
    what = f"badge {documents[0]['badge']}" if one else f"operator badges ({len(documents)})"
    return print_batch(
        factory, actor, printer, BADGE_LAYOUT, documents, what, progress=progress, cancel=cancel
    )

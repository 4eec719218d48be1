"""`baton labels`: layouts, rendering, printing with a record, the print log and reprints.

Exit status: 0 printed (or rendered), 1 not printed (the failure is in the print log),
2 the command's input cannot be used (a data file, a layout, a printer address).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli import Handler, database, emit_json, table
from app.printing import (
    BatchProgress,
    LayoutError,
    Printer,
    PrintingError,
    list_layouts,
    load_layout,
    render_batch_pdf,
    render_batch_zpl,
    render_pdf,
    sample_data,
)
from app.services.actor import Actor
from app.services.errors import InvalidInput
from app.services.printing import records
from app.services.printing.records import RecordedPrint

PRINTER_HELP = "pdf:FOLDER or zpl:HOST[:PORT][@DPI] (e.g. zpl:10.0.0.31:9100@300)"


def register(commands: Any) -> None:
    """Add `baton labels ...` to the parser."""
    labels = commands.add_parser("labels", help="label layouts, printing and the print log")
    actions = labels.add_subparsers(dest="labels_action", required=True, metavar="ACTION")

    p = actions.add_parser("list", help="the layouts in labels/")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_guarded(labels_list))
    p = actions.add_parser("sample", help="example values (JSON) naming every value of a layout")
    p.add_argument("layout")
    p.set_defaults(handler=_guarded(labels_sample))
    p = actions.add_parser("render", help="render to a PDF or ZPL file (not printed, not logged)")
    p.add_argument("layout")
    _data_argument(p)
    p.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.zpl")
    p.add_argument("--dpi", type=int, choices=(203, 300, 600), help="printer resolution")
    p.set_defaults(handler=_guarded(labels_render))
    p = actions.add_parser("print", help="print and record in the print log")
    p.add_argument("layout")
    _data_argument(p)
    p.add_argument("--what", default="", help="how the print log names it (e.g. order 1001)")
    _printer_argument(p)
    p.set_defaults(handler=_guarded(labels_print))

    p = actions.add_parser("locations", help="every location label of one aisle")
    p.add_argument("--aisle", type=int, required=True)
    _printer_argument(p)
    p.set_defaults(handler=_guarded(labels_locations))
    p = actions.add_parser("totes", help="tote labels counting up from a first code")
    p.add_argument("--from", dest="first", required=True, metavar="CODE", help="e.g. T0001")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--zone", default="", help="small print under the barcode")
    _printer_argument(p)
    p.set_defaults(handler=_guarded(labels_totes))
    p = actions.add_parser("badges", help="operator badges (all active operators by default)")
    p.add_argument("--badge", action="append", default=[], help="only this badge (repeatable)")
    _printer_argument(p)
    p.set_defaults(handler=_guarded(labels_badges))

    p = actions.add_parser("prints", help="the print log, newest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--failed", action="store_true", help="only prints that failed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_guarded(labels_prints))
    p = actions.add_parser("reprint", help="print a logged print again from its stored values")
    p.add_argument("id", type=int, metavar="ID", help="the print's number in the print log")
    _printer_argument(p)
    p.set_defaults(handler=_guarded(labels_reprint))


def _data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        required=True,
        metavar="FILE.json",
        help="the values: one object, or a list of objects for several documents ('-': stdin)",
    )


def _printer_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--printer", required=True, metavar="PRINTER", help=PRINTER_HELP)


def _guarded(handler: Handler) -> Handler:
    """Printing problems as one `baton: ...` line and an exit status, never a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except LayoutError as exc:
            return _fail(str(exc), 2)
        except PrintingError as exc:
            message = str(exc)
            if isinstance(exc.outcome, RecordedPrint) and exc.outcome.record_id:
                number = exc.outcome.record_id
                message += (
                    f"\n(logged as print #{number}; try again with "
                    f"`baton labels reprint {number} --printer PRINTER`)"
                )
            return _fail(message, 1)
        except InvalidInput as exc:
            return _fail(exc.message, 2)

    return run


def _fail(message: str, code: int) -> int:
    print(f"baton: {message}", file=sys.stderr)
    return code


def _read_data(source: str) -> dict[str, Any] | list[dict[str, Any]]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        value = json.loads(text)
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{source} is not JSON: {exc}") from None
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    raise InvalidInput(f"{source} must hold a JSON object of values, or a list of them")


def _printer(args: argparse.Namespace) -> Printer:
    return records.make_printer(records.parse_printer_spec(args.printer))


def _progress() -> Callable[[BatchProgress], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(step: BatchProgress) -> None:
        total = step.total or "?"
        end = "\n" if step.done == step.total else ""
        print(f"\rrendering {step.done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _report(printed: RecordedPrint) -> int:
    print(f"print #{printed.record_id}: {printed.message}")
    for warning in printed.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    for index, reason in printed.failed:
        print(f"  document {index + 1} not printed: {reason}", file=sys.stderr)
    return 0


# -- layouts ------------------------------------------------------------------------------
def labels_list(args: argparse.Namespace) -> int:
    infos = list_layouts()
    if args.json:
        emit_json([{**asdict(i), "path": i.path.name} for i in infos])
        return 0
    print(
        table(
            ("layout", "page (mm)", "title"),
            [(i.name, f"{i.width_mm:g} x {i.height_mm:g}", i.title) for i in infos],
        )
    )
    return 0


def labels_sample(args: argparse.Namespace) -> int:
    emit_json(sample_data(load_layout(args.layout)))
    return 0


def labels_render(args: argparse.Namespace) -> int:
    layout, out = load_layout(args.layout), Path(args.out)
    data = _read_data(args.data)
    documents = data if isinstance(data, list) else [data]
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        if isinstance(data, dict):
            result = render_pdf(layout, data, out, dpi=args.dpi)
            pages, warnings = result.pages, result.warnings
        else:
            batch = render_batch_pdf(layout, documents, out, dpi=args.dpi, progress=_progress())
            pages, warnings = batch.pages, batch.warnings
    elif suffix == ".zpl":
        zpl, batch = render_batch_zpl(layout, documents, args.dpi or 203, progress=_progress())
        out.write_text(zpl, encoding="utf-8")
        pages, warnings = batch.pages, batch.warnings
    else:
        raise InvalidInput(f"--out must end in .pdf or .zpl, not '{out.name}'")
    for warning in warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    print(f"wrote {out}: {len(documents)} document(s), {pages} page(s)")
    return 0


# -- printing -----------------------------------------------------------------------------
def labels_print(args: argparse.Namespace) -> int:
    data = _read_data(args.data)
    printer = _printer(args)
    layout = load_layout(args.layout).name
    what = args.what or f"{layout} from {Path(args.data).name}"
    db = database(args)
    if isinstance(data, list):
        printed = records.print_batch(
            db.sessions, Actor.command_line(), printer, layout, data, what, progress=_progress()
        )
    else:
        printed = records.print_document(
            db.sessions, Actor.command_line(), printer, layout, data, what
        )
    return _report(printed)


def labels_locations(args: argparse.Namespace) -> int:
    printer, db = _printer(args), database(args)
    printed = records.print_location_labels(
        db.sessions, Actor.command_line(), printer, args.aisle, progress=_progress()
    )
    return _report(printed)


def labels_totes(args: argparse.Namespace) -> int:
    printer, db = _printer(args), database(args)
    printed = records.print_tote_labels(
        db.sessions,
        Actor.command_line(),
        printer,
        args.first,
        args.count,
        args.zone,
        progress=_progress(),
    )
    return _report(printed)


def labels_badges(args: argparse.Namespace) -> int:
    printer, db = _printer(args), database(args)
    printed = records.print_badges(
        db.sessions, Actor.command_line(), printer, args.badge, progress=_progress()
    )
    return _report(printed)


def labels_reprint(args: argparse.Namespace) -> int:
    printer, db = _printer(args), database(args)
    printed = records.reprint(
        db.sessions, Actor.command_line(), printer, args.id, progress=_progress()
    )
    return _report(printed)


# -- the print log ------------------------------------------------------------------------
def labels_prints(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = records.recent_prints(session, args.limit, failed_only=args.failed)
    if args.json:
        emit_json([{**asdict(r), "outcome": r.outcome} for r in rows])
        return 0
    print(
        table(
            ("#", "when", "what", "layout", "printer", "who", "station", "outcome", "message"),
            [
                (
                    r.id,
                    r.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    r.description + (f" (reprint of #{r.reprint_of})" if r.reprint_of else ""),
                    r.layout,
                    r.printer,
                    r.operator or "-",
                    r.station,
                    r.outcome.upper() if not r.ok else r.outcome,
                    _first_line(r.message, 70),
                )
                for r in rows
            ],
        )
    )
    return 0


def _first_line(text: str, width: int) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"

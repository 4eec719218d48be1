"""`baton cartons`, `baton dispatch` and `baton manifest(s)`: the dock from the command line,
through the same services the dock screen uses."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app import clock
from app.cli import CommandError, database, emit_json, table
from app.config import manifest_folder
from app.db.engine import unit_of_work
from app.domain.dispatch import countdown, kilograms
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.dispatch.carrier_link import FileCarrierLink
from app.services.dispatch.doors import list_doors, print_door_labels, set_door
from app.services.dispatch.loading import (
    LoadRefused,
    cartons,
    dispatch_status,
    load_carton,
    unload_carton,
)
from app.services.dispatch.manifests import (
    close_load,
    hand_over,
    list_manifests,
    manifest_detail,
)
from app.services.masterdata.warehouse import scan_patterns
from app.services.printing import records

STATUSES = ("OPEN", "CLOSED", "LOADED", "SHIPPED", "VOID", "ALL")
PRINTER_HELP = "pdf:FOLDER or zpl:HOST[:PORT] (the document printer)"


def register(commands: Any) -> None:
    """Add `baton cartons`, `baton dispatch`, `baton manifests` and `baton manifest`."""
    p = commands.add_parser("cartons", help="labelled cartons by status and carrier")
    p.add_argument("--status", type=str.upper, choices=STATUSES, default="CLOSED")
    p.add_argument("--carrier", default=None, metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cartons_list)

    dispatch = commands.add_parser("dispatch", help="the dock: doors, loading, closing a load")
    actions = dispatch.add_subparsers(dest="dispatch_action", required=True, metavar="ACTION")
    doors = actions.add_parser("doors", help="dock doors and the carrier each serves today")
    doors.add_argument("--json", action="store_true")
    doors.set_defaults(handler=doors_list)
    door_actions = doors.add_subparsers(dest="doors_action", metavar="ACTION")
    p = door_actions.add_parser("set", help="add a door or set its carrier ('' for none)")
    p.add_argument("door", metavar="DOOR")
    p.add_argument("--carrier", required=True, metavar="NAME")
    p.set_defaults(handler=doors_set)
    p = door_actions.add_parser("labels", help="print every door's label")
    p.add_argument("--printer", required=True, metavar="PRINTER", help="pdf:FOLDER or zpl:...")
    p.set_defaults(handler=doors_labels)
    for name, text in (("load", "load a carton onto a door's truck"), ("unload", "take it off")):
        p = actions.add_parser(name, help=text)
        p.add_argument("code", metavar="CODE", help="tracking number or SSCC")
        p.add_argument("--door", required=True, metavar="DOOR")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=dispatch_load if name == "load" else dispatch_unload)
    p = actions.add_parser("status", help="per door: cartons waiting, loaded, the pickup time")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=dispatch_status_command)
    p = actions.add_parser("close", help="close a door's load: the manifest, cartons SHIPPED")
    p.add_argument("--door", required=True, metavar="DOOR")
    p.add_argument("--printer", metavar="PRINTER", help=f"print it too: {PRINTER_HELP}")
    p.add_argument(
        "--folder", type=Path, metavar="DIR", help="where the PDF and CSV go (default: see README)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=dispatch_close)

    p = commands.add_parser("manifests", help="closed manifests, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=manifests_list)
    manifest = commands.add_parser("manifest", help="one manifest: show, print")
    m_actions = manifest.add_subparsers(dest="manifest_action", required=True, metavar="ACTION")
    p = m_actions.add_parser("show", help="a manifest and its cartons")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=manifest_show)
    p = m_actions.add_parser("print", help="print a manifest again (and rewrite its files)")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--printer", required=True, metavar="PRINTER", help=PRINTER_HELP)
    p.add_argument("--folder", type=Path, metavar="DIR", help="where the PDF and CSV go")
    p.set_defaults(handler=manifest_print)


def cartons_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        found = cartons(session, args.status, args.carrier)
    if args.json:
        emit_json([c.as_dict() for c in found])
        return 0
    print(
        table(
            ["tracking number", "carrier", "service", "order", "carton", "status", "weight", "to"],
            [
                (
                    c.tracking_number,
                    c.carrier,
                    c.service,
                    c.order,
                    c.carton,
                    c.status,
                    kilograms(c.weight_g),
                    c.destination,
                )
                for c in found
            ],
        )
    )
    return 0


def doors_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        doors = list_doors(session)
    if args.json:
        emit_json([d.as_dict() for d in doors])
        return 0
    print(table(["door", "carrier"], [(d.door, d.carrier or "-") for d in doors]))
    return 0


def doors_set(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        door = set_door(session, Actor.command_line(), args.door, args.carrier)
    print(f"{door.door}: {door.carrier or 'no carrier'}")
    return 0


def doors_labels(args: argparse.Namespace) -> int:
    printer = records.make_printer(records.parse_printer_spec(args.printer))
    db = database(args)
    printed = print_door_labels(db.sessions, Actor.command_line(), printer)
    print(printed.message)
    return 0


def _scan(db_sessions: Any, code: str) -> Scan:
    with db_sessions() as session:
        scanned = classify(code, scan_patterns(session))
    if not isinstance(scanned, Scan):
        raise LoadRefused(scanned.reason)
    return scanned


def _move(args: argparse.Namespace, action: Any) -> int:
    db = database(args)
    actor = Actor.command_line()
    try:
        scanned = _scan(db.sessions, args.code)
        with unit_of_work(db.sessions) as session:
            outcome = action(session, actor, args.door, scanned)
    except LoadRefused as refused:
        if args.json:
            emit_json({"refused": refused.message})
            return 1
        raise
    if args.json:
        emit_json({"message": outcome.message, "carton": outcome.carton.as_dict()})
    else:
        print(outcome.message)
    return 0


def dispatch_load(args: argparse.Namespace) -> int:
    return _move(args, load_carton)


def dispatch_unload(args: argparse.Namespace) -> int:
    return _move(args, unload_carton)


def dispatch_status_command(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        doors = dispatch_status(session)
    if args.json:
        emit_json([d.as_dict() for d in doors])
        return 0
    now = clock.now()
    rows = [
        (
            d.door,
            d.carrier or "-",
            d.expected,
            d.loaded,
            kilograms(d.loaded_weight_g),
            f"{d.pickup_at.astimezone():%a %H:%M} ({countdown(d.pickup_at, now)})"
            if d.pickup_at
            else "-",
        )
        for d in doors
    ]
    print(table(["door", "carrier", "waiting", "loaded", "weight", "pickup"], rows))
    return 0


def dispatch_close(args: argparse.Namespace) -> int:
    printer = (
        records.make_printer(records.parse_printer_spec(args.printer)) if args.printer else None
    )
    db = database(args)
    actor = Actor.command_line()
    with unit_of_work(db.sessions) as session:
        closed = close_load(session, actor, args.door)
    link = FileCarrierLink(args.folder or manifest_folder())
    handover = hand_over(db.sessions, actor, link, printer, closed.manifest)
    problems = [p for p in (handover.files_problem, handover.print_problem) if p]
    result = {
        "manifest": closed.manifest,
        "carrier": closed.carrier,
        "door": closed.door,
        "cartons": list(closed.cartons),
        "orders_shipped": list(closed.orders_shipped),
        "not_loaded": list(closed.not_loaded),
        "weight_g": closed.weight_g,
        "pdf": str(handover.files.pdf) if handover.files else None,
        "csv": str(handover.files.csv) if handover.files else None,
        "printed": handover.printed.message if handover.printed else None,
        "problems": problems,
        "pickup": handover.pickup,
    }
    if args.json:
        emit_json(result)
    else:
        print(
            f"Manifest {closed.manifest}: {len(closed.cartons)} {closed.carrier} carton(s), "
            f"{kilograms(closed.weight_g)}; shipped "
            f"{', '.join(closed.orders_shipped) or 'no order yet'}"
        )
        if handover.files:
            print(f"  {handover.files.pdf}\n  {handover.files.csv}")
        if closed.not_loaded:
            print(f"  not loaded, waiting for the next truck: {', '.join(closed.not_loaded)}")
        for problem in problems:
            print(f"  ! {problem}")
        print(f"  {handover.pickup}")
    # The manifest is committed either way; a failure afterwards is for the user to redo.
    return 1 if problems else 0


def manifests_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        found = list_manifests(session)
    if args.json:
        emit_json([m.as_dict() for m in found])
        return 0
    print(
        table(
            ["manifest", "carrier", "door", "closed", "cartons", "weight"],
            [
                (
                    m.number,
                    m.carrier,
                    m.door,
                    f"{m.closed_at.astimezone():%Y-%m-%d %H:%M}" if m.closed_at else "",
                    m.cartons,
                    kilograms(m.weight_g),
                )
                for m in found
            ],
        )
    )
    return 0


def manifest_show(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        detail = manifest_detail(session, args.number)
    if args.json:
        emit_json(detail)
        return 0
    print(f"Manifest {detail['manifest']} · {detail['carrier']} · account {detail['account']}")
    print(f"Door {detail['door']} · ship date {detail['ship_date']}")
    rows = detail["cartons"]
    assert isinstance(rows, list)
    print(
        table(
            [
                "tracking number",
                "order",
                "carton",
                "service",
                "consignee",
                "postcode",
                "country",
                "weight",
            ],
            [
                (
                    r["tracking_number"],
                    r["order"],
                    r["carton"],
                    r["service"],
                    r["consignee"],
                    r["postal_code"],
                    r["country"],
                    kilograms(r["weight_g"]),
                )
                for r in rows
            ],
        )
    )
    return 0


def manifest_print(args: argparse.Namespace) -> int:
    printer = records.make_printer(records.parse_printer_spec(args.printer))
    db = database(args)
    actor = Actor.command_line()
    link = FileCarrierLink(args.folder or manifest_folder())
    handover = hand_over(db.sessions, actor, link, printer, args.number.upper(), again=True)
    if handover.printed:
        print(handover.printed.message)
    for problem in (handover.files_problem, handover.print_problem):
        if problem:
            raise CommandError(problem)
    return 0

"""`baton walls`: put walls at the sort stations, their slots and slot labels."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from app.cli import database, emit_json, table
from app.db.engine import unit_of_work
from app.services.actor import Actor
from app.services.printing.records import make_printer, parse_printer_spec
from app.services.sorting.put_wall import add_wall, print_slot_labels, wall_view, walls_status


def register(commands: Any) -> None:
    """Add `baton walls` to the parser."""
    walls = commands.add_parser("walls", help="put walls: status, add one, its slots, labels")
    walls.add_argument("--json", action="store_true")
    walls.set_defaults(handler=walls_list)
    actions = walls.add_subparsers(dest="walls_action", metavar="ACTION")
    p = actions.add_parser("add", help="a new wall of ROWS x COLS slots, e.g. --code W1")
    p.add_argument("--code", required=True, help="W and a number (slots are W1-A1 ... W1-D6)")
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--cols", type=int, required=True)
    p.set_defaults(handler=walls_add)
    p = actions.add_parser("show", help="every slot of a wall: order, placed / expected, state")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=walls_show)
    p = actions.add_parser("labels", help="print the slot labels of a wall")
    p.add_argument("code")
    p.add_argument("--printer", default="pdf", help="pdf[:FOLDER] or zpl:HOST:PORT (default pdf)")
    p.set_defaults(handler=walls_labels)


def walls_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = walls_status(session)
    if args.json:
        emit_json([asdict(r) for r in rows])
        return 0
    if not rows:
        print("No put walls yet: `baton walls add --code W1 --rows 4 --cols 6`.")
        return 0
    print(
        table(
            ("wall", "slots", "free", "filling", "complete", "oldest complete since"),
            [
                (
                    r.code,
                    r.slots,
                    r.free,
                    r.filling,
                    r.complete,
                    f"{r.oldest_complete.astimezone():%H:%M}" if r.oldest_complete else "-",
                )
                for r in rows
            ],
        )
    )
    return 0


def walls_add(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        view = add_wall(session, Actor.command_line(), args.code, args.rows, args.cols)
    first, last = view.slots[0].code, view.slots[-1].code
    print(f"Wall {view.code}: {len(view.slots)} slots, {first} to {last}")
    return 0


def walls_show(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        view = wall_view(session, args.code.upper())
    if args.json:
        emit_json(asdict(view))
        return 0
    print(
        table(
            ("slot", "state", "order", "placed", "expected"),
            [
                (
                    s.code,
                    s.status + (" SHORT" if s.short else ""),
                    s.order or "-",
                    s.placed,
                    s.expected,
                )
                for s in view.slots
            ],
        )
    )
    if view.waiting:
        print(f"waiting for a free slot: {', '.join(view.waiting)}")
    return 0


def walls_labels(args: argparse.Namespace) -> int:
    db = database(args)
    printer = make_printer(parse_printer_spec(args.printer))
    printed = print_slot_labels(db.sessions, Actor.command_line(), printer, args.code.upper())
    print(f"printed {printed.documents} slot labels: {printed.destination or printed.printer}")
    return 0

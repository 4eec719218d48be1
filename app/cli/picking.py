"""`baton layout`, `baton waves` and `baton picklists`: the floor's geometry and its pick lists."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from typing import Any

from app.cli import database, emit_json, table
from app.db.engine import unit_of_work
from app.domain.routing.layout import Layout
from app.services.actor import Actor
from app.services.masterdata.warehouse import (
    OutsideLayout,
    layout_report,
    locations_outside,
    set_layout,
)
from app.services.picking.finishing import reassign
from app.services.picking.lists import list_pick_lists, paper_pick_list, tote_cell
from app.services.picking.waves import MODES, release_wave
from app.services.printing.records import make_printer, parse_printer_spec, print_document


def register(commands: Any) -> None:
    """Add the picking commands to the parser."""
    layout = commands.add_parser("layout", help="the warehouse geometry routes are walked on")
    actions = layout.add_subparsers(dest="layout_action", required=True, metavar="ACTION")
    p = actions.add_parser("show", help="print the layout parameters")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=layout_show)
    p = actions.add_parser("set", help="change parameters: aisles=14 cross_aisles_after_bays=6")
    p.add_argument("values", nargs="+", metavar="NAME=VALUE")
    p.add_argument(
        "--allow-outside",
        action="store_true",
        help="store a layout that leaves stored locations outside it (waves picking from "
        "them are refused until the layout reaches them)",
    )
    p.set_defaults(handler=layout_set)

    waves = commands.add_parser("waves", help="release READY orders to the floor as pick lists")
    wave_actions = waves.add_subparsers(dest="waves_action", required=True, metavar="ACTION")
    p = wave_actions.add_parser("release", help="release READY orders, most urgent cutoff first")
    p.add_argument(
        "--mode",
        choices=MODES,
        default=MODES[0],
        help="sort_while_pick: a tote per order on the cart (default); "
        "pick_then_sort: shared totes, sorted at the put wall",
    )
    p.add_argument("--cutoff", help="only orders that must ship by this time (ISO 8601)")
    p.add_argument("--carrier", help="only orders for this carrier")
    p.add_argument("--max-orders", type=int, help="at most this many orders")
    p.add_argument("--totes", type=int, default=8, help="totes on a cart (default 8)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=waves_release)

    lists = commands.add_parser("picklists", help="pick lists with their stops in walking order")
    lists.add_argument("--status", help="OPEN, CLAIMED, IN_PROGRESS or DONE (default: not done)")
    lists.add_argument("--json", action="store_true")
    lists.set_defaults(handler=picklists)

    one = commands.add_parser("picklist", help="one pick list: reassign it, or print it on paper")
    one_actions = one.add_subparsers(dest="picklist_action", required=True, metavar="ACTION")
    p = one_actions.add_parser("reassign", help="give a list to another picker (or the queue)")
    p.add_argument("code")
    p.add_argument("--to", metavar="BADGE", help="the picker's badge (default: back to the queue)")
    p.set_defaults(handler=picklist_reassign)
    p = one_actions.add_parser("print", help="the paper pick list (layout pick_list_a4)")
    p.add_argument("code")
    p.add_argument("--printer", default="pdf", help="pdf[:FOLDER] or zpl:HOST:PORT (default pdf)")
    p.set_defaults(handler=picklist_print)


def layout_show(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        report = layout_report(session)
    values = report.layout.as_dict()
    outside = report.outside
    if args.json:
        emit_json(
            {
                **values,
                "origin": {
                    name: {"source": o.source, "on": o.on or None, "text": o.text}
                    for name, o in report.origin.items()
                },
                "outside": None
                if outside is None
                else {
                    "count": outside.count,
                    "examples": list(outside.examples),
                    "aisles": outside.aisles,
                    "bays": outside.bays,
                    "fix": f"baton layout set {outside.settings(report.layout)}",
                },
            }
        )
        return 0
    width = max(len(str(v)) for v in values.values())
    for name, value in values.items():
        print(f"{name:<24} {value!s:<{width}}  ({report.origin[name].text})")
    _warn_outside(report.layout, outside)
    return 0


def _warn_outside(layout: Layout, outside: OutsideLayout | None) -> None:
    if outside is not None:
        print(
            f"\nWarning: {outside.describe(layout)}. Waves picking from them are refused "
            f"until the layout reaches them: `baton layout set {outside.settings(layout)}`."
        )


def layout_set(args: argparse.Namespace) -> int:
    changes: dict[str, object] = {}
    for item in args.values:
        name, sep, raw = item.partition("=")
        if not sep:
            print(f"baton: give NAME=VALUE, got '{item}'", file=sys.stderr)
            return 2
        value = _value(raw.strip())
        if name.strip() == "cross_aisles_after_bays" and isinstance(value, int):
            value = [value]  # one middle cross-aisle
        changes[name.strip()] = value
    db = database(args)
    with unit_of_work(db.sessions) as session:
        layout = set_layout(
            session, Actor.command_line(), changes, allow_outside=args.allow_outside
        )
        outside = locations_outside(session, layout)
    for name, value in layout.as_dict().items():
        print(f"{name:<24} {value}")
    _warn_outside(layout, outside)
    return 0


def _value(raw: str) -> object:
    """A parameter value as typed: a number, a list of bays (`6,12` or `[6,12]`), or text."""
    if raw in ("", "[]", "none"):
        return []
    if "," in raw or raw.startswith("["):
        return [int(v) for v in raw.strip("[]").split(",") if v.strip()]
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def waves_release(args: argparse.Namespace) -> int:
    cutoff = None
    if args.cutoff:
        try:
            cutoff = datetime.fromisoformat(args.cutoff)
        except ValueError:
            print(
                f"baton: --cutoff must be a time like 2026-11-26T16:00, got '{args.cutoff}'",
                file=sys.stderr,
            )
            return 2
        cutoff = cutoff if cutoff.tzinfo else cutoff.astimezone()
    db = database(args)
    with unit_of_work(db.sessions) as session:
        wave = release_wave(
            session,
            Actor.command_line(),
            mode=args.mode,
            cutoff=cutoff,
            carrier=args.carrier,
            max_orders=args.max_orders,
            cart_totes=args.totes,
        )
    if args.json:
        emit_json(
            {
                "wave": wave.code,
                "mode": wave.mode,
                "pick_lists": [asdict(p) for p in wave.pick_lists],
            }
        )
        return 0
    if wave.code is None:
        print("No READY orders to release.")
        return 0
    print(
        f"Wave {wave.code} ({wave.mode}): {wave.orders} orders on {len(wave.pick_lists)} pick lists"
    )
    print(
        table(
            ("pick list", "mode", "orders", "stops", "units", "walk m"),
            [
                (p.code, p.mode, len(p.orders), p.stops, p.units, f"{p.planned_m:.1f}")
                for p in wave.pick_lists
            ],
        )
    )
    return 0


def picklists(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = list_pick_lists(session, args.status)
    if args.json:
        emit_json([asdict(row) for row in rows])
        return 0
    if not rows:
        print("No pick lists.")
    for row in rows:
        who = f", {row.picker}" if row.picker else ""
        totes = sorted({s.tote for s in row.stops if s.tote})
        into = f", tote {totes[0]}" if row.mode == "single" and totes else ""
        print(
            f"{row.code} {row.status} {row.mode}{who}: {len(row.orders)} orders{into}, "
            f"{row.planned_m:.1f} m planned (wave {row.wave})"
        )
        print(
            table(
                ("location", "sku", "qty", "order", "tote"),
                [(s.location, s.sku, s.quantity, s.order, tote_cell(row, s)) for s in row.stops],
            )
        )
        print()
    return 0


def picklist_reassign(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        print(reassign(session, Actor.command_line(), args.code, args.to))
    return 0


def picklist_print(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        data = paper_pick_list(session, args.code)
    printer = make_printer(parse_printer_spec(args.printer))
    result = print_document(
        db.sessions, Actor.command_line(), printer, "pick_list_a4", data, f"pick list {args.code}"
    )
    print(f"printed {args.code}: {result.destination or result.printer}")
    return 0

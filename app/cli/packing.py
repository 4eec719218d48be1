"""`baton boxes` and `baton pack`: the box types at the pack benches, the packing rules, and
orders a supervisor returns from the exception queue to packing."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli import database, emit_json, table
from app.db.engine import unit_of_work
from app.domain.packing_rules import PackingSettings
from app.services.actor import Actor
from app.services.masterdata.warehouse import packing_settings, set_packing
from app.services.packing.boxes import BOX_COLUMNS, list_boxes, read_box_file, save_boxes
from app.services.packing.set_aside import back_to_packing

# `400x300x200`, also with `X`, `*` or `×` and spaces around the separators.
_SIZE = re.compile(r"\s*(\d+)\s*[xX×*]\s*(\d+)\s*[xX×*]\s*(\d+)\s*")
_ADD_EXAMPLE = (
    'baton boxes add --code BOX-M --name "Box M" --size 400x300x200 --tare 330 --max-weight 20000'
)


def register(commands: Any) -> None:
    """Add `baton boxes` and `baton pack` to the parser."""
    boxes = commands.add_parser("boxes", help="box types at the pack benches: list, import, add")
    boxes.add_argument("--json", action="store_true")
    boxes.set_defaults(handler=boxes_list)
    actions = boxes.add_subparsers(dest="boxes_action", metavar="ACTION")
    p = actions.add_parser(
        "import", help=f"add or update box types from a CSV file ({','.join(BOX_COLUMNS)})"
    )
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.set_defaults(handler=boxes_import)
    p = actions.add_parser("add", help="add or update one box type, e.g. --code BOX-M")
    p.add_argument("--code", required=True, help="BOX- and letters or digits, e.g. BOX-M")
    p.add_argument("--name", default="", help="what packers see (default: the code)")
    p.add_argument("--size", required=True, metavar="LxWxH", help="inner size in mm: 400x300x200")
    p.add_argument("--tare", type=int, required=True, metavar="GRAMS", help="the empty box (g)")
    p.add_argument(
        "--max-weight", type=int, required=True, metavar="GRAMS", help="packed, at most (g)"
    )
    p.set_defaults(handler=boxes_add)

    pack = commands.add_parser("pack", help="packing rules; return an order to packing")
    pack_actions = pack.add_subparsers(dest="pack_action", required=True, metavar="ACTION")
    p = pack_actions.add_parser(
        "settings", help="show the packing settings, or change them with --set KEY=VALUE"
    )
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="e.g. tolerance_pct=3, gs1_label=on, slip_layout=packing_slip_letter (repeatable)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=pack_settings)
    p = pack_actions.add_parser(
        "release", help="return an order from the exception queue to packing"
    )
    p.add_argument("number", metavar="ORDER")
    p.add_argument(
        "--note", default="", metavar="TEXT", help="what was done about it (kept in the timeline)"
    )
    p.set_defaults(handler=pack_release)


def boxes_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = list_boxes(session)
    if args.json:
        emit_json([asdict(r) for r in rows])
        return 0
    if not rows:
        print(
            f"No box types yet: `baton boxes import FILE.csv` (columns {','.join(BOX_COLUMNS)}) "
            f"or `{_ADD_EXAMPLE}`."
        )
        return 0
    print(
        table(
            ("code", "name", "inner size mm", "tare g", "max weight kg"),
            [
                (
                    r.code,
                    r.name,
                    f"{r.length_mm} × {r.width_mm} × {r.height_mm}",
                    r.tare_g,
                    _kg(r.max_weight_g),
                )
                for r in rows
            ],
        )
    )
    return 0


def boxes_import(args: argparse.Namespace) -> int:
    rows = read_box_file(args.file)
    db = database(args)
    with unit_of_work(db.sessions) as session:
        known = {b.code for b in list_boxes(session)}
        saved = save_boxes(session, Actor.command_line(), rows)
    added = sum(1 for b in saved if b.code not in known)
    print(
        f"box types from {args.file.name}: {added} added, {len(saved) - added} updated "
        f"({', '.join(b.code for b in saved)})"
    )
    return 0


def boxes_add(args: argparse.Namespace) -> int:
    size = _SIZE.fullmatch(args.size)
    if size is None:
        print(
            f"baton: --size is the inner length x width x height in mm, e.g. 400x300x200; "
            f"got '{args.size}'",
            file=sys.stderr,
        )
        return 2
    row = (args.code, args.name, *size.groups(), args.tare, args.max_weight)
    db = database(args)
    with unit_of_work(db.sessions) as session:
        known = {b.code for b in list_boxes(session)}
        (box,) = save_boxes(session, Actor.command_line(), [row])
    done = "updated" if box.code in known else "added"
    print(
        f"Box type {box.code} {done}: {box.name}, {box.size}, tare {box.tare_g} g, "
        f"at most {_kg(box.max_weight_g)} kg"
    )
    return 0


def pack_settings(args: argparse.Namespace) -> int:
    changes: dict[str, object] = {}
    for item in args.changes:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            print(f"baton: give --set KEY=VALUE, got '{item}'", file=sys.stderr)
            return 2
        changes[key.strip()] = value.strip()
    db = database(args)
    if changes:
        with unit_of_work(db.sessions) as session:
            settings = set_packing(session, Actor.command_line(), changes)
    else:
        with db.sessions() as session:
            settings = packing_settings(session)
    if args.json:
        emit_json(settings.as_dict())
    else:
        _print_settings(settings)
    return 0


def _print_settings(settings: PackingSettings) -> None:
    for key, value in settings.as_dict().items():
        shown = ("on" if value else "off") if isinstance(value, bool) else value
        print(f"{key:<16} {shown}")
    print()
    print(
        f"weight tolerance: {settings.tolerance_pct} % or {settings.tolerance_g} g, "
        f"whichever is larger (±{settings.tolerance(1_000)} g on a 1 kg carton, "
        f"±{settings.tolerance(10_000)} g on 10 kg)"
    )
    if settings.gs1_label:
        print(
            f"GS1 logistic label: printed with the shipping label (SSCC extension "
            f"{settings.sscc_extension}, company prefix {settings.company_prefix})"
        )
    else:
        print("GS1 logistic label: not printed")
    print(f"packing slip: {settings.slip_layout}")


def pack_release(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        message = back_to_packing(session, Actor.command_line(), args.number, args.note)
    print(message)
    return 0


def _kg(grams: int) -> str:
    """`20` for 20000 g, `22.5` for 22500 g."""
    return f"{grams / 1000:.3f}".rstrip("0").rstrip(".")

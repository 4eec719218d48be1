"""`baton layout`, `baton waves` and `baton picklists`: the floor's geometry and its pick lists."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli import database, emit_json
from app.db.engine import unit_of_work
from app.services.actor import Actor
from app.services.warehouse import set_layout, warehouse_layout


def register(commands: Any) -> None:
    """Add the picking commands to the parser."""
    layout = commands.add_parser("layout", help="the warehouse geometry routes are walked on")
    actions = layout.add_subparsers(dest="layout_action", required=True, metavar="ACTION")
    p = actions.add_parser("show", help="print the layout parameters")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=layout_show)
    p = actions.add_parser("set", help="change parameters: aisles=14 cross_aisles_after_bays=6")
    p.add_argument("values", nargs="+", metavar="NAME=VALUE")
    p.set_defaults(handler=layout_set)


def layout_show(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        values = warehouse_layout(session).as_dict()
    if args.json:
        emit_json(values)
    else:
        for name, value in values.items():
            print(f"{name:<24} {value}")
    return 0


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
        layout = set_layout(session, Actor.command_line(), changes)
    for name, value in layout.as_dict().items():
        print(f"{name:<24} {value}")
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

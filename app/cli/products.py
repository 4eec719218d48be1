"""`baton products alias|aliases` and `baton order map-line`: lines that came without a SKU."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import database, emit_json, table
from app.db.engine import unit_of_work
from app.services.actor import Actor
from app.services.desk.orders import to_json
from app.services.intake.aliases import list_aliases, remove_alias, set_alias
from app.services.intake.line_mapping import map_line


def register(commands: Any) -> None:
    """Add `baton products` to the parser."""
    products = commands.add_parser(
        "products", help="product aliases: names of lines without a SKU, mapped to products"
    )
    actions = products.add_subparsers(dest="products_action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "alias", help="remember a line name as a product for later imports, or forget it"
    )
    p.add_argument("name", help="the line's name as the shop writes it (case does not matter)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--sku", help="the product's SKU (or barcode)")
    what.add_argument("--remove", action="store_true", help="forget this alias")
    p.set_defaults(handler=products_alias)
    p = actions.add_parser("aliases", help="the remembered names and their products")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=products_aliases)


def register_order_actions(order_actions: Any) -> None:
    """Add `baton order map-line` to the `baton order` actions."""
    p = order_actions.add_parser(
        "map-line", help="give a line without a SKU its product (verifies the order again)"
    )
    p.add_argument("number")
    p.add_argument("line", type=int, help="the line number, as `baton order show` lists it")
    p.add_argument("--sku", required=True, help="the product's SKU (or barcode)")
    p.add_argument(
        "--remember", action="store_true", help="map later imports' lines of this name too"
    )
    p.set_defaults(handler=order_map_line)


def products_alias(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        if args.remove:
            gone = remove_alias(session, Actor.command_line(), args.name)
            print(f"alias '{gone.name}' removed (it was {gone.sku})")
            return 0
        change = set_alias(session, Actor.command_line(), args.name, args.sku)
    alias = change.alias
    said = f"alias '{alias.name}' -> {alias.sku} ({alias.product})"
    if not change.changed:
        said += ", unchanged"
    elif change.previous_sku is not None:
        said += f", was {change.previous_sku}"
    print(said)
    return 0


def products_aliases(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = list_aliases(session)
    if args.json:
        emit_json(to_json(rows))
        return 0
    if not rows:
        print("no aliases: `baton products alias NAME --sku SKU` adds one")
        return 0
    print(
        table(
            ("name", "sku", "product", "since", "by"),
            [
                (r.name, r.sku, r.product, f"{r.created_at.astimezone():%Y-%m-%d}", r.created_by)
                for r in rows
            ],
        )
    )
    return 0


def order_map_line(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        mapped = map_line(
            session, Actor.command_line(), args.number, args.line, args.sku, remember=args.remember
        )
    verdict = mapped.verdict
    print(
        f"{mapped.number} line {mapped.line_no} -> {mapped.sku}"
        + ("; remembered for later imports" if mapped.remembered else "")
    )
    print(
        f"{verdict.number}: {verdict.status or 'not verified'}"
        + (f" ({'; '.join(verdict.reasons)})" if verdict.reasons else "")
    )
    return 0

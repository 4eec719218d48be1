"""`baton db`, `baton import`, `baton orders`, `baton order` and `baton operators`."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from app.cli import database, emit_json, products, table
from app.db.engine import unit_of_work
from app.db.schema import current_revision, head_revision, upgrade
from app.domain.formats.order_files import FORMATS
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.desk.order_actions import cancel_order, release_hold
from app.services.desk.orders import iter_orders, show_order, to_json
from app.services.intake.receiving import ImportSummary, import_orders
from app.services.intake.verification import verify_many
from app.services.masterdata import operators
from app.services.masterdata.imports import (
    MasterImportSummary,
    import_locations,
    import_products,
    import_stock,
)
from app.services.order_numbers import resolve_order_number


def register(commands: Any) -> None:
    """Add this module's commands to the `baton` parser."""
    db = commands.add_parser("db", help="create, check or upgrade the database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser(
        "upgrade", help="migrate the database to this version of Baton"
    ).set_defaults(handler=db_upgrade)
    db_commands.add_parser(
        "status", help="show where the database is and its schema revision"
    ).set_defaults(handler=db_status)

    imp = commands.add_parser("import", help="import master data or orders from a file")
    imp_kinds = imp.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, text in (
        ("locations", "CSV: code,zone,aisle,bay,level"),
        (
            "products",
            "CSV: sku,name,barcodes,weight_g,length_mm,width_mm,height_mm"
            "[,hs_code,origin_country,customs_description]",
        ),
        ("stock", "CSV: location,sku,quantity[,lot,expiry]"),
    ):
        p = imp_kinds.add_parser(kind, help=text)
        p.add_argument("file", type=Path)
        p.set_defaults(handler=import_master)
    p = imp_kinds.add_parser("orders", help="orders from a Shopify export, CSV or JSON")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=FORMATS, default="shopify")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=import_order_file)

    orders_parser = commands.add_parser("orders", help="list orders, or verify them again")
    orders_parser.add_argument(
        "--status",
        help="only orders in this status (e.g. ON_HOLD; ALL for every order); "
        "default: orders not yet shipped or cancelled",
    )
    orders_parser.add_argument("--limit", type=int, help="at most this many orders")
    orders_parser.add_argument("--json", action="store_true")
    orders_parser.set_defaults(handler=orders_list)
    orders_actions = orders_parser.add_subparsers(dest="orders_action", metavar="ACTION")
    p = orders_actions.add_parser("verify", help="verify received and held orders again")
    p.add_argument("numbers", nargs="*", metavar="NUMBER", help="only these orders")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=orders_verify)

    order = commands.add_parser("order", help="one order: show, release a hold, cancel")
    order_actions = order.add_subparsers(dest="order_action", required=True, metavar="ACTION")
    p = order_actions.add_parser("show", help="lines, ship-to address and timeline")
    p.add_argument("number")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=order_show)
    p = order_actions.add_parser("release", help="take an order off hold (verifies it again)")
    p.add_argument("number")
    p.add_argument("--note", default="")
    p.set_defaults(handler=order_release)
    p = order_actions.add_parser("cancel", help="cancel an order and release its stock")
    p.add_argument("number")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=order_cancel)
    products.register_order_actions(order_actions)

    ops = commands.add_parser("operators", help="list, add, disable, enable or unlock operators")
    ops.set_defaults(handler=operators_list)
    ops_actions = ops.add_subparsers(dest="operators_action", metavar="ACTION")
    p = ops_actions.add_parser("add", help="add an operator (asks for the PIN)")
    p.add_argument("--badge", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument(
        "--pin", help="4 to 8 digits (asked for when not given and a terminal is attached)"
    )
    p.set_defaults(handler=operators_add)
    for action, verb in (("disable", "refuse"), ("enable", "accept")):
        p = ops_actions.add_parser(
            action, help=f"{action} a badge: {verb} its logins and its next actions"
        )
        p.add_argument("badge")
        p.set_defaults(handler=operators_set_active, active=action == "enable")
    p = ops_actions.add_parser(
        "unlock", help="unlock a badge locked after wrong PINs (and clear its count)"
    )
    p.add_argument("badge")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=operators_unlock)


def db_upgrade(args: argparse.Namespace) -> int:
    db = database(args, check_schema=False)
    before = current_revision(db.engine)
    reached = upgrade(db.engine)
    print(f"{db.description}: schema {before or 'empty'} -> {reached}")
    return 0


def db_status(args: argparse.Namespace) -> int:
    db = database(args, check_schema=False)
    current, head = current_revision(db.engine), head_revision()
    state = "up to date" if current == head else f"needs `baton db upgrade` (code expects {head})"
    print(f"{db.description}\nschema revision: {current or 'none'} ({state})")
    return 0 if current == head else 1


def import_master(args: argparse.Namespace) -> int:
    db = database(args)
    run = {
        "locations": import_locations,
        "products": import_products,
        "stock": import_stock,
    }[args.kind]
    summary = run(db.sessions, Actor.command_line(), args.file)
    _print_master_summary(args.kind, summary)
    return summary.exit_code


def _print_master_summary(kind: str, summary: MasterImportSummary) -> None:
    if summary.unusable:
        print(f"baton: {summary.unusable}", file=sys.stderr)
        return
    print(
        f"{kind}: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, "
        f"{len(summary.rejected)} rejected"
    )
    for line_no, reason in summary.rejected:
        print(f"  line {line_no}: {reason}")
    if summary.layout_grown:
        print(
            f"layout grown to reach the locations: {summary.layout_grown} (see `baton layout show`)"
        )


def import_order_file(args: argparse.Namespace) -> int:
    db = database(args)
    summary = import_orders(db.sessions, Actor.command_line(), args.file, args.format)
    if args.json:
        emit_json(_summary_json(summary))
    else:
        _print_order_summary(summary)
    return summary.exit_code


def _summary_json(summary: ImportSummary) -> dict[str, Any]:
    return {
        "received": len(summary.received),
        "ready": summary.ready,
        "on_hold": summary.on_hold,
        "already_received": summary.already_received,
        "skipped": [{"number": n, "reason": r} for n, r in summary.skipped],
        "rejected": [
            {"line": r.line_no, "number": r.number, "reason": r.reason} for r in summary.rejected
        ],
        "unusable": summary.unusable,
        "exit_code": summary.exit_code,
        "held": [
            {"number": v.number, "reasons": list(v.reasons)} for v in summary.received if v.reasons
        ],
    }


def _print_order_summary(summary: ImportSummary) -> None:
    if summary.unusable and summary.exit_code == 2:
        print(f"baton: {summary.unusable}", file=sys.stderr)
        return
    print(
        f"orders: {len(summary.received)} received "
        f"({summary.ready} ready, {summary.on_hold} on hold), "
        f"{len(summary.already_received)} already received, {len(summary.skipped)} skipped, "
        f"{len(summary.rejected)} rejected"
    )
    for verdict in summary.received:
        if verdict.reasons:
            print(f"  on hold {verdict.number}: {'; '.join(verdict.reasons)}")
    for number, reason in summary.skipped:
        print(f"  skipped {number}: {reason}")
    for rejected in summary.rejected:
        print(f"  rejected {rejected.where_and_why}")
    if summary.unusable:
        print(f"  stopped: {summary.unusable} (orders before that point landed)")


def orders_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = iter_orders(session, status=args.status, limit=args.limit)
        if args.json:
            # Streamed: `--status ALL` on years of history never holds it all in memory.
            sys.stdout.write("[")
            for n, row in enumerate(rows):
                sys.stdout.write(",\n" if n else "\n")
                sys.stdout.write(json.dumps(to_json(row), ensure_ascii=False, default=str))
            sys.stdout.write("\n]\n")
            return 0
        head = f"{'order':<10} {'status':<9} {'ship by':<16} {'lines':>5} {'units':>5}"
        print(f"{head}  hold reasons / allocated")
        for r in rows:
            detail = "; ".join(r.hold_reasons) or ", ".join(
                f"{line.sku}@{a.location}x{a.quantity}" for line in r.lines for a in line.allocated
            )
            ship_by = r.ship_by.strftime("%Y-%m-%d %H:%M") if r.ship_by else "-"
            units = sum(line.quantity for line in r.lines if line.to_pick)
            print(
                f"{r.number:<10} {r.status:<9} {ship_by:<16} {len(r.lines):>5} {units:>5}  {detail}"
            )
    return 0


def orders_verify(args: argparse.Namespace) -> int:
    db = database(args)
    verdicts = verify_many(db.sessions, Actor.command_line(), args.numbers or None)
    if args.json:
        emit_json(to_json(verdicts))
        return 0
    ready = sum(v.status is OrderStatus.READY for v in verdicts)
    held = sum(v.status is OrderStatus.ON_HOLD for v in verdicts)
    skipped = len(verdicts) - ready - held
    print(f"verified {ready + held} orders: {ready} ready, {held} on hold, {skipped} skipped")
    for verdict in verdicts:
        state = "on hold" if verdict.status is OrderStatus.ON_HOLD else "skipped"
        if verdict.reasons:
            print(f"  {state} {verdict.number}: {'; '.join(verdict.reasons)}")
    return 1 if skipped else 0


def order_show(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        detail = show_order(session, args.number)
    if args.json:
        emit_json(to_json(detail))
        return 0
    order = detail.order
    print(f"Order {order.number}  {order.status}")
    if order.hold_reasons:
        print("On hold because:")
        for reason in order.hold_reasons:
            print(f"  - {reason}")
    address = detail.ship_to
    lines = [
        address["name"],
        address["company"],
        address["address1"],
        address["address2"],
        " ".join(p for p in (address["postal_code"], address["city"], address["region"]) if p),
        address["country"],
    ]
    print("Ship to:\n  " + "\n  ".join(line for line in lines if line))
    print(
        f"Payment: {detail.payment_status or '-'}   Ship by: {order.ship_by or '-'}   "
        f"Carrier: {order.carrier or '-'} {order.service}"
    )
    print()
    print(
        table(
            ("line", "sku", "name", "qty", "allocated"),
            [
                (
                    line.line_no,
                    line.sku or "-",
                    line.name,
                    line.quantity if line.to_pick else f"{line.quantity} (not picked)",
                    ", ".join(
                        f"{a.location} x{a.quantity}" + (f" lot {a.lot}" if a.lot else "")
                        for a in line.allocated
                    )
                    or "-",
                )
                for line in order.lines
            ],
        )
    )
    print("\nTimeline:")
    for event in detail.timeline:
        move = f" {event.from_status or ''}->{event.to_status}" if event.to_status else ""
        who = event.operator or event.station
        print(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.kind}{move} ({who}) {event.detail}")
    shipped = [c for c in detail.cartons if c.status == "SHIPPED"]
    if shipped:
        print("\nParcels:")
    for carton in shipped:
        news = (carton.tracking_status or "no carrier news yet").replace("_", " ")
        when = f" ({carton.tracking_at:%Y-%m-%d %H:%M})" if carton.tracking_at else ""
        code = carton.tracking_number or carton.sscc
        print(f"  {carton.seq}. {carton.carrier} {code}: {news}{when}")
    return 0


def order_release(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        verdict = release_hold(session, Actor.command_line(), args.number, args.note)
    print(
        f"{verdict.number}: {verdict.status or 'not verified'}"
        + (f" ({'; '.join(verdict.reasons)})" if verdict.reasons else "")
    )
    return 0


def order_cancel(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        number = resolve_order_number(session, args.number)  # `100001` for `#100001`
        released = cancel_order(session, Actor.command_line(), number, args.reason)
    print(f"{number}: CANCELLED, {released} reserved units released")
    return 0


def operators_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = operators.list_operators(session)
    print(
        table(
            ("badge", "name", "role", "active"),
            [(o.badge, o.name, o.role.value, _active(o)) for o in rows],
        )
    )
    return 0


def _active(operator: operators.OperatorInfo) -> str:
    if not operator.active:
        return "no"
    return "locked" if operator.locked else "yes"


def operators_unlock(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        done = operators.unlock_badge(session, Actor.command_line(), args.badge)
    info = done.operator
    if args.json:
        emit_json(
            {
                "badge": info.badge,
                "name": info.name,
                "role": info.role.value,
                "was_locked": done.locked_at is not None,
                "locked_at": done.locked_at.isoformat() if done.locked_at else None,
                "locked_station": done.locked_station,
                "wrong_pins": done.wrong_pins,
            }
        )
    elif done.locked_at is not None:
        when = done.locked_at.astimezone().strftime("%Y-%m-%d %H:%M")
        where = f" at {done.locked_station}" if done.locked_station else ""
        print(
            f"{info.badge} ({info.name}) unlocked: locked {when}{where} "
            f"after {done.wrong_pins} wrong PINs"
        )
    else:
        print(f"{info.badge} ({info.name}) was not locked; its count of wrong PINs is cleared")
    return 0


def operators_set_active(args: argparse.Namespace) -> int:
    db = database(args)
    with unit_of_work(db.sessions) as session:
        info = operators.set_active(session, Actor.command_line(), args.badge, args.active)
    state = "enabled" if info.active else "disabled"
    print(f"{info.badge} ({info.name}) {state}")
    return 0


def operators_add(args: argparse.Namespace) -> int:
    pin = args.pin
    if pin is None:
        if not sys.stdin.isatty():
            print("baton: give --pin when no terminal is attached", file=sys.stderr)
            return 2
        pin = getpass.getpass("PIN (4-8 digits): ")
    db = database(args)
    with unit_of_work(db.sessions) as session:
        info = operators.add_operator(
            session, Actor.command_line(), args.badge, args.name, Role(args.role), pin
        )
    print(f"added {info.name} ({info.role.value}) with badge {info.badge}")
    return 0

"""`baton demo`: seed the demo warehouse (and, with --orders, benchmark-sized history)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from app.cli import database
from app.domain.demo_data import DEMO_PIN, OPERATORS
from app.services.actor import Actor
from app.services.demo.seeding import LIVE_ORDERS, demo_is_seeded, seed_demo


def register(commands: Any) -> None:
    """Add `baton demo` to the parser."""
    p = commands.add_parser("demo", help="seed the demo warehouse into the database")
    p.add_argument(
        "--orders",
        type=int,
        default=LIVE_ORDERS,
        help=f"orders to create: a live day of up to {LIVE_ORDERS}, the rest as delivered history "
        "(e.g. 100000 for benchmarks)",
    )
    p.add_argument(
        "--force", action="store_true", help="seed again into a database that has the demo"
    )
    p.set_defaults(handler=demo)


def demo(args: argparse.Namespace) -> int:
    if args.orders < 0:
        print("baton: --orders must be 0 or more", file=sys.stderr)
        return 2
    db = database(args)
    with db.sessions() as session:
        if demo_is_seeded(session) and not args.force:
            print(
                f"{db.description} already holds the demo warehouse "
                "(use --force to add more orders)."
            )
            return 0
    started = time.perf_counter()
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if sys.stderr.isatty() and (now - last[0] > 0.5 or done == total):
            last[0] = now
            print(f"\r{stage}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr)

    summary = seed_demo(db.sessions, Actor.command_line(), orders=args.orders, progress=progress)
    elapsed = time.perf_counter() - started
    print(
        f"Demo warehouse in {db.description} ({elapsed:.1f} s):\n"
        f"  {summary.locations} locations, {summary.products} products, "
        f"{summary.operators} operators added\n"
        f"  {summary.live_orders} orders today: {summary.ready} verified ready, "
        f"{summary.on_hold} on hold; {summary.released} of the ready ones released "
        f"on {summary.pick_lists} pick lists\n"
        f"  {summary.to_pack} orders waiting at the pack benches, {summary.at_dock} cartons "
        "waiting at the dock\n"
        f"  {summary.history_orders} delivered orders of history with {summary.history_lines} lines"
    )
    print(
        "Badges (PIN "
        + DEMO_PIN
        + "): "
        + ", ".join(f"{b} {role.value}" for b, _, role in OPERATORS)
    )
    return 0

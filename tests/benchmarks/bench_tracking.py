"""Tracking benchmark: a carrier's file of 10,000 events imported, on a 100k-order database.

Run: uv run python -m tests.benchmarks.bench_tracking [--database URL] [--orders 100000]
     [--cartons 1000] [--events 10000] [--runs 3]
The shipped cartons are made once through the real services, as bench_dispatch makes a truck:
`--cartons` UPS orders received, picked, packed into a carton each, scanned onto a door with
load_carton and the loads closed (250 cartons a truck). Then a carrier's CSV file is written:
`--events` events spread over those cartons (picked up, in transit through hubs, out for
delivery, then most delivered and a few delayed or not delivered), in shuffled order as feeds
deliver them. Each run times, as `baton tracking import` does it (reading the file and one
transaction for the whole of it):
- the first import: every event new, every carton's latest status set, the orders DELIVERED,
  their timelines written and the customer messages rendered and queued;
- the same file again: every event already known, nothing changes.
Between runs the cartons' tracking is undone (the events, timeline entries and messages the
import wrote are deleted and the orders are SHIPPED again), so each run imports the same file
into the same state. Target (the tracking issue): 10,000 events in under 10 s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update

from app import clock
from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent, OrderLine, OutboxMessage
from app.db.packing_models import Carton
from app.db.tracking_models import TrackingEvent
from app.domain.scanning.classify import Scan, classify
from app.services.demo.seeding import seed_demo
from app.services.dispatch.doors import set_door
from app.services.dispatch.loading import load_carton
from app.services.dispatch.manifests import close_load
from app.services.masterdata.operators import badge_login
from app.services.tracking.events import TrackingSummary, import_tracking
from app.services.tracking.sources import FileSource
from tests.benchmarks.bench_dispatch import prepare
from tests.benchmarks.bench_packing import BOSS

CARRIER, DOOR, SHIPPER = "UPS", "DOCK-30", "OP-4001"
TRUCK = 250
TARGET_S = 10.0
HUBS = ("Berlin", "Leipzig", "Kassel", "Köln", "Frankfurt", "Nürnberg", "München", "Hamburg")


def _scan(text: str) -> Scan:
    result = classify(text)
    assert isinstance(result, Scan), result
    return result


def ship(db: Database, wanted: int) -> list[str]:
    """`wanted` UPS cartons packed, loaded and handed over (SHIPPED); their tracking numbers."""
    tracking = prepare(db, wanted)
    with unit_of_work(db.sessions) as session:
        set_door(session, BOSS, DOOR, CARRIER)
        shipper = badge_login(session, SHIPPER, "bench dock")
    for start in range(0, len(tracking), TRUCK):
        for code in tracking[start : start + TRUCK]:
            with unit_of_work(db.sessions) as session:
                load_carton(session, shipper, DOOR, _scan(code))
        with unit_of_work(db.sessions) as session:
            close_load(session, shipper, DOOR)
    return tracking


def write_events(path: Path, tracking: list[str], events: int) -> int:
    """A carrier's file of `events` rows over the cartons, shuffled; how many rows."""
    rng = random.Random(14)
    start = clock.now().replace(microsecond=0) - timedelta(days=3)
    per = max(3, events // len(tracking))
    rows = []
    for n, code in enumerate(tracking):
        at = start + timedelta(minutes=n % 600)
        rows.append((code, "picked_up", at, "Warehouse", "Picked up"))
        for hop in range(per - 3):
            at += timedelta(hours=2, minutes=rng.randrange(60))
            hub = HUBS[(n + hop) % len(HUBS)]
            rows.append((code, "in_transit", at, hub, f"Arrived at {hub} hub"))
        at += timedelta(hours=3)
        rows.append((code, "out_for_delivery", at, "München", "On the van"))
        at += timedelta(hours=4)
        ending = rng.random()
        if ending < 0.03:
            rows.append((code, "delivery_failed", at, "München", "Recipient not at home"))
        elif ending < 0.05:
            rows.append((code, "delivery_delayed", at, "München", "Weather conditions"))
        else:
            rows.append((code, "delivered", at, "München", "Delivered to the front door"))
    rows = rows[:events]
    rng.shuffle(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("tracking_number", "status", "occurred_at", "location", "description"))
        for code, status, at, where, said in rows:
            writer.writerow((code, status, at.isoformat(), where, said))
    return len(rows)


def undo_tracking(db: Database, tracking: list[str]) -> None:
    """The cartons as they were before any carrier event (benchmark only)."""
    with unit_of_work(db.sessions) as session:
        ids = session.scalars(select(Carton.id).where(Carton.tracking_number.in_(tracking))).all()
        orders = session.scalars(select(Carton.order_id).where(Carton.id.in_(ids)).distinct()).all()
        session.execute(delete(TrackingEvent).where(TrackingEvent.carton_id.in_(ids)))
        session.execute(
            update(Carton)
            .where(Carton.id.in_(ids))
            .values(tracking_status=None, tracking_at=None, delivered_at=None)
        )
        session.execute(
            delete(OrderEvent).where(
                OrderEvent.order_id.in_(orders), OrderEvent.kind.in_(("tracking", "delivered"))
            )
        )
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.order_id.in_(orders),
                OutboxMessage.kind.in_(("delivered", "delayed")),
            )
        )
        session.execute(update(Order).where(Order.id.in_(orders)).values(status="SHIPPED"))


def timed(db: Database, path: Path) -> tuple[float, TrackingSummary]:
    t0 = time.perf_counter()
    summary = import_tracking(db.sessions, BOSS, FileSource(path))
    return time.perf_counter() - t0, summary


def run(url: str, label: str, cartons: int, events: int, runs: int) -> None:
    db = open_database(DatabaseChoice(url, embedded_default=False))
    with db.sessions() as session:
        orders = session.scalar(select(func.count(Order.id))) or 0
        lines = session.scalar(select(func.count(OrderLine.id))) or 0
    print(f"  {label}: database of {orders:,} orders, {lines:,} order lines")
    t0 = time.perf_counter()
    tracking = ship(db, cartons)
    print(f"    {len(tracking)} {CARRIER} cartons shipped in {time.perf_counter() - t0:.0f} s")
    firsts, agains = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ups-events.csv"
        rows = write_events(path, tracking, events)
        for n in range(runs):
            undo_tracking(db, tracking)
            first, summary = timed(db, path)
            again, repeat = timed(db, path)
            assert summary.new == rows and not summary.rejected, summary.as_dict()
            assert repeat.new == 0 and repeat.known == rows, repeat.as_dict()
            firsts.append(first)
            agains.append(again)
            print(
                f"    run {n + 1}: {rows:,} events in {first:.2f} s ({rows / first:,.0f}/s); "
                f"{len(summary.orders_delivered)} orders delivered, "
                f"{len(summary.orders_attention)} needing attention, "
                f"{summary.messages} messages; again (all known) {again:.2f} s"
            )
    db.close()
    first, again = statistics.median(firsts), statistics.median(agains)
    print(f"  {label}, medians of {runs} runs of {rows:,} events over {len(tracking)} cartons:")
    print(
        f"    first import      {first:6.2f} s  ({rows / first:,.0f} events/s, "
        f"max {max(firsts):.2f} s)"
    )
    print(f"    same file again   {again:6.2f} s  ({rows / again:,.0f} events/s)")
    verdict = "within" if first < TARGET_S else "OVER"
    print(f"  verdict: {first:.2f} s: {verdict} the {TARGET_S:.0f} s target")
    print(
        f"  note: a shared machine ({os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an existing database (else one is seeded)")
    parser.add_argument("--orders", type=int, default=100_000, help="orders to seed")
    parser.add_argument("--cartons", type=int, default=1000, help="cartons shipped")
    parser.add_argument("--events", type=int, default=10_000, help="events in the file")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"tracking benchmark: {args.events:,} carrier events over {args.cartons} cartons")
    if args.database:
        run(args.database, args.database.split(":")[0], args.cartons, args.events, args.runs)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        db = open_database(DatabaseChoice(url, embedded_default=True))
        t0 = time.perf_counter()
        seed_demo(db.sessions, BOSS, orders=args.orders)
        db.close()
        print(f"  seeded {args.orders:,} orders (SQLite) in {time.perf_counter() - t0:.0f} s")
        run(url, "SQLite", args.cartons, args.events, args.runs)


if __name__ == "__main__":
    main()

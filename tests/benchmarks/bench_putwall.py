"""Put-wall benchmark: time per put on a wall of 48 slots with a database of 100k orders.

Run: uv run python -m tests.benchmarks.bench_putwall [--database URL] [--orders 100000]
Per unit: "scan item -> slot shown" (the target query) and "scan slot -> committed" (the put
transaction), each one unit of work as the sort screen runs them. Budget: p99 under 25 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import unit_of_work
from app.domain.demo_data import products as demo_products
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo
from app.services.masterdata.operators import add_operator
from app.services.picking.finishing import reassign
from app.services.picking.scans import claim_next, current_list, scan
from app.services.picking.views import Expect
from app.services.picking.waves import release_wave
from app.services.sorting.put_wall import add_wall, put, start_batch, target_for, wall_view

BOSS = Actor.command_line("bench")


def _scan(text: str) -> Scan:
    result = classify(text)
    assert isinstance(result, Scan), result
    return result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _actor(db: Database, role: Role, badge: str) -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, BOSS, badge, f"Bench {role.value}", role, "1234")
    return Actor(info.id, info.name, role, "bench")


def run(db: Database, tag: str) -> None:
    gtin = {p.sku: p.barcodes[0] for p in demo_products()}
    wall = f"W{int(tag) % 90 + 10}"
    with unit_of_work(db.sessions) as session:
        add_wall(session, BOSS, wall, 6, 8)  # 48 slots
        wave = release_wave(session, BOSS, mode="pick_then_sort", max_orders=24)
    picker = _actor(db, Role.PICKER, f"OP-7{tag[-3:]}")
    batch = next(p for p in wave.pick_lists if p.mode == "pick_then_sort")
    with unit_of_work(db.sessions) as session:  # this wave's batch, whatever else is waiting
        reassign(session, BOSS, batch.code, f"OP-7{tag[-3:]}")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, picker).code
    tote = f"T9{tag[-3:]}"
    while True:
        with db.sessions() as session:
            view = current_list(session, picker, code)
        stop = view.current_stop
        if stop is None:
            break
        text = {Expect.LOCATION: stop.location, Expect.PRODUCT: gtin[stop.sku]}.get(
            view.expect, tote
        )
        with unit_of_work(db.sessions) as session:
            scan(session, picker, code, _scan(text))
    sorter = _actor(db, Role.SORTER, f"OP-8{tag[-3:]}")
    with unit_of_work(db.sessions) as session:
        start_batch(session, sorter, wall, tote)
    shown_ms, put_ms = [], []
    while True:
        with db.sessions() as session:
            slots = wall_view(session, wall).slots
        needing = [s for s in slots if s.order and s.placed < s.expected]
        if not needing:
            break
        # Scan an item some slot still needs (what a sorter takes out of the tote next).
        item = None
        for sku in gtin:
            t0 = time.perf_counter()
            try:
                with unit_of_work(db.sessions) as session:
                    shown = target_for(session, sorter, wall, _scan(gtin[sku]))
            except Exception:  # noqa: BLE001 - not in the batch: try the next product
                continue
            shown_ms.append((time.perf_counter() - t0) * 1000)
            item = sku
            break
        assert item is not None and shown.target is not None
        t0 = time.perf_counter()
        with unit_of_work(db.sessions) as session:
            put(session, sorter, wall, _scan(gtin[item]), _scan(shown.target.slot))
        put_ms.append((time.perf_counter() - t0) * 1000)
    for name, values in (("scan item -> slot shown", shown_ms), ("scan slot -> committed", put_ms)):
        print(
            f"  {name:<24} n={len(values):>3}  p50 {statistics.median(values):5.1f} ms"
            f"  p95 {percentile(values, 0.95):5.1f} ms  p99 {percentile(values, 0.99):5.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="an existing database (else one is seeded)")
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    tag = f"{int(time.time()) % 1000:03d}"
    if args.database:
        print(f"put-wall benchmark on {args.database}")
        db = open_database(DatabaseChoice(args.database, embedded_default=False))
        run(db, tag)
        db.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        db = open_database(DatabaseChoice(url, embedded_default=True))
        seed_demo(db.sessions, BOSS, orders=args.orders)
        print(f"put-wall benchmark: a 48-slot wall, a database of {args.orders} orders (SQLite)")
        run(db, tag)
        db.close()


if __name__ == "__main__":
    main()

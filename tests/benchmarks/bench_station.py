"""Station benchmark: start-up, memory, and a scan's round trip on a 100k-order database.

Run: uv run python -m tests.benchmarks.bench_station [--orders 100000] [--scans 300] [--lists 10]
A scan's round trip is measured as an operator lives it: key events in at scanner speed,
classification, the database query, and the screen updated (feedback band and look-up view).
A picker then walks `--lists` pick lists at the picking screen; the last scan of each list
(which finishes it and moves its orders to PICKED) has its own line beside the other pick scans.
Budgets (DESIGN.md): scan p99 under 25 ms on SQLite; start-up under 2 s; under 400 MB resident.
Set BATON_TEST_POSTGRES_URL to measure PostgreSQL as well.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from app.config import DatabaseChoice
from app.db.database import open_database
from app.db.models import Location, Order, Product, ProductBarcode
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo
from app.ui.harness import ensure_offscreen, settle, type_scan
from tests.benchmarks.bench_intake import fresh_database
from tests.benchmarks.bench_packing import top_up


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(url: str, scans: int, label: str, lists: int = 10) -> None:
    ensure_offscreen()
    from app.ui.app import build_station
    from app.ui.main_window import MainWindow
    from app.ui.settings import SOUND_ON, WorkstationSettings

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        database = open_database(DatabaseChoice(url, embedded_default=False))
        settings = WorkstationSettings(Path(folder) / "station.ini")
        settings.set(SOUND_ON, False)
        window = MainWindow(build_station(database, settings))
        window.resize(1600, 1000)
        window.show()
        settle()
        type_scan(window, "OP-9001")  # the supervisor's desk: the heaviest first screen
        startup = time.perf_counter() - started

        with database.sessions() as session:
            orders = list(session.scalars(select(Order.number).order_by(Order.id)))
            locations = list(session.scalars(select(Location.code)))
            gtins = list(session.scalars(select(ProductBarcode.code)))
            skus = list(session.scalars(select(Product.sku)))
        window.show_screen(next(s for s in window.screens if s.title == "Look up"))
        rng = random.Random(5)
        kinds = {
            "order": lambda: rng.choice(orders),
            "location": lambda: rng.choice(locations),
            "product GTIN": lambda: rng.choice(gtins),
            "product SKU": lambda: rng.choice(skus),
        }
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for i in range(scans):
            kind = list(kinds)[i % len(kinds)]
            code = kinds[kind]()
            t0 = time.perf_counter()
            type_scan(window, code)
            times[kind].append((time.perf_counter() - t0) * 1000)
            level = window.station.feedback.band.level.value
            assert level == "ok", (code, window.station.feedback.band.message)
        times["pick scan"], times["last scan"] = [], []
        top_up(database, 8 * lists)  # a reused database may have run out of READY orders
        type_scan(window, "OP-1001")  # another badge: the picker takes over the station
        for _ in range(lists):
            walked = _walk_a_pick_list(window, database)
            times["pick scan"] += walked[:-1]
            times["last scan"] += walked[-1:]
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        window.close()
        settle()
        database.close()

    everything = [t for values in times.values() for t in values]
    print(f"  {label}: start-up to the supervisor's desk {startup:.2f} s; peak RSS {rss_mb:.0f} MB")
    print(
        f"    all scans  n={len(everything):>4}  p50 {statistics.median(everything):6.1f} ms"
        f"  p95 {percentile(everything, 0.95):6.1f} ms  p99 {percentile(everything, 0.99):6.1f} ms"
    )
    for kind, values in times.items():
        print(
            f"    {kind:<12} n={len(values):>4}  p50 {statistics.median(values):6.1f} ms"
            f"  p99 {percentile(values, 0.99):6.1f} ms"
        )


def _walk_a_pick_list(window: object, database: object) -> list[float]:
    """A picker walks one pick list, scanning what the screen asks; ms per scan (the last one
    finished the list)."""
    from app.db.engine import unit_of_work
    from app.domain.demo_data import products as demo_products
    from app.services.picking.waves import release_wave

    gtin = {p.sku: p.barcodes[0] for p in demo_products()}
    with unit_of_work(database.sessions) as session:  # type: ignore[attr-defined]
        release_wave(session, Actor.command_line("bench"), max_orders=8)
    screen = window.current_screen  # type: ignore[attr-defined]
    screen.take_button.click()
    settle()
    times: list[float] = []
    for _ in range(300):
        if not screen.stop_page.isVisible():
            break  # the list is done
        asked = screen.next_scan.text()
        if match := re.search(r"Scan the location (\S+)", asked):
            code = match[1]
        elif match := re.search(r"Scan the product (\S+)", asked):
            code = gtin[match[1]]
        elif match := re.search(r"empty tote for (?:cart position (\d+)|order)", asked):
            list_id = int(screen.progress.text().split(" · ")[0].split("-")[1])
            position = int(match[1] or 0)  # 0: a single order's tote
            code = f"T{list_id:04d}{position:02d}"  # a fresh tote for every list and run
        elif match := re.search(r"Scan the tote (\S+)", asked):
            code = match[1]
        else:
            break
        t0 = time.perf_counter()
        type_scan(window, code)
        times.append((time.perf_counter() - t0) * 1000)
        level = window.station.feedback.band.level.value  # type: ignore[attr-defined]
        assert level == "ok", window.station.feedback.band.message  # type: ignore[attr-defined]
    assert screen.start_headline.text().endswith(" done"), screen.start_headline.text()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--lists", type=int, default=10, help="pick lists walked to the end")
    parser.add_argument("--database", help="measure an existing database instead of seeding one")
    args = parser.parse_args()
    if args.database:
        measure(args.database, args.scans, args.database.split(":")[0], args.lists)
        return
    print(f"station benchmark: look-up scans on a database of {args.orders} orders")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        database = open_database(DatabaseChoice(url, embedded_default=True))
        t0 = time.perf_counter()
        seed_demo(database.sessions, Actor.command_line("bench"), orders=args.orders)
        database.close()
        print(f"  seeded SQLite in {time.perf_counter() - t0:.0f} s")
        measure(url, args.scans, "SQLite", args.lists)
    if os.environ.get("BATON_TEST_POSTGRES_URL"):
        with (
            tempfile.TemporaryDirectory() as folder,
            fresh_database("postgresql", Path(folder)) as db,
        ):
            seed_demo(db.sessions, Actor.command_line("bench"), orders=args.orders)
            url = db.engine.url.render_as_string(hide_password=False)
            measure(url, args.scans, "PostgreSQL", args.lists)


if __name__ == "__main__":
    main()

"""Station benchmark: start-up, memory, and a scan's round trip on a 100k-order database.

Run: uv run python -m tests.benchmarks.bench_station [--orders 100000] [--scans 300] [--lists 10]
A scan's round trip is measured as an operator lives it: key events in at scanner speed,
classification, the database query, and the screen updated (feedback band and look-up view).
A picker then walks `--lists` pick lists at the picking screen; the last scan of each list
(which finishes it and moves its orders to PICKED) has its own line beside the other pick scans.
Then a shipper loads trucks at the dock screen: `--cartons` orders are picked and packed through
the real services (one carton each, waiting at the dock), a door is set for each of their
carriers, and the shipper scans each door label, then each carton's tracking number (each load
committed and both lists on the screen redrawn). The loads are closed afterwards, through the
service, so that a reused database does not pile up open loads.
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
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import unit_of_work
from app.db.models import Location, Order, Product, ProductBarcode
from app.db.packing_models import Carton
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo
from app.services.dispatch.doors import set_door
from app.services.dispatch.manifests import close_load
from app.services.masterdata.operators import badge_login
from app.ui.harness import ensure_offscreen, settle, type_scan
from tests.benchmarks.bench_intake import fresh_database
from tests.benchmarks.bench_packing import BOSS, pack_orders, picked_orders, top_up

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(url: str, scans: int, label: str, lists: int = 10, cartons: int = 40) -> None:
    ensure_offscreen()
    from app.ui.app import build_station, keep_startup_out_of_collections
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
        keep_startup_out_of_collections()  # as a station does once its window is up
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
        times["door scan"], times["load scan"] = _load_trucks(window, database, cartons)
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


def _load_trucks(
    window: MainWindow, database: Database, wanted: int
) -> tuple[list[float], list[float]]:
    """Cartons packed through the services, a door per carrier; then a shipper at the dock
    screen scans each door and every carton for it. ms per door scan and per load scan."""
    from app.ui.screens.dock import DockScreen

    numbers = pack_orders(database, picked_orders(database, wanted))
    with database.sessions() as session:
        waiting = session.execute(
            select(Carton.carrier, Carton.tracking_number)
            .join(Order, Order.id == Carton.order_id)
            .where(Order.number.in_(numbers), Carton.status == "CLOSED")
            .order_by(Carton.id)
        ).all()
    by_carrier: dict[str, list[str]] = {}
    for carrier, tracking in waiting:
        by_carrier.setdefault(carrier, []).append(tracking or "")
    doors = {carrier: f"DOCK-{n}" for n, carrier in enumerate(sorted(by_carrier), start=1)}
    with unit_of_work(database.sessions) as session:
        for carrier, door in doors.items():
            set_door(session, BOSS, door, carrier)
    type_scan(window, "OP-4001")  # a shipper takes over the station
    screen = window.current_screen
    assert isinstance(screen, DockScreen), screen
    door_times: list[float] = []
    load_times: list[float] = []
    for carrier, door in doors.items():
        t0 = time.perf_counter()
        type_scan(window, door)
        door_times.append((time.perf_counter() - t0) * 1000)
        _assert_ok(window)
        for tracking in by_carrier[carrier]:
            t0 = time.perf_counter()
            type_scan(window, tracking)
            load_times.append((time.perf_counter() - t0) * 1000)
            _assert_ok(window)
            view = screen._view
            assert view is not None and screen.loaded.count() == len(view.loaded), "not redrawn"
    with unit_of_work(database.sessions) as session:
        shipper = badge_login(session, "OP-4001", "bench dock")
    for door in doors.values():  # a reused database starts the next run with empty trucks
        with unit_of_work(database.sessions) as session:
            close_load(session, shipper, door)
    return door_times, load_times


def _assert_ok(window: MainWindow) -> None:
    band = window.station.feedback.band
    assert band.level.value == "ok", band.message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--lists", type=int, default=10, help="pick lists walked to the end")
    parser.add_argument("--cartons", type=int, default=40, help="cartons loaded at the dock")
    parser.add_argument("--database", help="measure an existing database instead of seeding one")
    args = parser.parse_args()
    if args.database:
        label = args.database.split(":")[0]
        measure(args.database, args.scans, label, args.lists, args.cartons)
        return
    print(f"station benchmark: look-up scans on a database of {args.orders} orders")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        database = open_database(DatabaseChoice(url, embedded_default=True))
        t0 = time.perf_counter()
        seed_demo(database.sessions, Actor.command_line("bench"), orders=args.orders)
        database.close()
        print(f"  seeded SQLite in {time.perf_counter() - t0:.0f} s")
        measure(url, args.scans, "SQLite", args.lists, args.cartons)
    if os.environ.get("BATON_TEST_POSTGRES_URL"):
        with (
            tempfile.TemporaryDirectory() as folder,
            fresh_database("postgresql", Path(folder)) as db,
        ):
            seed_demo(db.sessions, Actor.command_line("bench"), orders=args.orders)
            url = db.engine.url.render_as_string(hide_password=False)
            measure(url, args.scans, "PostgreSQL", args.lists, args.cartons)


if __name__ == "__main__":
    main()

"""Intake benchmark: 20,000 Shopify-format orders received and verified, orders per second.

Run: uv run python -m tests.benchmarks.bench_intake [--orders N] [--repeat R]
Prints the median of R runs on a fresh SQLite file, and on a fresh PostgreSQL schema when
BATON_TEST_POSTGRES_URL is set. Target: at least 500 orders/s on SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from app import clock
from app.config import DatabaseChoice, normalise_url
from app.db.database import Database, open_database
from app.db.engine import make_engine
from app.domain import demo_data
from app.services.actor import Actor
from app.services.intake.receiving import import_orders
from app.services.masterdata.imports import load_master_data
from tests.benchmarks.shopify_file import write_shopify_csv


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[Database]:
    """A fresh SQLite file or a fresh PostgreSQL schema, with the demo floor's master data."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}"
        cleanup = None
    else:
        base = normalise_url(os.environ["BATON_TEST_POSTGRES_URL"])
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        cleanup = (admin, schema)
    database = open_database(DatabaseChoice(url, embedded_default=True))
    floor = demo_data.warehouse(clock.today())
    # Deep stock so that the benchmark measures intake, not a floor running dry.
    stock = [s.__class__(s.location, s.sku, 100_000, s.lot, s.expiry) for s in floor.stock]
    load_master_data(
        database.sessions, Actor.command_line(), floor.locations, floor.products, stock
    )
    try:
        yield database
    finally:
        database.close()
        if cleanup:
            admin, schema = cleanup
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("BATON_TEST_POSTGRES_URL") else [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        products = demo_data.products()
        now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        path = folder / "orders_export.csv"
        rows = write_shopify_csv(demo_data.day_of_orders(products, args.orders, 500_001, now), path)
        size = path.stat().st_size / 1e6
        print(f"intake benchmark: {args.orders} Shopify orders, {rows} rows, {size:.1f} MB")
        for kind in kinds:
            rates = []
            for _ in range(args.repeat):
                with fresh_database(kind, folder) as database:
                    started = time.perf_counter()
                    summary = import_orders(
                        database.sessions, Actor.command_line(), path, "shopify"
                    )
                    elapsed = time.perf_counter() - started
                assert len(summary.received) == args.orders, summary.rejected[:3]
                rates.append(args.orders / elapsed)
            print(
                f"  {kind:<10} median {statistics.median(rates):7.0f} orders/s "
                f"(runs: {', '.join(f'{r:.0f}' for r in rates)}; "
                f"{summary.ready} ready, {summary.on_hold} on hold)"
            )


if __name__ == "__main__":
    main()

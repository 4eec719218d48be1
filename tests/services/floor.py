"""A tiny floor for service tests: a few locations, products and stock rows, loaded for real."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app import clock
from app.db.database import Database
from app.db.models import Stock
from app.domain.formats.masterdata_rows import LocationRow, ProductRow, StockRow
from app.services.actor import Actor
from app.services.masterdata.imports import load_master_data

SUPERVISOR = Actor.command_line("test station")

LOCATIONS = [LocationRow(f"A0{a}-0{b}-1", "PICK", a, b, 1) for a in (1, 2) for b in (1, 2, 3)]
PRODUCTS = [
    ProductRow(
        "MUG-BLUE",
        "Blue Mug",
        ("4006381333931",),
        380,
        120,
        90,
        100,
        "691200",
        "PT",
        "Stoneware mug",
    ),
    ProductRow(
        "TEA-EARL",
        "Earl Grey 100 g",
        ("5901234123457",),
        120,
        150,
        60,
        60,
        "090240",
        "LK",
        "Black tea",
    ),
    ProductRow(
        "SOCK-ZOE",
        "Chaussettes « Zoë »",
        ("96385074",),
        80,
        200,
        100,
        20,
        "611530",
        "FR",
        "Wool socks",
    ),
]


def stock() -> list[StockRow]:
    """The floor's stock; the tea's two lots expire 8 weeks and 7 months after today, so the
    earlier one is picked first on any date."""
    today = clock.today()
    return [
        StockRow("A01-01-1", "MUG-BLUE", 10, "", None),
        StockRow("A01-02-1", "TEA-EARL", 5, "L1", today + timedelta(weeks=8)),
        StockRow("A02-01-1", "TEA-EARL", 20, "L2", today + timedelta(days=210)),
        StockRow("A02-02-1", "SOCK-ZOE", 3, "", None),
    ]


# What the shop charged per unit (CHF, the Zürich customer's currency).
PRICES = {"MUG-BLUE": "14.90", "TEA-EARL": "8.50", "SOCK-ZOE": "19.00"}
ORDER_COLUMNS = [
    "order_number",
    "sku",
    "quantity",
    "name",
    "email",
    "ship_name",
    "ship_address1",
    "ship_city",
    "ship_postal_code",
    "ship_country",
    "payment_status",
    "ship_by",
    "carrier",
    "service",
    "currency",
    "unit_price",
]
ZURICH = {
    "email": "zoe@example.com",
    "ship_name": "Zoë Ångström",
    "ship_address1": "Bahnhofstrasse 12",
    "ship_city": "Zürich",
    "ship_postal_code": "8001",
    "ship_country": "CH",
    "payment_status": "paid",
    "currency": "CHF",
}


def load_floor(db: Database) -> None:
    rows = stock()
    summary = load_master_data(db.sessions, SUPERVISOR, LOCATIONS, PRODUCTS, rows)
    assert summary.rejected == [] and summary.created == len(LOCATIONS) + len(PRODUCTS) + len(rows)


def write_orders(path: Path, orders: dict[str, list[tuple[str, int]]], **overrides: str) -> Path:
    """A generic-format order file: {number: [(sku, quantity), ...]} shipped to Zürich."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ORDER_COLUMNS)
        writer.writeheader()
        for number, lines in orders.items():
            for sku, quantity in lines:
                writer.writerow(
                    {
                        "order_number": number,
                        "sku": sku,
                        "quantity": quantity,
                        "name": sku.title(),
                        "unit_price": PRICES.get(sku, ""),
                        **ZURICH,
                        **overrides,
                    }
                )
    return path


def stock_levels(db: Database) -> dict[tuple[int, str], tuple[int, int]]:
    """(stock id, lot) -> (quantity, reserved) for every stock row."""
    with db.sessions() as session:
        return {
            (s.id, s.lot): (s.quantity, s.reserved)
            for s in session.scalars(select(Stock).order_by(Stock.id))
        }

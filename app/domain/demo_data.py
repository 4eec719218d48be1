"""A realistic small warehouse and its orders, generated from a seed (same seed, same floor)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.domain.cutoffs import next_cutoff
from app.domain.formats.masterdata_rows import LocationRow, ProductRow, StockRow
from app.domain.gtin import with_check_digit
from app.domain.order_drafts import AddressDraft, LineDraft, OrderDraft
from app.domain.roles import Role

AISLES, BAYS, LEVELS = 12, 12, 2
DEMO_PIN = "1234"
# A fictitious GS1 company prefix; every product GTIN-13 is built on it with a real check digit.
COMPANY_PREFIX = "761234"
# The demo's carriers collect at 16:00 local time; an order needs two hours on the floor.
DEMO_CUTOFF = time(16, 0)

OPERATORS: tuple[tuple[str, str, Role], ...] = (
    ("OP-1001", "Maria Lopez", Role.PICKER),
    ("OP-1002", "Jonas Weber", Role.PICKER),
    ("OP-2001", "Aiko Tanaka", Role.SORTER),
    ("OP-3001", "Sam Okafor", Role.PACKER),
    ("OP-4001", "Lee Chen", Role.SHIPPER),
    ("OP-9001", "Alex Morgan", Role.SUPERVISOR),
)

# (prefix, names, weight range g, (l, w, h) mm ranges, lot-tracked)
_CATEGORIES: tuple[tuple[str, tuple[str, ...], tuple[int, int], tuple[int, int], bool], ...] = (
    (
        "MUG",
        ("Ceramic Mug 350 ml", "Enamel Camp Mug", "Espresso Cup Set of 2", "Travel Mug 450 ml"),
        (250, 600),
        (80, 160),
        False,
    ),
    (
        "TEA",
        ("Earl Grey Tea 100 g", "Green Sencha 80 g", "Rooibos Vanilla 100 g", "Chai Spice 75 g"),
        (90, 160),
        (60, 160),
        True,
    ),
    (
        "COF",
        ("Espresso Beans 500 g", "Filter Coffee 250 g", "Decaf Beans 250 g"),
        (260, 540),
        (70, 200),
        True,
    ),
    (
        "SOCK",
        ("Merino Socks", "Hiking Socks", "Cotton Socks 3-pack", "Wool Slipper Socks"),
        (60, 180),
        (20, 220),
        False,
    ),
    (
        "BOOK",
        ("Notebook A5 Dotted", "Sketchbook A4", "Pocket Planner", "Recipe Journal"),
        (150, 700),
        (15, 300),
        False,
    ),
    (
        "CAND",
        ("Soy Candle Cedar", "Beeswax Taper Pair", "Tealights 24-pack"),
        (180, 650),
        (60, 140),
        False,
    ),
    (
        "TOY",
        ("Wooden Train Set", "Puzzle 500 pcs", "Plush Fox", "Stacking Rings"),
        (120, 1200),
        (80, 350),
        False,
    ),
    (
        "KIT",
        ("Chef Knife 20 cm", "Bamboo Board", "Linen Tea Towel", "Pepper Mill"),
        (90, 900),
        (30, 400),
        False,
    ),
)
# What the demo's customs declarations say per product kind: (HS code, country of origin,
# customs description). Two kinds have none, so the bench's warning shows on the demo floor.
_CUSTOMS: dict[str, tuple[str, str, str]] = {
    "Ceramic Mug 350 ml": ("691200", "PT", "Stoneware mug"),
    "Enamel Camp Mug": ("732394", "CN", "Enamelled steel mug"),
    "Espresso Cup Set of 2": ("691110", "DE", "Porcelain cups"),
    "Travel Mug 450 ml": ("961700", "CN", "Vacuum-insulated travel mug"),
    "Earl Grey Tea 100 g": ("090240", "LK", "Black tea, flavoured"),
    "Green Sencha 80 g": ("090210", "JP", "Green tea"),
    "Rooibos Vanilla 100 g": ("121190", "ZA", "Rooibos herbal tea"),
    "Chai Spice 75 g": ("091099", "IN", "Spice mix for tea"),
    "Espresso Beans 500 g": ("090121", "IT", "Roasted coffee beans"),
    "Filter Coffee 250 g": ("090121", "DE", "Roasted ground coffee"),
    "Decaf Beans 250 g": ("090122", "DE", "Roasted decaffeinated coffee"),
    "Merino Socks": ("611530", "PT", "Wool socks"),
    "Hiking Socks": ("611530", "PT", "Wool-blend socks"),
    "Cotton Socks 3-pack": ("611595", "TR", "Cotton socks"),
    "Wool Slipper Socks": ("611530", "NP", "Knitted wool slipper socks"),
    "Notebook A5 Dotted": ("482010", "DE", "Paper notebook"),
    "Sketchbook A4": ("482010", "IT", "Paper sketchbook"),
    "Recipe Journal": ("482010", "DE", "Paper journal"),
    "Soy Candle Cedar": ("340600", "PL", "Soy wax candle"),
    "Beeswax Taper Pair": ("340600", "DE", "Beeswax candles"),
    "Tealights 24-pack": ("340600", "PL", "Paraffin tealights"),
    "Wooden Train Set": ("950300", "DE", "Wooden toy train"),
    "Puzzle 500 pcs": ("950590", "DE", "Cardboard jigsaw puzzle"),
    "Plush Fox": ("950300", "CN", "Plush toy"),
    "Chef Knife 20 cm": ("821191", "DE", "Kitchen knife"),
    "Bamboo Board": ("441919", "VN", "Bamboo cutting board"),
    "Linen Tea Towel": ("630260", "LT", "Linen kitchen towel"),
    "Pepper Mill": ("821000", "DK", "Hand-operated pepper mill"),
    # "Pocket Planner" and "Stacking Rings": no customs data yet.
}
_COLOURS = ("Blue", "Sage", "Charcoal", "Ochre", "Rose", "Ivory", "Forest", "Sand")

_ADDRESSES: tuple[AddressDraft, ...] = (
    AddressDraft(
        "Zoë Ångström",
        "",
        "Bahnhofstrasse 12",
        "",
        "Zürich",
        "ZH",
        "8001",
        "CH",
        "+41 44 123 45 67",
    ),
    AddressDraft(
        "François Dupont", "Atelier Dupont", "18 Rue de Rivoli", "", "Paris", "", "75004", "FR", ""
    ),
    AddressDraft(
        "Jürgen Müller", "", "Friedrichstraße 43", "3. OG", "Berlin", "BE", "10117", "DE", ""
    ),
    AddressDraft(
        "Emily Carter", "", "221 Baker Street", "Flat B", "London", "", "NW1 6XE", "GB", ""
    ),
    AddressDraft(
        "James O'Neill", "", "1600 Amphitheatre Pkwy", "", "Mountain View", "CA", "94043", "US", ""
    ),
    AddressDraft(
        "Olivia Brown",
        "Brown & Co",
        "77 Massachusetts Ave",
        "",
        "Cambridge",
        "MA",
        "02139",
        "US",
        "",
    ),
    AddressDraft(
        "Liam Tremblay", "", "1 Rue Sainte-Catherine O", "", "Montréal", "QC", "H3B 1A7", "CA", ""
    ),
    AddressDraft("佐藤 花子", "", "千代田1-1", "", "千代田区", "東京都", "100-0001", "JP", ""),
    AddressDraft("Sanne de Vries", "", "Damrak 1", "", "Amsterdam", "NH", "1012 LG", "NL", ""),
    AddressDraft(
        "Chloe Nguyen", "", "42 George Street", "Unit 5", "Sydney", "NSW", "2000", "AU", ""
    ),
    AddressDraft("Noah Schmid", "", "Marktgasse 9", "", "Bern", "BE", "3011", "CH", ""),
    AddressDraft(
        "Ava Johnson", "", "350 Fifth Avenue", "Suite 4200", "New York", "NY", "10118", "US", ""
    ),
)
_BAD_ADDRESSES: tuple[AddressDraft, ...] = (
    AddressDraft("Mia Fischer", "", "Hauptstraße 5", "", "München", "BY", "8033", "DE", ""),
    AddressDraft("Ethan Wright", "", "", "", "Leeds", "", "LS1 4AP", "GB", ""),
    AddressDraft("Lucas Martin", "", "5 Avenue Foch", "", "Lyon", "", "69006", "XX", ""),
)
_SERVICES = (
    ("UPS", "Ground"),
    ("UPS", "Express Saver"),
    ("DHL", "Parcel"),
    ("DHL", "Express"),
    ("Royal Mail", "Tracked 48"),
    ("Swiss Post", "PostPac Priority"),
)

_EXPRESS = ("Express", "Express Saver")


@dataclass(frozen=True)
class DemoWarehouse:
    """Master data for the demo floor."""

    locations: list[LocationRow]
    products: list[ProductRow]
    stock: list[StockRow]


def location_code(aisle: int, bay: int, level: int) -> str:
    """The demo's location code scheme: `A03-12-2` is aisle 3, bay 12, level 2."""
    return f"A{aisle:02d}-{bay:02d}-{level}"


def products(seed: int = 7) -> list[ProductRow]:
    """The demo's 240 products on valid GTINs (the same on every date)."""
    return _products(random.Random(seed))[0]


def warehouse(today: date, seed: int = 7) -> DemoWarehouse:
    """A 12-aisle floor with 288 locations, 240 products on valid GTINs, and stock for them
    (lots expire 300 to 900 days after `today`, so the demo looks the same on any date)."""
    rng = random.Random(seed)
    locations = [
        LocationRow(location_code(a, b, lv), "PICK", a, b, lv)
        for a in range(1, AISLES + 1)
        for b in range(1, BAYS + 1)
        for lv in range(1, LEVELS + 1)
    ]
    catalogue, lot_tracked = _products(rng)
    # Fast movers (the first fifth) sit near the front and get more stock: an ABC-skewed floor.
    slots = sorted(locations, key=lambda loc: (loc.bay, loc.aisle, loc.level))
    stock: list[StockRow] = []
    for i, product in enumerate(catalogue):
        depth = 60 if i < len(catalogue) // 5 else 18
        places = [slots[i]] + (
            [slots[len(catalogue) + i % (len(slots) - len(catalogue))]] if i % 5 == 0 else []
        )
        for k, place in enumerate(places):
            lot = f"L{rng.randint(2500, 2699)}{k}" if product.sku in lot_tracked else ""
            expiry = today + timedelta(days=rng.randint(300, 900)) if lot else None
            stock.append(
                StockRow(place.code, product.sku, rng.randint(depth // 2, depth), lot, expiry)
            )
    return DemoWarehouse(locations, catalogue, stock)


def _products(rng: random.Random) -> tuple[list[ProductRow], set[str]]:
    """The catalogue and the SKUs tracked by lot, drawn first from the warehouse's generator."""
    catalogue: list[ProductRow] = []
    lot_tracked: set[str] = set()
    n = 0
    for prefix, names, (w_lo, w_hi), (d_lo, d_hi), lots in _CATEGORIES:
        for name in names:
            for colour in _COLOURS:
                n += 1
                sku = f"{prefix}-{n:04d}"
                dims = sorted((rng.randint(d_lo, d_hi) for _ in range(3)), reverse=True)
                catalogue.append(
                    ProductRow(
                        sku=sku,
                        name=f"{name}, {colour}",
                        barcodes=(with_check_digit(f"{COMPANY_PREFIX}{n:06d}"),),
                        weight_g=rng.randint(w_lo, w_hi),
                        length_mm=dims[0],
                        width_mm=dims[1],
                        height_mm=dims[2],
                        **_customs(name),
                    )
                )
                if lots:
                    lot_tracked.add(sku)
    return catalogue, lot_tracked


def day_of_orders(
    products: list[ProductRow], count: int, start_number: int, now: datetime, seed: int = 11
) -> Iterator[OrderDraft]:
    """A day's orders: mostly clean, a few with the problems a supervisor meets on a real day."""
    rng = random.Random(seed)
    fast = products[: len(products) // 5]
    first_cutoff = next_cutoff(now, DEMO_CUTOFF, timedelta(hours=2))
    second_cutoff = next_cutoff(first_cutoff, DEMO_CUTOFF, timedelta(hours=1))
    for i in range(count):
        number = f"#{start_number + i}"
        address = rng.choice(_ADDRESSES)
        payment = "paid" if rng.random() > 0.05 else "authorized"
        lines = _lines(rng, products, fast)
        # A fixed share of the day has the problems a supervisor meets on a real day.
        if i % 25 == 3:
            payment = rng.choice(("pending", "partially_paid"))
        elif i % 25 == 7:
            address = rng.choice(_BAD_ADDRESSES)
        elif i % 40 == 11:
            lines = (
                *lines,
                LineDraft("DISCONTINUED-42", 1, "Discontinued Teapot", Decimal("24.00")),
            )
        elif i % 50 == 17:
            big = rng.choice(products[len(products) // 5 :])
            lines = (LineDraft(big.sku, 40, big.name, Decimal("9.90")),)
        carrier, service = rng.choice(_SERVICES)
        placed = now - timedelta(minutes=rng.randint(5, 16 * 60))
        # Due at the next cutoff (or the one after, for the last eight hours' standard orders),
        # the same whatever the date or the time of day the demo is seeded.
        urgent = placed < now - timedelta(hours=8) or service in _EXPRESS
        cutoff = first_cutoff if urgent else second_cutoff
        yield _draft(
            number, "demo", i + 1, lines, address, placed, cutoff, carrier, service, payment
        )


# Carriers that collect every working day at the same time (carriers.toml): a simulated
# working day ships the same whatever its weekday.
_WEEKDAY_SERVICES = (
    ("UPS", "Ground"),
    ("UPS", "Express Saver"),
    ("DHL", "Parcel"),
    ("DHL", "Express"),
    ("Deutsche Post", "Warenpost"),
)


def clean_order(
    rng: random.Random,
    products: list[ProductRow],
    number: str,
    placed: datetime,
    ship_by: datetime,
) -> OrderDraft:
    """One order of a simulated day: paid, a good address, demo products, a carrier that
    collects every working day."""
    fast = products[: len(products) // 5]
    address = rng.choice(_ADDRESSES)
    lines = _lines(rng, products, fast)
    carrier, service = rng.choice(_WEEKDAY_SERVICES)
    return _draft(number, "simulated", 1, lines, address, placed, ship_by, carrier, service, "paid")


def _draft(
    number: str,
    source: str,
    line_no: int,
    lines: tuple[LineDraft, ...],
    address: AddressDraft,
    placed: datetime,
    ship_by: datetime,
    carrier: str,
    service: str,
    payment: str,
) -> OrderDraft:
    """A demo customer's order: e-mail from its number, priority from the service, currency
    from the country, total from the lines."""
    return OrderDraft(
        number=number,
        source=source,
        line_no=line_no,
        lines=lines,
        ship_to=address,
        email=f"customer{number.lstrip('#')}@example.com",
        customer_name=address.name,
        placed_at=placed,
        ship_by=ship_by,
        priority=1 if service in _EXPRESS else 0,
        carrier=carrier,
        service=service,
        payment_status=payment,
        currency="EUR" if address.country in ("DE", "FR", "NL") else "USD",
        total=sum((line.unit_price * line.quantity for line in lines), Decimal("0")),
    )


def _lines(
    rng: random.Random, products: list[ProductRow], fast: list[ProductRow]
) -> tuple[LineDraft, ...]:
    size = rng.choices((1, 2, 3, 4, 6), weights=(45, 25, 15, 10, 5))[0]
    chosen: dict[str, ProductRow] = {}
    while len(chosen) < size:
        product = rng.choice(fast) if rng.random() < 0.6 else rng.choice(products)
        chosen[product.sku] = product
    return tuple(
        LineDraft(
            p.sku,
            rng.choices((1, 2, 3), weights=(80, 15, 5))[0],
            p.name,
            Decimal(rng.randint(399, 4999)) / 100,
        )
        for p in chosen.values()
    )


def history_lines(rng: random.Random, product_count: int) -> list[tuple[int, int]]:
    """(product index, quantity) lines of one past order: 1 to 19 lines, ten on average."""
    size = rng.randint(1, 19)
    return [
        (rng.randrange(product_count), rng.choices((1, 2, 3), weights=(80, 15, 5))[0])
        for _ in range(size)
    ]


def history_address(rng: random.Random) -> AddressDraft:
    """A ship-to address for a past order."""
    return rng.choice(_ADDRESSES)


def _customs(name: str) -> dict[str, str]:
    hs_code, origin, description = _CUSTOMS.get(name, ("", "", ""))
    return {"hs_code": hs_code, "origin_country": origin, "customs_description": description}

"""A warehouse of any size: importing locations grows the layout, waves on it are walked, and a
layout that leaves locations outside is refused with a message naming `baton layout set`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order
from app.domain.gtin import with_check_digit
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.demo.floor import walk_pick_list
from app.services.intake.receiving import import_orders
from app.services.masterdata.imports import import_locations, import_products, import_stock
from app.services.masterdata.operators import add_operator
from app.services.masterdata.warehouse import (
    DEFAULT,
    IMPORT,
    SET,
    LayoutTooSmall,
    layout_report,
    set_layout,
    warehouse_layout,
)
from app.services.picking.scans import claim_next, current_list, scan, short
from app.services.picking.views import Expect
from app.services.picking.waves import release_wave
from tests.services.floor import SUPERVISOR, write_orders

AISLES, BAYS = 12, 30
# One product per far corner and a few in between: every wave walks deep into the aisles.
STOCKED = ["A01-30-1", "A07-22-1", "A12-30-1", "A03-15-1", "A09-27-1", "A05-02-1"]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _sku(n: int) -> str:
    return f"PART-{n:03d}"


def _import_floor(db: Database, folder: Path) -> str:
    """12 aisles of 30 bays, a product stocked at each of STOCKED; returns the layout growth."""
    locations = [
        [f"A{a:02d}-{b:02d}-1", "PICK", a, b, 1]
        for a in range(1, AISLES + 1)
        for b in range(1, BAYS + 1)
    ]
    summary = import_locations(
        db.sessions,
        SUPERVISOR,
        _write(folder / "locations.csv", ["code", "zone", "aisle", "bay", "level"], locations),
    )
    assert summary.exit_code == 0 and summary.created == AISLES * BAYS
    products = [
        [_sku(n), f"Part {n}", with_check_digit(f"400638100{n:03d}"), 100, 50, 50, 50]
        for n in range(len(STOCKED))
    ]
    header = ["sku", "name", "barcodes", "weight_g", "length_mm", "width_mm", "height_mm"]
    assert (
        import_products(
            db.sessions, SUPERVISOR, _write(folder / "products.csv", header, products)
        ).exit_code
        == 0
    )
    stock = [[code, _sku(n), 50, "", ""] for n, code in enumerate(STOCKED)]
    assert (
        import_stock(
            db.sessions,
            SUPERVISOR,
            _write(folder / "stock.csv", ["location", "sku", "quantity", "lot", "expiry"], stock),
        ).exit_code
        == 0
    )
    return summary.layout_grown


def _import_orders(db: Database, folder: Path) -> list[str]:
    orders = {
        f"#{100 + n}": [(_sku((n + k) % len(STOCKED)), 1 + k) for k in range(1 + n % 3)]
        for n in range(9)
    }
    # One large order (more lines than a cart takes) is picked on its own list.
    orders["#200"] = [(_sku(n), 1) for n in range(len(STOCKED))]
    summary = import_orders(db.sessions, SUPERVISOR, write_orders(folder / "o.csv", orders), "csv")
    assert summary.ready == len(orders), summary
    return list(orders)


def _picker(db: Database) -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, SUPERVISOR, "OP-1111", "Pat", Role.PICKER, "1234")
    return Actor(operator_id=info.id, name="Pat", role=Role.PICKER, station="cart 1")


def _statuses(db: Database, numbers: list[str]) -> set[str]:
    with db.sessions() as session:
        return set(session.scalars(select(Order.status).where(Order.number.in_(numbers))))


def test_a_floor_of_12_by_30_grows_the_layout_and_its_waves_are_walked(
    db: Database, tmp_path: Path
) -> None:
    assert _import_floor(db, tmp_path) == "bays 12 -> 30"
    with db.sessions() as session:
        report = layout_report(session)
    assert (report.layout.aisles, report.layout.bays) == (12, 30)
    assert report.outside is None
    today = clock.today().isoformat()
    assert report.origin["bays"].source == IMPORT and report.origin["bays"].on == today
    assert report.origin["bays"].text == f"grown by the location import of {today}"
    assert report.origin["aisles"].source == DEFAULT and report.origin["aisles"].text == "default"

    # The same file again: nothing grows, and the origin stays the import's.
    again = import_locations(db.sessions, SUPERVISOR, tmp_path / "locations.csv")
    assert again.layout_grown == "" and again.unchanged == AISLES * BAYS

    numbers = _import_orders(db, tmp_path)
    with unit_of_work(db.sessions) as session:
        wave = release_wave(session, SUPERVISOR)
    assert wave.orders == len(numbers)
    assert {p.mode for p in wave.pick_lists} >= {"single", "sort_while_pick"}
    assert max(p.planned_m for p in wave.pick_lists) > 2 * 30 * 1.3  # into the deep bays

    pat = _picker(db)
    totes: dict[tuple[str, int], str] = {}
    for _ in wave.pick_lists:
        with unit_of_work(db.sessions) as session:
            code = claim_next(session, pat).code

        def tote_for(position: int, code: str = code) -> str:
            return totes.setdefault((code, position), f"T{7000 + len(totes)}")

        walk_pick_list(db.sessions, pat, code, tote_for)
    assert _statuses(db, numbers) == {"PICKED"}


def test_a_layout_that_leaves_locations_outside_is_refused_and_waves_say_how_to_fix_it(
    db: Database, tmp_path: Path
) -> None:
    _import_floor(db, tmp_path)
    numbers = _import_orders(db, tmp_path)
    with unit_of_work(db.sessions) as session, pytest.raises(LayoutTooSmall) as refused:
        set_layout(session, SUPERVISOR, {"bays": 20})
    assert "Layout not changed: 120 location(s) lie outside" in refused.value.message
    assert "bays=30" in refused.value.message and "--allow-outside" in refused.value.message
    with db.sessions() as session:
        assert warehouse_layout(session).bays == 30

    with unit_of_work(db.sessions) as session:  # the supervisor insists
        set_layout(session, SUPERVISOR, {"bays": 20}, allow_outside=True)
    with db.sessions() as session:
        report = layout_report(session)
    assert report.origin["bays"].source == SET
    assert report.origin["bays"].text.startswith("set by baton layout set on ")
    assert report.outside is not None and report.outside.count == 120
    assert report.outside.examples[0] == "A01-21-1" and report.outside.bays == 30

    with unit_of_work(db.sessions) as session, pytest.raises(LayoutTooSmall) as refused:
        release_wave(session, SUPERVISOR)
    message = refused.value.message
    assert message.startswith("Wave not released: 4 location(s) lie outside the layout")
    assert "A01-30-1" in message and "A07-22-1" in message
    assert "Run `baton layout set bays=30`" in message
    assert _statuses(db, numbers) == {"READY"}  # nothing was released

    with unit_of_work(db.sessions) as session:
        set_layout(session, SUPERVISOR, {"bays": 30})
        assert release_wave(session, SUPERVISOR).orders == len(numbers)


def test_a_short_pick_sent_to_a_location_off_the_layout_goes_last_with_a_clear_note(
    db: Database, tmp_path: Path
) -> None:
    _import_floor(db, tmp_path)
    write_orders(tmp_path / "one.csv", {"#300": [(_sku(5), 2)]})  # stocked at A05-02-1
    import_orders(db.sessions, SUPERVISOR, tmp_path / "one.csv", "csv")
    with unit_of_work(db.sessions) as session:
        (pick_list,) = release_wave(session, SUPERVISOR).pick_lists
    # More of it turns up deep in aisle 9, then the layout is cut back to 20 bays.
    stock = [["A05-02-1", _sku(5), 50, "", ""], ["A09-27-1", _sku(5), 10, "", ""]]
    header = ["location", "sku", "quantity", "lot", "expiry"]
    import_stock(db.sessions, SUPERVISOR, _write(tmp_path / "more.csv", header, stock))
    with unit_of_work(db.sessions) as session:
        set_layout(session, SUPERVISOR, {"bays": 20}, allow_outside=True)

    pat = _picker(db)
    with unit_of_work(db.sessions) as session:
        claim_next(session, pat)
    location = classify("A05-02-1")
    assert isinstance(location, Scan)
    with unit_of_work(db.sessions) as session:
        scan(session, pat, pick_list.code, location)
    with unit_of_work(db.sessions) as session:
        outcome = short(session, pat, pick_list.code)
    assert "2 to take from another location" in outcome.message
    assert "A09-27-1 is not on the warehouse layout, so last on your walk" in outcome.message
    assert "`baton layout set`" in outcome.message
    with db.sessions() as session:
        view = current_list(session, pat, pick_list.code)
    assert view.expect is Expect.LOCATION and view.current_stop is not None
    assert view.current_stop.location == "A09-27-1"

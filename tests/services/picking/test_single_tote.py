"""A single-order pick list binds an empty tote at its first stop, as a cart binds one per order,
and the pack bench starts from that tote."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent
from app.services.intake.receiving import import_orders
from app.services.packing.bench import start_packing
from app.services.packing.set_aside import set_aside
from app.services.packing.views import pack_queue
from app.services.picking.lists import list_pick_lists, paper_pick_list
from app.services.picking.scans import WrongScan, claim_next, key_count
from app.services.picking.views import Expect
from app.services.picking.waves import release_wave
from tests.services.floor import SUPERVISOR, load_floor, write_orders
from tests.services.journey import (
    GTIN,
    add_packer,
    add_picker,
    order_status,
    pick_scan,
    pick_view,
    run_together,
    scanned,
    walk,
)


def _single_lists(db: Database, tmp_path: Path, orders: dict[str, list[tuple[str, int]]]) -> None:
    load_floor(db)
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        wave = release_wave(session, SUPERVISOR, cart_totes=1)  # one order per list
    assert {p.mode for p in wave.pick_lists} == {"single"}


def test_the_first_stop_binds_an_empty_tote_and_the_bench_starts_from_it(
    db: Database, tmp_path: Path
) -> None:
    _single_lists(db, tmp_path, {"#7": [("MUG-BLUE", 2), ("TEA-EARL", 1), ("SOCK-ZOE", 1)]})
    pat = add_picker(db, "OP-1111", "Pat")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, pat).code
    view = pick_view(db, pat, code)
    assert [s.location for s in view.stops] == ["A01-01-1", "A01-02-1", "A02-02-1"]
    assert view.orders == ((1, "#7", None),)

    pick_scan(db, pat, code, "A01-01-1")
    with pytest.raises(WrongScan, match="Scan the product"):
        pick_scan(db, pat, code, "T0500")  # nothing in hand yet
    pick_scan(db, pat, code, GTIN["MUG-BLUE"])
    pick_scan(db, pat, code, GTIN["MUG-BLUE"])
    view = pick_view(db, pat, code)
    assert view.expect is Expect.TOTE and view.stops[0].status == "AT_LOCATION"
    with unit_of_work(db.sessions) as session, pytest.raises(WrongScan, match="into the tote"):
        key_count(session, pat, code, 1)
    said = pick_scan(db, pat, code, "T0500")
    assert said == "Order #7 goes in tote T0500"
    view = pick_view(db, pat, code)
    assert view.orders == ((1, "#7", "T0500"),) and view.stops[0].status == "DONE"

    # Later stops go straight into the bound tote: location and product, no tote scan.
    pick_scan(db, pat, code, "A01-02-1")
    pick_scan(db, pat, code, GTIN["TEA-EARL"])
    view = pick_view(db, pat, code)
    assert view.stops[1].status == "DONE" and view.expect is Expect.LOCATION
    pick_scan(db, pat, code, "A02-02-1")
    assert pick_scan(db, pat, code, GTIN["SOCK-ZOE"]) == f"Pick list {code} done."
    assert order_status(db, "#7") == "PICKED"
    with db.sessions() as session:
        picked = session.scalars(
            select(OrderEvent.detail)
            .join(Order)
            .where(Order.number == "#7", OrderEvent.kind == "picked")
        ).one()
        (row,) = list_pick_lists(session, "DONE")
        paper = paper_pick_list(session, code)
        queue = pack_queue(session)
    assert picked == f"pick list {code}, in tote T0500"
    assert {s.tote for s in row.stops} == {"T0500"}
    assert paper["pick_list_kind"] == "Order #7 · tote T0500"
    assert {s["tote"] for s in paper["stops"]} == {"T0500"}
    assert queue.totes == (("T0500", "#7"),)

    sam = add_packer(db)
    with unit_of_work(db.sessions) as session:
        started = start_packing(session, sam, scanned("T0500"))
    assert started.view.order == "#7" and started.view.started_from == "tote T0500"
    assert started.view.units == (0, 4)


def test_a_tote_in_use_or_holding_a_problem_is_refused_and_records_nothing(
    db: Database, tmp_path: Path
) -> None:
    _single_lists(db, tmp_path, {"#1": [("MUG-BLUE", 1)], "#2": [("TEA-EARL", 1)]})
    pat, ola = add_picker(db, "OP-1111", "Pat"), add_picker(db, "OP-1112", "Ola")
    with unit_of_work(db.sessions) as session:
        pats = claim_next(session, pat).code
    with unit_of_work(db.sessions) as session:
        olas = claim_next(session, ola).code
    pats_order = pick_view(db, pat, pats).orders[0][1]
    walk(db, pat, pats, {pats_order: "T0600"})
    assert order_status(db, pats_order) == "PICKED"

    stop = pick_view(db, ola, olas).current_stop
    assert stop is not None
    pick_scan(db, ola, olas, stop.location)
    pick_scan(db, ola, olas, GTIN[stop.sku])
    with pytest.raises(WrongScan) as refused:
        pick_scan(db, ola, olas, "T0600")
    assert refused.value.message == (
        f"Tote T0600 is in use: it holds order {pats_order} of pick list {pats}. "
        "Take an empty tote."
    )
    view = pick_view(db, ola, olas)
    assert view.expect is Expect.TOTE and view.orders[0][2] is None  # nothing recorded

    # At the bench the order in T0600 is set aside: its items move into problem tote T0042.
    sam = add_packer(db)
    with unit_of_work(db.sessions) as session:
        start_packing(session, sam, scanned("T0600"))
    with unit_of_work(db.sessions) as session:
        set_aside(session, sam, pats_order, "Item damaged", scanned("T0042"))
    with pytest.raises(WrongScan, match=f"Tote T0042 holds order {pats_order}'s set-aside items"):
        pick_scan(db, ola, olas, "T0042")
    # T0600 is empty now: it takes the other order, and the bench starts from it.
    pick_scan(db, ola, olas, "T0600")
    olas_order = view.orders[0][1]
    assert order_status(db, olas_order) == "PICKED"
    with unit_of_work(db.sessions) as session:
        started = start_packing(session, sam, scanned("T0600"))
    assert started.view.order == olas_order


def test_two_pickers_scanning_the_same_empty_tote_at_once_bind_it_once(
    db: Database, tmp_path: Path
) -> None:
    _single_lists(db, tmp_path, {"#1": [("MUG-BLUE", 1)], "#2": [("TEA-EARL", 1)]})
    pickers = [add_picker(db, "OP-1111", "Pat"), add_picker(db, "OP-1112", "Ola")]
    codes = []
    for picker in pickers:  # each at the first stop, a unit in hand, asked for a tote
        with unit_of_work(db.sessions) as session:
            code = claim_next(session, picker).code
        stop = pick_view(db, picker, code).current_stop
        assert stop is not None
        pick_scan(db, picker, code, stop.location)
        pick_scan(db, picker, code, GTIN[stop.sku])
        codes.append(code)
    errors = run_together(
        *(
            lambda p=p, c=c: pick_scan(db, p, c, "T0900")
            for p, c in zip(pickers, codes, strict=True)
        )
    )
    assert len(errors) == 1 and isinstance(errors[0], WrongScan), errors
    assert "Tote T0900 is in use" in str(errors[0])
    bound = [pick_view(db, p, c).orders[0][2] for p, c in zip(pickers, codes, strict=True)]
    assert bound.count("T0900") == 1 and bound.count(None) == 1

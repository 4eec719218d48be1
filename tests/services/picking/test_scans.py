"""Picking end to end on both databases: release, claim, scan, refuse, short, finish."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Allocation, Location, Order, Stock
from app.domain.formats.masterdata_rows import LocationRow, StockRow
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.desk.order_actions import cancel_order
from app.services.desk.orders import show_order
from app.services.errors import BatonError, NotAllowed
from app.services.intake.receiving import import_orders
from app.services.intake.verification import verify_many, verify_order
from app.services.masterdata.imports import import_stock, load_master_data
from app.services.picking.finishing import reassign
from app.services.picking.lists import list_pick_lists
from app.services.picking.scans import WrongScan, claim_next, key_count, scan, short
from app.services.picking.views import Expect, PickListView
from app.services.picking.waves import release_wave
from tests.services.floor import SUPERVISOR, load_floor, stock_levels, write_orders
from tests.services.journey import (
    GTIN,
    add_picker,
    order_status,
    pick_scan,
    pick_view,
    run_together,
    walk,
)


@pytest.fixture
def floor(db: Database, tmp_path: Path) -> Database:
    load_floor(db)
    orders = {
        "#1": [("MUG-BLUE", 2), ("TEA-EARL", 1)],
        "#2": [("SOCK-ZOE", 1)],
        "#3": [("MUG-BLUE", 1)],
    }
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    return db


def test_a_wave_on_a_cart_is_walked_and_its_orders_are_picked(floor: Database) -> None:
    before = stock_levels(floor)
    with unit_of_work(floor.sessions) as session:
        wave = release_wave(session, SUPERVISOR)
    assert wave.orders == 3 and len(wave.pick_lists) == 1
    (pick_list,) = wave.pick_lists
    assert pick_list.mode == "sort_while_pick" and pick_list.units == 5 and pick_list.planned_m > 0
    assert {order_status(floor, n) for n in ("#1", "#2", "#3")} == {"RELEASED"}
    with unit_of_work(floor.sessions) as session:  # releasing again finds nothing new
        assert release_wave(session, SUPERVISOR).pick_lists == ()

    pat = add_picker(floor, "OP-1111", "Pat")
    with unit_of_work(floor.sessions) as session:
        claimed = claim_next(session, pat)
    assert claimed.code == pick_list.code and claimed.expect is Expect.LOCATION
    totes: dict[str, str] = {}
    walk(floor, pat, claimed.code, totes)

    assert {order_status(floor, n) for n in ("#1", "#2", "#3")} == {"PICKED"}
    assert pick_view(floor, pat, claimed.code).order_statuses == ("PICKED",) * 3
    after = stock_levels(floor)
    assert sum(q for q, _ in after.values()) == sum(q for q, _ in before.values()) - 5
    assert all(reserved == 0 for _, reserved in after.values())
    assert len(set(totes.values())) == 3  # one tote per order on the cart


def test_wrong_scans_are_refused_and_record_nothing(floor: Database) -> None:
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(floor, "OP-1111", "Pat")
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    first = pick_view(floor, pat, code).current_stop
    assert first is not None
    wrong_location = "A02-03-1" if first.location != "A02-03-1" else "A01-03-1"
    for text, words in (
        (wrong_location, "Wrong location"),
        (GTIN["MUG-BLUE" if first.sku != "MUG-BLUE" else "SOCK-ZOE"], "Scan the location first"),
        ("T0001", "Scan the location first"),
    ):
        with pytest.raises(WrongScan, match=words):
            pick_scan(floor, pat, code, text)
    assert pick_view(floor, pat, code).current_stop == first
    pick_scan(floor, pat, code, first.location)
    other = "SOCK-ZOE" if first.sku != "SOCK-ZOE" else "MUG-BLUE"
    with pytest.raises(WrongScan, match="Wrong product"):
        pick_scan(floor, pat, code, GTIN[other])
    view = pick_view(floor, pat, code)
    assert view.current_stop is not None and view.current_stop.picked == 0


def test_two_pickers_never_get_the_same_list(floor: Database) -> None:
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR, cart_totes=1)  # three single-order lists
    pickers = [add_picker(floor, f"OP-11{n}1", f"Picker {n}") for n in range(3)]
    got: list[str] = []

    def take(actor: Actor) -> None:
        with unit_of_work(floor.sessions) as session:
            got.append(claim_next(session, actor).code)

    errors = run_together(*(lambda p=p: take(p) for p in pickers))
    assert errors == [] and len(got) == 3 and len(set(got)) == 3


def test_a_short_location_is_refilled_from_another_or_reported(floor: Database) -> None:
    # A second place for socks, so the short at the first can be found elsewhere.
    load_master_data(
        floor.sessions,
        SUPERVISOR,
        locations=[LocationRow("A02-06-1", "PICK", 2, 6, 1)],
        stock=[StockRow("A02-06-1", "SOCK-ZOE", 1, "", None)],
    )
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR, cart_totes=1)
    pat = add_picker(floor, "OP-1111", "Pat")
    for _ in range(3):
        with unit_of_work(floor.sessions) as session:
            view = claim_next(session, pat)
        if any(s.sku == "SOCK-ZOE" for s in view.stops):
            break
        walk(floor, pat, view.code, {})
    stop = view.current_stop
    assert stop is not None and stop.sku == "SOCK-ZOE"
    pick_scan(floor, pat, view.code, stop.location)
    with unit_of_work(floor.sessions) as session:
        outcome = short(session, pat, view.code)
    assert "1 missing" in outcome.message and "added to your walk" in outcome.message
    after = pick_view(floor, pat, view.code)
    assert after.current_stop is not None and after.current_stop.location == "A02-06-1"
    with floor.sessions() as session:
        flagged = session.scalars(
            select(Location.needs_count).where(Location.code == stop.location)
        )
        assert flagged.one() is True
    walk(floor, pat, view.code, {})
    assert order_status(floor, "#2") == "PICKED"
    _exact(floor)


def test_a_reassigned_list_refuses_the_old_pickers_scans(floor: Database) -> None:
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat, sam = add_picker(floor, "OP-1111", "Pat"), add_picker(floor, "OP-2222", "Sam")
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    with unit_of_work(floor.sessions) as session:
        assert "Sam" in reassign(session, SUPERVISOR, code, "OP-2222")
    first = pick_view(floor, sam, code).current_stop
    assert first is not None
    with pytest.raises(NotAllowed, match="not yours"):
        pick_scan(floor, pat, code, first.location)
    pick_scan(floor, sam, code, first.location)
    with pytest.raises(BatonError), unit_of_work(floor.sessions) as session:
        reassign(session, pat, code, None)  # a picker cannot reassign


def test_extra_units_and_a_tote_already_in_use_are_refused(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    orders = {
        "#1": [("MUG-BLUE", 2)],
        "#2": [("MUG-BLUE", 1)],
        "#3": [("TEA-EARL", 1)],
        "#4": [("TEA-EARL", 1)],
    }
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR, cart_totes=2)  # two carts of two orders
    pat, sam = add_picker(db, "OP-1111", "Pat"), add_picker(db, "OP-2222", "Sam")
    with unit_of_work(db.sessions) as session:
        pats = claim_next(session, pat).code
    with unit_of_work(db.sessions) as session:
        sams = claim_next(session, sam).code

    def to_tote_step(actor: Actor, code: str) -> None:
        view = pick_view(db, actor, code)
        assert view.current_stop is not None and view.current_task is not None
        pick_scan(db, actor, code, view.current_stop.location)
        for _ in range(view.current_task.quantity):
            pick_scan(db, actor, code, GTIN[view.current_stop.sku])

    to_tote_step(pat, pats)
    stop = pick_view(db, pat, pats).current_stop
    assert stop is not None
    with pytest.raises(WrongScan, match="Scan the tote"):
        pick_scan(db, pat, pats, GTIN[stop.sku])  # one unit more than the order wants
    pick_scan(db, pat, pats, "T1001")
    to_tote_step(sam, sams)
    in_use = f"Tote T1001 is in use: it holds order #. of pick list {pats}. Take an empty tote"
    with pytest.raises(WrongScan, match=in_use):
        pick_scan(db, sam, sams, "T1001")
    pick_scan(db, sam, sams, "T2001")


def test_pick_then_sort_takes_each_location_once_into_a_shared_tote(floor: Database) -> None:
    with unit_of_work(floor.sessions) as session:
        wave = release_wave(session, SUPERVISOR, mode="pick_then_sort")
    (listed,) = wave.pick_lists
    assert listed.mode == "pick_then_sort" and len(listed.orders) == 3
    pat = add_picker(floor, "OP-1111", "Pat")
    with unit_of_work(floor.sessions) as session:
        view = claim_next(session, pat)
    # MUG-BLUE for #1 (2) and #3 (1) is one stop of 3 units: one location visit for both.
    mug = [s for s in view.stops if s.sku == "MUG-BLUE"]
    assert len(mug) == 1 and mug[0].quantity == 3 and len(mug[0].tasks) == 2
    for _ in range(60):
        current = pick_view(floor, pat, view.code)
        if current.current_stop is None:
            break
        if current.expect is Expect.TOTE:
            pick_scan(floor, pat, view.code, "T0900")  # the one shared tote of the cart
        else:
            _walk_step(floor, pat, current)
    assert {order_status(floor, n) for n in ("#1", "#2", "#3")} == {"PICKED"}
    with floor.sessions() as session:
        row = list_pick_lists(session, "DONE")[0]
    assert {line.tote for line in row.stops} == {"T0900"}


def _walk_step(db: Database, actor: Actor, view: PickListView) -> None:
    stop = view.current_stop
    assert stop is not None
    if view.expect is Expect.LOCATION:
        pick_scan(db, actor, view.code, stop.location)
    else:
        pick_scan(db, actor, view.code, GTIN[stop.sku])


def test_an_order_cancelled_on_the_cart_leaves_the_walk_and_the_rest_is_picked(
    floor: Database,
) -> None:
    before = stock_levels(floor)
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(floor, "OP-1111", "Pat")
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    with unit_of_work(floor.sessions) as session:
        cancel_order(session, SUPERVISOR, "#2", "customer asked")
    view = pick_view(floor, pat, code)
    assert all(t.order != "#2" or t.quantity == 0 for s in view.stops for t in s.tasks)
    walk(floor, pat, code, {})
    assert [order_status(floor, n) for n in ("#1", "#2", "#3")] == ["PICKED", "CANCELLED", "PICKED"]
    after = stock_levels(floor)
    # #2's sock was never taken: it is still on the shelf and promised to nobody.
    assert sum(q for q, _ in after.values()) == sum(q for q, _ in before.values()) - 4
    assert all(reserved == 0 for _, reserved in after.values())


def _exact(db: Database) -> None:
    """Every stock row's promise equals the units allocated from it, never more than on hand."""
    with db.sessions() as session:
        for stock in session.scalars(select(Stock)):
            promised = sum(
                a.quantity
                for a in session.scalars(select(Allocation).where(Allocation.stock_id == stock.id))
            )
            assert stock.reserved == promised and 0 <= stock.reserved <= stock.quantity


def test_a_short_with_units_in_hand_still_puts_them_in_the_tote(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)  # SOCK-ZOE: 3 at A02-02-1, nowhere else
    orders = {"#1": [("SOCK-ZOE", 3)], "#2": [("MUG-BLUE", 1)]}
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR)  # both on one cart
    pat = add_picker(db, "OP-1111", "Pat")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, pat).code
    for _ in range(20):
        view = pick_view(db, pat, code)
        stop = view.current_stop
        assert stop is not None
        if stop.sku == "SOCK-ZOE" and view.expect is Expect.PRODUCT and stop.picked == 2:
            break
        _walk_step_or_tote(db, pat, view)
    with unit_of_work(db.sessions) as session:  # two found, the third is not there
        outcome = short(session, pat, code, "not enough")
    assert "1 missing at A02-02-1" in outcome.message and "could not be found" in outcome.message
    after = pick_view(db, pat, code)
    assert after.expect is Expect.TOTE  # the two in hand still go into the order's tote
    pick_scan(db, pat, code, "T0001")
    walk(db, pat, code, {"#2": "T0002"})
    assert order_status(db, "#1") == "SHORT" and order_status(db, "#2") == "PICKED"
    _exact(db)


def _walk_step_or_tote(db: Database, actor: Actor, view: PickListView) -> None:
    stop = view.current_stop
    assert stop is not None
    if view.expect is Expect.TOTE:
        pick_scan(db, actor, view.code, "T0001" if stop.sku == "SOCK-ZOE" else "T0002")
    else:
        _walk_step(db, actor, view)


def test_a_refill_from_a_row_the_line_already_takes_from_joins_that_stop(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)  # TEA-EARL: lot L1 5 units (A01-02-1), lot L2 20 units (A02-01-1)
    orders = {"#1": [("TEA-EARL", 12)]}  # takes L1 x5 and L2 x7
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(db, "OP-1111", "Pat")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, pat).code
    view = pick_view(db, pat, code)
    assert [(s.location, s.quantity) for s in view.stops] == [("A01-02-1", 5), ("A02-01-1", 7)]
    pick_scan(db, pat, code, "A01-02-1")
    pick_scan(db, pat, code, GTIN["TEA-EARL"])  # one found, four missing
    with unit_of_work(db.sessions) as session:
        short(session, pat, code)
    view = pick_view(db, pat, code)
    assert [(s.location, s.quantity, s.status) for s in view.stops] == [
        ("A01-02-1", 1, "AT_LOCATION"),  # the unit in hand waits for the order's first tote
        ("A02-01-1", 11, "OPEN"),  # the same stop takes the four more, not a second one
    ]
    assert view.expect is Expect.TOTE
    assert pick_scan(db, pat, code, "T0001") == "Order #1 goes in tote T0001"
    assert pick_view(db, pat, code).stops[0].status == "DONE"  # as on a cart: closed by the put
    walk(db, pat, code, {})
    assert order_status(db, "#1") == "PICKED"
    _exact(db)


def test_cancelling_after_a_partial_pick_finishes_the_list_for_the_others(
    floor: Database,
) -> None:
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(floor, "OP-1111", "Pat")
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    totes: dict[str, str] = {}
    walk(floor, pat, code, totes)  # all picked ...
    assert {order_status(floor, n) for n in ("#1", "#2", "#3")} == {"PICKED"}

    # A second wave: one order, partly picked when it is cancelled; its list ends with it.
    load_master_data(
        floor.sessions, SUPERVISOR, stock=[StockRow("A01-01-1", "MUG-BLUE", 10, "", None)]
    )
    import_orders(floor.sessions, SUPERVISOR, _tmp_orders({"#9": [("MUG-BLUE", 2)]}), "csv")
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    pick_scan(floor, pat, code, "A01-01-1")
    pick_scan(floor, pat, code, GTIN["MUG-BLUE"])
    with unit_of_work(floor.sessions) as session:
        cancel_order(session, SUPERVISOR, "#9", "customer asked")
    with floor.sessions() as session:
        detail = show_order(session, "#9")
    assert detail.order.status == "CANCELLED"
    assert "1 unit(s) already taken" in detail.timeline[-1].detail
    with floor.sessions() as session:
        assert list_pick_lists(session, "DONE")  # the emptied list is finished, not stuck
    with pytest.raises(BatonError), unit_of_work(floor.sessions) as session:
        claim_next(session, pat)  # nothing left: no list is handed out again
    _exact(floor)


def _tmp_orders(orders: dict[str, list[tuple[str, int]]]) -> Path:
    import tempfile

    return write_orders(Path(tempfile.mkdtemp()) / "o.csv", orders)


def test_a_short_order_made_ready_again_can_be_released_again(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    orders = {"#1": [("SOCK-ZOE", 2)]}
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(db, "OP-1111", "Pat")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, pat).code
    pick_scan(db, pat, code, "A02-02-1")
    with unit_of_work(db.sessions) as session:
        finished = short(session, pat, code)
    assert order_status(db, "#1") == "SHORT"
    assert finished.result == "done" and finished.view is not None
    assert finished.view.order_statuses == ("SHORT",)  # what the screen counts as short
    load_master_data(db.sessions, SUPERVISOR, stock=[StockRow("A01-03-1", "SOCK-ZOE", 5, "", None)])
    with unit_of_work(db.sessions) as session:  # the supervisor sends it round again
        order = session.scalars(select(Order).where(Order.number == "#1")).one()
        order.status = "READY"
        verify_order(session, SUPERVISOR, "#1")
    with unit_of_work(db.sessions) as session:
        wave = release_wave(session, SUPERVISOR)
    assert [p.orders for p in wave.pick_lists] == [("#1",)]
    with unit_of_work(db.sessions) as session:
        second = claim_next(session, pat).code
    walk(db, pat, second, {})
    assert order_status(db, "#1") == "PICKED"  # both socks now picked, over the two lists
    _exact(db)


def test_reassigning_mid_stop_starts_the_stop_again_and_refuses_units_in_hand(
    floor: Database,
) -> None:
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat, sam = add_picker(floor, "OP-1111", "Pat"), add_picker(floor, "OP-2222", "Sam")
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    first = pick_view(floor, pat, code).current_stop
    assert first is not None
    pick_scan(floor, pat, code, first.location)
    pick_scan(floor, pat, code, GTIN[first.sku])
    with (
        pytest.raises(BatonError, match="in the picker's hand"),
        unit_of_work(floor.sessions) as session,
    ):
        reassign(session, SUPERVISOR, code, "OP-2222")
    while pick_view(floor, pat, code).expect is Expect.PRODUCT:  # the rest of the order's units
        pick_scan(floor, pat, code, GTIN[first.sku])
    pick_scan(floor, pat, code, "T0001")
    second = pick_view(floor, pat, code).current_stop
    assert second is not None
    pick_scan(floor, pat, code, second.location)  # Pat stands at the next stop, hands empty
    with unit_of_work(floor.sessions) as session:
        reassign(session, SUPERVISOR, code, "OP-2222")
    assert pick_view(floor, sam, code).expect is Expect.LOCATION  # Sam scans where he stands


def test_a_bin_found_short_is_not_promised_until_counted(db: Database, tmp_path: Path) -> None:
    load_floor(db)  # SOCK-ZOE: 3 at A02-02-1
    import_orders(
        db.sessions, SUPERVISOR, write_orders(tmp_path / "a.csv", {"#1": [("SOCK-ZOE", 2)]}), "csv"
    )
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(db, "OP-1111", "Pat")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, pat).code
    pick_scan(db, pat, code, "A02-02-1")
    with unit_of_work(db.sessions) as session:
        short(session, pat, code, "location empty")
    # One sock is still on the books there, but nobody trusts the bin until it is counted.
    later = write_orders(tmp_path / "b.csv", {"#2": [("SOCK-ZOE", 1)]})
    (held,) = import_orders(db.sessions, SUPERVISOR, later, "csv").received
    assert held.reasons == ("not enough stock of SOCK-ZOE: needs 1, 0 free to promise",)
    count = tmp_path / "count.csv"
    count.write_text("location,sku,quantity\nA02-02-1,SOCK-ZOE,1\n", encoding="utf-8")
    assert import_stock(db.sessions, SUPERVISOR, count).exit_code == 0
    (verdict,) = verify_many(db.sessions, SUPERVISOR, ["#2"])
    assert verdict.status is not None and verdict.status.value == "READY"
    _exact(db)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_scans_never_bend_the_books(floor: Database, seed: int) -> None:
    """Right and wrong scans, counts and shorts in any order: stock and promises stay exact."""
    import random

    rng = random.Random(seed)
    with unit_of_work(floor.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(floor, "OP-1111", "Pat")
    with unit_of_work(floor.sessions) as session:
        code = claim_next(session, pat).code
    noise = ["A01-01-1", "A02-02-1", "A01-02-1", "T0001", "T0002", "#100", *GTIN.values()]
    for _ in range(120):
        view = pick_view(floor, pat, code)
        stop = view.current_stop
        if stop is None:
            break
        roll = rng.random()
        try:
            with unit_of_work(floor.sessions) as session:
                if roll < 0.05:
                    short(session, pat, code, "random")
                elif roll < 0.1:
                    key_count(session, pat, code, rng.randint(-1, 4))
                else:
                    if roll < 0.6:
                        text = {
                            Expect.LOCATION: stop.location,
                            Expect.PRODUCT: GTIN[stop.sku],
                        }.get(view.expect, f"T000{(view.current_task or stop.tasks[0]).position}")
                    else:
                        text = rng.choice(noise)
                    scanned = classify(text)
                    assert isinstance(scanned, Scan)
                    scan(session, pat, code, scanned)
        except BatonError:
            pass  # refused: nothing may have changed, which the books below confirm
        _exact(floor)
    with floor.sessions() as session:
        for stock in session.scalars(select(Stock)):
            assert stock.quantity >= 0

"""The pack bench on both databases: start, scan-verified checklist, cartons, weight, exceptions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Location, Order, OrderEvent, Product, ProductBarcode, Stock
from app.db.packing_models import Carton, CartonItem, PackJob
from app.domain.gtin import has_valid_check_digit
from app.domain.scanning.classify import Scan, ScanKind, classify
from app.printing.tracking import SCHEMES
from app.services.actor import Actor
from app.services.desk.order_actions import cancel_order
from app.services.errors import (
    BadgeLocked,
    BatonError,
    InvalidInput,
    NotAllowed,
    NotFound,
    WrongState,
)
from app.services.intake.receiving import import_orders
from app.services.masterdata.operators import check_pin, unlock_badge
from app.services.packing.bench import (
    choose_box,
    close_carton,
    current_order,
    key_units,
    pack_item,
    start_packing,
)
from app.services.packing.boxes import DEMO_BOXES, save_boxes
from app.services.packing.carriers import carrier_book
from app.services.packing.documents import carton_documents
from app.services.packing.jobs import OverScan, PackOutcome, WrongItem, WrongLot
from app.services.packing.set_aside import back_to_packing, set_aside
from app.services.packing.views import PackView
from app.services.picking.scans import claim_next
from app.services.picking.waves import release_wave
from app.services.sorting.put_wall import add_wall, start_batch, wall_view
from tests.services.floor import SUPERVISOR, load_floor, write_orders
from tests.services.journey import (
    BOSS_BADGE,
    GTIN,
    add_packer,
    add_picker,
    add_sorter,
    order_status,
    picked,
    run_together,
    scanned,
    sort_one,
    walk,
)


def _do(db: Database, action: object) -> PackOutcome:
    with unit_of_work(db.sessions) as session:
        return action(session)  # type: ignore[operator,no-any-return]


def _counts(db: Database) -> tuple[int, int, int]:
    """(carton items, cartons, events): what a refused scan must leave alone."""
    with db.sessions() as session:
        return (
            session.scalar(select(func.count(CartonItem.id))) or 0,
            session.scalar(select(func.count(Carton.id))) or 0,
            session.scalar(select(func.count(OrderEvent.id))) or 0,
        )


def _fill(db: Database, packer: Actor, number: str, view: PackView) -> PackView:
    """Scan every unit still to pack; after each, the view the scan answered with is what a
    fresh read of the order shows."""
    for line in view.lines:
        for _ in range(line.expected - line.packed):
            view = _do(db, lambda s, sku=line.sku: pack_item(s, packer, number, scanned(GTIN[sku])))
            view = view.view
            with db.sessions() as session:
                assert current_order(session, packer) == view
    return view


def test_an_order_is_packed_in_one_carton_and_labelled_data_recorded(bench: Database) -> None:
    sam = add_packer(bench)
    started = _do(bench, lambda s: start_packing(s, sam, scanned("T0001")))
    assert started.view.order == "#1001" and started.view.units == (0, 3)
    assert [li.sku for li in started.view.lines] == ["MUG-BLUE", "TEA-EARL"]
    # 120x90x100 mugs are too tall for the 80 mm mailer whatever their volume: box S.
    assert started.view.plan[0].box == "BOX-S"
    outcome = _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))
    assert outcome.message == "MUG-BLUE  1 of 2"
    assert outcome.view.lines[0].packed == 1 and outcome.view.open_carton is not None
    view = _fill(bench, sam, "#1001", outcome.view)
    assert view.all_in and [li.sku for li in view.lines] == ["MUG-BLUE", "TEA-EARL"]
    carton = view.open_carton
    assert carton is not None and carton.box == "BOX-S"
    assert carton.expected_weight_g == 2 * 380 + 120 + 160  # items + the box's tare
    closed = _do(bench, lambda s: close_carton(s, sam, "#1001", carton.expected_weight_g + 30))
    assert closed.result == "done" and closed.closed_carton is not None
    assert order_status(bench, "#1001") == "PACKED"
    (done,) = closed.view.cartons
    assert (done.status, done.weight_g, done.carton_count) == ("CLOSED", 1070, 1)
    assert done.sscc is not None and len(done.sscc) == 18 and has_valid_check_digit(done.sscc)
    assert done.tracking_number is not None
    scheme = next(c.scheme for c in carrier_book().services() if c.carrier == done.carrier)
    assert SCHEMES[scheme].is_valid(done.tracking_number)
    tracking = classify(done.tracking_number)
    assert isinstance(tracking, Scan) and tracking.kind is ScanKind.TRACKING
    with bench.sessions() as session:
        job = session.scalars(select(PackJob)).one()
        assert (job.status, job.started_from) == ("DONE", "tote T0001")
        kinds = session.scalars(
            select(OrderEvent.kind).join(Order).where(Order.number == "#1001")
        ).all()
    assert {"packing_started", "carton_closed", "packed"} <= set(kinds)


def test_wrong_scans_are_refused_and_record_nothing(bench: Database) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["TEA-EARL"])))
    before = _counts(bench)
    refusals: list[tuple[str, type[BatonError], str]] = [
        (GTIN["SOCK-ZOE"], WrongItem, "SOCK-ZOE is not in order #1001"),
        (GTIN["TEA-EARL"], OverScan, "All 1 × TEA-EARL are packed already"),
        ("4000000000006", WrongItem, "No product has the code 04000000000006"),
        # Order #1001's tea was picked from lot L1 (first to expire): lot L2 is not in the order.
        (f"]C101{'0' + GTIN['TEA-EARL']}10L2", OverScan, "All 1 × TEA-EARL"),
    ]
    for text, error, words in refusals:
        with pytest.raises(error, match=words), unit_of_work(bench.sessions) as session:
            pack_item(session, sam, "#1001", scanned(text))
    assert _counts(bench) == before
    with pytest.raises(NotFound, match="No box type BOX-ZZ"), unit_of_work(bench.sessions) as s:
        choose_box(s, sam, "#1001", "BOX-ZZ")
    with (
        pytest.raises(InvalidInput, match="Key the carton's weight"),
        unit_of_work(bench.sessions) as session,
    ):
        close_carton(session, sam, "#1001", 0)
    assert _counts(bench) == before


def test_a_unit_of_the_wrong_lot_is_refused(bench: Database) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    wrong = f"]C101{'0' + GTIN['TEA-EARL']}10L2"
    with pytest.raises(
        WrongLot, match="Wrong lot L2: this order's TEA-EARL was picked from lot L1"
    ):
        _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(wrong)))
    right = _do(
        bench, lambda s: pack_item(s, sam, "#1001", scanned(f"]C101{'0' + GTIN['TEA-EARL']}10L1"))
    )
    assert next(li for li in right.view.lines if li.sku == "TEA-EARL").packed == 1


def test_orders_not_ready_to_pack_are_refused_with_the_reason(
    bench: Database, tmp_path: Path
) -> None:
    sam = add_packer(bench)
    import_orders(
        bench.sessions,
        SUPERVISOR,
        write_orders(tmp_path / "more.csv", {"#1007": [("MUG-BLUE", 1)], "#1008": [("NOPE-1", 1)]}),
        "csv",
    )
    cases = [
        ("#1007", "Order #1007 has not been picked yet."),
        ("#1008", "Order #1008 is on hold: "),
        ("#404", "No order #404."),
        ("T0999", "Tote T0999 holds no order to pack."),
        ("A01-01-1", "Scan an order number, its tote or its put-wall slot"),
    ]
    for text, words in cases:
        with pytest.raises(BatonError) as refused, unit_of_work(bench.sessions) as session:
            start_packing(session, sam, scanned(text))
        assert refused.value.message.startswith(words), refused.value.message
    packed = _do(bench, lambda s: start_packing(s, sam, scanned("#1003")))
    _fill(bench, sam, "#1003", packed.view)
    _do(bench, lambda s: close_carton(s, sam, "#1003", 380 + 160))
    with pytest.raises(WrongState, match="Order #1003 is packed already"):
        _do(bench, lambda s: start_packing(s, sam, scanned("#1003")))
    with unit_of_work(bench.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1002", "customer changed their mind")
    with pytest.raises(WrongState, match="Order #1002 is CANCELLED"):
        _do(bench, lambda s: start_packing(s, sam, scanned("T0002")))


def test_two_packers_never_pack_the_same_order(bench: Database) -> None:
    sam, kim = add_packer(bench), add_packer(bench, "OP-3200", "Kim")
    won: list[str] = []
    refused: list[str] = []

    def take(actor: Actor) -> None:
        try:
            _do(bench, lambda s: start_packing(s, actor, scanned("#1001")))
            won.append(actor.name)
        except BatonError as exc:
            refused.append(exc.message)

    assert run_together(lambda: take(sam), lambda: take(kim)) == []
    assert len(won) == 1 and len(refused) == 1
    assert refused[0].startswith(f"Order #1001 is being packed by {won[0]}")
    other = kim if won[0] == "Sam" else sam
    with pytest.raises(NotAllowed, match="being packed by"):
        _do(bench, lambda s: pack_item(s, other, "#1001", scanned(GTIN["MUG-BLUE"])))
    with bench.sessions() as session:
        assert session.scalar(select(func.count(PackJob.id))) == 1


def test_an_order_split_over_two_cartons_gets_two_sscc_and_carton_numbers(
    bench: Database,
) -> None:
    sam = add_packer(bench)
    view = _do(bench, lambda s: start_packing(s, sam, scanned("#1001"))).view
    view = _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"]))).view
    first = _do(bench, lambda s: close_carton(s, sam, "#1001", 380 + 160))
    assert first.result == "ok" and first.message.startswith("Carton 1 of 2 closed")
    assert order_status(bench, "#1001") == "PICKED"
    view = first.view
    assert view.open_carton is None and view.closed == 1 and view.units == (1, 3)
    view = _fill(bench, sam, "#1001", view)
    second = view.open_carton
    assert second is not None and second.seq == 2 and second.units == 2
    last = _do(bench, lambda s: close_carton(s, sam, "#1001", second.expected_weight_g))
    assert last.result == "done" and order_status(bench, "#1001") == "PACKED"
    cartons = last.view.cartons
    assert [(c.seq, c.units, c.carton_count) for c in cartons] == [(1, 1, 2), (2, 2, 2)]
    assert len({c.sscc for c in cartons}) == 2 and len({c.tracking_number for c in cartons}) == 2


def test_the_weight_check_flags_and_a_supervisor_may_accept(bench: Database) -> None:
    sam = add_packer(bench)
    view = _fill(
        bench, sam, "#1003", _do(bench, lambda s: start_packing(s, sam, scanned("T0003"))).view
    )
    carton = view.open_carton
    assert carton is not None and carton.expected_weight_g == 380 + 160
    heavy = _do(bench, lambda s: close_carton(s, sam, "#1003", 600))  # 60 g over, tolerance 50 g
    assert heavy.result == "error"
    assert heavy.message.startswith("Too heavy: 600 g. Check the carton")
    assert "540" not in heavy.message  # the packer is not told the answer
    flagged = heavy.view.open_carton
    assert flagged is not None and flagged.weight_flagged and flagged.weight_g == 600
    assert order_status(bench, "#1003") == "PICKED" and heavy.closed_carton is None
    with pytest.raises(NotAllowed, match="not a supervisor's"):
        _do(bench, lambda s: close_carton(s, sam, "#1003", 600, "OP-1100"))
    accepted = _do(bench, lambda s: close_carton(s, sam, "#1003", 600, BOSS_BADGE))
    assert accepted.result == "done" and order_status(bench, "#1003") == "PACKED"
    with bench.sessions() as session:
        carton_row = session.scalars(select(Carton)).one()
        assert carton_row.weight_override_by is not None and carton_row.weight_g == 600
        details = session.scalars(
            select(OrderEvent.detail).where(OrderEvent.kind == "weight_accepted")
        ).all()
    assert details == ["weighed 600 g, expected 540 g ± 50 g; accepted by Boss"]


def test_a_weight_within_tolerance_after_a_reweigh_closes(bench: Database) -> None:
    sam = add_packer(bench)
    view = _fill(
        bench, sam, "#1002", _do(bench, lambda s: start_packing(s, sam, scanned("T0002"))).view
    )
    assert view.open_carton is not None
    expected = view.open_carton.expected_weight_g
    assert _do(bench, lambda s: close_carton(s, sam, "#1002", expected - 51)).result == "error"
    assert _do(bench, lambda s: close_carton(s, sam, "#1002", expected - 50)).result == "done"


def test_a_keyed_count_needs_a_supervisor_badge(bench: Database) -> None:
    sam = add_packer(bench)
    view = _do(bench, lambda s: start_packing(s, sam, scanned("#1001"))).view
    mug = view.lines[0]
    with pytest.raises(NotAllowed, match="not a supervisor's"):
        _do(bench, lambda s: key_units(s, sam, "#1001", mug.line_id, 2, "OP-3100"))
    with pytest.raises(InvalidInput, match="Key 1 to 2"):
        _do(bench, lambda s: key_units(s, sam, "#1001", mug.line_id, 3, BOSS_BADGE))
    keyed = _do(bench, lambda s: key_units(s, sam, "#1001", mug.line_id, 2, BOSS_BADGE))
    assert next(li for li in keyed.view.lines if li.line_id == mug.line_id).packed == 2
    with bench.sessions() as session:
        item = session.scalars(select(CartonItem)).one()
        assert item.units == 2 and item.approved_by is not None


def test_a_supervisor_badge_locked_after_wrong_pins_approves_no_keyed_count(
    bench: Database,
) -> None:
    sam = add_packer(bench)
    view = _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    mug = view.view.lines[0]
    for _ in range(5):
        with unit_of_work(bench.sessions) as session:
            check_pin(session, BOSS_BADGE, "0000", "office")
    with pytest.raises(BadgeLocked, match=f"Badge {BOSS_BADGE} is locked after 5 wrong PINs"):
        _do(bench, lambda s: key_units(s, sam, "#1001", mug.line_id, 2, BOSS_BADGE))
    with bench.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CartonItem)) == 0
    with unit_of_work(bench.sessions) as session:
        unlock_badge(session, SUPERVISOR, BOSS_BADGE)
    keyed = _do(bench, lambda s: key_units(s, sam, "#1001", mug.line_id, 2, BOSS_BADGE))
    assert next(li for li in keyed.view.lines if li.line_id == mug.line_id).packed == 2


def test_a_case_code_counts_its_pack_quantity(bench: Database) -> None:
    with unit_of_work(bench.sessions) as session:
        mug = session.scalars(select(Product).where(Product.sku == "MUG-BLUE")).one()
        session.add(ProductBarcode(product_id=mug.id, code="MUG-9002", pack_quantity=2))
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    outcome = _do(bench, lambda s: pack_item(s, sam, "#1001", scanned("MUG-9002")))
    assert outcome.message == "MUG-BLUE  2 of 2 ✓"
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))  # resumes, nothing changes
    sam3 = add_packer(bench, "OP-3300", "Lou")
    _do(bench, lambda s: start_packing(s, sam3, scanned("#1003")))
    with pytest.raises(OverScan, match="This code counts 2 × MUG-BLUE; only 1 more go in"):
        _do(bench, lambda s: pack_item(s, sam3, "#1003", scanned("MUG-9002")))


def test_a_packer_who_comes_back_finds_every_unit_counted(bench: Database) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))
    _do(bench, lambda s: choose_box(s, sam, "#1001", "BOX-M"))
    with bench.sessions() as session:
        view = current_order(session, sam)
    assert view is not None and view.order == "#1001" and view.units == (1, 3)
    assert view.open_carton is not None and view.open_carton.box == "BOX-M"


def test_a_damaged_item_sets_the_order_aside_in_a_problem_tote(bench: Database) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))
    with pytest.raises(InvalidInput, match="Tote T0002 holds order #1002"):
        _do(bench, lambda s: set_aside(s, sam, "#1001", "Damaged item", scanned("T0002")))
    aside = _do(bench, lambda s: set_aside(s, sam, "#1001", "Damaged item", scanned("T0777")))
    assert aside.result == "attention"
    assert "put all 3 unit(s) not in a closed carton into tote T0777" in aside.message
    assert order_status(bench, "#1001") == "EXCEPTION"
    assert aside.view.open_carton is None and aside.view.units == (0, 3)
    with pytest.raises(WrongState, match="set aside: it waits for a supervisor"):
        _do(bench, lambda s: start_packing(s, sam, scanned("T0777")))
    with unit_of_work(bench.sessions) as session:
        said = back_to_packing(session, SUPERVISOR, "#1001", "mug replaced")
    assert (
        said == "Order #1001 goes back to packing: scan tote T0777 or the order number at a bench."
    )
    again = _do(bench, lambda s: start_packing(s, sam, scanned("T0777")))
    assert again.view.units == (0, 3) and again.view.started_from == "tote T0777"
    done = _fill(bench, sam, "#1001", again.view)
    # The set-aside carton is void: the order's only carton is carton 1 on its label too.
    assert done.open_carton is not None and done.open_carton.number == 1
    closed = _do(bench, lambda s: close_carton(s, sam, "#1001", done.open_carton.expected_weight_g))
    assert closed.result == "done" and [c.number for c in closed.view.cartons] == [1]
    assert "carton 1 of 1" in closed.message


def test_a_complete_slot_starts_packing_and_frees_the_slot(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        save_boxes(session, SUPERVISOR, DEMO_BOXES)
        add_wall(session, SUPERVISOR, "W1", 1, 2)
    import_orders(
        db.sessions,
        SUPERVISOR,
        write_orders(tmp_path / "b.csv", {"#1005": [("MUG-BLUE", 1)], "#1006": [("SOCK-ZOE", 1)]}),
        "csv",
    )
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR, mode="pick_then_sort")
    picker = add_picker(db, "OP-1500", "Pat")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, picker).code
    walk(db, picker, code, {"#1005": "T0500", "#1006": "T0500"})
    sam = add_packer(db)
    with pytest.raises(WrongState, match="Tote T0500 is a batch tote: sort it at the put wall"):
        _do(db, lambda s: start_packing(s, sam, scanned("T0500")))
    aiko = add_sorter(db)
    with unit_of_work(db.sessions) as session:
        start_batch(session, aiko, "W1", "T0500")
    with db.sessions() as session:
        slot_of = {s.order: s.code for s in wall_view(session, "W1").slots}
    with pytest.raises(
        WrongState, match=f"Slot {slot_of['#1005']} .order #1005. is still being sorted"
    ):
        _do(db, lambda s: start_packing(s, sam, scanned(slot_of["#1005"])))
    sort_one(db, aiko, "MUG-BLUE")
    started = _do(db, lambda s: start_packing(s, sam, scanned(slot_of["#1005"])))
    assert started.view.order == "#1005" and started.view.started_from == f"slot {slot_of['#1005']}"
    with db.sessions() as session:
        freed = wall_view(session, "W1").slot(slot_of["#1005"])
    assert freed is not None and freed.status == "FREE" and freed.order is None


def test_cancelling_an_order_on_the_bench_voids_its_carton_and_says_where_items_are(
    bench: Database,
) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))
    with unit_of_work(bench.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1001", "fraud")
    with bench.sessions() as session:
        assert session.scalars(select(Carton.status)).all() == ["VOID"]
        assert session.scalars(select(PackJob.status)).all() == ["CANCELLED"]
        detail = session.scalars(
            select(OrderEvent.detail).where(OrderEvent.kind == "cancelled")
        ).one()
    assert "items in an open carton at bench Sam" in detail
    with pytest.raises(WrongState, match="Order #1001 is CANCELLED"):
        _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))


def test_a_problem_tote_is_not_taken_for_picking(bench: Database, tmp_path: Path) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1002")))
    _do(bench, lambda s: set_aside(s, sam, "#1002", "Item missing", scanned("T0042")))
    import_orders(
        bench.sessions,
        SUPERVISOR,
        write_orders(
            tmp_path / "next.csv", {"#1009": [("MUG-BLUE", 1)], "#1010": [("MUG-BLUE", 1)]}
        ),
        "csv",
    )
    with unit_of_work(bench.sessions) as session:
        release_wave(session, SUPERVISOR)  # two orders: a cart, a tote each
    picker = add_picker(bench, "OP-1900", "Ola")
    with unit_of_work(bench.sessions) as session:
        code = claim_next(session, picker).code
    with pytest.raises(BatonError, match="Tote T0042 holds order #1002's set-aside items"):
        walk(bench, picker, code, {"#1009": "T0042", "#1010": "T0042"})


def test_a_supervisor_accepts_only_the_reading_just_taken(bench: Database) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))
    flagged = _do(bench, lambda s: close_carton(s, sam, "#1001", 900))
    assert flagged.result == "error" and flagged.view.open_carton is not None
    assert flagged.view.open_carton.weight_flagged
    # More goes in after the weighing: the reading says nothing about this carton any more.
    more = _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))
    assert more.view.open_carton is not None and not more.view.open_carton.weight_flagged
    with pytest.raises(InvalidInput, match="Weigh the carton again first"):
        _do(bench, lambda s: close_carton(s, sam, "#1001", 900, BOSS_BADGE))
    assert order_status(bench, "#1001") == "PICKED"


def test_cancelling_a_sorted_or_packed_order_frees_its_slot_and_voids_its_cartons(
    bench: Database,
) -> None:
    sam = add_packer(bench)
    view = _fill(
        bench, sam, "#1003", _do(bench, lambda s: start_packing(s, sam, scanned("#1003"))).view
    )
    assert view.open_carton is not None
    _do(bench, lambda s: close_carton(s, sam, "#1003", view.open_carton.expected_weight_g))
    with unit_of_work(bench.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1003", "customer called")
    with bench.sessions() as session:
        assert session.scalars(select(Carton.status)).all() == ["VOID"]
        detail = session.scalars(
            select(OrderEvent.detail).where(OrderEvent.kind == "cancelled")
        ).one()
    assert "1 labelled carton(s) to open again" in detail


def test_a_product_on_two_lines_takes_the_line_of_its_lot_and_a_case_fills_both(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        save_boxes(session, SUPERVISOR, DEMO_BOXES)
        mug = session.scalars(select(Product).where(Product.sku == "MUG-BLUE")).one()
        session.add(ProductBarcode(product_id=mug.id, code="MUG-9003", pack_quantity=3))
    # Tea comes from two lots (5 of L1 first to expire, then L2); mugs on two lines.
    orders = {"#1201": [("TEA-EARL", 5), ("TEA-EARL", 2), ("MUG-BLUE", 2), ("MUG-BLUE", 2)]}
    picked(db, tmp_path, orders, {}, "OP-1300")
    sam = add_packer(db)
    view = _do(db, lambda s: start_packing(s, sam, scanned("#1201"))).view
    tea = [li for li in view.lines if li.sku == "TEA-EARL"]
    assert [li.lots for li in tea] == [("L1",), ("L2",)]
    lot2 = f"]C101{'0' + GTIN['TEA-EARL']}10L2"
    taken = _do(db, lambda s: pack_item(s, sam, "#1201", scanned(lot2))).view
    second = next(li for li in taken.lines if li.line_id == tea[1].line_id)
    assert second.packed == 1  # the unit of lot L2 went to the line picked from L2
    case = _do(db, lambda s: pack_item(s, sam, "#1201", scanned("MUG-9003")))
    assert case.message == "MUG-BLUE  3 of 4"
    mugs = [li for li in case.view.lines if li.sku == "MUG-BLUE"]
    assert sorted(li.packed for li in mugs) == [1, 2]  # one case of 3 over both lines
    with db.sessions() as session:
        assert current_order(session, sam) == case.view


def test_a_packer_has_one_order_on_the_bench_and_a_shift_change_takes_it_over(
    bench: Database,
) -> None:
    sam = add_packer(bench)
    _do(bench, lambda s: start_packing(s, sam, scanned("#1001")))
    with pytest.raises(WrongState, match="Order #1001 is still on your bench"):
        _do(bench, lambda s: start_packing(s, sam, scanned("#1002")))
    kim = add_packer(bench, "OP-3200", "Kim")
    with pytest.raises(NotAllowed, match="a supervisor can take it over"):
        _do(bench, lambda s: start_packing(s, kim, scanned("#1001")))
    # The next shift at the same bench finds the order's items there and takes it over.
    lou = replace(add_packer(bench, "OP-3300", "Lou"), station=sam.station)
    taken = _do(bench, lambda s: start_packing(s, lou, scanned("#1001")))
    assert taken.message.startswith("Order #1001 resumed")
    with pytest.raises(NotAllowed, match="being packed by Lou"):
        _do(bench, lambda s: pack_item(s, sam, "#1001", scanned(GTIN["MUG-BLUE"])))


def test_an_item_no_box_takes_ships_in_its_own_packaging(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        save_boxes(session, SUPERVISOR, DEMO_BOXES)
        session.add(
            Product(
                sku="RUG-1",
                name="Rolled rug",
                weight_g=9000,
                length_mm=2000,
                width_mm=300,
                height_mm=300,
            )
        )
        session.flush()
        rug = session.scalars(select(Product).where(Product.sku == "RUG-1")).one()
        session.add(ProductBarcode(product_id=rug.id, code="RUG-9001"))
        location = session.scalars(select(Location).where(Location.code == "A02-03-1")).one()
        session.add(Stock(location_id=location.id, product_id=rug.id, quantity=2, lot=""))
    GTIN.setdefault("RUG-1", "RUG-9001")
    picked(db, tmp_path, {"#1301": [("RUG-1", 1)]}, {}, "OP-1400")
    sam = add_packer(db)
    view = _do(db, lambda s: start_packing(s, sam, scanned("#1301"))).view
    assert [(p.box, p.box_name) for p in view.plan] == [(None, "no box fits")]
    view = _do(db, lambda s: pack_item(s, sam, "#1301", scanned("RUG-9001"))).view
    assert view.open_carton is not None and view.open_carton.box is None
    closed = _do(db, lambda s: close_carton(s, sam, "#1301", 9000))
    assert closed.result == "done" and closed.view.cartons[0].box is None


def test_a_void_carton_prints_nothing(bench: Database) -> None:
    sam = add_packer(bench)
    view = _fill(
        bench, sam, "#1003", _do(bench, lambda s: start_packing(s, sam, scanned("#1003"))).view
    )
    assert view.open_carton is not None
    closed = _do(bench, lambda s: close_carton(s, sam, "#1003", view.open_carton.expected_weight_g))
    with unit_of_work(bench.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1003", "customer called")
    assert closed.closed_carton is not None
    with pytest.raises(WrongState, match="That carton is void"), bench.sessions() as session:
        carton_documents(session, closed.closed_carton)

"""The put wall on both databases: a batch sorted into slots, refusals, complete slots, shorts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.putwall_models import SortPut
from app.domain.formats.masterdata_rows import ProductRow
from app.domain.gtin import with_check_digit
from app.domain.roles import Role
from app.domain.scanning.classify import Scan
from app.services.actor import Actor
from app.services.errors import BatonError, NotAllowed
from app.services.floor.journal import Stage
from app.services.intake.receiving import import_orders
from app.services.masterdata.imports import load_master_data
from app.services.picking.scans import claim_next
from app.services.picking.waves import release_wave
from app.services.sorting.put_wall import (
    AlreadyPut,
    SortOutcome,
    WallStatus,
    WallView,
    WrongPut,
    add_wall,
    put,
    release_slot,
    return_extra,
    start_batch,
    target_for,
    wall_view,
    walls_status,
)
from tests.services.floor import SUPERVISOR, load_floor, stock_levels, write_orders
from tests.services.journey import (
    GTIN,
    add_picker,
    add_sorter,
    journal,
    journaled_scan,
    order_status,
    run_together,
    scanned,
    sort_one,
    walk,
)


def _picked_batch(
    db: Database, tmp_path: Path, orders: dict[str, list[tuple[str, int]]], tote: str
) -> None:
    """Orders received, released pick-then-sort, and picked into one shared tote."""
    import_orders(db.sessions, SUPERVISOR, write_orders(tmp_path / f"{tote}.csv", orders), "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR, mode="pick_then_sort")
    picker = add_picker(db, f"OP-1{tote[-3:]}", f"Picker {tote}")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, picker).code
    totes: dict[str, str] = {}
    for number in orders:
        totes[number] = tote
    walk(db, picker, code, totes)


def _view(db: Database, wall: str = "W1") -> WallView:
    with db.sessions() as session:
        return wall_view(session, wall)


@pytest.fixture
def batch(db: Database, tmp_path: Path) -> Database:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        add_wall(session, SUPERVISOR, "W1", 2, 3)
    _picked_batch(
        db,
        tmp_path,
        {
            "#1": [("MUG-BLUE", 2), ("TEA-EARL", 1)],
            "#2": [("MUG-BLUE", 1)],
            "#3": [("SOCK-ZOE", 1)],
        },
        "T0500",
    )
    return db


def test_a_batch_is_sorted_into_slots_and_complete_slots_go_to_packing(batch: Database) -> None:
    aiko = add_sorter(batch)
    with unit_of_work(batch.sessions) as session:
        started = start_batch(session, aiko, "W1", "T0500")
    assert started.result == "ok" and "3 order(s) on wall W1" in started.message
    assigned = {s.order: s.code for s in started.wall.slots if s.order}
    assert set(assigned) == {"#1", "#2", "#3"}
    for sku in ("MUG-BLUE", "MUG-BLUE", "MUG-BLUE", "TEA-EARL", "SOCK-ZOE"):
        sort_one(batch, aiko, sku)
    view = _view(batch)
    done = {s.order: (s.status, s.placed, s.expected) for s in view.slots if s.order}
    assert done == {"#1": ("COMPLETE", 3, 3), "#2": ("COMPLETE", 1, 1), "#3": ("COMPLETE", 1, 1)}
    assert {order_status(batch, n) for n in ("#1", "#2", "#3")} == {"SORTED"}
    (status,) = [w for w in walls_status_of(batch) if w.code == "W1"]
    assert (status.complete, status.free) == (3, 3) and status.oldest_complete is not None
    packer = Actor(operator_id=None, name="Kim", role=Role.PACKER, station="bench")
    with unit_of_work(batch.sessions) as session:
        assert release_slot(session, packer, assigned["#2"]) == f"Slot {assigned['#2']} is free."
    freed = _view(batch).slot(assigned["#2"])
    assert freed is not None and freed.status == "FREE" and freed.order is None


def walls_status_of(db: Database) -> list[WallStatus]:
    with db.sessions() as session:
        return walls_status(session)


def test_the_most_urgent_order_gets_the_item_first(batch: Database) -> None:
    aiko = add_sorter(batch)
    with unit_of_work(batch.sessions) as session:
        start_batch(session, aiko, "W1", "T0500")
    with unit_of_work(batch.sessions) as session:
        shown = target_for(session, aiko, "W1", scanned(GTIN["MUG-BLUE"]))
    assert shown.target is not None and shown.target.order == "#1"  # same cutoff: lower id


def test_refusals_record_nothing(batch: Database) -> None:
    aiko = add_sorter(batch)
    with (
        pytest.raises(WrongPut, match="holds no picked batch"),
        unit_of_work(batch.sessions) as session,
    ):
        start_batch(session, aiko, "W1", "T0999")
    with unit_of_work(batch.sessions) as session:
        start_batch(session, aiko, "W1", "T0500")
    with unit_of_work(batch.sessions) as session:
        add_wall(session, SUPERVISOR, "W2", 1, 1)
    with (
        pytest.raises(WrongPut, match="being sorted on wall W1"),
        unit_of_work(batch.sessions) as session,
    ):
        start_batch(session, aiko, "W2", "T0500")
    before = _view(batch)
    with unit_of_work(batch.sessions) as session:
        shown = target_for(session, aiko, "W1", scanned(GTIN["SOCK-ZOE"]))
    assert shown.target is not None
    wrong = next(s.code for s in before.slots if s.code != shown.target.slot)
    with (
        pytest.raises(WrongPut, match=f"Wrong slot {wrong}"),
        unit_of_work(batch.sessions) as session,
    ):
        put(session, aiko, "W1", scanned(GTIN["SOCK-ZOE"]), scanned(wrong))
    cup = with_check_digit("761234099999")
    load_master_data(
        batch.sessions, SUPERVISOR, products=[ProductRow("CUP-0001", "Cup", (cup,), 90, 90, 90, 90)]
    )
    with (
        pytest.raises(WrongPut, match="CUP-0001 is not in a batch on wall W1"),
        unit_of_work(batch.sessions) as session,
    ):
        target_for(session, aiko, "W1", scanned(cup))
    with pytest.raises(WrongPut, match="another wall"), unit_of_work(batch.sessions) as session:
        put(session, aiko, "W1", scanned(GTIN["SOCK-ZOE"]), scanned("W2-A1"))
    assert _view(batch) == before
    picker = Actor(operator_id=None, name="Pat", role=Role.PICKER, station="cart")
    with pytest.raises(NotAllowed), unit_of_work(batch.sessions) as session:
        start_batch(session, picker, "W1", "T0500")


def test_an_extra_unit_is_refused_as_over_pick_and_goes_back_to_stock(batch: Database) -> None:
    aiko = add_sorter(batch)
    with unit_of_work(batch.sessions) as session:
        start_batch(session, aiko, "W1", "T0500")
    sort_one(batch, aiko, "SOCK-ZOE")
    with pytest.raises(WrongPut, match="Over-pick"), unit_of_work(batch.sessions) as session:
        target_for(session, aiko, "W1", scanned(GTIN["SOCK-ZOE"]))
    before = sum(q for q, _ in stock_levels(batch).values())
    with unit_of_work(batch.sessions) as session:
        said = return_extra(session, aiko, scanned(GTIN["SOCK-ZOE"]), scanned("A02-02-1"))
    assert "back to stock at A02-02-1" in said
    assert sum(q for q, _ in stock_levels(batch).values()) == before + 1


def test_a_small_wall_fills_what_fits_and_the_rest_waits(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        add_wall(session, SUPERVISOR, "W1", 1, 2)
    _picked_batch(
        db,
        tmp_path,
        {"#1": [("MUG-BLUE", 1)], "#2": [("MUG-BLUE", 1)], "#3": [("SOCK-ZOE", 1)]},
        "T0500",
    )
    aiko = add_sorter(db)
    with unit_of_work(db.sessions) as session:
        started = start_batch(session, aiko, "W1", "T0500")
    assert started.result == "attention" and "1 wait for a free slot" in started.message
    assert started.wall.waiting == ("#3",)
    for sku in ("MUG-BLUE", "MUG-BLUE"):
        sort_one(db, aiko, sku)
    packer = Actor(operator_id=None, name="Kim", role=Role.PACKER, station="bench")
    with unit_of_work(db.sessions) as session:
        release_slot(session, packer, "W1-A1")
    with unit_of_work(db.sessions) as session:  # the tote again: the waiting order takes the slot
        again = start_batch(session, aiko, "W1", "T0500")
    assert "1 order(s) on wall W1" in again.message and again.wall.waiting == ()


def test_two_sorters_on_two_walls_at_once(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        add_wall(session, SUPERVISOR, "W1", 2, 2)
        add_wall(session, SUPERVISOR, "W2", 2, 2)
    _picked_batch(db, tmp_path, {"#1": [("MUG-BLUE", 1)], "#2": [("TEA-EARL", 1)]}, "T0500")
    _picked_batch(db, tmp_path, {"#3": [("MUG-BLUE", 1)], "#4": [("SOCK-ZOE", 1)]}, "T0600")
    aiko, noah = add_sorter(db, "OP-3333", "Aiko"), add_sorter(db, "OP-4444", "Noah")

    def sort(actor: Actor, wall: str, tote: str, skus: tuple[str, ...]) -> None:
        with unit_of_work(db.sessions) as session:
            start_batch(session, actor, wall, tote)
        for sku in skus:
            sort_one(db, actor, sku, wall)

    errors = run_together(
        lambda: sort(aiko, "W1", "T0500", ("MUG-BLUE", "TEA-EARL")),
        lambda: sort(noah, "W2", "T0600", ("MUG-BLUE", "SOCK-ZOE")),
    )
    assert errors == []
    assert {order_status(db, n) for n in ("#1", "#2", "#3", "#4")} == {"SORTED"}


def test_a_wall_code_must_give_scannable_slot_labels(db: Database) -> None:
    with (
        pytest.raises(BatonError, match="do not scan as put-wall slots"),
        unit_of_work(db.sessions) as session,
    ):
        add_wall(session, SUPERVISOR, "WALL", 2, 2)


def _puts(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count(SortPut.id))) or 0


def test_two_sorters_putting_the_last_unit_into_one_slot_at_once(batch: Database) -> None:
    aiko, noah = add_sorter(batch, "OP-3333", "Aiko"), add_sorter(batch, "OP-4444", "Noah")
    with unit_of_work(batch.sessions) as session:
        start_batch(session, aiko, "W1", "T0500")
    with batch.sessions() as session:
        shown = target_for(session, aiko, "W1", scanned(GTIN["SOCK-ZOE"]))
    assert shown.target is not None
    slot = shown.target.slot

    def sort(actor: Actor) -> None:
        with unit_of_work(batch.sessions) as session:
            put(session, actor, "W1", scanned(GTIN["SOCK-ZOE"]), scanned(slot))

    errors = run_together(lambda: sort(aiko), lambda: sort(noah))
    assert len(errors) == 1 and isinstance(errors[0], AlreadyPut), errors
    assert errors[0].message == f"Already put: slot {slot} has every SOCK-ZOE it needs."
    assert _puts(batch) == 1
    done = _view(batch).slot(slot)
    assert done is not None and (done.status, done.placed, done.expected) == ("COMPLETE", 1, 1)


def test_two_totes_started_on_one_wall_at_once(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        add_wall(session, SUPERVISOR, "W1", 2, 2)
    _picked_batch(db, tmp_path, {"#1": [("MUG-BLUE", 1)], "#2": [("TEA-EARL", 1)]}, "T0500")
    _picked_batch(db, tmp_path, {"#3": [("MUG-BLUE", 1)], "#4": [("SOCK-ZOE", 1)]}, "T0600")
    aiko, noah = add_sorter(db, "OP-3333", "Aiko"), add_sorter(db, "OP-4444", "Noah")

    def start(actor: Actor, tote: str) -> None:
        with unit_of_work(db.sessions) as session:
            start_batch(session, actor, "W1", tote)

    errors = run_together(lambda: start(aiko, "T0500"), lambda: start(noah, "T0600"))
    assert errors == []
    view = _view(db)
    assert sorted(s.order for s in view.slots if s.order) == ["#1", "#2", "#3", "#4"]
    assert view.waiting == ()


def test_each_refused_sort_scan_is_journaled_with_its_kind_and_changes_nothing(
    batch: Database,
) -> None:
    aiko = add_sorter(batch)
    cup = with_check_digit("761234099999")  # a product the batch does not hold
    load_master_data(
        batch.sessions, SUPERVISOR, products=[ProductRow("CUP-0001", "Cup", (cup,), 90, 90, 90, 90)]
    )

    def sort(text: str, action: Callable[[Session, Actor, Scan], object]) -> object:
        before = (_puts(batch), _view(batch))
        answer = journaled_scan(batch, aiko, Stage.SORTING, text, action)
        if isinstance(answer, BatonError):
            assert (_puts(batch), _view(batch)) == before, text
        return answer

    def aim(s: Session, a: Actor, item: Scan) -> SortOutcome:
        return target_for(s, a, "W1", item)

    def into(slot: str) -> object:
        return sort(slot, lambda s, a, x: put(s, a, "W1", scanned(GTIN["SOCK-ZOE"]), x))

    assert isinstance(sort("T0999", lambda s, a, x: start_batch(s, a, "W1", x.code)), WrongPut)
    assert sort("T0500", lambda s, a, x: start_batch(s, a, "W1", x.code)).result == "ok"  # type: ignore[attr-defined]
    assert isinstance(sort(cup, aim), WrongPut)
    shown = sort(GTIN["SOCK-ZOE"], aim)
    assert isinstance(shown, SortOutcome) and shown.target is not None
    wrong = next(s.code for s in _view(batch).slots if s.code != shown.target.slot)
    assert isinstance(into(wrong), WrongPut)
    assert not isinstance(into(shown.target.slot), BatonError)
    assert isinstance(sort(GTIN["SOCK-ZOE"], aim), WrongPut)  # the order has its one sock
    assert [(stage, outcome, refusal) for stage, _, outcome, refusal, _ in journal(batch)] == [
        ("sorting", "refused", "wrong_tote"),
        ("sorting", "ok", None),
        ("sorting", "refused", "wrong_item"),
        ("sorting", "ok", None),
        ("sorting", "refused", "wrong_slot"),
        ("sorting", "ok", None),
        ("sorting", "refused", "over_pick"),
    ]

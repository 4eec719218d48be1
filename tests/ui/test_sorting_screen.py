"""The sorting screen driven as a sorter drives it: badge, batch tote, then item and slot scans."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db.database import Database
from app.db.engine import unit_of_work
from app.domain.demo_data import products as demo_products
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.demo.floor import walk_pick_list
from app.services.desk.orders import show_order
from app.services.masterdata.operators import add_operator
from app.services.picking.finishing import reassign
from app.services.picking.waves import release_wave
from app.services.sorting.put_wall import WallView, add_wall, wall_view
from app.ui.feedback import FeedbackLevel, Sound
from app.ui.harness import type_scan
from app.ui.main_window import MainWindow
from app.ui.replay import replay
from app.ui.screens.sorting import SortingScreen
from tests.ui.helpers import band, floor_copy

AIKO = "OP-2001"
TOTE = "T0500"
GTIN = {product.sku: product.barcodes[0] for product in demo_products()}


def _pick_to_the_end(database: Database, code: str) -> None:
    """A picker walks the batch list through the services, everything into the shared tote."""
    supervisor = Actor.command_line()
    with unit_of_work(database.sessions) as session:
        info = add_operator(session, supervisor, "OP-1901", "Pat", Role.PICKER, "1234")
        reassign(session, supervisor, code, "OP-1901")  # the demo's cart lists come first
    pat = Actor(operator_id=info.id, name="Pat", role=Role.PICKER, station="cart 9")
    walk_pick_list(database.sessions, pat, code, lambda _position: TOTE)


@pytest.fixture
def batch(database: Database) -> tuple[str, ...]:
    """Wall W1 (4 x 6) and six orders picked pick-then-sort into tote T0500; their numbers."""
    with unit_of_work(database.sessions) as session:
        # The demo's wall W1 (4 x 6) has a sorted batch waiting to be packed in its first row.
        wave = release_wave(session, Actor.command_line(), mode="pick_then_sort", max_orders=6)
    # Six orders, less any large one that is picked alone: the batch is the list for the wall.
    pick_list = next(pl for pl in wave.pick_lists if pl.mode == "pick_then_sort")
    _pick_to_the_end(database, pick_list.code)
    return pick_list.orders


def sorting(window: MainWindow) -> SortingScreen:
    screen = window.current_screen
    assert isinstance(screen, SortingScreen)
    return screen


def wall(database: Database) -> WallView:
    with database.sessions() as session:
        return wall_view(session, "W1")


def units_to_sort(database: Database, orders: tuple[str, ...]) -> list[str]:
    """Every unit in the tote, by SKU, read from the orders' lines."""
    with database.sessions() as session:
        lines = [line for n in orders for line in show_order(session, n).order.lines]
    return [line.sku for line in lines for _ in range(line.quantity)]


def aimed_slot(window: MainWindow) -> str:
    """The slot the screen asks for, as its instruction line names it."""
    match = re.fullmatch(r"➜ Scan slot (\S+)", sorting(window).next_scan.text())
    assert match, sorting(window).next_scan.text()
    return match[1]


def test_a_batch_tote_is_sorted_to_every_order_sorted(
    batch: tuple[str, ...], open_station: Callable[[], MainWindow], database: Database
) -> None:
    window = open_station()
    type_scan(window, AIKO)
    screen = sorting(window)  # a sorter lands on the sorting screen; the only wall is chosen
    assert band(window) == (FeedbackLevel.OK, "Welcome, Aiko Tanaka.")
    assert screen.walls.currentText() == "W1" and len(screen.tiles) == 24
    assert screen.next_scan.text() == "➜ Scan a batch tote"

    type_scan(window, "T0999")
    assert band(window) == (FeedbackLevel.ERROR, "Tote T0999 holds no picked batch to sort.")
    type_scan(window, TOTE)
    assert band(window) == (FeedbackLevel.OK, f"Tote {TOTE}: {len(batch)} order(s) on wall W1.")
    assert screen.next_scan.text() == "➜ Scan an item"
    on_wall = {s.code: s for s in wall(database).slots if s.order in batch}
    assert {s.order for s in on_wall.values()} == set(batch)
    assert all(
        s.status == "COMPLETE" for s in wall(database).slots if s.order not in (*batch, None)
    )
    for code, shown in on_wall.items():
        tile = screen.tiles[code]
        assert tile.order.text() == shown.order and tile.count.text() == f"0 / {shown.expected}"
        assert tile.state.text() == "waiting"

    type_scan(window, "W1-A1")
    assert band(window)[0] is FeedbackLevel.ERROR and "Scan an item first" in band(window)[1]
    skus = units_to_sort(database, batch)
    on_the_wall = units_to_sort(database, tuple(s.order for s in wall(database).slots if s.order))
    stranger = next(sku for sku in GTIN if sku not in on_the_wall)
    type_scan(window, GTIN[stranger])
    assert band(window) == (FeedbackLevel.ERROR, f"{stranger} is not in a batch on wall W1.")

    window.station.feedback.sound.enabled = True  # no audio here, but what was asked is kept
    for index, sku in enumerate(skus):
        type_scan(window, GTIN[sku])
        level, message = band(window)
        assert level is FeedbackLevel.OK and f"{sku} →" in message, message
        slot = aimed_slot(window)
        tile = screen.tiles[slot]
        assert tile.state.text() == "HERE" and "#ffd600" in tile.styleSheet()
        assert screen.arrow.text() == f"→ {tile.position.text()}"
        before = wall(database).slot(slot)
        assert before is not None
        if index == 0:  # a wrong slot is refused and records nothing; the item stays in hand
            wrong = next(code for code in on_wall if code != slot)
            type_scan(window, wrong)
            assert band(window) == (
                FeedbackLevel.ERROR,
                f"Wrong slot {wrong}: this item goes to {slot}.",
            )
            assert wall(database).slot(slot) == before and aimed_slot(window) == slot
        type_scan(window, slot)
        after = wall(database).slot(slot)
        assert after is not None and after.placed == before.placed + 1
        assert screen.tiles[slot].count.text() == f"{after.placed} / {after.expected}"
        level, message = band(window)
        if after.status == "COMPLETE":
            assert message == f"Slot {slot} complete: {after.order} to pack."
            assert window.station.feedback.sound.last_played is Sound.DONE
        else:
            assert level is FeedbackLevel.OK and message.startswith(f"In {slot}: "), message
        assert screen.arrow.text() == "W1" and screen.tiles[slot].state.text() != "HERE"

    for number in batch:
        with database.sessions() as session:
            assert show_order(session, number).order.status == "SORTED"
    for code in on_wall:
        assert screen.tiles[code].state.text() == "TO PACK"
    assert screen.next_scan.text() == "➜ Scan a batch tote"

    # One more of a sorted product: an over-pick, put back to stock at a scanned location.
    type_scan(window, GTIN[skus[0]])
    assert band(window)[0] is FeedbackLevel.ERROR and band(window)[1].startswith("Over-pick")
    assert "scan a location" in screen.next_scan.text()
    type_scan(window, "A01-01-1")
    assert band(window) == (FeedbackLevel.OK, f"1 × {skus[0]} back to stock at A01-01-1.")


def test_the_item_in_hand_is_cleared_with_f8_and_a_new_station_shows_the_same_wall(
    batch: tuple[str, ...], open_station: Callable[[], MainWindow], database: Database, qtbot: QtBot
) -> None:
    window = open_station()
    type_scan(window, AIKO)
    type_scan(window, TOTE)
    sku = units_to_sort(database, batch)[0]
    type_scan(window, GTIN[sku])
    slot = aimed_slot(window)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    screen = sorting(window)
    assert screen.arrow.text() == "W1" and screen.tiles[slot].state.text() != "HERE"
    assert screen.next_scan.text() == "➜ Scan an item"
    type_scan(window, slot)
    assert band(window)[0] is FeedbackLevel.ERROR and "Scan an item first" in band(window)[1]
    type_scan(window, GTIN[sku])
    type_scan(window, slot)
    assert band(window)[0] is not FeedbackLevel.ERROR, band(window)

    restarted = open_station()  # what the wall shows comes from the database, not the screen
    type_scan(restarted, AIKO)
    shown = {code: tile.count.text() for code, tile in sorting(window).tiles.items()}
    assert {code: t.count.text() for code, t in sorting(restarted).tiles.items()} == shown
    # 24 slots: the batch's orders, and the six the demo's sorted batch waits in to be packed.
    free = Counter(t.state.text() for t in sorting(restarted).tiles.values())["free"]
    assert free == 24 - len(batch) - 6


def test_with_two_walls_the_sorter_names_the_wall_by_scanning_a_slot(
    batch: tuple[str, ...], open_station: Callable[[], MainWindow], database: Database
) -> None:
    with unit_of_work(database.sessions) as session:
        add_wall(session, Actor.command_line(), "W2", 2, 3)
    window = open_station()
    type_scan(window, AIKO)
    screen = sorting(window)
    assert screen.walls.currentText() == "" and not screen.tiles
    type_scan(window, TOTE)
    assert band(window)[0] is FeedbackLevel.ERROR
    type_scan(window, "W2-B3")
    assert band(window) == (FeedbackLevel.OK, "Sorting into wall W2.")
    assert screen.walls.currentText() == "W2" and len(screen.tiles) == 6
    type_scan(window, TOTE)
    assert band(window) == (FeedbackLevel.OK, f"Tote {TOTE}: {len(batch)} order(s) on wall W2.")


def test_a_batch_is_sorted_by_replaying_a_scan_script(
    database: Database, batch: tuple[str, ...], tmp_path: Path
) -> None:
    """Support's view: the scans of a sorting session, replayed on the real screen."""
    from app.services.desk.orders import show_order
    from app.services.sorting.put_wall import put, start_batch, target_for, wall_view

    # Which slot each item goes to, worked out on a copy of the floor by the same services.
    with floor_copy(database, tmp_path) as copy:
        sorter = Actor(operator_id=None, name="Aiko", role=Role.SORTER, station="wall")
        script = ["# Aiko sorts the batch tote", AIKO, TOTE]
        with unit_of_work(copy.sessions) as session:
            start_batch(session, sorter, "W1", TOTE)
        with copy.sessions() as session:
            lines = [line for n in batch for line in show_order(session, n).order.lines]
        for line in lines:
            for _ in range(line.quantity):
                item = classify(GTIN[line.sku])
                assert isinstance(item, Scan)
                with unit_of_work(copy.sessions) as session:
                    target = target_for(session, sorter, "W1", item).target
                assert target is not None
                with unit_of_work(copy.sessions) as session:
                    slot = classify(target.slot)
                    assert isinstance(slot, Scan)
                    put(session, sorter, "W1", item, slot)
                script += [GTIN[line.sku], target.slot]
        with copy.sessions() as session:
            assert all(s.status == "COMPLETE" for s in wall_view(session, "W1").slots if s.order)
    path = tmp_path / "sort.scans"
    path.write_text("\n".join(script) + "\n", encoding="utf-8")

    steps = replay(path, "sorting", database.engine.url.render_as_string(hide_password=False))
    assert [s.level for s in steps if s.level not in ("ok", "prompt")] == []
    assert steps[-1].message.endswith("to pack.")
    with database.sessions() as session:
        assert {show_order(session, n).order.status for n in batch} == {"SORTED"}

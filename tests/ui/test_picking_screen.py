"""The picking screen driven as a picker drives it: badge, Enter or F5, then scans and keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Location
from app.domain.demo_data import products as demo_products
from app.services.actor import Actor
from app.services.picking.finishing import reassign
from app.services.picking.lists import list_pick_lists
from app.services.picking.waves import release_wave
from app.ui.feedback import FeedbackLevel, Sound
from app.ui.harness import type_scan
from app.ui.main_window import MainWindow
from app.ui.screens.lookup import LookupScreen
from app.ui.screens.packing.screen import PackingScreen
from app.ui.screens.picking import PickingScreen
from tests.services.journey import journal
from tests.ui.conftest import seed_demo_floor
from tests.ui.helpers import band, order_status

MARIA, JONAS = "OP-1001", "OP-1002"
GTIN = {product.sku: product.barcodes[0] for product in demo_products()}


def seed_released_floor(database: Database) -> None:
    """The demo floor with every ready order released."""
    seed_demo_floor(database)
    with unit_of_work(database.sessions) as session:
        release_wave(session, Actor.command_line("supervisor"))


@pytest.fixture(scope="session")
def seed_floor() -> Callable[[Database], None]:
    return seed_released_floor


def picking(window: MainWindow) -> PickingScreen:
    screen = window.current_screen
    assert isinstance(screen, PickingScreen)
    return screen


def on_stop(window: MainWindow) -> bool:
    screen = picking(window)
    return screen.pages.currentWidget() is screen.stop_page


def key(qtbot: QtBot, window: MainWindow, which: Qt.Key) -> None:
    window.activateWindow()
    qtbot.keyClick(window, which)


def take_list(qtbot: QtBot, window: MainWindow, badge: str = MARIA) -> str:
    """Log in by badge and take the next list with Enter; the list's code as the screen shows it."""
    type_scan(window, badge)
    key(qtbot, window, Qt.Key.Key_Return)
    assert on_stop(window), band(window)
    return picking(window).progress.text().split(" · ")[0]


def scan_what_is_asked(window: MainWindow) -> None:
    """Scan exactly what the screen asks for: the location, the product's GTIN, or a tote."""
    asked = picking(window).next_scan.text()
    if match := re.search(r"Scan the location (\S+)", asked):
        type_scan(window, match[1])
    elif match := re.search(r"Scan the product (\S+)", asked):
        type_scan(window, GTIN[match[1]])
    elif match := re.search(r"empty tote for cart position (\d+)", asked):
        type_scan(window, f"T{int(match[1]):04d}")
    elif match := re.search(r"empty tote for order #\d*(\d{3})$", asked):
        type_scan(window, f"T8{match[1]}")  # a single order's tote
    elif match := re.search(r"Scan the tote (\S+)", asked):
        type_scan(window, match[1])
    else:
        raise AssertionError(f"the screen asks for nothing scannable: {asked!r}")


def first_list(database: Database) -> dict[str, object]:
    """What the first pick list of the demo holds, read through the services (not guessed)."""
    with database.sessions() as session:
        row = list_pick_lists(session)[0]
    stops: list[tuple[str, str]] = []
    for line in row.stops:
        if not stops or stops[-1] != (line.location, line.sku):
            stops.append((line.location, line.sku))
    return {
        "stops": len(stops),
        "units": sum(line.quantity for line in row.stops),
        "planned": f"{row.planned_m:.0f} m",
        "first": stops[0][0],
        "first_sku": stops[0][1],
        "second": stops[1][0],
        "position": row.stops[0].cart_position,
        "order": row.stops[0].order,
        "orders": row.orders,
    }


def test_a_whole_list_is_walked_to_done(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    facts = first_list(database)
    type_scan(window, MARIA)
    assert band(window) == (FeedbackLevel.OK, "Welcome, Maria Lopez.")
    assert not on_stop(window) and picking(window).take_button.isVisible()
    key(qtbot, window, Qt.Key.Key_F5)
    screen = picking(window)
    assert band(window) == (FeedbackLevel.OK, f"Pick list PL-000001 taken: go to {facts['first']}.")
    assert screen.location.text() == facts["first"]
    assert screen.progress.text().startswith(
        f"PL-000001 · Stop 1 of {facts['stops']} · 0 of {facts['units']} units · {facts['planned']}"
    )
    assert screen.next_scan.text() == f"➜ Scan the location {facts['first']}"
    window.station.feedback.sound.enabled = True  # no audio here, but what was asked is kept
    for _ in range(100):
        if not on_stop(window):
            break
        scan_what_is_asked(window)
        level, message = band(window)
        assert level is FeedbackLevel.OK, message
    assert band(window) == (FeedbackLevel.OK, "Pick list PL-000001 done.")
    assert window.station.feedback.sound.last_played is Sound.DONE
    assert screen.start_headline.text() == "Pick list PL-000001 done"
    orders = facts["orders"]
    assert isinstance(orders, tuple)
    assert screen.start_detail.text().startswith(
        f"{len(orders)} orders picked, 0 short · {facts['units']} units"
    )
    assert "T0001" in screen.start_detail.text() and screen.take_button.isVisible()
    assert {order_status(database, n) for n in orders} == {"PICKED"}


def test_a_wrong_location_is_red_and_nothing_changes(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    facts = first_list(database)
    take_list(qtbot, window)
    screen = picking(window)
    before = (screen.location.text(), screen.progress.text(), screen.next_scan.text())
    type_scan(window, "A12-12-2")
    assert band(window) == (
        FeedbackLevel.ERROR,
        f"Wrong location A12-12-2: this stop is {facts['first']}.",
    )
    assert (screen.location.text(), screen.progress.text(), screen.next_scan.text()) == before
    type_scan(window, str(facts["first"]))
    level, message = band(window)
    assert level is FeedbackLevel.OK and message.startswith(f"At {facts['first']}: take ")


def test_a_wrong_location_is_journaled_as_wrong_location_and_red_at_once(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    facts = first_list(database)
    take_list(qtbot, window)  # the badge and the Take key are no scans of a stage
    assert journal(database, "picking") == []
    type_scan(window, "A12-12-2")
    # Red as soon as the scan was handled: no event loop turn, no wait for the journal.
    assert band(window) == (
        FeedbackLevel.ERROR,
        f"Wrong location A12-12-2: this stop is {facts['first']}.",
    )
    assert journal(database, "picking") == [
        ("picking", "location", "refused", "wrong_location", "A12-12-2")
    ]
    type_scan(window, str(facts["first"]))
    assert band(window)[0] is FeedbackLevel.OK
    type_scan(window, "%%NONSENSE")
    assert band(window)[0] is FeedbackLevel.ERROR
    type_scan(window, "DOCK-1")  # a door label at a pick stop: not what the step wants
    assert band(window)[0] is FeedbackLevel.ERROR
    assert journal(database, "picking")[1:] == [
        ("picking", "location", "ok", None, facts["first"]),
        ("picking", "unknown", "refused", "unknown_code", "%%NONSENSE"),
        ("picking", "door", "refused", "not_expected", "DOCK-1"),
    ]


def test_a_wrong_product_is_red(window: MainWindow, database: Database, qtbot: QtBot) -> None:
    facts = first_list(database)
    take_list(qtbot, window)
    type_scan(window, str(facts["first"]))
    screen = picking(window)
    asked = screen.next_scan.text()
    assert asked == f"➜ Scan the product {facts['first_sku']} (or key the count)"
    take = screen.take_count.text()
    other = next(sku for sku in GTIN if sku != facts["first_sku"])
    type_scan(window, GTIN[other])
    level, message = band(window)
    assert level is FeedbackLevel.ERROR
    assert message.startswith(f"Wrong product {other}: take {facts['first_sku']} ")
    assert screen.next_scan.text() == asked and screen.take_count.text() == take
    assert f"0 of {facts['units']} units" in screen.progress.text()


def test_a_keyed_count_takes_the_units(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    facts = first_list(database)
    take_list(qtbot, window)
    key(qtbot, window, Qt.Key.Key_F7)
    assert band(window) == (FeedbackLevel.ERROR, "Scan the location first, then key the count.")
    type_scan(window, str(facts["first"]))
    key(qtbot, window, Qt.Key.Key_F6)
    screen = picking(window)
    units = screen.count.value()
    assert screen.count.hasFocus() and units >= 1
    key(qtbot, window, Qt.Key.Key_F7)
    assert band(window) == (FeedbackLevel.OK, f"{units} taken")
    assert not screen.count.hasFocus()
    assert screen.next_scan.text() == f"➜ Scan an empty tote for cart position {facts['position']}"
    assert screen.take_count.text() == f"Put {units}"


def test_location_empty_reports_a_short_in_amber(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    facts = first_list(database)
    take_list(qtbot, window)
    screen = picking(window)
    qtbot.mouseClick(screen.short_button, Qt.MouseButton.LeftButton)
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Scan the location first, then report what is missing there.",
    )
    type_scan(window, str(facts["first"]))
    key(qtbot, window, Qt.Key.Key_F8)
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION
    assert f"missing at {facts['first']}; flagged for a count." in message
    assert "Stop 2 of " in screen.progress.text()  # the walk goes on
    with database.sessions() as session:
        flagged = session.scalars(
            select(Location.needs_count).where(Location.code == facts["first"])
        )
        assert flagged.one() is True
    assert order_status(database, str(facts["order"])) == "RELEASED"


def test_pause_and_resume_the_same_list_at_the_same_stop(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    facts = first_list(database)
    code = take_list(qtbot, window)
    screen = picking(window)
    for _ in range(50):  # walk the first stop, then scan the second stop's location
        if "Stop 1 of" not in screen.progress.text():
            break
        scan_what_is_asked(window)
    scan_what_is_asked(window)
    shown = (screen.location.text(), screen.next_scan.text(), screen.progress.text())
    assert shown[0] == facts["second"] and "Stop 2 of" in shown[2]
    key(qtbot, window, Qt.Key.Key_F9)
    assert not on_stop(window)
    assert screen.start_headline.text() == f"Pick list {code} paused at stop 2"
    assert band(window)[0] is FeedbackLevel.PROMPT
    type_scan(window, GTIN[str(facts["first_sku"])])
    assert band(window) == (
        FeedbackLevel.ATTENTION,
        "Take a pick list first. Press Enter or F5 to take your next pick list.",
    )
    key(qtbot, window, Qt.Key.Key_F10)  # off to look something up: F5 there takes nothing
    assert isinstance(window.current_screen, LookupScreen)
    key(qtbot, window, Qt.Key.Key_F5)
    assert isinstance(window.current_screen, LookupScreen)
    key(qtbot, window, Qt.Key.Key_F1)
    key(qtbot, window, Qt.Key.Key_F5)
    assert band(window) == (FeedbackLevel.OK, f"Pick list {code} resumed: go to {facts['second']}.")
    assert (screen.location.text(), screen.next_scan.text(), screen.progress.text()) == shown


def test_a_restarted_station_shows_the_stop_as_recorded(
    open_station: Callable[[], MainWindow], qtbot: QtBot
) -> None:
    first = open_station()
    code = take_list(qtbot, first)
    for _ in range(2):
        scan_what_is_asked(first)
    screen = picking(first)
    before = (screen.next_scan.text(), screen.take_count.text(), screen.progress.text())
    first.close()
    again = open_station()
    assert take_list(qtbot, again) == code
    screen = picking(again)
    assert (screen.next_scan.text(), screen.take_count.text(), screen.progress.text()) == before


def test_a_second_picker_gets_another_list(
    open_station: Callable[[], MainWindow], qtbot: QtBot
) -> None:
    maria, jonas = open_station(), open_station()
    type_scan(maria, MARIA)
    type_scan(jonas, JONAS)
    assert band(jonas) == (FeedbackLevel.OK, "Welcome, Jonas Weber.")
    for win in (maria, jonas):
        qtbot.mouseClick(picking(win).take_button, Qt.MouseButton.LeftButton)
    codes = [picking(win).progress.text().split(" · ")[0] for win in (maria, jonas)]
    assert codes == ["PL-000001", "PL-000002"]
    type_scan(jonas, picking(maria).location.text())
    assert band(jonas)[0] is FeedbackLevel.ERROR  # his stop is elsewhere


def test_the_stop_screen_renders_at_cart_size(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    take_list(qtbot, window)
    scan_what_is_asked(window)  # at the first stop, the product to scan next
    screen = picking(window)
    assert screen.target.isVisible() and screen.take_count.text().startswith("Take")
    image = window.grab()
    assert (image.width(), image.height()) == (1280, 800)
    assert image.save(str(tmp_path / "picking.png"))


def test_a_list_reassigned_meanwhile_refuses_the_old_pickers_scans(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    code = take_list(qtbot, window)
    with unit_of_work(database.sessions) as session:
        reassign(session, Actor.command_line("supervisor"), code, JONAS)
    type_scan(window, "A01-01-1")
    assert band(window) == (
        FeedbackLevel.ERROR,
        f"Pick list {code} is not yours any more (it was reassigned).",
    )
    assert not on_stop(window) and picking(window).take_button.isVisible()


def test_a_single_order_list_binds_an_empty_tote_and_the_bench_starts_from_it(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    with unit_of_work(database.sessions) as session:
        single = next(row for row in list_pick_lists(session, "OPEN") if row.mode == "single")
        reassign(session, Actor.command_line("supervisor"), single.code, MARIA)
    (number,) = single.orders
    assert take_list(qtbot, window) == single.code
    screen = picking(window)
    assert screen.target.text() == f"Into an empty tote · order {number}"
    for _ in range(20):  # the first stop: location, then each unit
        if "Scan the product" not in screen.next_scan.text() and "location" not in (
            screen.next_scan.text()
        ):
            break
        scan_what_is_asked(window)
    in_hand = sum(line.quantity for line in single.stops if line.location == screen.location.text())
    assert screen.next_scan.text() == f"➜ Scan an empty tote for order {number}"
    assert screen.take_count.text() == f"Put {in_hand}"

    type_scan(window, "T0951")  # the demo cart's tote, holding a picked order
    level, message = band(window)
    assert level is FeedbackLevel.ERROR
    assert re.fullmatch(
        r"Tote T0951 is in use: it holds order #\d+ of pick list PL-\d+\. Take an empty tote\.",
        message,
    )
    assert screen.next_scan.text() == f"➜ Scan an empty tote for order {number}"
    type_scan(window, "T0777")
    assert band(window) == (FeedbackLevel.OK, f"Order {number} goes in tote T0777")
    for _ in range(100):  # the rest of the walk asks for no tote
        if not on_stop(window):
            break
        assert screen.target.text() == f"Into tote T0777 · order {number}"
        assert "tote" not in screen.next_scan.text()
        scan_what_is_asked(window)
    assert band(window) == (FeedbackLevel.OK, f"Pick list {single.code} done.")
    assert screen.start_detail.text().endswith("Totes: T0777")
    assert order_status(database, number) == "PICKED"

    type_scan(window, "OP-3001")  # the packer takes over the station, at the pack bench
    bench = window.current_screen
    assert isinstance(bench, PackingScreen)
    assert f"T0777 ({number})" in bench.queue.text()
    type_scan(window, "T0777")
    assert bench.order.text() == f"Order {number}"
    assert band(window)[0] is FeedbackLevel.OK

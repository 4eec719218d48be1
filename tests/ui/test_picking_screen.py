"""The picking screen driven as a picker drives it: badge, Enter or F5, then scans and keys."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import unit_of_work
from app.domain.demo_data import warehouse
from app.services.actor import Actor
from app.services.demo import seed_demo
from app.services.orders import show_order
from app.services.pick_finish import reassign
from app.services.waves import release_wave
from app.ui.app import build_station
from app.ui.feedback import FeedbackLevel, Sound
from app.ui.harness import DEMO_NOW, type_scan
from app.ui.main_window import MainWindow
from app.ui.screens.lookup import LookupScreen
from app.ui.screens.picking import PickingScreen
from app.ui.settings import SOUND_ON, WorkstationSettings

MARIA, JONAS = "OP-1001", "OP-1002"
GTIN = {product.sku: product.barcodes[0] for product in warehouse().products}


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo floor with every ready order released, seeded once; each test works on a copy."""
    path = tmp_path_factory.mktemp("picking") / "demo.sqlite3"
    database = open_database(DatabaseChoice(f"sqlite:///{path}", embedded_default=True))
    seed_demo(database.sessions, Actor.command_line("demo"), now=DEMO_NOW)
    with unit_of_work(database.sessions) as session:
        release_wave(session, Actor.command_line("supervisor"))
    database.close()
    return path


@pytest.fixture
def database(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "floor.sqlite3"
    shutil.copy(demo_file, copy)
    db = open_database(DatabaseChoice(f"sqlite:///{copy}", embedded_default=True))
    yield db
    db.close()


@pytest.fixture
def open_station(qtbot: QtBot, database: Database, tmp_path: Path) -> Callable[[], MainWindow]:
    """Opens a station window (a cart PC) on the shared floor; call again for another cart."""

    def make() -> MainWindow:
        folder = tmp_path / f"station-{len(list(tmp_path.glob('station-*')))}"
        folder.mkdir()
        settings = WorkstationSettings(folder / "station.ini")
        settings.set(SOUND_ON, False)
        win = MainWindow(build_station(database, settings))
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        win.activateWindow()
        qtbot.waitExposed(win)
        return win

    return make


@pytest.fixture
def window(open_station: Callable[[], MainWindow]) -> MainWindow:
    return open_station()


def band(window: MainWindow) -> tuple[FeedbackLevel, str]:
    feedback = window.station.feedback.band
    return feedback.level, feedback.message


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
    elif match := re.search(r"Scan the tote (\S+)", asked):
        type_scan(window, match[1])
    else:
        raise AssertionError(f"the screen asks for nothing scannable: {asked!r}")


def status_of(database: Database, number: str) -> str:
    with database.sessions() as session:
        return show_order(session, number).order.status


def test_a_whole_list_is_walked_to_done(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, MARIA)
    assert band(window) == (FeedbackLevel.OK, "Welcome, Maria Lopez.")
    assert not on_stop(window) and picking(window).take_button.isVisible()
    key(qtbot, window, Qt.Key.Key_F5)
    screen = picking(window)
    assert band(window) == (FeedbackLevel.OK, "Pick list PL-000001 taken: go to A01-01-1.")
    assert screen.location.text() == "A01-01-1"
    assert screen.progress.text().startswith("PL-000001 · Stop 1 of 13 · 0 of 17 units · 134 m")
    assert screen.next_scan.text() == "➜ Scan the location A01-01-1"
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
    assert screen.start_detail.text().startswith("8 orders picked, 0 short · 17 units")
    assert "T0001" in screen.start_detail.text() and screen.take_button.isVisible()
    orders = ("#100001", "#100002", "#100007", "#100009", "#100015", "#100016", "#100019")
    assert {status_of(database, n) for n in (*orders, "#100020")} == {"PICKED"}


def test_a_wrong_location_is_red_and_nothing_changes(window: MainWindow, qtbot: QtBot) -> None:
    take_list(qtbot, window)
    screen = picking(window)
    before = (screen.location.text(), screen.progress.text(), screen.next_scan.text())
    type_scan(window, "A12-12-2")
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Wrong location A12-12-2: this stop is A01-01-1.",
    )
    assert (screen.location.text(), screen.progress.text(), screen.next_scan.text()) == before
    type_scan(window, "A01-01-1")
    assert band(window) == (FeedbackLevel.OK, "At A01-01-1: take 1")


def test_a_wrong_product_is_red(window: MainWindow, qtbot: QtBot) -> None:
    take_list(qtbot, window)
    type_scan(window, "A01-01-1")
    screen = picking(window)
    asked = screen.next_scan.text()
    assert asked == "➜ Scan the product MUG-0001 (or key the count)"
    type_scan(window, GTIN["TEA-0054"])
    level, message = band(window)
    assert level is FeedbackLevel.ERROR
    assert message == "Wrong product TEA-0054: take MUG-0001 Ceramic Mug 350 ml, Blue."
    assert screen.next_scan.text() == asked and screen.take_count.text() == "Take 1"
    assert "0 of 17 units" in screen.progress.text()


def test_a_keyed_count_takes_the_units(window: MainWindow, qtbot: QtBot) -> None:
    take_list(qtbot, window)
    key(qtbot, window, Qt.Key.Key_F7)
    assert band(window) == (FeedbackLevel.ERROR, "Scan the location first, then key the count.")
    type_scan(window, "A01-01-1")
    key(qtbot, window, Qt.Key.Key_F6)
    screen = picking(window)
    assert screen.count.hasFocus() and screen.count.value() == 1
    key(qtbot, window, Qt.Key.Key_F7)
    assert band(window) == (FeedbackLevel.OK, "1 taken")
    assert not screen.count.hasFocus()
    assert screen.next_scan.text() == "➜ Scan an empty tote for cart position 5"
    assert screen.take_count.text() == "Put 1"


def test_location_empty_reports_a_short_in_amber(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    take_list(qtbot, window)
    screen = picking(window)
    qtbot.mouseClick(screen.short_button, Qt.MouseButton.LeftButton)
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Scan the location first, then report what is missing there.",
    )
    type_scan(window, "A01-01-1")
    key(qtbot, window, Qt.Key.Key_F8)
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION
    assert message.startswith("1 missing at A01-01-1; flagged for a count.")
    assert "from another location, added to your walk" in message
    # The units found elsewhere are one more stop on the walk, here the very next one.
    assert screen.location.text() == "A01-11-1" and screen.sku.text() == "SKU MUG-0001"
    assert " · Stop 2 of 14 · 0 of 17 units" in screen.progress.text()
    assert status_of(database, "#100015") == "RELEASED"


def test_pause_and_resume_the_same_list_at_the_same_stop(window: MainWindow, qtbot: QtBot) -> None:
    code = take_list(qtbot, window)
    for _ in range(4):  # the first stop's location, product and tote; the next location
        scan_what_is_asked(window)
    screen = picking(window)
    shown = (screen.location.text(), screen.next_scan.text(), screen.progress.text())
    assert shown[0] == "A03-03-2" and "Stop 2 of 13 · 1 of 17 units" in shown[2]
    key(qtbot, window, Qt.Key.Key_F9)
    assert not on_stop(window)
    assert screen.start_headline.text() == f"Pick list {code} paused at stop 2"
    assert band(window)[0] is FeedbackLevel.PROMPT
    type_scan(window, GTIN["TEA-0054"])
    assert band(window) == (
        FeedbackLevel.ATTENTION,
        "Take a pick list first. Press Enter or F5 to take your next pick list.",
    )
    key(qtbot, window, Qt.Key.Key_F3)  # off to look something up: F5 there takes nothing
    assert isinstance(window.current_screen, LookupScreen)
    key(qtbot, window, Qt.Key.Key_F5)
    assert isinstance(window.current_screen, LookupScreen)
    key(qtbot, window, Qt.Key.Key_F1)
    key(qtbot, window, Qt.Key.Key_F5)
    assert band(window) == (FeedbackLevel.OK, f"Pick list {code} resumed: go to A03-03-2.")
    assert (screen.location.text(), screen.next_scan.text(), screen.progress.text()) == shown


def test_a_restarted_station_shows_the_stop_as_recorded(
    open_station: Callable[[], MainWindow], qtbot: QtBot
) -> None:
    first = open_station()
    code = take_list(qtbot, first)
    for _ in range(2):
        scan_what_is_asked(first)
    first.close()
    again = open_station()
    assert take_list(qtbot, again) == code
    screen = picking(again)
    assert screen.next_scan.text() == "➜ Scan an empty tote for cart position 5"
    assert screen.take_count.text() == "Put 1"


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
    for _ in range(7):  # two stops done, at the third (a lot-tracked tea) to scan the product
        scan_what_is_asked(window)
    screen = picking(window)
    assert screen.target.isVisible() and screen.take_count.text() == "Take 1"
    assert "lot L" in screen.sku.text()
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

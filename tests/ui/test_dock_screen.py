"""The dock screen driven as a shipper drives it: badge, door label, cartons, F5 twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.config import MANIFEST_DIR_ENV
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order
from app.db.packing_models import Carton
from app.domain.demo_data import products as demo_products
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.dispatch.doors import set_door
from app.services.masterdata.operators import badge_login
from app.services.packing.bench import close_carton, pack_item, start_packing
from app.ui.feedback import FeedbackLevel
from app.ui.harness import settle, type_scan
from app.ui.main_window import MainWindow
from app.ui.screens.dock import DockScreen
from tests.printing.conftest import rasterise, read_barcodes
from tests.services.journey import journal
from tests.ui.helpers import band, order_status

GTIN = {product.sku: product.barcodes[0] for product in demo_products()}


def _scan(text: str) -> Scan:
    scanned = classify(text)
    assert isinstance(scanned, Scan), scanned
    return scanned


@pytest.fixture
def carton(database: Database) -> tuple[str, str, str]:
    """The demo's single-order tote T0961 packed at the bench; (order, tracking, carrier), its
    carrier's truck at DOCK-1 and another carrier's at DOCK-2 (the demo's own cartons wait at
    the dock too)."""
    with unit_of_work(database.sessions) as session:
        sam = badge_login(session, "OP-3001", "bench 1")
        view = start_packing(session, sam, _scan("T0961")).view
    for line in view.lines:
        for _ in range(line.expected - line.packed):
            with unit_of_work(database.sessions) as session:
                view = pack_item(session, sam, view.order, _scan(GTIN[line.sku])).view
    assert view.open_carton is not None
    with unit_of_work(database.sessions) as session:
        close_carton(session, sam, view.order, view.open_carton.expected_weight_g)
    with database.sessions() as session:
        tracking, carrier = session.execute(
            select(Carton.tracking_number, Carton.carrier)
            .join(Order, Order.id == Carton.order_id)
            .where(Order.number == view.order)
        ).one()
    other = "UPS" if carrier != "UPS" else "DHL Express"
    with unit_of_work(database.sessions) as session:
        set_door(session, Actor.command_line(), "DOCK-1", carrier)
        set_door(session, Actor.command_line(), "DOCK-2", other)
    return view.order, tracking, carrier


def test_a_shipper_loads_a_truck_and_closes_it(
    qtbot: QtBot,
    window: MainWindow,
    database: Database,
    carton: tuple[str, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MANIFEST_DIR_ENV, str(tmp_path / "manifests"))
    order, tracking, carrier = carton
    type_scan(window, "OP-4001")
    assert isinstance(window.current_screen, DockScreen)
    screen = window.current_screen
    assert band(window)[0] is FeedbackLevel.OK
    type_scan(window, tracking)
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Scan the door label first: which truck is it for?",
    )
    type_scan(window, "DOCK-2")
    type_scan(window, tracking)
    level, message = band(window)
    assert level is FeedbackLevel.ERROR and f"This is a {carrier} carton: door DOCK-1" in message
    assert screen.loaded.count() == 0

    type_scan(window, "DOCK-1")
    assert screen.door.text() == "DOCK-1" and screen.carrier.text() == carrier
    waiting = [screen.expected.item(i).text() for i in range(screen.expected.count())]
    assert any(tracking in row for row in waiting)
    type_scan(window, tracking)
    level, message = band(window)
    assert level is FeedbackLevel.OK and message.startswith(f"Loaded {order} carton 1 of 1")
    assert screen.loaded.count() == 1 and screen.expected.count() == len(waiting) - 1
    type_scan(window, tracking)
    assert band(window) == (
        FeedbackLevel.ERROR,
        f"{tracking} is already on this truck (DOCK-1).",
    )

    # Unload: F8, then a supervisor's badge (a shipper's own is refused at once), the carton.
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F8)
    settle()
    assert band(window) == (FeedbackLevel.ATTENTION, "Unload: a supervisor scans their badge")
    type_scan(window, "OP-4001")
    assert band(window)[0] is FeedbackLevel.ERROR and "not a supervisor's" in band(window)[1]
    type_scan(window, "OP-9001")
    assert band(window)[1] == "Supervisor's badge taken: scan the carton to unload."
    type_scan(window, tracking)
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION and message.endswith("it waits at the dock.")
    assert screen.loaded.count() == 0 and order_status(database, order) == "PACKED"
    type_scan(window, tracking)  # unloading is over: the next carton scanned loads again
    assert band(window)[1].startswith(f"Loaded {order} carton 1 of 1")

    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F5)
    settle()
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION and "Press F5 again to close" in message
    assert order_status(database, order) == "PACKED"
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F5)
    settle()
    assert order_status(database, order) == "SHIPPED"
    assert screen.loaded.count() == 0
    qtbot.waitUntil(lambda: band(window)[1].startswith("Manifest printed"), timeout=20_000)
    (pdf,) = (tmp_path / "manifests").glob("MF-*.pdf")
    codes = {r.text for page in rasterise(pdf, 300) for r in read_barcodes(page)}
    assert codes == {pdf.stem, tracking}
    assert (tmp_path / "manifests" / f"{pdf.stem}.csv").exists()
    printed = lambda: sorted((tmp_path / "pdf").glob("*manifest*.pdf"))  # noqa: E731
    assert len(printed()) == 1
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F9)
    settle()
    qtbot.waitUntil(lambda: len(printed()) == 2, timeout=20_000)
    qtbot.waitUntil(lambda: band(window)[1].startswith("Manifest printed"), timeout=20_000)


def test_a_carton_before_the_door_is_journaled_as_not_expected(
    window: MainWindow, database: Database
) -> None:
    type_scan(window, "OP-4001")
    type_scan(window, "00340123450000000017")
    assert band(window)[0] is FeedbackLevel.ERROR
    assert journal(database, "dispatch") == [
        ("dispatch", "carton", "refused", "not_expected", "340123450000000017")
    ]

"""The desk's dialog for a line without a SKU, driven with real clicks and key events."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.db.database import Database
from app.services.actor import Actor
from app.services.desk.orders import show_order
from app.services.intake.aliases import list_aliases
from app.services.intake.receiving import import_orders
from app.ui.feedback import FeedbackLevel
from app.ui.harness import type_scan
from app.ui.main_window import MainWindow
from app.ui.map_line_dialog import MapLineDialog
from app.ui.screens.order_desk import OrderDeskScreen
from tests.ui.helpers import band, order_status

SUPERVISOR = "OP-9001"
NUMBER = "#900010"


def _receive_order_with_a_custom_item(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_number,sku,quantity,name,requires_shipping,ship_name,ship_address1,ship_city,"
        "ship_postal_code,ship_country\n"
        f"{NUMBER},,1,Hand-made clay bowl,,Ann Lee,Main St 1,Bern,3011,CH\n"
        f"{NUMBER},MUG-0001,1,Ceramic Mug,,,,,,\n"
        f"{NUMBER},,1,Gift wrapping,false,,,,,\n",
        encoding="utf-8",
    )
    summary = import_orders(database.sessions, Actor.command_line("shop"), path, "csv")
    (verdict,) = summary.received
    assert verdict.reasons == ("line 1 'Hand-made clay bowl' has no SKU",)


def _type(qtbot: QtBot, dialog: MapLineDialog, text: str) -> None:
    qtbot.keyClicks(dialog.code, text)
    qtbot.waitUntil(lambda: dialog.code.text() == text, timeout=2000)


def test_map_a_line_from_the_hold_then_remember_it(
    window: MainWindow, database: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    _receive_order_with_a_custom_item(database, tmp_path)
    type_scan(window, SUPERVISOR)
    desk = window.current_screen
    assert isinstance(desk, OrderDeskScreen)
    type_scan(window, "#100001")  # an order with every SKU: nothing to map
    assert not desk.map_button.isVisible()
    desk.refresh()
    type_scan(window, NUMBER)  # scanning the held order selects it
    assert desk.selected == NUMBER and desk.map_button.isVisible()

    qtbot.mouseClick(desk.map_button, Qt.MouseButton.LeftButton)
    dialog = desk.dialog
    assert isinstance(dialog, MapLineDialog)
    qtbot.waitExposed(dialog)
    assert dialog.line.count() == 1  # the gift wrapping ships nothing: nothing to map
    assert dialog.line.currentText() == "line 1 · Hand-made clay bowl × 1"
    assert not dialog.map_button.isEnabled()  # nothing typed yet

    # A code no product has: refused in red, the dialog stays for the next scan.
    _type(qtbot, dialog, "NO-SUCH-1")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert band(window) == (
        FeedbackLevel.ERROR,
        "No product has the SKU or barcode 'NO-SUCH-1'; nothing changed.",
    )
    assert dialog.isVisible() and dialog.code.selectedText() == "NO-SUCH-1"
    assert order_status(database, NUMBER) == "ON_HOLD"

    # The product's barcode typed over the refused code, remembered, Enter.
    _type(qtbot, dialog, "7612340000010")
    click_at = QPoint(8, dialog.remember.height() // 2)  # on the box, not past its words
    qtbot.mouseClick(dialog.remember, Qt.MouseButton.LeftButton, pos=click_at)
    assert dialog.remember.isChecked()
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.dialog is None, timeout=2000)

    assert band(window) == (
        FeedbackLevel.OK,
        f"Line 1 is MUG-0001, remembered for later imports; {NUMBER} is ready.",
    )
    assert order_status(database, NUMBER) == "READY"
    assert not desk.map_button.isVisible()
    assert desk.detail.found is not None and desk.detail.found.state == "READY"
    with database.sessions() as session:
        detail = show_order(session, NUMBER)
        aliases = [(a.name, a.sku, a.created_by) for a in list_aliases(session)]
    mapped = detail.timeline[-2]
    assert (mapped.kind, mapped.operator) == ("line_mapped", "Alex Morgan")
    assert mapped.station and mapped.detail.startswith("line 1 'Hand-made clay bowl' mapped")
    assert aliases == [("Hand-made clay bowl", "MUG-0001", "Alex Morgan")]


def test_alt_m_opens_the_dialog_and_escape_changes_nothing(
    window: MainWindow, database: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    _receive_order_with_a_custom_item(database, tmp_path)
    type_scan(window, SUPERVISOR)
    desk = window.current_screen
    assert isinstance(desk, OrderDeskScreen)
    desk.refresh()
    type_scan(window, NUMBER)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: desk.dialog is not None, timeout=2000)  # a button's shortcut
    dialog = desk.dialog  # clicks it after a short flash
    assert isinstance(dialog, MapLineDialog)
    _type(qtbot, dialog, "MUG-0001")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: desk.dialog is None, timeout=2000)
    assert order_status(database, NUMBER) == "ON_HOLD"
    assert desk.map_button.isVisible()


def test_the_dialog_is_rendered_over_the_desk(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from app.ui.screenshot import SCREENS, render

    assert "order-desk-map-line" in SCREENS
    desk_only = QImage(str(render("order-desk", tmp_path / "desk.png", (1280, 800))))
    with_dialog = QImage(str(render("order-desk-map-line", tmp_path / "map.png", (1280, 800))))
    assert (with_dialog.width(), with_dialog.height()) == (1280, 800)
    # The dialog is drawn over the middle of the window: a row through it differs from the desk.
    row = [(x, 400) for x in range(300, 980)]
    differ = sum(with_dialog.pixelColor(*p) != desk_only.pixelColor(*p) for p in row)
    assert differ > len(row) // 4

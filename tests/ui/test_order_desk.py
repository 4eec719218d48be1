"""The order desk's dialogs driven as a supervisor drives them: clicks, typed text, Enter, Esc.

The ship-to address dialog corrects a held order's address and the order is verified again;
the cancel dialog asks why and confirms; refusals say why in the band and change nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order
from app.domain.formats.carrier_events import CarrierEvent
from app.domain.tracking import TrackingStatus
from app.services.demo.floor import carrier_news, ship_door
from app.services.desk.orders import OrderDetail, show_order
from app.services.masterdata.operators import badge_login
from app.services.tracking.events import record_events
from app.ui.address_dialog import AddressDialog
from app.ui.cancel_dialog import CancelOrderDialog
from app.ui.feedback import FeedbackLevel
from app.ui.harness import type_scan
from app.ui.main_window import MainWindow
from app.ui.screens.order_desk import ATTENTION_QUEUE, OrderDeskScreen
from tests.ui.helpers import band, order_status

SUPERVISOR = "OP-9001"
BAD_POSTCODE = "#100108"  # held: postal code '8033' does not look like a DE postal code
BAD_COUNTRY = "#100083"  # held: ship-to country 'XX'
READY = "#100006"


def _desk(window: MainWindow, number: str) -> OrderDeskScreen:
    """The supervisor's desk with `number` scanned (which selects it)."""
    type_scan(window, SUPERVISOR)
    desk = window.current_screen
    assert isinstance(desk, OrderDeskScreen)
    type_scan(window, number)
    assert desk.selected == number
    return desk


def _detail(database: Database, number: str) -> OrderDetail:
    with database.sessions() as session:
        return show_order(session, number)


def _listed_status(desk: OrderDeskScreen, number: str) -> str | None:
    """The Status cell of the order's row in the desk's list, None when it is not listed."""
    row = desk.model.row_of(number)
    if row < 0:
        return None
    return desk.model.index(row, 1).data(Qt.ItemDataRole.DisplayRole)


def _click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _open(qtbot: QtBot, desk: OrderDeskScreen, button: QWidget) -> QDialog | None:
    """Click the desk's button; the window-modal dialog it opens."""
    _click(qtbot, button)
    qtbot.waitUntil(lambda: desk.dialog is not None and desk.dialog.isVisible(), timeout=2000)
    assert QApplication.activeModalWidget() is desk.dialog
    return desk.dialog


def _retype(qtbot: QtBot, edit: QWidget, text: str) -> None:
    """Select what the field holds and type over it, as a person does."""
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


def _closed(qtbot: QtBot, desk: OrderDeskScreen) -> None:
    qtbot.waitUntil(lambda: desk.dialog is None, timeout=2000)
    assert QApplication.activeModalWidget() is None


# -- the ship-to address ---------------------------------------------------------------------
def test_a_corrected_postal_code_verifies_the_held_order_again(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    desk = _desk(window, BAD_POSTCODE)
    _click(qtbot, desk.filter_buttons.button(1))  # the hold queue
    assert _listed_status(desk, BAD_POSTCODE) == "On Hold"
    assert desk.fix_button.isEnabled()

    dialog = _open(qtbot, desk, desk.fix_button)
    assert isinstance(dialog, AddressDialog)
    assert dialog.windowTitle() == f"Ship-to address of order {BAD_POSTCODE}"
    shown = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("does not look like a DE postal code" in text for text in shown)
    assert dialog.edits["postal_code"].text() == "8033"
    assert dialog.edits["city"].text() == "München"

    _retype(qtbot, dialog.edits["postal_code"], "80331")
    assert dialog.edits["postal_code"].text() == "80331"
    _click(qtbot, dialog.save_button)
    _closed(qtbot, desk)

    assert band(window) == (FeedbackLevel.OK, f"{BAD_POSTCODE} is ready.")
    detail = _detail(database, BAD_POSTCODE)
    assert detail.order.status == "READY" and detail.order.hold_reasons == ()
    assert detail.ship_to["postal_code"] == "80331"
    fixed = [e for e in detail.timeline if e.kind == "address_fixed"]
    assert len(fixed) == 1 and "postal_code: '8033' -> '80331'" in fixed[0].detail
    # The desk shows it: out of the hold queue, ready in the detail and in the open list.
    assert desk.detail.found is not None and desk.detail.found.state == "READY"
    assert not desk.detail.alerts.isVisibleTo(desk)
    assert _listed_status(desk, BAD_POSTCODE) is None
    _click(qtbot, desk.filter_buttons.button(0))  # Open
    assert _listed_status(desk, BAD_POSTCODE) == "Ready"


def test_an_unchanged_address_is_refused_and_the_dialog_stays(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    desk = _desk(window, BAD_COUNTRY)
    before = _detail(database, BAD_COUNTRY)
    dialog = _open(qtbot, desk, desk.fix_button)
    assert isinstance(dialog, AddressDialog)

    _click(qtbot, dialog.save_button)  # nothing typed
    assert band(window) == (FeedbackLevel.ERROR, "The address is unchanged.")
    assert dialog.isVisible() and desk.dialog is dialog
    assert _detail(database, BAD_COUNTRY) == before

    # Lower case is what a person types; the country is saved as its ISO code.
    _retype(qtbot, dialog.edits["country"], "fr")
    _click(qtbot, dialog.save_button)
    _closed(qtbot, desk)
    assert band(window) == (FeedbackLevel.OK, f"{BAD_COUNTRY} is ready.")
    assert order_status(database, BAD_COUNTRY) == "READY"
    assert _detail(database, BAD_COUNTRY).ship_to["country"] == "FR"


def test_escape_leaves_the_address_as_it_was(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    desk = _desk(window, BAD_POSTCODE)
    before = _detail(database, BAD_POSTCODE)
    dialog = _open(qtbot, desk, desk.fix_button)
    assert isinstance(dialog, AddressDialog)
    _retype(qtbot, dialog.edits["postal_code"], "80331")
    qtbot.keyClick(dialog.edits["postal_code"], Qt.Key.Key_Escape)
    _closed(qtbot, desk)
    assert _detail(database, BAD_POSTCODE) == before
    assert desk.detail.found is not None and desk.detail.found.state == "ON_HOLD"


# -- cancelling ------------------------------------------------------------------------------
def test_cancel_needs_a_reason_then_confirms_and_gives_the_stock_back(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    desk = _desk(window, READY)
    before = _detail(database, READY)
    promised = sum(a.quantity for line in before.order.lines for a in line.allocated)
    assert promised > 0
    dialog = _open(qtbot, desk, desk.cancel_button)
    assert isinstance(dialog, CancelOrderDialog)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"Cancel order {READY}?" in shown and "The order is ready." in shown

    # Enter with no reason: refused, the dialog stays for the reason, nothing changed.
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert band(window) == (
        FeedbackLevel.ATTENTION,
        "A cancellation needs a reason; nothing changed.",
    )
    assert dialog.isVisible() and desk.dialog is dialog
    assert _detail(database, READY) == before

    qtbot.keyClicks(dialog.reason, "   ")  # blanks are no reason either
    _click(qtbot, dialog.cancel_order_button)
    assert band(window)[0] is FeedbackLevel.ATTENTION and dialog.isVisible()
    assert _detail(database, READY) == before

    qtbot.keyClicks(dialog.reason, "customer asked by phone")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    _closed(qtbot, desk)
    assert band(window) == (
        FeedbackLevel.OK,
        f"Order {READY} cancelled; {promised} units back to stock.",
    )
    after = _detail(database, READY)
    assert after.order.status == "CANCELLED"
    assert all(not line.allocated for line in after.order.lines)
    assert after.timeline[-1].kind == "cancelled"
    assert after.timeline[-1].detail == "customer asked by phone"
    assert desk.detail.found is not None and desk.detail.found.state == "CANCELLED"
    assert not desk.cancel_button.isEnabled()


def test_keep_order_changes_nothing(window: MainWindow, database: Database, qtbot: QtBot) -> None:
    desk = _desk(window, READY)
    before = _detail(database, READY)
    dialog = _open(qtbot, desk, desk.cancel_button)
    assert isinstance(dialog, CancelOrderDialog)
    qtbot.keyClicks(dialog.reason, "changed my mind")
    _click(qtbot, dialog.keep_button)
    _closed(qtbot, desk)
    assert _detail(database, READY) == before
    assert desk.cancel_button.isEnabled()


def test_an_order_shipped_meanwhile_is_not_cancelled(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    desk = _desk(window, READY)
    dialog = _open(qtbot, desk, desk.cancel_button)
    assert isinstance(dialog, CancelOrderDialog)
    # Meanwhile the order left on a truck (set directly: the demo floor has shipped nothing).
    with unit_of_work(database.sessions) as session:
        session.execute(update(Order).where(Order.number == READY).values(status="SHIPPED"))
    before = _detail(database, READY)

    qtbot.keyClicks(dialog.reason, "customer asked")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert band(window) == (
        FeedbackLevel.ERROR,
        f"Order {READY} is SHIPPED; it can no longer be cancelled.",
    )
    assert _detail(database, READY) == before
    _click(qtbot, dialog.keep_button)
    _closed(qtbot, desk)
    desk.show_order(READY)  # shown again: a shipped order offers no cancel
    assert desk.detail.found is not None and desk.detail.found.state == "SHIPPED"
    assert not desk.cancel_button.isEnabled()
    assert not desk.fix_button.isEnabled()


def test_alt_c_opens_the_cancel_dialog_and_escape_keeps_the_order(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    desk = _desk(window, READY)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(desk.dialog, CancelOrderDialog), timeout=2000)
    dialog = desk.dialog
    assert isinstance(dialog, CancelOrderDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.reason, "typo")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    _closed(qtbot, desk)
    assert order_status(database, READY) == "READY"


def test_the_queue_of_shipped_orders_needing_attention(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    """DOCK-1's cartons shipped, the carrier's news imported: the delayed and the undelivered
    orders are in the queue, shown with what the carrier said; delivered, an order leaves it."""
    factory = database.sessions
    with unit_of_work(factory) as session:
        shipper = badge_login(session, "OP-4001", "dock")
    cartons = ship_door(factory, shipper, "DOCK-1")
    news = carrier_news(factory, shipper, cartons)
    assert len(news.orders_attention) == 2 and news.rejected == []
    type_scan(window, SUPERVISOR)
    desk = window.current_screen
    assert isinstance(desk, OrderDeskScreen)
    queue = desk.filter_buttons.button(ATTENTION_QUEUE)
    assert queue.text() == "Carrier issues (2)"
    _click(qtbot, queue)
    listed = [desk.model.row_at(i) for i in range(desk.model.rowCount())]
    assert sorted(r.number for r in listed if r) == sorted(news.orders_attention)
    delayed = cartons[0]
    row = desk.model.row_of(delayed.order)
    cell = desk.table.visualRect(desk.model.index(row, 0)).center()
    qtbot.mouseClick(desk.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert desk.selected == delayed.order
    assert desk.detail.found is not None
    assert desk.detail.found.alerts == (
        f"{delayed.carrier} {delayed.tracking_number} is delayed at Hamburg: "
        "Weather conditions: a day late",
    )
    assert "Parcels" in [s.title for s in desk.detail.found.sections]

    failed = cartons[2]
    done = [CarrierEvent(1, failed.tracking_number, TrackingStatus.DELIVERED, clock.now(), "", "")]
    with unit_of_work(factory) as session:
        record_events(session, shipper, done)
    _click(qtbot, queue)
    assert queue.text() == "Carrier issues (1)"
    assert desk.model.rowCount() == 1 and desk.model.row_of(failed.order) < 0

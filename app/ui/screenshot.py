"""`baton screenshot SCREEN --out FILE.png`: any station screen rendered offscreen on demo data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy import select, update

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Order, OutboxMessage, Product
from app.db.packing_models import Carton
from app.domain.customs import EU_MEMBERS
from app.domain.demo_data import products as demo_products
from app.domain.order_drafts import AddressDraft, LineDraft, OrderDraft
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.demo.day import busy_day
from app.services.demo.floor import carrier_news, ship_door, unit_codes, walk_pick_list
from app.services.desk.order_list import DeskFilter, desk_rows
from app.services.desk.orders import show_order
from app.services.dispatch.loading import dock_view
from app.services.intake.receiving import receive_orders
from app.services.masterdata.operators import add_operator, badge_login
from app.services.picking.finishing import reassign
from app.services.picking.waves import release_wave
from app.services.sorting.put_wall import wall_view
from app.ui.harness import Harness, demo_station, settle
from app.ui.screens.base import Screen
from app.ui.screens.order_desk import ATTENTION_QUEUE

SUPERVISOR_BADGE = "OP-9001"
PICKER_BADGE = "OP-1001"
SORTER_BADGE = "OP-2001"
SHIPPER_BADGE = "OP-4001"


def _screen(harness: Harness, title: str) -> Screen:
    """The window's screen with `title` (their order in the window may change)."""
    return next(s for s in harness.window.screens if s.title == title)


def _login(harness: Harness) -> None:
    harness.window.log_out()
    settle()


def _order_desk(harness: Harness) -> None:
    harness.scan(SUPERVISOR_BADGE)
    desk = _screen(harness, "Order desk")
    harness.window.show_screen(desk)
    desk.filter_buttons.button(1).click()  # type: ignore[attr-defined]  # the hold queue
    settle()
    desk.table.selectRow(0)  # type: ignore[attr-defined]
    settle()


def ship_and_track(harness: Harness) -> None:
    """The cartons at DOCK-1 shipped by the demo's shipper, and a day of carrier news for
    them: one delayed, one delivered, one not delivered, the rest out for delivery."""
    database = harness.database
    with unit_of_work(database.sessions) as session:
        shipper = badge_login(session, SHIPPER_BADGE, "dock")
    cartons = ship_door(database.sessions, shipper, "DOCK-1")
    carrier_news(database.sessions, shipper, cartons)


def _order_desk_attention(harness: Harness) -> None:
    """The desk's queue of shipped orders the carrier reports trouble with, first selected."""
    ship_and_track(harness)
    harness.scan(SUPERVISOR_BADGE)
    desk = _screen(harness, "Order desk")
    harness.window.show_screen(desk)
    desk.filter_buttons.button(ATTENTION_QUEUE).click()  # type: ignore[attr-defined]
    settle()
    desk.table.selectRow(0)  # type: ignore[attr-defined]
    settle()


def _lookup_tracking(harness: Harness) -> None:
    """Look-up of a shipped carton the carrier could not deliver: its tracking events."""
    ship_and_track(harness)
    with harness.database.sessions() as session:
        code = session.scalars(
            select(Carton.tracking_number)
            .where(Carton.tracking_status == "delivery_failed")
            .order_by(Carton.id)
            .limit(1)
        ).one()
    harness.scan(SUPERVISOR_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    harness.scan(code or "")


def _order_desk_map_line(harness: Harness) -> None:
    """An order whose custom item came without a SKU, its line being mapped to a product."""
    mug = demo_products()[0]
    order = OrderDraft(
        number="#100151",
        source="shopify",
        line_no=1,
        lines=(
            LineDraft("", 1, "Ceramic mug, custom glaze", Decimal("32.00")),
            LineDraft(mug.sku, 2, mug.name, Decimal("12.90")),
            LineDraft("", 1, "Gift wrapping", Decimal("3.00"), requires_shipping=False),
        ),
        ship_to=AddressDraft(
            name="Lena Vogel",
            address1="Lindenstraße 8",
            city="Berlin",
            postal_code="10115",
            country="DE",
        ),
        email="lena.vogel@example.com",
        ship_by=clock.now() + timedelta(hours=1),  # the most urgent hold: first in the queue
    )
    with unit_of_work(harness.database.sessions) as session:
        receive_orders(session, Actor.command_line("demo"), [order])
    _order_desk(harness)
    harness.scan(order.number)
    desk = _screen(harness, "Order desk")
    desk.map_button.click()  # type: ignore[attr-defined]
    settle()
    dialog = desk.dialog  # type: ignore[attr-defined]
    dialog.code.setText(mug.sku)
    dialog.remember.setChecked(True)


def _order_desk_address(harness: Harness) -> None:
    """A held order's ship-to address open for correcting: its postal code is wrong."""
    _order_desk(harness)
    harness.scan("#100108")  # the demo's DE order held for a four-digit postal code
    desk = _screen(harness, "Order desk")
    desk.fix_button.click()  # type: ignore[attr-defined]
    settle()
    desk.dialog.edits["postal_code"].setText("80331")  # type: ignore[attr-defined]


def _order_desk_cancel(harness: Harness) -> None:
    """An order about to be cancelled: the reason typed, the confirmation waiting."""
    harness.scan(SUPERVISOR_BADGE)
    desk = _screen(harness, "Order desk")
    harness.window.show_screen(desk)
    desk.filter_buttons.button(2).click()  # type: ignore[attr-defined]  # the ready orders
    settle()
    desk.table.selectRow(0)  # type: ignore[attr-defined]
    settle()
    desk.cancel_button.click()  # type: ignore[attr-defined]
    settle()
    desk.dialog.reason.setText("customer asked by phone")  # type: ignore[attr-defined]


def _order_timeline(harness: Harness) -> None:
    harness.scan(SUPERVISOR_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    # An order whose address prints in any font: screenshots need no CJK fonts installed.
    with harness.database.sessions() as session:
        ready = desk_rows(session, DeskFilter(status="READY"), 0, 50)
    number = next(row.number for row in ready if row.country in ("DE", "CH", "FR"))
    harness.scan(number)


def _prints(harness: Harness) -> None:
    harness.scan(SUPERVISOR_BADGE)
    harness.window.show_screen(_screen(harness, "Prints"))


def _picking(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)  # a picker lands on the picking screen; the demo has a wave
    picking = _screen(harness, "Picking")
    picking.take_button.click()  # type: ignore[attr-defined]
    settle()
    harness.scan(picking.location.text())  # type: ignore[attr-defined]  # at the first stop


def _picked_batch(harness: Harness, tote: str) -> list[str]:
    """A batch of the next orders picked into one batch tote for the demo's wall W1; the GTIN
    of every unit in the tote."""
    database, supervisor = harness.database, Actor.command_line("demo")
    gtin = {product.sku: product.barcodes[0] for product in demo_products()}
    with unit_of_work(database.sessions) as session:
        wave = release_wave(session, supervisor, mode="pick_then_sort", max_orders=6)
        batch = next(pl for pl in wave.pick_lists if pl.mode == "pick_then_sort")
        picker = add_operator(session, supervisor, "OP-1901", "Pat", Role.PICKER, "1234")
        reassign(session, supervisor, batch.code, picker.badge)
    pat = Actor(operator_id=picker.id, name=picker.name, role=Role.PICKER, station="cart 9")
    walk_pick_list(database.sessions, pat, batch.code, lambda _position: tote)
    with database.sessions() as session:
        lines = [x for n in batch.orders for x in show_order(session, n).order.lines]
    return [gtin[line.sku] for line in lines for _ in range(line.quantity)]


def _sorting(harness: Harness) -> None:
    units = _picked_batch(harness, "T0500")
    harness.scan(SORTER_BADGE)  # a sorter lands on the sorting screen; W1 is the only wall
    harness.scan("T0500")
    for item in units[:5]:  # a few sorted: one slot complete, others filling
        harness.scan(item)
        harness.scan(_screen(harness, "Sorting").next_scan.text().split()[-1])  # type: ignore[attr-defined]
    harness.scan(units[5])  # the item in hand: its slot lights up


PACKER_BADGE = "OP-3001"


def _packing_start(harness: Harness) -> None:
    harness.scan(PACKER_BADGE)  # an idle bench: what waits to be packed


def _packing_order(harness: Harness) -> tuple[str, list[str]]:
    """The demo's complete slot whose order has the most lines; the unit codes to scan."""
    with harness.database.sessions() as session:
        slots = [s for s in wall_view(session, "W1").slots if s.status == "COMPLETE"]
        codes = unit_codes(session)
        orders = {s.code: show_order(session, s.order or "").order for s in slots}
    slot = max(orders, key=lambda code: (len(orders[code].lines), code))
    lines = orders[slot].lines
    return slot, [codes[line.sku] for line in lines for _ in range(line.quantity)]


def _packing(harness: Harness) -> None:
    slot, units = _packing_order(harness)
    harness.scan(PACKER_BADGE)  # a packer lands on the packing screen
    harness.scan(slot)
    for unit in units[: max(1, len(units) - 2)]:  # most of the order in the carton
        harness.scan(unit)


def _packing_customs(harness: Harness) -> None:
    """A slot's order leaving the EU, one of its products without an HS code or origin yet."""
    with unit_of_work(harness.database.sessions) as session:
        slot, order = next(
            (s.code, order)
            for s in wall_view(session, "W1").slots
            if s.status == "COMPLETE"
            and (order := session.scalars(select(Order).where(Order.number == s.order)).one())
            and order.ship_country not in EU_MEMBERS
        )
        session.execute(
            update(Product)
            .where(Product.sku == order.lines[0].sku)
            .values(hs_code="", origin_country="")
        )
    harness.scan(PACKER_BADGE)
    harness.scan(slot)


def _packing_weight(harness: Harness) -> None:
    slot, units = _packing_order(harness)
    harness.scan(PACKER_BADGE)
    harness.scan(slot)
    for unit in units:
        harness.scan(unit)
    screen = _screen(harness, "Packing")
    view = screen._view  # type: ignore[attr-defined]
    harness.press("F6")
    harness.key_in(str(view.open_carton.expected_weight_g + 420))  # something else in the box


def _carton(harness: Harness) -> None:
    _packing_weight(harness)  # weighed too heavy: a supervisor accepts it
    harness.scan(SUPERVISOR_BADGE)
    screen = _screen(harness, "Packing")
    screen.printer.wait()  # type: ignore[attr-defined]
    settle()
    with harness.database.sessions() as session:
        carton = session.scalars(
            select(Carton.tracking_number).order_by(Carton.id.desc()).limit(1)
        ).one()
    harness.window.show_screen(_screen(harness, "Look up"))
    harness.scan(carton or "")


def _location(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    harness.scan("A01-01-1")


def _product(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    harness.scan("7612340000010")


def _waiting(harness: Harness, door: str) -> list[str]:
    """The tracking numbers of the cartons waiting at the dock for `door`'s carrier."""
    with harness.database.sessions() as session:
        return [c.tracking_number for c in dock_view(session, door).expected]


def _dispatch(harness: Harness) -> None:
    harness.scan(SHIPPER_BADGE)
    harness.scan("DOCK-1")
    for tracking in _waiting(harness, "DOCK-1")[:3]:
        harness.scan(tracking)


def _dispatch_refused(harness: Harness) -> None:
    other = _waiting(harness, "DOCK-2")[0]
    _dispatch(harness)
    harness.scan(other)  # another carrier's carton at this door


def _outbox_failed(harness: Harness) -> None:
    """Two customer messages the mail server refused, as the supervisor's window says."""
    with unit_of_work(harness.database.sessions) as session:
        ids = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id).limit(2)).all()
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                status="failed",
                attempts=1,
                last_error="refused by the server: 550 5.1.1 No such mailbox here",
            )
        )
    harness.scan(SUPERVISOR_BADGE)
    QThreadPool.globalInstance().waitForDone(10_000)  # the background count of failed messages
    settle()


def _dashboard(harness: Harness) -> None:
    """The supervisor's dashboard on a day's work: hours of throughput, refusals, late orders."""
    with unit_of_work(harness.database.sessions) as session:
        busy_day(session)
    harness.scan(SUPERVISOR_BADGE)
    dashboard = _screen(harness, "Dashboard")
    harness.window.show_screen(dashboard)
    QThreadPool.globalInstance().waitForDone(10_000)  # the figures are read off the GUI thread
    settle()


def _refused(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)
    harness.scan("hello world")


SCREENS: dict[str, tuple[str, Callable[[Harness], None]]] = {
    "login": ("badge login, nobody logged in", _login),
    "picking": ("a picker at the first stop of the next pick list, location scanned", _picking),
    "sorting": ("a sorter at the put wall, a few items sorted, the next item's slot lit", _sorting),
    "packing-start": (
        "an idle pack bench: complete slots and picked totes waiting",
        _packing_start,
    ),
    "packing": ("a packer at the bench, most of an order from a put-wall slot scanned", _packing),
    "packing-customs": (
        "an order leaving the EU whose product lacks customs data: a warning in amber",
        _packing_customs,
    ),
    "packing-weight": (
        "the weight check failed: re-weigh or a supervisor's badge",
        _packing_weight,
    ),
    "dispatch": ("a shipper at door DOCK-1, three cartons loaded, the rest waiting", _dispatch),
    "dispatch-refused": (
        "another carrier's carton scanned at DOCK-1, refused in red: the door it goes to",
        _dispatch_refused,
    ),
    "lookup-carton": ("look-up of a carton by its tracking number: box, weight, contents", _carton),
    "lookup-carton-tracking": (
        "look-up of a shipped carton the carrier could not deliver: its tracking events",
        _lookup_tracking,
    ),
    "order-desk": ("supervisor's desk on the hold queue, first held order selected", _order_desk),
    "order-desk-attention": (
        "the desk's queue of shipped orders needing attention: a carrier delay, a failed delivery",
        _order_desk_attention,
    ),
    "order-desk-map-line": (
        "the desk's dialog mapping a line that came without a SKU to a product",
        _order_desk_map_line,
    ),
    "order-desk-address": (
        "the desk's dialog correcting a held order's ship-to address",
        _order_desk_address,
    ),
    "order-desk-cancel": (
        "the desk's dialog cancelling an order: the reason, then the confirmation",
        _order_desk_cancel,
    ),
    "lookup-order": ("look-up of an order: lines and timeline", _order_timeline),
    "lookup-location": ("look-up of a location: its stock", _location),
    "prints": ("the print log with reprint and master-data labels", _prints),
    "lookup-product": ("look-up of a product by GTIN: where it is stored", _product),
    "refused-scan": ("a scan Baton does not know, refused in red", _refused),
    "dashboard": (
        "the supervisor's dashboard: counts by stage against the cutoffs, the forecast, "
        "throughput per hour, refusals, per operator, the dock",
        _dashboard,
    ),
    "outbox-failed": (
        "the supervisor's window saying two customer messages failed to send",
        _outbox_failed,
    ),
}


def render(name: str, out: Path, size: tuple[int, int] = (1600, 1000)) -> Path:
    """Render screen `name` to a PNG at `out`."""
    if name not in SCREENS:
        raise KeyError(name)
    with demo_station(size=size) as harness:
        SCREENS[name][1](harness)
        settle()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not _grab(harness.window).save(str(out)):
            raise OSError(f"could not write {out}")
    return out


def _grab(window: QWidget) -> QPixmap:
    """The window as the operator sees it: an open dialog is drawn framed over its middle."""
    shot = window.grab()
    dialogs = [d for d in window.findChildren(QDialog) if d.isVisible()]
    if dialogs:
        painter = QPainter(shot)
        painter.setPen(QPen(QColor("#37474f"), 2))
        for dialog in dialogs:
            image = dialog.grab()
            x, y = (shot.width() - image.width()) // 2, (shot.height() - image.height()) // 2
            painter.drawPixmap(x, y, image)
            painter.drawRect(x - 1, y - 1, image.width() + 1, image.height() + 1)
        painter.end()
    return shot

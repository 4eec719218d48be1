"""The pack bench driven by key events on the demo floor: slots and totes packed, cartons
closed and weighed, labels printed and read back, refusals, a restarted bench."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Select, func, select, update

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderLine, PrintRecord, Product
from app.db.packing_models import Carton, CartonItem
from app.db.picking_models import PickListOrder
from app.db.putwall_models import WallSlot
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.demo.floor import unit_codes
from app.services.desk.order_actions import cancel_order
from app.services.masterdata.operators import add_operator, badge_login
from app.services.packing.bench import pack_item, start_packing
from app.services.packing.documents import CartonPrint
from app.ui.feedback import FeedbackLevel
from app.ui.harness import key_in, type_scan
from app.ui.main_window import MainWindow
from app.ui.replay import replay
from app.ui.screens.lookup import LookupScreen
from app.ui.screens.packing.screen import PackingScreen
from app.ui.settings import LABEL_PRINTER
from tests.printing.conftest import rasterise, read_barcodes
from tests.ui.helpers import band, order_status, refused_printer

SAM, BOSS = "OP-3001", "OP-9001"


def _cartons_of(number: str) -> Select[tuple[Carton]]:
    """The cartons of one order (the demo's own cartons wait at the dock)."""
    return select(Carton).join(Order, Order.id == Carton.order_id).where(Order.number == number)


def packing(window: MainWindow) -> PackingScreen:
    screen = window.current_screen
    assert isinstance(screen, PackingScreen)
    return screen


def codes(database: Database) -> dict[str, str]:
    with database.sessions() as session:
        return unit_codes(session)


def counts(database: Database) -> tuple[int, int]:
    with database.sessions() as session:
        return (
            session.scalar(select(func.count(CartonItem.id))) or 0,
            session.scalar(select(func.count(Carton.id))) or 0,
        )


def scan_all(window: MainWindow, database: Database) -> None:
    """Scan every unit the checklist still asks for."""
    screen = packing(window)
    unit = codes(database)
    assert screen._view is not None
    for line in screen._view.lines:
        for _ in range(line.expected - line.packed):
            type_scan(window, unit[line.sku])


def weigh(qtbot: QtBot, window: MainWindow, grams: int) -> None:
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F6)
    key_in(window, str(grams))


def printed(qtbot: QtBot, screen: PackingScreen) -> None:
    qtbot.waitUntil(lambda: screen.last_prints is not None, timeout=20_000)


def test_an_order_from_a_complete_slot_is_packed_weighed_and_labelled(
    window: MainWindow, database: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    type_scan(window, SAM)
    screen = packing(window)  # a packer lands on the packing screen
    assert band(window) == (FeedbackLevel.OK, "Welcome, Sam Okafor.")
    assert "Complete slots: W1-A1" in screen.queue.text()
    type_scan(window, "W1-A1")
    view = screen._view
    assert view is not None and screen.order.text() == f"Order {view.order}"
    number = view.order
    level, message = band(window)
    assert (
        level is FeedbackLevel.OK
        and message == f"Order {number}: {view.units[1]} of {view.units[1]} to scan"
    )
    assert screen.next_scan.text() == "➜ Scan the next item"
    scan_all(window, database)
    view = screen._view
    assert view is not None and view.all_in
    assert all(row.tick.text() == "✓" for row in screen.checklist.rows if row.isVisible())
    assert screen.next_scan.text().startswith("➜ All items in: key the weight")
    carton = view.open_carton
    assert carton is not None and carton.box is not None
    assert screen.carton.title.text() == "CARTON 1 of 1"
    weigh(qtbot, window, carton.expected_weight_g + 20)
    assert order_status(database, number) == "PACKED"
    level, message = band(window)
    assert message.startswith(f"Order {number} packed: carton 1 of 1 closed")
    assert screen.pages.currentWidget() is screen.start_page
    printed(qtbot, screen)
    # The slot's order goes from the Hamburg warehouse to a customer outside the EU.
    assert band(window) == (
        FeedbackLevel.OK,
        "Printed: shipping label, customs declaration CN22, GS1 label, packing slip.",
    )
    with database.sessions() as session:
        closed = session.scalars(_cartons_of(number)).one()
        records = session.scalars(select(PrintRecord).order_by(PrintRecord.id)).all()
    assert [r.layout for r in records] == [
        "shipping_4x6",
        "customs_cn22",
        "gs1_logistic_4x6",
        "packing_slip_a4",
    ]
    assert all(r.outcome == "ok" for r in records)
    label, customs, gs1, slip = (Path(r.destination) for r in records)
    assert label.parent == tmp_path / "pdf"
    assert [b.text for b in read_barcodes(rasterise(label, 203)[0])] == [closed.tracking_number]
    assert [b.text for b in read_barcodes(rasterise(customs, 203)[0])] == [closed.tracking_number]
    assert [(b.symbology_id, b.text) for b in read_barcodes(rasterise(gs1, 203)[0])] == [
        ("]C1", f"00{closed.sscc}")
    ]
    assert number in PdfReader(slip).pages[0].extract_text()
    # The slot is free for the next batch.
    assert "W1-A1" not in screen.queue.text()
    # The carton found again by the tracking number on its label (or its SSCC).
    lookup = next(s for s in window.screens if isinstance(s, LookupScreen))
    window.show_screen(lookup)
    for code in (closed.tracking_number, closed.sscc):
        assert code is not None
        type_scan(window, code)
        found = lookup.view.found
        assert found is not None and found.title == f"Carton 1 of 1 · order {number} · CLOSED"
        assert found.sections[0].rows and f"SSCC {closed.sscc}" in found.facts


def tote_with_units(database: Database, at_least: int) -> str:
    """A demo tote whose picked order has at least this many units."""
    with database.sessions() as session:
        rows = session.execute(
            select(PickListOrder.tote, func.sum(OrderLine.quantity))
            .join(Order, Order.id == PickListOrder.order_id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.status == "PICKED", PickListOrder.tote.is_not(None))
            .group_by(PickListOrder.tote)
        ).all()
    return next(str(tote) for tote, units in sorted(rows) if units >= at_least)


def test_an_order_is_split_over_two_cartons(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    screen = packing(window)
    type_scan(window, tote_with_units(database, 2))
    view = screen._view
    assert view is not None
    number = view.order
    units = codes(database)
    first = view.lines[0]
    type_scan(window, units[first.sku])
    view = screen._view
    assert view is not None and view.open_carton is not None
    one = view.open_carton.expected_weight_g
    assert not view.all_in
    weigh(qtbot, window, one)
    level, message = band(window)
    assert level is FeedbackLevel.OK and message.startswith("Carton 1 of ")
    assert "Next scans go into carton 2" in message
    assert screen.carton.title.text().startswith("CARTON 2 of")
    assert order_status(database, number) == "PICKED"
    scan_all(window, database)
    view = screen._view
    assert view is not None and view.open_carton is not None
    weigh(qtbot, window, view.open_carton.expected_weight_g)
    assert order_status(database, number) == "PACKED", band(window)
    printed(qtbot, screen)
    with database.sessions() as session:
        cartons = session.scalars(_cartons_of(number).order_by(Carton.seq)).all()
    assert [(c.seq, c.carton_count) for c in cartons] == [(1, 2), (2, 2)]
    assert cartons[0].sscc != cartons[1].sscc


def test_wrong_scans_are_refused_in_red_and_change_nothing(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    units = codes(database)
    type_scan(window, units["MUG-0018"])
    assert band(window)[0] is FeedbackLevel.ERROR
    type_scan(window, "T0900")
    assert band(window) == (
        FeedbackLevel.ERROR,
        "Tote T0900 holds no order to pack: its batch went to the put wall.",
    )
    type_scan(window, "W1-B1")
    assert band(window) == (FeedbackLevel.ERROR, "Slot W1-B1 is free: nothing to pack there.")
    type_scan(window, "W1-A2")
    screen = packing(window)
    view = screen._view
    assert view is not None
    before = counts(database)
    in_order = {line.sku for line in view.lines}
    stranger = next(sku for sku in units if sku not in in_order)
    type_scan(window, units[stranger])
    assert band(window) == (
        FeedbackLevel.ERROR,
        f"{stranger} is not in order {view.order}: put it aside for a supervisor.",
    )
    scan_all(window, database)
    after_all = counts(database)
    type_scan(window, units[view.lines[0].sku])
    level, message = band(window)
    assert level is FeedbackLevel.ERROR and "are packed already: this one is extra." in message
    type_scan(window, "W1-A3")
    assert band(window)[0] is FeedbackLevel.ATTENTION
    assert counts(database) == after_all and after_all[0] == before[0] + sum(
        li.expected for li in view.lines
    )


def test_the_weight_check_refuses_then_a_supervisor_badge_accepts(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A3")
    screen = packing(window)
    scan_all(window, database)
    view = screen._view
    assert view is not None and view.open_carton is not None
    expected = view.open_carton.expected_weight_g
    weigh(qtbot, window, expected + 400)
    level, message = band(window)
    assert level is FeedbackLevel.ERROR and message.startswith("Too heavy: ")
    assert screen.carton.weight_check.isVisible()
    assert order_status(database, view.order) == "SORTED"
    type_scan(window, SAM)  # the packer's own badge does not accept it (nor log out)
    assert band(window)[0] is FeedbackLevel.ERROR and window.station.actor is not None
    type_scan(window, BOSS)
    assert order_status(database, view.order) == "PACKED"
    assert window.station.actor is not None and window.station.actor.name == "Sam Okafor"
    printed(qtbot, screen)


def test_a_keyed_count_and_a_problem_tote(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A5")  # an order with a line of three
    screen = packing(window)
    view = screen._view
    assert view is not None
    line = max(view.lines, key=lambda li: li.expected)
    assert line.expected >= 2
    screen._on_line_clicked(line.line_id)  # the packer taps the line
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F7)
    assert screen.count.isVisible() and screen.count.value() == line.expected
    type_scan(window, codes(database)[line.sku])  # a scan instead: the keyed count is dropped
    assert not screen.count.isVisible()
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F7)
    key_in(window, "1")  # one more by hand
    assert band(window)[0] is FeedbackLevel.ATTENTION
    assert screen.next_scan.text() == (
        f"➜ Supervisor: scan your badge to approve 1 × {line.sku} (Esc: back)"
    )
    type_scan(window, BOSS)
    view = screen._view
    assert view is not None and next(li for li in view.lines if li.sku == line.sku).packed == 2
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F8)
    assert screen.next_scan.text().startswith("➜ Damaged item: scan a problem tote")
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F8)
    assert screen.next_scan.text().startswith("➜ Item missing: scan a problem tote")
    type_scan(window, "T0951")
    assert band(window)[0] is FeedbackLevel.ERROR  # a tote holding another order
    type_scan(window, "T0800")
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION and "set aside (Item missing)" in message
    assert order_status(database, view.order) == "EXCEPTION"
    assert screen.start_headline.text() == f"Order {view.order} set aside"


def test_another_bench_sees_every_unit_the_first_one_counted(
    open_station: Callable[[], MainWindow], database: Database, qtbot: QtBot
) -> None:
    first = open_station()
    type_scan(first, SAM)
    type_scan(first, "W1-A5")
    view = packing(first)._view
    assert view is not None
    type_scan(first, codes(database)[view.lines[0].sku])
    # The first bench is never asked again (as if it had died); the packer moves benches.
    second = open_station()
    type_scan(second, SAM)
    screen = packing(second)
    again = screen._view
    assert again is not None and again.order == view.order and again.units[0] == 1
    assert screen.units.text() == f"1 / {again.units[1]} units"


def test_an_order_is_packed_from_a_scan_script(database: Database, tmp_path: Path) -> None:
    # The replay seeds the same demo floor: what slot W1-A6 holds here, it holds there.
    with unit_of_work(database.sessions) as session:
        sam = badge_login(session, SAM, "bench")
        view = start_packing(session, sam, classify_ok("W1-A6")).view
        units = unit_codes(session)
    scans = [units[li.sku] for li in view.lines for _ in range(li.expected)]
    with unit_of_work(database.sessions) as session:
        for code in scans:
            view = pack_item(session, sam, view.order, classify_ok(code)).view
    assert view.open_carton is not None
    expected = view.open_carton.expected_weight_g
    script = tmp_path / "pack.scans"
    lines = [
        "# a packer takes the order in slot W1-A6, scans it, weighs twice",
        SAM,
        "W1-A6",
        *scans,
        "!F6",
        f"={expected + 2000}",
        "!F6",
        f"={expected}",
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    steps = replay(script, "packing")
    assert steps[1].message.startswith(f"Order {view.order}: ")
    assert all(step.level == "ok" for step in steps[2 : 2 + len(scans)])
    assert steps[-3].level == "error" and steps[-3].message.startswith("Too heavy: ")
    assert steps[-1].level == "ok"
    assert steps[-1].message.startswith(f"Order {view.order} packed: carton 1 of 1 closed")


def classify_ok(text: str) -> Scan:
    scanned = classify(text)
    assert isinstance(scanned, Scan), scanned
    return scanned


def test_a_printer_that_is_off_is_shown_and_the_carton_is_kept_for_a_reprint(
    window: MainWindow, database: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    window.station.settings.set(LABEL_PRINTER, refused_printer())
    type_scan(window, SAM)
    type_scan(window, "W1-A6")
    screen = packing(window)
    scan_all(window, database)
    view = screen._view
    assert view is not None and view.open_carton is not None
    weigh(qtbot, window, view.open_carton.expected_weight_g)
    assert order_status(database, view.order) == "PACKED"  # the carton is closed and kept
    printed(qtbot, screen)
    level, message = band(window)
    assert level is FeedbackLevel.ERROR and "refused the connection" in message
    assert message.endswith(
        "the carton is saved: fix the printer and press F9 to print its labels again."
    )
    window.station.settings.set(LABEL_PRINTER, "pdf")
    screen.last_prints = None
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F9)
    printed(qtbot, screen)
    assert band(window) == (
        FeedbackLevel.OK,
        "Printed: shipping label, customs declaration CN22, GS1 label, packing slip.",
    )
    with database.sessions() as session:
        records = session.execute(
            select(PrintRecord.layout, PrintRecord.outcome, PrintRecord.reprint_of).order_by(
                PrintRecord.id
            )
        ).all()
    failed = [r for r in records if r.outcome == "failed"]
    assert [r.layout for r in failed] == ["shipping_4x6", "customs_cn22", "gs1_logistic_4x6"]
    reprints = [r for r in records if r.reprint_of is not None]
    assert {r.layout for r in reprints} == {
        "shipping_4x6",
        "customs_cn22",
        "gs1_logistic_4x6",
        "packing_slip_a4",
    }
    assert all(r.outcome == "ok" for r in reprints)
    closed = [Path(p) for p in (tmp_path / "pdf").glob("*shipping_4x6*")]
    assert len(closed) == 1


def test_a_scale_that_types_its_reading_closes_the_carton(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A2")
    screen = packing(window)
    scan_all(window, database)
    view = screen._view
    assert view is not None and view.open_carton is not None
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F6)
    assert band(window) == (
        FeedbackLevel.PROMPT,
        "Put the carton on the scale; key its weight in grams, Enter",
    )
    type_scan(window, str(view.open_carton.expected_weight_g))  # as fast as a scanner types
    assert order_status(database, view.order) == "PACKED"
    printed(qtbot, screen)


def test_an_order_cancelled_at_the_desk_leaves_the_bench(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A3")
    screen = packing(window)
    view = screen._view
    assert view is not None
    with unit_of_work(database.sessions) as session:
        cancel_order(session, Actor.command_line(), view.order, "customer called")
    type_scan(window, codes(database)[view.lines[0].sku])
    level, message = band(window)
    assert level is FeedbackLevel.ERROR and "CANCELLED" in message
    assert screen.pages.currentWidget() is screen.start_page
    assert screen.start_headline.text() == f"Order {view.order} is no longer on this bench"
    type_scan(window, "W1-A4")  # the next order comes to the bench
    assert band(window)[1].startswith("Order ") and screen._view is not None


def test_f9_reprints_the_last_carton_after_the_station_restarted(
    open_station: Callable[[], MainWindow], database: Database, qtbot: QtBot
) -> None:
    first = open_station()
    type_scan(first, SAM)
    type_scan(first, "W1-A1")
    scan_all(first, database)
    view = packing(first)._view
    assert view is not None and view.open_carton is not None
    weigh(qtbot, first, view.open_carton.expected_weight_g)
    printed(qtbot, packing(first))
    first.close()
    second = open_station()
    type_scan(second, SAM)
    screen = packing(second)
    qtbot.keyClick(second.focusWidget() or second, Qt.Key.Key_F9)
    printed(qtbot, screen)
    with database.sessions() as session:
        again = session.scalars(
            select(PrintRecord.layout).where(PrintRecord.reprint_of.is_not(None))
        ).all()
    assert sorted(again) == ["customs_cn22", "gs1_logistic_4x6", "packing_slip_a4", "shipping_4x6"]


def test_a_late_print_result_never_turns_a_refusal_green(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A2")
    screen = packing(window)
    stranger = next(sku for sku in codes(database) if sku.startswith("SOCK"))
    type_scan(window, codes(database)[stranger])
    level, message = band(window)
    assert level is FeedbackLevel.ERROR
    # The labels of the bench's previous carton come out now, after the refusal.
    screen.printer.printed.emit(1, [CartonPrint("shipping label order #1", True, "", "", 1)])
    assert band(window) == (level, message)


def test_a_product_scanned_into_the_weight_field_is_still_a_scan(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A5")
    screen = packing(window)
    view = screen._view
    assert view is not None
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F6)
    type_scan(window, codes(database)[view.lines[0].sku])
    assert band(window)[0] is FeedbackLevel.OK and screen.units.text().startswith("1 / ")


def test_the_next_shift_at_the_bench_sees_and_takes_over_the_open_order(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, SAM)
    type_scan(window, "W1-A3")
    screen = packing(window)
    view = screen._view
    assert view is not None
    type_scan(window, codes(database)[view.lines[0].sku])
    with unit_of_work(database.sessions) as session:
        add_operator(session, Actor.command_line(), "OP-3002", "Kai Berg", Role.PACKER, "1234")
    type_scan(window, "OP-3002")  # the next shift's badge: operator switch
    assert screen.pages.currentWidget() is screen.start_page
    assert f"Left open on this bench: {view.order} (Sam Okafor)" in screen.queue.text()
    type_scan(window, view.order)
    level, message = band(window)
    assert level is FeedbackLevel.OK and message.startswith(f"Order {view.order} resumed")
    assert screen.units.text().startswith("1 / ")


def test_a_product_without_customs_data_is_shown_in_amber_and_the_carton_still_closes(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    with unit_of_work(database.sessions) as session:
        # The order waiting in slot W1-A1 goes outside the EU; one of its products has lost
        # its HS code and origin.
        order_id = session.scalars(select(WallSlot.order_id).where(WallSlot.code == "W1-A1")).one()
        order = session.get_one(Order, order_id)
        assert order.ship_country not in ("DE", "FR", "NL")
        sku = order.lines[0].sku
        session.execute(
            update(Product).where(Product.sku == sku).values(hs_code="", origin_country="")
        )
    type_scan(window, SAM)
    screen = packing(window)
    type_scan(window, "W1-A1")
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION
    assert "Customs data missing (" in message and f"{sku}: HS code, country of origin" in message
    assert screen.customs.isVisible() and sku in screen.customs.text()
    scan_all(window, database)
    view = screen._view
    assert view is not None and view.open_carton is not None
    weigh(qtbot, window, view.open_carton.expected_weight_g)
    assert order_status(database, view.order) == "PACKED"  # a warning, not a refusal
    level, message = band(window)
    assert level is FeedbackLevel.ATTENTION and message.startswith(f"Order {view.order} packed")
    printed(qtbot, screen)
    assert band(window)[0] is FeedbackLevel.ATTENTION  # the warning stays until the next scan
    assert any("customs declaration" in p.description for p in screen.last_prints or [])

"""The dock on both databases: doors, load scans and their refusals, the close, manifests."""

from __future__ import annotations

import csv
import io
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.database import Database
from app.db.dispatch_models import Load
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent
from app.db.packing_models import Carton
from app.printing import PdfFolderPrinter
from app.printing.printers import ZplTcpPrinter
from app.services.actor import Actor
from app.services.desk.order_actions import cancel_order
from app.services.dispatch.carrier_link import FileCarrierLink
from app.services.dispatch.doors import list_doors, set_door
from app.services.dispatch.loading import LoadRefused, dock_view, unload_carton
from app.services.dispatch.manifests import (
    close_load,
    hand_over,
    list_manifests,
    manifest_detail,
    print_manifest,
)
from app.services.errors import BatonError, InvalidInput, NotAllowed, WrongState
from app.services.packing.bench import close_carton, pack_item, start_packing
from tests.printing.conftest import rasterise, read_barcodes
from tests.services.dispatch.conftest import add_shipper, carrier_of, load, tracking_numbers
from tests.services.floor import SUPERVISOR
from tests.services.journey import (
    BOSS_BADGE,
    GTIN,
    add_packer,
    add_picker,
    order_status,
    run_together,
    scanned,
)


def _state(db: Database) -> tuple[object, ...]:
    """What a refused scan must leave alone: carton states, loads and timeline events."""
    with db.sessions() as session:
        return (
            tuple(session.execute(select(Carton.id, Carton.status, Carton.load_id)).all()),
            session.scalar(select(func.count(Load.id))),
            session.scalar(select(func.count(OrderEvent.id))),
        )


def _refused(db: Database, actor: Actor, door: str, code: str) -> str:
    before = _state(db)
    with pytest.raises(BatonError) as refused:
        load(db, actor, door, code)
    assert _state(db) == before
    return refused.value.message


def _events(db: Database, number: str) -> list[tuple[str, str]]:
    with db.sessions() as session:
        return [
            (e.kind, e.detail)
            for e in session.scalars(
                select(OrderEvent).join(Order).where(Order.number == number).order_by(OrderEvent.id)
            )
        ]


def test_a_door_is_loaded_and_closed_and_its_manifest_reads_back(
    dock: Database, tmp_path: Path
) -> None:
    lee = add_shipper(dock)
    (first,) = tracking_numbers(dock, "#1002")
    (second,) = tracking_numbers(dock, "#1003")
    with dock.sessions() as session:
        view = dock_view(session, "DOCK-1")
    assert view.carrier == "Deutsche Post" and not view.loaded
    assert {c.tracking_number for c in view.expected} >= {first, second}
    outcome = load(dock, lee, "DOCK-1", first)
    assert outcome.message.startswith("Loaded #1002 carton 1 of 1")
    assert [c.tracking_number for c in outcome.view.loaded] == [first]
    with dock.sessions() as session:
        sscc = session.scalars(select(Carton.sscc).where(Carton.tracking_number == second)).one()
    load(dock, lee, "DOCK-1", f"00{sscc}")  # the GS1 label's SSCC loads it too
    with unit_of_work(dock.sessions) as session:
        closed = close_load(session, lee, "DOCK-1")
    assert closed.cartons == (first, second) and closed.carrier == "Deutsche Post"
    assert closed.orders_shipped == ("#1002", "#1003")
    assert set(closed.not_loaded) == set(tracking_numbers(dock, "#1001"))
    assert order_status(dock, "#1002") == order_status(dock, "#1003") == "SHIPPED"
    assert order_status(dock, "#1001") == "PACKED"
    assert ("shipped", f"Deutsche Post manifest {closed.manifest}: {first}") in _events(
        dock, "#1002"
    )
    with dock.sessions() as session:
        assert {
            c.status
            for c in session.scalars(
                select(Carton).where(Carton.tracking_number.in_((first, second)))
            )
        } == {"SHIPPED"}
        assert [m.number for m in list_manifests(session)] == [closed.manifest]
        detail = manifest_detail(session, closed.manifest)
    assert [c["tracking_number"] for c in detail["cartons"]] == [first, second]  # type: ignore[index]

    printer = PdfFolderPrinter(tmp_path / "printed")
    handover = hand_over(
        dock.sessions, lee, FileCarrierLink(tmp_path / "manifests"), printer, closed.manifest
    )
    assert handover.ok and handover.files is not None
    assert handover.files.pdf.name == f"{closed.manifest}.pdf"
    codes = {r.text for page in rasterise(handover.files.pdf, 300) for r in read_barcodes(page)}
    assert codes == {closed.manifest, first, second}
    printed = list((tmp_path / "printed").glob("*.pdf"))
    assert len(printed) == 1
    assert {r.text for page in rasterise(printed[0], 300) for r in read_barcodes(page)} == codes
    rows = list(csv.DictReader(io.StringIO(handover.files.csv.read_text(encoding="utf-8"))))
    assert [(r["manifest"], r["tracking_number"], r["order"], r["country"]) for r in rows] == [
        (closed.manifest, first, "#1002", "CH"),
        (closed.manifest, second, "#1003", "CH"),
    ]
    assert rows[0]["consignee"] == "Zoë Ångström" and rows[0]["account"] == "6230511111"


def test_every_wrong_carton_is_refused_with_nothing_recorded(dock: Database) -> None:
    lee = add_shipper(dock)
    (ups,) = tracking_numbers(dock, "#1004")
    (post,) = tracking_numbers(dock, "#1002")
    assert "This is a UPS carton: door DOCK-2" in _refused(dock, lee, "DOCK-1", ups)
    assert "DOCK-9 has no carrier today" in _refused(dock, lee, "DOCK-9", post)
    assert "No carton has tracking number 1Z5R89391134999997" in _refused(
        dock, lee, "DOCK-2", "1Z5R89391134999997"
    )
    assert "is not a carton" in _refused(dock, lee, "DOCK-1", "4006381333931")
    assert "No dock door 'DOCK-7'" in _refused(dock, lee, "DOCK-7", post)
    load(dock, lee, "DOCK-1", post)
    assert "already on this truck (DOCK-1)" in _refused(dock, lee, "DOCK-1", post)
    with unit_of_work(dock.sessions) as session:
        set_door(session, SUPERVISOR, "DOCK-3", "Deutsche Post")
    assert "already loaded at DOCK-1" in _refused(dock, lee, "DOCK-3", post)
    with unit_of_work(dock.sessions) as session:
        manifest = close_load(session, lee, "DOCK-1").manifest
    assert f"already shipped on manifest {manifest}" in _refused(dock, lee, "DOCK-1", post)
    with (
        unit_of_work(dock.sessions) as session,
        pytest.raises(WrongState, match="Nothing is loaded"),
    ):
        close_load(session, lee, "DOCK-1")


def test_a_carton_of_an_order_cancelled_after_packing_is_pulled(dock: Database) -> None:
    lee = add_shipper(dock)
    (carton,) = tracking_numbers(dock, "#1003")
    with unit_of_work(dock.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1003", "customer called")
    assert "Pull it: order #1003 was cancelled" in _refused(dock, lee, "DOCK-1", carton)


def test_an_order_in_two_cartons_ships_when_both_have_left(dock: Database) -> None:
    lee = add_shipper(dock)
    one, two = tracking_numbers(dock, "#1001")
    load(dock, lee, "DOCK-1", one)
    with unit_of_work(dock.sessions) as session:
        first = close_load(session, lee, "DOCK-1")
    assert first.orders_shipped == () and two in first.not_loaded
    assert order_status(dock, "#1001") == "PACKED"
    assert (
        "cartons_shipped",
        f"Deutsche Post manifest {first.manifest}: {one}; 1 carton(s) to follow",
    ) in _events(dock, "#1001")
    with (
        unit_of_work(dock.sessions) as session,
        pytest.raises(WrongState, match="can no longer be cancelled"),
    ):
        cancel_order(session, SUPERVISOR, "#1001", "too late")
    load(dock, lee, "DOCK-1", two)
    with unit_of_work(dock.sessions) as session:
        second = close_load(session, lee, "DOCK-1")
    assert second.orders_shipped == ("#1001",) and second.manifest != first.manifest
    assert order_status(dock, "#1001") == "SHIPPED"


def test_two_doors_loading_one_carton_at_once_load_it_once(dock: Database) -> None:
    with unit_of_work(dock.sessions) as session:
        set_door(session, SUPERVISOR, "DOCK-3", "Deutsche Post")
    lee, kim = add_shipper(dock), add_shipper(dock, "OP-4101", "Kim")
    (carton,) = tracking_numbers(dock, "#1002")
    errors = run_together(
        lambda: load(dock, lee, "DOCK-1", carton), lambda: load(dock, kim, "DOCK-3", carton)
    )
    assert len(errors) == 1 and isinstance(errors[0], LoadRefused), errors
    assert "already loaded at DOCK-" in errors[0].message
    with dock.sessions() as session:
        loaded = session.scalars(select(Carton).where(Carton.tracking_number == carton)).one()
        assert loaded.status == "LOADED"
        assert (
            session.scalar(
                select(func.count(OrderEvent.id)).where(OrderEvent.kind == "carton_loaded")
            )
            == 1
        )


def test_unloading_needs_a_supervisor_and_puts_the_carton_back_at_the_dock(dock: Database) -> None:
    lee = add_shipper(dock)
    (carton,) = tracking_numbers(dock, "#1002")
    load(dock, lee, "DOCK-1", carton)
    with unit_of_work(dock.sessions) as session, pytest.raises(NotAllowed, match="supervisor"):
        unload_carton(session, lee, "DOCK-1", scanned(carton))
    with (
        unit_of_work(dock.sessions) as session,
        pytest.raises(NotAllowed, match="not a supervisor"),
    ):
        unload_carton(session, lee, "DOCK-1", scanned(carton), approver_badge="OP-4100")
    with unit_of_work(dock.sessions) as session:
        outcome = unload_carton(session, lee, "DOCK-1", scanned(carton), approver_badge=BOSS_BADGE)
    assert outcome.view.loaded == () and carton in {
        c.tracking_number for c in outcome.view.expected
    }
    assert "approved by Boss" in _events(dock, "#1002")[-1][1]
    with (
        unit_of_work(dock.sessions) as session,
        pytest.raises(WrongState, match="Nothing is loaded"),
    ):
        close_load(session, lee, "DOCK-1")


def test_a_printer_that_is_off_at_the_close_loses_nothing(dock: Database, tmp_path: Path) -> None:
    lee = add_shipper(dock)
    (carton,) = tracking_numbers(dock, "#1002")
    load(dock, lee, "DOCK-1", carton)
    with unit_of_work(dock.sessions) as session:
        manifest = close_load(session, lee, "DOCK-1").manifest
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    off = ZplTcpPrinter("127.0.0.1", port, name="dock printer")
    handover = hand_over(dock.sessions, lee, FileCarrierLink(tmp_path / "m"), off, manifest)
    assert handover.printed is None and f"baton manifest print {manifest}" in handover.print_problem
    assert handover.files is not None and handover.files.csv.exists()
    assert order_status(dock, "#1002") == "SHIPPED"
    again = print_manifest(dock.sessions, lee, PdfFolderPrinter(tmp_path / "later"), manifest)
    assert again.ok


def test_doors_are_set_by_a_supervisor_and_must_scan_as_doors(dock: Database) -> None:
    picker = add_picker(dock, "OP-1199", "Pat")
    with unit_of_work(dock.sessions) as session:
        with pytest.raises(NotAllowed):
            set_door(session, picker, "DOCK-4", "UPS")
        with pytest.raises(InvalidInput, match="would not scan as a door"):
            set_door(session, SUPERVISOR, "GATE-4", "UPS")
        with pytest.raises(InvalidInput, match="No carrier 'Pony Express'"):
            set_door(session, SUPERVISOR, "DOCK-4", "Pony Express")
        set_door(session, SUPERVISOR, "dock-10", "dhl")
    with dock.sessions() as session:
        doors = [(d.door, d.carrier) for d in list_doors(session)]
    assert doors == [
        ("DOCK-1", "Deutsche Post"),
        ("DOCK-2", "UPS"),
        ("DOCK-9", ""),
        ("DOCK-10", "DHL Express"),
    ]
    lee = add_shipper(dock)
    load(dock, lee, "DOCK-2", tracking_numbers(dock, "#1004")[0])
    with unit_of_work(dock.sessions) as session, pytest.raises(WrongState, match="close the load"):
        set_door(session, SUPERVISOR, "DOCK-2", "DHL Express")


def test_an_order_on_a_truck_is_unloaded_before_it_is_cancelled(dock: Database) -> None:
    lee = add_shipper(dock)
    (carton,) = tracking_numbers(dock, "#1003")
    load(dock, lee, "DOCK-1", carton)
    before = _state(dock)
    with (
        unit_of_work(dock.sessions) as session,
        pytest.raises(WrongState, match="on the truck at DOCK-1: unload it"),
    ):
        cancel_order(session, SUPERVISOR, "#1003", "customer called")
    assert _state(dock) == before and order_status(dock, "#1003") == "PACKED"
    with unit_of_work(dock.sessions) as session:
        unload_carton(session, SUPERVISOR, "DOCK-1", scanned(carton))
    with unit_of_work(dock.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1003", "customer called")
    assert "Pull it: order #1003 was cancelled" in _refused(dock, lee, "DOCK-1", carton)


def test_a_carton_of_an_order_still_at_the_bench_waits_for_its_order(
    bench: Database, tmp_path: Path
) -> None:
    sam = add_packer(bench)
    with unit_of_work(bench.sessions) as session:
        start_packing(session, sam, scanned("T0001"))
    with unit_of_work(bench.sessions) as session:
        outcome = pack_item(session, sam, "#1001", scanned(GTIN["MUG-BLUE"]))
    assert outcome.view.open_carton is not None
    with unit_of_work(bench.sessions) as session:
        close_carton(session, sam, "#1001", outcome.view.open_carton.expected_weight_g)
    (first,) = tracking_numbers(bench, "#1001")
    with unit_of_work(bench.sessions) as session:
        set_door(session, SUPERVISOR, "DOCK-1", carrier_of(bench, first))
        assert dock_view(session, "DOCK-1").expected == ()  # not yet: its order is being packed
    lee = add_shipper(bench)
    message = _refused(bench, lee, "DOCK-1", first)
    assert message == (
        f"Order #1001 is still at the pack bench: leave {first} at the dock until its last "
        "carton is closed."
    )


def test_a_reprint_does_not_book_the_pickup_again(dock: Database, tmp_path: Path) -> None:
    lee = add_shipper(dock)
    load(dock, lee, "DOCK-2", tracking_numbers(dock, "#1004")[0])
    with unit_of_work(dock.sessions) as session:
        manifest = close_load(session, lee, "DOCK-2").manifest
    link = FileCarrierLink(tmp_path / "m")
    first = hand_over(dock.sessions, lee, link, None, manifest)
    again = hand_over(dock.sessions, lee, link, None, manifest, again=True)
    assert first.pickup.startswith("UPS collects 1 carton(s) at DOCK-2") and again.pickup == ""
    assert again.files is not None and again.files.pdf.exists()

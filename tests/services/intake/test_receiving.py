"""Receiving orders: whole or not at all, idempotent, acknowledged, verified, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import clock
from app.db.database import Database
from app.db.models import Order, OrderEvent, OrderLine, OutboxMessage
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.desk.orders import list_orders, show_order
from app.services.errors import NotAllowed
from app.services.intake.receiving import import_orders
from app.services.masterdata.imports import load_master_data
from tests.services.floor import SUPERVISOR, load_floor, stock_levels, write_orders

FIXTURES = Path(__file__).parents[2] / "fixtures" / "orders"


def test_orders_land_ready_with_stock_reserved_and_an_acknowledgement(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)
    path = write_orders(tmp_path / "o.csv", {"#1": [("MUG-BLUE", 2), ("TEA-EARL", 7)]})
    summary = import_orders(db.sessions, SUPERVISOR, path, "csv")
    assert (len(summary.received), summary.ready, summary.exit_code) == (1, 1, 0)

    with db.sessions() as session:
        (row,) = list_orders(session)
        detail = show_order(session, "#1")
        message = session.scalars(select(OutboxMessage)).one()
    assert row.status == "READY" and row.hold_reasons == ()
    allocated = {
        line.sku: [(a.location, a.quantity, a.lot) for a in line.allocated] for line in row.lines
    }
    # Earliest expiry first: lot L1 (5 units) empties before L2 is touched.
    assert allocated == {
        "MUG-BLUE": [("A01-01-1", 2, "")],
        "TEA-EARL": [("A01-02-1", 5, "L1"), ("A02-01-1", 2, "L2")],
    }
    assert [(e.kind, e.to_status) for e in detail.timeline] == [
        ("received", "RECEIVED"),
        ("verified", "READY"),
    ]
    assert detail.timeline[0].station == "test station"
    assert message.recipient == "zoe@example.com" and "#1" in message.subject
    assert "Zoë Ångström" in message.body and message.sent_at is None
    assert sum(reserved for _, reserved in stock_levels(db).values()) == 9


def test_importing_twice_creates_nothing_new(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    path = write_orders(tmp_path / "o.csv", {"#1": [("MUG-BLUE", 1)], "#2": [("SOCK-ZOE", 1)]})
    import_orders(db.sessions, SUPERVISOR, path, "csv")
    before = stock_levels(db)
    again = import_orders(db.sessions, SUPERVISOR, path, "csv")
    assert again.received == [] and again.already_received == ["#1", "#2"] and again.exit_code == 0
    assert stock_levels(db) == before
    with db.sessions() as session:
        assert session.scalar(select(func.count(Order.id))) == 2
        assert session.scalar(select(func.count(OrderEvent.id))) == 4
        assert session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_bad_order_is_rejected_whole_while_good_ones_land(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    path = tmp_path / "o.csv"
    path.write_text(
        "order_number,sku,quantity,ship_name,ship_address1,ship_city,ship_postal_code,ship_country\n"
        "#1,MUG-BLUE,1,Ann,Main St 1,Bern,3011,CH\n"
        "#2,MUG-BLUE,1,Bob,Main St 2,Bern,3011,CH\n"
        "#2,TEA-EARL,-2,Bob,Main St 2,Bern,3011,CH\n"
        "#3,SOCK-ZOE,1,Cy,Main St 3,Bern,3011,CH\n",
        encoding="utf-8",
    )
    summary = import_orders(db.sessions, SUPERVISOR, path, "csv")
    assert [v.number for v in summary.received] == ["#1", "#3"]
    (rejected,) = summary.rejected
    assert (rejected.number, rejected.line_no) == ("#2", 3)  # where the order starts
    assert "line 4" in rejected.reason and "-2" in rejected.reason  # where the fault is
    assert summary.exit_code == 1
    with db.sessions() as session:
        assert session.scalar(select(Order.id).where(Order.number == "#2")) is None
        assert session.scalar(select(func.count(OrderLine.id))) == 2


def test_every_hold_reason_is_listed_and_no_stock_is_held(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    path = write_orders(
        tmp_path / "o.csv",
        {"#9": [("MUG-BLUE", 1), ("NO-SUCH-SKU", 1), ("SOCK-ZOE", 4)]},
        payment_status="pending",
        ship_postal_code="80011",
    )
    summary = import_orders(db.sessions, SUPERVISOR, path, "csv")
    (verdict,) = summary.received
    assert verdict.status.value == "ON_HOLD"
    assert verdict.reasons == (
        "postal code '80011' does not look like a CH postal code (expected like 8001)",
        "payment is pending (not yet paid or authorised)",
        "unknown SKU 'NO-SUCH-SKU' on line 2",
        "not enough stock of SOCK-ZOE: needs 4, 3 free to promise",
    )
    assert all(reserved == 0 for _, reserved in stock_levels(db).values())
    with db.sessions() as session:
        (held,) = list_orders(session, status="on_hold")
    assert held.hold_reasons == verdict.reasons


def test_shopify_export_skips_fulfilled_and_cancelled_and_never_picks_gift_cards(
    db: Database,
) -> None:
    load_floor(db)
    summary = import_orders(
        db.sessions, SUPERVISOR, FIXTURES / "shopify_orders_export.csv", "shopify"
    )
    assert dict(summary.skipped) == {
        "#1003": "cancelled before it reached the warehouse",
        "#1004": "already fulfilled",
        "#1007": "nothing to ship (no line needs shipping)",
    }
    assert [v.number for v in summary.received] == ["#1001", "#1002", "#1005", "#1006"]
    held = {v.number: v.reasons for v in summary.received}
    assert "payment is pending (not yet paid or authorised)" in held["#1002"]
    assert "part of the payment was refunded; check which items still ship" in held["#1005"]
    with db.sessions() as session:
        lines = {
            (line.order.number, line.line_no): line
            for line in session.scalars(select(OrderLine).join(Order))
        }
        gift = lines["#1001", 3]
        assert gift.name.startswith("Gift Card") and not gift.to_pick and not gift.allocations
        # #1005 was partly shipped before it reached us: only its open line is to pick.
        assert [lines["#1005", n].to_pick for n in (1, 2)] == [False, True]
        assert (
            session.scalar(select(Order.ship_postal_code).where(Order.number == "#1001")) == "02134"
        )


def test_unusable_file_changes_nothing_and_exits_2(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    missing = import_orders(db.sessions, SUPERVISOR, tmp_path / "nope.csv", "csv")
    assert missing.exit_code == 2 and "not found" in (missing.unusable or "")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("order_number,sku,quantity\n#1,MUG-BLUE,1,Zo\xeb\n".encode("latin-1"))
    wrong = import_orders(db.sessions, SUPERVISOR, latin, "csv")
    assert wrong.exit_code == 2 and "UTF-8" in (wrong.unusable or "")
    with db.sessions() as session:
        assert session.scalar(select(func.count(Order.id))) == 0


def test_a_picker_cannot_import_orders(db: Database, tmp_path: Path) -> None:
    picker = Actor(operator_id=None, name="Pat", role=Role.PICKER, station="cart 1")
    path = write_orders(tmp_path / "o.csv", {"#1": [("MUG-BLUE", 1)]})
    with pytest.raises(NotAllowed, match="supervisor"):
        import_orders(db.sessions, picker, path, "csv")


@pytest.mark.slow
def test_ten_thousand_orders_stream_through_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    from app.config import DatabaseChoice
    from app.db.database import open_database
    from app.domain import demo_data
    from app.domain.formats.order_files import read_orders
    from tests.benchmarks.shopify_file import write_shopify_csv

    floor = demo_data.warehouse(clock.today())
    path = tmp_path / "orders_export.csv"
    now = clock.now()
    write_shopify_csv(demo_data.day_of_orders(floor.products, 10_000, 700_001, now), path)
    database = open_database(DatabaseChoice(f"sqlite:///{tmp_path / 'big.sqlite3'}", True))
    load_master_data(database.sessions, SUPERVISOR, floor.locations, floor.products, floor.stock)
    tracemalloc.start()
    all_at_once = list(read_orders(path, "shopify"))  # what loading the whole file would hold
    _, loaded = tracemalloc.get_traced_memory()
    del all_at_once
    tracemalloc.reset_peak()
    summary = import_orders(database.sessions, SUPERVISOR, path, "shopify")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    database.close()
    assert len(summary.received) == 10_000 and summary.exit_code == 0
    # Orders are received as they are read: only the per-order summary grows with the file.
    assert peak < loaded / 2, (peak, loaded)

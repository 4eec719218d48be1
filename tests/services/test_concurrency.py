"""Two stations at once: no unit is ever promised twice, no order is received twice."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from app.db.database import Database
from app.db.models import Allocation, Order, OrderLine, Stock
from app.services.intake.receiving import import_orders
from app.services.intake.verification import verify_many
from tests.services.floor import SUPERVISOR, load_floor, write_orders
from tests.services.journey import (
    run_together,
)


def _assert_stock_consistent(db: Database) -> None:
    with db.sessions() as session:
        for stock in session.scalars(select(Stock)):
            promised = session.scalar(
                select(func.coalesce(func.sum(Allocation.quantity), 0)).where(
                    Allocation.stock_id == stock.id
                )
            )
            assert stock.reserved == promised, f"stock {stock.id}: reserved != allocations"
            assert 0 <= stock.reserved <= stock.quantity
        for order in session.scalars(select(Order)):
            allocated = sum(a.quantity for line in order.lines for a in line.allocations)
            wanted = sum(line.quantity for line in order.lines if line.to_pick)
            assert allocated == (wanted if order.status == "READY" else 0), order.number


def test_verifying_overlapping_orders_at_once_never_promises_a_unit_twice(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)  # SOCK-ZOE: 3 units at A02-02-1
    numbers = [f"#{n}" for n in range(1, 9)]
    path = write_orders(
        tmp_path / "o.csv", {n: [("SOCK-ZOE", 1)] for n in numbers}, payment_status="pending"
    )
    import_orders(db.sessions, SUPERVISOR, path, "csv")
    with db.sessions() as session, session.begin():
        session.execute(update(Order).values(payment_status="paid"))

    for _ in range(3):  # several rounds: different interleavings each time
        errors = run_together(
            lambda: verify_many(db.sessions, SUPERVISOR, numbers),
            lambda: verify_many(db.sessions, SUPERVISOR, list(reversed(numbers))),
        )
        assert errors == []
        _assert_stock_consistent(db)
        with db.sessions() as session:
            ready = session.scalar(select(func.count(Order.id)).where(Order.status == "READY"))
            socks = session.scalars(select(Stock).join(Stock.product).where(Stock.lot == "")).all()
        assert ready == 3
        assert {s.reserved for s in socks if s.quantity == 3} == {3}


def test_importing_the_same_file_at_two_stations_receives_each_order_once(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)  # MUG-BLUE: 10 units
    orders = {f"#{n}": [("MUG-BLUE", 1), ("TEA-EARL", 1)] for n in range(1, 13)}
    path = write_orders(tmp_path / "o.csv", orders)
    summaries = []
    errors = run_together(
        lambda: summaries.append(import_orders(db.sessions, SUPERVISOR, path, "csv")),
        lambda: summaries.append(import_orders(db.sessions, SUPERVISOR, path, "csv")),
    )
    assert errors == []
    received = [v.number for s in summaries for v in s.received]
    assert sorted(received) == sorted(orders)  # each once, between the two stations
    assert sorted(n for s in summaries for n in s.already_received) == sorted(orders)
    _assert_stock_consistent(db)
    with db.sessions() as session:
        assert session.scalar(select(func.count(Order.id))) == 12
        assert session.scalar(select(func.count(OrderLine.id))) == 24
        assert session.scalar(select(func.count(Order.id)).where(Order.status == "READY")) == 10

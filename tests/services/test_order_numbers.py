"""An order named with or without its `#`: every action that takes an order number finds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db.database import Database
from app.db.engine import unit_of_work
from app.services.desk.order_actions import cancel_order, release_hold
from app.services.desk.orders import show_order
from app.services.errors import NotFound
from app.services.intake.receiving import import_orders
from app.services.intake.verification import verify_order
from app.services.order_numbers import resolve_order_number
from tests.services.floor import SUPERVISOR, load_floor, write_orders


@pytest.fixture
def orders(db: Database, tmp_path: Path) -> Database:
    """`#1001` and `#1002` as a shop writes them, `2001` without a `#`, and both `77` and `#77`."""
    load_floor(db)
    numbers = ("#1001", "#1002", "2001", "77", "#77")
    write_orders(tmp_path / "orders.csv", {n: [("MUG-BLUE", 1)] for n in numbers})
    assert import_orders(db.sessions, SUPERVISOR, tmp_path / "orders.csv", "csv").exit_code == 0
    return db


def test_a_number_finds_its_order_with_or_without_the_hash(orders: Database) -> None:
    with orders.sessions() as session:
        assert show_order(session, "1001").order.number == "#1001"
        assert show_order(session, " #1001 ").order.number == "#1001"
        assert show_order(session, "#2001").order.number == "2001"
        # Both exist: each is the one written exactly.
        assert show_order(session, "77").order.number == "77"
        assert show_order(session, "#77").order.number == "#77"
        for nothing in ("1003", "#", "", "##1001"):
            with pytest.raises(NotFound, match="No order"):
                resolve_order_number(session, nothing)


def test_actions_on_an_order_take_the_number_without_the_hash(orders: Database) -> None:
    with unit_of_work(orders.sessions) as session:
        assert verify_order(session, SUPERVISOR, "1001").number == "#1001"
        cancel_order(session, SUPERVISOR, "1002", "customer asked")
        assert show_order(session, "#1002").order.status == "CANCELLED"
    with unit_of_work(orders.sessions) as session, pytest.raises(Exception, match="not on hold"):
        release_hold(session, SUPERVISOR, "1001")

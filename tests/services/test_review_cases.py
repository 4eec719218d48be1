"""Risky paths: expired lots, a newer schema, a shared new customer, refused re-verification."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from app import clock
from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import make_engine, unit_of_work
from app.db.models import Customer, Order
from app.db.schema import SchemaMismatch
from app.domain.formats.masterdata_rows import StockRow
from app.services.desk.order_actions import cancel_order
from app.services.desk.order_list import DeskFilter, count_orders
from app.services.intake.receiving import import_orders
from app.services.intake.verification import verify_many
from app.services.masterdata.imports import load_master_data
from tests.services.floor import SUPERVISOR, load_floor, write_orders


def test_expired_lots_are_never_promised(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    past, future = clock.today() - timedelta(days=1), clock.today() + timedelta(days=400)
    load_master_data(
        db.sessions,
        SUPERVISOR,
        stock=[
            StockRow("A01-03-1", "SOCK-ZOE", 50, "OLD", past),
            StockRow("A02-03-1", "SOCK-ZOE", 2, "NEW", future),
        ],
    )
    path = write_orders(tmp_path / "o.csv", {"#1": [("SOCK-ZOE", 4)], "#2": [("SOCK-ZOE", 60)]})
    summary = import_orders(db.sessions, SUPERVISOR, path, "csv")
    first, second = summary.received
    assert first.status.value == "READY"  # 3 undated + 1 of lot NEW, never lot OLD
    assert second.reasons == ("not enough stock of SOCK-ZOE: needs 60, 1 free to promise",)


def test_a_database_from_a_newer_baton_is_refused_not_migrated(db_url: str) -> None:
    open_database(DatabaseChoice(db_url, embedded_default=False)).close()
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    for embedded in (True, False):
        with pytest.raises(SchemaMismatch, match="newer Baton"):
            open_database(DatabaseChoice(db_url, embedded_default=embedded))


def test_two_imports_creating_the_same_new_customer_both_land(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    path = write_orders(tmp_path / "o.csv", {"#2": [("MUG-BLUE", 1)]}, email="new@example.com")
    holding = threading.Event()
    release = threading.Event()

    def other_station() -> None:
        with unit_of_work(db.sessions) as session:
            session.add(Customer(email="new@example.com", name="Other", phone=""))
            session.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=other_station)
    thread.start()
    assert holding.wait(10)
    result: list[object] = []
    importer = threading.Thread(
        target=lambda: result.append(import_orders(db.sessions, SUPERVISOR, path, "csv"))
    )
    importer.start()
    time.sleep(0.5)  # the import now waits on the other station's transaction
    release.set()
    thread.join(10)
    importer.join(30)
    (summary,) = result
    assert [v.number for v in summary.received] == ["#2"]  # type: ignore[attr-defined]
    with db.sessions() as session:
        assert session.scalar(select(Order.number).where(Order.number == "#2")) == "#2"


def test_verify_many_goes_on_past_an_order_cancelled_meanwhile(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)
    path = write_orders(
        tmp_path / "o.csv",
        {"#1": [("MUG-BLUE", 1)], "#2": [("MUG-BLUE", 1)]},
        payment_status="pending",
    )
    import_orders(db.sessions, SUPERVISOR, path, "csv")
    with unit_of_work(db.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1", "customer asked")
        session.execute(update(Order).where(Order.number == "#2").values(payment_status="paid"))
    verdicts = verify_many(db.sessions, SUPERVISOR, ["#1", "#2"])
    assert verdicts[0].status is None and "CANCELLED" in verdicts[0].reasons[0]
    assert verdicts[1].status is not None and verdicts[1].status.value == "READY"


def test_desk_search_folds_accents_and_takes_wildcards_literally(
    db: Database, tmp_path: Path
) -> None:
    load_floor(db)
    path = write_orders(tmp_path / "o.csv", {"#1": [("MUG-BLUE", 1)]}, ship_name="ÅSA ÖBERG")
    import_orders(db.sessions, SUPERVISOR, path, "csv")
    with db.sessions() as session:
        assert count_orders(session, DeskFilter(text="åsa")) == 1
        assert count_orders(session, DeskFilter(text="_")) == 0
        assert count_orders(session, DeskFilter(text="%")) == 0


def test_a_gtin_sent_as_sku_finds_its_product_in_any_length(db: Database, tmp_path: Path) -> None:
    load_floor(db)  # MUG-BLUE has the EAN-13 barcode 4006381333931
    path = write_orders(tmp_path / "o.csv", {"#1": [("04006381333931", 1)]})
    (verdict,) = import_orders(db.sessions, SUPERVISOR, path, "csv").received
    assert verdict.status is not None and verdict.status.value == "READY"

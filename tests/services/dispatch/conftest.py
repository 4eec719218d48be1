"""A dock with doors and cartons closed at the pack bench, on both databases."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order
from app.db.packing_models import Carton
from app.domain.roles import Role
from app.domain.scanning.classify import Scan
from app.services.actor import Actor
from app.services.dispatch.doors import set_door
from app.services.dispatch.loading import LoadOutcome, load_carton
from app.services.masterdata.operators import add_operator
from app.services.packing.bench import close_carton, pack_item, start_packing
from tests.services.floor import SUPERVISOR
from tests.services.journey import GTIN, add_packer, picked, scanned


def pack(db: Database, packer: Actor, tote: str, cartons: Sequence[Sequence[str]]) -> list[str]:
    """Pack the order in `tote`, one carton per list of SKUs (a unit each); the tracking
    numbers of its cartons in order."""
    with unit_of_work(db.sessions) as session:
        number = start_packing(session, packer, scanned(tote)).view.order
    for skus in cartons:
        outcome = None
        for sku in skus:
            with unit_of_work(db.sessions) as session:
                outcome = pack_item(session, packer, number, scanned(GTIN[sku]))
        assert outcome is not None and outcome.view.open_carton is not None
        weight = outcome.view.open_carton.expected_weight_g
        with unit_of_work(db.sessions) as session:
            close_carton(session, packer, number, weight)
    return tracking_numbers(db, number)


def tracking_numbers(db: Database, number: str) -> list[str]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(Carton.tracking_number)
                .join(Order, Order.id == Carton.order_id)
                .where(Order.number == number, Carton.status != "VOID")
                .order_by(Carton.seq)
            )
        )


def carrier_of(db: Database, tracking: str) -> str:
    with db.sessions() as session:
        return session.scalars(
            select(Carton.carrier).where(Carton.tracking_number == tracking)
        ).one()


def add_shipper(db: Database, badge: str = "OP-4100", name: str = "Lee") -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, SUPERVISOR, badge, name, Role.SHIPPER, "1234")
    return Actor(operator_id=info.id, name=name, role=Role.SHIPPER, station=f"dock {name}")


def load(db: Database, actor: Actor, door: str, code: str) -> LoadOutcome:
    scan = scanned(code)
    assert isinstance(scan, Scan)
    with unit_of_work(db.sessions) as session:
        return load_carton(session, actor, door, scan)


@pytest.fixture
def dock(bench: Database, tmp_path: Path) -> Database:
    """#1001 packed in two cartons, #1002 and #1003 in one each (the postal service), #1004
    asking for UPS; a door for every carrier they use (DOCK-1, DOCK-2, ... in the order first
    met) and DOCK-9 with no carrier."""
    picked(
        bench, tmp_path, {"#1004": [("SOCK-ZOE", 1)]}, {"#1004": "T0004"}, "OP-1101", carrier="UPS"
    )
    sam = add_packer(bench)
    pack(bench, sam, "T0001", [["MUG-BLUE"], ["MUG-BLUE", "TEA-EARL"]])
    pack(bench, sam, "T0002", [["SOCK-ZOE"]])
    pack(bench, sam, "T0003", [["MUG-BLUE"]])
    pack(bench, sam, "T0004", [["SOCK-ZOE"]])
    carriers: list[str] = []
    for number in ("#1001", "#1002", "#1003", "#1004"):
        for tracking in tracking_numbers(bench, number):
            carrier = carrier_of(bench, tracking)
            if carrier not in carriers:
                carriers.append(carrier)
    with unit_of_work(bench.sessions) as session:
        for index, carrier in enumerate(carriers, start=1):
            set_door(session, SUPERVISOR, f"DOCK-{index}", carrier)
        set_door(session, SUPERVISOR, "DOCK-9", "")
    return bench

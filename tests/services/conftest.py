"""Fixtures shared by the service tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db.database import Database
from app.db.engine import unit_of_work
from app.domain.roles import Role
from app.services.masterdata.operators import add_operator
from app.services.packing.boxes import DEMO_BOXES, save_boxes
from tests.services.floor import SUPERVISOR, load_floor
from tests.services.journey import (
    BOSS_BADGE,
    order_status,
    picked,
)


@pytest.fixture
def bench(db: Database, tmp_path: Path) -> Database:
    """The small floor with box types, a supervisor, and orders #1001-#1003 picked into totes."""
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        save_boxes(session, SUPERVISOR, DEMO_BOXES)
        add_operator(session, SUPERVISOR, BOSS_BADGE, "Boss", Role.SUPERVISOR, "1234")
    orders = {
        "#1001": [("MUG-BLUE", 2), ("TEA-EARL", 1)],
        "#1002": [("SOCK-ZOE", 1)],
        "#1003": [("MUG-BLUE", 1)],
    }
    picked(db, tmp_path, orders, {"#1001": "T0001", "#1002": "T0002", "#1003": "T0003"})
    assert {order_status(db, n) for n in orders} == {"PICKED"}
    return db

"""The supervisor's desk: paging and filters, fixing an address, releasing, cancelling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order
from app.domain.order_drafts import AddressDraft
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.desk.order_actions import cancel_order, fix_address, release_hold
from app.services.desk.order_list import DeskFilter, count_orders, desk_rows, status_counts
from app.services.desk.orders import show_order
from app.services.errors import InvalidInput, NotAllowed, WrongState
from app.services.intake.receiving import import_orders
from app.services.ship_to import ship_to
from tests.services.floor import SUPERVISOR, load_floor, stock_levels, write_orders


@pytest.fixture
def desk(db: Database, tmp_path: Path) -> Database:
    load_floor(db)
    write_orders(tmp_path / "ok.csv", {f"#{n}": [("MUG-BLUE", 1)] for n in range(1, 6)})
    write_orders(tmp_path / "bad.csv", {"#9": [("TEA-EARL", 2)]}, ship_postal_code="80011")
    for name in ("ok.csv", "bad.csv"):
        import_orders(db.sessions, SUPERVISOR, tmp_path / name, "csv")
    return db


def test_pages_filters_and_counts(desk: Database) -> None:
    with desk.sessions() as session:
        assert count_orders(session, DeskFilter()) == 6
        first = desk_rows(session, DeskFilter(), 0, 4)
        rest = desk_rows(session, DeskFilter(), 4, 4)
        held = desk_rows(session, DeskFilter(status="ON_HOLD"), 0, 10)
        found = desk_rows(session, DeskFilter(text="#9"), 0, 10)
        zurich = count_orders(session, DeskFilter(text="zürich"))
        counts = status_counts(session)
    assert len(first) == 4 and len(rest) == 2
    assert {r.number for r in first + rest} == {"#1", "#2", "#3", "#4", "#5", "#9"}
    assert [r.number for r in held] == ["#9"]
    assert held[0].hold_reasons == (
        "postal code '80011' does not look like a CH postal code (expected like 8001)",
    )
    assert (held[0].lines, held[0].units, held[0].customer) == (1, 2, "Zoë Ångström")
    assert [r.number for r in found] == ["#9"]
    assert zurich == 6
    assert counts == {"READY": 5, "ON_HOLD": 1}


def test_fixing_the_address_reverifies_and_records_what_changed(desk: Database) -> None:
    with unit_of_work(desk.sessions) as session:
        verdict = fix_address(
            session,
            SUPERVISOR,
            "#9",
            replace(_address(desk, "#9"), postal_code=" 8001 "),
            "customer phoned",
        )
    assert verdict is not None and verdict.status.value == "READY" and verdict.reasons == ()
    with desk.sessions() as session:
        detail = show_order(session, "#9")
    assert detail.ship_to["postal_code"] == "8001"
    fixed = next(e for e in detail.timeline if e.kind == "address_fixed")
    assert fixed.detail == "postal_code: '80011' -> '8001' (customer phoned)"
    assert [e.kind for e in detail.timeline][-1] == "verified"


def test_unchanged_or_oversized_address_changes_nothing(desk: Database) -> None:
    address = _address(desk, "#9")
    with pytest.raises(InvalidInput, match="unchanged"), unit_of_work(desk.sessions) as session:
        fix_address(session, SUPERVISOR, "#9", address)
    with pytest.raises(InvalidInput, match="longer than"), unit_of_work(desk.sessions) as session:
        fix_address(session, SUPERVISOR, "#9", replace(address, city="x" * 500))
    with desk.sessions() as session:
        assert show_order(session, "#9").order.status == "ON_HOLD"


def test_release_reverifies_and_keeps_holding_while_the_reason_stands(desk: Database) -> None:
    with unit_of_work(desk.sessions) as session:
        verdict = release_hold(session, SUPERVISOR, "#9", "checked with customer")
    assert verdict.status.value == "ON_HOLD" and "postal code" in verdict.reasons[0]
    with desk.sessions() as session:
        kinds = [e.kind for e in show_order(session, "#9").timeline]
    assert kinds[-2:] == ["hold_released", "verified"]
    with pytest.raises(WrongState, match="not on hold"), unit_of_work(desk.sessions) as session:
        release_hold(session, SUPERVISOR, "#1")


def test_cancel_gives_stock_back(desk: Database) -> None:
    before = sum(reserved for _, reserved in stock_levels(desk).values())
    with unit_of_work(desk.sessions) as session:
        assert cancel_order(session, SUPERVISOR, "#1", "duplicate order") == 1
    assert sum(reserved for _, reserved in stock_levels(desk).values()) == before - 1
    with desk.sessions() as session:
        assert count_orders(session, DeskFilter()) == 5  # cancelled leaves the open desk
        assert count_orders(session, DeskFilter(status="ALL")) == 6


def test_a_packer_cannot_use_the_desk_actions(desk: Database) -> None:
    packer = Actor(operator_id=None, name="Kim", role=Role.PACKER, station="bench 2")
    for action in (
        lambda s: release_hold(s, packer, "#9"),
        lambda s: cancel_order(s, packer, "#1", "x"),
        lambda s: fix_address(s, packer, "#9", _address(desk, "#9")),
    ):
        with pytest.raises(NotAllowed), unit_of_work(desk.sessions) as session:
            action(session)


def _address(db: Database, number: str) -> AddressDraft:
    with db.sessions() as session:
        return ship_to(session.scalars(select(Order).where(Order.number == number)).one())

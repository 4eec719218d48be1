"""Lines without a SKU: received and held naming the line, mapped by a supervisor, remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent, OrderLine, ProductAlias
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.desk.order_actions import cancel_order
from app.services.desk.orders import show_order
from app.services.errors import BatonError, InvalidInput, NotAllowed, NotFound, WrongState
from app.services.intake.aliases import list_aliases, remove_alias, set_alias
from app.services.intake.line_mapping import UnmappedLine, map_line, unmapped_lines
from app.services.intake.receiving import import_orders
from tests.services.floor import SUPERVISOR, load_floor, stock_levels, write_orders

FIXTURES = Path(__file__).parents[2] / "fixtures" / "orders"
EXPORT = FIXTURES / "shopify_lines_without_sku.csv"
BOWL = "line 1 'Hand-made clay bowl' has no SKU"


@pytest.fixture
def held(db: Database) -> Database:
    """The small floor and the Shopify export: #2001 held for its bowl, #2002 ready."""
    load_floor(db)
    summary = import_orders(db.sessions, SUPERVISOR, EXPORT, "shopify")
    assert [v.number for v in summary.received] == ["#2001", "#2002"]
    return db


def _later_export(tmp_path: Path, name: str) -> Path:
    """The same export as a later day's: the bowl's order under a new number, written `name`."""
    text = EXPORT.read_text(encoding="utf-8").replace("#2001", "#2003").replace("#2002", "#2004")
    path = tmp_path / "later.csv"
    path.write_text(text.replace("Hand-made clay bowl", name), encoding="utf-8")
    return path


def _status(db: Database, number: str) -> str:
    with db.sessions() as session:
        return session.scalars(select(Order.status).where(Order.number == number)).one()


def test_shopify_line_without_sku_is_received_and_held_naming_the_line(held: Database) -> None:
    with held.sessions() as session:
        order = show_order(session, "#2001").order
        lines = session.scalars(
            select(OrderLine).join(Order).where(Order.number == "#2001").order_by(OrderLine.line_no)
        ).all()
        unmapped = unmapped_lines(session, "#2001")
    assert (order.status, order.hold_reasons) == ("ON_HOLD", (BOWL,))
    assert [(line.sku, line.product_id is None, line.to_pick) for line in lines] == [
        ("", True, True),  # the bowl: stored as the shop sent it
        ("TEA-EARL", False, True),
        ("", True, False),  # gift wrapping ships nothing: needs no SKU, holds nothing
    ]
    assert unmapped == [UnmappedLine(1, "Hand-made clay bowl", 1)]
    assert _status(held, "#2002") == "READY"  # its wrapping has no SKU and ships nothing
    # Only #2002's tea is reserved: a held order keeps no stock from others.
    assert sum(reserved for _, reserved in stock_levels(held).values()) == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_generic_formats_hold_a_line_without_sku_too(
    db: Database, tmp_path: Path, fmt: str
) -> None:
    load_floor(db)
    if fmt == "csv":
        path = write_orders(tmp_path / "o.csv", {"#7": [("", 1), ("MUG-BLUE", 1)]})
    else:
        path = tmp_path / "o.json"
        path.write_text(
            '[{"order_number": "#7", "ship_to": {"name": "Zoë", "address1": "Bahnhofstrasse 12",'
            ' "city": "Zürich", "postal_code": "8001", "country": "CH"}, "lines": ['
            '{"sku": "", "quantity": 1}, {"sku": "MUG-BLUE", "quantity": 1}]}]',
            encoding="utf-8",
        )
    (verdict,) = import_orders(db.sessions, SUPERVISOR, path, fmt).received
    assert (verdict.status.value, verdict.reasons) == ("ON_HOLD", ("line 1 has no SKU",))


def test_mapping_the_line_verifies_the_order_again(held: Database) -> None:
    with unit_of_work(held.sessions) as session:
        mapped = map_line(session, SUPERVISOR, "#2001", 1, " MUG-BLUE ")
    assert (mapped.sku, mapped.remembered) == ("MUG-BLUE", False)
    assert (mapped.verdict.status.value, mapped.verdict.reasons) == ("READY", ())
    with held.sessions() as session:
        detail = show_order(session, "#2001")
        assert unmapped_lines(session, "#2001") == []
        assert session.scalar(select(func.count(ProductAlias.id))) == 0
    line = detail.order.lines[0]
    assert (line.sku, [a.quantity for a in line.allocated]) == ("MUG-BLUE", [1])
    mapped_event, verified = detail.timeline[-2:]
    assert (mapped_event.kind, mapped_event.station, mapped_event.detail) == (
        "line_mapped",
        "test station",
        "line 1 'Hand-made clay bowl' mapped to MUG-BLUE",
    )
    assert (verified.kind, verified.from_status, verified.to_status) == (
        "verified",
        "ON_HOLD",
        "READY",
    )


def test_a_scanned_barcode_maps_the_line_to_its_product(held: Database) -> None:
    with unit_of_work(held.sessions) as session:
        # SOCK-ZOE's GTIN-8 as a GTIN-14, the way a GS1 scan gives it.
        mapped = map_line(session, SUPERVISOR, "#2001", 1, "00000096385074")
    assert mapped.sku == "SOCK-ZOE" and mapped.verdict.status.value == "READY"


def test_other_reasons_keep_the_order_held_after_mapping(db: Database, tmp_path: Path) -> None:
    load_floor(db)
    path = write_orders(tmp_path / "o.csv", {"#8": [("", 1)]}, payment_status="pending")
    import_orders(db.sessions, SUPERVISOR, path, "csv")
    with unit_of_work(db.sessions) as session:
        verdict = map_line(session, SUPERVISOR, "#8", 1, "TEA-EARL").verdict
    assert verdict.status.value == "ON_HOLD"
    assert verdict.reasons == ("payment is pending (not yet paid or authorised)",)


def test_remembered_mapping_maps_the_same_name_on_later_imports(
    held: Database, tmp_path: Path
) -> None:
    with unit_of_work(held.sessions) as session:
        mapped = map_line(session, SUPERVISOR, "#2001", 1, "MUG-BLUE", remember=True)
    assert mapped.remembered and mapped.verdict.status.value == "READY"
    with held.sessions() as session:
        (alias,) = list_aliases(session)
        timeline = show_order(session, "#2001").timeline
    assert (alias.name, alias.sku, alias.product, alias.created_by) == (
        "Hand-made clay bowl",
        "MUG-BLUE",
        "Blue Mug",
        "test station",
    )
    assert timeline[-2].detail.endswith("mapped to MUG-BLUE; remembered for later imports")

    # Another day, another order: the name in other capitals and spaces lands mapped.
    later = _later_export(tmp_path, "  HAND-MADE clay Bowl ")
    summary = import_orders(held.sessions, SUPERVISOR, later, "shopify")
    assert [(v.number, v.status.value, v.reasons) for v in summary.received] == [
        ("#2003", "READY", ()),
        ("#2004", "READY", ()),
    ]
    with held.sessions() as session:
        detail = show_order(session, "#2003")
    assert [line.sku for line in detail.order.lines] == ["MUG-BLUE", "TEA-EARL", ""]
    assert [(e.kind, e.to_status) for e in detail.timeline] == [
        ("received", "RECEIVED"),
        ("line_mapped", None),
        ("verified", "READY"),
    ]
    assert detail.timeline[1].detail == (
        "line 1 'HAND-MADE clay Bowl' mapped to MUG-BLUE by the alias 'Hand-made clay bowl'"
    )


def _snapshot(db: Database) -> tuple[object, ...]:
    """Everything a refused mapping must leave as it was."""
    with db.sessions() as session:
        return (
            session.execute(
                select(Order.number, Order.status, Order.version).order_by(Order.id)
            ).all(),
            session.execute(
                select(OrderLine.id, OrderLine.sku, OrderLine.product_id).order_by(OrderLine.id)
            ).all(),
            session.scalar(select(func.count(OrderEvent.id))),
            session.scalar(select(func.count(ProductAlias.id))),
            stock_levels(db),
        )


PICKER = Actor(operator_id=None, name="Maria", role=Role.PICKER, station="cart 1")


@pytest.mark.parametrize(
    ("actor", "number", "line_no", "code", "error", "message"),
    [
        (SUPERVISOR, "#2001", 1, "NO-SUCH", NotFound, "No product has the SKU or barcode"),
        (SUPERVISOR, "#2001", 1, "  ", InvalidInput, "Give the product's SKU"),
        (
            SUPERVISOR,
            "#2001",
            2,
            "MUG-BLUE",
            WrongState,
            "Order #2001 line 2 'Earl Grey Tea 100 g' has the SKU TEA-EARL already.",
        ),
        (SUPERVISOR, "#2001", 3, "MUG-BLUE", WrongState, "is not picked; it needs no SKU"),
        (SUPERVISOR, "#2001", 9, "MUG-BLUE", NotFound, "Order #2001 has no line 9"),
        (SUPERVISOR, "#404", 1, "MUG-BLUE", NotFound, "No order #404."),
        (PICKER, "#2001", 1, "MUG-BLUE", NotAllowed, "this needs a supervisor"),
    ],
    ids=["unknown-sku", "blank", "has-sku", "not-shipped", "no-line", "no-order", "picker"],
)
def test_refused_mappings_change_nothing(
    held: Database,
    actor: Actor,
    number: str,
    line_no: int,
    code: str,
    error: type[BatonError],
    message: str,
) -> None:
    before = _snapshot(held)
    with pytest.raises(error) as refused, unit_of_work(held.sessions) as session:
        map_line(session, actor, number, line_no, code, remember=True)
    assert message in refused.value.message
    assert _snapshot(held) == before


def test_a_cancelled_order_is_not_mapped(held: Database) -> None:
    with unit_of_work(held.sessions) as session:
        cancel_order(session, SUPERVISOR, "#2001", "customer asked")
    before = _snapshot(held)
    with pytest.raises(WrongState, match="CANCELLED"), unit_of_work(held.sessions) as session:
        map_line(session, SUPERVISOR, "#2001", 1, "MUG-BLUE")
    assert _snapshot(held) == before


def test_aliases_are_set_replaced_listed_and_removed(held: Database, tmp_path: Path) -> None:
    with unit_of_work(held.sessions) as session:
        first = set_alias(session, SUPERVISOR, " Hand-made clay bowl ", "MUG-BLUE")
    with unit_of_work(held.sessions) as session:
        same = set_alias(session, SUPERVISOR, "hand-made clay bowl", "MUG-BLUE")
    with unit_of_work(held.sessions) as session:
        moved = set_alias(session, SUPERVISOR, "Hand-made clay bowl", "4006381333931")
    assert (first.alias.name, first.previous_sku, first.changed) == (
        "Hand-made clay bowl",
        None,
        True,
    )
    assert (same.alias.name, same.previous_sku, same.changed) == (
        "hand-made clay bowl",  # the latest spelling is kept
        "MUG-BLUE",
        False,
    )
    # MUG-BLUE's barcode names the same product: nothing to change.
    assert (moved.alias.sku, moved.previous_sku, moved.changed) == ("MUG-BLUE", "MUG-BLUE", False)
    with unit_of_work(held.sessions) as session:
        tea = set_alias(session, SUPERVISOR, "HAND-MADE CLAY BOWL", "TEA-EARL")
        assert (tea.alias.sku, tea.previous_sku) == ("TEA-EARL", "MUG-BLUE")
        set_alias(session, SUPERVISOR, "Gift wrapping", "SOCK-ZOE")
    with held.sessions() as session:
        assert [(a.name, a.sku) for a in list_aliases(session)] == [
            ("Gift wrapping", "SOCK-ZOE"),
            ("HAND-MADE CLAY BOWL", "TEA-EARL"),
        ]
    # An alias gives a product only to a line to ship that has no SKU of its own.
    import_orders(
        held.sessions, SUPERVISOR, _later_export(tmp_path, "hand-made clay bowl"), "shopify"
    )
    with held.sessions() as session:
        lines = show_order(session, "#2003").order.lines
    assert [line.sku for line in lines] == ["TEA-EARL", "TEA-EARL", ""]
    with unit_of_work(held.sessions) as session:
        gone = remove_alias(session, SUPERVISOR, " hand-made clay BOWL")
    assert (gone.name, gone.sku) == ("HAND-MADE CLAY BOWL", "TEA-EARL")
    with held.sessions() as session:
        assert [a.name for a in list_aliases(session)] == ["Gift wrapping"]


@pytest.mark.parametrize(
    ("name", "code", "error"),
    [
        ("  ", "MUG-BLUE", InvalidInput),
        ("Bowl", "NO-SUCH", NotFound),
        ("x" * 256, "MUG-BLUE", InvalidInput),
    ],
)
def test_refused_aliases_change_nothing(
    held: Database, name: str, code: str, error: type[BatonError]
) -> None:
    with pytest.raises(error), unit_of_work(held.sessions) as session:
        set_alias(session, SUPERVISOR, name, code)
    with pytest.raises(NotFound, match="No alias 'Bowl'"), unit_of_work(held.sessions) as session:
        remove_alias(session, SUPERVISOR, "Bowl")
    with pytest.raises(NotAllowed), unit_of_work(held.sessions) as session:
        set_alias(session, PICKER, "Bowl", "MUG-BLUE")
    with held.sessions() as session:
        assert list_aliases(session) == []

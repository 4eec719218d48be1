"""Lines that came without a SKU (a custom item, a product deleted in the shop): mapped to a
product by a supervisor, who may remember the mapping for later imports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Order, OrderLine
from app.domain.roles import Role
from app.domain.states import VERIFIABLE, OrderStatus
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound, WrongState
from app.services.intake.aliases import product_for_code, set_alias
from app.services.intake.verification import Verdict, line_label, load_facts, verify_facts
from app.services.order_numbers import lock_order
from app.services.timeline import record_event


@dataclass(frozen=True)
class UnmappedLine:
    """A line to ship that has no SKU yet."""

    line_no: int
    name: str
    quantity: int


@dataclass(frozen=True)
class LineMapped:
    """What mapping a line did: the product it is now, and the order verified again."""

    number: str
    line_no: int
    sku: str
    remembered: bool
    verdict: Verdict


def unmapped_lines(session: Session, number: str) -> list[UnmappedLine]:
    """The order's lines to ship that have no SKU (none once every line names a product)."""
    return [
        UnmappedLine(line_no, name, quantity)
        for line_no, name, quantity in session.execute(
            select(OrderLine.line_no, OrderLine.name, OrderLine.quantity)
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                Order.number == number,
                OrderLine.sku == "",
                OrderLine.requires_shipping,
                OrderLine.fulfilled_before.is_(False),
            )
            .order_by(OrderLine.line_no)
        )
    ]


def map_line(
    session: Session, actor: Actor, number: str, line_no: int, code: str, *, remember: bool = False
) -> LineMapped:
    """Give a line without a SKU its product (by SKU or barcode); the order is verified again.

    With `remember`, later imports give lines of the same name that product by themselves.
    """
    actor.require(Role.SUPERVISOR)
    order = lock_order(session, number)
    number = order.number
    if OrderStatus(order.status) not in VERIFIABLE:
        raise WrongState(f"Order {number} is {order.status}; its lines can no longer change.")
    line = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.line_no == line_no)
    ).one_or_none()
    if line is None:
        raise NotFound(f"Order {number} has no line {line_no}; `baton order show` lists them.")
    label = line_label(line.line_no, line.name)
    if line.sku:
        raise WrongState(f"Order {number} {label} has the SKU {line.sku} already.")
    if not line.to_pick:
        raise WrongState(f"Order {number} {label} is not picked; it needs no SKU.")
    if remember and not line.name.strip():
        raise InvalidInput(f"Line {line_no} has no name to remember it by.")
    product = product_for_code(session, code)
    line.sku, line.product_id = product.sku, product.id
    detail = f"{label} mapped to {product.sku}"
    if remember:
        change = set_alias(session, actor, line.name, product.sku)
        detail += "; remembered for later imports"
        if change.changed and change.previous_sku is not None:
            detail += f" (the name was {change.previous_sku} before)"
    record_event(session, order, actor, "line_mapped", detail)
    session.flush()
    (facts,) = load_facts(session, [number])
    verdict = verify_facts(session, actor, [facts])[0]
    return LineMapped(number, line_no, product.sku, remember, verdict)

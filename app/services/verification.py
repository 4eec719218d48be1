"""Verification: may this order go to the floor? Stock, payment, address and SKUs, every reason.

Stock is reserved only for an order that passes every check, so a held order never sits on
units another order could ship. A reservation is a conditional UPDATE (`reserved + n <=
quantity` in the WHERE clause), so no unit is ever promised twice, whatever runs at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app.db.engine import unit_of_work
from app.db.models import (
    Allocation,
    Location,
    Order,
    OrderHold,
    OrderLine,
    Product,
    ProductBarcode,
    Stock,
)
from app.domain.address import address_problems
from app.domain.allocation import StockOption, Take, plan_allocation
from app.domain.order_drafts import AddressDraft
from app.domain.payment import payment_problem
from app.domain.roles import Role
from app.domain.states import VERIFIABLE, OrderStatus
from app.services.actor import Actor
from app.services.errors import Conflict, NotFound, WrongState
from app.services.timeline import move_order

_RESERVE_ATTEMPTS = 5


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying one order."""

    number: str
    status: OrderStatus
    reasons: tuple[str, ...]


class _LostRace(Exception):
    """Another transaction took the stock we planned to reserve; plan again."""


def ship_to(order: Order) -> AddressDraft:
    """The order's ship-to address as a plain value."""
    return AddressDraft(
        name=order.ship_name,
        company=order.ship_company,
        address1=order.ship_address1,
        address2=order.ship_address2,
        city=order.ship_city,
        region=order.ship_region,
        postal_code=order.ship_postal_code,
        country=order.ship_country,
        phone=order.ship_phone,
    )


def load_order_for_update(session: Session, number: str) -> Order:
    """The order with its lines and allocations, locked against other writers (PostgreSQL)."""
    order = session.scalars(
        select(Order)
        .where(Order.number == number)
        .options(
            selectinload(Order.lines).selectinload(OrderLine.allocations),
            selectinload(Order.holds),
        )
        .with_for_update(of=Order)
    ).one_or_none()
    if order is None:
        raise NotFound(f"No order {number}.")
    return order


def verify_order(session: Session, actor: Actor, number: str) -> Verdict:
    """Verify one order now (supervisor action); READY or ON_HOLD with every reason."""
    actor.require(Role.SUPERVISOR)
    return verify_loaded(session, actor, load_order_for_update(session, number))


def verify_loaded(session: Session, actor: Actor, order: Order) -> Verdict:
    """Verify an order already loaded in `session` (intake calls this right after receiving)."""
    if OrderStatus(order.status) not in VERIFIABLE:
        raise WrongState(
            f"Order {order.number} is {order.status}; only orders not yet released are verified."
        )
    release_allocations(session, order)
    order.holds.clear()
    _resolve_products(session, order.lines)

    reasons: list[tuple[str, str]] = [("address", p) for p in address_problems(ship_to(order))]
    if problem := payment_problem(order.payment_status):
        reasons.append(("payment", problem))
    reasons += [
        ("sku", f"unknown SKU '{line.sku}' on line {line.line_no}")
        if line.sku
        else ("sku", f"line {line.line_no} ({line.name or 'no name'}) has no SKU")
        for line in order.lines
        if line.to_pick and line.product_id is None
    ]
    if not any(line.to_pick for line in order.lines):
        reasons.append(("nothing", "nothing to ship: no line needs shipping"))
    wanted = [line for line in order.lines if line.to_pick and line.product_id is not None]

    for attempt in range(_RESERVE_ATTEMPTS):
        plan, shortages = _plan(session, wanted)
        if reasons or shortages:
            break
        try:
            with session.begin_nested():
                _reserve(session, plan)
            break
        except _LostRace:
            if attempt == _RESERVE_ATTEMPTS - 1:
                raise Conflict(
                    f"Stock for order {order.number} kept changing under other stations; try again."
                ) from None
    reasons += [("stock", shortage) for shortage in shortages]

    target = OrderStatus.ON_HOLD if reasons else OrderStatus.READY
    for code, message in reasons:
        order.holds.append(OrderHold(code=code, message=message))
    messages = tuple(message for _, message in reasons)
    detail = "; ".join(messages) if reasons else "stock reserved; payment and address checked"
    move_order(session, order, target, actor, "verified", detail)
    return Verdict(order.number, target, messages)


def release_allocations(session: Session, order: Order) -> int:
    """Give back every unit the order holds in stock; returns how many units were released."""
    released = 0
    for line in order.lines:
        for allocation in line.allocations:
            session.execute(
                update(Stock)
                .where(Stock.id == allocation.stock_id)
                .values(reserved=Stock.reserved - allocation.quantity, version=Stock.version + 1)
            )
            released += allocation.quantity
        line.allocations.clear()
    session.flush()
    return released


def verify_many(
    factory: sessionmaker[Session],
    actor: Actor,
    numbers: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Verdict]:
    """Verify the named orders, or all RECEIVED and ON_HOLD ones by cutoff; a transaction each."""
    actor.require(Role.SUPERVISOR)
    if numbers is None:
        with factory() as session:
            numbers = list(
                session.scalars(
                    select(Order.number)
                    .where(
                        Order.status.in_([OrderStatus.RECEIVED.value, OrderStatus.ON_HOLD.value])
                    )
                    .order_by(
                        Order.ship_by.is_(None), Order.ship_by, Order.priority.desc(), Order.id
                    )
                )
            )
    todo = list(numbers)
    verdicts = []
    for done, number in enumerate(todo, start=1):
        with unit_of_work(factory) as session:
            verdicts.append(verify_order(session, actor, number))
        if progress:
            progress(done, len(todo))
    return verdicts


def _resolve_products(session: Session, lines: Sequence[OrderLine]) -> None:
    """Match lines to products by SKU, or by barcode when a shop sends a GTIN as its SKU."""
    unknown = {line.sku for line in lines if line.product_id is None and line.to_pick}
    if not unknown:
        return
    found = dict(
        session.execute(select(Product.sku, Product.id).where(Product.sku.in_(unknown))).all()
    )
    by_code = dict(
        session.execute(
            select(ProductBarcode.code, ProductBarcode.product_id).where(
                ProductBarcode.code.in_(unknown - found.keys()), ProductBarcode.pack_quantity == 1
            )
        ).all()
    )
    for line in lines:
        if line.product_id is None:
            line.product_id = found.get(line.sku) or by_code.get(line.sku)


def _plan(
    session: Session, lines: Sequence[OrderLine]
) -> tuple[list[tuple[OrderLine, list[Take]]], list[str]]:
    """Which stock each line would take, and a sentence per product that is short."""
    product_ids = {line.product_id for line in lines}
    rows = session.execute(
        select(
            Stock.id,
            Stock.product_id,
            Location.code,
            Stock.quantity - Stock.reserved,
            Stock.lot,
            Stock.expiry,
        )
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.product_id.in_(product_ids), Stock.quantity > Stock.reserved)
    ).all()
    available: dict[int, dict[int, StockOption]] = {}
    for stock_id, product_id, code, free, lot, expiry in rows:
        available.setdefault(product_id, {})[stock_id] = StockOption(
            stock_id, code, free, lot, expiry
        )

    plan: list[tuple[OrderLine, list[Take]]] = []
    short: dict[str, tuple[int, int]] = {}
    for line in lines:
        assert line.product_id is not None
        options = available.get(line.product_id, {})
        takes = plan_allocation(line.quantity, options.values())
        if takes is None:
            need, have = short.get(line.sku, (0, 0))
            short[line.sku] = (
                need + line.quantity,
                sum(o.available for o in options.values()) + have,
            )
            options.clear()  # whatever there was now counts towards this shortage
            continue
        for take in takes:
            option = options[take.stock_id]
            options[take.stock_id] = StockOption(
                option.stock_id,
                option.location_code,
                option.available - take.quantity,
                option.lot,
                option.expiry,
            )
        plan.append((line, takes))
    shortages = [
        f"not enough stock of {sku}: needs {need}, {have} free to promise"
        for sku, (need, have) in short.items()
    ]
    return plan, shortages


def _reserve(session: Session, plan: list[tuple[OrderLine, list[Take]]]) -> None:
    # Lock in a stable order (by stock id) so two orders never wait on each other in a cycle.
    takes = sorted(
        ((line, take) for line, takes in plan for take in takes), key=lambda lt: lt[1].stock_id
    )
    for _, take in takes:
        result = session.execute(
            update(Stock)
            .where(Stock.id == take.stock_id, Stock.reserved + take.quantity <= Stock.quantity)
            .values(reserved=Stock.reserved + take.quantity, version=Stock.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise _LostRace
    # Only now that every unit is ours do the lines learn where their stock is.
    for line, take in takes:
        line.allocations.append(Allocation(stock_id=take.stock_id, quantity=take.quantity))
    session.flush()

"""Verification: may this order go to the floor? Stock, payment, address and SKUs, every reason.

Stock is reserved only for an order that passes every check, so a held order never sits on
units another order could ship. The stock rows an order could take from are read FOR UPDATE
(SQLite holds the write lock from BEGIN), and every reservation is an UPDATE whose WHERE
clause refuses to promise more than there is: no unit is ever promised twice.

Orders are verified in batches (an import verifies many at once) with a fixed number of
statements per batch, working on plain facts rather than ORM objects; one order is a batch
of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import (
    Allocation,
    Location,
    Order,
    OrderEvent,
    OrderHold,
    OrderLine,
    Stock,
)
from app.domain.address import address_problems
from app.domain.allocation import StockOption, Take, plan_allocation
from app.domain.order_drafts import AddressDraft
from app.domain.payment import payment_problem
from app.domain.roles import Role
from app.domain.states import VERIFIABLE, OrderStatus, can_move
from app.services.actor import Actor
from app.services.errors import Conflict, NotFound, WrongState
from app.services.masterdata.catalog import product_ids_for
from app.services.order_numbers import resolve_order_number
from app.services.ship_to import ship_to
from app.services.timeline import event_values

# product id -> stock id -> what is still free there
_Free = dict[int, dict[int, StockOption]]
# Core tables for executemany updates, which need no ORM objects.
_STOCK = cast(Table, Stock.__table__)
_ORDERS = cast(Table, Order.__table__)
_LINES = cast(Table, OrderLine.__table__)


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying one order (status None: it could not be verified, see reasons)."""

    number: str
    status: OrderStatus | None
    reasons: tuple[str, ...]


@dataclass
class LineFacts:
    """What verification needs to know of an order line."""

    id: int
    line_no: int
    sku: str
    name: str
    product_id: int | None
    quantity: int
    to_pick: bool


@dataclass
class OrderFacts:
    """What verification needs to know of an order."""

    id: int
    number: str
    status: OrderStatus
    version: int
    ship_to: AddressDraft
    payment_status: str
    lines: list[LineFacts]


def verify_order(session: Session, actor: Actor, number: str) -> Verdict:
    """Verify one order now (supervisor action); READY or ON_HOLD with every reason."""
    actor.require(Role.SUPERVISOR)
    number = resolve_order_number(session, number)
    return verify_facts(session, actor, load_facts(session, [number]))[0]


def load_facts(session: Session, numbers: Sequence[str]) -> list[OrderFacts]:
    """The named orders as facts, locked against other writers, in the order named."""
    rows = session.execute(
        select(Order).where(Order.number.in_(numbers)).with_for_update()
    ).scalars()
    by_number = {order.number: order for order in rows}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        raise NotFound(f"No order {', '.join(missing)}.")
    orders = [by_number[n] for n in numbers]
    lines: dict[int, list[LineFacts]] = defaultdict(list)
    for line in session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(OrderLine.order_id, OrderLine.line_no)
    ):
        lines[line.order_id].append(
            LineFacts(
                line.id,
                line.line_no,
                line.sku,
                line.name,
                line.product_id,
                line.quantity,
                line.to_pick,
            )
        )
    return [
        OrderFacts(
            id=o.id,
            number=o.number,
            status=OrderStatus(o.status),
            version=o.version,
            ship_to=ship_to(o),
            payment_status=o.payment_status,
            lines=lines[o.id],
        )
        for o in orders
    ]


def verify_facts(session: Session, actor: Actor, orders: Sequence[OrderFacts]) -> list[Verdict]:
    """Verify orders (in the given order of priority) and write the outcome of each."""
    actor.require(Role.SUPERVISOR)
    for order in orders:
        if order.status not in VERIFIABLE:
            raise WrongState(
                f"Order {order.number} is {order.status.value}; "
                "only orders not yet released are verified."
            )
    ids = [order.id for order in orders]
    release_allocations(session, ids)
    session.execute(delete(OrderHold).where(OrderHold.order_id.in_(ids)))
    _resolve_products(session, [line for order in orders for line in order.lines])
    reasons = {order.id: _order_problems(order) for order in orders}
    for order_id, shortages in _reserve_stock(session, orders, reasons).items():
        reasons[order_id] += [("stock", shortage) for shortage in shortages]

    verdicts, holds, moves, events = [], [], [], []
    for order in orders:
        found = reasons[order.id]
        target = OrderStatus.ON_HOLD if found else OrderStatus.READY
        if not can_move(order.status, target):
            raise WrongState(
                f"Order {order.number} is {order.status.value}; it cannot be verified."
            )
        messages = tuple(message for _, message in found)
        holds += [{"order_id": order.id, "code": c, "message": m} for c, m in found]
        moves.append({"oid": order.id, "old": order.version, "status": target.value})
        detail = "; ".join(messages) if found else "stock reserved; payment and address checked"
        events.append(
            event_values(
                order.id, actor, "verified", detail, from_status=order.status, to_status=target
            )
        )
        verdicts.append(Verdict(order.number, target, messages))
        order.status, order.version = target, order.version + 1
    if holds:
        session.execute(insert(OrderHold), holds)
    _move_all(session, moves)
    session.execute(insert(OrderEvent), events)
    return verdicts


def release_allocations(session: Session, order_ids: Iterable[int]) -> int:
    """Give back every unit the orders hold in stock; returns how many units were released."""
    line_ids = select(OrderLine.id).where(OrderLine.order_id.in_(list(order_ids)))
    per_stock: dict[int, int] = defaultdict(int)
    for stock_id, quantity in session.execute(
        select(Allocation.stock_id, Allocation.quantity).where(
            Allocation.order_line_id.in_(line_ids)
        )
    ):
        per_stock[stock_id] -= quantity
    if per_stock:
        session.execute(delete(Allocation).where(Allocation.order_line_id.in_(line_ids)))
        adjust_reserved(session, per_stock)
    return -sum(per_stock.values())


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
        try:
            with unit_of_work(factory) as session:
                verdicts.append(verify_order(session, actor, number))
        except (NotFound, WrongState) as exc:
            # Cancelled or released by another station since the list was made: say so, go on.
            verdicts.append(Verdict(number, None, (exc.message,)))
        if progress:
            progress(done, len(todo))
    return verdicts


def adjust_reserved(session: Session, change: dict[int, int]) -> None:
    """Add `change[stock_id]` units to each row's reservation (negative gives back), at once.

    The WHERE clause refuses to promise more than there is, or to give back more than was
    promised; a refused row means the caller's view was stale, and its transaction is undone.
    """
    params = [{"sid": sid, "units": units} for sid, units in sorted(change.items()) if units]
    if not params:
        return
    stock = _STOCK.c
    units: BindParameter[int] = bindparam("units")
    statement = (
        update(_STOCK)
        .where(
            stock.id == bindparam("sid"),
            stock.reserved + units <= stock.quantity,
            stock.reserved + units >= 0,
        )
        .values(reserved=stock.reserved + units, version=stock.version + 1)
    )
    result = session.connection().execute(statement, params)
    if result.rowcount != len(params):
        raise Conflict("Stock changed under another station while reserving; try again.")


def _move_all(session: Session, moves: list[dict[str, Any]]) -> None:
    """Set each order's new status if its version is still the one read (optimistic lock)."""
    table = _ORDERS.c
    statement = (
        update(_ORDERS)
        .where(table.id == bindparam("oid"), table.version == bindparam("old"))
        .values(status=bindparam("status"), version=table.version + 1)
    )
    result = session.connection().execute(statement, moves)
    if result.rowcount != len(moves):
        raise Conflict("Another station changed one of these orders at the same time; try again.")


def _order_problems(order: OrderFacts) -> list[tuple[str, str]]:
    """Every reason other than stock that keeps `order` off the floor, as (code, message)."""
    problems = [("address", p) for p in address_problems(order.ship_to)]
    if problem := payment_problem(order.payment_status):
        problems.append(("payment", problem))
    for line in order.lines:
        if line.to_pick and line.product_id is None and line.sku:
            problems.append(("sku", f"unknown SKU '{line.sku}' on line {line.line_no}"))
        elif line.to_pick and line.product_id is None:
            # A custom item or a product deleted in the shop: a supervisor maps it to a product.
            problems.append(("no_sku", f"{line_label(line.line_no, line.name)} has no SKU"))
    if not any(line.to_pick for line in order.lines):
        problems.append(("nothing", "nothing to ship: no line needs shipping"))
    return problems


def line_label(line_no: int, name: str) -> str:
    """How messages name an order line: its number and, when it has one, its name."""
    return f"line {line_no} '{name}'" if name else f"line {line_no}"


def _resolve_products(session: Session, lines: Sequence[LineFacts]) -> None:
    """Match lines to products by SKU, or by barcode when a shop sends a GTIN as its SKU."""
    unknown = {line.sku for line in lines if line.product_id is None and line.to_pick and line.sku}
    if not unknown:
        return
    found = product_ids_for(session, unknown)
    resolved = []
    for line in lines:
        if line.product_id is None and line.sku in found:
            line.product_id = found[line.sku]
            resolved.append({"lid": line.id, "pid": line.product_id})
    if resolved:
        table = _LINES.c
        session.connection().execute(
            update(_LINES).where(table.id == bindparam("lid")).values(product_id=bindparam("pid")),
            resolved,
        )


def _reserve_stock(
    session: Session, orders: Sequence[OrderFacts], reasons: dict[int, list[tuple[str, str]]]
) -> dict[int, list[str]]:
    """Reserve stock for every order without other problems; returns shortages per order id."""
    free = _free_stock(session, orders)
    allocations: list[dict[str, int]] = []
    per_stock: dict[int, int] = defaultdict(int)
    shortages: dict[int, list[str]] = {}
    for order in orders:
        plan, short = _plan(order, free, commit=not reasons[order.id])
        if short:
            shortages[order.id] = short
            continue
        if reasons[order.id]:
            continue
        for line, takes in plan:
            for take in takes:
                per_stock[take.stock_id] += take.quantity
                allocations.append(
                    {"order_line_id": line.id, "stock_id": take.stock_id, "quantity": take.quantity}
                )
    adjust_reserved(session, per_stock)
    if allocations:
        session.execute(insert(Allocation), allocations)
    return shortages


def _free_stock(session: Session, orders: Sequence[OrderFacts]) -> _Free:
    """What is free of every product the orders want, locked until the transaction ends."""
    product_ids = {
        line.product_id
        for order in orders
        for line in order.lines
        if line.to_pick and line.product_id is not None
    }
    free: _Free = defaultdict(dict)
    if not product_ids:
        return free
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
        # Expired lots are never promised: nobody may ship them. Nor is a bin a picker found
        # short until it has been counted again.
        .where(
            Stock.product_id.in_(product_ids),
            or_(Stock.expiry.is_(None), Stock.expiry >= clock.today()),
            Location.needs_count.is_(False),
        )
        .order_by(Stock.id)  # lock in id order: two stations never wait on each other in a cycle
        .with_for_update(of=Stock)
    ).all()
    for stock_id, product_id, code, available, lot, expiry in rows:
        if available > 0:
            free[product_id][stock_id] = StockOption(stock_id, code, available, lot, expiry)
    return free


def _plan(
    order: OrderFacts, free: _Free, *, commit: bool
) -> tuple[list[tuple[LineFacts, list[Take]]], list[str]]:
    """Plan the order's lines against `free`; only a complete plan with `commit` consumes it."""
    taken: dict[int, dict[int, StockOption]] = {}
    plan: list[tuple[LineFacts, list[Take]]] = []
    needs: dict[str, int] = defaultdict(int)
    short: dict[str, int] = {}
    for line in order.lines:
        if not line.to_pick or line.product_id is None:
            continue
        needs[line.sku] += line.quantity
        options = taken.setdefault(line.product_id, dict(free.get(line.product_id, {})))
        takes = plan_allocation(line.quantity, options.values())
        if takes is None:
            short[line.sku] = sum(o.available for o in free.get(line.product_id, {}).values())
            continue
        for take in takes:
            option = options[take.stock_id]
            options[take.stock_id] = replace(option, available=option.available - take.quantity)
        plan.append((line, takes))
    if short:
        return [], [
            f"not enough stock of {sku}: needs {needs[sku]}, {have} free to promise"
            for sku, have in sorted(short.items())
        ]
    if commit:
        free.update(taken)
    return plan, []

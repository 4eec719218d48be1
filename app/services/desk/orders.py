"""The read side of orders, for people and scripts: plain rows, never live ORM objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Allocation, Order, OrderEvent, OrderLine, Stock
from app.db.packing_models import Carton
from app.db.tracking_models import TrackingEvent
from app.domain.states import OrderStatus
from app.services.desk.order_list import OPEN_STATUSES
from app.services.errors import InvalidInput, NotFound
from app.services.order_numbers import resolve_order_number
from app.services.ship_to import ship_to


@dataclass(frozen=True)
class AllocationRow:
    location: str
    quantity: int
    lot: str


@dataclass(frozen=True)
class LineRow:
    line_no: int
    sku: str
    name: str
    quantity: int
    to_pick: bool
    allocated: tuple[AllocationRow, ...]


@dataclass(frozen=True)
class OrderRow:
    number: str
    status: str
    ship_by: datetime | None
    carrier: str
    service: str
    customer: str
    country: str
    hold_reasons: tuple[str, ...]
    lines: tuple[LineRow, ...]


@dataclass(frozen=True)
class EventRow:
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    operator: str
    station: str
    detail: str


@dataclass(frozen=True)
class TrackingEventRow:
    """What the carrier said happened to a carton, and when."""

    occurred_at: datetime
    status: str
    location: str
    description: str
    source: str


@dataclass(frozen=True)
class CartonRow:
    """A carton of the order with its carrier's latest status and every event, oldest first."""

    seq: int
    status: str
    carrier: str
    service: str
    tracking_number: str
    sscc: str
    tracking_status: str | None
    tracking_at: datetime | None
    delivered_at: datetime | None
    events: tuple[TrackingEventRow, ...]


@dataclass(frozen=True)
class OrderDetail:
    order: OrderRow
    ship_to: dict[str, str]
    email: str
    payment_status: str
    placed_at: datetime | None
    received_at: datetime
    timeline: tuple[EventRow, ...]
    cartons: tuple[CartonRow, ...] = ()


def to_json(value: Any) -> Any:
    """A dataclass (or list of them) as JSON-ready data, datetimes in ISO 8601."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return _jsonable(asdict(value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _with_lines() -> Any:
    return (
        selectinload(Order.lines)
        .selectinload(OrderLine.allocations)
        .selectinload(Allocation.stock)
        .selectinload(Stock.location),
        selectinload(Order.holds),
        selectinload(Order.customer),
    )


def list_orders(
    session: Session, status: str | None = None, limit: int | None = None
) -> list[OrderRow]:
    """Orders, most urgent cutoff first: the open ones, one status, or "ALL"."""
    return list(iter_orders(session, status, limit))


def iter_orders(
    session: Session, status: str | None = None, limit: int | None = None, page: int = 500
) -> Iterator[OrderRow]:
    """The same orders as `list_orders`, read a page at a time: a million stays a page in memory."""
    query = _order_query(status, limit)
    done = 0
    while limit is None or done < limit:
        size = page if limit is None else min(page, limit - done)
        batch = [_row(o) for o in session.scalars(query.offset(done).limit(size))]
        session.expunge_all()  # the page's objects go; only the plain rows leave
        yield from batch
        done += len(batch)
        if len(batch) < size:
            return


def _order_query(status: str | None, limit: int | None) -> Select[Order]:
    query = select(Order).options(*_with_lines())
    if limit is not None and limit < 0:
        raise InvalidInput("The limit must be 0 or more.")
    if not status:
        # Shipped and delivered history can run to millions: leave it out unless asked.
        query = query.where(Order.status.in_(OPEN_STATUSES))
    elif status.upper() != "ALL":
        try:
            query = query.where(Order.status == OrderStatus(status.upper()).value)
        except ValueError:
            names = ", ".join(s.value for s in OrderStatus)
            raise InvalidInput(f"Unknown status '{status}'; use one of {names}.") from None
    return query.order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)


def show_order(session: Session, number: str) -> OrderDetail:
    """One order with its ship-to address and its timeline (`100001` finds `#100001`)."""
    number = resolve_order_number(session, number)
    order = session.scalars(
        select(Order)
        .where(Order.number == number)
        .options(*_with_lines(), selectinload(Order.events).selectinload(OrderEvent.operator))
    ).one_or_none()
    if order is None:
        raise NotFound(f"No order {number}.")
    return OrderDetail(
        order=_row(order),
        ship_to=asdict(ship_to(order)),
        email=order.email,
        payment_status=order.payment_status,
        placed_at=order.placed_at,
        received_at=order.received_at,
        timeline=tuple(
            EventRow(
                at=e.at,
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                operator=e.operator.name if e.operator else "",
                station=e.station,
                detail=e.detail,
            )
            for e in order.events
        ),
        cartons=order_cartons(session, order.id),
    )


def order_cartons(session: Session, order_id: int) -> tuple[CartonRow, ...]:
    """The order's closed cartons (not void) with their tracking events, in carton order."""
    cartons = session.scalars(
        select(Carton)
        .where(Carton.order_id == order_id, Carton.status.not_in(("OPEN", "VOID")))
        .order_by(Carton.seq)
    ).all()
    events: dict[int, list[TrackingEventRow]] = defaultdict(list)
    if cartons:
        for carton_id, at, status, location, description, source in session.execute(
            select(
                TrackingEvent.carton_id,
                TrackingEvent.occurred_at,
                TrackingEvent.status,
                TrackingEvent.location,
                TrackingEvent.description,
                TrackingEvent.source,
            )
            .where(TrackingEvent.carton_id.in_([c.id for c in cartons]))
            .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
        ):
            events[carton_id].append(TrackingEventRow(at, status, location, description, source))
    return tuple(
        CartonRow(
            seq=c.seq,
            status=c.status,
            carrier=c.carrier,
            service=c.service,
            tracking_number=c.tracking_number or "",
            sscc=c.sscc or "",
            tracking_status=c.tracking_status,
            tracking_at=c.tracking_at,
            delivered_at=c.delivered_at,
            events=tuple(events[c.id]),
        )
        for c in cartons
    )


def _row(order: Order) -> OrderRow:
    return OrderRow(
        number=order.number,
        status=order.status,
        ship_by=order.ship_by,
        carrier=order.carrier,
        service=order.service,
        customer=order.ship_name or (order.customer.name if order.customer else ""),
        country=order.ship_country,
        hold_reasons=tuple(h.message for h in order.holds),
        lines=tuple(
            LineRow(
                line_no=line.line_no,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                to_pick=line.to_pick,
                allocated=tuple(
                    AllocationRow(a.stock.location.code, a.quantity, a.stock.lot)
                    for a in line.allocations
                ),
            )
            for line in order.lines
        ),
    )

"""The supervisor's order desk: a paged, filtered view of orders, and the hold queue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import Order, OrderHold, OrderLine
from app.db.packing_models import Carton
from app.domain.states import OrderStatus
from app.domain.tracking import NEEDS_ATTENTION

# What the desk shows unless asked otherwise: orders still in the warehouse's hands.
OPEN_STATUSES = tuple(
    s.value
    for s in OrderStatus
    if s not in {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED}
)

# The queue "Needs attention after shipping": orders with a shipped carton whose carrier's
# latest word is an exception (delayed, failed, on hold, returning to sender).
ATTENTION = "ATTENTION"
_ATTENTION_STATUSES = tuple(sorted(s.value for s in NEEDS_ATTENTION))


def _carrier_trouble() -> Any:
    return exists().where(
        Carton.order_id == Order.id,
        Carton.status == "SHIPPED",
        Carton.tracking_status.in_(_ATTENTION_STATUSES),
    )


@dataclass(frozen=True)
class DeskRow:
    """One order as a row of the desk's table (plain values, safe to hold in a Qt model)."""

    number: str
    status: str
    hold_reasons: tuple[str, ...]
    ship_by: datetime | None
    lines: int
    units: int
    carrier: str
    service: str
    customer: str
    country: str


@dataclass(frozen=True)
class DeskFilter:
    """Which orders the desk shows: one status (or all open ones) and free text."""

    status: str | None = None  # None: every open order; "ALL": everything; ATTENTION
    text: str = ""

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.status == "ALL":
            pass
        elif self.status == ATTENTION:
            # Part-shipped orders too: their first cartons are out with the carrier.
            query = query.where(_carrier_trouble())
        elif self.status:
            query = query.where(Order.status == self.status)
        else:
            query = query.where(Order.status.in_(OPEN_STATUSES))
        text = self.text.strip()
        if text:
            # % and _ typed by a person are letters to find, not wildcards.
            literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{literal}%"
            query = query.where(
                or_(
                    *(
                        column.ilike(pattern, escape="\\")
                        for column in (Order.number, Order.ship_name, Order.email, Order.ship_city)
                    )
                )
            )
        return query


def count_orders(session: Session, where: DeskFilter) -> int:
    """How many orders the filter matches."""
    return session.scalar(where.apply(select(func.count(Order.id)))) or 0


def desk_rows(session: Session, where: DeskFilter, offset: int, limit: int) -> list[DeskRow]:
    """One page of the desk, most urgent cutoff first (orders without a cutoff last)."""
    ids = list(
        session.scalars(
            where.apply(select(Order.id))
            .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)
            .offset(offset)
            .limit(limit)
        )
    )
    if not ids:
        return []
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(ids)))}
    totals: dict[int, tuple[int, int]] = {
        order_id: (line_count, units or 0)
        for order_id, line_count, units in session.execute(
            select(
                OrderLine.order_id,
                func.count(OrderLine.id),
                func.sum(OrderLine.quantity).filter(
                    OrderLine.requires_shipping, OrderLine.fulfilled_before.is_(False)
                ),
            )
            .where(OrderLine.order_id.in_(ids))
            .group_by(OrderLine.order_id)
        )
    }
    holds: dict[int, list[str]] = defaultdict(list)
    for order_id, message in session.execute(
        select(OrderHold.order_id, OrderHold.message)
        .where(OrderHold.order_id.in_(ids))
        .order_by(OrderHold.id)
    ):
        holds[order_id].append(message)
    # Cartons out with the carrier: SHIPPED orders, and PACKED ones shipped in part.
    out = (OrderStatus.SHIPPED.value, OrderStatus.PACKED.value)
    shipped = [i for i in ids if orders[i].status in out]
    if shipped:
        for order_id, carrier, number, status in session.execute(
            select(
                Carton.order_id,
                Carton.carrier,
                func.coalesce(Carton.tracking_number, Carton.sscc, ""),
                Carton.tracking_status,
            )
            .where(
                Carton.order_id.in_(shipped),
                Carton.status == "SHIPPED",
                Carton.tracking_status.in_(_ATTENTION_STATUSES),
            )
            .order_by(Carton.order_id, Carton.seq)
        ):
            holds[order_id].append(f"{carrier} {number}: {(status or '').replace('_', ' ')}")
    rows = []
    for order_id in ids:
        order = orders[order_id]
        line_count, units = totals.get(order_id, (0, 0))
        rows.append(
            DeskRow(
                number=order.number,
                status=order.status,
                hold_reasons=tuple(holds[order_id]),
                ship_by=order.ship_by,
                lines=line_count,
                units=units,
                carrier=order.carrier,
                service=order.service,
                customer=order.ship_name,
                country=order.ship_country,
            )
        )
    return rows


def status_counts(session: Session) -> dict[str, int]:
    """Orders per status, for the desk's filter buttons."""
    return dict(
        session.execute(select(Order.status, func.count(Order.id)).group_by(Order.status)).all()
    )


def attention_count(session: Session) -> int:
    """How many orders need attention after shipping (the desk's ATTENTION queue)."""
    return count_orders(session, DeskFilter(ATTENTION))

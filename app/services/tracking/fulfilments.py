"""The shop's side: every order that left, with its carrier, tracking numbers and links, when
it shipped and when it was delivered, for a shop to mark its orders fulfilled in bulk."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.dispatch_models import Load
from app.db.models import Order
from app.db.packing_models import Carton
from app.domain.dispatch import FulfilmentRow
from app.domain.states import OrderStatus
from app.services.packing.carriers import carrier_book

CHUNK = 500
LEFT = (OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value)


def fulfilments(session: Session, since: datetime | None = None) -> list[FulfilmentRow]:
    """Orders SHIPPED or DELIVERED, one row each, by the time they shipped (their last carton's
    manifest closed); `since`: only those shipped at or after it."""
    shipped = select(Carton.order_id).join(Load, Load.id == Carton.load_id)
    shipped = shipped.where(Carton.status == "SHIPPED")
    if since is not None:
        shipped = shipped.where(Load.closed_at >= since)
    order_ids = sorted(set(session.scalars(shipped.distinct())))
    book = carrier_book()
    rows = []
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        cartons: dict[int, list[tuple[str, str, str, datetime | None, datetime | None]]]
        cartons = defaultdict(list)
        for order_id, carrier, service, number, closed_at, delivered_at in session.execute(
            select(
                Carton.order_id,
                Carton.carrier,
                Carton.service,
                Carton.tracking_number,
                Load.closed_at,
                Carton.delivered_at,
            )
            .join(Load, Load.id == Carton.load_id)
            .where(Carton.order_id.in_(chunk), Carton.status == "SHIPPED")
            .order_by(Carton.order_id, Carton.seq)
        ):
            cartons[order_id].append((carrier, service, number or "", closed_at, delivered_at))
        for order_id, number, status, order_carrier, order_service in session.execute(
            select(Order.id, Order.number, Order.status, Order.carrier, Order.service).where(
                Order.id.in_(chunk), Order.status.in_(LEFT)
            )
        ):
            boxes = cartons[order_id]
            carrier = boxes[0][0] or order_carrier
            link = book.carrier(carrier)
            numbers = tuple(n for _, _, n, _, _ in boxes if n)
            delivered = [d for *_, d in boxes if d is not None]
            rows.append(
                FulfilmentRow(
                    order=number,
                    carrier=carrier,
                    service=boxes[0][1] or order_service,
                    tracking_numbers=numbers,
                    tracking_urls=tuple(
                        u for n in numbers if link and (u := link.tracking_link(n))
                    ),
                    shipped_at=max(c for _, _, _, c, _ in boxes if c is not None),
                    delivered_at=max(delivered)
                    if status == OrderStatus.DELIVERED.value and delivered
                    else None,
                )
            )
    rows.sort(key=lambda r: (r.shipped_at, r.order))
    return rows

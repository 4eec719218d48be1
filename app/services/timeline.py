"""Appending to an order's timeline: every transition says who, where, when and what."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.db.models import Order, OrderEvent
from app.domain.states import OrderStatus, can_move
from app.services.actor import Actor
from app.services.errors import WrongState


def event_values(
    order_id: int,
    actor: Actor,
    kind: str,
    detail: str = "",
    *,
    from_status: OrderStatus | None = None,
    to_status: OrderStatus | None = None,
) -> dict[str, Any]:
    """The column values of one timeline event, for single and bulk inserts alike."""
    return {
        "order_id": order_id,
        "at": clock.now(),
        "kind": kind,
        "from_status": from_status.value if from_status else None,
        "to_status": to_status.value if to_status else None,
        "operator_id": actor.operator_id,
        "station": actor.station,
        "detail": detail,
    }


def record_event(
    session: Session,
    order: Order,
    actor: Actor,
    kind: str,
    detail: str = "",
    *,
    from_status: OrderStatus | None = None,
    to_status: OrderStatus | None = None,
) -> OrderEvent:
    """Append an event to the order's timeline (the statuses only say what the event shows)."""
    event = OrderEvent(
        **event_values(order.id, actor, kind, detail, from_status=from_status, to_status=to_status)
    )
    session.add(event)
    return event


def move_order(
    session: Session, order: Order, target: OrderStatus, actor: Actor, kind: str, detail: str = ""
) -> OrderEvent:
    """Move `order` to `target` if its journey allows, and append the event that says so."""
    current = OrderStatus(order.status)
    if not can_move(current, target):
        raise WrongState(
            f"Order {order.number} is {current.value}; it cannot become {target.value}."
        )
    event = record_event(session, order, actor, kind, detail, from_status=current, to_status=target)
    order.status = target.value
    return event

"""Appending to an order's timeline: every transition says who, where, when and what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.db.models import Order, OrderEvent
from app.domain.states import OrderStatus, can_move
from app.services.actor import Actor
from app.services.errors import Conflict, WrongState

_ORDERS = cast(Table, Order.__table__)


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


def move_orders(
    session: Session, actor: Actor, moves: Sequence[tuple[Order, OrderStatus, str, str]]
) -> None:
    """Move several orders as `move_order` does, each (order, target, kind, detail): one UPDATE
    and one INSERT for them all, however many orders a cart carried."""
    if not moves:
        return
    session.flush()  # the versions read below are the ones in the database
    changes, events = [], []
    for order, target, kind, detail in moves:
        current = OrderStatus(order.status)
        if not can_move(current, target):
            raise WrongState(
                f"Order {order.number} is {current.value}; it cannot become {target.value}."
            )
        changes.append({"oid": order.id, "old": order.version, "status": target.value})
        events.append(
            event_values(order.id, actor, kind, detail, from_status=current, to_status=target)
        )
    result = session.connection().execute(
        update(_ORDERS)
        .where(_ORDERS.c.id == bindparam("oid"), _ORDERS.c.version == bindparam("old"))
        .values(status=bindparam("status"), version=_ORDERS.c.version + 1),
        changes,
    )
    if result.rowcount != len(changes):
        raise Conflict("Another station changed one of these orders at the same time; try again.")
    session.execute(insert(OrderEvent), events)
    # The loaded orders say what the database now holds, without being written again.
    for order, target, _, _ in moves:
        set_committed_value(order, "status", target.value)
        set_committed_value(order, "version", order.version + 1)

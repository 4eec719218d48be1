"""Supervisor actions on single orders: release a hold (re-verifies) and cancel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.domain.states import CANCELLABLE, OrderStatus
from app.services.actor import Actor
from app.services.errors import WrongState
from app.services.timeline import move_order, record_event
from app.services.verification import (
    Verdict,
    load_order_for_update,
    release_allocations,
    verify_loaded,
)


def release_hold(session: Session, actor: Actor, number: str, note: str = "") -> Verdict:
    """Take an order off hold: it is verified again and holds again if a reason remains."""
    actor.require(Role.SUPERVISOR)
    order = load_order_for_update(session, number)
    if order.status != OrderStatus.ON_HOLD.value:
        raise WrongState(f"Order {number} is {order.status}, not on hold.")
    record_event(session, order, actor, "hold_released", note or "released for re-verification")
    return verify_loaded(session, actor, order)


def cancel_order(session: Session, actor: Actor, number: str, reason: str) -> int:
    """Cancel an order that has not shipped; its stock goes back. Returns the units released."""
    actor.require(Role.SUPERVISOR)
    order = load_order_for_update(session, number)
    if OrderStatus(order.status) not in CANCELLABLE:
        raise WrongState(f"Order {number} is {order.status}; it can no longer be cancelled.")
    released = release_allocations(session, order)
    order.holds.clear()
    move_order(session, order, OrderStatus.CANCELLED, actor, "cancelled", reason or "cancelled")
    return released

"""Supervisor actions on single orders: fix the ship-to address, release a hold, cancel."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db.dispatch_models import DockDoor, Load
from app.db.models import Order, OrderHold
from app.db.packing_models import Carton
from app.domain.intake_rules import address_length_problem
from app.domain.order_drafts import AddressDraft
from app.domain.roles import Role
from app.domain.states import CANCELLABLE, VERIFIABLE, OrderStatus
from app.services.actor import Actor
from app.services.errors import InvalidInput, WrongState
from app.services.intake.verification import (
    Verdict,
    load_facts,
    release_allocations,
    verify_facts,
)
from app.services.messages.queue import Message, Recipient, queue_messages, shipped_items
from app.services.order_numbers import lock_order, resolve_order_number
from app.services.packing.set_aside import stop_packing
from app.services.picking.finishing import finish_if_done, pick_lists_of, withdraw_from_pick_lists
from app.services.picking.views import ScanOutcome
from app.services.ship_to import ship_to, ship_to_columns
from app.services.timeline import move_order, record_event


def release_hold(session: Session, actor: Actor, number: str, note: str = "") -> Verdict:
    """Take an order off hold: it is verified again and holds again if a reason remains."""
    actor.require(Role.SUPERVISOR)
    number = resolve_order_number(session, number)
    (facts,) = load_facts(session, [number])
    if facts.status is not OrderStatus.ON_HOLD:
        raise WrongState(f"Order {number} is {facts.status.value}, not on hold.")
    order = session.get_one(Order, facts.id)
    record_event(session, order, actor, "hold_released", note or "released for re-verification")
    session.flush()
    return verify_facts(session, actor, [facts])[0]


def cancel_order(session: Session, actor: Actor, number: str, reason: str) -> int:
    """Cancel an order that has not shipped; its stock goes back. Returns the units released."""
    actor.require(Role.SUPERVISOR)
    number = resolve_order_number(session, number)
    pick_lists = pick_lists_of(session, number)  # locked first: a scan locks them first too
    order = lock_order(session, number)
    if OrderStatus(order.status) not in CANCELLABLE:
        raise WrongState(f"Order {number} is {order.status}; it can no longer be cancelled.")
    gone = session.scalar(
        select(func.count(Carton.id)).where(Carton.order_id == order.id, Carton.status == "SHIPPED")
    )
    if gone:
        raise WrongState(
            f"{gone} carton(s) of order {number} have left with the carrier; it can no longer "
            "be cancelled (stop the parcel with the carrier)."
        )
    on_truck = session.scalar(
        select(DockDoor.code)
        .join(Load, Load.door_id == DockDoor.id)
        .join(Carton, Carton.load_id == Load.id)
        .where(Carton.order_id == order.id, Carton.status == "LOADED")
        .limit(1)
    )
    if on_truck is not None:
        raise WrongState(
            f"A carton of order {number} is on the truck at {on_truck}: unload it at the dock "
            "(F8 there) first, then cancel the order."
        )
    in_totes = withdraw_from_pick_lists(session, order.id, pick_lists)
    at_packing = stop_packing(session, actor, order.id)
    released = release_allocations(session, [order.id])
    session.execute(delete(OrderHold).where(OrderHold.order_id == order.id))
    detail = reason or "cancelled"
    if in_totes:
        detail += f"; {in_totes} to put back to stock"
    if at_packing:
        detail += f"; {at_packing}"
    move_order(session, order, OrderStatus.CANCELLED, actor, "cancelled", detail)
    items = shipped_items(order.lines)
    queue_messages(session, actor, "cancelled", [Message(Recipient.of(order), {"items": items})])
    for pick_list in pick_lists:
        finish_if_done(session, actor, pick_list, ScanOutcome("ok", ""))
    return released


def fix_address(
    session: Session, actor: Actor, number: str, address: AddressDraft, note: str = ""
) -> Verdict:
    """Correct an order's ship-to address; the order (not yet released) is verified again."""
    actor.require(Role.SUPERVISOR)
    order = lock_order(session, number)
    number = order.number
    if OrderStatus(order.status) not in VERIFIABLE:
        raise WrongState(
            f"Order {number} is {order.status}; its address can no longer change here."
        )
    if problem := address_length_problem(address):
        raise InvalidInput(problem)
    before = ship_to(order)
    address = AddressDraft(**{k: v.strip() for k, v in vars(address).items()})
    address = replace(address, country=address.country.upper())
    if address == before:
        raise InvalidInput("The address is unchanged.")
    changes = [
        f"{field}: '{getattr(before, field)}' -> '{getattr(address, field)}'"
        for field in vars(address)
        if getattr(before, field) != getattr(address, field)
    ]
    for column, value in ship_to_columns(address).items():
        setattr(order, column, value)
    detail = "; ".join(changes) + (f" ({note})" if note else "")
    record_event(session, order, actor, "address_fixed", detail)
    session.flush()
    (facts,) = load_facts(session, [number])
    return verify_facts(session, actor, [facts])[0]

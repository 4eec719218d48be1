"""The order on a pack bench: who holds it, what may be refused and why, what an action did.

Shared by the packer's actions (app/services/packing/bench.py) and the exceptions
(app/services/packing/set_aside.py). Every action locks the order's row first and reads it
again under the lock, so two benches never pack the same order and a cancel in between is seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Operator, Order, OrderHold
from app.db.packing_models import PackJob
from app.domain.roles import Role
from app.domain.scanning.refusals import Refusal
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotAllowed, NotFound, WrongState
from app.services.masterdata.operators import refuse_locked
from app.services.packing.views import PackView

PACKABLE = (OrderStatus.PICKED.value, OrderStatus.SORTED.value)
IN_BATCH_TOTE = tuple(
    s.value for s in (OrderStatus.RELEASED, OrderStatus.PICKED, OrderStatus.SHORT)
)
IN_TOTES = (*IN_BATCH_TOTE, OrderStatus.SORTED.value)  # as picking: not yet at a bench
LIVE_JOBS = ("OPEN", "EXCEPTION")
NOT_READY = {
    OrderStatus.RECEIVED: "has not been verified yet",
    OrderStatus.READY: "has not been picked yet",
    OrderStatus.RELEASED: "is still being picked",
    OrderStatus.SHORT: "is short: a supervisor decides what ships",
    OrderStatus.PACKED: "is packed already",
    OrderStatus.SHIPPED: "has shipped already",
    OrderStatus.DELIVERED: "has been delivered already",
    OrderStatus.CANCELLED: "is CANCELLED: do not pack it, give its items to a supervisor",
}


class PackRefused(InvalidInput):
    """A scan or count that does not fit the order on the bench; nothing was recorded."""

    refusal = Refusal.NOT_EXPECTED


class WrongItem(PackRefused):
    """The scanned product is not in the order."""

    refusal = Refusal.WRONG_ITEM


class OverScan(PackRefused):
    """One unit more than the order needs."""

    refusal = Refusal.OVER_PICK


class WrongLot(PackRefused):
    """The unit's lot is not the lot picked for the order."""

    refusal = Refusal.WRONG_ITEM


@dataclass(frozen=True)
class PackOutcome:
    """What a packer's action did: "ok", "attention", "done" or "error" (recorded, not passed)."""

    result: str
    message: str
    view: PackView
    closed_carton: int | None = None  # the carton just closed: print its documents now


def problem_tote_holder(session: Session, tote: str) -> Order | None:
    """The order whose set-aside items a problem tote holds, or None."""
    return session.scalar(
        select(Order)
        .join(PackJob, PackJob.order_id == Order.id)
        .where(PackJob.problem_tote == tote, PackJob.status == "EXCEPTION")
        .order_by(PackJob.id.desc())
        .limit(1)
    )


def order_by_number(session: Session, number: str, *, lock: bool = True) -> Order:
    query = select(Order).where(Order.number == number)
    if lock:
        # Read again under the lock: an earlier unlocked read in this transaction (a slot's or
        # tote's order) must not hide a cancel that committed in between.
        query = query.with_for_update().execution_options(populate_existing=True)
    order = session.scalars(query).one_or_none()
    if order is None:
        raise NotFound(f"No order {number}.")
    return order


def open_job(session: Session, order_id: int) -> PackJob | None:
    return session.scalars(
        select(PackJob).where(PackJob.order_id == order_id, PackJob.status == "OPEN")
    ).one_or_none()


def held_job(session: Session, actor: Actor, number: str) -> PackJob:
    """The packer's open job on the order, with the order's row locked for this action."""
    actor.require(Role.PACKER)
    order = order_by_number(session, number)
    job = open_job(session, order.id)
    if job is None:
        if order.status not in PACKABLE:
            raise WrongState(not_ready(session, order))
        raise WrongState(f"Order {number} is not on your bench: scan it to start.")
    if job.packer_id != actor.operator_id:
        who = job.packer.name if job.packer else "another packer"
        raise NotAllowed(f"Order {number} is being packed by {who} at {job.station}.")
    job.order = order  # held by the job: the view reads it without asking the database again
    return job


def supervisor_with_badge(session: Session, badge: str) -> Operator:
    operator = session.scalars(
        select(Operator).where(Operator.badge == badge, Operator.active)
    ).one_or_none()
    if operator is None or operator.role != Role.SUPERVISOR.value:
        raise NotAllowed("That badge is not a supervisor's: ask a supervisor to scan theirs.")
    refuse_locked(operator)  # a badge locked after wrong PINs approves nothing either
    return operator


def not_ready(session: Session, order: Order) -> str:
    status = OrderStatus(order.status)
    if status is OrderStatus.ON_HOLD:
        reasons = session.scalars(
            select(OrderHold.message).where(OrderHold.order_id == order.id)
        ).all()
        return f"Order {order.number} is on hold: {'; '.join(reasons) or 'see the desk'}."
    if status is OrderStatus.EXCEPTION:
        return f"Order {order.number} is set aside in the exception queue: a supervisor decides."
    return f"Order {order.number} {NOT_READY.get(status, status.value)}."

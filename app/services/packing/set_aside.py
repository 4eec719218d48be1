"""When an order cannot be packed as it is: set aside into a problem tote for the supervisor,
sent back to packing, or cancelled while at a bench.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import clock
from app.db.models import Order, OrderHold
from app.db.packing_models import Carton, PackJob
from app.db.picking_models import PickListOrder
from app.db.putwall_models import WallSlot
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import WrongState
from app.services.order_numbers import resolve_order_number
from app.services.packing.jobs import (
    IN_TOTES,
    LIVE_JOBS,
    PackOutcome,
    PackRefused,
    held_job,
    order_by_number,
    problem_tote_holder,
)
from app.services.packing.views import (
    CLOSED,
    pack_view,
)
from app.services.sorting.put_wall import release_slot
from app.services.timeline import move_order


def set_aside(session: Session, actor: Actor, number: str, reason: str, tote: Scan) -> PackOutcome:
    """Damaged or missing item: the order goes to the supervisor's exception queue and every
    unit not in a closed carton into a problem tote (scanned); closed cartons stay closed."""
    job = held_job(session, actor, number)
    if tote.kind is not ScanKind.TOTE:
        raise PackRefused("Scan the problem tote the items go into.")
    reason = " ".join(reason.split()) or "problem at packing"
    order = session.get_one(Order, job.order_id)
    _check_tote_free(session, tote.code, order.id)
    view = pack_view(session, job)
    shown = view.open_carton
    if shown is not None:
        session.get_one(Carton, shown.carton_id).status = "VOID"
    job.status, job.finished_at = "EXCEPTION", clock.now()
    job.problem_tote, job.reason = tote.code, reason
    packed, expected = view.units
    in_closed = packed - (shown.units if shown is not None else 0)
    aside = expected - in_closed  # the open carton's units and those not scanned yet
    message = f"{reason} — {aside} unit(s) in problem tote {tote.code}"
    if view.closed:
        message += f"; {view.closed} carton(s) already closed stay closed"
    session.add(OrderHold(order_id=order.id, code="pack_exception", message=message))
    move_order(session, order, OrderStatus.EXCEPTION, actor, "pack_exception", message)
    session.flush()
    return PackOutcome(
        "attention",
        f"Order {number} set aside ({reason}): put all {aside} unit(s) not in a closed carton "
        f"into tote {tote.code}, for a supervisor.",
        pack_view(session, job),
    )


def back_to_packing(session: Session, actor: Actor, number: str, note: str = "") -> str:
    """The supervisor has dealt with a packing exception: the order may be packed again."""
    actor.require(Role.SUPERVISOR)
    number = resolve_order_number(session, number)
    order = order_by_number(session, number)
    if order.status != OrderStatus.EXCEPTION.value:
        raise WrongState(f"Order {number} is {order.status}, not in the exception queue.")
    tote = session.scalar(
        select(PackJob.problem_tote)
        .where(PackJob.order_id == order.id, PackJob.status == "EXCEPTION")
        .order_by(PackJob.id.desc())
        .limit(1)
    )
    session.execute(
        delete(OrderHold).where(OrderHold.order_id == order.id, OrderHold.code == "pack_exception")
    )
    move_order(session, order, OrderStatus.PICKED, actor, "back_to_packing", note or "")
    where = f"tote {tote} or " if tote else ""
    return f"Order {number} goes back to packing: scan {where}the order number at a bench."


def stop_packing(session: Session, actor: Actor, order_id: int) -> str:
    """A cancelled order leaves packing: its cartons are void, its jobs end, its complete
    put-wall slot is freed. Says where its items are now (for the timeline), or ""."""
    actor.require(Role.PACKER)
    where = []
    for slot in session.scalars(
        select(WallSlot.code).where(WallSlot.order_id == order_id, WallSlot.status == "COMPLETE")
    ).all():
        release_slot(session, actor, slot)
        where.append(f"put-wall slot {slot}")
    closed = 0
    for carton in session.scalars(
        select(Carton).where(Carton.order_id == order_id, Carton.status.in_(("OPEN", *CLOSED)))
    ):
        if carton.status == "OPEN":
            where.append(f"an open carton at {carton.station}")
        else:
            closed += 1
        carton.status = "VOID"
    if closed:
        where.append(f"{closed} labelled carton(s) to open again")
    for job in session.scalars(
        select(PackJob).where(PackJob.order_id == order_id, PackJob.status.in_(LIVE_JOBS))
    ):
        if job.status == "EXCEPTION" and job.problem_tote:
            where.append(f"problem tote {job.problem_tote}")
        job.status, job.finished_at = "CANCELLED", clock.now()
    return f"items in {', '.join(where)}" if where else ""


def _check_tote_free(session: Session, tote: str, order_id: int) -> None:
    """A problem tote must be empty: not holding another order's items."""
    holder = problem_tote_holder(session, tote)
    if holder is not None and holder.id != order_id:
        raise PackRefused(f"Tote {tote} holds order {holder.number}'s items: take an empty tote.")
    used = session.scalar(
        select(Order.number)
        .join(PickListOrder, PickListOrder.order_id == Order.id)
        .where(
            PickListOrder.tote == tote,
            Order.id != order_id,
            Order.status.in_(IN_TOTES),
        )
        .limit(1)
    )
    if used is not None:
        raise PackRefused(f"Tote {tote} holds order {used}: take an empty tote.")

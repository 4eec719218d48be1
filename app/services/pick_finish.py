"""The end of a stop or a list: short picks re-allocated or reported, orders become PICKED."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.db.models import Allocation, Location, OrderLine, Stock
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.db.types import utcnow
from app.domain.allocation import StockOption, plan_allocation
from app.domain.layout import PickPoint
from app.domain.roles import Role
from app.domain.routing import route
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound, WrongState
from app.services.operators import find_operator
from app.services.pick_views import ScanOutcome
from app.services.timeline import move_order, record_event
from app.services.verification import adjust_reserved
from app.services.warehouse import warehouse_layout


def withdraw_from_pick_lists(session: Session, order_id: int) -> str:
    """Take a cancelled order's unpicked units off its pick lists; say what is already in totes."""
    line_ids = select(OrderLine.id).where(OrderLine.order_id == order_id)
    tasks = list(
        session.scalars(select(PickTask).where(PickTask.order_line_id.in_(line_ids)))
    )
    if not tasks:
        return ""
    stops = {task.stop_id for task in tasks}
    session.execute(
        select(PickList.id)
        .join(PickStop, PickStop.pick_list_id == PickList.id)
        .where(PickStop.id.in_(stops))
        .with_for_update(of=PickList)
    ).all()
    picked = 0
    for task in tasks:
        session.refresh(task)
        stop = session.get_one(PickStop, task.stop_id)
        left = task.quantity - task.picked
        picked += task.placed
        if left:
            task.quantity = task.picked
            stop.quantity -= left
        if stop.status in ("OPEN", "AT_LOCATION") and stop.picked == stop.quantity and all(
            t.placed == t.picked for t in stop.tasks
        ):
            stop.status = "DONE"
    member = session.scalars(
        select(PickListOrder).where(PickListOrder.order_id == order_id)
    ).one_or_none()
    session.flush()
    if not picked:
        return ""
    where = f"tote {member.tote}" if member is not None and member.tote else "the cart"
    return f"{picked} unit(s) already in {where}"


def finish_if_done(
    session: Session, actor: Actor, pick_list: PickList, outcome: ScanOutcome
) -> ScanOutcome:
    """When no stop is left, the list is done and its orders PICKED (or SHORT, with reasons)."""
    session.flush()
    if any(stop.status in ("OPEN", "AT_LOCATION") for stop in pick_list.stops):
        return outcome
    pick_list.status = "DONE"
    pick_list.done_at = utcnow()
    placed: dict[int, int] = defaultdict(int)
    for stop in pick_list.stops:
        for task in stop.tasks:
            placed[task.order_line_id] += task.placed
    short_orders = 0
    for member in pick_list.orders:
        order = member.order
        if order.status == OrderStatus.CANCELLED.value:
            continue  # withdrawn while on the cart; its units are to be put back
        missing = [
            f"{line.sku} {placed[line.id]} of {line.quantity}"
            for line in order.lines
            if line.to_pick and placed[line.id] < line.quantity
        ]
        where = f"in tote {member.tote}" if member.tote else f"cart position {member.position}"
        if missing:
            short_orders += 1
            move_order(
                session,
                order,
                OrderStatus.SHORT,
                actor,
                "short",
                f"picked short: {', '.join(missing)}; {where}",
            )
        else:
            move_order(
                session,
                order,
                OrderStatus.PICKED,
                actor,
                "picked",
                f"pick list {pick_list.code}, {where}",
            )
    session.flush()
    note = f"; {short_orders} order(s) short, to the supervisor" if short_orders else ""
    return ScanOutcome("done", f"Pick list {pick_list.code} done{note}.", advanced=True)


def report_short(
    session: Session, actor: Actor, pick_list: PickList, stop: PickStop
) -> ScanOutcome:
    """The location holds fewer units than planned: take what is there, find the rest elsewhere."""
    if stop.status != "AT_LOCATION":
        raise WrongState("Scan the location first, then report what is missing there.")
    if any(task.placed < task.picked for task in stop.tasks):
        raise InvalidInput("Put the units in your hand into their tote first.")
    missing = stop.quantity - stop.picked
    stock = session.get_one(Stock, stop.stock_id)
    # The missing units are not there: they leave the count and their promise ends with them.
    adjust_reserved(session, {stock.id: -missing})
    session.execute(
        update(Stock)
        .where(Stock.id == stock.id)
        .values(quantity=Stock.quantity - missing, version=Stock.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(stock)
    location = session.get_one(Location, stock.location_id)
    location.needs_count = True  # a count will tell what is really there

    found_elsewhere, still_short = 0, 0
    for task in stop.tasks:
        gone = task.quantity - task.picked
        if gone <= 0:
            continue
        allocation = session.scalars(
            select(Allocation).where(
                Allocation.order_line_id == task.order_line_id, Allocation.stock_id == stock.id
            )
        ).one()
        if allocation.quantity == gone:
            session.delete(allocation)
        else:
            allocation.quantity -= gone
        task.quantity = task.picked
        got = _allocate_elsewhere(session, pick_list, stop, task.order_line_id, gone)
        found_elsewhere += got
        still_short += gone - got
        line = session.get_one(OrderLine, task.order_line_id)
        record_event(
            session,
            line.order,
            actor,
            "short_pick",
            f"{location.code}: {gone} of {line.sku} missing; {got} found elsewhere",
        )
    stop.quantity = stop.picked
    stop.status = "SHORT"
    session.flush()
    _resequence(session, pick_list)
    message = f"{missing} missing at {location.code}; flagged for a count."
    if found_elsewhere:
        message += f" {found_elsewhere} to take from another location, added to your walk."
    if still_short:
        message += f" {still_short} could not be found: the order goes to the supervisor."
    return finish_if_done(session, actor, pick_list, ScanOutcome("attention", message, True))


def _allocate_elsewhere(
    session: Session, pick_list: PickList, stop: PickStop, line_id: int, units: int
) -> int:
    """Promise up to `units` from other locations and add stops for them; returns units found."""
    rows = session.execute(
        select(Stock.id, Location.code, Stock.quantity - Stock.reserved, Stock.lot, Stock.expiry)
        .join(Location, Location.id == Stock.location_id)
        .where(
            Stock.product_id == stop.product_id,
            Stock.id != stop.stock_id,
            Stock.quantity > Stock.reserved,
            or_(Stock.expiry.is_(None), Stock.expiry >= utcnow().date()),
        )
        .order_by(Stock.id)
        .with_for_update(of=Stock)
    ).all()
    options = [StockOption(sid, code, free, lot, expiry) for sid, code, free, lot, expiry in rows]
    available = sum(o.available for o in options)
    wanted = min(units, available)
    if wanted == 0:
        return 0
    takes = plan_allocation(wanted, options)
    assert takes is not None
    adjust_reserved(session, {t.stock_id: t.quantity for t in takes})
    for take in takes:
        session.add(
            Allocation(order_line_id=line_id, stock_id=take.stock_id, quantity=take.quantity)
        )
        row = session.get_one(Stock, take.stock_id)
        pick_list.stops.append(
            PickStop(
                seq=1000 + len(pick_list.stops),
                location_id=row.location_id,
                product_id=row.product_id,
                stock_id=row.id,
                quantity=take.quantity,
                picked=0,
                status="OPEN",
                tasks=[PickTask(order_line_id=line_id, quantity=take.quantity, picked=0, placed=0)],
            )
        )
    session.flush()
    return wanted


def _resequence(session: Session, pick_list: PickList) -> None:
    """Stops still to visit, on the shortest walk again (done ones keep their place in front)."""
    done = [s for s in pick_list.stops if s.status in ("DONE", "SHORT")]
    open_stops = [s for s in pick_list.stops if s.status not in ("DONE", "SHORT")]
    points = {str(s.id): PickPoint(str(s.id), s.location.aisle, s.location.bay) for s in open_stops}
    walk = route(warehouse_layout(session), points.values())
    by_id = {str(s.id): s for s in open_stops}
    ordered = [by_id[pid] for pid in walk.point_ids]
    # Two steps, so that no two stops ever share a number on the way (a unique constraint).
    for n, stop in enumerate(pick_list.stops, start=1):
        stop.seq = 100_000 + n
    session.flush()
    for n, stop in enumerate([*done, *ordered], start=1):
        stop.seq = n
    pick_list.stops.sort(key=lambda s: s.seq)
    session.flush()


def reassign(session: Session, actor: Actor, code: str, badge: str | None) -> str:
    """Give a pick list to another picker (or back to the queue); the old holder's scans stop."""
    actor.require(Role.SUPERVISOR)
    pick_list = session.scalars(
        select(PickList).where(PickList.code == code).with_for_update()
    ).one_or_none()
    if pick_list is None:
        raise NotFound(f"No pick list {code}.")
    if pick_list.status == "DONE":
        raise WrongState(f"Pick list {code} is finished.")
    if badge is None:
        pick_list.picker_id = None
        pick_list.status = "OPEN"
        return f"{code} is back in the queue; work done so far is kept."
    picker = find_operator(session, badge)
    if picker.role not in (Role.PICKER, Role.SUPERVISOR):
        raise InvalidInput(f"{picker.name} is a {picker.role.value}, not a picker.")
    pick_list.picker_id = picker.id
    pick_list.status = "CLAIMED" if pick_list.status == "OPEN" else pick_list.status
    return f"{code} now belongs to {picker.name}."

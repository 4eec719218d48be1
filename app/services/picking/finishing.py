"""The end of a stop or a list: short picks re-allocated or reported, orders become PICKED."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.db.models import Allocation, Location, Order, OrderLine, Stock
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.domain.allocation import StockOption, plan_allocation
from app.domain.roles import Role
from app.domain.routing.layout import OffLayout, PickPoint
from app.domain.routing.routes import DEPOT, Depot, shortest_path_m
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import Conflict, InvalidInput, NotFound, WrongState
from app.services.intake.verification import adjust_reserved
from app.services.masterdata.operators import find_operator
from app.services.masterdata.warehouse import warehouse_layout
from app.services.picking.views import ScanOutcome
from app.services.timeline import move_orders, record_event


def pick_lists_of(session: Session, number: str) -> list[PickList]:
    """The unfinished pick lists carrying an order, locked: taken before the order is locked,
    in the same order as a picker's scan takes them, so the two never deadlock."""
    return list(
        session.scalars(
            select(PickList)
            .join(PickListOrder, PickListOrder.pick_list_id == PickList.id)
            .join(Order, Order.id == PickListOrder.order_id)
            .where(Order.number == number, PickList.status != "DONE")
            .order_by(PickList.id)
            .with_for_update(of=PickList)
        )
    )


def withdraw_from_pick_lists(session: Session, order_id: int, pick_lists: list[PickList]) -> str:
    """Take a cancelled order off its pick lists; say which of its units were already taken.

    The caller cancels the order, then calls `finish_if_done` for each list: a list left with
    nothing to pick is finished for its other orders.
    """
    taken = 0
    touched = []
    for pick_list in pick_lists:
        member = next((m for m in pick_list.orders if m.order_id == order_id), None)
        if member is None:
            continue
        for stop in pick_list.stops:
            for task in stop.tasks:
                if task.order_line.order_id != order_id:
                    continue
                taken += task.picked
                stop.quantity -= task.quantity - task.picked
                task.quantity = task.picked
                task.placed = task.picked  # in hand or in a tote: they go back, not on
            if (
                stop.status in ("OPEN", "AT_LOCATION")
                and stop.picked == stop.quantity
                and all(t.placed == t.picked for t in stop.tasks)
            ):
                stop.status = "DONE"
        touched.append((pick_list, member))
    session.flush()
    if not taken:
        return ""
    totes = ", ".join(sorted({m.tote for _, m in touched if m.tote})) or "the cart"
    return f"{taken} unit(s) already taken, in {totes}"


def finish_if_done(
    session: Session, actor: Actor, pick_list: PickList, outcome: ScanOutcome
) -> ScanOutcome:
    """When no stop is left, the list is done and its orders PICKED (or SHORT, with reasons)."""
    actor.require(Role.PICKER)
    session.flush()
    if any(stop.status in ("OPEN", "AT_LOCATION") for stop in pick_list.stops):
        return outcome
    pick_list.status = "DONE"
    pick_list.done_at = clock.now()
    members = {m.order_id: m for m in pick_list.orders}
    orders = session.scalars(
        select(Order).where(Order.id.in_(members)).options(selectinload(Order.lines))
    ).all()
    # Units in totes per line over every list the line was on (a short order may come back).
    placed: dict[int, int] = dict(
        session.execute(
            select(PickTask.order_line_id, func.sum(PickTask.placed))
            .join(OrderLine, OrderLine.id == PickTask.order_line_id)
            .where(OrderLine.order_id.in_(members))
            .group_by(PickTask.order_line_id)
        ).all()
    )
    short_orders = 0
    moves: list[tuple[Order, OrderStatus, str, str]] = []
    for order in sorted(orders, key=lambda o: members[o.id].position):
        member = members[order.id]
        if order.status == OrderStatus.CANCELLED.value:
            continue  # withdrawn while on the cart; its units are to be put back
        missing = [
            f"{line.sku} {placed.get(line.id, 0)} of {line.quantity}"
            for line in order.lines
            if line.to_pick and placed.get(line.id, 0) < line.quantity
        ]
        where = f"in tote {member.tote}" if member.tote else f"cart position {member.position}"
        if missing:
            short_orders += 1
            moves.append(
                (
                    order,
                    OrderStatus.SHORT,
                    "short",
                    f"picked short: {', '.join(missing)}; {where}",
                )
            )
        else:
            moves.append(
                (order, OrderStatus.PICKED, "picked", f"pick list {pick_list.code}, {where}")
            )
    move_orders(session, actor, moves)
    session.flush()
    note = f"; {short_orders} order(s) short, to the supervisor" if short_orders else ""
    return ScanOutcome("done", f"Pick list {pick_list.code} done{note}.", advanced=True)


def report_short(
    session: Session, actor: Actor, pick_list: PickList, stop: PickStop, reason: str
) -> ScanOutcome:
    """The location holds fewer units than planned: keep what was taken, find the rest elsewhere.

    Units already in the picker's hand stay on the list: the stop then waits for their tote.
    """
    actor.require(Role.PICKER)
    if stop.status != "AT_LOCATION":
        raise WrongState("Scan the location first, then report what is missing there.")
    missing = stop.quantity - stop.picked
    if missing <= 0:
        raise InvalidInput("Nothing is missing here: put the units into the tote.")
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
        _shrink_allocation(session, task.order_line_id, stock.id, gone)
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
            f"{location.code}: {gone} of {line.sku} missing ({reason}); {got} found elsewhere",
        )
    stop.quantity = stop.picked
    # With units in hand the stop still waits for their tote; it closes when they are put.
    stop.status = "AT_LOCATION" if any(t.placed < t.picked for t in stop.tasks) else "SHORT"
    session.flush()
    unrouted = _resequence(session, pick_list, stop) if found_elsewhere else []
    message = f"{missing} missing at {location.code}; flagged for a count."
    if found_elsewhere:
        message += f" {found_elsewhere} to take from another location, added to your walk."
    if unrouted:
        message += (
            f" {', '.join(unrouted)} {'is' if len(unrouted) == 1 else 'are'} not on the "
            "warehouse layout, so last on your walk: tell a supervisor to run "
            "`baton layout set` so that the layout reaches it."
        )
    if still_short:
        message += f" {still_short} could not be found: the order goes to the supervisor."
    return finish_if_done(session, actor, pick_list, ScanOutcome("attention", message, True))


def _shrink_allocation(session: Session, line_id: int, stock_id: int, units: int) -> None:
    allocation = session.scalars(
        select(Allocation).where(
            Allocation.order_line_id == line_id, Allocation.stock_id == stock_id
        )
    ).one()
    if allocation.quantity == units:
        session.delete(allocation)
    else:
        allocation.quantity -= units


def _allocate_elsewhere(
    session: Session, pick_list: PickList, stop: PickStop, line_id: int, units: int
) -> int:
    """Promise up to `units` from other locations and add them to the walk; returns units found.

    A row the line already takes from gets more units on its existing stop, so one line never
    holds two promises on one stock row.
    """
    rows = session.execute(
        select(Stock.id, Location.code, Stock.quantity - Stock.reserved, Stock.lot, Stock.expiry)
        .join(Location, Location.id == Stock.location_id)
        .where(
            Stock.product_id == stop.product_id,
            Stock.id != stop.stock_id,
            Stock.quantity > Stock.reserved,
            Location.needs_count.is_(False),  # a bin waiting for a count is not trusted
            or_(Stock.expiry.is_(None), Stock.expiry >= clock.today()),
        )
        .order_by(Stock.id)
        .with_for_update(of=Stock)
    ).all()
    options = [StockOption(sid, code, free, lot, expiry) for sid, code, free, lot, expiry in rows]
    wanted = min(units, sum(o.available for o in options))
    if wanted == 0:
        return 0
    takes = plan_allocation(wanted, options)
    if takes is None:  # the rows above hold `wanted`; refuse rather than promise what is not there
        raise Conflict(
            "Stock changed while it was being promised: nothing was recorded. Try again."
        )
    adjust_reserved(session, {t.stock_id: t.quantity for t in takes})
    for take in takes:
        allocation = session.scalars(
            select(Allocation).where(
                Allocation.order_line_id == line_id, Allocation.stock_id == take.stock_id
            )
        ).one_or_none()
        if allocation is None:
            session.add(
                Allocation(order_line_id=line_id, stock_id=take.stock_id, quantity=take.quantity)
            )
        else:
            allocation.quantity += take.quantity
        _add_to_walk(pick_list, line_id, session.get_one(Stock, take.stock_id), take.quantity)
    session.flush()
    return wanted


def _add_to_walk(pick_list: PickList, line_id: int, row: Stock, units: int) -> None:
    """More units from `row` for a line: onto its open stop there, or a new stop."""
    stop = next(
        (
            s
            for s in pick_list.stops
            if s.stock_id == row.id and s.status in ("OPEN", "AT_LOCATION")
        ),
        None,
    )
    if stop is None:
        stop = PickStop(
            seq=1000 + len(pick_list.stops),
            location_id=row.location_id,
            product_id=row.product_id,
            stock_id=row.id,
            quantity=0,
            picked=0,
            status="OPEN",
            tasks=[],
        )
        pick_list.stops.append(stop)
    task = next((t for t in stop.tasks if t.order_line_id == line_id), None)
    if task is None:
        task = PickTask(order_line_id=line_id, quantity=0, picked=0, placed=0)
        stop.tasks.append(task)
    task.quantity += units
    stop.quantity += units


def _resequence(session: Session, pick_list: PickList, here: PickStop) -> list[str]:
    """Fit stops added during the walk into it where they cost the fewest extra metres.

    The picker is at `here`; the stops already planned keep their order (cheapest insertion
    from the picker's position to the depot), so a short never reshuffles the whole walk.
    A stop the layout does not reach goes last; their location codes are returned.
    """
    layout = warehouse_layout(session)
    closed = [s for s in pick_list.stops if s.status in ("DONE", "SHORT")]
    current = [s for s in pick_list.stops if s.status == "AT_LOCATION"]
    planned = [s for s in pick_list.stops if s.status == "OPEN" and s.seq < 1000]
    added = [s for s in pick_list.stops if s.status == "OPEN" and s.seq >= 1000]

    def point(stop: PickStop) -> PickPoint:
        return PickPoint(str(stop.id), stop.location.aisle, stop.location.bay)

    start = point(here)
    unrouted: list[str] = []
    for stop in added:
        ends: list[PickPoint | Depot] = [start, *(point(s) for s in planned), DEPOT]
        try:
            costs = [
                shortest_path_m(layout, ends[i], point(stop))
                + shortest_path_m(layout, point(stop), ends[i + 1])
                - shortest_path_m(layout, ends[i], ends[i + 1])
                for i in range(len(ends) - 1)
            ]
        except OffLayout:
            planned.append(stop)  # no distance to weigh it by: the picker still gets it
            unrouted.append(stop.location.code)
            continue
        planned.insert(costs.index(min(costs)), stop)
    # Two steps, so that no two stops ever share a number on the way (a unique constraint).
    for n, stop in enumerate(pick_list.stops, start=1):
        stop.seq = 100_000 + n
    session.flush()
    for n, stop in enumerate([*closed, *current, *planned], start=1):
        stop.seq = n
    pick_list.stops.sort(key=lambda s: s.seq)
    session.flush()
    return sorted(set(unrouted))


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
    in_hand = sum(t.picked - t.placed for s in pick_list.stops for t in s.tasks)
    if in_hand:
        raise WrongState(
            f"{in_hand} unit(s) of {code} are in the picker's hand, not yet in a tote: "
            "let the picker put them in first."
        )
    # The next holder starts the stop by scanning its location, wherever the last one stood.
    for stop in pick_list.stops:
        if stop.status == "AT_LOCATION":
            stop.status = "OPEN"
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

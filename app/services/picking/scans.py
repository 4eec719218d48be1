"""The picker's actions: take the next pick list, then location, product and tote scans.

Every scan is one transaction; it is checked against what the list expects now (the current
stop's location, product and lot, the order's tote) and refused with a reason otherwise, so
a wrong pick can never be recorded. The pick list row is locked for the scan, so a list that
was reassigned meanwhile refuses the old picker's scan.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.db.models import Allocation, Order, Stock
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.scanning.refusals import Refusal
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import Conflict, InvalidInput, NotAllowed, NotFound, WrongState
from app.services.intake.verification import adjust_reserved
from app.services.masterdata.catalog import find_product
from app.services.packing.jobs import problem_tote_holder
from app.services.picking.finishing import finish_if_done, report_short
from app.services.picking.views import (
    Expect,
    PickListView,
    ScanOutcome,
    view_of,
    walk_state,
)

ACTIVE = ("CLAIMED", "IN_PROGRESS")
# Orders whose picked items are still in their totes (until packing empties them).
_IN_TOTES = tuple(
    s.value
    for s in (OrderStatus.RELEASED, OrderStatus.PICKED, OrderStatus.SHORT, OrderStatus.SORTED)
)


class WrongScan(InvalidInput):
    """A scan that does not fit what the pick list expects now; nothing was recorded."""

    refusal = Refusal.NOT_EXPECTED


def claim_next(session: Session, actor: Actor) -> PickListView:
    """The picker's own unfinished list first, else the most urgent open one (taken atomically)."""
    actor.require(Role.PICKER)
    own = session.scalars(
        select(PickList)
        .where(PickList.picker_id == actor.operator_id, PickList.status.in_(ACTIVE))
        .order_by(PickList.id)
        .limit(1)
    ).one_or_none()
    if own is not None:
        return view_of(session, own)
    candidate = session.scalars(
        select(PickList)
        .where(PickList.status == "OPEN")
        .order_by(PickList.due.is_(None), PickList.due, PickList.id)
        .limit(1)
        # Two pickers pressing at once: the second skips the row the first has locked.
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if candidate is None:
        raise NotFound("No pick lists are waiting. Ask a supervisor to release a wave.")
    candidate.status = "CLAIMED"
    candidate.picker_id = actor.operator_id
    candidate.claimed_at = clock.now()
    session.flush()
    return view_of(session, candidate)


def current_list(session: Session, actor: Actor, code: str) -> PickListView:
    """The list as it stands (finished ones too), for the screen after a restart or a refusal."""
    return view_of(session, _held(session, actor, code, finished_ok=True))


def scan(session: Session, actor: Actor, code: str, scanned: Scan) -> ScanOutcome:
    """Apply one scan to the pick list: the location, the product, or the tote the stop expects."""
    pick_list = _held(session, actor, code)
    view = walk_state(pick_list)
    stop_view = view.current_stop
    if stop_view is None:
        raise WrongState(f"Pick list {code} is finished.", refusal=Refusal.ALREADY_DONE)
    stop = session.get_one(PickStop, stop_view.stop_id)
    expect = view.expect
    if expect is Expect.LOCATION:
        return _with_view(session, pick_list, _at_location(session, pick_list, stop, scanned))
    if expect is Expect.PRODUCT:
        if scanned.kind is ScanKind.LOCATION and scanned.code == stop.location.code:
            return _with_view(
                session,
                pick_list,
                ScanOutcome("already", f"You are at {stop.location.code}: scan the product."),
            )
        outcome = _take(session, pick_list, stop, scanned)
    else:
        outcome = _put(session, pick_list, stop, scanned)
    return _with_view(session, pick_list, finish_if_done(session, actor, pick_list, outcome))


def _with_view(session: Session, pick_list: PickList, outcome: ScanOutcome) -> ScanOutcome:
    """The outcome with the list as it now stands, so the screen need not read it again."""
    return replace(outcome, view=view_of(session, pick_list))


def key_count(session: Session, actor: Actor, code: str, units: int) -> ScanOutcome:
    """The picker keys how many units were taken at the current stop (instead of unit scans)."""
    pick_list = _held(session, actor, code)
    view = walk_state(pick_list)
    if view.expect is Expect.TOTE:
        raise WrongScan("Put the units in your hand into the tote first (scan the tote).")
    if view.expect is not Expect.PRODUCT or view.current_stop is None:
        raise WrongScan("Scan the location first, then key the count.")
    stop = session.get_one(PickStop, view.current_stop.stop_id)
    task = _current_task(stop, pick_list.mode)
    room = (
        (task.quantity - task.picked)
        if pick_list.mode == "sort_while_pick"
        else stop.quantity - stop.picked
    )
    if units < 1 or units > room:
        raise WrongScan(f"Key 1 to {room}: that is what is still to take here.")
    _record_take(session, pick_list, stop, units)
    outcome = finish_if_done(session, actor, pick_list, ScanOutcome("ok", f"{units} taken", True))
    return _with_view(session, pick_list, outcome)


def _held(session: Session, actor: Actor, code: str, *, finished_ok: bool = False) -> PickList:
    """The pick list, locked for this scan, if it is this picker's to work on."""
    actor.require(Role.PICKER)
    pick_list = session.scalars(
        select(PickList)
        .where(PickList.code == code)
        .options(selectinload(PickList.stops).selectinload(PickStop.tasks))
        .with_for_update(of=PickList)
    ).one_or_none()
    if pick_list is None:
        raise NotFound(f"No pick list {code}.")
    if pick_list.status == "DONE" and not finished_ok:
        raise WrongState(f"Pick list {code} is finished.", refusal=Refusal.ALREADY_DONE)
    if pick_list.picker_id != actor.operator_id:
        raise NotAllowed(f"Pick list {code} is not yours any more (it was reassigned).")
    return pick_list


def _at_location(
    session: Session, pick_list: PickList, stop: PickStop, scanned: Scan
) -> ScanOutcome:
    if scanned.kind is not ScanKind.LOCATION:
        raise WrongScan(f"Scan the location first: go to {stop.location.code}.")
    if scanned.code != stop.location.code:
        raise WrongScan(
            f"Wrong location {scanned.code}: this stop is {stop.location.code}.",
            refusal=Refusal.WRONG_LOCATION,
        )
    stop.status = "AT_LOCATION"
    if pick_list.status == "CLAIMED":
        pick_list.status = "IN_PROGRESS"
    session.flush()
    task = _current_task(stop, pick_list.mode)
    units = (
        task.quantity - task.picked
        if pick_list.mode == "sort_while_pick"
        else stop.quantity - stop.picked
    )
    return ScanOutcome("ok", f"At {stop.location.code}: take {units}")


def _take(session: Session, pick_list: PickList, stop: PickStop, scanned: Scan) -> ScanOutcome:
    if scanned.kind is not ScanKind.PRODUCT:
        raise WrongScan(f"Scan the product ({stop.product.sku}) from {stop.location.code}.")
    match = find_product(session, scanned.code, scanned.gtin)
    if match is None or match.product_id != stop.product_id:
        what = match.sku if match else (scanned.gtin or scanned.code)
        raise WrongScan(
            f"Wrong product {what}: take {stop.product.sku} {stop.product.name}.",
            refusal=Refusal.WRONG_ITEM,
        )
    lot = stop.stock.lot
    if scanned.lot and lot and scanned.lot != lot:
        raise WrongScan(
            f"Wrong lot {scanned.lot}: take lot {lot} from {stop.location.code}.",
            refusal=Refusal.WRONG_ITEM,
        )
    task = _current_task(stop, pick_list.mode)
    room = (
        task.quantity - task.picked
        if pick_list.mode == "sort_while_pick"
        else stop.quantity - stop.picked
    )
    if match.pack_quantity > room:
        raise WrongScan(
            f"Too many: only {room} more to take now; this code counts {match.pack_quantity}."
            if room
            else f"You already have all {stop.quantity} from {stop.location.code}.",
            refusal=Refusal.OVER_PICK,
        )
    _record_take(session, pick_list, stop, match.pack_quantity)
    left = stop.quantity - stop.picked
    return ScanOutcome(
        "ok",
        f"{stop.product.sku}: {stop.picked} of {stop.quantity}" + ("" if left else " ✔"),
        advanced=True,
    )


def _record_take(session: Session, pick_list: PickList, stop: PickStop, units: int) -> None:
    """Units left the location: stock and its promise go down together, tasks fill in order."""
    remaining = units
    # A single order's units go straight into its tote once the picker has scanned one.
    into_tote = pick_list.mode == "single" and pick_list.orders[0].tote is not None
    for task in stop.tasks:
        take = min(task.quantity - task.picked, remaining)
        if take <= 0:
            continue
        task.picked += take
        if into_tote:
            task.placed = task.picked
        remaining -= take
        allocation = session.scalars(
            select(Allocation).where(
                Allocation.order_line_id == task.order_line_id, Allocation.stock_id == stop.stock_id
            )
        ).one()
        if allocation.quantity == take:
            session.delete(allocation)
        else:
            allocation.quantity -= take
        if pick_list.mode == "sort_while_pick":
            break  # one order's task at a time: its units go into its own tote next
    taken = units - remaining
    stop.picked += taken
    session.flush()
    adjust_reserved(session, {stop.stock_id: -taken})
    result = session.execute(
        update(Stock)
        .where(Stock.id == stop.stock_id, Stock.quantity >= taken)
        .values(quantity=Stock.quantity - taken, version=Stock.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("The stock count changed under another station: scan again.")
    _close_if_done(stop, pick_list.mode)


def _put(session: Session, pick_list: PickList, stop: PickStop, scanned: Scan) -> ScanOutcome:
    """The units in hand go into a tote: the order's own (on a cart, or a single order's, bound
    by the first units put in it) or the batch's shared one."""
    if scanned.kind is not ScanKind.TOTE:
        raise WrongScan("Scan the tote the units go into.")
    members = {m.order_id: m for m in pick_list.orders}
    task = _current_task(stop, pick_list.mode)
    if pick_list.mode == "sort_while_pick":
        member = members[task.order_line.order_id]
        targets = [member]
    else:
        targets = list(members.values())
        member = targets[0]
    bound = member.tote is None
    if bound:
        _check_free(session, pick_list, scanned.code)
        for target in targets:
            target.tote = scanned.code
    elif member.tote != scanned.code:
        where = "" if pick_list.mode == "single" else f" (cart position {member.position})"
        raise WrongScan(
            f"Wrong tote {scanned.code}: order {member.order.number} goes in {member.tote}{where}.",
            refusal=Refusal.WRONG_TOTE,
        )
    placing = [t for t in stop.tasks if t.placed < t.picked]
    if pick_list.mode == "sort_while_pick":
        placing = [task]
    for t in placing:
        t.placed = t.picked
    _close_if_done(stop, pick_list.mode)
    session.flush()
    if bound and pick_list.mode == "single":
        return ScanOutcome(
            "ok", f"Order {member.order.number} goes in tote {scanned.code}", advanced=True
        )
    return ScanOutcome("ok", f"In tote {scanned.code}", advanced=True)


def _check_free(session: Session, pick_list: PickList, tote: str) -> None:
    """A tote still holding an order's items (not yet packed) cannot take these."""
    if session.get_bind().dialect.name == "postgresql":
        # Two pickers scanning the same empty tote at once: the second waits for the first
        # to commit, then finds the tote taken (SQLite writes one transaction at a time).
        session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(f"tote:{tote}".encode()))))
    used = session.execute(
        select(PickList.code, Order.number)
        .join(PickListOrder, PickListOrder.pick_list_id == PickList.id)
        .join(Order, Order.id == PickListOrder.order_id)
        .where(PickListOrder.tote == tote, Order.status.in_(_IN_TOTES))
        .limit(1)
    ).one_or_none()
    if used is not None:
        code, number = used
        where = "on this cart" if code == pick_list.code else f"of pick list {code}"
        raise WrongScan(
            f"Tote {tote} is in use: it holds order {number} {where}. Take an empty tote.",
            refusal=Refusal.WRONG_TOTE,
        )
    problem = problem_tote_holder(session, tote)
    if problem is not None:
        raise WrongScan(
            f"Tote {tote} holds order {problem.number}'s set-aside items: take an empty tote.",
            refusal=Refusal.WRONG_TOTE,
        )


def _current_task(stop: PickStop, mode: str) -> PickTask:
    for task in stop.tasks:
        if task.placed < task.quantity and not (
            mode != "sort_while_pick" and task.picked == task.quantity
        ):
            return task
    return stop.tasks[-1]


def _close_if_done(stop: PickStop, mode: str) -> None:
    if stop.picked == stop.quantity and all(t.placed == t.picked for t in stop.tasks):
        stop.status = "DONE"


def short(
    session: Session, actor: Actor, code: str, reason: str = "location empty or not enough"
) -> ScanOutcome:
    """The current location holds fewer units than the stop asks: record what is missing."""
    pick_list = _held(session, actor, code)
    current = walk_state(pick_list).current_stop
    if current is None:
        raise WrongState(f"Pick list {code} is finished.")
    stop = session.get_one(PickStop, current.stop_id)
    return _with_view(session, pick_list, report_short(session, actor, pick_list, stop, reason))

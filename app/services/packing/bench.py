"""The packer's actions: take an order to the bench, scan each unit, weigh and close cartons.

Every action is one transaction on the order's row, locked first, so two benches never pack
the same order and a scan is either recorded whole or refused with nothing written. Closing a
carton commits its contents, box, weight, SSCC and tracking number; its labels print after
the commit (app/services/packing/documents.py), so a printer that is off never loses a carton.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.db.models import Operator, Order
from app.db.packing_models import BoxType, Carton, CartonItem, PackJob
from app.db.picking_models import PickList, PickListOrder
from app.db.putwall_models import WallSlot
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.scanning.refusals import Refusal
from app.domain.states import OrderStatus
from app.printing.gs1 import make_sscc
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotAllowed, NotFound, WrongState
from app.services.floor.journal import record_weighing
from app.services.masterdata.catalog import find_product
from app.services.masterdata.warehouse import packing_settings
from app.services.packing.carriers import assign_carrier, carrier_book
from app.services.packing.jobs import (
    IN_BATCH_TOTE,
    PACKABLE,
    OverScan,
    PackOutcome,
    PackRefused,
    WrongItem,
    WrongLot,
    held_job,
    not_ready,
    open_job,
    order_by_number,
    problem_tote_holder,
    supervisor_with_badge,
)
from app.services.packing.views import (
    PackLine,
    PackView,
    carton_view,
    pack_view,
    plan_units,
)
from app.services.sorting.put_wall import release_slot
from app.services.timeline import move_order, record_event

MAX_WEIGHT_G = 100_000


def start_packing(session: Session, actor: Actor, scanned: Scan) -> PackOutcome:
    """Take the order named by an order number, its tote or its complete put-wall slot."""
    actor.require(Role.PACKER)
    if scanned.kind is ScanKind.ORDER:
        order, where = order_by_number(session, scanned.code), f"order {scanned.code}"
    elif scanned.kind is ScanKind.TOTE:
        order, where = _order_in_tote(session, scanned.code), f"tote {scanned.code}"
    elif scanned.kind is ScanKind.SLOT:
        order, where = _order_in_slot(session, scanned.code), f"slot {scanned.code}"
    else:
        raise PackRefused("Scan an order number, its tote or its put-wall slot to start packing.")
    return _start(session, actor, order, where)


def _start(session: Session, actor: Actor, order: Order, where: str) -> PackOutcome:
    job = open_job(session, order.id)
    if job is not None and job.packer_id != actor.operator_id:
        who = job.packer.name if job.packer else "another packer"
        # At the same bench (a shift change) the items are right there; elsewhere only a
        # supervisor moves an order between benches.
        if actor.role is not Role.SUPERVISOR and job.station != actor.station:
            raise NotAllowed(
                f"Order {order.number} is being packed by {who} at {job.station}: a supervisor "
                "can take it over by scanning it."
            )
        _check_one_order(session, actor, order.number)
        record_event(session, order, actor, "pack_taken_over", f"from {who} at {job.station}")
        job.packer_id, job.station = actor.operator_id, actor.station
    if job is not None:
        view = pack_view(session, job)
        return _warned(PackOutcome("ok", f"Order {order.number} resumed: {_left(view)}", view))
    if order.status not in PACKABLE:
        raise WrongState(not_ready(session, order))
    _check_one_order(session, actor, order.number)
    for slot in session.scalars(
        select(WallSlot.code).where(WallSlot.order_id == order.id, WallSlot.status == "COMPLETE")
    ).all():
        release_slot(session, actor, slot)  # the order left its slot, whatever was scanned
    for old in session.scalars(
        select(PackJob).where(PackJob.order_id == order.id, PackJob.status == "EXCEPTION")
    ):
        old.status = "RESUMED"  # its problem tote is now on this bench
    job = PackJob(
        order_id=order.id, packer_id=actor.operator_id, station=actor.station, started_from=where
    )
    session.add(job)
    session.flush()
    record_event(session, order, actor, "packing_started", f"from {where}")
    view = pack_view(session, job)
    return _warned(PackOutcome("ok", f"Order {order.number}: {_left(view)}", view))


def current_order(session: Session, actor: Actor) -> PackView | None:
    """The order this packer has open on a bench (after a restart: resume where it was)."""
    actor.require(Role.PACKER)
    job = session.scalars(
        select(PackJob)
        .where(PackJob.packer_id == actor.operator_id, PackJob.status == "OPEN")
        .order_by(PackJob.id.desc())
        .limit(1)
    ).one_or_none()
    return pack_view(session, job) if job is not None else None


def pack_item(session: Session, actor: Actor, number: str, scanned: Scan) -> PackOutcome:
    """One scanned unit (or case) into the open carton, if the order still needs it."""
    job = held_job(session, actor, number)
    match = find_product(session, scanned.code, scanned.gtin)
    if match is None:
        raise WrongItem(f"No product has the code {scanned.code}.", refusal=Refusal.UNKNOWN_CODE)
    view = pack_view(session, job)
    lines = [li for li in view.lines if li.product_id == match.product_id]
    if not lines:
        raise WrongItem(f"{match.sku} is not in order {number}: put it aside for a supervisor.")
    units = match.pack_quantity  # a case or inner-pack code counts its units
    room = sum(li.expected - li.packed for li in lines)
    if room == 0:
        expected = sum(li.expected for li in lines)
        raise OverScan(f"All {expected} × {match.sku} are packed already: this one is extra.")
    lot = scanned.lot or ""
    if lot:
        # The product may be on several lines, picked from different lots: the unit goes to a
        # line its lot was picked for (a line without lots takes any).
        lines = [li for li in lines if not li.lots or lot in li.lots]
        if not lines:
            picked = sorted(
                {lot for li in view.lines if li.product_id == match.product_id for lot in li.lots}
            )
            raise WrongLot(
                f"Wrong lot {lot}: this order's {match.sku} was picked from lot "
                f"{', '.join(picked)}."
            )
        room = sum(li.expected - li.packed for li in lines)
    if units > room:
        raise OverScan(f"This code counts {units} × {match.sku}; only {room} more go in.")
    # A case may fill one line and start the next of the same product.
    parts: list[tuple[PackLine, int]] = []
    left = units
    for line in lines:
        take = min(left, line.expected - line.packed)
        if take > 0:
            parts.append((line, take))
            left -= take
    return _add_units(session, actor, job, view, parts, lot, None)


def key_units(
    session: Session, actor: Actor, number: str, line_id: int, units: int, approver_badge: str
) -> PackOutcome:
    """A keyed count for a line instead of unit scans (a label that will not scan): a
    supervisor's badge approves it."""
    job = held_job(session, actor, number)
    approver = supervisor_with_badge(session, approver_badge)
    view = pack_view(session, job)
    line = view.line(line_id)
    if line is None:
        raise NotFound(f"Order {number} has no such line to pack.")
    room = line.expected - line.packed
    if not 1 <= units <= room:
        raise PackRefused(f"Key 1 to {room}: that is what is still to pack of {line.sku}.")
    return _add_units(session, actor, job, view, [(line, units)], "", approver)


def _add_units(
    session: Session,
    actor: Actor,
    job: PackJob,
    before: PackView,
    parts: list[tuple[PackLine, int]],
    lot: str,
    approver: Operator | None,
) -> PackOutcome:
    """Units of one or more lines into the open carton (one scan, one row per line)."""
    shown = before.open_carton
    if shown is None:
        carton, box = _new_carton(session, actor, job, before)
        before = before.opening(carton_view(carton, box, before.carton_number))
        carton_id, seq = carton.id, carton.seq
    else:
        carton_id, seq = shown.carton_id, shown.seq
        if shown.weight_g is not None or shown.weight_flagged:
            _unweigh(session.get_one(Carton, carton_id))  # that weighing says nothing now
    for line, units in parts:
        session.add(
            CartonItem(
                carton_id=carton_id,
                order_line_id=line.line_id,
                units=units,
                lot=lot,
                operator_id=actor.operator_id,
                approved_by=approver.id if approver else None,
            )
        )
    session.flush()
    line, units = parts[0]
    if approver is not None:
        order = session.get_one(Order, job.order_id)
        detail = f"{units} × {line.sku} keyed into carton {seq}, approved by {approver.name}"
        record_event(session, order, actor, "pack_count_keyed", detail)
    # A scan changes what the view says in a known way: the order is not read twice.
    view = before
    for part, n in parts:
        view = view.adding(part.line_id, n)
    product = [li for li in view.lines if li.product_id == line.product_id]
    packed, expected = sum(li.packed for li in product), sum(li.expected for li in product)
    message = f"{line.sku}  {packed} of {expected}" + (" ✓" if packed >= expected else "")
    if view.all_in:
        return PackOutcome("ok", f"{message} · all in, weigh it", view)
    return PackOutcome("ok", message, view)


def choose_box(session: Session, actor: Actor, number: str, box_code: str) -> PackOutcome:
    """The packer takes another box type than suggested for the open carton."""
    job = held_job(session, actor, number)
    box = session.scalars(
        select(BoxType).where(BoxType.code == box_code, BoxType.active)
    ).one_or_none()
    if box is None:
        raise NotFound(f"No box type {box_code} at this warehouse (`baton boxes`).")
    carton = _open_carton(session, actor, job)
    carton.box_type_id = box.id
    _unweigh(carton)
    session.flush()
    view = pack_view(session, job)
    message = f"Carton {view.carton_number} goes in {box.code} ({box.name})."
    return PackOutcome("ok", message, view)


def close_carton(
    session: Session,
    actor: Actor,
    number: str,
    weight_g: int,
    override_badge: str | None = None,
) -> PackOutcome:
    """Weigh and close the open carton: SSCC, carrier and tracking number; the order PACKED
    with its last carton. A weight outside tolerance is recorded and refused, unless a
    supervisor's badge accepts it."""
    job = held_job(session, actor, number)
    view = pack_view(session, job)
    shown = view.open_carton
    if shown is None or shown.units == 0:
        raise PackRefused("Nothing is in the carton yet: scan the items first.")
    if not 1 <= weight_g <= MAX_WEIGHT_G:
        raise InvalidInput(f"Key the carton's weight in grams (1 to {MAX_WEIGHT_G}).")
    settings = packing_settings(session)
    order = session.get_one(Order, job.order_id)
    carton = session.get_one(Carton, shown.carton_id)
    expected = shown.expected_weight_g
    tolerance = settings.tolerance(expected)
    if override_badge is not None and not (carton.weight_flagged and carton.weight_g == weight_g):
        raise PackRefused("Weigh the carton again first: a supervisor accepts the last reading.")
    carton.weight_g, carton.expected_weight_g = weight_g, expected
    if settings.weight_ok(expected, weight_g):
        carton.weight_flagged = False
    else:
        off = f"weighed {weight_g:,} g, expected {expected:,} g ± {tolerance:,} g"
        if override_badge is None:
            carton.weight_flagged = True
            record_event(
                session, order, actor, "weight_flagged", f"carton {view.carton_number}: {off}"
            )
            # The packer is told which way, not by how much: the expected weight would
            # otherwise be one wrong key away, and a check with its answer shown checks nothing.
            way = "Too heavy" if weight_g > expected else "Too light"
            message = (
                f"{way}: {weight_g:,} g. Check the carton and weigh again, or a supervisor's "
                "badge accepts it."
            )
            record_weighing(
                session, actor, number, weight_g, Refusal.WEIGHT_OUT_OF_TOLERANCE, message
            )
            return PackOutcome("error", message, pack_view(session, job))
        approver = supervisor_with_badge(session, override_badge)
        carton.weight_override_by = approver.id
        record_event(
            session, order, actor, "weight_accepted", f"{off}; accepted by {approver.name}"
        )
    if override_badge is None:  # an accepted reading was journaled when it was refused
        record_weighing(session, actor, number, weight_g, None, f"carton {view.carton_number}")
    carton_no = view.carton_number
    carton_count = carton_no + len(plan_units(session, _still_to_pack(view)))
    choice, tracking = assign_carrier(
        carrier_book(), order.carrier, order.service, order.ship_country, weight_g, carton.id
    )
    if session.scalar(select(Carton.id).where(Carton.tracking_number == tracking)) is not None:
        raise InvalidInput(
            f"{choice.carrier} tracking number {tracking} is taken: the number range in "
            "carriers.toml is used up (a supervisor sets a new first_serial)."
        )
    try:
        carton.sscc = make_sscc(settings.sscc_extension, settings.company_prefix, carton.id)
    except ValueError:
        raise InvalidInput(
            f"No SSCC serials left for company prefix {settings.company_prefix} (carton "
            f"#{carton.id}): a supervisor sets a shorter prefix or another extension digit."
        ) from None
    carton.carrier, carton.service, carton.tracking_number = (
        choice.carrier,
        choice.service,
        tracking,
    )
    carton.carton_count = carton_count
    carton.status, carton.closed_at = "CLOSED", clock.now()
    carton.closed_by, carton.station = actor.operator_id, actor.station
    detail = (
        f"carton {carton_no} of {carton_count}: {shown.units} unit(s) in {shown.box}, "
        f"{weight_g:,} g; {choice.carrier} {choice.service} {tracking}; SSCC {carton.sscc}"
    )
    record_event(session, order, actor, "carton_closed", detail)
    session.flush()
    if view.all_in:
        move_order(session, order, OrderStatus.PACKED, actor, "packed", f"{carton_no} carton(s)")
        job.status, job.finished_at = "DONE", clock.now()
        session.flush()
        message = f"Order {number} packed: carton {carton_no} of {carton_no} closed, {tracking}."
        # Still "done" with a customs warning: the order is packed, the message says what
        # its declaration lacks.
        return _warned(PackOutcome("done", message, pack_view(session, job), carton.id))
    message = (
        f"Carton {carton_no} of {carton_count} closed ({tracking}). "
        f"Next scans go into carton {carton_no + 1}."
    )
    return _warned(PackOutcome("ok", message, pack_view(session, job), carton.id))


def _warned(outcome: PackOutcome) -> PackOutcome:
    """The outcome with the order's customs warning added, amber unless it ends the order:
    a missing HS code or origin is told to the packer, never a reason to refuse."""
    warning = outcome.view.customs.warning
    if not warning:
        return outcome
    result = outcome.result if outcome.result in ("done", "error") else "attention"
    stop = "" if outcome.message.endswith((".", ")")) else "."
    return replace(outcome, result=result, message=f"{outcome.message}{stop} {warning}")


def _open_carton(session: Session, actor: Actor, job: PackJob) -> Carton:
    """The carton being filled, or a new one in the box the plan suggests."""
    carton = session.scalars(
        select(Carton).where(Carton.pack_job_id == job.id, Carton.status == "OPEN")
    ).one_or_none()
    return carton if carton is not None else _new_carton(session, actor, job, None)[0]


def _new_carton(
    session: Session, actor: Actor, job: PackJob, view: PackView | None
) -> tuple[Carton, BoxType | None]:
    """A new carton for the order, in the first box of the plan (none if no box fits)."""
    seq = session.scalar(select(func.max(Carton.seq)).where(Carton.order_id == job.order_id))
    plan = (view or pack_view(session, job)).plan
    code = plan[0].box if plan else None
    box = session.scalars(select(BoxType).where(BoxType.code == code)).first() if code else None
    carton = Carton(
        order_id=job.order_id,
        pack_job_id=job.id,
        seq=(seq or 0) + 1,
        box_type_id=box.id if box is not None else None,
        station=actor.station,
    )
    session.add(carton)
    session.flush()
    return carton, box


def _still_to_pack(view: PackView) -> dict[int, int]:
    """Units not in any carton yet, per product (for "carton n of m")."""
    left: dict[int, int] = {}
    for line in view.lines:
        if line.packed < line.expected:
            left[line.product_id] = left.get(line.product_id, 0) + line.expected - line.packed
    return left


def _check_one_order(session: Session, actor: Actor, number: str) -> None:
    """A packer has one order on the bench at a time: the items of two would mix."""
    other = session.scalar(
        select(Order.number)
        .join(PackJob, PackJob.order_id == Order.id)
        .where(
            PackJob.packer_id == actor.operator_id,
            PackJob.status == "OPEN",
            Order.number != number,
        )
        .limit(1)
    )
    if other is not None:
        raise WrongState(
            f"Order {other} is still on your bench: close its cartons or set it aside (F8) "
            "before taking another."
        )


def _unweigh(carton: Carton) -> None:
    """The carton changed: an earlier weighing (and its flag) no longer says anything."""
    carton.weight_g, carton.weight_flagged = None, False


def _order_in_tote(session: Session, tote: str) -> Order:
    """The order whose items a tote holds now: its problem order, else the order of the last
    pick list that used it (a cancelled or packed one is refused by `_start` with why)."""
    problem = problem_tote_holder(session, tote)
    if problem is not None:
        if problem.status == OrderStatus.EXCEPTION.value:
            raise WrongState(
                f"Tote {tote} holds order {problem.number}, set aside: it waits for a supervisor."
            )
        return order_by_number(session, problem.number)
    last = select(func.max(PickListOrder.pick_list_id)).where(PickListOrder.tote == tote)
    rows = session.execute(
        select(Order.number, Order.status, PickList.mode)
        .join(PickListOrder, PickListOrder.order_id == Order.id)
        .join(PickList, PickList.id == PickListOrder.pick_list_id)
        .where(PickListOrder.tote == tote, PickListOrder.pick_list_id == last.scalar_subquery())
    ).all()
    if not rows:
        raise NotFound(f"Tote {tote} holds no order to pack.")
    if rows[0].mode == "pick_then_sort":
        if any(r.status in IN_BATCH_TOTE for r in rows):
            raise WrongState(f"Tote {tote} is a batch tote: sort it at the put wall first.")
        raise NotFound(f"Tote {tote} holds no order to pack: its batch went to the put wall.")
    numbers = sorted({r.number for r in rows})
    if len(numbers) > 1:
        raise PackRefused(f"Tote {tote} holds orders {', '.join(numbers)}: scan the order number.")
    return order_by_number(session, numbers[0])


def _order_in_slot(session: Session, code: str) -> Order:
    slot = session.scalars(select(WallSlot).where(WallSlot.code == code)).one_or_none()
    if slot is None:
        raise NotFound(f"No put-wall slot {code}.")
    if slot.order_id is None:
        raise WrongState(f"Slot {code} is free: nothing to pack there.")
    order = session.get_one(Order, slot.order_id)
    if slot.status != "COMPLETE":
        raise WrongState(f"Slot {code} (order {order.number}) is still being sorted.")
    return order_by_number(session, order.number)


def _left(view: PackView) -> str:
    """What is left of the order, short enough for one line of the feedback band."""
    packed, expected = view.units
    if packed >= expected:
        return "all in, weigh it"
    return f"{expected - packed} of {expected} to scan"

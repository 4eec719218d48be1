"""The put wall: a batch tote's items sorted back into orders, one slot per order.

A sorter scans a batch tote (its orders take free slots, most urgent first), then each item:
the slot of the most urgent order still needing it lights up, and the put counts only when
that slot's label is scanned. A slot holding everything its order needs is COMPLETE and the
order SORTED, ready for the pack bench, which frees the slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.models import Location, Order, OrderLine, Stock
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.db.putwall_models import PutWall, SortPut, WallSlot
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind, classify
from app.domain.scanning.refusals import Refusal
from app.domain.states import OrderStatus
from app.printing import Printer
from app.printing.batch import Cancel
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound, WrongState
from app.services.masterdata.catalog import find_product
from app.services.printing.records import Progress, RecordedPrint, print_batch
from app.services.timeline import move_order, record_event

ON_WALL = ("ASSIGNED", "FILLING", "COMPLETE")
SORTABLE = (OrderStatus.PICKED.value, OrderStatus.SHORT.value)


class WrongPut(InvalidInput):
    """A scan that does not fit the wall now; nothing was recorded."""

    refusal = Refusal.NOT_EXPECTED


class AlreadyPut(WrongPut):
    """The scanned slot already holds every unit of the item its order needs (another sorter
    was first); nothing was recorded."""

    refusal = Refusal.ALREADY_DONE


class OverPick(WrongPut):
    """One unit more than the wall's orders need: it goes back to stock (scan a location)."""

    refusal = Refusal.OVER_PICK


@dataclass(frozen=True)
class SlotView:
    """One slot as the wall shows it."""

    code: str
    row: int
    col: int
    status: str
    order: str | None
    placed: int
    expected: int
    short: bool
    completed_at: datetime | None


@dataclass(frozen=True)
class WallView:
    """A wall: its slots, and orders of its totes still waiting for a free slot."""

    code: str
    rows: int
    cols: int
    slots: tuple[SlotView, ...]
    waiting: tuple[str, ...]

    def slot(self, code: str) -> SlotView | None:
        return next((s for s in self.slots if s.code == code), None)


@dataclass(frozen=True)
class Target:
    """Where the item in the sorter's hand goes."""

    slot: str
    row: int
    col: int
    order: str
    sku: str
    product_id: int
    units: int


@dataclass(frozen=True)
class SortOutcome:
    """What a sorter's scan did: "ok", "attention" or "done", a message, and the wall after it."""

    result: str
    message: str
    wall: WallView
    target: Target | None = None


def slot_code(wall: str, row: int, col: int) -> str:
    """`W1-B5`: wall W1, row B (the second), column 5 — the code on the slot's label."""
    return f"{wall}-{chr(64 + row)}{col}"


def add_wall(session: Session, actor: Actor, code: str, rows: int, cols: int) -> WallView:
    """A new wall of rows x cols slots; its code must make slot labels a scanner recognises."""
    actor.require(Role.SUPERVISOR)
    code = code.strip().upper()
    if not (1 <= rows <= 26 and 1 <= cols <= 99):
        raise InvalidInput("A wall has 1 to 26 rows (A-Z) and 1 to 99 columns.")
    probe = classify(slot_code(code, rows, cols))
    if not isinstance(probe, Scan) or probe.kind is not ScanKind.SLOT:
        raise InvalidInput(
            f"Wall code '{code}' would give slot labels like {slot_code(code, 1, 1)} that do not "
            "scan as put-wall slots (see `baton scan patterns`)."
        )
    if session.scalar(select(PutWall.id).where(PutWall.code == code)) is not None:
        raise InvalidInput(f"Wall {code} exists already.")
    wall = PutWall(
        code=code,
        rows=rows,
        cols=cols,
        slots=[
            WallSlot(row=r, col=c, code=slot_code(code, r, c), status="FREE")
            for r in range(1, rows + 1)
            for c in range(1, cols + 1)
        ],
    )
    session.add(wall)
    session.flush()
    return wall_view(session, code)


def wall_view(session: Session, code: str) -> WallView:
    """The wall as it stands: every slot's order, counts and state."""
    wall = _wall(session, code)
    slots = list(wall.slots)
    order_ids = [s.order_id for s in slots if s.order_id is not None]
    expected, placed = _counts(session, order_ids)
    numbers = dict(
        session.execute(select(Order.id, Order.number).where(Order.id.in_(order_ids))).all()
    )
    statuses = dict(
        session.execute(select(Order.id, Order.status).where(Order.id.in_(order_ids))).all()
    )
    views = tuple(
        SlotView(
            code=s.code,
            row=s.row,
            col=s.col,
            status=s.status,
            order=numbers.get(s.order_id) if s.order_id else None,
            placed=sum(placed[s.order_id].values()) if s.order_id else 0,
            expected=sum(expected[s.order_id].values()) if s.order_id else 0,
            short=s.order_id is not None and statuses.get(s.order_id) == OrderStatus.SHORT.value,
            completed_at=s.completed_at,
        )
        for s in slots
    )
    return WallView(wall.code, wall.rows, wall.cols, views, _waiting(session, order_ids))


def start_batch(session: Session, actor: Actor, wall_code: str, tote: str) -> SortOutcome:
    """A batch tote arrives: its orders take free slots, most urgent first; the rest wait."""
    actor.require(Role.SORTER)
    # The wall's row is locked first: a second tote started on the same wall waits here, then
    # sees the slots the first one took (instead of taking the same free slots twice).
    wall = _wall(session, wall_code, lock=True)
    orders = list(
        session.scalars(
            select(Order)
            .join(PickListOrder, PickListOrder.order_id == Order.id)
            .join(PickList, PickList.id == PickListOrder.pick_list_id)
            .where(
                PickListOrder.tote == tote,
                PickList.mode == "pick_then_sort",
                Order.status.in_(SORTABLE),
            )
            .order_by(Order.ship_by.is_(None), Order.ship_by, Order.priority.desc(), Order.id)
            .with_for_update(of=Order)
        )
    )
    if not orders:
        raise WrongPut(f"Tote {tote} holds no picked batch to sort.", refusal=Refusal.WRONG_TOTE)
    on_walls = dict(
        session.execute(
            select(WallSlot.order_id, PutWall.code)
            .join(PutWall, PutWall.id == WallSlot.wall_id)
            .where(WallSlot.order_id.in_([o.id for o in orders]))
        ).all()
    )
    elsewhere = {code for code in on_walls.values() if code != wall.code}
    if elsewhere:
        raise WrongPut(
            f"Tote {tote} is being sorted on wall {', '.join(sorted(elsewhere))}.",
            refusal=Refusal.WRONG_STATE,
        )
    free = [s for s in wall.slots if s.status == "FREE"]
    new = [o for o in orders if o.id not in on_walls]
    now = clock.now()
    for slot, order in zip(free, new, strict=False):
        slot.order_id, slot.status, slot.assigned_at, slot.completed_at = (
            order.id,
            "ASSIGNED",
            now,
            None,
        )
        record_event(session, order, actor, "on_wall", f"wall {wall.code}, slot {slot.code}")
    session.flush()
    placed = min(len(free), len(new))
    waiting = len(new) - placed
    message = f"Tote {tote}: {placed} order(s) on wall {wall.code}"
    if len(new) < len(orders):
        message += f", {len(orders) - len(new)} already there"
    if waiting:
        message += f"; {waiting} wait for a free slot (scan the tote again when one frees)"
    result = "attention" if waiting else "ok"
    return SortOutcome(result, message + ".", wall_view(session, wall.code))


def target_for(session: Session, actor: Actor, wall_code: str, item: Scan) -> SortOutcome:
    """Where the scanned item goes: the most urgent order on the wall that still needs it."""
    actor.require(Role.SORTER)
    target = _target(session, wall_code, item)
    where = f"Row {chr(64 + target.row)}, column {target.col}"
    return SortOutcome(
        "ok",
        f"{target.sku} → slot {target.slot} ({where}) for {target.order}: scan the slot",
        wall_view(session, wall_code),
        target,
    )


def put(session: Session, actor: Actor, wall_code: str, item: Scan, slot: Scan) -> SortOutcome:
    """The item goes into the scanned slot, if it is the one the item belongs in."""
    actor.require(Role.SORTER)
    if slot.kind is not ScanKind.SLOT:
        raise WrongPut("Scan the slot's label to put the item in.")
    # The scanned slot's row is locked before anything is read: a second sorter putting into the
    # same slot waits here, then reads the wall as the first one left it.
    row = session.scalars(
        select(WallSlot)
        .where(WallSlot.code == slot.code)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    try:
        target = _target(session, wall_code, item)
    except OverPick:
        if row is not None and (done := _already_put(session, row, item)) is not None:
            raise done from None
        raise
    if slot.code != target.slot:
        if slot.code.rsplit("-", 1)[0] != wall_code:
            raise WrongPut(
                f"Slot {slot.code} is on another wall: this item goes to {target.slot}.",
                refusal=Refusal.WRONG_SLOT,
            )
        raise WrongPut(
            f"Wrong slot {slot.code}: this item goes to {target.slot}.", refusal=Refusal.WRONG_SLOT
        )
    if row is None:
        raise NotFound(f"No put-wall slot {slot.code}.")
    line_id = _line_needing(session, row.order_id, target.product_id, target.units)
    if row.order_id is None or line_id is None:
        raise AlreadyPut(f"Already put: slot {row.code} has every {target.sku} it needs.")
    session.add(
        SortPut(
            slot_id=row.id, order_line_id=line_id, units=target.units, operator_id=actor.operator_id
        )
    )
    row.status = "FILLING"
    session.flush()
    expected, placed = _counts(session, [row.order_id])
    if all(placed[row.order_id][line] >= n for line, n in expected[row.order_id].items()):
        return _complete(session, actor, wall_code, row)
    got = sum(placed[row.order_id].values())
    need = sum(expected[row.order_id].values())
    return SortOutcome(
        "ok", f"In {row.code}: {got} of {need} for {target.order}", wall_view(session, wall_code)
    )


SLOT_LAYOUT = "slot_label"


def slot_label_data(session: Session, wall_code: str) -> list[dict[str, str]]:
    """The values of every slot label of a wall, row by row."""
    view = wall_view(session, wall_code)
    return [
        {"slot": s.code, "where": f"Wall {view.code} · row {chr(64 + s.row)} · column {s.col}"}
        for s in view.slots
    ]


def print_slot_labels(
    factory: sessionmaker[Session],
    actor: Actor,
    printer: Printer,
    wall_code: str,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Every slot label of a wall in one job (supervisors), recorded like any print."""
    actor.require(Role.SUPERVISOR)
    with factory() as session:
        documents = slot_label_data(session, wall_code)
    what = f"slot labels of wall {wall_code} ({len(documents)})"
    return print_batch(
        factory, actor, printer, SLOT_LAYOUT, documents, what, progress=progress, cancel=cancel
    )


def release_slot(session: Session, actor: Actor, code: str) -> str:
    """The pack bench took the slot's order: the slot is free for the next batch."""
    actor.require(Role.PACKER, Role.SORTER)
    slot = session.scalars(
        select(WallSlot).where(WallSlot.code == code).with_for_update()
    ).one_or_none()
    if slot is None:
        raise NotFound(f"No put-wall slot {code}.")
    if slot.status != "COMPLETE":
        raise WrongState(f"Slot {code} is {slot.status.lower()}, not complete.")
    slot.status, slot.order_id, slot.assigned_at, slot.completed_at = "FREE", None, None, None
    return f"Slot {code} is free."


def return_extra(session: Session, actor: Actor, item: Scan, location: Scan) -> str:
    """An item left over after sorting (over-picked) goes back to stock at a scanned location."""
    actor.require(Role.SORTER)
    if location.kind is not ScanKind.LOCATION:
        raise WrongPut("Scan the location the extra item goes back to.")
    match = find_product(session, item.code, item.gtin)
    if match is None:
        raise WrongPut(
            f"No product has the code {item.gtin or item.code}.", refusal=Refusal.UNKNOWN_CODE
        )
    where = session.scalars(select(Location).where(Location.code == location.code)).one_or_none()
    if where is None:
        raise WrongPut(f"No location {location.code}.", refusal=Refusal.UNKNOWN_CODE)
    stock = session.scalars(
        select(Stock)
        .where(Stock.location_id == where.id, Stock.product_id == match.product_id, Stock.lot == "")
        .with_for_update()
    ).one_or_none()
    if stock is None:
        session.add(
            Stock(
                location_id=where.id,
                product_id=match.product_id,
                lot="",
                quantity=match.pack_quantity,
                reserved=0,
            )
        )
    else:
        stock.quantity += match.pack_quantity
        stock.version += 1
    return f"{match.pack_quantity} × {match.sku} back to stock at {where.code}."


@dataclass(frozen=True)
class WallStatus:
    """A wall at a glance, for supervisors."""

    code: str
    slots: int
    free: int
    filling: int
    complete: int
    oldest_complete: datetime | None


def walls_status(session: Session) -> list[WallStatus]:
    """Every wall: free, filling and complete slots, and how long the oldest complete one waits."""
    rows = session.execute(
        select(
            PutWall.code,
            func.count(WallSlot.id),
            func.sum(case((WallSlot.status == "FREE", 1), else_=0)),
            func.sum(case((WallSlot.status.in_(("ASSIGNED", "FILLING")), 1), else_=0)),
            func.sum(case((WallSlot.status == "COMPLETE", 1), else_=0)),
            func.min(WallSlot.completed_at),
        )
        .join(WallSlot, WallSlot.wall_id == PutWall.id)
        .group_by(PutWall.code)
        .order_by(PutWall.code)
    ).all()
    return [
        WallStatus(code, total, free or 0, filling or 0, complete or 0, oldest)
        for code, total, free, filling, complete, oldest in rows
    ]


def _wall(session: Session, code: str, *, lock: bool = False) -> PutWall:
    query = select(PutWall).where(PutWall.code == code)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    wall = session.scalars(query).one_or_none()
    if wall is None:
        raise NotFound(f"No put wall {code}.")
    return wall


def _counts(
    session: Session, order_ids: list[int]
) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, int]]]:
    """Per order and line: units in the batch totes (expected), and units put in slots."""
    expected: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    placed: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if not order_ids:
        return expected, placed
    for order_id, line_id, units in session.execute(
        select(OrderLine.order_id, PickTask.order_line_id, func.sum(PickTask.placed))
        .join(OrderLine, OrderLine.id == PickTask.order_line_id)
        .join(PickStop, PickStop.id == PickTask.stop_id)
        .join(PickList, PickList.id == PickStop.pick_list_id)
        .where(OrderLine.order_id.in_(order_ids), PickList.mode == "pick_then_sort")
        .group_by(OrderLine.order_id, PickTask.order_line_id)
    ):
        if units:
            expected[order_id][line_id] = units
    for order_id, line_id, units in session.execute(
        select(OrderLine.order_id, SortPut.order_line_id, func.sum(SortPut.units))
        .join(OrderLine, OrderLine.id == SortPut.order_line_id)
        .where(OrderLine.order_id.in_(order_ids))
        .group_by(OrderLine.order_id, SortPut.order_line_id)
    ):
        placed[order_id][line_id] = units
    return expected, placed


def _target(session: Session, wall_code: str, item: Scan) -> Target:
    if item.kind is not ScanKind.PRODUCT:
        raise WrongPut("Scan an item from the tote.")
    match = find_product(session, item.code, item.gtin)
    if match is None:
        raise WrongPut(
            f"No product has the code {item.gtin or item.code}.", refusal=Refusal.UNKNOWN_CODE
        )
    wall = _wall(session, wall_code)
    slots = [s for s in wall.slots if s.status in ("ASSIGNED", "FILLING") and s.order_id]
    order_ids = [s.order_id for s in slots if s.order_id is not None]
    expected, placed = _counts(session, order_ids)
    lines = dict(
        session.execute(
            select(OrderLine.id, OrderLine.product_id).where(OrderLine.order_id.in_(order_ids))
        ).all()
    )
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(order_ids)))}
    needing = [
        s
        for s in slots
        if s.order_id is not None
        and any(
            lines.get(line) == match.product_id
            and placed[s.order_id][line] + match.pack_quantity <= n
            for line, n in expected[s.order_id].items()
        )
    ]
    if not needing:
        # Wanted by an order on the wall, complete slots included: then this one is extra.
        on_wall = [x.order_id for x in wall.slots if x.order_id is not None]
        all_expected, _ = _counts(session, on_wall)
        products = dict(
            session.execute(
                select(OrderLine.id, OrderLine.product_id).where(OrderLine.order_id.in_(on_wall))
            ).all()
        )
        wanted = any(
            products.get(line) == match.product_id
            for order_id in on_wall
            for line in all_expected[order_id]
        )
        if wanted:
            raise OverPick(
                f"Over-pick: every {match.sku} this wall needs is sorted. Put it aside and "
                "return it to stock (scan a location)."
            )
        raise WrongPut(
            f"{match.sku} is not in a batch on wall {wall_code}.", refusal=Refusal.WRONG_ITEM
        )

    def urgency(slot: WallSlot) -> tuple[bool, datetime, int, int, int]:
        order = orders[slot.order_id]  # type: ignore[index]
        cutoff = order.ship_by or datetime.max.replace(tzinfo=clock.now().tzinfo)
        return (order.ship_by is None, cutoff, -order.priority, slot.row, slot.col)

    best = min(needing, key=urgency)
    order = orders[best.order_id]  # type: ignore[index]
    return Target(
        best.code,
        best.row,
        best.col,
        order.number,
        match.sku,
        match.product_id,
        match.pack_quantity,
    )


def _already_put(session: Session, row: WallSlot, item: Scan) -> AlreadyPut | None:
    """The refusal for an item whose units the slot's order all has already, else None."""
    match = find_product(session, item.code, item.gtin)
    if match is None or row.order_id is None:
        return None
    expected, placed = _counts(session, [row.order_id])
    lines = [
        line
        for line in expected[row.order_id]
        if session.get_one(OrderLine, line).product_id == match.product_id
    ]
    if lines and all(placed[row.order_id][line] >= expected[row.order_id][line] for line in lines):
        return AlreadyPut(f"Already put: slot {row.code} has every {match.sku} it needs.")
    return None


def _line_needing(
    session: Session, order_id: int | None, product_id: int, units: int
) -> int | None:
    if order_id is None:
        return None
    expected, placed = _counts(session, [order_id])
    product_of = dict(
        session.execute(
            select(OrderLine.id, OrderLine.product_id).where(OrderLine.order_id == order_id)
        ).all()
    )
    return next(
        (
            line
            for line, n in sorted(expected[order_id].items())
            if product_of.get(line) == product_id and placed[order_id][line] + units <= n
        ),
        None,
    )


def _complete(session: Session, actor: Actor, wall_code: str, slot: WallSlot) -> SortOutcome:
    slot.status, slot.completed_at = "COMPLETE", clock.now()
    order = session.get_one(Order, slot.order_id)
    if order.status == OrderStatus.PICKED.value:
        move_order(
            session, order, OrderStatus.SORTED, actor, "sorted", f"slot {slot.code}, to pack"
        )
        message = f"Slot {slot.code} complete: {order.number} to pack."
        result = "done"
    else:
        record_event(
            session, order, actor, "sorted", f"slot {slot.code}; picked short, to the supervisor"
        )
        message = f"Slot {slot.code} complete but {order.number} is SHORT: to the supervisor."
        result = "attention"
    session.flush()
    return SortOutcome(result, message, wall_view(session, wall_code))


def _waiting(session: Session, order_ids: list[int]) -> tuple[str, ...]:
    """Orders sharing a tote with orders on the wall, not on any wall yet."""
    if not order_ids:
        return ()
    totes = select(PickListOrder.tote).where(
        PickListOrder.order_id.in_(order_ids), PickListOrder.tote.is_not(None)
    )
    on_a_wall = select(WallSlot.order_id).where(WallSlot.order_id.is_not(None))
    return tuple(
        session.scalars(
            select(Order.number)
            .join(PickListOrder, PickListOrder.order_id == Order.id)
            .where(
                PickListOrder.tote.in_(totes),
                Order.status.in_(SORTABLE),
                Order.id.not_in(on_a_wall),
            )
            .order_by(Order.ship_by.is_(None), Order.ship_by, Order.priority.desc(), Order.id)
        )
    )

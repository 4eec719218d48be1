"""Releasing waves: READY orders become pick lists on the shortest walks, most urgent first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Allocation, Order, OrderLine, Stock
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask, Wave
from app.domain.roles import Role
from app.domain.routing.batching import BatchingRules, BatchMode, BatchStop, PickOrder, plan_batches
from app.domain.routing.batching import OrderLine as BatchLine
from app.domain.routing.layout import PickPoint
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import InvalidInput
from app.services.masterdata.warehouse import check_reaches, warehouse_layout
from app.services.timeline import move_order

MODES = (BatchMode.SORT_WHILE_PICK.value, BatchMode.PICK_THEN_SORT.value)
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReleasedList:
    """One pick list a wave made."""

    code: str
    mode: str
    orders: tuple[str, ...]
    stops: int
    units: int
    planned_m: float


@dataclass(frozen=True)
class WaveSummary:
    """What a release did."""

    code: str | None
    mode: str
    pick_lists: tuple[ReleasedList, ...]

    @property
    def orders(self) -> int:
        return sum(len(p.orders) for p in self.pick_lists)


def release_wave(
    session: Session,
    actor: Actor,
    *,
    mode: str = BatchMode.SORT_WHILE_PICK.value,
    cutoff: datetime | None = None,
    carrier: str | None = None,
    max_orders: int | None = None,
    cart_totes: int = 8,
) -> WaveSummary:
    """Release READY orders (by cutoff) as pick lists; an order never lands in two lists."""
    actor.require(Role.SUPERVISOR)
    if mode not in MODES:
        raise InvalidInput(f"Unknown wave mode '{mode}'; use {' or '.join(MODES)}.")
    if max_orders is not None and max_orders < 1:
        raise InvalidInput("A wave needs at least one order.")
    if cart_totes < 1:
        raise InvalidInput("A cart needs at least one tote.")
    orders = _ready_orders(session, cutoff, carrier, max_orders)
    if not orders:
        return WaveSummary(None, mode, ())
    layout = warehouse_layout(session)
    check_reaches(
        layout,
        (
            (a.stock.location.code, a.stock.location.aisle, a.stock.location.bay)
            for order in orders
            for line in order.lines
            for a in line.allocations
        ),
        "Wave not released",
    )
    by_key = {str(order.id): order for order in orders}
    # Orders with the same cutoff and priority are equally urgent: distance decides the carts.
    urgency = {o.id: (o.ship_by is None, o.ship_by or _NEVER, -o.priority) for o in orders}
    ranks = {key: rank for rank, key in enumerate(sorted(set(urgency.values())))}
    plan = plan_batches(
        layout,
        [_pick_order(order, ranks[urgency[order.id]]) for order in orders],
        BatchMode(mode),
        BatchingRules(totes=cart_totes),
    )
    wave = Wave(code="", mode=mode, operator_id=actor.operator_id, station=actor.station)
    session.add(wave)
    session.flush()
    wave.code = f"W-{wave.id:06d}"
    session.flush()
    released = []
    for batch in plan:
        members = [by_key[order_id] for order_id in batch.orders]
        pick_list = _pick_list(
            session, wave, batch.mode.value, batch.length_m, members, batch.stops
        )
        for order in members:
            move_order(
                session,
                order,
                OrderStatus.RELEASED,
                actor,
                "released",
                f"wave {wave.code}, pick list {pick_list.code}",
            )
        released.append(
            ReleasedList(
                code=pick_list.code,
                mode=pick_list.mode,
                orders=tuple(o.number for o in members),
                stops=len(pick_list.stops),
                units=sum(s.quantity for s in pick_list.stops),
                planned_m=round(pick_list.planned_m, 1),
            )
        )
    return WaveSummary(wave.code, mode, tuple(released))


def _ready_orders(
    session: Session, cutoff: datetime | None, carrier: str | None, max_orders: int | None
) -> list[Order]:
    query = (
        select(Order)
        .where(Order.status == OrderStatus.READY.value)
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.priority.desc(), Order.id)
        .options(
            selectinload(Order.lines)
            .selectinload(OrderLine.allocations)
            .selectinload(Allocation.stock)
            .selectinload(Stock.location)
        )
        # Two supervisors releasing at once take different orders (SQLite: one at a time).
        .with_for_update(skip_locked=True, of=Order)
    )
    if cutoff is not None:
        query = query.where(Order.ship_by <= cutoff)
    if carrier:
        query = query.where(func.lower(Order.carrier) == carrier.strip().lower())
    if max_orders is not None:
        query = query.limit(max_orders)
    return list(session.scalars(query))


def _pick_order(order: Order, rank: int) -> PickOrder:
    """What the batcher needs of an order: its urgency and the units at each location."""
    return PickOrder(
        id=str(order.id),
        urgency=rank,
        lines=tuple(
            BatchLine(
                line_id=f"{line.id}:{a.stock_id}",
                point=PickPoint(
                    id=a.stock.location.code, aisle=a.stock.location.aisle, bay=a.stock.location.bay
                ),
                units=a.quantity,
            )
            for line in order.lines
            for a in line.allocations
        ),
    )


def _pick_list(
    session: Session,
    wave: Wave,
    mode: str,
    length_m: float,
    members: list[Order],
    stops: Sequence[BatchStop],
) -> PickList:
    pick_list = PickList(
        code="",
        wave_id=wave.id,
        mode="single" if len(members) == 1 else mode,
        status="OPEN",
        due=min((o.ship_by for o in members if o.ship_by), default=None),
        planned_m=length_m,
        orders=[PickListOrder(order_id=o.id, position=i) for i, o in enumerate(members, start=1)],
    )
    stock = {a.stock_id: a.stock for o in members for line in o.lines for a in line.allocations}
    for stop in stops:
        # One stop per stock row at the aisle and bay, each with the lines it serves.
        tasks: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for item in stop.items:
            line_id, stock_id = (int(part) for part in item.line_id.split(":"))
            tasks[stock_id].append((line_id, item.units))
        for stock_id, serving in sorted(tasks.items(), key=lambda kv: stock[kv[0]].location.code):
            row = stock[stock_id]
            pick_list.stops.append(
                PickStop(
                    seq=len(pick_list.stops) + 1,
                    location_id=row.location_id,
                    product_id=row.product_id,
                    stock_id=stock_id,
                    quantity=sum(units for _, units in serving),
                    picked=0,
                    status="OPEN",
                    tasks=[
                        PickTask(order_line_id=line_id, quantity=units, picked=0, placed=0)
                        for line_id, units in serving
                    ],
                )
            )
    session.add(pick_list)
    session.flush()
    pick_list.code = f"PL-{pick_list.id:06d}"
    session.flush()
    return pick_list

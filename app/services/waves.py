"""Releasing waves: READY orders become pick lists on the shortest walks, most urgent first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Allocation, Location, Order, OrderLine, Stock
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask, Wave
from app.db.types import utcnow
from app.domain import batching
from app.domain.layout import Layout
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import InvalidInput
from app.services.warehouse import warehouse_layout
from app.services.timeline import move_order

MODES = ("sort_while_pick", "pick_then_sort")
DEFAULT_MODE = "sort_while_pick"


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
    mode: str = DEFAULT_MODE,
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
    orders = list(session.scalars(query))
    if not orders:
        return WaveSummary(None, mode, ())

    layout = warehouse_layout(session)
    plan = batching.plan_wave(
        layout,
        [_demand(order, rank) for rank, order in enumerate(orders)],
        mode=mode,
        cart_totes=cart_totes,
    )
    wave = Wave(code=_next_code(session, Wave, "W"), mode=mode, operator_id=actor.operator_id,
                station=actor.station)
    session.add(wave)
    session.flush()
    by_id = {order.id: order for order in orders}
    released = []
    for batch in plan:
        members = [by_id[order_id] for order_id in batch.orders]
        pick_list = _pick_list(session, wave, batch, members)
        for order in members:
            move_order(
                session, order, OrderStatus.RELEASED, actor, "released",
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


def _demand(order: Order, rank: int) -> batching.OrderDemand:
    """What the batcher needs of an order: its urgency and the units at each location."""
    picks = [
        batching.Pick(
            point=batching.point_of(a.stock.location.aisle, a.stock.location.bay),
            key=(a.stock_id, line.id),
            units=a.quantity,
        )
        for line in order.lines
        for a in line.allocations
    ]
    return batching.OrderDemand(order_id=order.id, rank=rank, picks=tuple(picks))


def _pick_list(
    session: Session, wave: Wave, batch: batching.Batch, members: list[Order]
) -> PickList:
    pick_list = PickList(
        code=_next_code(session, PickList, "PL"),
        wave_id=wave.id,
        mode=batch.mode,
        status="OPEN",
        due=min((o.ship_by for o in members if o.ship_by), default=None),
        planned_m=batch.length_m,
        orders=[PickListOrder(order_id=o.id, position=i) for i, o in enumerate(members, start=1)],
    )
    stock_rows = {
        a.stock_id: a.stock for o in members for line in o.lines for a in line.allocations
    }
    for seq, stop in enumerate(batch.stops, start=1):
        units_by_stock: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (stock_id, line_id), units in stop.items:
            units_by_stock[stock_id].append((line_id, units))
        for stock_id, tasks in sorted(units_by_stock.items()):
            stock = stock_rows[stock_id]
            pick_list.stops.append(
                PickStop(
                    seq=len(pick_list.stops) + 1,
                    location_id=stock.location_id,
                    product_id=stock.product_id,
                    stock_id=stock_id,
                    quantity=sum(units for _, units in tasks),
                    tasks=[PickTask(order_line_id=line_id, quantity=units) for line_id, units in tasks],
                )
            )
        del seq
    session.add(pick_list)
    session.flush()
    return pick_list


def _next_code(session: Session, model: type[Wave] | type[PickList], prefix: str) -> str:
    """The next human-friendly code, e.g. PL-000123 (unique; ids never repeat)."""
    last = session.scalar(select(func.max(model.id))) or 0
    return f"{prefix}-{last + 1:06d}"


__all__ = ["MODES", "ReleasedList", "WaveSummary", "release_wave", "utcnow", "Location"]

"""What a picker sees of a pick list: plain values, and which scan it expects next."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Location, Order, OrderLine, Product, Stock
from app.db.picking_models import PickList, PickListOrder


class Expect(StrEnum):
    """The scan the current stop waits for."""

    LOCATION = "location"
    PRODUCT = "product"
    TOTE = "tote"
    NOTHING = "nothing"  # the list is finished


@dataclass(frozen=True)
class TaskView:
    """One order line's units at a stop."""

    order: str
    position: int
    tote: str | None
    quantity: int
    picked: int
    placed: int


@dataclass(frozen=True)
class StopView:
    """One stop of the walk, in route order."""

    stop_id: int
    seq: int
    location: str
    sku: str
    product: str
    lot: str
    quantity: int
    picked: int
    status: str
    tasks: tuple[TaskView, ...]


@dataclass(frozen=True)
class PickListView:
    """A pick list as the picker's screen shows it."""

    code: str
    mode: str
    status: str
    planned_m: float
    stops: tuple[StopView, ...]
    orders: tuple[tuple[int, str, str | None], ...]  # cart position, order number, tote
    order_statuses: tuple[str, ...] = ()  # each order's status, in the order of `orders`

    @property
    def current_stop(self) -> StopView | None:
        return next((s for s in self.stops if s.status in ("OPEN", "AT_LOCATION")), None)

    @property
    def stop_number(self) -> int:
        """1-based number of the current stop (or the count when finished)."""
        current = self.current_stop
        return current.seq if current else len(self.stops)

    @property
    def units(self) -> tuple[int, int]:
        """(units picked, units planned) over the whole list."""
        return sum(s.picked for s in self.stops), sum(s.quantity for s in self.stops)

    @property
    def current_task(self) -> TaskView | None:
        stop = self.current_stop
        if stop is None:
            return None
        return next((t for t in stop.tasks if t.placed < t.quantity), stop.tasks[-1])

    @property
    def expect(self) -> Expect:
        stop = self.current_stop
        if stop is None:
            return Expect.NOTHING
        if stop.status == "OPEN":
            return Expect.LOCATION
        task = self.current_task
        if self.mode == "sort_while_pick" and task is not None:
            return Expect.TOTE if task.picked == task.quantity else Expect.PRODUCT
        if stop.picked < stop.quantity:
            return Expect.PRODUCT
        return Expect.TOTE


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan did ("ok", "already", "attention", "done"), a message, and the list after it."""

    result: str
    message: str
    advanced: bool = False
    view: PickListView | None = None


def walk_state(pick_list: PickList) -> PickListView:
    """Where the walk stands, read from the list's loaded stops and tasks without a query: the
    current stop and the scan it waits for. Names, places and orders are left blank (`view_of`
    has them); a scan needs only this to know what it must be."""
    return PickListView(
        code=pick_list.code,
        mode=pick_list.mode,
        status=pick_list.status,
        planned_m=pick_list.planned_m,
        stops=tuple(
            StopView(
                stop.id,
                stop.seq,
                "",
                "",
                "",
                "",
                stop.quantity,
                stop.picked,
                stop.status,
                tuple(TaskView("", 0, None, t.quantity, t.picked, t.placed) for t in stop.tasks),
            )
            for stop in pick_list.stops
        ),
        orders=(),
    )


def view_of(session: Session, pick_list: PickList) -> PickListView:
    """Build the picker's view of `pick_list` from the database (plain values only)."""
    session.flush()
    members = session.execute(
        select(
            PickListOrder.order_id,
            PickListOrder.position,
            PickListOrder.tote,
            Order.number,
            Order.status,
        )
        .join(Order, Order.id == PickListOrder.order_id)
        .where(PickListOrder.pick_list_id == pick_list.id)
        .order_by(PickListOrder.position)
    ).all()
    by_order = {
        order_id: (position, tote, number) for order_id, position, tote, number, _ in members
    }
    stock_ids = {stop.stock_id for stop in pick_list.stops}
    places = {
        stock_id: (code, sku, name, lot)
        for stock_id, code, sku, name, lot in session.execute(
            select(Stock.id, Location.code, Product.sku, Product.name, Stock.lot)
            .join(Location, Location.id == Stock.location_id)
            .join(Product, Product.id == Stock.product_id)
            .where(Stock.id.in_(stock_ids))
        )
    }
    line_ids = {task.order_line_id for stop in pick_list.stops for task in stop.tasks}
    line_orders: dict[int, int] = dict(
        session.execute(
            select(OrderLine.id, OrderLine.order_id).where(OrderLine.id.in_(line_ids))
        ).all()
    )
    stops = []
    for stop in pick_list.stops:
        location, sku, name, lot = places[stop.stock_id]
        tasks = []
        for task in stop.tasks:
            position, tote, number = by_order[line_orders[task.order_line_id]]
            tasks.append(TaskView(number, position, tote, task.quantity, task.picked, task.placed))
        stops.append(
            StopView(
                stop.id,
                stop.seq,
                location,
                sku,
                name,
                lot,
                stop.quantity,
                stop.picked,
                stop.status,
                tuple(tasks),
            )
        )
    return PickListView(
        code=pick_list.code,
        mode=pick_list.mode,
        status=pick_list.status,
        planned_m=pick_list.planned_m,
        stops=tuple(stops),
        orders=tuple((position, number, tote) for _, position, tote, number, _ in members),
        order_statuses=tuple(status for *_, status in members),
    )

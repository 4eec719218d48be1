"""The pack bench's view of an order: its checklist, its cartons and the boxes to use.

Built from the database in the same transaction as the packer's action, as plain values, so
the screen shows exactly what was recorded and holds no database objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from app.db.models import Operator, Order, OrderLine, Product, Stock
from app.db.packing_models import BoxType, Carton, CartonItem, PackJob
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.db.putwall_models import WallSlot
from app.domain import cartonization
from app.domain.cartonization import CartonPlan, Item
from app.domain.states import OrderStatus
from app.services.packing.boxes import box_types
from app.services.packing.customs import NO_CUSTOMS, CustomsNotice, order_notice

CLOSED = ("CLOSED", "LOADED", "SHIPPED")  # sealed and labelled, on its way
LIVE = ("OPEN", *CLOSED)  # every carton but a void one (set aside or cancelled unclosed)


@dataclass(frozen=True)
class PackLine:
    """One line of the checklist: what to pack, how many, how many are in already."""

    line_id: int
    line_no: int
    product_id: int
    sku: str
    name: str
    expected: int
    packed: int  # in any carton of the order (closed ones and the open one)
    in_open: int  # in the carton being filled
    weight_g: int
    lots: tuple[str, ...]  # the lots picked for this line ("" entries left out)

    @property
    def done(self) -> bool:
        return self.packed >= self.expected


@dataclass(frozen=True)
class CartonView:
    """One carton of the order."""

    carton_id: int
    number: int  # carton 1, 2, ... of the order as its label says (void ones not counted)
    seq: int
    status: str
    box: str | None  # box type code
    box_name: str
    units: int
    expected_weight_g: int  # the items in it and the box's tare
    weight_g: int | None
    weight_flagged: bool
    sscc: str | None
    carrier: str
    service: str
    tracking_number: str | None
    carton_count: int | None


@dataclass(frozen=True)
class PlannedCarton:
    """A carton the remaining items should go in: the box and what goes in it."""

    box: str | None  # None: fits no box type (ships in its own packaging)
    box_name: str
    size: str
    units: tuple[tuple[str, int], ...]  # (SKU, units)


@dataclass(frozen=True)
class PackView:
    """An order on the bench as the packer sees it."""

    order: str
    status: str
    job_status: str
    started_from: str
    ship_name: str
    destination: str
    requested: str
    lines: tuple[PackLine, ...]  # still to pack on top, then the complete ones
    cartons: tuple[CartonView, ...]
    plan: tuple[PlannedCarton, ...]  # for every unit not in a closed carton yet
    customs: CustomsNotice = NO_CUSTOMS  # a declaration needed, and what it lacks

    @property
    def open_carton(self) -> CartonView | None:
        return next((c for c in self.cartons if c.status == "OPEN"), None)

    @property
    def units(self) -> tuple[int, int]:
        """(packed, expected) over the whole order."""
        return sum(li.packed for li in self.lines), sum(li.expected for li in self.lines)

    @property
    def all_in(self) -> bool:
        """Every unit of the order is in a carton."""
        return all(li.done for li in self.lines)

    @property
    def closed(self) -> int:
        return sum(1 for c in self.cartons if c.status != "OPEN")

    @property
    def carton_number(self) -> int:
        """The number of the carton being filled (or the next one): "carton 2 of ..."."""
        return self.closed + 1

    @property
    def cartons_planned(self) -> int:
        """How many cartons the order takes: those closed and those the plan still needs."""
        return max(self.carton_number, self.closed + len(self.plan))

    def line(self, line_id: int) -> PackLine | None:
        return next((li for li in self.lines if li.line_id == line_id), None)

    def opening(self, carton: CartonView) -> PackView:
        """This view with a carton just opened (the last by number)."""
        return replace(self, cartons=(*self.cartons, carton))

    def adding(self, line_id: int, units: int) -> PackView:
        """This view after `units` more of a line went into the open carton, as a fresh read
        would show it (a scan need not read the whole order twice). The plan covers every
        unit not in a closed carton, so it does not change."""
        line = self.line(line_id)
        if line is None or self.open_carton is None:
            raise ValueError("units go into an open carton, for a line of the order")
        lines = [
            replace(li, packed=li.packed + units, in_open=li.in_open + units)
            if li.line_id == line_id
            else li
            for li in self.lines
        ]
        lines.sort(key=lambda li: (li.done, li.line_no))
        cartons = tuple(
            replace(
                c,
                units=c.units + units,
                expected_weight_g=c.expected_weight_g + units * line.weight_g,
                weight_g=None,
                weight_flagged=False,
            )
            if c.status == "OPEN"
            else c
            for c in self.cartons
        )
        return replace(self, lines=tuple(lines), cartons=cartons)


def pack_view(session: Session, job: PackJob) -> PackView:
    """The order of `job` as it stands now."""
    order = job.order
    rows = session.execute(
        select(OrderLine, Product)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.line_no)
    ).all()
    lines = [(line, product) for line, product in rows if line.to_pick]
    packed: dict[int, int] = defaultdict(int)
    in_open: dict[int, int] = defaultdict(int)
    # One read of what is in the order's cartons serves the checklist and the cartons.
    contents = session.execute(
        select(
            CartonItem.carton_id,
            Carton.status,
            CartonItem.order_line_id,
            func.sum(CartonItem.units),
        )
        .join(Carton, Carton.id == CartonItem.carton_id)
        .where(Carton.order_id == order.id, Carton.status.in_(LIVE))
        .group_by(CartonItem.carton_id, Carton.status, CartonItem.order_line_id)
    ).all()
    for _, status, line_id, units in contents:
        packed[line_id] += int(units)
        if status == "OPEN":
            in_open[line_id] += int(units)
    lots = _picked_lots(session, [line.id for line, _ in lines])
    checklist = [
        PackLine(
            line_id=line.id,
            line_no=line.line_no,
            product_id=product.id,
            sku=product.sku,
            name=product.name or line.name,
            expected=line.quantity,
            packed=packed[line.id],
            in_open=in_open[line.id],
            weight_g=product.weight_g,
            lots=lots.get(line.id, ()),
        )
        for line, product in lines
    ]
    checklist.sort(key=lambda li: (li.done, li.line_no))
    weights = {li.line_id: li.weight_g for li in checklist}
    cartons = _cartons(session, order.id, contents, weights)
    not_closed: dict[int, int] = defaultdict(int)
    for line in checklist:
        if line.expected - line.packed + line.in_open > 0:
            not_closed[line.product_id] += line.expected - line.packed + line.in_open
    plan = plan_units(session, not_closed)
    return PackView(
        order=order.number,
        status=order.status,
        job_status=job.status,
        started_from=job.started_from,
        ship_name=order.ship_name,
        destination=" ".join(
            p for p in (order.ship_postal_code, order.ship_city, "·", order.ship_country) if p
        ),
        requested=" · ".join(p for p in (order.carrier, order.service) if p),
        lines=tuple(checklist),
        cartons=cartons,
        plan=plan,
        customs=order_notice(order, [product for _, product in lines]),
    )


def plan_units(session: Session, units: dict[int, int]) -> tuple[PlannedCarton, ...]:
    """Cartonization for `units` (product id -> units) with the bench's active box types."""
    products = [session.get_one(Product, product_id) for product_id in sorted(units)]
    items = tuple(
        (p.sku, p.length_mm, p.width_mm, p.height_mm, p.weight_g, units[p.id])
        for p in products
        if units[p.id] > 0
    )
    boxes = tuple(box_types(session))
    return _plan(boxes, items) if items else ()


@lru_cache(maxsize=1024)
def _plan(
    boxes: tuple[cartonization.BoxType, ...], items: tuple[tuple[str, int, int, int, int, int], ...]
) -> tuple[PlannedCarton, ...]:
    # Cached: the same order on the bench asks for the same plan after every scan.
    units = [
        Item(sku, lo, wi, he, weight) for sku, lo, wi, he, weight, n in items for _ in range(n)
    ]
    return tuple(_planned(plan) for plan in cartonization.suggest(boxes, units))


def _planned(plan: CartonPlan) -> PlannedCarton:
    box = plan.box
    if box is None:
        return PlannedCarton(None, "no box fits", "", tuple(sorted(plan.counts().items())))
    return PlannedCarton(box.code, box.name, box.size, tuple(sorted(plan.counts().items())))


def _picked_lots(session: Session, line_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, set[str]] = defaultdict(set)
    for line_id, lot in session.execute(
        select(PickTask.order_line_id, Stock.lot)
        .join(PickStop, PickStop.id == PickTask.stop_id)
        .join(Stock, Stock.id == PickStop.stock_id)
        .where(PickTask.order_line_id.in_(line_ids), PickTask.placed > 0, Stock.lot != "")
    ):
        found[line_id].add(lot)
    return {line_id: tuple(sorted(lots)) for line_id, lots in found.items()}


def carton_view(
    carton: Carton, box: BoxType | None, number: int, units: int = 0, grams: int = 0
) -> CartonView:
    """A carton as the bench shows it, with the units and grams of what is in it."""
    return CartonView(
        carton_id=carton.id,
        number=number,
        seq=carton.seq,
        status=carton.status,
        box=box.code if box else None,
        box_name=box.name if box else "",
        units=units,
        expected_weight_g=grams + (box.tare_g if box else 0),
        weight_g=carton.weight_g,
        weight_flagged=carton.weight_flagged,
        sscc=carton.sscc,
        carrier=carton.carrier,
        service=carton.service,
        tracking_number=carton.tracking_number,
        carton_count=carton.carton_count,
    )


def _cartons(
    session: Session,
    order_id: int,
    contents: Sequence[Row[int, str, int, int]],
    weights: dict[int, int],
) -> tuple[CartonView, ...]:
    per_carton: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for carton_id, _, line_id, units in contents:
        count, grams = per_carton[carton_id]
        per_carton[carton_id] = (count + int(units), grams + int(units) * weights.get(line_id, 0))
    views = []
    for number, (carton, box) in enumerate(
        session.execute(
            select(Carton, BoxType)
            .outerjoin(BoxType, BoxType.id == Carton.box_type_id)
            .where(Carton.order_id == order_id, Carton.status.in_(LIVE))
            .order_by(Carton.seq)
        ),
        start=1,
    ):
        units, grams = per_carton[carton.id]
        views.append(carton_view(carton, box, number, units, grams))
    return tuple(views)


@dataclass(frozen=True)
class PackQueue:
    """What waits for the pack benches: complete put-wall slots and picked single-order totes."""

    slots: tuple[tuple[str, str], ...]  # (slot, order), oldest complete first
    totes: tuple[tuple[str, str], ...]  # (tote or "", order), most urgent first
    left_here: tuple[tuple[str, str], ...] = ()  # (order, packer) open on this bench


def pack_queue(session: Session, limit: int = 6, station: str = "") -> PackQueue:
    """The next complete slots and picked totes (a few of each), for the idle bench, and the
    orders another packer left open on this bench (a shift change)."""
    slots = session.execute(
        select(WallSlot.code, Order.number)
        .join(Order, Order.id == WallSlot.order_id)
        .where(WallSlot.status == "COMPLETE", Order.status == OrderStatus.SORTED.value)
        .order_by(WallSlot.completed_at, WallSlot.code)
        .limit(limit)
    ).all()
    totes = session.execute(
        select(PickListOrder.tote, Order.number)
        .join(Order, Order.id == PickListOrder.order_id)
        .join(PickList, PickList.id == PickListOrder.pick_list_id)
        .where(
            Order.status == OrderStatus.PICKED.value,
            PickList.mode != "pick_then_sort",
        )
        .where(
            ~select(PackJob.id)
            .where(PackJob.order_id == Order.id, PackJob.status == "OPEN")
            .exists()
        )
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)
        .limit(limit)
    ).all()
    left = session.execute(
        select(Order.number, Operator.name)
        .join(PackJob, PackJob.order_id == Order.id)
        .outerjoin(Operator, Operator.id == PackJob.packer_id)
        .where(PackJob.status == "OPEN", PackJob.station == station)
        .order_by(PackJob.id)
        .limit(limit)
    ).all()
    return PackQueue(
        tuple((str(s), str(n)) for s, n in slots),
        tuple((str(t or ""), str(n)) for t, n in totes),
        tuple((str(n), str(who or "")) for n, who in left),
    )

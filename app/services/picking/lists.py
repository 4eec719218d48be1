"""The read side of pick lists, for supervisors, scripts and the paper fallback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.db.models import OrderLine, ProductBarcode
from app.db.picking_models import PickList, PickListOrder, PickStop, Wave
from app.services.errors import NotFound


@dataclass(frozen=True)
class StopLine:
    """One order line's share of a stop."""

    location: str
    sku: str
    quantity: int
    order: str
    cart_position: int
    tote: str | None
    status: str


@dataclass(frozen=True)
class PickListRow:
    """A pick list with its stops in walking order."""

    code: str
    wave: str
    mode: str
    status: str
    picker: str
    planned_m: float
    orders: tuple[str, ...]
    stops: tuple[StopLine, ...]


def list_pick_lists(session: Session, status: str | None = None) -> list[PickListRow]:
    """Pick lists not yet done (or of one status), most urgent first."""
    query = select(PickList).options(
        selectinload(PickList.stops).selectinload(PickStop.tasks),
        selectinload(PickList.orders).selectinload(PickListOrder.order),
        selectinload(PickList.picker),
    )
    query = (
        query.where(PickList.status == status.upper())
        if status
        else query.where(PickList.status != "DONE")
    )
    lists = session.scalars(query.order_by(PickList.due.is_(None), PickList.due, PickList.id))
    return [_row(session, pick_list) for pick_list in lists]


def pick_list_row(session: Session, code: str) -> PickListRow:
    """One pick list by its code."""
    pick_list = session.scalars(select(PickList).where(PickList.code == code)).one_or_none()
    if pick_list is None:
        raise NotFound(f"No pick list {code}.")
    return _row(session, pick_list)


def paper_pick_list(session: Session, code: str) -> dict[str, Any]:
    """The values of the paper pick list (layout pick_list_a4): stops in walking order."""
    row = pick_list_row(session, code)
    pick_list = session.scalars(select(PickList).where(PickList.code == code)).one()
    barcodes: dict[int, str] = {}
    for stop in pick_list.stops:
        if stop.product_id not in barcodes:
            barcodes[stop.product_id] = (
                session.scalar(
                    select(ProductBarcode.code)
                    .where(ProductBarcode.product_id == stop.product_id)
                    .order_by(ProductBarcode.id)
                    .limit(1)
                )
                or stop.product.sku
            )
    names = {stop.product.sku: stop.product.name for stop in pick_list.stops}
    skus = {stop.product.sku: barcodes[stop.product_id] for stop in pick_list.stops}
    if len(row.orders) > 1:
        kind = f"Batch ({len(row.orders)} orders)"
    else:
        tote = row.stops[0].tote if row.stops else None
        kind = f"Order {row.orders[0]} · " + (f"tote {tote}" if tote else "into an empty tote")
    return {
        "pick_list": row.code,
        "pick_list_kind": kind,
        "wave": row.wave,
        "stop_count": len({(line.location, line.sku) for line in row.stops}),
        "printed_at": clock.now().astimezone().strftime("%Y-%m-%d %H:%M"),
        "stops": [
            {
                "location": line.location,
                "sku": line.sku,
                "name": names[line.sku],
                "quantity": line.quantity,
                "barcode": skus[line.sku],
                "tote": tote_cell(row, line),
            }
            for line in row.stops
        ],
    }


def tote_cell(row: PickListRow, line: StopLine) -> str:
    """The tote a line goes into, or where on the cart while no tote is scanned yet (a single
    order's first tote scan names it)."""
    if line.tote:
        return line.tote
    return "" if row.mode == "single" else f"pos {line.cart_position}"


def _row(session: Session, pick_list: PickList) -> PickListRow:
    members = {m.order_id: m for m in pick_list.orders}
    line_orders = dict(
        session.execute(
            select(OrderLine.id, OrderLine.order_id).where(
                OrderLine.id.in_({t.order_line_id for s in pick_list.stops for t in s.tasks})
            )
        ).all()
    )
    wave = session.get_one(Wave, pick_list.wave_id)
    stops = tuple(
        StopLine(
            location=stop.location.code,
            sku=stop.product.sku,
            quantity=task.quantity,
            order=members[line_orders[task.order_line_id]].order.number,
            cart_position=members[line_orders[task.order_line_id]].position,
            tote=members[line_orders[task.order_line_id]].tote,
            status=stop.status,
        )
        for stop in pick_list.stops
        for task in stop.tasks
    )
    return PickListRow(
        code=pick_list.code,
        wave=wave.code,
        mode=pick_list.mode,
        status=pick_list.status,
        picker=pick_list.picker.name if pick_list.picker else "",
        planned_m=round(pick_list.planned_m, 1),
        orders=tuple(m.order.number for m in pick_list.orders),
        stops=stops,
    )

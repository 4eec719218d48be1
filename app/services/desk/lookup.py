"""Scan anything: what is this order, location, product, badge, tote or parcel?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.db.models import Location, Operator, Order, OrderLine, Product, ProductBarcode, Stock
from app.db.packing_models import BoxType, Carton, CartonItem
from app.db.tracking_models import TrackingEvent
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.tracking import EXCEPTION_WORDS, NEEDS_ATTENTION, TrackingStatus
from app.services.desk.orders import CartonRow, show_order
from app.services.errors import NotFound
from app.services.masterdata.catalog import find_product
from app.services.packing.views import CLOSED

ATTENTION = frozenset(s.value for s in NEEDS_ATTENTION)


@dataclass(frozen=True)
class Section:
    """A titled table of plain text."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Found:
    """What a scan stands for, ready to show: a headline, a few facts, and tables."""

    kind: str
    title: str
    facts: tuple[str, ...]
    sections: tuple[Section, ...] = ()
    state: str = ""  # e.g. an order's status
    alerts: tuple[str, ...] = ()  # what needs a person's attention, e.g. hold reasons


def look_up(session: Session, scan: Scan) -> Found:
    """Describe what `scan` refers to; NotFound with a clear message when nothing is."""
    if scan.kind is ScanKind.ORDER:
        return order_found(session, scan.code)
    handler = {
        ScanKind.LOCATION: _location,
        ScanKind.PRODUCT: _product,
        ScanKind.BADGE: _badge,
        ScanKind.CARTON: _carton,
        ScanKind.TRACKING: _carton,
    }.get(scan.kind)
    if handler is None:
        what = {
            ScanKind.TOTE: f"Tote {scan.code}",
            ScanKind.SLOT: f"Put-wall slot {scan.code}",
        }[scan.kind]
        raise NotFound(f"{what} is not in use on this floor.")
    return handler(session, scan)


def order_found(session: Session, number: str) -> Found:
    """An order's ship-to, cutoff, holds, lines and timeline."""
    detail = show_order(session, number)
    order = detail.order
    address = detail.ship_to
    place = " ".join(p for p in (address["postal_code"], address["city"]) if p)
    parts = (address["name"], address["address1"], place, address["country"])
    facts = [
        "Ship to " + (", ".join(p for p in parts if p) or "(no address)"),
        f"Ship by {order.ship_by.astimezone():%a %d %b %H:%M}" if order.ship_by else "No cutoff",
        f"{order.carrier} {order.service}".strip() or "Carrier not chosen yet",
    ]
    lines = Section(
        "Lines",
        ("Line", "SKU", "Product", "Qty", "From"),
        tuple(
            (
                str(line.line_no),
                line.sku,
                line.name,
                str(line.quantity) if line.to_pick else f"{line.quantity} (not picked)",
                ", ".join(f"{a.location} x{a.quantity}" for a in line.allocated) or "-",
            )
            for line in order.lines
        ),
    )
    timeline = Section(
        "Timeline",
        ("When", "What", "Who, where", "Detail"),
        tuple(
            (
                f"{e.at.astimezone():%d %b %H:%M:%S}",
                e.kind.replace("_", " ") + (f" → {e.to_status}" if e.to_status else ""),
                ", ".join(p for p in (e.operator, e.station) if p) or "-",
                e.detail,
            )
            for e in detail.timeline
        ),
    )
    sections: tuple[Section, ...] = (lines, timeline)
    alerts = [f"On hold: {reason}" for reason in order.hold_reasons]
    shipped = [c for c in detail.cartons if c.status == "SHIPPED"]
    if shipped:
        sections = (lines, _parcels(shipped), timeline)
        for carton in shipped:
            if not carton.events or carton.tracking_status not in ATTENTION:
                continue
            latest = [e for e in carton.events if e.status == carton.tracking_status][-1]
            code = carton.tracking_number or carton.sscc
            alerts.append(
                exception_alert(
                    carton.carrier, code, latest.status, latest.location, latest.description
                )
            )
    return Found(
        "order",
        f"Order {order.number} · {order.status.replace('_', ' ')}",
        tuple(facts),
        sections,
        state=order.status,
        alerts=tuple(alerts),
    )


def _parcels(cartons: list[CartonRow]) -> Section:
    """An order's shipped cartons and what their carrier last said."""
    return Section(
        "Parcels",
        ("Carton", "Tracking", "Carrier says", "When"),
        tuple(
            (
                str(c.seq),
                f"{c.carrier} {c.tracking_number or c.sscc}",
                (c.tracking_status or "handed over, no news yet").replace("_", " "),
                f"{c.tracking_at.astimezone():%d %b %H:%M}" if c.tracking_at else "-",
            )
            for c in cartons
        ),
    )


def _carton(session: Session, scan: Scan) -> Found:
    """A carton by its SSCC or its tracking number: its order, box, weight, carrier, contents."""
    column = Carton.sscc if scan.kind is ScanKind.CARTON else Carton.tracking_number
    carton = session.scalars(select(Carton).where(column == scan.code)).one_or_none()
    if carton is None:
        what = "SSCC" if scan.kind is ScanKind.CARTON else "tracking number"
        raise NotFound(f"No carton has the {what} {scan.code}.")
    order = session.get_one(Order, carton.order_id)
    box = session.get(BoxType, carton.box_type_id) if carton.box_type_id else None
    weighed = f"{carton.weight_g:,} g" if carton.weight_g is not None else "not weighed"
    facts = [
        f"Order {order.number} ({order.status.replace('_', ' ').lower()})",
        f"Box {box.code} ({box.name})" if box else "No box chosen",
        f"Weight {weighed}",
        f"{carton.carrier} {carton.service} · tracking {carton.tracking_number}",
        f"SSCC {carton.sscc}",
    ]
    if carton.closed_at is not None:
        facts.append(f"Closed {carton.closed_at.astimezone():%d %b %H:%M} at {carton.station}")
    if carton.tracking_status and carton.tracking_at is not None:
        said = carton.tracking_status.replace("_", " ")
        facts.append(f"Carrier: {said} ({carton.tracking_at.astimezone():%d %b %H:%M})")
    if carton.delivered_at is not None:
        facts.append(f"Delivered {carton.delivered_at.astimezone():%a %d %b %H:%M}")
    contents = Section(
        "Contents",
        ("SKU", "Product", "Units", "Lot"),
        tuple(
            (sku, name, str(units), lot or "-")
            for sku, name, units, lot in session.execute(
                select(OrderLine.sku, OrderLine.name, func.sum(CartonItem.units), CartonItem.lot)
                .join(OrderLine, OrderLine.id == CartonItem.order_line_id)
                .where(CartonItem.carton_id == carton.id)
                .group_by(OrderLine.sku, OrderLine.name, CartonItem.lot)
                .order_by(OrderLine.sku)
            )
        ),
    )
    number = session.scalar(
        select(func.count(Carton.id)).where(
            Carton.order_id == order.id, Carton.status.in_(CLOSED), Carton.seq <= carton.seq
        )
    )
    live = carton.status in CLOSED and carton.carton_count
    count = f" {number} of {carton.carton_count}" if live else ""
    events = session.execute(
        select(
            TrackingEvent.occurred_at,
            TrackingEvent.status,
            TrackingEvent.location,
            TrackingEvent.description,
        )
        .where(TrackingEvent.carton_id == carton.id)
        .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
    ).all()
    alerts: tuple[str, ...] = ()
    if carton.status == "VOID":
        alerts = ("Void: this carton does not ship; open it",)
    elif carton.tracking_status in ATTENTION:
        _, status, where, said = next(e for e in events if e.status == carton.tracking_status)
        code = carton.tracking_number or carton.sscc or ""
        alerts = (exception_alert(carton.carrier, code, status, where, said),)
    tracking = Section(
        "Tracking",
        ("When", "Status", "Where", "What the carrier says"),
        tuple(
            (f"{at.astimezone():%d %b %H:%M}", status.replace("_", " "), where or "-", said or "-")
            for at, status, where, said in events
        ),
    )
    return Found(
        "carton",
        f"Carton{count} · order {order.number} · {carton.status}",
        tuple(facts),
        (tracking, contents) if carton.status == "SHIPPED" else (contents,),
        state=carton.status,
        alerts=alerts,
    )


def exception_alert(carrier: str, code: str, status: str, where: str, said: str) -> str:
    """`UPS 1Z... is delayed at Hamburg: Weather conditions`: a carrier exception in words."""
    text = f"{carrier} {code} {EXCEPTION_WORDS[TrackingStatus(status)]}"
    text += f" at {where}" if where else ""
    return text + (f": {said}" if said else "")


def _location(session: Session, scan: Scan) -> Found:
    location = session.scalars(select(Location).where(Location.code == scan.code)).one_or_none()
    if location is None:
        raise NotFound(f"No location {scan.code}.")
    rows = session.execute(
        select(Product.sku, Product.name, Stock.lot, Stock.expiry, Stock.quantity, Stock.reserved)
        .join(Product, Product.id == Stock.product_id)
        .where(Stock.location_id == location.id)
        .order_by(Product.sku, Stock.expiry)
    ).all()
    facts = [f"Aisle {location.aisle}, bay {location.bay}, level {location.level}"]
    if location.zone:
        facts.append(f"Zone {location.zone}")
    if not rows:
        facts.append("Empty")
    alerts = ("Flagged for a cycle count",) if location.needs_count else ()
    stock = Section(
        "Stock",
        ("SKU", "Product", "Lot", "Expiry", "On hand", "Promised"),
        tuple(
            (sku, name, lot or "-", f"{expiry}" if expiry else "-", str(qty), str(reserved))
            for sku, name, lot, expiry, qty, reserved in rows
        ),
    )
    return Found("location", f"Location {location.code}", tuple(facts), (stock,), alerts=alerts)


def _product(session: Session, scan: Scan) -> Found:
    match = find_product(session, scan.code, scan.gtin)
    if match is None:
        raise NotFound(f"No product has the code {scan.gtin or scan.code}.")
    product = session.get_one(Product, match.product_id)
    codes = session.scalars(
        select(ProductBarcode.code).where(ProductBarcode.product_id == product.id)
    ).all()
    rows = session.execute(
        select(Location.code, Stock.lot, Stock.expiry, Stock.quantity, Stock.reserved)
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.product_id == product.id)
        .order_by(Location.code)
    ).all()
    on_hand = session.scalar(
        select(func.coalesce(func.sum(Stock.quantity - Stock.reserved), 0)).where(
            Stock.product_id == product.id,
            or_(Stock.expiry.is_(None), Stock.expiry >= clock.today()),
        )
    )
    facts = [
        product.name,
        f"Barcodes: {', '.join(codes) or '-'}",
        f"{product.weight_g} g, {product.length_mm} x {product.width_mm} x {product.height_mm} mm",
        f"{on_hand} free to promise",
    ]
    if scan.lot:
        facts.append(
            f"Scanned lot {scan.lot}" + (f", expires {scan.expiry}" if scan.expiry else "")
        )
    stored = Section(
        "Stored at",
        ("Location", "Lot", "Expiry", "On hand", "Promised"),
        tuple(
            (code, lot or "-", f"{expiry}" if expiry else "-", str(qty), str(reserved))
            for code, lot, expiry, qty, reserved in rows
        ),
    )
    return Found("product", f"Product {product.sku}", tuple(facts), (stored,))


def _badge(session: Session, scan: Scan) -> Found:
    operator = session.scalars(select(Operator).where(Operator.badge == scan.code)).one_or_none()
    if operator is None:
        raise NotFound(f"No operator has badge {scan.code}.")
    state = "active" if operator.active else "inactive"
    return Found(
        "badge", f"Badge {operator.badge}", (f"{operator.name}, {operator.role}, {state}",)
    )

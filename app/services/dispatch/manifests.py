"""Closing a truck's load: the manifest committed in one transaction, cartons and orders
SHIPPED, then the manifest handed to the carrier (PDF and CSV) and printed for the driver.

The close commits first. Writing the files and printing come after, each on its own, so a
printer that is off or a full disk never undoes a manifest: the shipper reprints it from the
Prints screen or with `baton manifest print`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.dispatch_models import DockDoor, Load
from app.db.models import Order, OrderEvent, PrintRecord
from app.db.packing_models import Carton
from app.domain.dispatch import ManifestRow, kilograms, manifest_number
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.printing import Printer, PrintingError
from app.printing.values import city_line
from app.services.actor import Actor
from app.services.dispatch.carrier_link import (
    MANIFEST_LAYOUT,
    CarrierLink,
    ManifestDocument,
    ManifestFiles,
)
from app.services.dispatch.doors import door_by_code
from app.services.dispatch.loading import carton_positions, dock_view, next_pickup, open_load
from app.services.errors import NotFound, WrongState
from app.services.messages.queue import Message, Recipient, queue_messages
from app.services.packing.carriers import carrier_book
from app.services.printing.records import RecordedPrint, print_document, reprint
from app.services.timeline import event_values, move_orders

Factory = sessionmaker[Session]
STILL_TO_SHIP = ("OPEN", "CLOSED", "LOADED")
CHUNK = 500  # ids per IN (...): well under every database's limit on bound parameters


@dataclass(frozen=True)
class ClosedLoad:
    """What a close committed: the manifest, its cartons, the orders now SHIPPED, and the
    carrier's cartons left at the dock for the next truck."""

    manifest: str
    carrier: str
    door: str
    closed_at: datetime
    cartons: tuple[str, ...]
    orders_shipped: tuple[str, ...]
    not_loaded: tuple[str, ...]
    weight_g: int


def close_load(session: Session, actor: Actor, door_code: str) -> ClosedLoad:
    """Close the door's open load as a manifest; refused when nothing is loaded."""
    actor.require(Role.SHIPPER)
    door = door_by_code(session, door_code, lock=True)
    load = open_load(session, door)
    loaded: list[Carton] = []
    orders: dict[int, Order] = {}
    if load is not None:
        # Locks in the order every service takes them: the door, the orders, their cartons.
        on_truck = Carton.load_id == load.id, Carton.status == "LOADED"
        orders = _lock_orders(
            session, sorted(set(session.scalars(select(Carton.order_id).where(*on_truck))))
        )
        loaded = list(
            session.scalars(
                select(Carton)
                .where(*on_truck)
                .order_by(Carton.loaded_at, Carton.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
    if load is None or not loaded:
        raise WrongState(
            f"Nothing is loaded at {door.code}: scan the cartons onto the truck first."
        )
    now = clock.now()
    number = manifest_number(now.astimezone(), load.id)
    weight = sum(c.weight_g or 0 for c in loaded)
    load.status, load.closed_at, load.closed_by = "CLOSED", now, actor.operator_id
    load.manifest_number, load.carton_count, load.total_weight_g = number, len(loaded), weight
    by_order: dict[int, list[str]] = defaultdict(list)
    cartons_of: dict[int, list[Carton]] = defaultdict(list)
    for carton in loaded:
        carton.status = "SHIPPED"
        by_order[carton.order_id].append(carton.tracking_number or carton.sscc or "")
        cartons_of[carton.order_id].append(carton)
    session.flush()
    # The whole truck's orders in a few statements, not a handful per order: a load of
    # 500 cartons closes in one short transaction.
    left = _cartons_left(session, sorted(by_order))
    shipped, moves, events = [], [], []
    for order_id in sorted(by_order):
        order = orders[order_id]
        numbers = ", ".join(by_order[order_id])
        still = left.get(order_id, 0)
        if not still and OrderStatus(order.status) is OrderStatus.PACKED:
            detail = f"{door.carrier} manifest {number}: {numbers}"
            moves.append((order, OrderStatus.SHIPPED, "shipped", detail))
            shipped.append(order.number)
        else:
            detail = f"{door.carrier} manifest {number}: {numbers}; {still} carton(s) to follow"
            events.append(event_values(order_id, actor, "cartons_shipped", detail))
    if events:
        session.execute(insert(OrderEvent), events)
    move_orders(session, actor, moves)
    _tell_customers(session, actor, door.carrier, orders, cartons_of, left)
    waiting = dock_view(session, door.code).expected
    return ClosedLoad(
        manifest=number,
        carrier=door.carrier,
        door=door.code,
        closed_at=now,
        cartons=tuple(c.tracking_number or c.sscc or "" for c in loaded),
        orders_shipped=tuple(shipped),
        not_loaded=tuple(c.tracking_number for c in waiting),
        weight_g=weight,
    )


def _tell_customers(
    session: Session,
    actor: Actor,
    carrier_name: str,
    orders: dict[int, Order],
    cartons_of: dict[int, list[Carton]],
    left: dict[int, int],
) -> None:
    """A `shipped` message per order for the cartons this truck took, with their tracking
    links, and how many are still to follow."""
    carrier = carrier_book().carrier(carrier_name)
    messages = []
    for order_id, cartons in sorted(cartons_of.items()):
        parcels = [
            {
                "seq": c.seq,
                "count": c.carton_count or len(cartons),
                "tracking_number": c.tracking_number or c.sscc or "",
                "link": carrier.tracking_link(c.tracking_number or "") if carrier else "",
            }
            for c in sorted(cartons, key=lambda c: c.seq)
        ]
        context = {
            "carrier": carrier_name,
            "service": cartons[0].service,
            "parcels": parcels,
            "to_follow": left.get(order_id, 0),
        }
        recipient = Recipient.of(orders[order_id])
        messages.append(Message(recipient, context, cartons=[c.id for c in cartons]))
    queue_messages(session, actor, "shipped", messages)


def _lock_orders(session: Session, order_ids: list[int]) -> dict[int, Order]:
    """The orders, their rows locked for this transaction in id order (as lock_order would
    one by one), a chunk of ids per statement."""
    orders: dict[int, Order] = {}
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        for order in session.scalars(
            select(Order).where(Order.id.in_(chunk)).order_by(Order.id).with_for_update()
        ):
            orders[order.id] = order
    missing = [i for i in order_ids if i not in orders]
    if missing:  # deleted under a loaded carton: nothing may ship half-recorded
        raise NotFound(f"No order with id {missing[0]} for a carton on this load.")
    return orders


def _cartons_left(session: Session, order_ids: list[int]) -> dict[int, int]:
    """Order id -> its cartons not yet shipped (open, closed or loaded); absent when none."""
    left: dict[int, int] = {}
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        for order_id, count in session.execute(
            select(Carton.order_id, func.count(Carton.id))
            .where(Carton.order_id.in_(chunk), Carton.status.in_(STILL_TO_SHIP))
            .group_by(Carton.order_id)
        ):
            left[order_id] = count
    return left


def manifest_load(session: Session, number: str) -> Load:
    load = session.scalars(
        select(Load).where(Load.manifest_number == number.strip().upper())
    ).one_or_none()
    if load is None:
        raise NotFound(f"No manifest {number.strip()!r}.")
    return load


def manifest_document(session: Session, number: str) -> ManifestDocument:
    """A closed manifest with every carton and the values its layout prints."""
    load = manifest_load(session, number)
    door = session.get_one(DockDoor, load.door_id)
    rows = _rows(session, load)
    carrier = carrier_book().carrier(load.carrier)
    account = carrier.account if carrier is not None else ""
    closed = (load.closed_at or clock.now()).astimezone()
    services = sorted({r.service for r in rows if r.service})
    values = {
        "carrier": load.carrier,
        "service": " and ".join(services) or load.carrier,
        "manifest_number": load.manifest_number,
        "ship_date": f"{closed:%Y-%m-%d}",
        "closed_at": f"{closed:%H:%M} at {door.code}",
        "account": account or "(none)",
        "carton_count": len(rows),
        "total_weight": kilograms(sum(r.weight_g for r in rows)),
        "cartons": [
            {
                "row_no": index,
                "tracking_number": r.tracking_number,
                "order_number": r.order,
                "carton": r.carton,
                "service": r.service,
                "ship_to_name": r.consignee,
                "ship_to_city_line": r.city,
                "ship_to_country": r.country,
                "weight": kilograms(r.weight_g),
            }
            for index, r in enumerate(rows, start=1)
        ],
    }
    return ManifestDocument(
        load.manifest_number or number, load.carrier, account, closed.date(), rows, values
    )


def _rows(session: Session, load: Load) -> list[ManifestRow]:
    found = session.execute(
        select(Carton, Order)
        .join(Order, Order.id == Carton.order_id)
        .where(Carton.load_id == load.id, Carton.status == "SHIPPED")
        .order_by(Carton.loaded_at, Carton.id)
    ).all()
    positions = carton_positions(session, {order.id for _, order in found})
    rows = []
    for carton, order in found:
        country = order.ship_country.strip().upper()
        rows.append(
            ManifestRow(
                tracking_number=carton.tracking_number or "",
                sscc=carton.sscc or "",
                order=order.number,
                carton=positions.get(carton.id, str(carton.seq)),
                service=carton.service,
                consignee=order.ship_name or order.ship_company,
                postal_code=order.ship_postal_code,
                city=city_line(order.ship_city, order.ship_region, order.ship_postal_code, country),
                country=country,
                weight_g=carton.weight_g or 0,
            )
        )
    return rows


@dataclass(frozen=True)
class ManifestSummary:
    """One closed manifest in a list."""

    number: str
    carrier: str
    door: str
    closed_at: datetime | None
    cartons: int
    weight_g: int

    def as_dict(self) -> dict[str, object]:
        return {
            "manifest": self.number,
            "carrier": self.carrier,
            "door": self.door,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "cartons": self.cartons,
            "weight_g": self.weight_g,
        }


def list_manifests(session: Session, limit: int = 200) -> list[ManifestSummary]:
    """The latest closed manifests, newest first."""
    rows = session.execute(
        select(Load, DockDoor.code)
        .join(DockDoor, DockDoor.id == Load.door_id)
        .where(Load.status == "CLOSED")
        .order_by(Load.closed_at.desc(), Load.id.desc())
        .limit(limit)
    ).all()
    return [
        ManifestSummary(
            load.manifest_number or "",
            load.carrier,
            door,
            load.closed_at,
            load.carton_count,
            load.total_weight_g,
        )
        for load, door in rows
    ]


def last_manifest(session: Session, door_code: str) -> str | None:
    """The manifest closed last at a door (what the dock's reprint prints), or None."""
    door = door_by_code(session, door_code)
    return session.scalar(
        select(Load.manifest_number)
        .where(Load.door_id == door.id, Load.status == "CLOSED")
        .order_by(Load.closed_at.desc(), Load.id.desc())
        .limit(1)
    )


def manifest_detail(session: Session, number: str) -> dict[str, object]:
    """A manifest with every carton, for `baton manifest show`."""
    document = manifest_document(session, number)
    load = manifest_load(session, number)
    door = session.get_one(DockDoor, load.door_id)
    return {
        "manifest": document.number,
        "carrier": document.carrier,
        "account": document.account,
        "door": door.code,
        "ship_date": document.ship_date.isoformat(),
        "closed_at": load.closed_at.isoformat() if load.closed_at else None,
        "cartons": [
            {
                "tracking_number": r.tracking_number,
                "sscc": r.sscc,
                "order": r.order,
                "carton": r.carton,
                "service": r.service,
                "consignee": r.consignee,
                "postal_code": r.postal_code,
                "country": r.country,
                "weight_g": r.weight_g,
            }
            for r in document.rows
        ],
        "total_weight_g": sum(r.weight_g for r in document.rows),
    }


@dataclass(frozen=True)
class ManifestHandover:
    """What happened after the close committed: the files, the print, the pickup."""

    files: ManifestFiles | None
    files_problem: str
    printed: RecordedPrint | None
    print_problem: str
    pickup: str

    @property
    def ok(self) -> bool:
        return self.files is not None and self.printed is not None


def hand_over(
    factory: Factory,
    actor: Actor,
    link: CarrierLink,
    printer: Printer | None,
    number: str,
    *,
    again: bool = False,
) -> ManifestHandover:
    """Give a committed manifest to the carrier and print it; each failure is an outcome.

    `again` (a reprint): the files are written and the manifest printed once more, but the
    pickup was booked at the close and is not booked twice."""
    actor.require(Role.SHIPPER)
    with factory() as session:
        document = manifest_document(session, number)
        load = manifest_load(session, number)
        door = session.get_one(DockDoor, load.door_id).code
    files, files_problem = None, ""
    try:
        files = link.close_manifest(document)
    except OSError as exc:
        files_problem = f"The manifest files could not be written: {exc.strerror or exc}"
    printed, print_problem = None, ""
    if printer is not None:
        try:
            printed = print_manifest(factory, actor, printer, number)
        except PrintingError as exc:
            print_problem = f"{exc} (reprint it from Prints or baton manifest print {number})"
    pickup = (
        ""
        if again
        else link.book_pickup(
            document.carrier, door, next_pickup(document.carrier), len(document.rows)
        )
    )
    return ManifestHandover(files, files_problem, printed, print_problem, pickup)


def print_manifest(factory: Factory, actor: Actor, printer: Printer, number: str) -> RecordedPrint:
    """Print a manifest: again exactly as first printed if it was, else now; recorded."""
    actor.require(Role.SHIPPER)
    with factory() as session:
        document = manifest_document(session, number)
        description = f"manifest {document.number} {document.carrier}"
        first = session.scalar(
            select(func.min(PrintRecord.id)).where(
                PrintRecord.layout == MANIFEST_LAYOUT,
                PrintRecord.description == description,
                PrintRecord.reprint_of.is_(None),
            )
        )
    if first is not None:
        return reprint(factory, actor, printer, first)
    return print_document(factory, actor, printer, MANIFEST_LAYOUT, document.values, description)

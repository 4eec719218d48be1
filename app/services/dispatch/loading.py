"""Loading a truck: the shipper scans the door, then each carton going onto its truck.

Every scan is one transaction that locks the door, then the carton: two shippers loading the
same carton at two doors load it once, and a refused scan writes nothing. A carton loads only
when it is closed and labelled, belongs to the door's carrier, and its order is packed and
still wanted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app import clock
from app.db.dispatch_models import DockDoor, Load
from app.db.models import Order
from app.db.packing_models import Carton
from app.domain.dispatch import countdown
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind
from app.domain.scanning.refusals import Refusal
from app.domain.states import OrderStatus
from app.printing.values import city_line
from app.services.actor import Actor
from app.services.dispatch.doors import door_by_code, door_for_carrier, list_doors
from app.services.errors import NotAllowed, WrongState
from app.services.packing.carriers import carrier_book
from app.services.packing.jobs import supervisor_with_badge
from app.services.packing.views import CLOSED
from app.services.timeline import record_event


class LoadRefused(WrongState):
    """This carton must not go onto this truck; nothing was recorded."""


@dataclass(frozen=True)
class DockCarton:
    """One carton as the dock shows it: how to find it, whose it is and where it goes."""

    tracking_number: str
    sscc: str
    order: str
    carton: str  # "1 of 2"
    destination: str  # "8001 Zürich, CH"
    country: str
    weight_g: int
    carrier: str
    service: str
    status: str
    ship_by: datetime | None
    carton_id: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "sscc": self.sscc,
            "tracking_number": self.tracking_number,
            "carrier": self.carrier,
            "service": self.service,
            "order": self.order,
            "carton": self.carton,
            "status": self.status,
            "weight_g": self.weight_g,
            "destination": self.destination,
            "country": self.country,
            "ship_by": self.ship_by.isoformat() if self.ship_by else None,
        }


@dataclass(frozen=True)
class DockView:
    """A door as its screen shows it: the carrier's cartons to load, those loaded, the truck."""

    door: str
    carrier: str
    pickup_at: datetime | None
    expected: tuple[DockCarton, ...]
    loaded: tuple[DockCarton, ...]

    @property
    def loaded_weight_g(self) -> int:
        return sum(c.weight_g for c in self.loaded)

    def time_left(self, moment: datetime) -> str:
        return countdown(self.pickup_at, moment)

    def as_dict(self) -> dict[str, object]:
        return {
            "door": self.door,
            "carrier": self.carrier,
            "pickup_at": self.pickup_at.isoformat() if self.pickup_at else None,
            "expected": [c.as_dict() for c in self.expected],
            "loaded": [c.as_dict() for c in self.loaded],
        }


@dataclass(frozen=True)
class LoadOutcome:
    """What a load or unload scan did, in the shipper's words, and the door afterwards."""

    message: str
    carton: DockCarton
    view: DockView


def next_pickup(carrier: str, moment: datetime | None = None) -> datetime | None:
    """When `carrier`'s driver comes next (from the carrier book), or None."""
    known = carrier_book().carrier(carrier) if carrier else None
    return known.pickup.next_pickup(moment or clock.now()) if known else None


def dock_view(session: Session, door_code: str) -> DockView:
    """The door's carrier, its cartons waiting at the dock and those on the open load."""
    door = door_by_code(session, door_code)
    return _door_view(session, door, open_load(session, door))


def _door_view(session: Session, door: DockDoor, load: Load | None) -> DockView:
    """dock_view for a door and open load already read (as a scan has them locked)."""
    loaded = (
        _carton_rows(session, Carton.load_id == load.id, Carton.status == "LOADED")
        if load is not None
        else []
    )
    # Waiting for this truck: closed cartons of packed orders (carton 1 of an order still at
    # the bench, or of one set aside, waits for its order first).
    expected = (
        _carton_rows(
            session,
            Carton.carrier == door.carrier,
            Carton.status == "CLOSED",
            Order.status == OrderStatus.PACKED.value,
        )
        if door.carrier
        else []
    )
    # One look-up of the "n of m" positions for both lists.
    positions = carton_positions(session, {row.order_id for row in (*loaded, *expected)})
    return DockView(
        door.code,
        door.carrier,
        next_pickup(door.carrier),
        tuple(_dock_carton(row, positions) for row in expected),
        tuple(_dock_carton(row, positions) for row in loaded),
    )


def cartons(
    session: Session, status: str | None = "CLOSED", carrier: str | None = None
) -> tuple[DockCarton, ...]:
    """Labelled cartons (by status, "ALL" or None for any; by carrier), for `baton cartons`."""
    conditions = []
    if status and status != "ALL":
        conditions.append(Carton.status == status)
    if carrier:
        known = carrier_book().carrier(carrier)
        conditions.append(Carton.carrier == (known.name if known else carrier.strip()))
    return _cartons(session, *conditions)


def _cartons(session: Session, *conditions: object) -> tuple[DockCarton, ...]:
    rows = _carton_rows(session, *conditions)
    positions = carton_positions(session, {row.order_id for row in rows})
    return tuple(_dock_carton(row, positions) for row in rows)


# The columns a dock row shows: plain rows, not whole cartons and orders, since a door's
# lists are read again after every scan.
_ROW_COLUMNS = (
    Carton.id,
    Carton.order_id,
    Carton.seq,
    Carton.tracking_number,
    Carton.sscc,
    Carton.weight_g,
    Carton.carrier,
    Carton.service,
    Carton.status,
    Order.number,
    Order.ship_country,
    Order.ship_city,
    Order.ship_region,
    Order.ship_postal_code,
    Order.ship_by,
)


def _carton_rows(session: Session, *conditions: object) -> list[Row[Any]]:
    return list(
        session.execute(
            select(*_ROW_COLUMNS)
            .join(Order, Order.id == Carton.order_id)
            .where(*conditions)  # type: ignore[arg-type]
            .order_by(Order.ship_by, Order.number, Carton.seq)
        ).all()
    )


def carton_positions(session: Session, order_ids: Iterable[int]) -> dict[int, str]:
    """Carton id -> "n of m" as its shipping label printed it (its place among the order's
    labelled cartons, of the count recorded when it closed), in one query."""
    ids = sorted(order_ids)
    if not ids:
        return {}
    by_order: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for order_id, carton_id, count in session.execute(
        select(Carton.order_id, Carton.id, Carton.carton_count)
        .where(Carton.order_id.in_(ids), Carton.status.in_(CLOSED))
        .order_by(Carton.order_id, Carton.seq)
    ):
        by_order[order_id].append((carton_id, count))
    positions: dict[int, str] = {}
    for cartons_of_order in by_order.values():
        for index, (carton_id, count) in enumerate(cartons_of_order, start=1):
            positions[carton_id] = f"{index} of {count or len(cartons_of_order)}"
    return positions


def _dock_carton(row: Row[Any], positions: dict[int, str]) -> DockCarton:
    country = row.ship_country.strip().upper()
    place = city_line(row.ship_city, row.ship_region, row.ship_postal_code, country)
    return DockCarton(
        tracking_number=row.tracking_number or "",
        sscc=row.sscc or "",
        order=row.number,
        carton=positions.get(row.id, str(row.seq)),
        destination=f"{' '.join(place.split())}, {country}".strip(", "),
        country=country,
        weight_g=row.weight_g or 0,
        carrier=row.carrier,
        service=row.service,
        status=row.status,
        ship_by=row.ship_by,
        carton_id=row.id,
    )


def open_load(session: Session, door: DockDoor) -> Load | None:
    return session.scalars(
        select(Load).where(Load.door_id == door.id, Load.status == "OPEN")
    ).one_or_none()


def carton_for_scan(session: Session, scanned: Scan, *, lock: bool = False) -> Carton:
    """The carton a shipping label's tracking number or a GS1 label's SSCC names."""
    if scanned.kind is ScanKind.TRACKING:
        query = select(Carton).where(Carton.tracking_number == scanned.code)
        what = f"tracking number {scanned.code}"
    elif scanned.kind is ScanKind.CARTON:
        query = select(Carton).where(Carton.sscc == scanned.code)
        what = f"SSCC {scanned.code}"
    else:
        raise LoadRefused(
            f"{scanned.describe()} is not a carton: scan the shipping label's tracking number "
            "or the carton's SSCC label.",
            refusal=Refusal.NOT_EXPECTED,
        )
    carton = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if carton is None:
        raise LoadRefused(
            f"No carton has {what}: is it a label from another warehouse?",
            refusal=Refusal.UNKNOWN_CODE,
        )
    return carton


def load_carton(session: Session, actor: Actor, door_code: str, scanned: Scan) -> LoadOutcome:
    """Put the scanned carton on the door's open load (opening one if needed), or refuse."""
    actor.require(Role.SHIPPER)
    # Locks in the order every service takes them: the door, the order, then its carton (a
    # cancel at the desk locks the order first too, so the two never wait on each other).
    door = door_by_code(session, door_code, lock=True)
    found = carton_for_scan(session, scanned)
    order = session.scalars(select(Order).where(Order.id == found.order_id).with_for_update()).one()
    carton = session.scalars(
        select(Carton)
        .where(Carton.id == found.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    load = open_load(session, door)
    _check_loadable(session, door, load, carton, order)
    if load is None:
        load = Load(
            door_id=door.id,
            carrier=door.carrier,
            opened_by=actor.operator_id,
            station=actor.station,
        )
        session.add(load)
        session.flush()
    now = clock.now()
    carton.status, carton.load_id, carton.loaded_at = "LOADED", load.id, now
    carton.loaded_by = actor.operator_id
    record_event(session, order, actor, "carton_loaded", f"{_label(carton)} loaded at {door.code}")
    session.flush()
    view = _door_view(session, door, load)
    shown = next(c for c in view.loaded if c.carton_id == carton.id)
    return LoadOutcome(
        f"Loaded {shown.order} carton {shown.carton} · {len(view.loaded)} on the truck, "
        f"{len(view.expected)} to go",
        shown,
        view,
    )


def _check_loadable(
    session: Session, door: DockDoor, load: Load | None, carton: Carton, order: Order
) -> None:
    """Raise LoadRefused with what to do when the carton must not go onto this truck."""
    label = _label(carton)
    status = OrderStatus(order.status)
    if status is OrderStatus.CANCELLED:
        raise LoadRefused(f"Pull it: order {order.number} was cancelled ({label}).")
    if carton.status == "VOID":
        raise LoadRefused(
            f"Pull it: carton {label} of order {order.number} is void (its order was set aside "
            "or repacked); take it to the supervisor."
        )
    if carton.status == "OPEN":
        raise LoadRefused(
            f"Carton {carton.seq} of order {order.number} is still open at the bench."
        )
    if carton.status == "SHIPPED":
        manifest = _manifest_of(session, carton)
        raise LoadRefused(
            f"{label} has already shipped on manifest {manifest}.", refusal=Refusal.ALREADY_DONE
        )
    if carton.status == "LOADED":
        where = session.scalar(
            select(DockDoor.code)
            .join(Load, Load.door_id == DockDoor.id)
            .where(Load.id == carton.load_id)
        )
        if load is not None and carton.load_id == load.id:
            raise LoadRefused(
                f"{label} is already on this truck ({door.code}).", refusal=Refusal.ALREADY_DONE
            )
        raise LoadRefused(f"{label} is already loaded at {where}.", refusal=Refusal.ALREADY_DONE)
    if status in (OrderStatus.PICKED, OrderStatus.SORTED):
        raise LoadRefused(
            f"Order {order.number} is still at the pack bench: leave {label} at the dock "
            "until its last carton is closed."
        )
    if status is not OrderStatus.PACKED:
        raise LoadRefused(
            f"Pull it: order {order.number} is {status.value.replace('_', ' ').lower()}, "
            "not packed; take the carton to the supervisor."
        )
    if not door.carrier:
        raise LoadRefused(
            f"{door.code} has no carrier today: a supervisor sets one "
            f"(baton dispatch doors set {door.code} --carrier NAME)."
        )
    if carton.carrier != door.carrier:
        other = door_for_carrier(session, carton.carrier)
        where = f"door {other}" if other else "no door loads it today"
        raise LoadRefused(
            f"This is a {carton.carrier} carton: {where} ({door.code} loads {door.carrier}).",
            refusal=Refusal.WRONG_CARRIER,
        )


def _label(carton: Carton) -> str:
    """How a carton is named to the shipper: its tracking number, else its SSCC."""
    return carton.tracking_number or carton.sscc or f"carton {carton.seq}"


def _manifest_of(session: Session, carton: Carton) -> str:
    number = session.scalar(select(Load.manifest_number).where(Load.id == carton.load_id))
    return number or "(unknown)"


def unload_carton(
    session: Session,
    actor: Actor,
    door_code: str,
    scanned: Scan,
    approver_badge: str | None = None,
) -> LoadOutcome:
    """Take a carton off the door's open load before the close: a supervisor, or a shipper
    with a supervisor's badge scanned for it. The carton waits at the dock again."""
    actor.require(Role.SHIPPER)
    approver = None
    if actor.role is not Role.SUPERVISOR:
        if not approver_badge:
            raise NotAllowed("Unloading needs a supervisor: ask one to scan their badge.")
        approver = supervisor_with_badge(session, approver_badge)
    door = door_by_code(session, door_code, lock=True)
    carton = carton_for_scan(session, scanned, lock=True)
    load = open_load(session, door)
    if load is None or carton.load_id != load.id or carton.status != "LOADED":
        raise LoadRefused(
            f"{_label(carton)} is not on the truck at {door.code}: nothing to unload."
        )
    order = session.get_one(Order, carton.order_id)
    carton.status, carton.load_id, carton.loaded_at, carton.loaded_by = "CLOSED", None, None, None
    by = f" (approved by {approver.name})" if approver is not None else ""
    record_event(
        session,
        order,
        actor,
        "carton_unloaded",
        f"{_label(carton)} unloaded at {door.code}{by}",
    )
    session.flush()
    view = _door_view(session, door, load)
    shown = next(c for c in view.expected if c.carton_id == carton.id)
    return LoadOutcome(
        f"Unloaded {shown.order} carton {shown.carton}: it waits at the dock.", shown, view
    )


@dataclass(frozen=True)
class DoorStatus:
    """One door at a glance: its carrier, how many cartons wait and are loaded, the pickup."""

    door: str
    carrier: str
    expected: int
    loaded: int
    loaded_weight_g: int
    pickup_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "door": self.door,
            "carrier": self.carrier,
            "expected": self.expected,
            "loaded": self.loaded,
            "loaded_weight_g": self.loaded_weight_g,
            "pickup_at": self.pickup_at.isoformat() if self.pickup_at else None,
        }


def dispatch_status(session: Session, doors: Sequence[str] | None = None) -> list[DoorStatus]:
    """Every door (or those named): expected and loaded cartons and the next pickup."""
    result = []
    for info in list_doors(session):
        if doors is not None and info.door not in doors:
            continue
        view = dock_view(session, info.door)
        result.append(
            DoorStatus(
                info.door,
                info.carrier,
                len(view.expected),
                len(view.loaded),
                view.loaded_weight_g,
                view.pickup_at,
            )
        )
    return result

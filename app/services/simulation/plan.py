"""The day's plan, and everything set out before the shift: the warehouse (the demo's, on an
empty database), the day's orders, the morning's delivery, the put walls, the dock doors and
the trucks' times, the crew logged in."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.dispatch_models import DockDoor
from app.db.engine import unit_of_work
from app.db.floor_models import ScanRecord
from app.db.models import Location, Operator, Order, OrderEvent, Product, Stock
from app.db.packing_models import BoxType
from app.db.putwall_models import PutWall
from app.domain import demo_data
from app.domain.cutoffs import local_moment, next_cutoff
from app.domain.formats.masterdata_rows import ProductRow, StockRow
from app.domain.order_drafts import OrderDraft
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.demo.seeding import seed_warehouse
from app.services.dispatch.doors import door_for_carrier, set_door
from app.services.dispatch.loading import next_pickup
from app.services.errors import BatonError, InvalidInput
from app.services.masterdata.imports import load_master_data
from app.services.masterdata.operators import add_operator, badge_login
from app.services.sorting.put_wall import add_wall

Factory = sessionmaker[Session]
# The carriers a simulated day's orders go with: each collects every working day.
CARRIERS = ("UPS", "DHL Express", "Deutsche Post")
OVERNIGHT_SHARE = 0.3  # orders placed in the night, waiting when the shift starts
LAST_ORDER = time(17, 0)  # the shop's orders keep coming until then
WALL_ROWS, WALL_COLS = 3, 6
CLOSE_BEFORE_CUTOFF_S = 10 * 60  # a truck closed then leaves by the cutoff
SUPERVISOR_BADGE = demo_data.OPERATORS[-1][0]
BADGES = {Role.PICKER: 71, Role.SORTER: 72, Role.PACKER: 73, Role.SHIPPER: 74}


class SimulationRefused(BatonError):
    """The day cannot be played on this database as asked."""


@dataclass(frozen=True)
class DayPlan:
    """What a simulated day is: its size, its crew, its error rate, its dice, its date."""

    day: date
    start: time = time(6, 0)
    orders: int = 400
    pickers: int = 3
    sorters: int = 1
    packers: int = 2
    shippers: int = 1
    error_rate: float = 0.0
    seed: int = 1

    def check(self) -> None:
        """Raise InvalidInput, naming the option, for a day that cannot be played."""
        if not 1 <= self.orders <= 9_999:
            raise InvalidInput("--orders: 1 to 9,999 orders in a day")
        for name in ("pickers", "packers", "shippers"):
            if not 1 <= getattr(self, name) <= 50:
                raise InvalidInput(f"--{name}: 1 to 50")
        if not 0 <= self.sorters <= 50:
            raise InvalidInput("--sorters: 0 to 50")
        if not 0 <= self.error_rate <= 1:
            raise InvalidInput("--error-rate: a probability, 0 to 1")
        if self.day.weekday() >= 5:
            raise InvalidInput(f"{self.day} is a {self.day:%A}: the carriers collect Mon-Fri")

    @property
    def starts_at(self) -> datetime:
        return local_moment(self.day, self.start)


def first_free_day(factory: Factory, start: time, today: date) -> date:
    """The first working day from `today` on whose shift starts after everything the
    database has recorded (the day a simulation plays when none is named)."""
    latest = latest_record(factory)
    day = today
    while day.weekday() >= 5 or (latest is not None and local_moment(day, start) <= latest):
        day += timedelta(days=1)
    return day


def latest_record(factory: Factory) -> datetime | None:
    """The latest moment the database has recorded (an order, an event, a scan), if any."""
    with factory() as session:
        moments = [
            session.scalar(select(func.max(Order.received_at))),
            session.scalar(select(func.max(OrderEvent.at))),
            session.scalar(select(func.max(ScanRecord.at))),
        ]
    known = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(known) if known else None


def prepare(factory: Factory, boss: Actor, start: datetime) -> bool:
    """The demo's warehouse on an empty database (True); else check the day is still to come."""
    with factory() as session:
        empty = session.scalar(select(func.count(Product.id))) == 0
        demo = session.scalar(
            select(Operator.id).where(Operator.badge == SUPERVISOR_BADGE)
        ) is not None and all(
            session.scalar(select(Product.id).where(Product.sku == p.sku)) is not None
            for p in demo_data.products()[:3]
        )
    if empty:
        seed_warehouse(factory, boss)
        return True
    if not demo:
        raise SimulationRefused(
            "This database holds another warehouse than the demo's: simulate on an empty "
            "database (it gets the demo's warehouse) or on one with the demo."
        )
    latest = latest_record(factory)
    if latest is not None and latest >= start:
        raise SimulationRefused(
            f"This database has records up to {latest.astimezone():%Y-%m-%d %H:%M}: a simulated "
            "day must start after them (leave out --date to take the first free working day)."
        )
    return False


def catalogue(session: Session) -> list[ProductRow]:
    known = set(session.scalars(select(Product.sku)))
    return [p for p in demo_data.products() if p.sku in known]


def orders_of_the_day(
    rng: random.Random, plan: DayPlan, products: list[ProductRow], start: datetime
) -> list[OrderDraft]:
    """The day's orders, by the moment they were placed: some overnight, the rest until the
    shop's last order time; each due at the next cutoff that leaves two hours."""
    last = local_moment(plan.day, LAST_ORDER)
    span = (last - start).total_seconds()
    moments = sorted(
        start - timedelta(seconds=rng.uniform(60, 8 * 3600))
        if rng.random() < OVERNIGHT_SHARE
        else start + timedelta(seconds=rng.uniform(0, span))
        for _ in range(plan.orders)
    )
    drafts = []
    for n, placed in enumerate(moments, start=1):
        placed = placed.replace(microsecond=0)
        ship_by = next_cutoff(placed, demo_data.DEMO_CUTOFF, timedelta(hours=2))
        number = f"#{plan.day:%y%m%d}{n:04d}"
        drafts.append(demo_data.clean_order(rng, products, number, placed, ship_by))
    return drafts


def deliver(factory: Factory, boss: Actor, drafts: list[OrderDraft]) -> None:
    """The morning's delivery, counted in: each product's first stock place holds what it had
    and what the day's orders ask for."""
    wanted = Counter[str]()
    for draft in drafts:
        for line in draft.lines:
            wanted[line.sku] += line.quantity
    rows: list[StockRow] = []
    with factory() as session:
        seen: set[str] = set()
        for sku, code, lot, expiry, quantity in session.execute(
            select(Product.sku, Location.code, Stock.lot, Stock.expiry, Stock.quantity)
            .join(Stock, Stock.product_id == Product.id)
            .join(Location, Location.id == Stock.location_id)
            .where(Product.sku.in_(sorted(wanted)))
            .order_by(Product.sku, Stock.id)
        ):
            if sku not in seen:
                seen.add(sku)
                rows.append(StockRow(code, sku, quantity + wanted[sku], lot, expiry))
    load_master_data(factory, boss, stock=rows)


def open_walls(factory: Factory, boss: Actor, sorters: int) -> list[str]:
    """A put wall per sorter (W11, W12, ...), added where missing."""
    codes = [f"W{11 + i}" for i in range(sorters)]
    with unit_of_work(factory) as session:
        have = set(session.scalars(select(PutWall.code)))
        for code in codes:
            if code not in have:
                add_wall(session, boss, code, WALL_ROWS, WALL_COLS)
    return codes


def truck_times(start: datetime) -> tuple[dict[str, list[datetime]], datetime]:
    """When each carrier's truck is closed (just before the cutoff, so its orders leave by
    it, and at the carrier's pickup), and the day's end after the last pickup."""
    day = start.astimezone().date()
    cutoff = local_moment(day, demo_data.DEMO_CUTOFF)
    trucks: dict[str, list[datetime]] = {}
    pickups = []
    for carrier in CARRIERS:
        pickup = next_pickup(carrier, start)
        if pickup is None or pickup.astimezone().date() != day:
            continue
        pickups.append(pickup)
        before = cutoff - timedelta(seconds=CLOSE_BEFORE_CUTOFF_S)
        trucks[carrier] = ([before] if start < before < pickup else []) + [pickup]
    last = max(pickups, default=cutoff)
    if last - start < timedelta(hours=2):
        raise SimulationRefused(
            f"The shift would start at {start.astimezone():%H:%M}, too late to work before the "
            f"last truck of the day leaves ({last.astimezone():%H:%M}): start it earlier "
            "(--start)."
        )
    return trucks, last + timedelta(minutes=10)


def open_doors(
    factory: Factory, boss: Actor, start: datetime, trucks: dict[str, list[datetime]]
) -> tuple[list[str], list[tuple[float, str]]]:
    """A door per carrier (added where none serves it), and when each door's truck closes
    (simulated seconds, door)."""
    closes: list[tuple[float, str]] = []
    doors: list[str] = []
    with unit_of_work(factory) as session:
        used = set(session.scalars(select(DockDoor.code)))
        for carrier in CARRIERS:
            door = door_for_carrier(session, carrier)
            if door is None:
                door = next(f"DOCK-{n}" for n in range(1, 999) if f"DOCK-{n}" not in used)
                used.add(door)
                set_door(session, boss, door, carrier)
            doors.append(door)
            closes += [((at - start).total_seconds(), door) for at in trucks.get(carrier, [])]
    return doors, closes


def log_in(factory: Factory, boss: Actor, plan: DayPlan) -> dict[Role, list[Actor]]:
    """The day's operators, logged in at their stations (simulated accounts added once)."""
    sizes = {
        Role.PICKER: plan.pickers,
        Role.SORTER: plan.sorters,
        Role.PACKER: plan.packers,
        Role.SHIPPER: plan.shippers,
    }
    places = {Role.PICKER: "cart", Role.SORTER: "wall", Role.PACKER: "bench", Role.SHIPPER: "dock"}
    crew: dict[Role, list[Actor]] = {}
    with unit_of_work(factory) as session:
        known = set(session.scalars(select(Operator.badge)))
        for role, size in sizes.items():
            crew[role] = []
            for n in range(1, size + 1):
                badge = f"OP-{BADGES[role]}{n:02d}"
                if badge not in known:
                    name = f"Simulated {role.value} {n}"
                    add_operator(session, boss, badge, name, role, demo_data.DEMO_PIN)
                crew[role].append(badge_login(session, badge, f"simulated {places[role]} {n}"))
    return crew


def biggest_box(factory: Factory) -> str:
    with factory() as session:
        return str(
            session.scalars(
                select(BoxType.code)
                .where(BoxType.active)
                .order_by((BoxType.length_mm * BoxType.width_mm * BoxType.height_mm).desc())
                .limit(1)
            ).one()
        )

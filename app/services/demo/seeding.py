"""Seeding the demo warehouse: master data, operators, a live day of orders, and bulk history.

The live day goes through the real intake and verification, so the demo floor is exactly what
Baton makes of real orders. History for benchmark-sized databases (`--orders 100000`) is
written with bulk inserts: past orders that were delivered, with their lines and timelines.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Operator, Order, OrderEvent, OrderLine, Product
from app.db.packing_models import Carton
from app.db.picking_models import PickList, PickListOrder
from app.domain import demo_data
from app.domain.cutoffs import next_cutoff
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.demo.floor import pack_tote, sort_tote, walk_pick_list
from app.services.desk.orders import show_order
from app.services.dispatch.doors import set_door
from app.services.intake.receiving import ImportSummary, receive_all
from app.services.masterdata.imports import load_master_data
from app.services.masterdata.operators import badge_login, hash_pin
from app.services.masterdata.warehouse import set_packing
from app.services.packing.boxes import DEMO_BOXES, save_boxes
from app.services.picking.finishing import reassign
from app.services.picking.waves import release_wave
from app.services.ship_to import ship_to_columns
from app.services.sorting.put_wall import add_wall

LIVE_ORDERS = 150
DEMO_WAVE_ORDERS = 40
# Work already done for the pack benches: a batch sorted into wall W1, a cart picked into totes.
DEMO_WALL, DEMO_SORTED, DEMO_CART = ("W1", 4, 6), 6, 4
DEMO_PICKER, DEMO_SORTER, DEMO_PACKER = "OP-1002", "OP-2001", "OP-3001"
# Orders picked and packed before the demo opens, their cartons waiting at the dock.
DEMO_DOCK = 8
_CHUNK = 2_000


@dataclass(frozen=True)
class DemoSummary:
    """What the demo seeding wrote."""

    locations: int
    products: int
    operators: int
    live_orders: int
    ready: int
    on_hold: int
    history_orders: int
    history_lines: int
    pick_lists: int = 0
    released: int = 0
    to_pack: int = 0
    at_dock: int = 0


def seed_demo(
    factory: sessionmaker[Session],
    actor: Actor,
    orders: int = LIVE_ORDERS,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoSummary:
    """Fill the database with the demo floor and `orders` orders (a live day up to now, plus
    history before it): the demo is always today, whatever the date."""
    actor.require(Role.SUPERVISOR)
    now = clock.now()
    floor = demo_data.warehouse(clock.today())
    load_master_data(factory, actor, floor.locations, floor.products, floor.stock)
    operators = _operators(factory)

    live = min(orders, LIVE_ORDERS)
    history = orders - live
    with factory() as session:
        start = 100_001 + (session.scalar(select(func.count(Order.id))) or 0)
    history_lines = _history(factory, floor.products, history, start, now, progress)

    summary = ImportSummary()
    drafts = demo_data.day_of_orders(floor.products, live, start + history, now)
    receive_all(
        factory, actor, drafts, summary, lambda done: progress and progress("orders", done, live)
    )
    # A first wave on the floor, so a picker who logs in has work waiting.
    with unit_of_work(factory) as session:
        wave = release_wave(session, actor, max_orders=DEMO_WAVE_ORDERS)
    to_pack = _packing_scene(factory, actor)
    at_dock = _dock_scene(factory, actor)
    return DemoSummary(
        locations=len(floor.locations),
        products=len(floor.products),
        operators=operators,
        live_orders=len(summary.received),
        ready=summary.ready,
        on_hold=summary.on_hold,
        history_orders=history,
        history_lines=history_lines,
        pick_lists=len(wave.pick_lists),
        released=wave.orders,
        to_pack=to_pack,
        at_dock=at_dock,
    )


def seed_warehouse(factory: sessionmaker[Session], actor: Actor) -> int:
    """The demo's warehouse without its day: locations, products, stock, operators, box types
    and packing rules (for a simulated day to play on). Returns the operators added."""
    actor.require(Role.SUPERVISOR)
    floor = demo_data.warehouse(clock.today())
    load_master_data(factory, actor, floor.locations, floor.products, floor.stock)
    operators = _operators(factory)
    with unit_of_work(factory) as session:
        save_boxes(session, actor, DEMO_BOXES)
        set_packing(session, actor, {"gs1_label": True})
    return operators


def _same_tote(tote: str, position: int) -> str:
    return tote  # pick-then-sort: every order of the batch goes into the one tote


def _cart_tote(cart: int, position: int) -> str:
    return f"T09{cart}{position}"  # a tote per cart position: T0951, T0952, ...


def _packing_scene(factory: sessionmaker[Session], actor: Actor) -> int:
    """Box types, and orders waiting at the pack benches: a batch picked and sorted into wall
    W1 (complete slots) and a cart picked into single-order totes. Returns how many."""
    with unit_of_work(factory) as session:
        save_boxes(session, actor, DEMO_BOXES)
        set_packing(session, actor, {"gs1_label": True})
        add_wall(session, actor, *DEMO_WALL)
        batch = release_wave(session, actor, mode="pick_then_sort", max_orders=DEMO_SORTED)
        cart = release_wave(session, actor, max_orders=DEMO_CART)
        for pick_list in (*batch.pick_lists, *cart.pick_lists):
            reassign(session, actor, pick_list.code, DEMO_PICKER)
        picker = badge_login(session, DEMO_PICKER, "demo cart")
        sorter = badge_login(session, DEMO_SORTER, "demo wall")
    for n, pick_list in enumerate(batch.pick_lists):
        tote = f"T09{n:02d}"
        walk_pick_list(factory, picker, pick_list.code, partial(_same_tote, tote))
        with factory() as session:
            lines = [li for o in pick_list.orders for li in show_order(session, o).order.lines]
        skus = [line.sku for line in lines for _ in range(line.quantity)]
        sort_tote(factory, sorter, DEMO_WALL[0], tote, skus)
    for n, pick_list in enumerate(cart.pick_lists):
        walk_pick_list(factory, picker, pick_list.code, partial(_cart_tote, 5 + n))
    return batch.orders + cart.orders


def _dock_scene(factory: sessionmaker[Session], actor: Actor) -> int:
    """Orders picked and packed through the services, their cartons closed and waiting at the
    dock, and a door for each carrier they go with (most cartons first). Returns the cartons."""
    with unit_of_work(factory) as session:
        cart = release_wave(session, actor, max_orders=DEMO_DOCK)
        for pick_list in cart.pick_lists:
            reassign(session, actor, pick_list.code, DEMO_PICKER)
        picker = badge_login(session, DEMO_PICKER, "demo cart")
        packer = badge_login(session, DEMO_PACKER, "demo bench")
    for n, pick_list in enumerate(cart.pick_lists):
        walk_pick_list(factory, picker, pick_list.code, partial(_cart_tote, 7 + n))
    with factory() as session:
        codes = [pl.code for pl in cart.pick_lists]
        totes = session.scalars(
            select(PickListOrder.tote)
            .join(PickList, PickList.id == PickListOrder.pick_list_id)
            .where(PickList.code.in_(codes), PickListOrder.tote.is_not(None))
            .order_by(PickListOrder.tote)
        ).all()
    cartons = [c for tote in totes if tote for c in pack_tote(factory, packer, tote)]
    with factory() as session:
        carriers = Counter(
            session.scalars(select(Carton.carrier).where(Carton.id.in_(cartons))).all()
        )
    with unit_of_work(factory) as session:
        ranked = sorted(carriers, key=lambda c: (-carriers[c], c))
        for door, carrier in enumerate(ranked, start=1):
            set_door(session, actor, f"DOCK-{door}", carrier)
    return len(cartons)


def _operators(factory: sessionmaker[Session]) -> int:
    pin_hash = hash_pin(demo_data.DEMO_PIN)  # one hash: the demo PIN is the same for everyone
    added = 0
    with unit_of_work(factory) as session:
        known = set(session.scalars(select(Operator.badge)))
        for badge, name, role in demo_data.OPERATORS:
            if badge not in known:
                session.add(Operator(badge=badge, name=name, role=role.value, pin_hash=pin_hash))
                added += 1
    return added


def _history(
    factory: sessionmaker[Session],
    products: list[Any],
    count: int,
    start: int,
    now: datetime,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    """Bulk-insert `count` delivered orders from the past 90 days; returns the lines written."""
    if count <= 0:
        return 0
    rng = random.Random(start)
    with factory() as session:
        product_ids = dict(session.execute(select(Product.sku, Product.id)).all())
    catalogue = [(product_ids[p.sku], p.sku, p.name) for p in products]
    lines_written = 0
    for first in range(0, count, _CHUNK):
        size = min(_CHUNK, count - first)
        with unit_of_work(factory) as session:
            lines_written += _history_chunk(session, rng, catalogue, start + first, size, now)
        if progress:
            progress("history", first + size, count)
    return lines_written


def _history_chunk(
    session: Session,
    rng: random.Random,
    catalogue: list[tuple[int, str, str]],
    start: int,
    size: int,
    now: datetime,
) -> int:
    orders: list[dict[str, Any]] = []
    for n in range(start, start + size):
        address = demo_data.history_address(rng)
        placed = now - timedelta(days=rng.uniform(1, 90))
        orders.append(
            {
                "number": f"#{n}",
                "source": "demo",
                "status": OrderStatus.DELIVERED.value,
                "placed_at": placed,
                "received_at": placed + timedelta(minutes=2),
                "ship_by": next_cutoff(placed, demo_data.DEMO_CUTOFF, timedelta(hours=2)),
                "priority": 0,
                "carrier": "UPS",
                "service": "Ground",
                "payment_status": "paid",
                "currency": "USD",
                "total": Decimal("0"),
                "email": f"customer{n}@example.com",
                "note": "",
                **ship_to_columns(address),
                "version": 1,
            }
        )
    order_ids = session.scalars(
        insert(Order).returning(Order.id, sort_by_parameter_order=True), orders
    ).all()
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for order_id, order in zip(order_ids, orders, strict=True):
        for line_no, (index, quantity) in enumerate(
            demo_data.history_lines(rng, len(catalogue)), start=1
        ):
            product_id, sku, name = catalogue[index]
            lines.append(
                {
                    "order_id": order_id,
                    "line_no": line_no,
                    "sku": sku,
                    "product_id": product_id,
                    "name": name,
                    "quantity": quantity,
                    "unit_price": Decimal("9.90"),
                    "requires_shipping": True,
                    "fulfilled_before": False,
                }
            )
        received = order["received_at"]
        for kind, status, at in (
            ("received", OrderStatus.RECEIVED, received),
            ("shipped", OrderStatus.SHIPPED, received + timedelta(hours=6)),
            ("delivered", OrderStatus.DELIVERED, received + timedelta(days=2)),
        ):
            events.append(
                {
                    "order_id": order_id,
                    "at": at,
                    "kind": kind,
                    "from_status": None,
                    "to_status": status.value,
                    "operator_id": None,
                    "station": "history",
                    "detail": "demo history",
                }
            )
    session.execute(insert(OrderLine), lines)
    session.execute(insert(OrderEvent), events)
    return len(lines)


def demo_is_seeded(session: Session) -> bool:
    """Whether the demo floor is already in this database (its first demo operator exists)."""
    badge = demo_data.OPERATORS[0][0]
    return session.scalar(select(Operator.id).where(Operator.badge == badge)) is not None

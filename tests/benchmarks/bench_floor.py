"""Floor benchmark: N stations at once on one database (pickers, packers, sorters, shippers).

Run: uv run python -m tests.benchmarks.bench_floor [--database URL] [--stations N]
Every station is its own process (spawned) and makes the service calls its screen makes, one
transaction per scan: a picker takes the next pick list from the shared queue and walks it
(location, units, totes); a sorter takes a picked batch tote and sorts it into its own put
wall (item, then slot); a packer takes a picked order's tote or a sorted order's complete slot
and packs it (units, a box if none fits, the weight to close the carton; labels are not
printed); a shipper stands at its own dock door, every door serving the same carrier, loads
that carrier's closed cartons from the one pool waiting at the dock (each a load scan), and
closes its truck every ten cartons (the manifest committed, the orders SHIPPED, the customers'
messages queued; the PDF and CSV are not written). Stations cycle picker, packer, sorter,
shipper: 1 is a picker; 4 are one of each; 10 are three pickers, three packers, two sorters
and two shippers.

The work is set out before the clock starts: the demo warehouse (with deep stock, so nothing
runs dry), generated orders released as pick lists for the pickers, batch totes picked for the
sorters, carts picked for the packers, and orders packed for the shippers. Then every station
starts at once and does its share (`--lists` per picker, `--batches` per sorter, `--packs` per
packer, `--cartons` per shipper) or stops at `--seconds`.
Figures: a claim (taking the next list, tote or order; a shipper's is closing its truck) and a
scan (committed), p50/p99 per role, and the floor's throughput. Then the invariants, each a
PASS or FAIL line: no list, tote, order or carton held twice, stock and reservations exact,
every scan recorded once (and journaled once, as a station journals it), an order SHIPPED
exactly when its cartons are, one message each.
The exit status is 1 if one fails.

--database: a PostgreSQL server gets a fresh schema, dropped at the end; an SQLite URL names
a new file. Without it, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import exists, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.config import DatabaseChoice, normalise_url
from app.db.database import Database, open_database
from app.db.dispatch_models import DockDoor, Load
from app.db.engine import make_engine, unit_of_work
from app.db.floor_models import ScanRecord
from app.db.models import Allocation, Order, OrderEvent, OrderLine, OutboxMessage, Stock
from app.db.packing_models import Carton, CartonItem, PackJob
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.db.putwall_models import SortPut, WallSlot
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.demo.floor import unit_codes, walk_pick_list
from app.services.demo.seeding import seed_demo
from app.services.dispatch.doors import set_door
from app.services.dispatch.loading import LoadRefused, load_carton
from app.services.dispatch.manifests import close_load
from app.services.errors import Conflict, NotAllowed, NotFound
from app.services.floor.journal import Outcome, Stage, run_scan
from app.services.masterdata.operators import add_operator
from app.services.packing.bench import choose_box, close_carton, pack_item, start_packing
from app.services.packing.boxes import list_boxes
from app.services.picking.finishing import reassign
from app.services.picking.scans import claim_next, current_list
from app.services.picking.scans import scan as pick_scan
from app.services.picking.views import Expect, PickListView
from app.services.picking.waves import ReleasedList, release_wave
from app.services.sorting.put_wall import WrongPut, add_wall, put, start_batch, target_for
from tests.benchmarks.bench_packing import pack_orders, picked_orders, top_up

BOSS = Actor.command_line("bench")
ROLES = (Role.PICKER, Role.PACKER, Role.SORTER, Role.SHIPPER)
CART, BATCH = 8, 12  # orders on a picker's cart; orders in a sorter's batch tote
TRUCK = 10  # cartons a shipper loads before closing its truck
SETUP_PICKER = "OP-5999"
Factory = sessionmaker[Session]
T = TypeVar("T")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _scan(code: str) -> Scan:
    scanned = classify(code)
    assert isinstance(scanned, Scan), scanned
    return scanned


def _tote(list_id: int, position: int) -> str:
    return f"T{list_id % 10_000:04d}{position:02d}"  # a fresh tote per list and cart position


@dataclass
class Station:
    """What one station process did: milliseconds per claim and scan, and what it held."""

    role: str
    badge: str
    claims: list[float] = field(default_factory=list)
    scans: list[float] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # lists, totes or orders it took
    units: int = 0  # picked, put or packed
    finished: list[str] = field(default_factory=list)  # orders its lists moved on
    shipped: list[str] = field(default_factory=list)  # orders its trucks took
    cartons: int = 0
    retries: int = 0  # a scan refused as "changed under another station" and scanned again
    journaled: int = 0  # scans taken, each with its journal row
    refused_claims: int = 0  # another station took it first
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Journaled:
    """A scan as a station journals it: who, at which stage, what, checked against what."""

    actor: Actor
    stage: Stage
    scanned: Scan
    subject: str = ""


class Shift:
    """A station's deadline, and the timing of its actions."""

    def __init__(self, station: Station, deadline: float) -> None:
        self.station, self.deadline = station, deadline

    @property
    def over(self) -> bool:
        return time.time() > self.deadline

    def timed(
        self,
        into: list[float],
        factory: Factory,
        action: Callable[[Session], T],
        scan: Journaled | None = None,
    ) -> T:
        """One action in its own transaction; retried while another station's change is in
        the way (as a person scans again); the time of the committed attempt is kept. A scan
        runs as a station runs it, journaled (`run_scan`)."""
        for attempt in range(20):
            t0 = time.perf_counter()
            try:
                if scan is None:
                    with unit_of_work(factory) as session:
                        result = action(session)
                else:
                    result = run_scan(
                        factory,
                        scan.actor,
                        scan.stage,
                        scan.scanned,
                        lambda session, _actor: action(session),
                        subject=scan.subject,
                    )
                    self.station.journaled += 1
            except (Conflict, DBAPIError) as exc:
                if isinstance(exc, DBAPIError) and not _transient(exc):
                    raise
                self.station.retries += 1
                time.sleep(0.005 * (attempt + 1))
                continue
            into.append((time.perf_counter() - t0) * 1000)
            return result
        raise RuntimeError("still refused after 20 tries")


def _transient(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return any(w in message for w in ("locked", "deadlock", "could not serialize", "busy"))


# -- the stations -------------------------------------------------------------------------
def _picker(db: Database, actor: Actor, shift: Shift, share: int) -> None:
    factory, me = db.sessions, shift.station
    with factory() as session:
        codes = unit_codes(session)
    for _ in range(share):
        if shift.over:
            return
        try:
            view: PickListView = shift.timed(me.claims, factory, partial(claim_next, actor=actor))
        except NotFound:
            return  # the queue is empty
        me.held.append(view.code)
        with factory() as session:
            list_id = session.scalars(select(PickList.id).where(PickList.code == view.code)).one()
        while (stop := view.current_stop) is not None and not shift.over:
            if view.expect is Expect.LOCATION:
                code = stop.location
            elif view.expect is Expect.PRODUCT:
                code, me.units = codes[stop.sku], me.units + 1
            else:
                task = view.current_task
                code = _tote(list_id, task.position if task is not None else 1)
            scanned, list_code = _scan(code), view.code
            outcome = shift.timed(
                me.scans,
                factory,
                partial(pick_scan, actor=actor, code=list_code, scanned=scanned),
                Journaled(actor, Stage.PICKING, scanned, list_code),
            )
            assert outcome.view is not None
            view = outcome.view
            if outcome.result == "done":
                me.finished += [number for _, number, _ in view.orders]


def _packer(db: Database, actor: Actor, shift: Shift, share: int, rng: random.Random) -> None:
    factory, me = db.sessions, shift.station
    with factory() as session:
        codes = unit_codes(session)
        boxes = list_boxes(session)
    biggest = max(boxes, key=lambda b: b.length_mm * b.width_mm * b.height_mm).code
    while len(me.held) < share and not shift.over:
        with factory() as session:
            choices = _packable(session)
        if not choices:
            return  # nothing left to pack
        taken = _scan(rng.choice(choices))
        try:
            outcome = shift.timed(
                me.claims,
                factory,
                partial(start_packing, actor=actor, scanned=taken),
                Journaled(actor, Stage.PACKING, taken),
            )
        except NotAllowed:
            me.refused_claims += 1  # another packer scanned it first
            continue
        number = outcome.view.order
        me.held.append(number)
        view = outcome.view
        for line in outcome.view.lines:
            for _ in range(line.expected - line.packed):
                unit = _scan(codes[line.sku])
                view = shift.timed(
                    me.scans,
                    factory,
                    partial(pack_item, actor=actor, number=number, scanned=unit),
                    Journaled(actor, Stage.PACKING, unit, number),
                ).view
                me.units += 1
        carton = view.open_carton
        assert view.all_in and carton is not None
        if carton.box is None:  # nothing fits a box: the packer takes the biggest
            outcome = shift.timed(
                me.scans, factory, partial(choose_box, actor=actor, number=number, box_code=biggest)
            )
            carton = outcome.view.open_carton
            assert carton is not None
        grams = carton.expected_weight_g
        closed = shift.timed(
            me.scans, factory, partial(close_carton, actor=actor, number=number, weight_g=grams)
        )
        assert closed.result == "done", closed.message
        me.cartons += 1


def _packable(session: Session) -> list[str]:
    """Totes of picked orders and complete slots of sorted ones, a few of each, to scan one."""
    no_job = ~exists().where(PackJob.order_id == Order.id, PackJob.status == "OPEN")
    totes = session.scalars(
        select(PickListOrder.tote)
        .join(Order, Order.id == PickListOrder.order_id)
        .join(PickList, PickList.id == PickListOrder.pick_list_id)
        .where(
            PickList.mode == "sort_while_pick",
            PickList.status == "DONE",
            Order.status == "PICKED",
            PickListOrder.tote.is_not(None),
            no_job,
        )
        .order_by(Order.id)
        .limit(6)
    ).all()
    slots = session.scalars(
        select(WallSlot.code)
        .join(Order, Order.id == WallSlot.order_id)
        .where(WallSlot.status == "COMPLETE", no_job)
        .order_by(WallSlot.id)
        .limit(6)
    ).all()
    return [code for code in (*totes, *slots) if code]


def _sorter(db: Database, actor: Actor, shift: Shift, share: int, wall: str) -> None:
    factory, me = db.sessions, shift.station
    with factory() as session:
        codes = unit_codes(session)
    while len(me.held) < share and not shift.over:
        with factory() as session:
            tote = _batch_waiting(session)
        if tote is None:
            return
        try:
            shift.timed(
                me.claims,
                factory,
                partial(start_batch, actor=actor, wall_code=wall, tote=tote),
                Journaled(actor, Stage.SORTING, _scan(tote), wall),
            )
        except WrongPut:  # another sorter started it first
            me.refused_claims += 1
            continue
        me.held.append(tote)
        with factory() as session:
            skus = _units_in(session, tote)
        for sku in skus:
            if shift.over:
                return
            item = _scan(codes[sku])
            shown = shift.timed(
                me.scans,
                factory,
                partial(target_for, actor=actor, wall_code=wall, item=item),
                Journaled(actor, Stage.SORTING, item, wall),
            )
            assert shown.target is not None
            slot = _scan(shown.target.slot)
            shift.timed(
                me.scans,
                factory,
                partial(put, actor=actor, wall_code=wall, item=item, slot=slot),
                Journaled(actor, Stage.SORTING, slot, wall),
            )
            me.units += 1


def _shipper(
    db: Database, actor: Actor, shift: Shift, share: int, door: str, rng: random.Random
) -> None:
    """Load the door's carrier's cartons from the pool every shipper draws on; close the truck
    every TRUCK cartons, and at the end."""
    factory, me = db.sessions, shift.station
    with factory() as session:
        carrier = session.scalars(select(DockDoor.carrier).where(DockDoor.code == door)).one()
    on_truck = 0
    while len(me.held) < share and not shift.over:
        with factory() as session:
            waiting = _cartons_waiting(session, carrier)
        if not waiting:
            break
        code = rng.choice(waiting)
        carton = _scan(code)
        try:
            shift.timed(
                me.scans,
                factory,
                partial(load_carton, actor=actor, door_code=door, scanned=carton),
                Journaled(actor, Stage.DISPATCH, carton, door),
            )
        except LoadRefused:
            me.refused_claims += 1  # another shipper loaded it first
            continue
        me.held.append(code)
        on_truck += 1
        if on_truck == TRUCK:
            _close(factory, actor, shift, door)
            on_truck = 0
    if on_truck:
        _close(factory, actor, shift, door)


def _close(factory: Factory, actor: Actor, shift: Shift, door: str) -> None:
    closed = shift.timed(
        shift.station.claims, factory, partial(close_load, actor=actor, door_code=door)
    )
    shift.station.cartons += len(closed.cartons)
    shift.station.shipped += closed.orders_shipped


def _cartons_waiting(session: Session, carrier: str) -> list[str]:
    """A few of `carrier`'s closed cartons not yet on a truck (their tracking numbers)."""
    return list(
        session.scalars(
            select(Carton.tracking_number)
            .where(Carton.status == "CLOSED", Carton.carrier == carrier)
            .order_by(Carton.id)
            .limit(6)
        )
    )


def _batch_waiting(session: Session) -> str | None:
    """A picked batch tote none of whose orders is on a wall yet."""
    on_wall = exists().where(WallSlot.order_id == Order.id)
    return session.scalars(
        select(PickListOrder.tote)
        .join(Order, Order.id == PickListOrder.order_id)
        .join(PickList, PickList.id == PickListOrder.pick_list_id)
        .where(
            PickList.mode == "pick_then_sort",
            PickList.status == "DONE",
            Order.status == "PICKED",
            ~on_wall,
        )
        .order_by(PickList.id)
        .limit(1)
    ).first()


def _units_in(session: Session, tote: str) -> list[str]:
    """The SKU of every unit in a batch tote, one per unit."""
    rows = session.execute(
        select(OrderLine.sku, func.sum(PickTask.placed))
        .join(PickTask, PickTask.order_line_id == OrderLine.id)
        .join(PickStop, PickStop.id == PickTask.stop_id)
        .join(PickListOrder, PickListOrder.pick_list_id == PickStop.pick_list_id)
        .where(PickListOrder.tote == tote, PickListOrder.order_id == OrderLine.order_id)
        .group_by(OrderLine.sku)
        .order_by(OrderLine.sku)
    ).all()
    return [sku for sku, units in rows for _ in range(int(units))]


def run_station(
    url: str,
    role: str,
    badge: str,
    operator_id: int,
    index: int,
    share: int,
    go: Event,
    seconds: float,
    results: Any,
) -> None:
    """One station process: wait for the start, do its share of the work, report."""
    me = Station(role, badge)
    db = open_database(DatabaseChoice(url, embedded_default=False))
    actor = Actor(operator_id, f"Bench {badge}", Role(role), f"{role} {index}")
    try:
        with db.sessions() as session:
            unit_codes(session)  # connected, and the first query's cost paid before the start
        results.put(badge)  # ready
        go.wait()
        shift = Shift(me, time.time() + seconds)
        if role == Role.PICKER.value:
            _picker(db, actor, shift, share)
        elif role == Role.PACKER.value:
            _packer(db, actor, shift, share, random.Random(index))
        elif role == Role.SHIPPER.value:
            _shipper(db, actor, shift, share, _door(index), random.Random(index))
        else:
            _sorter(db, actor, shift, share, _wall(index))
    except Exception as exc:  # noqa: BLE001 - reported by the main process
        me.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.close()
        results.put(me)


def _wall(index: int) -> str:
    return f"W{20 + index}"


def _door(index: int) -> str:
    return f"DOCK-{20 + index}"


# -- setting out the work -----------------------------------------------------------------
@contextmanager
def floor_database(url: str | None) -> Iterator[str]:
    """A database for the run: a fresh PostgreSQL schema (dropped after) or an SQLite file."""
    if url and url.startswith("postgresql"):
        base = normalise_url(url)
        schema = f"bench_floor_{uuid.uuid4().hex[:8]}"
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'floor.sqlite3'}"


def _operator(db: Database, role: Role, badge: str) -> int:
    with unit_of_work(db.sessions) as session:
        return add_operator(session, BOSS, badge, f"Bench {badge}", role, "1234").id


def set_out(db: Database, roles: list[Role], args: argparse.Namespace) -> list[tuple[str, int]]:
    """The demo floor and the work for every station; returns each station's (badge, id)."""
    seed_demo(db.sessions, BOSS, orders=args.orders)
    with unit_of_work(db.sessions) as session:  # deep stock: the run measures work, not shortage
        session.execute(update(Stock).values(quantity=Stock.quantity + 100_000))
    pickers, packers, sorters, shippers = (roles.count(r) for r in ROLES)
    carts = pickers * args.lists + -(-packers * args.packs // CART)
    top_up(db, carts * CART + sorters * args.batches * BATCH)
    setup = _operator(db, Role.PICKER, SETUP_PICKER)
    setup_picker = Actor(setup, "Bench set-up", Role.PICKER, "set-up")
    staged: list[ReleasedList] = []
    with unit_of_work(db.sessions) as session:
        for _ in range(sorters * args.batches):
            staged += release_wave(
                session, BOSS, mode="pick_then_sort", max_orders=BATCH
            ).pick_lists
        for _ in range(-(-packers * args.packs // CART)):
            staged += release_wave(session, BOSS, max_orders=CART, cart_totes=CART).pick_lists
        for pick_list in staged:
            reassign(session, BOSS, pick_list.code, SETUP_PICKER)
        for i, role in enumerate(roles):
            if role is Role.SORTER:
                add_wall(session, BOSS, _wall(i), 6, 8)
    for pick_list in staged:
        with db.sessions() as session:
            list_id = session.scalars(
                select(PickList.id).where(PickList.code == pick_list.code)
            ).one()
            batch = current_list(session, setup_picker, pick_list.code).mode == "pick_then_sort"

        def tote_for(position: int, list_id: int = list_id, batch: bool = batch) -> str:
            return _tote(list_id, 0 if batch else position)

        walk_pick_list(db.sessions, setup_picker, pick_list.code, tote_for)
    if shippers:  # orders packed and waiting at the dock, for one carrier's trucks
        packed = pack_orders(db, picked_orders(db, shippers * args.cartons, carrier="UPS"))
        with db.sessions() as session:
            carriers = Counter(
                session.scalars(
                    select(Carton.carrier)
                    .join(Order, Order.id == Carton.order_id)
                    .where(Order.number.in_(packed), Carton.status == "CLOSED")
                )
            )
        with unit_of_work(db.sessions) as session:
            for i, role in enumerate(roles):
                if role is Role.SHIPPER:
                    set_door(session, BOSS, _door(i), carriers.most_common(1)[0][0])
    with unit_of_work(db.sessions) as session:  # the pickers' queue: carts of eight
        for _ in range(pickers * args.lists):
            release_wave(session, BOSS, max_orders=CART, cart_totes=CART)
    return [
        (badge, _operator(db, role, badge))
        for badge, role in ((f"OP-5{i:03d}", role) for i, role in enumerate(roles))
    ]


# -- what the database says after -----------------------------------------------------------
@dataclass(frozen=True)
class Totals:
    """Counts the invariants compare before and after the run."""

    on_hand: int
    picked: int
    puts: int
    packed: int
    cartons: int
    picked_events: int
    journal_ok: int


def totals(session: Session) -> Totals:
    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    return Totals(
        on_hand=count(select(func.sum(Stock.quantity))),
        picked=count(select(func.sum(PickTask.picked))),
        puts=count(select(func.sum(SortPut.units))),
        packed=count(select(func.sum(CartonItem.units))),
        cartons=count(
            select(func.count(Carton.id)).where(Carton.status.in_(("CLOSED", "LOADED", "SHIPPED")))
        ),
        picked_events=count(select(func.count(OrderEvent.id)).where(OrderEvent.kind == "picked")),
        journal_ok=count(
            select(func.count(ScanRecord.id)).where(ScanRecord.outcome == Outcome.OK.value)
        ),
    )


def check(db: Database, before: Totals, stations: list[Station]) -> list[tuple[bool, str]]:
    """Each invariant: (held, what it says)."""
    results: list[tuple[bool, str]] = []

    def held_once(role: str, what: str) -> None:
        held = Counter(h for s in stations if s.role == role for h in set(s.held))
        twice = sorted(h for h, n in held.items() if n > 1)
        results.append((not twice, f"no {what} taken by two {role}s ({len(held)} taken) {twice}"))

    held_once(Role.PICKER.value, "pick list")
    held_once(Role.SORTER.value, "batch tote")
    held_once(Role.PACKER.value, "order")
    held_once(Role.SHIPPER.value, "carton")
    with db.sessions() as session:
        after = totals(session)
        on_two_lists = session.scalars(
            select(PickListOrder.order_id)
            .join(PickList, PickList.id == PickListOrder.pick_list_id)
            .where(PickList.status != "DONE")
            .group_by(PickListOrder.order_id)
            .having(func.count() > 1)
        ).all()
        results.append((not on_two_lists, f"no order on two unfinished lists {on_two_lists}"))
        two_slots = session.scalars(
            select(WallSlot.order_id)
            .where(WallSlot.order_id.is_not(None))
            .group_by(WallSlot.order_id)
            .having(func.count() > 1)
        ).all()
        results.append((not two_slots, f"no order in two put-wall slots {two_slots}"))
        two_jobs = session.scalars(
            select(PackJob.order_id)
            .where(PackJob.status.in_(("OPEN", "DONE")))
            .group_by(PackJob.order_id)
            .having(func.count() > 1)
        ).all()
        results.append((not two_jobs, f"no order on two pack benches {two_jobs}"))
        promised = dict(
            session.execute(
                select(Allocation.stock_id, func.sum(Allocation.quantity)).group_by(
                    Allocation.stock_id
                )
            ).all()
        )
        wrong = [
            stock_id
            for stock_id, quantity, reserved in session.execute(
                select(Stock.id, Stock.quantity, Stock.reserved)
            )
            if reserved != promised.get(stock_id, 0) or not 0 <= reserved <= quantity
        ]
        results.append((not wrong, f"every stock row's reservations = its allocations {wrong}"))
        finished = [n for s in stations for n in s.finished]
        events = Counter(
            session.scalars(
                select(Order.number)
                .join(OrderEvent, OrderEvent.order_id == Order.id)
                .where(OrderEvent.kind == "picked", Order.number.in_(finished))
            ).all()
        )
        not_once = sorted(n for n in finished if events[n] != 1)
        results.append((not not_once, f"each order picked has one 'picked' event {not_once}"))
        results += _dispatch_checks(session, stations)
    units = {role.value: sum(s.units for s in stations if s.role == role.value) for role in ROLES}
    cartons = sum(s.cartons for s in stations if s.role == Role.PACKER.value)
    journaled = sum(s.journaled for s in stations)
    results += [
        (
            before.on_hand - after.on_hand == units["picker"],
            f"stock on hand down by the units picked ({before.on_hand - after.on_hand} "
            f"= {units['picker']})",
        ),
        (
            after.picked - before.picked == units["picker"],
            f"every product scan recorded once as a unit picked ({after.picked - before.picked}"
            f" = {units['picker']})",
        ),
        (
            after.puts - before.puts == units["sorter"],
            f"every put recorded once ({after.puts - before.puts} = {units['sorter']})",
        ),
        (
            after.packed - before.packed == units["packer"],
            f"every pack scan recorded once ({after.packed - before.packed} = {units['packer']})",
        ),
        (
            after.cartons - before.cartons == cartons,
            f"every carton closed once ({after.cartons - before.cartons} = {cartons})",
        ),
        (
            after.picked_events - before.picked_events == len(finished),
            f"one 'picked' event per order finished ({after.picked_events - before.picked_events}"
            f" = {len(finished)})",
        ),
        (
            after.journal_ok - before.journal_ok == journaled + cartons,
            f"every scan taken journaled once, and every weighing "
            f"({after.journal_ok - before.journal_ok} = {journaled} + {cartons})",
        ),
    ]
    return results


def _dispatch_checks(session: Session, stations: list[Station]) -> list[tuple[bool, str]]:
    """The dock's invariants: every load scan on a truck once, every closed truck's count its
    shipped cartons, an order SHIPPED exactly when its cartons are, one message per order."""
    loaded = [code for s in stations if s.role == Role.SHIPPER.value for code in s.held]
    if not loaded:
        return []
    on_trucks = session.scalar(
        select(func.count(Carton.id)).where(
            Carton.tracking_number.in_(loaded),
            Carton.status == "SHIPPED",
            Carton.load_id.is_not(None),
        )
    )
    miscounted = session.scalars(
        select(Load.manifest_number)
        .join(Carton, Carton.load_id == Load.id)
        .where(Load.status == "CLOSED")
        .group_by(Load.id, Load.manifest_number, Load.carton_count)
        .having(func.count(Carton.id) != Load.carton_count)
    ).all()
    orders = session.scalars(
        select(Carton.order_id).where(Carton.tracking_number.in_(loaded))
    ).all()
    left = dict(
        session.execute(
            select(Carton.order_id, func.count(Carton.id))
            .where(Carton.order_id.in_(orders), Carton.status != "SHIPPED")
            .group_by(Carton.order_id)
        ).all()
    )
    partly = [
        number
        for order_id, number, status in session.execute(
            select(Order.id, Order.number, Order.status).where(Order.id.in_(orders))
        )
        if (status == "SHIPPED") == bool(left.get(order_id))
    ]
    shipped = [n for s in stations for n in s.shipped]
    messages = Counter(
        session.scalars(
            select(Order.number)
            .join(OutboxMessage, OutboxMessage.order_id == Order.id)
            .where(OutboxMessage.kind == "shipped", Order.id.in_(orders))
        ).all()
    )
    twice = sorted(n for n, count in messages.items() if count != 1)
    return [
        (
            on_trucks == len(loaded),
            f"every load scan on a closed truck once ({on_trucks} = {len(loaded)})",
        ),
        (not miscounted, f"every manifest counts its shipped cartons {miscounted}"),
        (not partly, f"an order SHIPPED exactly when all its cartons are {partly}"),
        (
            len(messages) == len(set(orders)) and not twice,
            f"one 'shipped' message per order on a truck ({len(messages)} = {len(set(orders))})"
            f" {twice}",
        ),
        (
            len(shipped) == len(set(shipped)) == len(set(orders)),
            f"each order shipped by one close ({len(shipped)} = {len(set(orders))})",
        ),
    ]


# -- the run --------------------------------------------------------------------------------
def _row(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<7} n=   0"
    return (
        f"{name:<7} n={len(values):>5}  p50 {statistics.median(values):6.1f} ms"
        f"  p99 {percentile(values, 0.99):6.1f} ms"
    )


def run(url: str, args: argparse.Namespace) -> bool:
    roles = [ROLES[i % len(ROLES)] for i in range(args.stations)]
    db = open_database(DatabaseChoice(url, embedded_default=True))
    t0 = time.perf_counter()
    badges = set_out(db, roles, args)
    with db.sessions() as session:
        before = totals(session)
    kind = db.engine.dialect.name
    url = db.engine.url.render_as_string(hide_password=False)
    print(
        f"floor benchmark on {kind}: {args.stations} station(s) "
        f"({', '.join(f'{roles.count(r)} {r.value}' for r in ROLES if r in roles)}); "
        f"work set out in {time.perf_counter() - t0:.0f} s"
    )
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    shares = {
        Role.PICKER: args.lists,
        Role.PACKER: args.packs,
        Role.SORTER: args.batches,
        Role.SHIPPER: args.cartons,
    }
    processes = [
        context.Process(
            target=run_station,
            args=(url, role.value, badge, operator_id, i, shares[role], go, args.seconds, results),
        )
        for i, (role, (badge, operator_id)) in enumerate(zip(roles, badges, strict=True))
    ]
    for process in processes:
        process.start()
    for _ in processes:
        results.get(timeout=120)  # every station imported, connected and waiting
    started = time.perf_counter()
    go.set()
    stations: list[Station] = [results.get(timeout=args.seconds + 120) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    for role in ROLES:
        mine = [s for s in stations if s.role == role.value]
        if not mine:
            continue
        claims = [t for s in mine for t in s.claims]
        scans = [t for s in mine for t in s.scans]
        taken = {
            Role.PICKER: "lists",
            Role.PACKER: "orders",
            Role.SORTER: "totes",
            Role.SHIPPER: "cartons",
        }[role]
        claim = "close" if role is Role.SHIPPER else "claim"
        print(f"  {len(mine)} {role.value}(s)  {_row(claim, claims)}   {_row('scan', scans)}")
        print(
            f"      {sum(len(s.held) for s in mine)} {taken} taken,"
            f" {sum(s.units for s in mine)} units; {sum(s.retries for s in mine)} scanned again"
            f" (changed under another station), {sum(s.refused_claims for s in mine)} claims"
            " lost to another station"
        )
    total = sum(len(s.scans) for s in stations)
    print(
        f"  floor: {total} scans in {elapsed:.1f} s = {total / elapsed:.0f} scans/s; "
        f"{sum(len(s.finished) for s in stations)} orders picked, "
        f"{sum(s.cartons for s in stations if s.role == Role.PACKER.value)} packed, "
        f"{sum(len(s.shipped) for s in stations)} shipped"
    )
    ok = True
    for station in stations:
        for error in station.errors:
            ok = False
            print(f"  FAIL {station.role} {station.badge} stopped: {error}")
    for held, what in check(db, before, stations):
        ok = ok and held
        print(f"  {'PASS' if held else 'FAIL'} {what.rstrip(' []')}")
    db.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="a PostgreSQL server (a fresh schema) or SQLite file")
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--orders", type=int, default=500, help="orders in the history")
    parser.add_argument("--lists", type=int, default=6, help="pick lists per picker")
    parser.add_argument("--batches", type=int, default=2, help="batch totes per sorter")
    parser.add_argument("--packs", type=int, default=12, help="orders per packer")
    parser.add_argument("--cartons", type=int, default=30, help="cartons loaded per shipper")
    parser.add_argument("--seconds", type=float, default=90, help="stop the stations after")
    args = parser.parse_args()
    with floor_database(args.database) as url:
        ok = run(url, args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()

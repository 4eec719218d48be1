"""A simulated working day on the real services: `baton simulate`.

The day runs on a SimPy clock that drives Baton's clock (`clock.driven_by`), so every record
is written at the simulated moment. Before the shift the supervisor counts in a delivery
covering the day's orders (a stock import), opens a put wall per sorter and a dock door per
carrier; then orders arrive (those placed overnight at the shift's start, the rest through the
day), are received and verified as an import does every quarter hour, and released as waves
(carts of eight, and batches of twelve for the put walls when there are sorters); the
operators (operators.py) work them, and the shippers close each door's truck at the cutoff
and at the carrier's pickup. The day ends after the last pickup.

Everything random comes from one `random.Random(seed)` and every query the operators make is
ordered, so the same seed on the same database gives the same day.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

import simpy
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent
from app.domain.order_drafts import OrderDraft
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.floor.kpi import floor_kpis
from app.services.intake.receiving import ImportSummary, receive_all
from app.services.masterdata.warehouse import scan_patterns
from app.services.picking.waves import release_wave
from app.services.simulation import operators
from app.services.simulation.floor import Floor, Pace
from app.services.simulation.plan import (
    DayPlan,
    biggest_box,
    catalogue,
    deliver,
    log_in,
    open_doors,
    open_walls,
    orders_of_the_day,
    prepare,
    truck_times,
)

Factory = sessionmaker[Session]
INTAKE_EVERY_S = 15 * 60
CART, BATCH = 8, 12  # orders on a picker's cart; orders in a batch for the put wall


@dataclass
class DayReport:
    """What the day did: the plan, the window, the orders, the mistakes, the KPIs."""

    plan: DayPlan
    start: datetime
    end: datetime
    seeded_warehouse: bool
    orders: dict[str, object] = field(default_factory=dict)
    work: dict[str, object] = field(default_factory=dict)
    mistakes: dict[str, object] = field(default_factory=dict)
    kpis: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        plan = asdict(self.plan)
        plan["day"], plan["start"] = self.plan.day.isoformat(), self.plan.start.strftime("%H:%M")
        return {
            "parameters": plan,
            "from": self.start.astimezone().isoformat(),
            "to": self.end.astimezone().isoformat(),
            "seeded_warehouse": self.seeded_warehouse,
            "orders": self.orders,
            "work": self.work,
            "mistakes": self.mistakes,
            "kpis": self.kpis,
        }


def play_day(factory: Factory, plan: DayPlan) -> DayReport:
    """Play the day on the database (the demo's warehouse first on an empty one)."""
    plan.check()
    env = simpy.Environment()
    start = plan.starts_at
    with clock.driven_by(lambda: start + timedelta(seconds=env.now)):
        return _play(factory, plan, env, start)


def _play(factory: Factory, plan: DayPlan, env: simpy.Environment, start: datetime) -> DayReport:
    boss = Actor.command_line("simulated office")
    trucks, end = truck_times(start)
    seeded = prepare(factory, boss, start)
    rng = random.Random(plan.seed)
    with factory() as session:
        products = catalogue(session)
        patterns = scan_patterns(session)
    drafts = orders_of_the_day(rng, plan, products, start)
    deliver(factory, boss, drafts)
    walls = open_walls(factory, boss, plan.sorters)
    doors, closes = open_doors(factory, boss, start, trucks)
    crew = log_in(factory, boss, plan)
    floor = Floor(
        env=env,
        factory=factory,
        rng=rng,
        error_rate=plan.error_rate,
        end_s=(end - start).total_seconds(),
        pace=Pace(),
        patterns=patterns,
        doors=doors,
    )
    floor.load_catalogue()
    box = biggest_box(factory)
    received = ImportSummary()
    env.process(_office(floor, boss, drafts, received, start, plan.sorters > 0, walls))
    for actor in crew[Role.PICKER]:
        env.process(operators.picker(floor, actor))
    for actor, wall in zip(crew[Role.SORTER], walls, strict=True):
        env.process(operators.sorter(floor, actor, wall))
    for actor in crew[Role.PACKER]:
        env.process(operators.packer(floor, actor, box))
    shared_closes = sorted(closes)
    for actor in crew[Role.SHIPPER]:
        env.process(operators.shipper(floor, actor, shared_closes))
    env.run(until=floor.end_s)
    end_at = start + timedelta(seconds=floor.end_s)
    report = DayReport(plan, start, end_at, seeded)
    with factory() as session:
        report.orders = _order_outcomes(session, [d.number for d in drafts], end_at)
        report.kpis = floor_kpis(session, start, end_at).as_dict()
    report.mistakes = floor.ledger.as_dict()
    report.work = {
        "scans": floor.scans,
        "refused_scans": floor.refused,
        "cartons_weighed_out_of_tolerance": floor.weight_flagged,
        "loads_closed": len(floor.loads),
        "unexplained_refusals": floor.unexpected,
    }
    return report


# -- the office -------------------------------------------------------------------------------
def _office(
    floor: Floor,
    boss: Actor,
    drafts: list[OrderDraft],
    received: ImportSummary,
    start: datetime,
    sorting: bool,
    walls: list[str],
) -> operators.Process:
    """Every quarter hour: receive the orders placed since the last look, release waves."""
    waiting = list(drafts)
    while not floor.over:
        now = start + timedelta(seconds=floor.env.now)
        due = [d for d in waiting if d.placed_at is not None and d.placed_at <= now]
        if due:
            waiting = waiting[len(due) :]
            receive_all(floor.factory, boss, due, received)
        _release(floor, boss, sorting, len(walls))
        floor.ring(operators.PICKERS)
        yield floor.wait(INTAKE_EVERY_S)


def _release(floor: Floor, boss: Actor, sorting: bool, walls: int) -> None:
    """Batches for the put walls while they have fewer than two waiting each, carts for the
    rest of what is ready."""
    with unit_of_work(floor.factory) as session:
        if sorting:
            for _ in range(2 * walls):
                if not release_wave(session, boss, mode="pick_then_sort", max_orders=BATCH).orders:
                    break
        release_wave(session, boss, cart_totes=CART)


# -- after the shift --------------------------------------------------------------------------
def _order_outcomes(session: Session, numbers: list[str], end: datetime) -> dict[str, object]:
    """The day's orders: received, shipped, due by the day's end and shipped by their cutoff,
    and where the rest stand."""
    statuses: Counter[str] = Counter()
    due = shipped = on_time = due_shipped = 0
    shipped_at = dict(
        session.execute(
            select(Order.number, func.min(OrderEvent.at))
            .join(OrderEvent, OrderEvent.order_id == Order.id)
            .where(Order.number.in_(numbers), OrderEvent.kind == "shipped")
            .group_by(Order.number)
        ).all()
    )
    for number, status, ship_by in session.execute(
        select(Order.number, Order.status, Order.ship_by).where(Order.number.in_(numbers))
    ):
        statuses[status] += 1
        at = shipped_at.get(number)
        shipped += at is not None
        if ship_by is not None and ship_by <= end:
            due += 1
            due_shipped += at is not None
            on_time += at is not None and at <= ship_by
    return {
        "placed": len(numbers),
        "received": sum(statuses.values()),
        "shipped": shipped,
        "due_today": due,
        "due_today_shipped": due_shipped,
        "shipped_by_cutoff": on_time,
        "by_status": dict(sorted(statuses.items())),
    }

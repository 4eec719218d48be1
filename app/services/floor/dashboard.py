"""The supervisor's dashboard: the floor as it stands, in one short read.

Words (the README's "Dashboard" says the same):
- late: an open order whose ship-by time has passed; a stage's late orders are red.
- at risk: an open order, not late, due within AT_RISK_WINDOW (two hours) from now; amber.
- the next pickup: the earliest time any carrier's driver comes next (the carrier book).
- the forecast: the orders not yet packed that are due by the next pickup, against how many
  the floor can pack before it at the pace of the last hour (orders packed in the last hour
  times the hours left); the difference, when positive, is how many will miss the truck.
- the day: from local midnight to now; throughput is counted per local hour of it.

Every figure is an aggregate the database computes on an index (order status and ship-by,
events by kind and time, the scan journal by time, cartons by status); nothing reads every
order, so the read stays short on a large history and never holds up a station's scans.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, select
from sqlalchemy.orm import Session

from app import clock
from app.db.floor_models import ScanRecord
from app.db.models import Operator, Order, OrderEvent, OutboxMessage, PrintRecord
from app.db.packing_models import Carton, PackJob
from app.db.putwall_models import SortPut, WallSlot
from app.domain.carriers import CarrierBook
from app.domain.cutoffs import local_moment
from app.domain.roles import Role
from app.domain.scanning.classify import ScanKind
from app.domain.scanning.refusals import Refusal
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.floor.journal import Outcome
from app.services.floor.kpi import complete_lines, scan_counts
from app.services.packing.carriers import carrier_book

AT_RISK_WINDOW = timedelta(hours=2)
MIN_OPERATOR_HOURS = 0.25  # a rate over a few minutes of scanning says nothing yet
# The stages the dashboard counts, in the order of the journey, and the status of each open one.
STAGES = (
    "received",
    "held",
    "ready",
    "released",
    "picked",
    "sorted",
    "packed",
    "loaded",
    "shipped",
)
_STATUS = {
    OrderStatus.RECEIVED.value: "received",
    OrderStatus.ON_HOLD.value: "held",
    OrderStatus.READY.value: "ready",
    OrderStatus.RELEASED.value: "released",
    OrderStatus.PICKED.value: "picked",
    OrderStatus.SORTED.value: "sorted",
    OrderStatus.PACKED.value: "packed",
}
# Not yet packed: what the forecast counts as still to do before a truck.
_TO_PACK = ("received", "held", "ready", "released", "picked", "sorted")
# The refusal kinds the dashboard always shows (others appear once they occur).
WATCHED_REFUSALS = (
    Refusal.WRONG_LOCATION,
    Refusal.WRONG_ITEM,
    Refusal.WRONG_TOTE,
    Refusal.WRONG_SLOT,
    Refusal.WRONG_CARRIER,
    Refusal.OVER_PICK,
    Refusal.WEIGHT_OUT_OF_TOLERANCE,
)
_COUNTED_CARTONS = ("CLOSED", "LOADED", "SHIPPED")  # closed at the bench, not set aside
_UNIT_SCANS = (ScanKind.PRODUCT.value, ScanKind.CARTON.value, ScanKind.TRACKING.value)


@dataclass(frozen=True)
class StageCount:
    """Orders at one stage now (shipped: today), and how many of them are late or at risk."""

    stage: str
    count: int
    late: int
    at_risk: int


@dataclass(frozen=True)
class Forecast:
    """Whether the orders due by the next pickup will be packed before it."""

    pickup_at: datetime | None
    carriers: tuple[str, ...]  # whose driver comes then
    due: int  # not yet packed, ship-by at or before the pickup
    packed_last_hour: int
    can_pack: int
    will_miss: int

    def sentence(self, now: datetime) -> str:
        """The forecast in words, as the dashboard shows it."""
        if self.pickup_at is None:
            return "No pickup is booked in the carrier book."
        at = self.pickup_at.astimezone()
        when = f"{at:%H:%M}" if at.date() == now.astimezone().date() else f"{at:%a %H:%M}"
        who = ", ".join(self.carriers)
        head = f"Next pickup {when} ({who}): {self.due} to pack by then"
        pace = f"{self.packed_last_hour} packed in the last hour"
        if self.will_miss:
            return f"{head}; at {pace}, {self.will_miss} will miss it."
        return f"{head}; at {pace}, all make it."


@dataclass(frozen=True)
class Hourly:
    """Throughput per local hour of the day so far (each tuple has one value per hour)."""

    hours: tuple[datetime, ...]  # each hour's start, local time
    orders_picked: tuple[int, ...]
    lines_picked: tuple[int, ...]
    units_sorted: tuple[int, ...]
    cartons_packed: tuple[int, ...]
    cartons_loaded: tuple[int, ...]

    def series(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """Each figure with its name, in the order the charts show them."""
        return (
            ("orders picked", self.orders_picked),
            ("lines picked", self.lines_picked),
            ("units sorted", self.units_sorted),
            ("cartons packed", self.cartons_packed),
            ("cartons loaded", self.cartons_loaded),
        )


@dataclass(frozen=True)
class OperatorFigures:
    """One operator's day from the scan journal: units handled, refusals, time on the floor."""

    name: str
    units: int  # accepted scans of a product or a carton
    scans: int
    refused: int
    hours: float  # from the first scan of the day to the last

    @property
    def units_per_hour(self) -> float | None:
        if self.hours < MIN_OPERATOR_HOURS:
            return None
        return round(self.units / self.hours, 1)


@dataclass(frozen=True)
class WaitingSlot:
    """The put-wall slot complete the longest and not yet taken to a pack bench."""

    slot: str
    order: str
    completed_at: datetime


@dataclass(frozen=True)
class DockWaiting:
    """Closed cartons of packed orders waiting at the dock for one carrier's truck."""

    carrier: str
    cartons: int
    pickup_at: datetime | None


@dataclass(frozen=True)
class FloorSnapshot:
    """Everything the dashboard shows, read at `at` (plain values, no database rows)."""

    at: datetime
    day_start: datetime
    stages: tuple[StageCount, ...]
    forecast: Forecast
    hourly: Hourly
    scans: int
    refused_by_kind: tuple[tuple[str, int], ...]
    shorts: int
    problem_totes: int
    print_failures: int
    messages_failed: int
    operators: tuple[OperatorFigures, ...]
    oldest_slot: WaitingSlot | None
    dock: tuple[DockWaiting, ...]

    def stage(self, name: str) -> StageCount:
        return next(s for s in self.stages if s.stage == name)

    def refused_per_1000(self, kind: str) -> float | None:
        """Refused scans of `kind` per 1,000 scans today; None before the first scan."""
        count = dict(self.refused_by_kind).get(kind, 0)
        return round(1000 * count / self.scans, 1) if self.scans else None


def floor_snapshot(
    session: Session, actor: Actor, book: CarrierBook | None = None
) -> FloorSnapshot:
    """The dashboard's figures now (a supervisor's read; `book`: the shipped carrier book)."""
    actor.require(Role.SUPERVISOR)
    now = clock.now()
    # Local midnight at the offset in force then: on the days the clocks change it is not
    # the offset of now.
    day_start = local_moment(now.astimezone().date(), time())
    book = book if book is not None else carrier_book()
    pickups = {c.name: c.pickup.next_pickup(now) for c in book.carriers}
    next_at = min((at for at in pickups.values() if at is not None), default=None)
    horizon = now + AT_RISK_WINDOW

    stages, due, shorts = _open_stages(session, now, horizon, next_at)
    stages["shipped"] = _shipped_today(session, day_start, now)
    packed_last_hour = (
        session.scalar(
            select(func.count()).where(
                OrderEvent.kind == "packed", OrderEvent.at >= now - timedelta(hours=1)
            )
        )
        or 0
    )
    hours_left = max((next_at - now).total_seconds() / 3600, 0.0) if next_at else 0.0
    can_pack = math.floor(packed_last_hour * hours_left)
    forecast = Forecast(
        pickup_at=next_at,
        carriers=tuple(sorted(name for name, at in pickups.items() if at == next_at and at)),
        due=due,
        packed_last_hour=packed_last_hour,
        can_pack=can_pack,
        will_miss=max(due - can_pack, 0) if next_at else 0,
    )
    scans, refused = scan_counts(session, day_start, now)
    shown = [k.value for k in WATCHED_REFUSALS]
    shown += [k.value for k in Refusal if refused[k.value] and k.value not in shown]
    return FloorSnapshot(
        at=now,
        day_start=day_start,
        stages=tuple(stages[name] for name in STAGES),
        forecast=forecast,
        hourly=_hourly(session, day_start, now),
        scans=scans,
        refused_by_kind=tuple((kind, refused[kind]) for kind in shown),
        shorts=shorts,
        problem_totes=_problem_totes(session),
        print_failures=session.scalar(
            select(func.count()).where(
                PrintRecord.outcome == "failed", PrintRecord.created_at >= day_start
            )
        )
        or 0,
        messages_failed=session.scalar(select(func.count()).where(OutboxMessage.status == "failed"))
        or 0,
        operators=_operators(session, day_start, now),
        oldest_slot=_oldest_slot(session),
        dock=_dock(session, pickups),
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 where `condition` holds, else 0: summed, it counts the rows it holds for."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _open_stages(
    session: Session, now: datetime, horizon: datetime, pickup: datetime | None
) -> tuple[dict[str, StageCount], int, int]:
    """Open orders by stage with late and at risk; the orders due by `pickup` not yet packed;
    the orders short (waiting for the supervisor's decision)."""
    late = Order.ship_by < now
    at_risk = and_(Order.ship_by >= now, Order.ship_by < horizon)
    due_by = Order.ship_by <= pickup if pickup is not None else false()
    rows = session.execute(
        select(Order.status, func.count(), _flag(late), _flag(at_risk), _flag(due_by))
        .where(Order.status.in_([*_STATUS, OrderStatus.SHORT.value]))
        .group_by(Order.status)
    ).all()
    counts = {name: StageCount(name, 0, 0, 0) for name in STAGES}
    due = shorts = 0
    for status, count, n_late, n_risk, n_due in rows:
        if status == OrderStatus.SHORT.value:
            shorts = count
            continue
        name = _STATUS[status]
        counts[name] = StageCount(name, count, n_late, n_risk)
        if name in _TO_PACK:
            due += n_due
    # A packed order with a carton on a truck is at the "loaded" stage.
    on_truck = select(Carton.order_id).where(Carton.status == "LOADED").distinct().subquery()
    n, n_late, n_risk = session.execute(
        select(func.count(), _flag(late), _flag(at_risk))
        .select_from(Order)
        .join(on_truck, on_truck.c.order_id == Order.id)
        .where(Order.status == OrderStatus.PACKED.value)
    ).one()
    packed = counts["packed"]
    counts["packed"] = StageCount(
        "packed", packed.count - n, packed.late - n_late, packed.at_risk - n_risk
    )
    counts["loaded"] = StageCount("loaded", n, n_late, n_risk)
    return counts, due, shorts


def _shipped_today(session: Session, day_start: datetime, now: datetime) -> StageCount:
    """Orders shipped today; late: shipped after their ship-by."""
    count, late = session.execute(
        select(func.count(), _flag(OrderEvent.at > Order.ship_by))
        .select_from(OrderEvent)
        .join(Order, Order.id == OrderEvent.order_id)
        .where(OrderEvent.kind == "shipped", OrderEvent.at >= day_start, OrderEvent.at < now)
    ).one()
    return StageCount("shipped", count, late, 0)


def _per_hour(
    session: Session,
    at: Any,
    edges: Sequence[datetime],
    amount: Any = 1,
    *where: ColumnElement[bool],
) -> tuple[int, ...]:
    """`amount` summed per hour between consecutive `edges`, in one query on `at`'s index."""
    columns = [
        func.coalesce(func.sum(case((and_(at >= start, at < end), amount), else_=0)), 0)
        for start, end in pairwise(edges)
    ]
    row = session.execute(select(*columns).where(at >= edges[0], at < edges[-1], *where)).one()
    return tuple(int(value) for value in row)


def _hourly(session: Session, day_start: datetime, now: datetime) -> Hourly:
    """Throughput per local hour from midnight to now (the current hour so far)."""
    hours = max(math.ceil((now - day_start).total_seconds() / 3600), 1)
    starts = [day_start + timedelta(hours=h) for h in range(hours)]
    edges = [*starts, max(now, starts[-1] + timedelta(microseconds=1))]
    lines = complete_lines(day_start, edges[-1])
    return Hourly(
        hours=tuple(s.astimezone() for s in starts),
        orders_picked=_per_hour(session, OrderEvent.at, edges, 1, OrderEvent.kind == "picked"),
        lines_picked=_per_hour(session, lines.c.done_at, edges),
        units_sorted=_per_hour(session, SortPut.at, edges, SortPut.units),
        cartons_packed=_per_hour(
            session, Carton.closed_at, edges, 1, Carton.status.in_(_COUNTED_CARTONS)
        ),
        cartons_loaded=_per_hour(session, Carton.loaded_at, edges),
    )


def _problem_totes(session: Session) -> int:
    """Problem totes waiting for the supervisor: set aside at a bench, the order still there."""
    return (
        session.scalar(
            select(func.count(func.distinct(PackJob.problem_tote)))
            .select_from(Order)
            .join(PackJob, PackJob.order_id == Order.id)
            .where(
                Order.status == OrderStatus.EXCEPTION.value,
                PackJob.status == "EXCEPTION",
                PackJob.problem_tote.is_not(None),
            )
        )
        or 0
    )


def _operators(session: Session, day_start: datetime, now: datetime) -> tuple[OperatorFigures, ...]:
    """Each operator who scanned today, most units first."""
    refused = ScanRecord.outcome == Outcome.REFUSED.value
    units = and_(ScanRecord.outcome == Outcome.OK.value, ScanRecord.scan_kind.in_(_UNIT_SCANS))
    rows = session.execute(
        select(
            Operator.name,
            func.count(),
            _flag(units),
            _flag(refused),
            func.min(ScanRecord.at),
            func.max(ScanRecord.at),
        )
        .join(Operator, Operator.id == ScanRecord.operator_id)
        .where(ScanRecord.at >= day_start, ScanRecord.at < now)
        .group_by(Operator.id, Operator.name)
    ).all()
    figures = [
        OperatorFigures(
            name=name,
            units=int(n_units),
            scans=scans,
            refused=int(n_refused),
            hours=round((last - first).total_seconds() / 3600, 2),
        )
        for name, scans, n_units, n_refused, first, last in rows
    ]
    return tuple(sorted(figures, key=lambda f: (-f.units, f.name)))


def _oldest_slot(session: Session) -> WaitingSlot | None:
    row = session.execute(
        select(WallSlot.code, Order.number, WallSlot.completed_at)
        .join(Order, Order.id == WallSlot.order_id)
        .where(WallSlot.status == "COMPLETE", WallSlot.completed_at.is_not(None))
        .order_by(WallSlot.completed_at, WallSlot.code)
        .limit(1)
    ).one_or_none()
    if row is None or row.completed_at is None:
        return None
    return WaitingSlot(row.code, row.number, row.completed_at)


def _dock(session: Session, pickups: dict[str, datetime | None]) -> tuple[DockWaiting, ...]:
    """Cartons waiting at the dock per carrier (closed, their order packed), most first."""
    rows = session.execute(
        select(Carton.carrier, func.count())
        .join(Order, Order.id == Carton.order_id)
        .where(Carton.status == "CLOSED", Order.status == OrderStatus.PACKED.value)
        .group_by(Carton.carrier)
    ).all()
    waiting = [DockWaiting(carrier, count, pickups.get(carrier)) for carrier, count in rows]
    return tuple(sorted(waiting, key=lambda d: (-d.cartons, d.carrier)))

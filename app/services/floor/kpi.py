"""The floor's KPIs over a time window, read from what the floor already records.

Definitions (the README's "Scan journal and KPIs" says the same in words), for a window
[start, end):
- orders_received: orders whose received_at falls in the window.
- orders_shipped: orders whose `shipped` event (the load's manifest closed) falls in it.
- on_time_ship_rate: of the orders shipped with a ship-by time, the share shipped at or
  before it (WERC "on-time shipments"); orders without a ship-by are left out.
- order_cycle_time_p50_min / p90: minutes from received to shipped, over the orders shipped
  (WERC "internal order cycle time"), nearest-rank percentiles.
- lines_picked_per_hour: order lines picked complete on pick lists finished in the window,
  per hour those lists were held (claimed to done) by their pickers (WERC "lines picked per
  hour").
- refused_scans: refused scans in the scan journal by kind; scans counts accepted and refused
  (a carton's weighing at the pack bench is journaled like a scan).
- picking_accuracy: the share of the orders shipped for which the pack bench found no picking
  error: no wrong item or extra unit scanned against the order, no carton weight out of
  tolerance, never set aside as an exception (WERC "order picking accuracy").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from app.db.floor_models import ScanRecord
from app.db.models import Order, OrderEvent
from app.db.picking_models import PickList, PickStop, PickTask
from app.domain.scanning.refusals import Refusal
from app.services.floor.journal import Outcome, Stage

# What the pack bench finds that picking got wrong.
PICKING_ERRORS = (Refusal.WRONG_ITEM.value, Refusal.OVER_PICK.value)
PACKING_EVENTS = ("weight_flagged", "pack_exception")


@dataclass(frozen=True)
class Kpis:
    """The floor's figures over one window; a rate is None when nothing was there to rate."""

    start: datetime
    end: datetime
    orders_received: int
    orders_shipped: int
    shipped_with_ship_by: int
    shipped_on_time: int
    order_cycle_time_p50_min: float | None
    order_cycle_time_p90_min: float | None
    lines_picked: int
    picker_hours: float
    scans: int
    refused_by_kind: tuple[tuple[str, int], ...] = field(default=())
    orders_with_packing_errors: int = 0

    @property
    def on_time_ship_rate(self) -> float | None:
        return _share(self.shipped_on_time, self.shipped_with_ship_by)

    @property
    def lines_picked_per_hour(self) -> float | None:
        return round(self.lines_picked / self.picker_hours, 1) if self.picker_hours else None

    @property
    def refused_scans(self) -> int:
        return sum(n for _, n in self.refused_by_kind)

    @property
    def refused_per_1000_scans(self) -> float | None:
        return round(1000 * self.refused_scans / self.scans, 1) if self.scans else None

    @property
    def picking_accuracy(self) -> float | None:
        accurate = self.orders_shipped - self.orders_with_packing_errors
        return _share(accurate, self.orders_shipped)

    def as_dict(self) -> dict[str, object]:
        """Plain values only, ready for json.dumps."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "orders_received": self.orders_received,
            "orders_shipped": self.orders_shipped,
            "on_time_ship_rate": self.on_time_ship_rate,
            "shipped_with_ship_by": self.shipped_with_ship_by,
            "shipped_on_time": self.shipped_on_time,
            "order_cycle_time_p50_min": self.order_cycle_time_p50_min,
            "order_cycle_time_p90_min": self.order_cycle_time_p90_min,
            "lines_picked": self.lines_picked,
            "picker_hours": self.picker_hours,
            "lines_picked_per_hour": self.lines_picked_per_hour,
            "scans": self.scans,
            "refused_scans": dict(self.refused_by_kind),
            "refused_scans_total": self.refused_scans,
            "refused_per_1000_scans": self.refused_per_1000_scans,
            "orders_with_packing_errors": self.orders_with_packing_errors,
            "picking_accuracy": self.picking_accuracy,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value at least p% of the values are <= to."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def floor_kpis(session: Session, start: datetime, end: datetime) -> Kpis:
    """The floor's KPIs for orders, picks and scans in [start, end) (aware datetimes)."""
    received = session.scalar(
        select(func.count(Order.id)).where(Order.received_at >= start, Order.received_at < end)
    )
    shipped: dict[int, tuple[datetime, datetime, datetime | None, str]] = {}
    for order_id, at, received_at, ship_by, number in session.execute(
        select(OrderEvent.order_id, OrderEvent.at, Order.received_at, Order.ship_by, Order.number)
        .join(Order, Order.id == OrderEvent.order_id)
        .where(OrderEvent.kind == "shipped", OrderEvent.at >= start, OrderEvent.at < end)
        .order_by(OrderEvent.at)
    ):
        shipped.setdefault(order_id, (at, received_at, ship_by, number))
    minutes = [(at - got).total_seconds() / 60 for at, got, _, _ in shipped.values()]
    promised = [(at, by) for at, _, by, _ in shipped.values() if by is not None]

    lines = session.scalar(select(func.count()).select_from(complete_lines(start, end))) or 0
    held = session.execute(
        select(PickList.claimed_at, PickList.done_at).where(
            PickList.done_at >= start, PickList.done_at < end, PickList.claimed_at.is_not(None)
        )
    ).all()
    hours = (
        sum(
            (done - claimed).total_seconds()
            for claimed, done in held
            if claimed is not None and done is not None
        )
        / 3600
    )

    scans, refused = scan_counts(session, start, end)

    return Kpis(
        start=start,
        end=end,
        orders_received=received or 0,
        orders_shipped=len(shipped),
        shipped_with_ship_by=len(promised),
        shipped_on_time=sum(1 for at, by in promised if at <= by),
        order_cycle_time_p50_min=_rounded(percentile(minutes, 50)),
        order_cycle_time_p90_min=_rounded(percentile(minutes, 90)),
        lines_picked=lines,
        picker_hours=round(hours, 2),
        scans=scans,
        refused_by_kind=tuple((kind.value, refused[kind.value]) for kind in Refusal),
        orders_with_packing_errors=len(_packing_errors(session, shipped)),
    )


def complete_lines(start: datetime, end: datetime) -> Subquery:
    """Order lines picked complete (every unit the line asked of the list picked) on pick lists
    finished in [start, end): one row per list and line, with the list's `done_at`."""
    return (
        select(PickTask.order_line_id, PickList.done_at)
        .join(PickStop, PickStop.id == PickTask.stop_id)
        .join(PickList, PickList.id == PickStop.pick_list_id)
        .where(PickList.done_at >= start, PickList.done_at < end)
        .group_by(PickList.id, PickList.done_at, PickTask.order_line_id)
        .having(func.sum(PickTask.picked) >= func.sum(PickTask.quantity))
        .subquery()
    )


def scan_counts(session: Session, start: datetime, end: datetime) -> tuple[int, Counter[str]]:
    """Journaled scans in [start, end) (accepted and refused), and the refused ones by kind."""
    scans = 0
    refused: Counter[str] = Counter()
    for outcome, refusal, count in session.execute(
        select(ScanRecord.outcome, ScanRecord.refusal, func.count())
        .where(ScanRecord.at >= start, ScanRecord.at < end)
        .group_by(ScanRecord.outcome, ScanRecord.refusal)
    ):
        scans += count
        if outcome == Outcome.REFUSED.value:
            refused[refusal or Refusal.OTHER.value] += count
    return scans, refused


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _packing_errors(
    session: Session, shipped: dict[int, tuple[datetime, datetime, datetime | None, str]]
) -> set[int]:
    """The shipped orders the pack bench found a picking error in (see the module's words)."""
    if not shipped:
        return set()
    ids = sorted(shipped)
    flagged = set(
        session.scalars(
            select(OrderEvent.order_id)
            .where(OrderEvent.order_id.in_(ids), OrderEvent.kind.in_(PACKING_EVENTS))
            .distinct()
        )
    )
    number_of = {number: order_id for order_id, (_, _, _, number) in shipped.items()}
    scanned_wrong = session.scalars(
        select(ScanRecord.subject)
        .where(
            ScanRecord.subject.in_(sorted(number_of)),
            ScanRecord.stage == Stage.PACKING.value,
            ScanRecord.outcome == Outcome.REFUSED.value,
            ScanRecord.refusal.in_(PICKING_ERRORS),
        )
        .distinct()
    )
    return flagged | {number_of[number] for number in scanned_wrong}

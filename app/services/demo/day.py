"""A day's work behind the demo floor, for the dashboard's screenshot and benchmark.

The demo's live orders all arrive "now"; a dashboard wants hours of throughput, refusals and a
few orders past their cutoff. `busy_day` writes that history as the stations would have left
it (timeline events, journaled scans, puts at the wall, cartons closed and loaded), spread
over the hours of the day so far, attached to orders of the demo's shipped history.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from itertools import cycle
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app import clock
from app.db.floor_models import ScanRecord
from app.db.models import Operator, Order, OrderEvent, OrderLine, PrintRecord, Stock
from app.db.packing_models import Carton, PackJob
from app.db.picking_models import PickList, PickStop, PickTask, Wave
from app.db.putwall_models import SortPut, WallSlot
from app.domain.cutoffs import local_moment
from app.domain.states import OrderStatus

# (stage, refusal kind, how many in 1,000 scans at that stage)
_REFUSALS = (
    ("picking", "wrong_location", 6),
    ("picking", "wrong_item", 4),
    ("picking", "over_pick", 2),
    ("picking", "wrong_tote", 2),
    ("sorting", "wrong_slot", 5),
    ("packing", "wrong_item", 3),
    ("packing", "weight_out_of_tolerance", 2),
    ("dispatch", "wrong_carrier", 4),
)
_STAGE_OF_ROLE = {
    "picker": "picking",
    "sorter": "sorting",
    "packer": "packing",
    "shipper": "dispatch",
}
_PACE = {"picking": 95, "sorting": 160, "packing": 70, "dispatch": 120}  # scans an hour
_CARRIERS = ("UPS", "DHL Express", "Deutsche Post", "Royal Mail")


def busy_day(session: Session, hours: int = 9, seed: int = 7) -> int:
    """Write up to `hours` of the day's work before now (never before local midnight), put a
    few open orders past or near their ship-by, and return how many hours were written."""
    rng = random.Random(seed)
    now = clock.now()
    midnight = local_moment(now.astimezone().date(), time())  # the offset in force then
    start = max(midnight, now - timedelta(hours=hours))
    span = (now - start).total_seconds() / 3600
    if span <= 0:
        return 0
    # The shipped history when there is one, else any order: the figures are what matter.
    history = (
        session.scalars(
            select(Order.id)
            .where(Order.status == OrderStatus.DELIVERED.value)
            .order_by(Order.id.desc())
            .limit(3000)
        ).all()
        or session.scalars(select(Order.id).order_by(Order.id)).all()
    )
    line_of = dict(
        session.execute(
            select(OrderLine.order_id, OrderLine.id).where(OrderLine.order_id.in_(history))
        ).all()
    )
    operators = session.execute(select(Operator.id, Operator.role)).all()
    slot = session.scalar(select(WallSlot.id).limit(1))

    def moment(hour: float) -> datetime:
        return start + timedelta(hours=min(hour + rng.random(), span - 0.01))

    events: list[dict[str, Any]] = []
    puts: list[dict[str, Any]] = []
    scans: list[dict[str, Any]] = []
    packs: list[tuple[int, datetime, bool]] = []
    orders = cycle(history)
    lists: list[tuple[datetime, list[int]]] = []
    for hour in range(int(span) + 1):
        share = min(span - hour, 1.0)  # the hour under way is not over
        ramp = 0.7 + 0.3 * min(hour, 3) / 3  # the morning starts slowly
        for _ in range(int(rng.randint(38, 52) * share * ramp)):
            order_id = next(orders, None)
            if order_id is None:
                break
            picked = moment(hour - 0.5 if hour else 0)
            events.append(_event(order_id, "picked", picked))
            if not lists or lists[-1][0] != picked.replace(minute=0, second=0, microsecond=0):
                lists.append((picked.replace(minute=0, second=0, microsecond=0), []))
            if order_id in line_of:
                lists[-1][1].append(line_of[order_id])
            if order_id in line_of and slot is not None and rng.random() < 0.4:
                puts.append(
                    {
                        "slot_id": slot,
                        "order_line_id": line_of[order_id],
                        "units": rng.randint(1, 3),
                        "at": moment(hour),
                    }
                )
            packed = moment(hour)
            events.append(_event(order_id, "packed", packed))
            packs.append((order_id, packed, rng.random() < 0.55))
        for operator_id, role in operators:
            stage = _STAGE_OF_ROLE.get(role)
            if stage is None:
                continue
            for _ in range(int(_PACE[stage] * share * rng.uniform(0.8, 1.2))):
                scans.append(_scan(rng, operator_id, stage, moment(hour)))
    _write_cartons(session, rng, packs)
    _write_pick_lists(session, rng, lists, now)
    if events:
        session.execute(insert(OrderEvent), events)
    if puts:
        session.execute(insert(SortPut), puts)
    if scans:
        session.execute(insert(ScanRecord), scans)
    session.add(
        PrintRecord(
            created_at=now - timedelta(minutes=40),
            layout="shipping_label_4x6",
            data="{}",
            printer="Zebra bench 2",
            outcome="failed",
            message="printer did not answer",
        )
    )
    _cutoffs(session, now)
    oldest = session.scalar(
        select(WallSlot.id).where(WallSlot.status == "COMPLETE").order_by(WallSlot.id).limit(1)
    )
    if oldest is not None:  # a slot forgotten at the wall for a while
        session.execute(
            update(WallSlot)
            .where(WallSlot.id == oldest)
            .values(completed_at=now - timedelta(minutes=38))
        )
    return int(span) + 1


def _event(order_id: int, kind: str, at: datetime) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "at": at,
        "kind": kind,
        "from_status": None,
        "to_status": None,
        "operator_id": None,
        "station": "demo day",
        "detail": "",
    }


def _scan(rng: random.Random, operator_id: int, stage: str, at: datetime) -> dict[str, Any]:
    refusal = None
    draw = rng.random() * 1000
    for where, kind, per_1000 in _REFUSALS:
        if where != stage:
            continue
        if draw < per_1000:
            refusal = kind
            break
        draw -= per_1000
    return {
        "at": at,
        "operator_id": operator_id,
        "station": f"demo {stage}",
        "stage": stage,
        "scan_kind": "tracking" if stage == "dispatch" else "product",
        "outcome": "refused" if refusal else "ok",
        "refusal": refusal,
        "code": "",
        "subject": "",
        "message": "",
    }


def _write_cartons(
    session: Session, rng: random.Random, packs: list[tuple[int, datetime, bool]]
) -> None:
    """A carton per packed order, closed when it was packed; most loaded within the hour."""
    if not packs:
        return
    jobs = session.scalars(
        insert(PackJob).returning(PackJob.id, sort_by_parameter_order=True),
        [
            {"order_id": order_id, "status": "DONE", "started_at": at, "finished_at": at}
            for order_id, at, _ in packs
        ],
    ).all()
    now = clock.now()
    cartons = []
    shipped = []
    for job, (order_id, at, loaded) in zip(jobs, packs, strict=True):
        loaded_at = at + timedelta(minutes=rng.randint(10, 50)) if loaded else None
        if loaded_at and loaded_at + timedelta(minutes=20) < now:
            shipped.append(_event(order_id, "shipped", loaded_at + timedelta(minutes=20)))
        cartons.append(
            {
                "order_id": order_id,
                "pack_job_id": job,
                "seq": 1000 + job,  # beside the order's real cartons
                "status": "SHIPPED",
                "carrier": rng.choice(_CARRIERS),
                "opened_at": at,
                "closed_at": at,
                "loaded_at": loaded_at if loaded_at and loaded_at < now else None,
            }
        )
    session.execute(insert(Carton), cartons)
    if shipped:
        session.execute(insert(OrderEvent), shipped)


def _write_pick_lists(
    session: Session, rng: random.Random, lists: list[tuple[datetime, list[int]]], now: datetime
) -> None:
    """Pick lists done through the day, a stop per order line, every unit picked."""
    stock = session.execute(select(Stock.id, Stock.location_id, Stock.product_id).limit(1)).first()
    if stock is None or not lists:
        return
    wave = Wave(code=f"DAY-{now:%Y%m%d%H%M%S}", mode="single", released_at=lists[0][0])
    session.add(wave)
    session.flush()
    for n, (hour, lines) in enumerate(lists):
        if not lines:
            continue
        done = min(hour + timedelta(minutes=rng.randint(5, 55)), now - timedelta(seconds=1))
        pick_list = PickList(
            code=f"{wave.code}-{n}",
            wave_id=wave.id,
            mode="single",
            status="DONE",
            claimed_at=hour,
            done_at=done,
        )
        session.add(pick_list)
        session.flush()
        stops = session.scalars(
            insert(PickStop).returning(PickStop.id, sort_by_parameter_order=True),
            [
                {
                    "pick_list_id": pick_list.id,
                    "seq": seq,
                    "location_id": stock.location_id,
                    "product_id": stock.product_id,
                    "stock_id": stock.id,
                    "quantity": 1,
                    "picked": 1,
                    "status": "DONE",
                }
                for seq in range(1, len(lines) + 1)
            ],
        ).all()
        session.execute(
            insert(PickTask),
            [
                {"stop_id": stop, "order_line_id": line, "quantity": 1, "picked": 1, "placed": 1}
                for stop, line in zip(stops, lines, strict=True)
            ],
        )


def _cutoffs(session: Session, now: datetime) -> None:
    """A few open orders past their ship-by (late) and a few due within the hour (at risk)."""
    for status, late, risky in (
        (OrderStatus.RELEASED, 3, 5),
        (OrderStatus.READY, 2, 6),
        (OrderStatus.ON_HOLD, 1, 2),
        (OrderStatus.PICKED, 0, 2),
    ):
        ids = session.scalars(
            select(Order.id).where(Order.status == status.value).order_by(Order.id).limit(8)
        ).all()
        for i, order_id in enumerate(ids[: late + risky]):
            ship_by = (
                now - timedelta(minutes=20 + 15 * i)
                if i < late
                else now + timedelta(minutes=25 + 10 * i)
            )
            session.execute(update(Order).where(Order.id == order_id).values(ship_by=ship_by))

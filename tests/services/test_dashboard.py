"""The supervisor's dashboard from a small floor built by hand, on both databases, the clock
frozen on a Tuesday at 14:30 in Zürich: every figure is worked out in the comments."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.floor_models import ScanRecord
from app.db.models import Order, OrderEvent, OrderLine, OutboxMessage, PrintRecord, Stock
from app.db.packing_models import Carton, PackJob
from app.db.picking_models import PickList, PickStop, PickTask, Wave
from app.db.putwall_models import PutWall, SortPut, WallSlot
from app.domain.carriers import CarrierBook
from app.domain.dispatch import PickupSchedule
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import NotAllowed
from app.services.floor.dashboard import FloorSnapshot, floor_snapshot
from app.services.intake.receiving import import_orders
from app.services.masterdata.operators import add_operator
from app.services.packing.carriers import carrier_book
from tests.services.floor import SUPERVISOR, load_floor, write_orders

# Zürich is UTC+1 in March; the day is Tuesday 10 March 2026, local midnight 23:00 UTC.
MIDNIGHT = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)


def at(hh_mm: str) -> datetime:
    """A local time of the day (a negative hour: yesterday evening)."""
    hours, minutes = hh_mm.split(":")
    return MIDNIGHT + timedelta(hours=int(hours), minutes=int(minutes))


NOW = at("14:30")
# The trucks: UPS at 16:30, DHL Express at 18:00 (the other carriers come on no day).
PICKUPS = {"UPS": {"tue": "16:30"}, "DHL Express": {"tue": "18:00"}}

# number: (status, ship_by)
ORDERS: dict[str, tuple[str, str | None]] = {
    "#1": ("RECEIVED", "13:00"),  # late; due by the pickup
    "#2": ("ON_HOLD", "16:00"),  # at risk (before 16:30, two hours from now); due
    "#3": ("READY", "18:00"),  # neither; after the pickup
    "#4": ("READY", None),  # no ship-by: never late, never due
    "#5": ("RELEASED", "16:30"),  # not at risk (the window ends at 16:30); due (at the pickup)
    "#6": ("PICKED", "12:00"),  # late; due; its slot filling
    "#7": ("SORTED", "15:00"),  # at risk; due; its slot complete at 12:40
    "#17": ("SORTED", None),  # its slot complete at 12:10: the oldest waiting
    "#8": ("PACKED", "15:00"),  # at risk; a carton waiting for UPS; packed at 12:00
    "#9": ("PACKED", "14:00"),  # late; its carton on the DHL truck: the "loaded" stage
    "#15": ("PACKED", None),  # two cartons waiting for UPS; packed at 13:45
    "#16": ("PACKED", "18:00"),  # a carton waiting for DHL Express; packed at 14:10
    "#10": ("SHIPPED", "12:00"),  # shipped at 10:00: on time
    "#11": ("SHIPPED", "10:00"),  # shipped at 11:00: late
    "#12": ("SHIPPED", "12:00"),  # shipped yesterday: not today's
    "#13": ("SHORT", "16:00"),  # a short for the supervisor
    "#14": ("EXCEPTION", None),  # set aside in problem tote P001
}
# order: (carton status, carrier, closed, loaded)
CARTONS = [
    ("#8", "CLOSED", "UPS", "12:00", None),
    ("#9", "LOADED", "DHL Express", "12:30", "14:20"),
    ("#15", "CLOSED", "UPS", "13:40", None),
    ("#15", "CLOSED", "UPS", "13:45", None),
    ("#16", "CLOSED", "DHL Express", "14:10", None),
    ("#14", "VOID", "UPS", "13:00", None),  # set aside: not a carton packed
]
# (order, kind, at)
EVENTS = [
    ("#6", "picked", "09:10"),
    ("#7", "picked", "09:50"),
    ("#8", "picked", "10:20"),
    ("#9", "picked", "-1:50"),  # yesterday
    ("#8", "packed", "12:00"),
    ("#15", "packed", "13:45"),  # in the last hour (from 13:30)
    ("#16", "packed", "14:10"),  # in the last hour
    ("#10", "shipped", "10:00"),
    ("#11", "shipped", "11:00"),
    ("#12", "shipped", "-1:30"),  # yesterday
]
# (operator, at, scan kind, outcome, refusal)
SCANS = [
    ("Pia", "09:00", "product", "ok", None),
    ("Pia", "09:30", "location", "refused", "wrong_location"),
    ("Pia", "10:00", "product", "ok", None),
    ("Pia", "11:00", "location", "ok", None),  # a location is not a unit
    ("Sam", "11:00", "product", "ok", None),
    ("Sam", "11:15", "product", "ok", None),
    ("Sam", "11:20", "slot", "refused", "wrong_slot"),
    ("Sam", "11:30", "product", "refused", "over_pick"),
    ("Sam", "12:00", "product", "ok", None),
    (None, "12:30", "unknown", "refused", "unknown_code"),  # nobody logged in
    ("Pia", "-1:00", "product", "refused", "wrong_item"),  # yesterday
]


@pytest.fixture
def zurich(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Zurich")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def book() -> CarrierBook:
    """The shipped carrier book with the test's pickup times and no others."""
    shipped = carrier_book()
    carriers = tuple(
        replace(c, pickup=PickupSchedule.parse(PICKUPS.get(c.name, {}), c.name))
        for c in shipped.carriers
    )
    return replace(shipped, carriers=carriers)


@pytest.fixture
def floor(db: Database, tmp_path: Path, zurich: None) -> Iterator[Database]:
    # A timestamp, not an aware datetime: time-machine would set the zone to UTC.
    with time_machine.travel(NOW.timestamp(), tick=False):
        load_floor(db)
        path = write_orders(tmp_path / "floor.csv", {n: [("MUG-BLUE", 1)] for n in ORDERS})
        import_orders(db.sessions, SUPERVISOR, path, "csv")
        with unit_of_work(db.sessions) as session:
            _build(session)
        yield db


def _build(session: Session) -> None:
    orders = {o.number: o for o in session.scalars(select(Order))}
    for number, (status, ship_by) in ORDERS.items():
        orders[number].status = status
        orders[number].ship_by = at(ship_by) if ship_by else None
    operators = {
        name: add_operator(session, SUPERVISOR, badge, name, role, "1234").id
        for name, badge, role in (("Pia", "OP-1501", Role.PICKER), ("Sam", "OP-2501", Role.SORTER))
    }
    for number, kind, moment in EVENTS:
        session.add(OrderEvent(order_id=orders[number].id, at=at(moment), kind=kind))
    jobs = {}
    for number in ("#8", "#9", "#14", "#15", "#16"):
        exception = number == "#14"
        jobs[number] = PackJob(
            order_id=orders[number].id,
            status="EXCEPTION" if exception else "DONE",
            problem_tote="P001" if exception else None,
        )
        session.add(jobs[number])
    session.flush()
    for seq, (number, status, carrier, closed, loaded) in enumerate(CARTONS, start=1):
        session.add(
            Carton(
                order_id=orders[number].id,
                pack_job_id=jobs[number].id,
                seq=seq,
                status=status,
                carrier=carrier,
                closed_at=at(closed),
                loaded_at=at(loaded) if loaded else None,
            )
        )
    # One pick list done at 09:55: #6 and #7 picked complete, #8 one unit short of two.
    stock = session.scalars(select(Stock)).first()
    assert stock is not None
    wave = Wave(code="W-T", mode="single", released_at=at("08:00"))
    session.add(wave)
    session.flush()
    pick_list = PickList(
        code="PL-T", wave_id=wave.id, mode="single", status="DONE", done_at=at("09:55")
    )
    session.add(pick_list)
    session.flush()
    for seq, (number, quantity, picked) in enumerate(
        (("#6", 1, 1), ("#7", 1, 1), ("#8", 2, 1)), start=1
    ):
        line = session.scalars(
            select(OrderLine).where(OrderLine.order_id == orders[number].id)
        ).one()
        stop = PickStop(
            pick_list_id=pick_list.id,
            seq=seq,
            location_id=stock.location_id,
            product_id=stock.product_id,
            stock_id=stock.id,
            quantity=quantity,
            picked=picked,
            status="DONE",
        )
        session.add(stop)
        session.flush()
        session.add(
            PickTask(stop_id=stop.id, order_line_id=line.id, quantity=quantity, picked=picked)
        )
    wall = PutWall(code="WT", rows=1, cols=3)
    session.add(wall)
    session.flush()
    slots = [
        WallSlot(wall_id=wall.id, row=1, col=1, code="WT-1", status="FILLING"),
        WallSlot(wall_id=wall.id, row=1, col=2, code="WT-2", status="COMPLETE"),
        WallSlot(wall_id=wall.id, row=1, col=3, code="WT-3", status="COMPLETE"),
    ]
    for slot, number, complete in zip(
        slots, ("#6", "#7", "#17"), (None, "12:40", "12:10"), strict=True
    ):
        slot.order_id = orders[number].id
        slot.completed_at = at(complete) if complete else None
        session.add(slot)
    session.flush()
    line_of = {
        n: session.scalars(select(OrderLine.id).where(OrderLine.order_id == orders[n].id)).one()
        for n in ("#6", "#7")
    }
    for slot, number, units, moment in (
        (slots[0], "#6", 3, "11:15"),
        (slots[1], "#7", 2, "11:40"),
        (slots[1], "#7", 1, "12:05"),
        (slots[1], "#7", 4, "-1:10"),  # yesterday
    ):
        session.add(
            SortPut(slot_id=slot.id, order_line_id=line_of[number], units=units, at=at(moment))
        )
    for who, moment, kind, outcome, refusal in SCANS:
        session.add(
            ScanRecord(
                at=at(moment),
                operator_id=operators[who] if who else None,
                station="test",
                stage="picking",
                scan_kind=kind,
                outcome=outcome,
                refusal=refusal,
                code="x",
            )
        )
    for outcome, moment in (("failed", "10:00"), ("ok", "10:05"), ("failed", "-2:00")):
        session.add(
            PrintRecord(
                created_at=at(moment), layout="label", data="{}", printer="pdf", outcome=outcome
            )
        )
    for status, key in (("failed", "a"), ("pending", "b"), ("sent", "c")):
        session.add(
            OutboxMessage(
                kind="shipped",
                dedupe_key=key,
                recipient="x@example.com",
                subject="s",
                body="b",
                status=status,
            )
        )


def snapshot(db: Database) -> FloorSnapshot:
    with time_machine.travel(NOW.timestamp(), tick=False), db.sessions() as session:
        return floor_snapshot(session, SUPERVISOR, book())


def test_counts_by_stage_with_late_and_at_risk(floor: Database) -> None:
    figures = snapshot(floor)
    assert [(s.stage, s.count, s.late, s.at_risk) for s in figures.stages] == [
        ("received", 1, 1, 0),  # #1
        ("held", 1, 0, 1),  # #2
        ("ready", 2, 0, 0),  # #3 #4
        ("released", 1, 0, 0),  # #5 (due at 16:30: the window's end is not in it)
        ("picked", 1, 1, 0),  # #6
        ("sorted", 2, 0, 1),  # #7 #17
        ("packed", 3, 0, 1),  # #8 #15 #16 (#9 is on a truck)
        ("loaded", 1, 1, 0),  # #9
        ("shipped", 2, 1, 0),  # #10 on time, #11 late (#12 yesterday)
    ]
    assert figures.shorts == 1 and figures.problem_totes == 1


def test_the_forecast_for_the_next_pickup(floor: Database) -> None:
    forecast = snapshot(floor).forecast
    assert forecast.pickup_at == at("16:30") and forecast.carriers == ("UPS",)
    # Not yet packed and due by 16:30: #1 #2 #5 #6 #7 -> 5. Packed since 13:30: #15 #16 -> 2
    # an hour; 2 h to the truck -> 4 more; 5 - 4 = 1 will miss it.
    assert (forecast.due, forecast.packed_last_hour, forecast.can_pack) == (5, 2, 4)
    assert forecast.will_miss == 1
    assert forecast.sentence(NOW) == (
        "Next pickup 16:30 (UPS): 5 to pack by then; at 2 packed in the last hour, 1 will miss it."
    )


def test_throughput_per_local_hour(floor: Database) -> None:
    hourly = snapshot(floor).hourly
    assert [h.hour for h in hourly.hours] == list(range(15))  # 00:00 to the 14:00 hour so far
    assert hourly.hours[0] == at("00:00")

    def by_hour(values: tuple[int, ...]) -> dict[int, int]:
        return {hour: n for hour, n in enumerate(values) if n}

    assert by_hour(hourly.orders_picked) == {9: 2, 10: 1}  # #6 #7, #8 (#9 yesterday)
    assert by_hour(hourly.lines_picked) == {9: 2}  # PL-T at 09:55: #8's line was short
    assert by_hour(hourly.units_sorted) == {11: 5, 12: 1}  # 3 + 2, then 1 (4 yesterday)
    assert by_hour(hourly.cartons_packed) == {12: 2, 13: 2, 14: 1}  # the void one not
    assert by_hour(hourly.cartons_loaded) == {14: 1}


def test_refusals_per_thousand_scans_and_per_operator(floor: Database) -> None:
    figures = snapshot(floor)
    # 10 scans today (yesterday's not), 4 refused: 1 each of four kinds -> 100 per 1,000.
    assert figures.scans == 10
    refused = dict(figures.refused_by_kind)
    assert {k: n for k, n in refused.items() if n} == {
        "wrong_location": 1,
        "wrong_slot": 1,
        "over_pick": 1,
        "unknown_code": 1,
    }
    assert list(refused)[:7] == [
        "wrong_location",
        "wrong_item",
        "wrong_tote",
        "wrong_slot",
        "wrong_carrier",
        "over_pick",
        "weight_out_of_tolerance",
    ]
    assert figures.refused_per_1000("wrong_slot") == 100.0
    assert figures.refused_per_1000("wrong_item") == 0.0
    # Sam: 3 products taken from 11:00 to 12:00 -> 3.0 an hour, 2 refused of 5 scans.
    # Pia: 2 products (a location is no unit) from 09:00 to 11:00 -> 1.0 an hour, 1 refused.
    assert [(o.name, o.units, o.scans, o.refused, o.units_per_hour) for o in figures.operators] == [
        ("Sam", 3, 5, 2, 3.0),
        ("Pia", 2, 4, 1, 1.0),
    ]


def test_waiting_slots_dock_prints_and_messages(floor: Database) -> None:
    figures = snapshot(floor)
    assert figures.oldest_slot is not None
    assert (figures.oldest_slot.slot, figures.oldest_slot.order) == ("WT-3", "#17")
    assert figures.oldest_slot.completed_at == at("12:10")
    # Closed cartons of packed orders: UPS #8 and #15's two; DHL #16 (#9's is on the truck).
    assert [(d.carrier, d.cartons, d.pickup_at) for d in figures.dock] == [
        ("UPS", 3, at("16:30")),
        ("DHL Express", 1, at("18:00")),
    ]
    assert figures.print_failures == 1  # today's (yesterday's not)
    assert figures.messages_failed == 1


def test_only_a_supervisor_reads_the_dashboard(floor: Database) -> None:
    picker = Actor(operator_id=None, name="Pia", role=Role.PICKER, station="cart 1")
    with floor.sessions() as session, pytest.raises(NotAllowed):
        floor_snapshot(session, picker, book())


def test_no_pickup_booked_forecasts_nothing(floor: Database) -> None:
    with time_machine.travel(NOW.timestamp(), tick=False), floor.sessions() as session:
        empty = replace(book(), carriers=())
        forecast = floor_snapshot(session, SUPERVISOR, empty).forecast
    assert forecast.pickup_at is None and forecast.will_miss == 0
    assert forecast.sentence(NOW) == "No pickup is booked in the carrier book."


@pytest.mark.parametrize(
    ("now", "midnight"),
    [
        # Summer time starts at 02:00 on Sunday 29 March 2026: midnight was still UTC+1.
        (datetime(2026, 3, 29, 12, 30, tzinfo=UTC), datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
        # Summer time ends at 03:00 on Sunday 25 October 2026: midnight was still UTC+2.
        (datetime(2026, 10, 25, 13, 30, tzinfo=UTC), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
    ],
    ids=["summer-time-starts", "summer-time-ends"],
)
def test_the_day_starts_at_local_midnight_on_the_days_the_clocks_change(
    db: Database, zurich: None, now: datetime, midnight: datetime
) -> None:
    # One scan and one order shipped half an hour either side of local midnight.
    with time_machine.travel(now.timestamp(), tick=False):
        load_floor(db)
        with unit_of_work(db.sessions) as session:
            order = Order(
                number="#DST",
                source="test",
                status="SHIPPED",
                received_at=midnight - timedelta(hours=5),
            )
            session.add(order)
            session.flush()
            for moment in (midnight - timedelta(minutes=30), midnight + timedelta(minutes=30)):
                session.add(OrderEvent(order_id=order.id, at=moment, kind="shipped"))
                session.add(
                    ScanRecord(
                        at=moment,
                        station="test",
                        stage="picking",
                        scan_kind="product",
                        outcome="ok",
                        code="x",
                    )
                )
        with db.sessions() as session:
            figures = floor_snapshot(session, SUPERVISOR, book())
    assert figures.scans == 1 and figures.stage("shipped").count == 1  # yesterday's not
    hours = [h.hour for h in figures.hourly.hours]
    assert hours[0] == 0 and hours[-1] == now.astimezone().hour  # 00:00 to the hour under way
    assert len(hours) == math.ceil((now - midnight).total_seconds() / 3600)
    assert figures.day_start == midnight

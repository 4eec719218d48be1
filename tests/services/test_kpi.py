"""The floor's KPIs from a small day built by hand, on both databases, with the clock frozen:
every figure is worked out in the comments from the rows below."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.floor_models import ScanRecord
from app.db.models import Order, OrderEvent, OrderLine, Stock
from app.db.picking_models import PickList, PickStop, PickTask, Wave
from app.services.floor.kpi import floor_kpis, percentile
from app.services.intake.receiving import import_orders
from tests.services.floor import SUPERVISOR, load_floor, write_orders

DAY = datetime(2026, 3, 10, tzinfo=UTC)  # a Tuesday; the window is 08:00-18:00 UTC


def at(hh_mm: str) -> datetime:
    hours, minutes = hh_mm.split(":")
    return DAY + timedelta(hours=int(hours), minutes=int(minutes))


START, END = at("08:00"), at("18:00")

# number: (received, ship_by, shipped)
ORDERS = {
    "#1": ("07:00", "12:00", "10:00"),  # received before the window; on time; 180 min
    "#2": ("08:30", "11:00", "12:30"),  # late; 240 min; set aside at packing once
    "#3": ("09:00", None, "10:00"),  # no ship-by: not rated on time; 60 min
    "#4": ("09:30", "17:00", "16:30"),  # on time; 420 min; a wrong item scanned at packing
    "#5": ("10:00", "20:00", "19:00"),  # shipped after the window; weight flagged
    "#6": ("17:59", None, None),  # received in the window's last minute
    "#7": ("18:00", None, None),  # received at the window's end: not in it
}
LINES = {
    "#1": [("MUG-BLUE", 1)],
    "#2": [("MUG-BLUE", 2)],
    "#3": [("SOCK-ZOE", 1)],
    "#4": [("TEA-EARL", 3)],
    "#5": [("MUG-BLUE", 1), ("TEA-EARL", 2)],
    "#6": [("SOCK-ZOE", 1)],
    "#7": [("SOCK-ZOE", 1)],
}
# code: (claimed, done, [(order, line_no, quantity, picked), ...]); a line on two stops of a
# list is listed twice.
PICK_LISTS = {
    # 1.5 h held: #2 and #3 complete, #4 short (1 of 3): 2 lines.
    "PL-A": ("08:00", "09:30", [("#2", 1, 2, 2), ("#3", 1, 1, 1), ("#4", 1, 3, 1)]),
    # 0.5 h held: #5 line 1 complete; line 2 picked 1 + 1 at two stops, complete: 2 lines.
    "PL-B": ("10:00", "10:30", [("#5", 1, 1, 1), ("#5", 2, 1, 1), ("#5", 2, 1, 1)]),
    # Done after the window: not counted.
    "PL-C": ("17:30", "18:30", [("#6", 1, 1, 1)]),
}
# (at, stage, outcome, refusal, subject)
SCANS = [
    ("07:59", "picking", "refused", "wrong_tote", "PL-A"),  # before the window
    ("08:10", "picking", "ok", None, "PL-A"),
    ("08:11", "picking", "refused", "wrong_location", "PL-A"),
    ("08:12", "picking", "ok", None, "PL-A"),
    ("09:00", "packing", "refused", "wrong_item", "#4"),  # a picking error in #4
    ("09:01", "packing", "refused", "not_expected", "#1"),  # a scan of the wrong kind: no error
    ("09:02", "packing", "refused", "over_pick", "#5"),  # #5 is not shipped in the window
    ("09:03", "packing", "ok", None, "#1"),
    ("18:00", "sorting", "refused", "wrong_slot", "W1"),  # at the window's end: not in it
]


@pytest.fixture
def day(db: Database, tmp_path: Path) -> Iterator[Database]:
    # A timestamp, not an aware datetime: time-machine would set the zone to UTC.
    with time_machine.travel(at("20:00").timestamp(), tick=False):
        load_floor(db)
        path = write_orders(tmp_path / "day.csv", LINES)
        import_orders(db.sessions, SUPERVISOR, path, "csv")
        with unit_of_work(db.sessions) as session:
            _build(session)
        yield db


def _build(session: Session) -> None:
    orders = {o.number: o for o in session.scalars(select(Order))}
    for number, (received, ship_by, shipped) in ORDERS.items():
        order = orders[number]
        order.received_at = at(received)
        order.ship_by = at(ship_by) if ship_by else None
        if shipped:
            order.status = "SHIPPED"
            session.add(OrderEvent(order_id=order.id, at=at(shipped), kind="shipped"))
    session.add(OrderEvent(order_id=orders["#2"].id, at=at("11:00"), kind="pack_exception"))
    session.add(OrderEvent(order_id=orders["#5"].id, at=at("11:00"), kind="weight_flagged"))
    stock = session.scalars(select(Stock)).first()
    assert stock is not None
    wave = Wave(code="W-DAY", mode="single", released_at=at("07:30"))
    session.add(wave)
    session.flush()
    for code, (claimed, done, tasks) in PICK_LISTS.items():
        pick_list = PickList(
            code=code,
            wave_id=wave.id,
            mode="single",
            status="DONE",
            claimed_at=at(claimed),
            done_at=at(done),
        )
        session.add(pick_list)
        session.flush()
        for seq, (number, line_no, quantity, picked) in enumerate(tasks, start=1):
            line = session.scalars(
                select(OrderLine).where(
                    OrderLine.order_id == orders[number].id, OrderLine.line_no == line_no
                )
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
                PickTask(
                    stop_id=stop.id,
                    order_line_id=line.id,
                    quantity=quantity,
                    picked=picked,
                    placed=picked,
                )
            )
    for moment, stage, outcome, refusal, subject in SCANS:
        session.add(
            ScanRecord(
                at=at(moment),
                station="test",
                stage=stage,
                scan_kind="product",
                outcome=outcome,
                refusal=refusal,
                code="x",
                subject=subject,
            )
        )


EXPECTED = {
    # #2 #3 #4 #5 #6 (#1 before, #7 at the end)
    "orders_received": 5,
    # #1 #2 #3 #4 (#5 after the window)
    "orders_shipped": 4,
    # ship-by known for #1 #2 #4; #1 and #4 on time: 2 / 3
    "shipped_with_ship_by": 3,
    "shipped_on_time": 2,
    "on_time_ship_rate": 0.6667,
    # minutes 180, 240, 60, 420 -> sorted 60, 180, 240, 420; nearest rank: p50 is the
    # ceil(0.5 * 4) = 2nd (180), p90 the ceil(0.9 * 4) = 4th (420)
    "order_cycle_time_p50_min": 180.0,
    "order_cycle_time_p90_min": 420.0,
    # PL-A: 2 lines in 1.5 h, PL-B: 2 lines in 0.5 h -> 4 lines / 2 h
    "lines_picked": 4,
    "picker_hours": 2.0,
    "lines_picked_per_hour": 2.0,
    # 7 journal rows in the window, 4 of them refused: 4000 / 7 = 571.4 per 1,000
    "scans": 7,
    "refused_scans_total": 4,
    "refused_per_1000_scans": 571.4,
    # #2 set aside, #4 a wrong item at packing; #1 and #3 accurate: 2 / 4
    "orders_with_packing_errors": 2,
    "picking_accuracy": 0.5,
}
REFUSED = {"wrong_location": 1, "wrong_item": 1, "not_expected": 1, "over_pick": 1}


def test_the_figures_of_a_hand_built_day(day: Database) -> None:
    with day.sessions() as session:
        figures = floor_kpis(session, START, END).as_dict()
    assert {k: figures[k] for k in EXPECTED} == EXPECTED
    refused = figures["refused_scans"]
    assert isinstance(refused, dict)
    assert {kind: n for kind, n in refused.items() if n} == REFUSED
    assert "weight_out_of_tolerance" in refused and refused["wrong_slot"] == 0


def test_an_empty_window_rates_nothing(day: Database) -> None:
    with day.sessions() as session:
        figures = floor_kpis(session, at("21:00"), at("22:00"))
    assert figures.orders_shipped == 0 and figures.on_time_ship_rate is None
    assert figures.order_cycle_time_p50_min is None and figures.lines_picked_per_hour is None
    assert figures.picking_accuracy is None and figures.refused_per_1000_scans is None


def test_nearest_rank_percentiles() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0  # ceil(2) = the 2nd
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0  # ceil(9) = the 9th


@pytest.fixture
def zurich(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The warehouse in Zürich: local time is UTC+1 in March."""
    monkeypatch.setenv("TZ", "Europe/Zurich")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_baton_kpi_json_reads_local_times(
    day: Database, zurich: None, capsys: pytest.CaptureFixture[str]
) -> None:
    url = day.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    # 09:00 and 19:00 in Zürich are the window's 08:00 and 18:00 UTC.
    code = main(
        [
            "--database",
            url,
            "kpi",
            "--from",
            "2026-03-10T09:00",
            "--to",
            "2026-03-10T19:00",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    figures = json.loads(out)
    assert {k: figures[k] for k in EXPECTED} == EXPECTED
    assert figures["from"] == "2026-03-10T09:00:00+01:00"
    # A date is a whole local day: 2026-03-09T23:00Z to 2026-03-10T23:00Z; every order
    # arrived in it and #5 shipped at 19:00Z too.
    code = main(["--database", url, "kpi", "--from", "2026-03-10", "--to", "2026-03-10", "--json"])
    whole_day = json.loads(capsys.readouterr().out)
    assert code == 0 and (whole_day["from"], whole_day["to"]) == (
        "2026-03-10T00:00:00+01:00",
        "2026-03-11T00:00:00+01:00",
    )
    assert (whole_day["orders_received"], whole_day["orders_shipped"]) == (7, 5)
    # Plain: a table with the figures' short names.
    code = main(
        ["--database", url, "kpi", "--from", "2026-03-10T09:00", "--to", "2026-03-10T19:00"]
    )
    plain = capsys.readouterr().out
    assert code == 0
    assert "on-time shipments      66.7 %" in plain and "picking accuracy       50.0 %" in plain
    assert "  wrong location" in plain and "571.4 per 1,000" in plain

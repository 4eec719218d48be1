"""`baton simulate`: a small day at a high error rate, on a fixed date (a Wednesday), so that
nothing depends on the day the suite runs.

Every kind of mistake is made; the scans catch every one they can see, and what escapes is only
what a scan cannot see (what physically goes into a carton, when the weight difference is
inside the scale's tolerance). The same seed plays the same day, and `baton kpi` over the
day's window says what the simulation reported.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.models import Order, Product
from app.services.simulation.day import play_day
from app.services.simulation.mistakes import IN_THE_CARTON, SCAN_CHECKED, Mistake
from app.services.simulation.plan import DayPlan, SimulationRefused, first_free_day
from tests.conftest import NO_POSTGRES, POSTGRES_URL, postgres_schema_url
from tests.services.floor import load_floor

DAY = date(2030, 3, 6)  # a Wednesday, far from any change of summer time
ORDERS, ERROR_RATE, SEED = 20, 0.4, 3
ARGS = [
    "--orders", str(ORDERS), "--error-rate", str(ERROR_RATE), "--seed", str(SEED),
    "--date", DAY.isoformat(),
]  # fmt: skip
HOW = {
    Mistake.WRONG_LOCATION: "refused_scan",
    Mistake.WRONG_ITEM: "refused_scan",
    Mistake.WRONG_TOTE: "refused_scan",
    Mistake.WRONG_SLOT: "refused_scan",
    Mistake.WRONG_DOOR: "door_check",
}


@dataclass(frozen=True)
class Played:
    url: str
    report: dict[str, Any]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(list(args)) == 0, capsys.readouterr().err
    return dict(json.loads(capsys.readouterr().out))


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    """The day played once through the command line, on an empty SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('simulate') / 'day.sqlite3'}"
    out = io.StringIO()  # a module's fixture has no capsys
    with contextlib.redirect_stdout(out):
        assert main(["simulate", "--database", url, *ARGS, "--json"]) == 0
    yield Played(url, json.loads(out.getvalue()))


@pytest.mark.slow
def test_every_mistake_is_made_and_the_scans_catch_all_they_can_see(played: Played) -> None:
    mistakes = played.report["mistakes"]
    for kind in Mistake:
        assert mistakes["injected"][kind.value] >= 1, kind
    for kind in SCAN_CHECKED:
        injected = mistakes["injected"][kind.value]
        assert mistakes["caught"][kind.value] == {HOW[kind]: injected}, kind
        assert mistakes["escaped"][kind.value] == 0, kind
    assert played.report["work"]["unexplained_refusals"] == []


@pytest.mark.slow
def test_only_what_goes_into_a_carton_escapes_and_only_inside_the_tolerance(
    played: Played,
) -> None:
    mistakes = played.report["mistakes"]
    for kind in IN_THE_CARTON:
        caught = mistakes["caught"][kind.value]
        assert set(caught) <= {"weight_check"}, kind
        total = sum(caught.values()) + mistakes["escaped"][kind.value]
        assert mistakes["open_at_day_end"][kind.value] == 0, kind  # every order shipped
        assert total == mistakes["injected"][kind.value], kind
    assert mistakes["escaped_total"] == len(mistakes["escapes"]) > 0
    for escape in mistakes["escapes"]:
        assert Mistake(escape["kind"]) in IN_THE_CARTON
        # Inside the scale's tolerance, give or take the scale's own noise (10 g).
        assert abs(escape["off_g"]) <= escape["tolerance_g"] + 10
    # The scale caught some: the cartons it refused were opened and weighed again.
    assert played.report["work"]["cartons_weighed_out_of_tolerance"] >= 1


@pytest.mark.slow
def test_the_day_ships_its_orders_and_reports_the_kpis_baton_kpi_reads(
    played: Played, capsys: pytest.CaptureFixture[str]
) -> None:
    report = played.report
    orders = report["orders"]
    assert orders["placed"] == orders["received"] == ORDERS
    assert orders["shipped"] >= orders["due_today_shipped"] >= orders["shipped_by_cutoff"] > 0
    kpi = _run(
        capsys, "kpi", "--database", played.url, "--from", report["from"], "--to", report["to"],
        "--json",
    )  # fmt: skip
    assert kpi == report["kpis"]
    assert kpi["orders_received"] == ORDERS
    assert kpi["orders_shipped"] == orders["shipped"]
    refused = kpi["refused_scans"]
    assert refused["wrong_carrier"] == report["mistakes"]["injected"]["wrong_door"]
    assert refused["wrong_slot"] == report["mistakes"]["injected"]["wrong_slot"]


@pytest.mark.slow
def test_the_same_seed_plays_the_same_day(played: Played, tmp_path: Path) -> None:
    again = open_database(DatabaseChoice(f"sqlite:///{tmp_path / 'again.sqlite3'}", True))
    try:
        plan = DayPlan(day=DAY, orders=ORDERS, error_rate=ERROR_RATE, seed=SEED)
        report = play_day(again.sessions, plan).as_dict()
    finally:
        again.close()
    first = dict(played.report)
    del first["run_seconds"]
    assert json.loads(json.dumps(report, default=str)) == first


@pytest.mark.slow
def test_a_played_day_is_not_played_again_and_the_next_free_day_is_named(played: Played) -> None:
    db = open_database(DatabaseChoice(played.url, True))
    try:
        with pytest.raises(SimulationRefused, match="must start after them"):
            play_day(db.sessions, DayPlan(day=DAY, orders=1))
        assert first_free_day(db.sessions, time(6), DAY) == date(2030, 3, 7)
        assert first_free_day(db.sessions, time(6), date(2030, 3, 8)) == date(2030, 3, 8)
        assert first_free_day(db.sessions, time(6), date(2030, 3, 9)) == date(2030, 3, 11)
    finally:
        db.close()


def test_the_command_tells_a_person_how_the_day_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    assert main(["simulate", "--database", url, "--orders", "3", "--date", "2030-03-06"]) == 0
    out = capsys.readouterr().out
    assert "Simulated day Wed 2030-03-06 06:00-" in out
    assert "the demo's warehouse seeded first" in out
    assert "Orders: 3 received, 3 shipped" in out
    assert "The day's KPIs: baton kpi --from 2030-03-06T06:00:00" in out
    for kind in Mistake:
        assert kind.value in out


def test_the_command_refuses_what_it_cannot_play(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["simulate", "--database", url, "--date", "2030-03-09"]) == 2
    assert "Saturday" in capsys.readouterr().err
    assert main(["simulate", "--database", url, "--error-rate", "1.5", "--date", "2030-03-06"]) == 2
    assert "--error-rate" in capsys.readouterr().err
    assert main(["simulate", "--database", url, "--start", "six"]) == 2
    assert "--start" in capsys.readouterr().err
    late = ["simulate", "--database", url, "--start", "17:00", "--date", "2030-03-06"]
    assert main(late) == 1
    assert "too late" in capsys.readouterr().err
    db = open_database(DatabaseChoice(url, True))
    try:
        with db.sessions() as session:  # refused before anything was written
            assert session.scalar(select(func.count(Product.id))) == 0
    finally:
        db.close()


def test_another_warehouse_than_the_demos_is_not_simulated_on(db: Database) -> None:
    load_floor(db)  # a small floor of its own: no demo products, no demo operators
    with pytest.raises(SimulationRefused, match="another warehouse"):
        play_day(db.sessions, DayPlan(day=DAY, orders=1))
    with db.sessions() as session:
        assert session.scalar(select(func.count(Order.id))) == 0


@pytest.mark.slow
@pytest.mark.postgres
def test_a_small_day_on_postgresql_twice_the_same() -> None:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    reports = []
    for _ in range(2):
        for url in postgres_schema_url():
            db = open_database(DatabaseChoice(url, True))
            try:
                plan = DayPlan(day=DAY, orders=8, error_rate=0.3, seed=SEED)
                reports.append(play_day(db.sessions, plan).as_dict())
            finally:
                db.close()
    report: Any = reports[0]
    assert reports[1] == report
    for kind in SCAN_CHECKED:
        assert report["mistakes"]["escaped"][kind.value] == 0
    assert sum(report["mistakes"]["injected"].values()) > 0
    assert report["orders"]["shipped"] > 0
    assert report["work"]["unexplained_refusals"] == []

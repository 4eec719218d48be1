"""Orders walked through the stages for service tests: operators, scans, picks, sorts, threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.floor_models import ScanRecord
from app.db.models import (
    Order,
)
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.errors import BatonError
from app.services.floor.journal import Stage, run_scan
from app.services.intake.receiving import import_orders
from app.services.masterdata.operators import add_operator
from app.services.picking.scans import claim_next, current_list, scan
from app.services.picking.views import Expect, PickListView
from app.services.picking.waves import release_wave
from app.services.sorting.put_wall import (
    put,
    target_for,
)
from tests.services.floor import SUPERVISOR, write_orders

R = TypeVar("R")


def scanned(text: str) -> Scan:
    scanned = classify(text)
    assert isinstance(scanned, Scan), scanned
    return scanned


def add_sorter(db: Database, badge: str = "OP-3333", name: str = "Aiko") -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, SUPERVISOR, badge, name, Role.SORTER, "1234")
    return Actor(operator_id=info.id, name=name, role=Role.SORTER, station="wall 1")


def sort_one(db: Database, actor: Actor, sku: str, wall: str = "W1") -> str:
    """Scan an item, then the slot the wall shows; returns the outcome message."""
    with unit_of_work(db.sessions) as session:
        shown = target_for(session, actor, wall, scanned(GTIN[sku]))
    assert shown.target is not None
    with unit_of_work(db.sessions) as session:
        return put(session, actor, wall, scanned(GTIN[sku]), scanned(shown.target.slot)).message


# The test floor's products scan by their GTINs (their SKUs are not in the demo's SKU pattern).
GTIN = {"MUG-BLUE": "4006381333931", "TEA-EARL": "5901234123457", "SOCK-ZOE": "96385074"}


def add_picker(db: Database, badge: str, name: str) -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, SUPERVISOR, badge, name, Role.PICKER, "1234")
    return Actor(operator_id=info.id, name=name, role=Role.PICKER, station="cart 1")


def pick_scan(db: Database, actor: Actor, code: str, text: str) -> str:
    scanned = classify(text)
    assert isinstance(scanned, Scan), scanned
    with unit_of_work(db.sessions) as session:
        return scan(session, actor, code, scanned).message


def pick_view(db: Database, actor: Actor, code: str) -> PickListView:
    with db.sessions() as session:
        return current_list(session, actor, code)


def order_status(db: Database, number: str) -> str:
    with db.sessions() as session:
        return session.scalars(select(Order.status).where(Order.number == number)).one()


def walk(db: Database, actor: Actor, code: str, totes: dict[str, str]) -> None:
    """Walk a whole list correctly: location, each unit, then the order's tote."""
    for _ in range(200):
        view = pick_view(db, actor, code)
        stop = view.current_stop
        if stop is None:
            return
        if view.expect is Expect.LOCATION:
            pick_scan(db, actor, code, stop.location)
        elif view.expect is Expect.PRODUCT:
            pick_scan(db, actor, code, GTIN[stop.sku])
        else:
            task = view.current_task
            assert task is not None
            pick_scan(db, actor, code, totes.setdefault(task.order, f"T{1000 + len(totes)}"))
    raise AssertionError("the walk did not end")


BOSS_BADGE = "OP-9100"


def add_packer(db: Database, badge: str = "OP-3100", name: str = "Sam") -> Actor:
    with unit_of_work(db.sessions) as session:
        info = add_operator(session, SUPERVISOR, badge, name, Role.PACKER, "1234")
    return Actor(operator_id=info.id, name=name, role=Role.PACKER, station=f"bench {name}")


def picked(
    db: Database,
    tmp_path: Path,
    orders: dict[str, list[tuple[str, int]]],
    totes: dict[str, str],
    badge: str = "OP-1100",
    **overrides: str,
) -> None:
    """Orders received, released as one wave and picked to the end (into `totes` on a cart);
    `overrides` set order columns (e.g. carrier="UPS")."""
    name = f"{sorted(orders)[0].strip('#')}.csv"
    path = write_orders(tmp_path / name, orders, **overrides)
    import_orders(db.sessions, SUPERVISOR, path, "csv")
    with unit_of_work(db.sessions) as session:
        release_wave(session, SUPERVISOR)
    picker = add_picker(db, badge, f"Picker {badge}")
    with unit_of_work(db.sessions) as session:
        code = claim_next(session, picker).code
    walk(db, picker, code, totes)


def run_together(*jobs: Callable[[], object]) -> list[BaseException]:
    """Start every job at the same moment on its own thread; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - the test asserts there were none
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def journal(db: Database, stage: str | None = None) -> list[tuple[str, str, str, str | None, str]]:
    """The scan journal, oldest first: stage, scan kind, outcome, refusal, code; only the
    rows of one stage if given."""
    query = select(
        ScanRecord.stage,
        ScanRecord.scan_kind,
        ScanRecord.outcome,
        ScanRecord.refusal,
        ScanRecord.code,
    ).order_by(ScanRecord.id)
    if stage is not None:
        query = query.where(ScanRecord.stage == stage)
    with db.sessions() as session:
        rows = session.execute(query)
        return [(r.stage, r.scan_kind, r.outcome, r.refusal, r.code) for r in rows]


def journaled_scan(
    db: Database,
    actor: Actor,
    stage: Stage,
    text: str,
    action: Callable[[Session, Actor, Scan], R],
) -> R | BatonError:
    """One scan the way a station runs it (journaled); the refusal is returned, not raised."""
    scan = scanned(text)
    try:
        return run_scan(db.sessions, actor, stage, scan, lambda s, a: action(s, a, scan))
    except BatonError as exc:
        return exc

"""The scan journal on both databases: every scan run as a station runs it leaves one row,
a refused one with its kind and nothing else changed, an accepted one with its change."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.floor_models import ScanRecord
from app.db.models import OrderEvent, Stock
from app.db.packing_models import CartonItem, PackJob
from app.db.picking_models import PickStop, PickTask
from app.domain.scanning.refusals import Refusal
from app.services.errors import BatonError, NotAllowed
from app.services.floor.journal import Stage, journal_refusal, run_scan
from app.services.floor.kpi import floor_kpis
from app.services.intake.receiving import import_orders
from app.services.packing.bench import close_carton, pack_item, start_packing
from app.services.picking.scans import claim_next, scan
from app.services.picking.waves import release_wave
from tests.services.floor import SUPERVISOR, write_orders
from tests.services.journey import (
    BOSS_BADGE,
    GTIN,
    add_packer,
    add_picker,
    journal,
    journaled_scan,
    pick_view,
    scanned,
)


def _state(db: Database) -> tuple[object, ...]:
    """Everything a scan could change: stock, picks, packed units, order timelines."""
    with db.sessions() as session:
        return (
            tuple(session.execute(select(Stock.id, Stock.quantity, Stock.reserved)).all()),
            session.scalar(select(func.coalesce(func.sum(PickTask.picked), 0))),
            session.scalar(select(func.coalesce(func.sum(PickTask.placed), 0))),
            session.scalar(select(func.count()).select_from(CartonItem)),
            session.scalar(select(func.count()).select_from(OrderEvent)),
            tuple(session.scalars(select(PickStop.status).order_by(PickStop.id))),
            session.scalar(select(func.count()).select_from(PackJob)),
        )


def test_each_refused_pick_scan_is_journaled_with_its_kind_and_changes_nothing(
    bench: Database, tmp_path: Path
) -> None:
    # Totes T0001-T0003 still hold the bench's picked orders.
    orders = {"#2001": [("SOCK-ZOE", 1)]}
    import_orders(bench.sessions, SUPERVISOR, write_orders(tmp_path / "o.csv", orders), "csv")
    with unit_of_work(bench.sessions) as session:
        release_wave(session, SUPERVISOR)
    pat = add_picker(bench, "OP-1111", "Pat")
    with unit_of_work(bench.sessions) as session:
        code = claim_next(session, pat).code
    stop = pick_view(bench, pat, code).current_stop
    assert stop is not None and stop.location == "A02-02-1"

    def pick(text: str) -> object:
        return journaled_scan(bench, pat, Stage.PICKING, text, lambda s, a, x: scan(s, a, code, x))

    refusals = [
        (GTIN["SOCK-ZOE"], Refusal.NOT_EXPECTED),  # the product before the location
        ("A01-01-1", Refusal.WRONG_LOCATION),
        ("A02-02-1", None),
        (GTIN["MUG-BLUE"], Refusal.WRONG_ITEM),
        (GTIN["SOCK-ZOE"], None),
        ("T0001", Refusal.WRONG_TOTE),  # holds #1001, not yet packed
        ("T0900", None),
    ]
    for text, refusal in refusals:
        before = _state(bench)
        answer = pick(text)
        if refusal is None:
            assert not isinstance(answer, BatonError), answer
            assert _state(bench) != before
        else:
            assert isinstance(answer, BatonError) and answer.refusal is refusal, answer
            assert _state(bench) == before
    rows = journal(bench)
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("picking", "refused" if refusal else "ok", refusal and refusal.value, scanned(text).code)
        for text, refusal in refusals
    ]
    assert [r[1] for r in rows] == [
        "product",
        "location",
        "location",
        "product",
        "product",
        "tote",
        "tote",
    ]


def test_each_refused_pack_scan_is_journaled_with_its_kind(bench: Database) -> None:
    sam = add_packer(bench)
    started = journaled_scan(bench, sam, Stage.PACKING, "T0002", start_packing)
    assert not isinstance(started, BatonError)
    number = started.view.order

    def pack(text: str) -> object:
        return journaled_scan(
            bench, sam, Stage.PACKING, text, lambda s, a, x: pack_item(s, a, number, x)
        )

    before = _state(bench)
    wrong = pack(GTIN["MUG-BLUE"])
    assert isinstance(wrong, BatonError) and wrong.refusal is Refusal.WRONG_ITEM
    assert wrong.message == f"MUG-BLUE is not in order {number}: put it aside for a supervisor."
    assert _state(bench) == before
    assert not isinstance(pack(GTIN["SOCK-ZOE"]), BatonError)
    after = _state(bench)
    extra = pack(GTIN["SOCK-ZOE"])
    assert isinstance(extra, BatonError) and extra.refusal is Refusal.OVER_PICK
    assert _state(bench) == after
    assert [(r[2], r[3]) for r in journal(bench)] == [
        ("ok", None),
        ("refused", "wrong_item"),
        ("ok", None),
        ("refused", "over_pick"),
    ]


def test_each_weighing_is_journaled_and_one_out_of_tolerance_is_a_refusal(
    bench: Database,
) -> None:
    sam = add_packer(bench)
    started = journaled_scan(bench, sam, Stage.PACKING, "T0003", start_packing)
    assert not isinstance(started, BatonError) and started.view.order == "#1003"
    item = journaled_scan(
        bench, sam, Stage.PACKING, GTIN["MUG-BLUE"], lambda s, a, x: pack_item(s, a, "#1003", x)
    )
    assert not isinstance(item, BatonError) and item.view.all_in

    def weigh(grams: int, badge: str | None = None) -> str:
        with unit_of_work(bench.sessions) as session:
            return close_carton(session, sam, "#1003", grams, badge).result

    assert weigh(600) == "error"  # 380 g mug + 160 g box: 60 g over a 50 g tolerance
    with pytest.raises(NotAllowed):  # a packer's own badge accepts nothing, journals nothing
        weigh(600, "OP-3100")
    # The supervisor accepts the reading the scale gave: no second weighing, no second row.
    assert weigh(600, BOSS_BADGE) == "done"
    assert journal(bench)[2:] == [
        ("packing", "weight", "refused", "weight_out_of_tolerance", "600 g"),
    ]
    with bench.sessions() as session:
        subjects = session.scalars(select(ScanRecord.subject).order_by(ScanRecord.id)).all()
        kpis = floor_kpis(
            session, datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
        )
    assert subjects[2:] == ["#1003"]
    # The tote, the mug and one weighing.
    assert dict(kpis.refused_by_kind)["weight_out_of_tolerance"] == 1 and kpis.scans == 3


def test_an_accepted_scan_and_its_row_commit_together(bench: Database) -> None:
    sam = add_packer(bench)

    def fails_after(session: object, actor: object) -> None:
        # The scan's change is made, then the transaction fails: neither may remain.
        start_packing(session, sam, scanned("T0002"))  # type: ignore[arg-type]
        raise RuntimeError("the commit failed")

    before = _state(bench)
    with pytest.raises(RuntimeError):
        run_scan(bench.sessions, sam, Stage.PACKING, scanned("T0002"), fails_after)
    assert journal(bench) == [] and _state(bench) == before
    run_scan(
        bench.sessions,
        sam,
        Stage.PACKING,
        scanned("T0002"),
        lambda s, a: start_packing(s, a, scanned("T0002")),
    )
    assert journal(bench) == [("packing", "tote", "ok", None, "T0002")]
    assert _state(bench) != before


def test_a_journal_that_cannot_be_written_never_hides_the_refusal(
    bench: Database, caplog: pytest.LogCaptureFixture
) -> None:
    sam = add_packer(bench)
    with bench.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE scan_journal")
    seen: list[str] = []
    with caplog.at_level(logging.WARNING), pytest.raises(BatonError, match="No order"):
        run_scan(
            bench.sessions,
            sam,
            Stage.PACKING,
            scanned("#9999"),
            lambda s, a: start_packing(s, a, scanned("#9999")),
            on_refused=lambda exc: seen.append(exc.message),
        )
    assert seen and "refused scan not journaled" in caplog.text
    assert not journal_refusal(bench.sessions, sam, Stage.LOOKUP, "???", Refusal.UNKNOWN_CODE, "?")


def test_an_unknown_code_is_journaled_clipped_and_printable(bench: Database) -> None:
    sam = add_packer(bench)
    text = "NOT\x1dA-CODE" + "x" * 100
    assert journal_refusal(bench.sessions, sam, Stage.PACKING, text, Refusal.UNKNOWN_CODE, "?")
    ((stage, kind, outcome, refusal, code),) = journal(bench)
    assert (stage, kind, outcome, refusal) == ("packing", "unknown", "refused", "unknown_code")
    assert code.startswith("NOT A-CODE") and len(code) == 64 and code.endswith("…")

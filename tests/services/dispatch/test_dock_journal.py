"""Dock scans in the scan journal: a carton at another carrier's door is a wrong carrier."""

from __future__ import annotations

from app.db.database import Database
from app.domain.scanning.refusals import Refusal
from app.services.dispatch.loading import load_carton
from app.services.errors import BatonError
from app.services.floor.journal import Stage
from tests.services.dispatch.conftest import add_shipper, tracking_numbers
from tests.services.journey import GTIN, journal, journaled_scan


def test_dock_refusals_are_journaled_by_kind(dock: Database) -> None:
    lee = add_shipper(dock)
    (ups,) = tracking_numbers(dock, "#1004")
    (post,) = tracking_numbers(dock, "#1002")

    def load(text: str) -> object:
        return journaled_scan(
            dock, lee, Stage.DISPATCH, text, lambda s, a, x: load_carton(s, a, "DOCK-1", x)
        )

    kinds = []
    for text in (ups, GTIN["MUG-BLUE"], "1Z5R89391134999997", post, post):
        answer = load(text)
        kinds.append(answer.refusal if isinstance(answer, BatonError) else None)
    assert kinds == [
        Refusal.WRONG_CARRIER,
        Refusal.NOT_EXPECTED,
        Refusal.UNKNOWN_CODE,
        None,
        Refusal.ALREADY_DONE,
    ]
    # The fixture's packer weighed each carton at the bench (stage packing).
    assert [(r[0], r[2], r[3]) for r in journal(dock, "dispatch")] == [
        ("dispatch", "refused", "wrong_carrier"),
        ("dispatch", "refused", "not_expected"),
        ("dispatch", "refused", "unknown_code"),
        ("dispatch", "ok", None),
        ("dispatch", "refused", "already_done"),
    ]

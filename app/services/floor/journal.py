"""The scan journal: every scan a station handled, accepted or refused, and why.

A refused scan changes nothing (its transaction rolls back), so without the journal nobody
could count refusals. `run_scan` is how a station (or anything driving the same services)
runs one scan: the service call and the journal's row of an accepted scan commit together;
a refused scan's row is written afterwards in its own short transaction, best effort (a
journal that cannot be written is logged, never shown instead of the refusal).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.floor_models import ScanRecord
from app.domain.scanning.classify import Scan
from app.domain.scanning.refusals import Refusal
from app.services.actor import Actor
from app.services.errors import BatonError

log = logging.getLogger(__name__)
R = TypeVar("R")
CODE_LENGTH = 64
MESSAGE_LENGTH = 200
UNKNOWN_KIND = "unknown"  # the scan kind of a code no pattern classified
WEIGHT_KIND = "weight"  # a carton on the pack bench's scale: checked like a scan, keyed or read


class Stage(StrEnum):
    """Where on the floor a scan was handled."""

    PICKING = "picking"
    SORTING = "sorting"
    PACKING = "packing"
    DISPATCH = "dispatch"
    LOOKUP = "lookup"
    STATION = "station"  # any other screen (login, order desk, prints)


class Outcome(StrEnum):
    """Whether the scan was taken."""

    OK = "ok"
    REFUSED = "refused"


def _clip(text: str, length: int) -> str:
    """Printable text no longer than the column (a GS separator or a long paste is cut)."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= length else text[: length - 1] + "…"


def record_scan(
    session: Session,
    actor: Actor,
    stage: Stage,
    scanned: Scan | str,
    outcome: Outcome,
    refusal: Refusal | None = None,
    message: str = "",
    subject: str = "",
) -> ScanRecord:
    """Add one journal row in the caller's transaction (a code string is an unknown scan);
    `subject` names what the scan was checked against (the order on the bench, the list)."""
    if isinstance(scanned, Scan):
        kind, code = scanned.kind.value, scanned.code
    else:
        kind, code = UNKNOWN_KIND, scanned
    return _add_row(session, actor, stage, kind, code, outcome, refusal, message, subject)


def record_weighing(
    session: Session,
    actor: Actor,
    order_number: str,
    weight_g: int,
    refusal: Refusal | None,
    message: str,
) -> ScanRecord:
    """Journal a carton's weighing at the pack bench in the caller's transaction: refused
    when the weight is out of tolerance (the flag commits with it), accepted otherwise."""
    outcome = Outcome.OK if refusal is None else Outcome.REFUSED
    code = f"{weight_g} g"
    return _add_row(
        session, actor, Stage.PACKING, WEIGHT_KIND, code, outcome, refusal, message, order_number
    )


def _add_row(
    session: Session,
    actor: Actor,
    stage: Stage,
    kind: str,
    code: str,
    outcome: Outcome,
    refusal: Refusal | None,
    message: str,
    subject: str,
) -> ScanRecord:
    row = ScanRecord(
        at=clock.now(),
        operator_id=actor.operator_id,
        station=_clip(actor.station, 64),
        stage=stage.value,
        scan_kind=kind,
        outcome=outcome.value,
        refusal=None if outcome is Outcome.OK else (refusal or Refusal.OTHER).value,
        code=_clip(code, CODE_LENGTH),
        message=_clip(message, MESSAGE_LENGTH),
        subject=_clip(subject, CODE_LENGTH),
    )
    session.add(row)
    return row


def journal_refusal(
    factory: sessionmaker[Session],
    actor: Actor,
    stage: Stage,
    scanned: Scan | str,
    refusal: Refusal,
    message: str,
    subject: str = "",
) -> bool:
    """Record a refused scan in its own transaction; False (and a log line) if it failed."""
    try:
        with unit_of_work(factory) as session:
            record_scan(session, actor, stage, scanned, Outcome.REFUSED, refusal, message, subject)
    except Exception:  # best effort: the operator's refusal is shown whatever happens here
        log.warning("refused scan not journaled (%s at %s)", refusal, stage, exc_info=True)
        return False
    return True


def run_scan(
    factory: sessionmaker[Session],
    actor: Actor,
    stage: Stage,
    scanned: Scan,
    action: Callable[[Session, Actor], R],
    *,
    subject: str = "",
    on_refused: Callable[[BatonError], None] | None = None,
) -> R:
    """Run one scan's service call in one transaction, journaled.

    Accepted: the journal row commits with the scan's change. A refusal returned as a value
    (a BatonError the action hands back) is journaled the same way, since nothing changed.
    Refused by raising: the transaction rolls back, `on_refused` tells the operator, then the
    refusal is journaled on its own and the error raised again.
    """
    try:
        with unit_of_work(factory) as session:
            result = action(session, actor)
            if isinstance(result, BatonError):
                record_scan(
                    session,
                    actor,
                    stage,
                    scanned,
                    Outcome.REFUSED,
                    result.refusal,
                    result.message,
                    subject,
                )
            else:
                said = getattr(result, "message", "")
                message = said if isinstance(said, str) else ""
                record_scan(session, actor, stage, scanned, Outcome.OK, None, message, subject)
            return result
    except BatonError as exc:
        if on_refused is not None:
            on_refused(exc)
        journal_refusal(factory, actor, stage, scanned, exc.refusal, exc.message, subject)
        raise

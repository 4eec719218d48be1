"""What every screen of a station shares: the database, settings, feedback and who is logged in.

`act` is the one place where a screen's action meets the services: it opens the unit of work
(one user action, one transaction), and turns every failure into red feedback instead of a
crash. The screen shows success only after the transaction committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.db.database import Database
from app.db.engine import CommitUnconfirmed, unit_of_work
from app.domain.scanning.classify import (
    DEFAULT_PATTERNS,
    Scan,
    ScanPatterns,
    ScanRejected,
    classify,
)
from app.domain.scanning.refusals import Refusal
from app.services.actor import Actor, require_active
from app.services.errors import BatonError
from app.services.floor.journal import Stage, journal_refusal, run_scan
from app.services.masterdata.warehouse import scan_patterns
from app.ui.feedback import Feedback
from app.ui.settings import GS_SUBSTITUTE, STATION_NAME, WorkstationSettings

log = logging.getLogger(__name__)
R = TypeVar("R")
UNREACHABLE = "Database not reachable or busy: nothing was recorded. Try again."
# The server went silent while saving: the scan may be saved once it runs again.
COMMIT_UNCONFIRMED = (
    "Database stopped answering while saving: this may still be recorded once it answers. "
    "Check before repeating."
)


@dataclass
class StationContext:
    """The station's shared state, passed to every screen (no global singletons)."""

    database: Database
    settings: WorkstationSettings
    feedback: Feedback
    patterns: ScanPatterns = DEFAULT_PATTERNS
    actor: Actor | None = None
    on_data_changed: list[Callable[[], None]] = field(default_factory=list)

    @property
    def station_name(self) -> str:
        return self.settings.get(STATION_NAME)

    def reload_patterns(self) -> None:
        """Read the warehouse's scan patterns again (a supervisor may have changed them)."""
        patterns = self.read(scan_patterns)
        if patterns is not None:
            self.patterns = patterns

    def classify(self, text: str) -> Scan | ScanRejected:
        """Classify scanned or typed text with this warehouse's patterns and this scanner's GS."""
        return classify(text, self.patterns, self.settings.get(GS_SUBSTITUTE))

    def act(self, action: Callable[[Session, Actor], R]) -> R | None:
        """Run one user action in its own transaction; None (and red feedback) on failure."""
        actor = self.actor
        if actor is None:
            self.feedback.error("Scan your badge first.")
            return None

        def checked(session: Session) -> R:
            # A badge disabled since login stops at the next action, whatever the screen.
            require_active(session, actor)
            return action(session, actor)

        return self.read(checked, write=True)

    def scan(
        self,
        stage: Stage,
        scanned: Scan,
        action: Callable[[Session, Actor], R],
        subject: str = "",
    ) -> R | None:
        """Like `act`, for an action that is a scan: journaled with its stage and outcome, and
        `subject`, what it was checked against (the order on the bench, the pick list).

        The refusal shows in red before its journal row is written, so the operator never
        waits on the journal.
        """
        actor = self.actor
        if actor is None:
            self.feedback.error("Scan your badge first.")
            return None

        def checked(session: Session, actor: Actor) -> R:
            require_active(session, actor)
            return action(session, actor)

        def run() -> R | None:
            try:
                return run_scan(
                    self.database.sessions,
                    actor,
                    stage,
                    scanned,
                    checked,
                    subject=subject,
                    on_refused=lambda exc: self.feedback.error(exc.message),
                )
            except BatonError:
                return None  # shown before the refusal was journaled

        return self._guarded(run)

    def unknown_scan(self, stage: Stage, text: str, reason: str) -> None:
        """Journal a scan no pattern classified (its red is already shown), best effort."""
        self._journal(stage, text, Refusal.UNKNOWN_CODE, reason)

    def refuse_scan(
        self,
        stage: Stage,
        scanned: Scan,
        message: str,
        refusal: Refusal = Refusal.NOT_EXPECTED,
        *,
        attention: bool = False,
    ) -> None:
        """A scan the screen turns away itself, before any service: red (amber with
        `attention`) at once, then journaled, best effort."""
        (self.feedback.attention if attention else self.feedback.error)(message)
        self._journal(stage, scanned, refusal, message)

    def _journal(self, stage: Stage, scanned: Scan | str, refusal: Refusal, message: str) -> None:
        actor = self.actor
        if actor is not None:
            journal_refusal(self.database.sessions, actor, stage, scanned, refusal, message)

    def read(self, query: Callable[[Session], R], *, write: bool = False) -> R | None:
        """Run a query (or, with `write`, a committed change); None and red feedback on failure."""

        def run() -> R:
            if write:
                with unit_of_work(self.database.sessions) as session:
                    return query(session)
            with self.database.sessions() as session:
                return query(session)

        return self._guarded(run)

    def _guarded(self, run: Callable[[], R]) -> R | None:
        """Run `run`; every expected failure becomes red feedback and None."""
        try:
            return run()
        except BatonError as exc:
            self.feedback.error(exc.message)
        except OperationalError as exc:
            log.warning("database unavailable: %s", exc)
            if isinstance(exc.orig, CommitUnconfirmed):
                self.feedback.error(COMMIT_UNCONFIRMED)
            else:
                self.feedback.error(UNREACHABLE)
        except SQLAlchemyError:
            log.exception("database error")
            self.feedback.error("The database refused this: nothing was recorded.")
        return None

    def changed(self) -> None:
        """Tell every screen that data changed, so lists refresh."""
        for callback in self.on_data_changed:
            callback()

"""The supervisor's station relays the customer outbox in the background, and says when messages
failed or the mail server cannot be used.

Every RELAY_MS, while a supervisor is logged in, a worker thread sends what is due (when a mail
server is set up) and counts what failed; the answer comes back to the GUI thread as a signal.
The services do the work; this module only schedules it and shows the outcome.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.domain.roles import Role
from app.services.messages.outbox import outbox_counts
from app.services.messages.relay import RelayNotSetUp, relay_outbox
from app.services.messages.settings import notify_settings
from app.ui.station import StationContext

log = logging.getLogger(__name__)
RELAY_MS = 30_000


@dataclass(frozen=True)
class OutboxState:
    """What the supervisor is told: failed messages, and why messages are not going out."""

    failed: int
    pending: int
    problem: str | None  # the server cannot be used, or is not set up right

    def line(self) -> str:
        """One line for the supervisor's window; empty when all is well."""
        parts = []
        if self.failed:
            noun = "message" if self.failed == 1 else "messages"
            parts.append(
                f"⚠ {self.failed} customer {noun} failed: baton outbox --status failed "
                "(then baton outbox retry --failed)"
            )
        if self.problem:
            parts.append(
                f"⚠ Customer messages not going out ({self.pending} waiting): {self.problem}"
            )
        return "\n".join(parts)


class OutboxRelay(QObject):
    """Relays the outbox off the GUI thread every RELAY_MS while a supervisor is logged in."""

    state = Signal(object)  # an OutboxState, or None when the outbox could not be read

    def __init__(self, station: StationContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self._timer = QTimer(self)
        self._timer.setInterval(RELAY_MS)
        self._timer.timeout.connect(self.run_once)
        self._stop = threading.Event()
        self._busy = False
        self.state.connect(self._on_state)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Relay now and every RELAY_MS (a supervisor logged in)."""
        self._stop.clear()
        self._timer.start()
        self.run_once()

    def stop(self) -> None:
        """No more runs; one under way gives its untried messages back after the current one."""
        self._timer.stop()
        self._stop.set()

    def run_once(self) -> None:
        """Relay once in a worker thread, unless a run is still under way."""
        actor, database = self.station.actor, self.station.database
        if actor is None or actor.role is not Role.SUPERVISOR or self._busy or database.closed:
            return
        self._busy = True
        stop, signal = self._stop, self.state

        def work() -> None:
            state: OutboxState | None = None
            try:
                with database.sessions() as session:
                    settings = notify_settings(session)
                problem = None
                if settings.configured and not stop.is_set():
                    try:
                        report = relay_outbox(database.sessions, actor, stop=stop)
                        problem = report.unreachable
                    except RelayNotSetUp as exc:
                        problem = exc.message
                with database.sessions() as session:
                    counts = outbox_counts(session)
                state = OutboxState(counts["failed"], counts["pending"], problem)
            except Exception:  # the database away, a bug: logged, and tried again next time
                log.warning("the outbox relay failed", exc_info=True)
            if shiboken6.isValid(self):
                with contextlib.suppress(RuntimeError):  # the window went in between
                    signal.emit(state)

        QThreadPool.globalInstance().start(work)

    def _on_state(self, _state: object) -> None:
        self._busy = False


class OutboxLine(QLabel):
    """The supervisor's line about customer messages: hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # server errors are shown as text
        self.setStyleSheet(
            "background: #F2B705; color: #1A1A1A; font-size: 16pt; font-weight: 700;"
            "padding: 8px 14px; border-radius: 6px;"
        )
        self.hide()

    def show_state(self, state: object) -> None:
        if not isinstance(state, OutboxState):
            return  # the outbox could not be read: keep what was shown
        text = state.line()
        self.setText(text)
        self.setVisible(bool(text))

"""Printing a closed carton's documents off the GUI thread, one carton after the other.

The carton is already committed when its documents print, so the bench goes on scanning
while a label printer takes its time; the result (or the failure) comes back as a signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.services.actor import Actor
from app.services.errors import BatonError
from app.services.packing.documents import CartonPrint, print_carton, reprint_carton
from app.ui.printers import station_printers
from app.ui.station import StationContext

log = logging.getLogger(__name__)


class _Signals(QObject):
    finished = Signal(int, object)  # carton id, list[CartonPrint] or an error message


class _Job(QRunnable):
    def __init__(self, work: Callable[[], list[CartonPrint]], carton: int, signals: _Signals):
        super().__init__()
        self._work, self._carton, self._signals = work, carton, signals

    def run(self) -> None:
        try:
            result: object = self._work()
        except BatonError as exc:
            result = exc.message
        except Exception as exc:  # shown to the packer, never lost in a worker thread
            log.exception("printing carton %s failed", self._carton)
            result = f"Printing failed: {exc}"
        try:
            self._signals.finished.emit(self._carton, result)
        except RuntimeError:  # the station closed before the printer answered
            log.warning("carton %s printed after its station closed: %r", self._carton, result)


class CartonPrinter(QObject):
    """Prints cartons' documents in order on one worker thread; `printed` reports each."""

    printed = Signal(int, object)  # carton id, list[CartonPrint] | str (why nothing printed)

    def __init__(self, station: StationContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # labels come out in the order cartons closed
        self._signals = _Signals(self)
        self._signals.finished.connect(self.printed)

    def print_carton(self, actor: Actor, carton_id: int, *, again: bool = False) -> None:
        """Print (or reprint) a closed carton's documents on this station's printers."""
        try:
            labels, documents = station_printers(self.station.settings)
        except BatonError as exc:
            self.printed.emit(carton_id, f"Printer setting: {exc.message}")
            return
        factory = self.station.database.sessions
        run = reprint_carton if again else print_carton

        def work() -> list[CartonPrint]:
            return run(factory, actor, labels, documents, carton_id)

        self.pool.start(_Job(work, carton_id, self._signals))

    def wait(self, ms: int = 30_000) -> bool:
        """Block until queued prints are done (closing the station, tests)."""
        return self.pool.waitForDone(ms)

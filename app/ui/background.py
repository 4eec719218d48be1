"""Long work off the GUI thread: a progress dialog that stays responsive and can be cancelled.

Core functions report progress through a plain callback and check a threading.Event to stop;
this module turns those into Qt signals delivered on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.printing.errors import PrintingError
from app.services.errors import BatonError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Work = Callable[[Progress, threading.Event], Any]


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Work, signals: _Signals, cancel: threading.Event) -> None:
        super().__init__()
        self._work, self._signals, self._cancel = work, signals, cancel

    def run(self) -> None:
        try:
            result = self._work(self._signals.progress.emit, self._cancel)
        except BaseException as exc:  # every failure goes back to the GUI
            # Expected failures (a printer that is off, a refused file) carry their own
            # message; only the unexpected deserve a traceback in the log.
            if isinstance(exc, BatonError | PrintingError):
                log.info("background work refused: %s", exc)
            else:
                log.exception("background work failed")
            self._signals.failed.emit(exc)
        else:
            self._signals.finished.emit(result)


class BackgroundJob(QObject):
    """One piece of long work with a progress dialog; emits `done` or `failed` on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QWidget, title: str, work: Work) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self._signals = _Signals()
        self._dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
        self._dialog.setWindowTitle(title)
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(300)  # quick jobs finish without a flash of dialog
        self._dialog.canceled.connect(self.cancel.set)
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self._runnable = _Runnable(work, self._signals, self.cancel)
        self._runnable.setAutoDelete(False)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self._runnable)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0 and self._dialog.maximum() != total:
            self._dialog.setMaximum(total)
        self._dialog.setValue(min(done, total) if total > 0 else 0)
        self._dialog.setLabelText(f"{done} of {total}" if total > 0 else f"{done} done")

    def _on_finished(self, result: object) -> None:
        self._dialog.reset()
        self._dialog.close()
        self.done.emit(result)

    def _on_failed(self, error: object) -> None:
        self._dialog.reset()
        self._dialog.close()
        self.failed.emit(error)

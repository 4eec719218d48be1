"""Keyboard-wedge barcode scanner input, shared by every station screen.

A wedge scanner types its code as key events, fast, and ends with Enter (sometimes Tab).
`ScanInput` reads those raw key events for one top-level window, so a scan works wherever
focus is on that window, and emits each terminated run of keys once as a `RawScan`.

Why raw key events: a QLineEdit silently drops GS (ASCII 29, the GS1 field separator),
which would turn a lot/expiry scan into a wrong parse without any error. Here GS arrives
either as a key whose text is "\\x1d" or as Ctrl+] (how many scanners send it), and is kept.

Where the keys go depends on the focus widget:

- Focus outside a text field (a button, a table, nothing): every printable key is captured
  and swallowed; Enter (or Tab) ends the scan. A person may type a code and press Enter too:
  the scan then says `by_scanner=False`.
- Focus in a text field (search box, quantity, the station's `ManualEntry`): printable keys
  are held back, not delivered, for at most one scanner gap (`max_gap_ms`). A key that is
  followed by a pause is handed to the field (a person typing sees it ~50 ms later). A run
  of fast keys ended by a fast Enter is a scan: it is emitted and the field never saw it.
  Holding beats letting keys through and undoing them afterwards: an undo cannot take back
  the textChanged signals a live search field has already acted on, nor the GS it dropped.
- Focus in a password field: keys are left alone, so a quickly typed PIN is never a "scan"
  that could end up quoted in an error message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

GS = "\x1d"

_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)
_ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
# Control characters that are editing or ending keys, never data inside a scan.
_EDITING_CONTROLS = frozenset("\r\n\t\b\x1b\x7f")


@dataclass(frozen=True, slots=True)
class RawScan:
    """One terminated run of keys exactly as typed (GS and AIM prefix kept), not yet classified."""

    text: str
    by_scanner: bool
    started: float  # clock seconds (monotonic) of the first character
    duration_ms: float  # first character to terminator
    truncated: bool = False  # longer than the cap: `text` holds only the start; reject it


def _scan_text(event: QKeyEvent) -> str | None:
    """The characters a key event adds to a scan, or None if it is not scan data."""
    mods = event.modifiers()
    ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
    if event.key() == Qt.Key.Key_BracketRight and ctrl:
        return GS  # Ctrl+] is GS, whatever text the platform attached to it
    text = event.text()
    if text == GS:
        return GS
    # Alt alone is a menu mnemonic and Meta a system shortcut; Ctrl+Alt is AltGr on Windows.
    if mods & Qt.KeyboardModifier.MetaModifier or (
        mods & Qt.KeyboardModifier.AltModifier and not ctrl
    ):
        return None
    if text and text.isprintable():
        return text
    if len(text) == 1 and text < " " and text not in _EDITING_CONTROLS:
        return text  # RS, EOT, ... (ISO 15434 envelopes); only ever data inside a run
    return None


def _starts_scan(text: str) -> bool:
    """Whether a key may begin a scan: a leading space or Ctrl+letter is a command, not data."""
    return text == GS or (text.isprintable() and bool(text.strip()))


def _is_terminator(event: QKeyEvent, tab_ends_scan: bool) -> bool:
    key = event.key()
    return key in _ENTER_KEYS or (tab_ends_scan and key == Qt.Key.Key_Tab)


def _takes_text(widget: QWidget) -> bool:
    """Whether typing into widget edits text (so its keys are only held, not captured)."""
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox):
        return not widget.isReadOnly()
    return isinstance(widget, QComboBox) and widget.isEditable()


class _Run:
    """Characters captured since the last terminator; memory is capped, the count is not."""

    def __init__(self, limit: int, now: float) -> None:
        self.limit = limit
        self.chars: list[str] = []
        self.count = 0
        self.started = self.last = now
        # Where the current unbroken fast run began: a scan that follows a stray key
        # (someone leaning on the keyboard earlier) is emitted without that key.
        self.burst_from = 0
        self.burst_started = now
        self.in_burst = False

    def add(self, text: str, now: float, fast: bool) -> None:
        if self.count and not fast:
            self.burst_from, self.burst_started = self.count, now
        self.in_burst = bool(self.count) and fast
        room = self.limit - len(self.chars)
        if room > 0:
            self.chars.extend(text[:room])
        self.count += len(text)
        self.last = now

    def finish(self, now: float, min_length: int) -> RawScan:
        truncated = self.count > self.limit
        by_scanner = self.count - self.burst_from >= min_length
        first = self.burst_from if by_scanner else 0
        started = self.burst_started if by_scanner else self.started
        text = "".join(self.chars[first:])
        return RawScan(text, by_scanner, started, (now - started) * 1000, truncated)


@dataclass(frozen=True, slots=True)
class _HeldKey:
    key: int
    modifiers: Qt.KeyboardModifier
    text: str  # what the field would receive
    scan_text: str  # what the scan gets (GS for Ctrl+])


class _Held:
    """Keys kept back from a text field while it is unclear whether they are a scan."""

    def __init__(self, widget: QWidget, limit: int, now: float) -> None:
        self.widget = widget
        self.limit = limit
        self.keys: list[_HeldKey] = []
        self.count = 0
        self.started = self.last = now

    def add(self, key: _HeldKey, now: float) -> None:
        if len(self.keys) < self.limit:
            self.keys.append(key)
        self.count += len(key.scan_text)
        self.last = now

    @property
    def truncated(self) -> bool:
        return self.count > self.limit

    def text(self) -> str:
        return "".join(k.scan_text for k in self.keys)[: self.limit]


class ScanInput(QObject):
    """Reads wedge-scanner scans from one window's key events and emits each as a RawScan."""

    scanned = Signal(object)  # RawScan

    def __init__(
        self,
        window: QWidget,
        *,
        max_gap_ms: float = 50.0,
        min_length: int = 4,
        max_length: int = 4096,
        burst_timeout_s: float = 1.0,
        typing_timeout_s: float = 10.0,
        tab_ends_scan: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._max_gap_ms = max(1, round(max_gap_ms))
        self._max_gap_s = max_gap_ms / 1000
        self._min_length = max(2, min_length)
        self._max_length = max_length
        # Silence after which a half-finished run is dropped: short for a scanner burst
        # (the rest is not coming), long for a person typing a code off a torn label.
        self._burst_timeout_s = burst_timeout_s
        self._typing_timeout_s = typing_timeout_s
        self._tab_ends_scan = tab_ends_scan
        self._clock = clock
        self._enabled = True
        self._replaying = False
        self._run: _Run | None = None
        self._held: _Held | None = None
        # Wakes up to check whether held keys have gone quiet; the clock decides, so the
        # timer is started once per hold and never stopped (a late wake-up finds nothing).
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.timeout.connect(self._on_hold_due)
        # The application, not the window, is watched: keys are delivered to the focus
        # widget, and one that a QLineEdit accepts never propagates up to the window. A
        # filter on each child would miss widgets that screens add later. Events for other
        # windows (dialogs, popups, other stations) are ignored in eventFilter.
        app = QCoreApplication.instance()
        if not isinstance(app, QApplication):
            raise RuntimeError("ScanInput needs a QApplication")
        app.installEventFilter(self)

    @property
    def tab_ends_scan(self) -> bool:
        """Whether Tab ends a scan like Enter (a workstation setting)."""
        return self._tab_ends_scan

    @tab_ends_scan.setter
    def tab_ends_scan(self, value: bool) -> None:
        self._tab_ends_scan = value

    @property
    def enabled(self) -> bool:
        """Whether scans are read; off while, say, a dialog should get every key."""
        return self._enabled

    @enabled.setter
    def enabled(self, enabled: bool) -> None:
        self.set_enabled(enabled)

    def set_enabled(self, enabled: bool) -> None:
        """Start or stop reading scans; stopping hands held keys back and drops a half scan."""
        if not enabled:
            self._release_held()
            self._run = None
        self._enabled = enabled

    def submit_typed(self, text: str) -> None:
        """Emit a code a person typed into a visible field, as if scanned (by_scanner False)."""
        if not self._enabled or not text:
            return
        truncated = len(text) > self._max_length
        self.scanned.emit(RawScan(text[: self._max_length], False, self._clock(), 0.0, truncated))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Take the keys that belong to a scan; let every other event through untouched."""
        etype = event.type()
        if etype not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        if not self._enabled or self._replaying or not isinstance(event, QKeyEvent):
            return False
        # Only the first delivery, to our window's focus widget: an ignored key is offered
        # again to each parent, and that must not count as a second key.
        if not isinstance(watched, QWidget) or watched is not self._focus_target():
            return False
        if event.key() in _MODIFIER_KEYS:
            return False  # scanners press Shift for capitals; it must not break a burst
        if isinstance(watched, QLineEdit) and watched.echoMode() != QLineEdit.EchoMode.Normal:
            return False
        if etype == QEvent.Type.ShortcutOverride:
            return self._claims_shortcut(watched, event)
        if _takes_text(watched):
            return self._on_key_in_field(watched, event)
        self._release_held()
        return self._on_key_elsewhere(event)

    def _focus_target(self) -> QWidget | None:
        if not shiboken6.isValid(self._window):
            return None
        top = self._window.window()
        return top.focusWidget() or top

    def _claims_shortcut(self, widget: QWidget, event: QKeyEvent) -> bool:
        # Accepting the override keeps a one-letter shortcut or a Return action from firing
        # in the middle of a scan; the key press then arrives here as usual. A text field
        # already claims its printable keys itself.
        pending = self._run is not None or self._held is not None
        text = _scan_text(event)
        if text is None:
            claim = pending and _is_terminator(event, self._tab_ends_scan)
        elif _takes_text(widget):
            claim = text == GS or (pending and not text.isprintable())
        else:
            claim = pending or _starts_scan(text)
        if claim:
            event.accept()
        return claim

    def _on_key_elsewhere(self, event: QKeyEvent) -> bool:
        now = self._clock()
        run = self._run
        if run is not None:
            timeout = self._burst_timeout_s if run.in_burst else self._typing_timeout_s
            if now - run.last > timeout:
                self._run = run = None  # a half scan, abandoned: the rest never came
        text = _scan_text(event)
        if text is not None:
            if run is None:
                if not _starts_scan(text):
                    return False  # Space still clicks a button, Ctrl+C still copies
                self._run = run = _Run(self._max_length, now)
            fast = now - run.last < self._max_gap_s and not event.isAutoRepeat()
            run.add(text, now, fast)
            return True
        if run is not None and _is_terminator(event, self._tab_ends_scan):
            self._run = None
            self.scanned.emit(run.finish(now, self._min_length))
            return True
        return False  # arrows, Backspace, F-keys, an empty Enter: their usual meaning

    def _on_key_in_field(self, widget: QWidget, event: QKeyEvent) -> bool:
        self._run = None  # focus moved into a field: a half-typed blind code is abandoned
        now = self._clock()
        held = self._held
        slow = held is not None and now - held.last >= self._max_gap_s
        if held is not None and (slow or held.widget is not widget or event.isAutoRepeat()):
            self._release_held()
            held = None
        text = _scan_text(event)
        if text is not None and not event.isAutoRepeat():
            if held is None:
                if not _starts_scan(text):
                    return False
                self._held = held = _Held(widget, self._max_length, now)
                self._hold_timer.start(self._max_gap_ms)
            held.add(_HeldKey(event.key(), event.modifiers(), event.text(), text), now)
            return True
        terminated = held is not None and _is_terminator(event, self._tab_ends_scan)
        if held is not None and terminated and held.count >= self._min_length:
            self._held = None
            duration_ms = (now - held.started) * 1000
            self.scanned.emit(RawScan(held.text(), True, held.started, duration_ms, held.truncated))
            return True
        self._release_held()  # first the held keys, then this one: order is kept
        return False

    def _on_hold_due(self) -> None:
        held = self._held
        if held is None:
            return
        quiet_s = self._clock() - held.last
        if quiet_s >= self._max_gap_s:
            self._release_held()
        else:
            self._hold_timer.start(max(1, round((self._max_gap_s - quiet_s) * 1000)))

    def _release_held(self) -> None:
        """Deliver held keys to the field they were meant for (unless it was overlong noise)."""
        held, self._held = self._held, None
        if held is None or held.truncated or not shiboken6.isValid(held.widget):
            return
        self._replaying = True
        try:
            for key in held.keys:
                replay = QKeyEvent(QEvent.Type.KeyPress, key.key, key.modifiers, key.text)
                QCoreApplication.sendEvent(held.widget, replay)
        finally:
            self._replaying = False


class ManualEntry(QLineEdit):
    """The station's visible scan field: a code typed by hand plus Enter becomes a scan."""

    def __init__(self, scan_input: ScanInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scan_input = scan_input
        self.setPlaceholderText(self.tr("Scan, or type a code and press Enter"))
        self.returnPressed.connect(self._on_return_pressed)

    def _on_return_pressed(self) -> None:
        text = self.text()
        self.clear()
        if text.strip():
            self._scan_input.submit_typed(text)

"""ScanInput driven the way a wedge scanner drives it: real key events, scanner-speed gaps.

The gaps between keys come from a fake clock handed to ScanInput, so "fast" and "slow" are
exact; the key events themselves still travel through Qt (shortcut override, focus widget,
event filter) like a scanner's do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import FrozenInstanceError, dataclass

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.scanner import GS, ManualEntry, RawScan, ScanInput

SCANNER_GAP = 0.008  # 8 ms between keys: a typical USB wedge scanner
TYPING_GAP = 0.25  # a person
GTIN = "4006381333931"


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Station:
    window: QWidget
    search: QLineEdit
    confirm: QPushButton
    manual: ManualEntry
    scanner: ScanInput
    clock: FakeClock
    scans: list[RawScan]

    def focus(self, widget: QWidget) -> None:
        widget.setFocus()
        assert self.window.focusWidget() is widget

    def target(self) -> QWidget:
        return self.window.focusWidget() or self.window

    def press(self, char: str, gap: float) -> None:
        """One character, as a scanner sends it, to whatever has focus."""
        self.clock.advance(gap)
        target = self.target()
        if char == GS:
            QTest.sendKeyEvent(
                QTest.KeyAction.Click,
                target,
                Qt.Key.Key_BracketRight,
                GS,
                Qt.KeyboardModifier.ControlModifier,
            )
        elif char < " ":  # other controls as Ctrl+letter: RS is Ctrl+^, EOT is Ctrl+D
            key = Qt.Key(ord(char) + 64)
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, target, key, char, Qt.KeyboardModifier.ControlModifier
            )
        elif char.isupper():  # scanners hold Shift for capitals, like a keyboard
            key = Qt.Key(ord(char))
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, target, key, char, Qt.KeyboardModifier.ShiftModifier
            )
        else:
            QTest.keyClicks(target, char)

    def key(self, key: Qt.Key, gap: float) -> None:
        self.clock.advance(gap)
        QTest.keyClick(self.target(), key)

    def type(self, text: str, gap: float, end: Qt.Key | None = Qt.Key.Key_Return) -> None:
        """Characters `gap` seconds apart, then the terminator after the same gap."""
        for char in text:
            self.press(char, gap)
        if end is not None:
            self.key(end, gap)


@pytest.fixture
def station(qtbot: QtBot) -> Iterator[Station]:
    window = QWidget()
    search = QLineEdit()
    search.setObjectName("search")
    confirm = QPushButton("Confirm")
    clock = FakeClock()
    scanner = ScanInput(window, clock=clock)
    manual = ManualEntry(scanner)
    layout = QVBoxLayout(window)
    for widget in (search, confirm, manual):
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    scans: list[RawScan] = []
    scanner.scanned.connect(scans.append)
    yield Station(window, search, confirm, manual, scanner, clock, scans)
    scanner.set_enabled(False)


def test_scan_with_focus_on_a_button_is_captured(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    with (
        qtbot.assertNotEmitted(station.confirm.clicked),
        qtbot.waitSignal(station.scanner.scanned) as blocker,
    ):
        station.type(GTIN, SCANNER_GAP)
    scan = blocker.args[0]
    assert scan.text == GTIN
    assert scan.by_scanner is True
    assert scan.truncated is False
    assert scan.duration_ms == pytest.approx(len(GTIN) * SCANNER_GAP * 1000)
    assert station.scans == [scan]


def test_gs1_scan_keeps_aim_prefix_and_group_separators(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    code = f"]C101095011010209171719050810ABCD1234{GS}2110|21X"
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type(code, SCANNER_GAP)
    assert blocker.args[0].text == code  # GS kept exactly, the `|` substitute left as typed


def test_gs_sent_as_plain_text_or_as_ctrl_bracket_both_count(
    station: Station, qtbot: QtBot
) -> None:
    station.focus(station.confirm)
    target = station.target()
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        for char in "]C110AB":
            station.press(char, SCANNER_GAP)
        station.clock.advance(SCANNER_GAP)  # GS as a bare character, no modifier
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, target, Qt.Key.Key_unknown, GS, Qt.KeyboardModifier.NoModifier
        )
        station.clock.advance(SCANNER_GAP)  # Ctrl+], where the platform attaches "]" as text
        QTest.keyClick(target, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
        station.type("2112", SCANNER_GAP)
    assert blocker.args[0].text == f"]C110AB{GS}{GS}2112"


def test_other_control_characters_inside_a_scan_are_kept(station: Station, qtbot: QtBot) -> None:
    rs, eot = "\x1e", "\x04"
    envelope = f"[)>{rs}06{GS}1PABC-1{rs}{eot}"  # an ISO/IEC 15434 2D code
    for focus in (station.confirm, station.search):
        station.focus(focus)
        with qtbot.waitSignal(station.scanner.scanned) as blocker:
            station.type(envelope, SCANNER_GAP)
        assert blocker.args[0].text == envelope
    assert station.search.text() == ""


def test_ctrl_keys_outside_a_scan_keep_their_meaning(station: Station, qtbot: QtBot) -> None:
    copy = QShortcut(QKeySequence("Ctrl+K"), station.window)
    station.focus(station.confirm)
    with qtbot.waitSignal(copy.activated), qtbot.assertNotEmitted(station.scanner.scanned):
        station.press("\x0b", TYPING_GAP)  # Ctrl+K
        station.key(Qt.Key.Key_Return, TYPING_GAP)
    station.search.setText("old search")
    station.focus(station.search)
    station.press("\x01", TYPING_GAP)  # Ctrl+A selects all in the field
    assert station.search.selectedText() == "old search"


def test_scan_into_a_line_edit_is_emitted_and_leaves_it_clean(
    station: Station, qtbot: QtBot
) -> None:
    station.search.setText("keep")
    station.focus(station.search)
    with (
        qtbot.assertNotEmitted(station.search.textChanged),
        qtbot.assertNotEmitted(station.search.returnPressed),
        qtbot.waitSignal(station.scanner.scanned) as blocker,
    ):
        station.type(f"]C101{GS}10LOT7", SCANNER_GAP)
    assert blocker.args[0] == RawScan(
        f"]C101{GS}10LOT7", True, blocker.args[0].started, blocker.args[0].duration_ms
    )
    assert station.search.text() == "keep"


@pytest.mark.parametrize(
    ("text", "gap", "echo"),
    [
        ("Hello 42", TYPING_GAP, QLineEdit.EchoMode.Normal),  # a person typing a search
        ("12", SCANNER_GAP, QLineEdit.EchoMode.Normal),  # fast, but too short for a code
        ("4711", SCANNER_GAP, QLineEdit.EchoMode.Password),  # a quick PIN is never a scan
    ],
    ids=["slow", "short", "password"],
)
def test_typing_into_a_line_edit_stays_there_and_enter_is_not_a_scan(
    station: Station, qtbot: QtBot, text: str, gap: float, echo: QLineEdit.EchoMode
) -> None:
    station.search.setEchoMode(echo)
    station.focus(station.search)
    with (
        qtbot.assertNotEmitted(station.scanner.scanned),
        qtbot.waitSignal(station.search.returnPressed),
    ):
        station.type(text, gap)
    assert station.search.text() == text


def test_a_held_key_reaches_the_line_edit_after_a_pause(station: Station, qtbot: QtBot) -> None:
    station.focus(station.search)
    station.press("a", TYPING_GAP)
    station.press("b", SCANNER_GAP)  # a fast pair: held until a pause shows it is typing
    assert station.search.text() == ""
    station.clock.advance(TYPING_GAP)  # the pause, as the held keys' timer will see it
    qtbot.waitUntil(lambda: station.search.text() == "ab", timeout=1000)
    assert station.scans == []


def test_editing_keys_keep_their_order_behind_held_keys(station: Station) -> None:
    station.focus(station.search)
    station.type("abc", SCANNER_GAP, end=Qt.Key.Key_Backspace)
    station.press("d", TYPING_GAP)
    station.key(Qt.Key.Key_Return, TYPING_GAP)
    assert station.search.text() == "abd"
    assert station.scans == []


def test_slow_typing_elsewhere_then_enter_is_a_typed_scan(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    with (
        qtbot.assertNotEmitted(station.confirm.clicked),
        qtbot.waitSignal(station.scanner.scanned) as blocker,
    ):
        station.type("A03-12-2", TYPING_GAP)
    scan = blocker.args[0]
    assert (scan.text, scan.by_scanner) == ("A03-12-2", False)
    assert scan.duration_ms == pytest.approx(8 * TYPING_GAP * 1000)


def test_tab_ends_a_scan(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type(GTIN, SCANNER_GAP, end=Qt.Key.Key_Tab)
    assert blocker.args[0].text == GTIN
    assert station.window.focusWidget() is station.confirm  # the Tab did not move focus


def test_tab_is_plain_navigation_when_configured_off(qtbot: QtBot, station: Station) -> None:
    station.scanner.set_enabled(False)
    scanner = ScanInput(station.window, tab_ends_scan=False, clock=station.clock)
    scans: list[RawScan] = []
    scanner.scanned.connect(scans.append)
    station.focus(station.confirm)
    station.type("TOTE-0042", SCANNER_GAP, end=Qt.Key.Key_Tab)
    assert scans == []
    assert station.window.focusWidget() is station.manual  # Tab moved on, as in any form
    station.focus(station.confirm)
    station.clock.advance(2.0)
    station.type("TOTE-0042", SCANNER_GAP)
    assert [s.text for s in scans] == ["TOTE-0042"]


def test_empty_enter_is_no_scan_and_reaches_the_widget(station: Station, qtbot: QtBot) -> None:
    station.manual.setText("   ")  # blank: the manual field does not submit it either
    with qtbot.assertNotEmitted(station.scanner.scanned):
        station.focus(station.confirm)
        station.key(Qt.Key.Key_Return, TYPING_GAP)
        station.focus(station.manual)
        station.key(Qt.Key.Key_Return, TYPING_GAP)
        station.focus(station.search)
        with qtbot.waitSignal(station.search.returnPressed):
            station.key(Qt.Key.Key_Return, TYPING_GAP)


def test_space_still_clicks_a_button_but_is_kept_inside_a_scan(
    station: Station, qtbot: QtBot
) -> None:
    station.focus(station.confirm)
    with qtbot.waitSignal(station.confirm.clicked):
        station.key(Qt.Key.Key_Space, TYPING_GAP)
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type("AB CD 12", SCANNER_GAP)
    assert blocker.args[0].text == "AB CD 12"


def test_ten_kilobytes_of_noise_is_bounded_and_flagged(station: Station, qtbot: QtBot) -> None:
    noise = "".join("0123456789ABCDEFGHIJ"[(i * 7) % 20] for i in range(10_240))
    for focus in (station.confirm, station.search):
        station.focus(focus)
        with qtbot.waitSignal(station.scanner.scanned) as blocker:
            for char in noise:  # plain key presses: ten thousand of them, sent like a scanner
                station.clock.advance(SCANNER_GAP)
                event = QKeyEvent(
                    QEvent.Type.KeyPress, Qt.Key(ord(char)), Qt.KeyboardModifier.NoModifier, char
                )
                QApplication.sendEvent(focus, event)
            station.key(Qt.Key.Key_Return, SCANNER_GAP)
        scan = blocker.args[0]
        assert scan.truncated is True
        assert scan.text == noise[:4096]
    assert len(station.scans) == 2
    assert station.search.text() == ""


def test_disabled_scan_input_emits_nothing_and_keys_go_to_widgets(
    station: Station, qtbot: QtBot
) -> None:
    station.scanner.set_enabled(False)
    assert station.scanner.enabled is False
    station.focus(station.search)
    with qtbot.assertNotEmitted(station.scanner.scanned):
        station.type(GTIN, SCANNER_GAP)
        station.focus(station.confirm)
        station.type(GTIN, SCANNER_GAP)
        station.manual.setText("typed")
        station.focus(station.manual)
        station.key(Qt.Key.Key_Return, TYPING_GAP)
    assert station.search.text() == GTIN
    station.scanner.enabled = True
    with qtbot.waitSignal(station.scanner.scanned):
        station.type(GTIN, SCANNER_GAP)


def test_silence_clears_a_half_finished_burst(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    station.type("40063", SCANNER_GAP, end=None)  # the scanner stopped mid-code
    station.clock.advance(1.5)
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type("9", TYPING_GAP)
    assert (blocker.args[0].text, blocker.args[0].by_scanner) == ("9", False)
    station.type("40063", SCANNER_GAP, end=None)
    station.clock.advance(1.5)
    with qtbot.assertNotEmitted(station.scanner.scanned):
        station.key(Qt.Key.Key_Return, TYPING_GAP)  # nothing left for a late Enter to end


def test_a_stray_key_before_a_scan_is_dropped_from_it(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    station.press("x", TYPING_GAP)
    station.clock.advance(3.0)
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type(GTIN, SCANNER_GAP)
    assert (blocker.args[0].text, blocker.args[0].by_scanner) == (GTIN, True)


def test_an_auto_repeating_key_is_not_a_scanner(station: Station, qtbot: QtBot) -> None:
    station.focus(station.confirm)
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        for _ in range(8):
            station.clock.advance(SCANNER_GAP)  # a held-down key repeats at scanner speed
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_0, Qt.KeyboardModifier.NoModifier, "0", True
            )
            QApplication.sendEvent(station.confirm, event)
        station.key(Qt.Key.Key_Return, SCANNER_GAP)
    assert (blocker.args[0].text, blocker.args[0].by_scanner) == ("00000000", False)


def test_one_letter_shortcuts_do_not_fire_mid_scan_but_function_keys_do(
    station: Station, qtbot: QtBot
) -> None:
    letter = QShortcut(QKeySequence("C"), station.window)
    function = QShortcut(QKeySequence("F2"), station.window)
    station.focus(station.confirm)
    with qtbot.assertNotEmitted(letter.activated), qtbot.waitSignal(station.scanner.scanned):
        station.type("CARTON-77", SCANNER_GAP)
    with qtbot.waitSignal(function.activated):
        station.key(Qt.Key.Key_F2, TYPING_GAP)


def test_keys_for_another_window_are_left_alone(station: Station, qtbot: QtBot) -> None:
    dialog = QLineEdit()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.assertNotEmitted(station.scanner.scanned):
        for char in GTIN:
            station.clock.advance(SCANNER_GAP)
            QTest.keyClicks(dialog, char)
        QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.text() == GTIN


def test_manual_entry_typed_code_gives_the_same_signal(station: Station, qtbot: QtBot) -> None:
    station.focus(station.manual)
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type("ORD-10017", TYPING_GAP)
    assert (blocker.args[0].text, blocker.args[0].by_scanner) == ("ORD-10017", False)
    assert station.manual.text() == ""
    with qtbot.waitSignal(station.scanner.scanned) as blocker:
        station.type(f"]C101{GS}17", SCANNER_GAP)  # scanned while the field has focus
    assert (blocker.args[0].text, blocker.args[0].by_scanner) == (f"]C101{GS}17", True)
    assert station.manual.text() == ""


def test_raw_scan_is_frozen() -> None:
    scan = RawScan("A", False, 0.0, 0.0)
    with pytest.raises(FrozenInstanceError):
        scan.text = "B"  # type: ignore[misc]

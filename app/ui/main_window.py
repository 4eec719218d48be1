"""The station window: feedback band on top, the role's screens below, status bar at the bottom.

Every scan comes in through one ScanInput, is classified once, and is handed to the screen
showing. A badge scan logs in (or switches operator) from anywhere.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.db.engine import answers
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind, ScanRejected
from app.services.actor import Actor
from app.services.masterdata.operators import badge_login
from app.ui.outbox_relay import OutboxLine, OutboxRelay
from app.ui.scanner import RawScan, ScanInput
from app.ui.screens.base import Screen
from app.ui.screens.dashboard import DashboardScreen
from app.ui.screens.dock import DockScreen
from app.ui.screens.login import LoginScreen
from app.ui.screens.lookup import LookupScreen
from app.ui.screens.order_desk import OrderDeskScreen
from app.ui.screens.packing.screen import PackingScreen
from app.ui.screens.picking import PickingScreen
from app.ui.screens.prints import PrintsScreen
from app.ui.screens.sorting import SortingScreen
from app.ui.settings import IDLE_LOGOUT_MINUTES, SOUND_ON, STATION_ROLE, TAB_ENDS_SCAN
from app.ui.settings_dialog import SettingsDialog
from app.ui.station import StationContext

log = logging.getLogger(__name__)
PING_MS = 10_000
# Screens are F1-F4, then F10 and F11: F5-F9 belong to the screens' own actions (take a list,
# count, short, pause), and F12 logs out. The dock follows packing on Shift+F3, the dashboard
# follows the order desk on Shift+F4.
NAVIGATION_KEYS = ("F1", "F2", "F3", "Shift+F3", "F4", "Shift+F4", "F10", "F11")
IDLE_CHECK_MS = 5_000
_ACTIVITY = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel)


class MainWindow(QMainWindow):
    """One station: log in by badge, then the screens the operator's role may use."""

    reachable = Signal(bool)  # emitted from the ping thread, delivered on the GUI thread

    def __init__(self, station: StationContext) -> None:
        super().__init__()
        self.station = station
        self.setWindowTitle(f"Baton · {station.station_name}")
        self.login = LoginScreen(station)
        self.login.logged_in.connect(self.log_in)
        self.screens: list[Screen] = [
            PickingScreen(station),
            SortingScreen(station),
            PackingScreen(station),
            DockScreen(station),
            OrderDeskScreen(station),
            DashboardScreen(station),
            LookupScreen(station),
            PrintsScreen(station),
        ]
        self.stack = QStackedWidget()
        self.stack.addWidget(self.login)
        for screen in self.screens:
            self.stack.addWidget(screen)

        self.nav = QHBoxLayout()
        self.nav.setSpacing(2)
        self.nav_buttons: dict[str, QPushButton] = {}
        for key, screen in zip(NAVIGATION_KEYS, self.screens, strict=True):
            button = QPushButton(f"{screen.title} [{key.replace('Shift+', '⇧')}]")
            button.setProperty("nav", True)  # eight screens and two buttons fit 1280 px
            button.clicked.connect(lambda _=False, s=screen: self.show_screen(s))
            QShortcut(QKeySequence(key), self, activated=lambda s=screen: self.show_screen(s))
            self.nav_buttons[screen.title] = button
            self.nav.addWidget(button)
        self.nav.addStretch(1)
        self.settings_button = QPushButton("Settings")
        self.settings_button.setProperty("nav", True)
        self.settings_button.clicked.connect(self._on_settings)
        self.logout_button = QPushButton("Log out [F12]")
        self.logout_button.setProperty("nav", True)
        self.logout_button.clicked.connect(self.log_out)
        QShortcut(QKeySequence("F12"), self, activated=self.log_out)
        self.nav.addWidget(self.settings_button)
        self.nav.addWidget(self.logout_button)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(station.feedback.band)
        layout.addLayout(self.nav)
        # A supervisor's station relays customer messages and says when some failed.
        self.outbox_line = OutboxLine()
        self.outbox_relay = OutboxRelay(station, self)
        self.outbox_relay.state.connect(self.outbox_line.show_state)
        layout.addWidget(self.outbox_line)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.operator_label = QLabel()
        self.database_label = QLabel()
        self.reachable_label = QLabel()
        for label in (self.operator_label, self.database_label, self.reachable_label):
            self.statusBar().addPermanentWidget(label)
        self.database_label.setText(f"Database: {station.database.description}")

        self.scanner = ScanInput(self, tab_ends_scan=station.settings.get(TAB_ENDS_SCAN))
        self.scanner.scanned.connect(self._on_scanned)
        station.on_data_changed.append(self._on_data_changed)

        # Idle logout: any key, click or wheel in this window counts as activity; a timer
        # looks every few seconds whether the operator has been away too long.
        self._last_activity = time.monotonic()
        self.idle = QTimer(self)
        self.idle.setInterval(IDLE_CHECK_MS)
        self.idle.timeout.connect(self._on_idle_check)
        self.idle.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.reachable.connect(self._show_reachable)
        self._ping = QTimer(self)
        self._ping.timeout.connect(self.check_database)
        self._ping.start(PING_MS)
        self.check_database()
        self.log_out()

    # -- who is here --------------------------------------------------------------------
    def log_in(self, actor: Actor) -> None:
        """Open the screens the operator's role may use."""
        self.station.actor = actor
        self.station.reload_patterns()  # a supervisor may have changed them since
        allowed = self.allowed_screens()
        for screen in self.screens:
            self.nav_buttons[screen.title].setVisible(screen in allowed)
        for button in (self.settings_button, self.logout_button):
            button.setVisible(True)
        self._show_operator(actor)
        self._relay_outbox(actor)
        self._restart_idle()
        self.idle.start()  # log_out stopped it: nobody to log out then
        self.show_screen(self.first_screen(allowed))
        self.station.feedback.ok(f"Welcome, {actor.name}.")

    def _relay_outbox(self, actor: Actor | None) -> None:
        """Relay customer messages while a supervisor is logged in, and show what failed."""
        if actor is not None and actor.role is Role.SUPERVISOR:
            self.outbox_relay.start()
            return
        self.outbox_relay.stop()
        self.outbox_line.hide()

    def _show_operator(self, actor: Actor) -> None:
        station = self.station.station_name
        self.operator_label.setText(
            f"Operator: {actor.name} ({actor.role.value}) · Station: {station}"
        )

    def log_out(self) -> None:
        self.station.actor = None
        self._relay_outbox(None)
        self.station.reload_patterns()
        for button in (*self.nav_buttons.values(), self.settings_button, self.logout_button):
            button.setVisible(False)
        self.operator_label.setText(f"Station {self.station.station_name}: nobody logged in")
        self.idle.stop()
        self.station.feedback.band.release_height()
        self.stack.setCurrentWidget(self.login)
        self.login.activate()

    def allowed_screens(self) -> list[Screen]:
        """The screens the operator's role may use, in the window's order."""
        actor = self.station.actor
        if actor is None:
            return []
        return [s for s in self.screens if actor.role in s.roles]

    def first_screen(self, allowed: list[Screen]) -> Screen:
        """Where an operator lands: the station's role screen if set, else the screen most
        particular to the operator's role (a picker's is Picking, a supervisor's the desk)."""
        try:
            preferred = Role(self.station.settings.get(STATION_ROLE))
        except ValueError:
            preferred = None
        return min(
            allowed,
            key=lambda s: (preferred is not None and preferred not in s.roles, len(s.roles)),
        )

    def show_screen(self, screen: Screen) -> None:
        if self.station.actor is None:
            self.station.feedback.error("Scan your badge first.")
            return
        if screen not in self.allowed_screens():
            self.station.feedback.error(f"{screen.title} is not open to your role.")
            return
        for title, button in self.nav_buttons.items():
            button.setProperty("current", title == screen.title)
            button.style().polish(button)
        self.station.feedback.band.release_height()
        self.stack.setCurrentWidget(screen)
        screen.activate()

    @property
    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    # -- scans --------------------------------------------------------------------------
    def _on_scanned(self, raw: RawScan) -> None:
        self._restart_idle()
        if self.station.actor is not None and self.current_screen.take_typed(raw.text):
            return
        result = self.station.classify(raw.text)
        if isinstance(result, ScanRejected):
            self.station.feedback.error(result.reason)
            self.station.unknown_scan(self.current_screen.stage, raw.text, result.reason)
            return
        if result.kind is ScanKind.BADGE and not raw.by_scanner:
            # A typed badge id is not a badge: anyone can read one. It needs the PIN.
            if self.station.actor is not None:
                self.station.feedback.attention(
                    "Scan your badge to switch operator (or log out and type badge and PIN)."
                )
                return
            self.login.ask_pin_for(result.code)
            return
        if result.kind is ScanKind.BADGE and self.station.actor is not None:
            if self.current_screen.wants_badge():
                self.current_screen.on_scan(result)  # a supervisor approving, not a login
                return
            self._switch_operator(result)
            return
        self.current_screen.on_scan(result)

    def _switch_operator(self, scan: Scan) -> None:
        """A badge scanned while someone is logged in: the same badge logs out, another switches."""
        actor = self.station.actor
        assert actor is not None
        other = self.station.read(lambda s: badge_login(s, scan.code, actor.station))
        if other is None:
            return
        if other.operator_id == actor.operator_id:
            self.log_out()
            self.station.feedback.ok(f"Goodbye, {actor.name}.")
        else:
            self.log_in(other)

    # -- housekeeping -------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        for screen in self.screens:
            screen.shutdown()
        # A closed station watches nothing: no ping of a database that may be gone next.
        self._ping.stop()
        self.idle.stop()
        self.outbox_relay.stop()
        super().closeEvent(event)

    def _restart_idle(self) -> None:
        self._last_activity = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in _ACTIVITY
            and isinstance(watched, QWidget)
            and shiboken6.isValid(self)
            and watched.window() is self
        ):
            self._last_activity = time.monotonic()
        return False

    def _on_idle_check(self) -> None:
        minutes = self.station.settings.get(IDLE_LOGOUT_MINUTES)
        if self.station.actor is None or minutes <= 0:
            return
        if time.monotonic() - self._last_activity >= minutes * 60:
            name = self.station.actor.name
            self.log_out()
            self.station.feedback.attention(f"{name} was logged out after being idle.")

    def _on_data_changed(self) -> None:
        screen = self.stack.currentWidget()
        if isinstance(screen, OrderDeskScreen | PrintsScreen):
            screen.refresh()

    def _on_settings(self) -> None:
        if SettingsDialog(self, self.station).exec():
            self.apply_settings()

    def apply_settings(self) -> None:
        """Make saved workstation settings take effect now, without a restart."""
        settings = self.station.settings
        self.station.feedback.sound.enabled = settings.get(SOUND_ON)
        self.scanner.tab_ends_scan = settings.get(TAB_ENDS_SCAN)
        self.setWindowTitle(f"Baton · {self.station.station_name}")
        actor = self.station.actor
        if actor is not None:
            self.station.actor = replace(actor, station=self.station.station_name)
            self._show_operator(actor)

    def check_database(self) -> None:
        """Show in the status bar whether the database answers (asked off the GUI thread);
        once the database is closed the checks stop."""
        database, reachable = self.station.database, self.reachable
        if database.closed:
            self._ping.stop()
            return

        def ping() -> None:
            if database.closed:  # closed while this waited for a thread
                return
            ok = answers(database.engine)
            if database.closed or not shiboken6.isValid(self):
                return  # nobody is left to tell
            with contextlib.suppress(RuntimeError):  # the window went in between
                reachable.emit(ok)

        QThreadPool.globalInstance().start(ping)

    def _show_reachable(self, ok: bool) -> None:
        self.reachable_label.setText("● connected" if ok else "● DATABASE NOT REACHABLE")
        self.reachable_label.setStyleSheet(
            "color: #1b7f3b; font-weight: 700;" if ok else "color: #c62828; font-weight: 700;"
        )

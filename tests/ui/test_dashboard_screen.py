"""The supervisor's dashboard driven by keys: Shift+F4 opens it, F5 reads the floor again; a
picker has no dashboard, and a picker's station never loads the charts' library."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order
from app.ui.feedback import FeedbackLevel
from app.ui.harness import settle, type_scan
from app.ui.main_window import MainWindow
from app.ui.screens import dashboard as dashboard_module
from app.ui.screens.dashboard import DashboardScreen
from tests.ui.helpers import band

SUPERVISOR, PICKER = "OP-9001", "OP-1001"
WAIT_MS = 15_000


def open_dashboard(qtbot: QtBot, window: MainWindow) -> DashboardScreen:
    """Shift+F4, as a supervisor presses it, and the first figures read."""
    screen = next(s for s in window.screens if isinstance(s, DashboardScreen))
    with qtbot.waitSignal(screen.refreshed, timeout=WAIT_MS):
        QTest.keyClick(
            window.focusWidget() or window, Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier
        )
    settle()
    assert window.current_screen is screen
    return screen


def press_f5(qtbot: QtBot, window: MainWindow, screen: DashboardScreen) -> None:
    with qtbot.waitSignal(screen.refreshed, timeout=WAIT_MS):
        QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F5)
    settle()


def count(database: Database, status: str) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).where(Order.status == status)) or 0


def make_one_late(database: Database) -> None:
    """The first READY order's ship-by half an hour ago."""
    with unit_of_work(database.sessions) as session:
        first = session.scalar(
            select(Order.id).where(Order.status == "READY").order_by(Order.id).limit(1)
        )
        session.execute(
            update(Order)
            .where(Order.id == first)
            .values(ship_by=clock.now() - timedelta(minutes=30))
        )


def test_a_supervisor_opens_the_dashboard_with_shift_f4(
    qtbot: QtBot, window: MainWindow, database: Database
) -> None:
    type_scan(window, SUPERVISOR)
    assert window.nav_buttons["Dashboard"].isVisibleTo(window)
    assert window.nav_buttons["Dashboard"].text() == "Dashboard [⇧F4]"
    screen = open_dashboard(qtbot, window)
    ready, released = count(database, "READY"), count(database, "RELEASED")
    assert ready and released  # the demo floor has both
    assert screen.tiles["ready"].text().startswith(f"ready · {ready} · ")
    assert screen.tiles["released"].text().startswith(f"released · {released} · ")
    assert screen.forecast.text().startswith("Next pickup ")
    assert screen.charts and "pyqtgraph" in sys.modules  # drawn now, loaded on first show
    assert [screen.refusals.item(r, 0).text() for r in range(2)] == [
        "wrong location",
        "wrong item",
    ]
    assert screen.dock.rowCount() >= 1  # the demo's cartons waiting at the dock
    assert screen.timer.isActive()  # it refreshes by itself while it shows
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F4)  # back to the desk
    assert window.current_screen.title == "Order desk"
    assert not screen.timer.isActive()  # nobody looks: no reads


def test_f5_picks_up_an_order_gone_late(
    qtbot: QtBot, window: MainWindow, database: Database
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_dashboard(qtbot, window)
    assert "late" not in screen.tiles["ready"].text()
    make_one_late(database)
    press_f5(qtbot, window, screen)
    shown = screen.tiles["ready"].text()
    assert shown.startswith(f"ready · {count(database, 'READY')} · 1 late"), shown


def test_it_refreshes_by_itself(qtbot: QtBot, window: MainWindow, database: Database) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_dashboard(qtbot, window)
    make_one_late(database)
    screen.timer.setInterval(200)  # every few seconds on the floor; faster here
    qtbot.waitUntil(lambda: " · 1 late" in screen.tiles["ready"].text(), timeout=WAIT_MS)


def test_a_failed_read_shows_a_quiet_amber_line_and_keeps_the_figures(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_scan(window, SUPERVISOR)
    screen = open_dashboard(qtbot, window)
    shown = screen.tiles["ready"].text()

    def unreachable(*_args: object) -> None:
        raise ConnectionError("the database server went away")

    monkeypatch.setattr(dashboard_module, "floor_snapshot", unreachable)
    press_f5(qtbot, window, screen)
    assert screen.problem.isVisibleTo(window)
    assert screen.problem.text().startswith("Dashboard not refreshed: the database did not answer")
    assert "Traceback" not in screen.problem.text()
    assert screen.tiles["ready"].text() == shown
    assert band(window)[0] is FeedbackLevel.OK  # the station's band is not taken over


def test_a_picker_has_no_dashboard(window: MainWindow) -> None:
    type_scan(window, PICKER)
    assert not window.nav_buttons["Dashboard"].isVisibleTo(window)
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
    assert band(window) == (FeedbackLevel.ERROR, "Dashboard is not open to your role.")
    assert window.current_screen.title == "Picking"


STARTUP = """
import sys
from app.ui.harness import demo_station, type_scan
with demo_station({url!r}, size=(1280, 800)) as harness:
    type_scan(harness.window, "OP-1001")
    assert harness.window.current_screen.title == "Picking", harness.window.current_screen.title
    print("pyqtgraph" in sys.modules, "numpy" in sys.modules)
"""


@pytest.mark.usefixtures("window")
def test_a_pickers_station_never_loads_the_charts_library(
    database: Database, tmp_path: Path
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("start-up imports do not depend on the database")
    url = database.engine.url.render_as_string(hide_password=False)
    ran = subprocess.run(
        [sys.executable, "-c", STARTUP.format(url=url)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["False", "False"]

"""Station windows on a copy of the demo floor, shared by the screen tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo
from app.ui.app import build_station
from app.ui.main_window import MainWindow
from app.ui.settings import PDF_FOLDER, SOUND_ON, WorkstationSettings


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo floor, seeded once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = open_database(DatabaseChoice(f"sqlite:///{path}", embedded_default=True))
    seed_demo(database.sessions, Actor.command_line("demo"))
    database.close()
    return path


@pytest.fixture
def database(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "floor.sqlite3"
    shutil.copy(demo_file, copy)
    db = open_database(DatabaseChoice(f"sqlite:///{copy}", embedded_default=True))
    yield db
    db.close()


@pytest.fixture
def open_station(qtbot: QtBot, database: Database, tmp_path: Path) -> Callable[[], MainWindow]:
    """Opens a station window (1280x800, a cart PC) on the floor; call again for another one."""

    def make() -> MainWindow:
        folder = tmp_path / f"station-{len(list(tmp_path.glob('station-*')))}"
        folder.mkdir()
        settings = WorkstationSettings(folder / "station.ini")
        settings.set(SOUND_ON, False)
        settings.set(PDF_FOLDER, str(tmp_path / "pdf"))
        win = MainWindow(build_station(database, settings))
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        win.activateWindow()
        qtbot.waitExposed(win)
        return win

    return make


@pytest.fixture
def window(open_station: Callable[[], MainWindow]) -> MainWindow:
    return open_station()

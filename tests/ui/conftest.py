"""Station windows on a copy of the demo floor, shared by the screen tests.

The screen tests take `database` (or `window`, built on it) and run twice: on a copy of the
seeded floor in an SQLite file, and on a copy on the PostgreSQL server named by
BATON_TEST_POSTGRES_URL (skipped with the reason shown without it). Each floor is seeded once
per session and database; a test gets a copy, which takes a fraction of the time seeding does:
the SQLite file copied, or on PostgreSQL a new database made from the seeded one as its template
(CREATE DATABASE ... TEMPLATE, about 0.1 s where seeding takes 5 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
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
from tests.conftest import NO_POSTGRES, POSTGRES_URL, postgres_database
from tests.ui.helpers import floor_copy

Seeder = Callable[[Database], None]


def seed_demo_floor(database: Database) -> None:
    """The demo floor as `baton demo` seeds it."""
    seed_demo(database.sessions, Actor.command_line("demo"))


class FloorTemplates:
    """Seeded floors kept for the session, one per seeder and database, to copy from."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._floors: dict[tuple[str, Seeder], Database] = {}
        self._stack = ExitStack()

    def template(self, backend: str, seeder: Seeder) -> Database:
        """The floor `seeder` makes on `backend`, seeded the first time it is asked for."""
        key = (backend, seeder)
        if key not in self._floors:
            if backend == "sqlite":
                path = self._folder / f"template-{len(self._floors)}.sqlite3"
                url = f"sqlite:///{path}"
            else:
                url = self._stack.enter_context(postgres_database())
            database = open_database(DatabaseChoice(url, embedded_default=True))
            self._stack.callback(database.close)  # closed before it is dropped
            seeder(database)
            self._floors[key] = database
        return self._floors[key]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def floors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FloorTemplates]:
    templates = FloorTemplates(tmp_path_factory.mktemp("floors"))
    yield templates
    templates.close()


@pytest.fixture(scope="session")
def seed_floor() -> Seeder:
    """How the screen tests' floor is seeded; a test module may override it."""
    return seed_demo_floor


@pytest.fixture(scope="session")
def demo_file(floors: FloorTemplates) -> Path:
    """The demo floor's SQLite file; a test copies it before changing anything."""
    template = floors.template("sqlite", seed_demo_floor)
    with template.engine.connect() as connection:  # every commit in the file itself
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(str(template.engine.url.database))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, floors: FloorTemplates, seed_floor: Seeder, tmp_path: Path
) -> Iterator[Database]:
    """A copy of the seeded floor: an SQLite file, or a new PostgreSQL database."""
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with floor_copy(floors.template(request.param, seed_floor), tmp_path) as copy:
        yield copy


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

"""Starting the station app: database, settings, window, and a safety net for the unexpected."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from platformdirs import user_log_path
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.exc import OperationalError

from app.config import DATABASE_URL_ENV, resolve_database
from app.db.database import Database, open_database
from app.db.schema import SchemaMismatch
from app.services.actor import Actor
from app.services.demo.seeding import demo_is_seeded, seed_demo
from app.services.masterdata.warehouse import scan_patterns
from app.ui.feedback import Feedback
from app.ui.main_window import MainWindow
from app.ui.settings import SOUND_ON, WorkstationSettings
from app.ui.station import StationContext
from app.ui.style import STYLESHEET

log = logging.getLogger("baton")


def build_station(database: Database, settings: WorkstationSettings) -> StationContext:
    """The shared state of one station window, with the warehouse's scan patterns."""
    feedback = Feedback()
    feedback.sound.enabled = settings.get(SOUND_ON)
    with database.sessions() as session:
        patterns = scan_patterns(session)
    return StationContext(database, settings, feedback, patterns)


def application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication with the station's large type and stylesheet (created once)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "baton", *argv])
    app.setApplicationName("Baton")
    app.setOrganizationName("Baton")
    font = QFont(app.font())
    font.setPointSize(13)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
    return app


def run(argv: Sequence[str] | None = None) -> int:
    """`python main.py [--demo] [--database URL]`: start a station."""
    parser = argparse.ArgumentParser(prog="main.py", description="Start a Baton station.")
    parser.add_argument("--demo", action="store_true", help="seed the demo warehouse if empty")
    parser.add_argument(
        "--database", metavar="URL", help=f"database URL (default ${DATABASE_URL_ENV})"
    )
    parser.add_argument("--settings", type=Path, help="workstation settings file (INI)")
    args = parser.parse_args(argv)
    # Qt Multimedia lists every codec library it cannot find; a station's terminal needs none of it.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
    log_file = _setup_logging()
    app = application()
    try:
        database = open_database(resolve_database(args.database))
        if args.demo:
            with database.sessions() as session:
                seeded = demo_is_seeded(session)
            if not seeded:
                seed_demo(database.sessions, Actor.command_line("demo"))
    except SchemaMismatch as exc:
        return _refuse(str(exc))
    except OperationalError as exc:
        return _refuse(f"Cannot open the database: {str(exc.orig or exc).splitlines()[0]}")
    station = build_station(database, WorkstationSettings(args.settings))
    window = MainWindow(station)
    sys.excepthook = _safety_net(station, log_file)
    window.resize(1400, 900)
    window.showMaximized()
    keep_startup_out_of_collections()
    code = app.exec()
    database.close()
    return code


def keep_startup_out_of_collections() -> None:
    """Move what start-up built (modules, Qt wrappers, the mapped schema: most of the objects
    a station ever has) out of the garbage collector's sight. A full collection then looks at
    what scans create, a few ms, instead of every object the process holds: measured on the
    100,000-order station benchmark, a collection that landed inside a scan took 100 ms before,
    8-10 ms after."""
    gc.collect()
    gc.freeze()


def _setup_logging() -> Path:
    folder = user_log_path("baton", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    log_file = folder / "station.log"
    logging.basicConfig(
        filename=log_file,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return log_file


def _refuse(message: str) -> int:
    log.error(message)
    QMessageBox.critical(None, "Baton cannot start", message)
    print(f"baton: {message}", file=sys.stderr)
    return 2


def _safety_net(station: StationContext, log_file: Path):  # type: ignore[no-untyped-def]
    """An excepthook that logs the unexpected and tells the operator, instead of dying."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        station.feedback.error(
            f"Something went wrong ({kind.__name__}); it was logged in {log_file.name}."
        )

    return hook

"""The offscreen harness behind `baton replay` and `baton screenshot`: quiet, but not deaf."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import qWarning
from pytestqt.logging import QtLoggingPlugin

from app.ui.harness import ensure_offscreen

ROOT = Path(__file__).parents[2]


def test_offscreen_notes_are_dropped_and_real_warnings_kept(qtlog: QtLoggingPlugin) -> None:
    ensure_offscreen()
    qWarning("This plugin does not support propagateSizeHints()")
    qWarning("PulseAudioService: pa_context_connect() failed")
    qWarning("QPainter::begin: Paint device returned engine == 0, type: 2")
    assert [record.message for record in qtlog.records] == [
        "QPainter::begin: Paint device returned engine == 0, type: 2"
    ]


def test_a_replay_prints_nothing_on_stderr_but_what_went_wrong(
    demo_file: Path, tmp_path: Path
) -> None:
    floor = tmp_path / "floor.sqlite3"
    shutil.copy(demo_file, floor)
    script = tmp_path / "script.scans"
    script.write_text("OP-1001\nA01-01-1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())",
         "replay", str(script), "--screen", "lookup", "--database", f"sqlite:///{floor}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert "Location A01-01-1" in done.stdout

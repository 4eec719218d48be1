"""`baton kpi`: today by default, one line and exit 2 for times it cannot read (the figures
themselves: tests/services/test_kpi.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from app.cli import main

Capture = pytest.CaptureFixture[str]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'floor.sqlite3'}"


@pytest.fixture
def zurich(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Zurich")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_the_default_window_is_today_from_local_midnight(
    url: str, zurich: None, capsys: Capture
) -> None:
    # 05:30 UTC on a summer day is 07:30 in Zürich: today began at 22:00 UTC the day before.
    # A timestamp, not an aware datetime: time-machine would set the zone to UTC.
    moment = datetime(2026, 7, 14, 5, 30, tzinfo=UTC).timestamp()
    with time_machine.travel(moment, tick=False):
        code, out, _ = run(capsys, "--database", url, "kpi", "--json")
    figures = json.loads(out)
    assert code == 0
    assert (figures["from"], figures["to"]) == (
        "2026-07-14T00:00:00+02:00",
        "2026-07-14T07:30:00+02:00",
    )
    assert figures["orders_received"] == 0 and figures["on_time_ship_rate"] is None


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ("--from", "yesterday"),
            "--from: 'yesterday' is not an ISO date or time (e.g. 2026-12-07 or 2026-12-07T14:00)",
        ),
        (("--from", "2026-03-10T10:00", "--to", "2026-03-10T09:00"), "--to (2026-03-10T09:00:00"),
    ],
)
def test_unreadable_times_are_one_line_and_exit_2(
    url: str, zurich: None, capsys: Capture, argv: tuple[str, ...], said: str
) -> None:
    code, out, err = run(capsys, "--database", url, "kpi", *argv)
    assert (code, out) == (2, "")
    (line,) = err.strip().splitlines()
    assert line.startswith(f"baton: {said}")

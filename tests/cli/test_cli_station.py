"""`baton scan explain`, `baton scan patterns`, `baton screenshot` and `baton replay`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'floor.sqlite3'}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_scan_explain_uses_the_station_classifier(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gs1 = "]C10107612340000010\\x1d10LOT42"
    code, out = _run(capsys, "--database", url, "scan", "explain", gs1, "--json")
    result = json.loads(out)
    assert code == 0 and result["kind"] == "product" and result["gtin"] == "07612340000010"
    assert result["lot"] == "LOT42" and result["symbology"] == "]C1"
    code, out = _run(capsys, "--database", url, "scan", "explain", "hello world")
    assert code == 1 and "Not a code Baton knows" in out


def test_patterns_are_stored_for_every_station(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run(capsys, "--database", url, "scan", "patterns", "--set", r"tote=BIN\d{3}")
    assert code == 0
    code, out = _run(capsys, "--database", url, "scan", "explain", "BIN042", "--json")
    assert code == 0 and json.loads(out)["kind"] == "tote"
    assert main(["--database", url, "scan", "patterns", "--set", "tote=BIN(\\d"]) == 1
    assert "not a valid regular expression" in capsys.readouterr().err
    _run(capsys, "--database", url, "scan", "patterns", "--reset", "tote")
    code, out = _run(capsys, "--database", url, "scan", "explain", "BIN042")
    assert code == 1


def test_a_pattern_that_could_hang_a_scan_is_refused_and_not_stored(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database", url, "scan", "patterns", "--set", "tote=(T+)+$"]) == 1
    err = capsys.readouterr().err
    assert "scan pattern 'tote' is refused: a repeated group contains another quantifier" in err
    code, out = _run(capsys, "--database", url, "scan", "patterns", "--json")
    assert code == 0 and json.loads(out)["tote"] == r"T\d{4,6}"
    code, out = _run(capsys, "--database", url, "scan", "explain", "T" * 26 + "X")
    assert code == 1 and "Not a code Baton knows" in out


def test_screenshot_lists_and_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "screenshot", "--list")
    assert code == 0 and "order-desk" in out and "login" in out
    png = tmp_path / "desk.png"
    code, out = _run(capsys, "screenshot", "order-desk", "--out", str(png), "--size", "1280x800")
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    assert main(["screenshot", "nowhere", "--out", str(png)]) == 2


def test_replay_walks_a_scan_script(capsys: pytest.CaptureFixture[str]) -> None:
    script = str(FIXTURES / "replay" / "lookup.scans")
    code, out = _run(capsys, "replay", script, "--screen", "lookup", "--demo", "--json")
    steps = json.loads(out)
    assert code == 1  # 'hello world' was refused
    assert [(s["line"], s["level"]) for s in steps] == [
        (2, "ok"),
        (3, "ok"),
        (4, "ok"),
        (5, "error"),
        (6, "ok"),
    ]
    assert steps[0]["message"] == "Welcome, Maria Lopez."
    assert steps[1]["message"] == "Location A01-01-1"
    assert steps[2]["message"] == "Product MUG-0001"
    assert "Not a code Baton knows" in steps[3]["message"]
    assert steps[4]["message"].startswith("Order #100001")

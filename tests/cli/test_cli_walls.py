"""`baton walls` as a script uses it: add, status, show, slot labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def test_walls_add_show_status_and_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'floor.sqlite3'}"
    assert main(["--database", url, "walls"]) == 0
    assert "No put walls yet" in capsys.readouterr().out
    assert (
        main(["--database", url, "walls", "add", "--code", "W1", "--rows", "4", "--cols", "6"]) == 0
    )
    assert "24 slots, W1-A1 to W1-D6" in capsys.readouterr().out
    assert (
        main(["--database", url, "walls", "add", "--code", "W1", "--rows", "1", "--cols", "1"]) == 1
    )
    assert "exists already" in capsys.readouterr().err
    assert (
        main(["--database", url, "walls", "add", "--code", "X", "--rows", "1", "--cols", "1"]) == 1
    )
    assert "do not scan as put-wall slots" in capsys.readouterr().err
    assert main(["--database", url, "walls", "--json"]) == 0
    (wall,) = json.loads(capsys.readouterr().out)
    assert (wall["code"], wall["slots"], wall["free"]) == ("W1", 24, 24)
    assert main(["--database", url, "walls", "show", "W1", "--json"]) == 0
    slots = json.loads(capsys.readouterr().out)["slots"]
    assert [s["code"] for s in slots[:3]] == ["W1-A1", "W1-A2", "W1-A3"]
    folder = tmp_path / "labels"
    assert main(["--database", url, "walls", "labels", "W1", "--printer", f"pdf:{folder}"]) == 0
    assert "printed 24 slot labels" in capsys.readouterr().out
    assert len(list(folder.glob("*.pdf"))) == 1

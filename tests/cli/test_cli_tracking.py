"""`baton tracking import` and `baton fulfillments export` refuse what they cannot use with
one line and exit 2, never a traceback (the imports themselves: tests/services/tracking)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main

Capture = pytest.CaptureFixture[str]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'floor.sqlite3'}"


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "carrier.csv is empty: expected a header row. Nothing was imported."),
        (b"tracking_number,status\n", "carrier.csv lacks required column: occurred_at."),
        (b"tracking_number,status,occurred_at\n", "carrier.csv holds no carrier events."),
        (b"tracking_number,status,occurred_at\n1Z,\xff,x\n", "carrier.csv is not UTF-8 text"),
    ],
)
def test_an_unusable_events_file_is_one_line_and_exit_2(
    url: str, tmp_path: Path, capsys: Capture, content: bytes, said: str
) -> None:
    path = tmp_path / "carrier.csv"
    path.write_bytes(content)
    code, out, err = run(capsys, "--database", url, "tracking", "import", str(path))
    assert (code, out) == (2, "")
    (line,) = err.strip().splitlines()
    assert line.startswith(f"baton: {said}")


def test_a_missing_file_and_an_unknown_ending(url: str, tmp_path: Path, capsys: Capture) -> None:
    code, _, err = run(capsys, "--database", url, "tracking", "import", str(tmp_path / "no.csv"))
    assert code == 2 and err.startswith("baton: File not found: ")
    other = tmp_path / "events.xml"
    other.write_text("<events/>", encoding="utf-8")
    code, out, err = run(capsys, "--database", url, "tracking", "import", str(other), "--json")
    assert code == 2 and '"unusable": "events.xml is neither .csv nor .json' in out


def test_since_must_be_a_time_with_its_offset(url: str, capsys: Capture) -> None:
    code, _, err = run(capsys, "--database", url, "fulfillments", "export", "--since", "monday")
    assert code == 2
    assert err.strip() == "baton: --since: 'monday' is not a time like 2026-12-08T09:15:00+01:00"
    code, _, err = run(
        capsys, "--database", url, "fulfillments", "export", "--since", "2026-12-01T00:00"
    )
    assert code == 2 and "has no UTC offset" in err


def test_nothing_shipped_exports_the_header(url: str, capsys: Capture) -> None:
    code, out, _ = run(capsys, "--database", url, "fulfillments", "export")
    assert code == 0
    assert out == "order,carrier,service,tracking_numbers,tracking_urls,shipped_at,delivered_at\n"

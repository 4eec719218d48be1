"""`baton replay`: a scan script driven through a real station on the configured database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.config import MANIFEST_DIR_ENV, DatabaseChoice
from app.db.database import open_database
from app.services.desk.orders import show_order
from app.ui.replay import SCREEN_TITLES
from app.ui.settings import PDF_FOLDER, WorkstationSettings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "replay"
Capture = pytest.CaptureFixture[str]


@pytest.fixture
def floor_url(demo_file: Path, tmp_path: Path) -> str:
    """A copy of the demo floor, as a warehouse's database."""
    copy = tmp_path / "floor.sqlite3"
    shutil.copy(demo_file, copy)
    return f"sqlite:///{copy}"


def status(url: str, number: str) -> str:
    database = open_database(DatabaseChoice(url, embedded_default=False))
    try:
        with database.sessions() as session:
            return show_order(session, number).order.status
    finally:
        database.close()


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def script(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "script.scans"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_replay_works_on_the_configured_database_and_prints_where_asked(
    floor_url: str, tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", floor_url)
    pdfs = tmp_path / "labels"
    packing = str(FIXTURES / "packing.scans")
    code, out, _ = run(capsys, "replay", packing, "--screen", "packing", "--pdf-dir", str(pdfs))
    assert code == 1  # the script has two refused lines on purpose
    assert out.splitlines()[-1].endswith("Order #100110 packed: carton 1 of 1 closed, "
                                         "1Z5R89396534000094.")  # fmt: skip
    assert status(floor_url, "#100110") == "PACKED"  # committed where every command works
    code, out, _ = run(capsys, "labels", "prints", "--json")
    printed = json.loads(out)
    # shipping label, GS1 label, customs declaration (the order leaves the EU), packing slip
    assert code == 0 and len(printed) == 4
    assert all(Path(p["destination"]).parent == pdfs for p in printed)
    assert all(Path(p["destination"]).is_file() for p in printed)  # still there afterwards
    assert {p["station"] for p in printed} == {"replay"}


def test_replay_takes_database_after_the_command_and_pdfs_go_to_the_station_folder(
    floor_url: str, tmp_path: Path, capsys: Capture
) -> None:
    folder = tmp_path / "station-pdfs"
    WorkstationSettings().set(PDF_FOLDER, str(folder))  # as the station's Settings dialog does
    packing = str(FIXTURES / "packing.scans")
    code, _, err = run(capsys, "replay", packing, "--screen", "packing", "--database", floor_url)
    assert (code, err) == (1, "")
    assert len(list(folder.glob("*.pdf"))) == 4  # with the customs declaration
    assert status(floor_url, "#100110") == "PACKED"


def test_replay_exit_status_says_whether_a_line_was_refused(
    floor_url: str, tmp_path: Path, capsys: Capture
) -> None:
    clean = script(tmp_path, "OP-1001", "A01-01-1", "#100001")
    code, out, _ = run(capsys, "--database", floor_url, "replay", clean, "--screen", "lookup")
    assert code == 0 and out.splitlines()[-1].endswith("Order #100001 · RELEASED")
    lookup = str(FIXTURES / "lookup.scans")
    code, out, _ = run(capsys, "--database", floor_url, "replay", lookup, "--screen", "lookup")
    assert code == 1 and "Not a code Baton knows: 'hello world'" in out


def test_replay_on_a_throwaway_demo_only_when_asked(
    floor_url: str, tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    monkeypatch.setenv("BATON_DATABASE_URL", empty)
    lookup = str(FIXTURES / "lookup.scans")
    code, out, _ = run(capsys, "replay", lookup, "--screen", "lookup", "--json")
    assert code == 1
    assert json.loads(out)[0]["message"] == "No active operator has badge OP-1001."  # empty
    code, out, _ = run(capsys, "replay", lookup, "--screen", "lookup", "--demo", "--json")
    assert code == 1 and json.loads(out)[0]["message"] == "Welcome, Maria Lopez."
    both = ("--demo", "--database", empty)
    code, _, err = run(capsys, "replay", lookup, "--screen", "lookup", *both)
    assert code == 2 and err == "baton: give --demo or --database, not both\n"


def test_an_operator_whose_role_may_not_use_the_screen_stops_the_replay(
    floor_url: str, tmp_path: Path, capsys: Capture
) -> None:
    sorter = script(tmp_path, "OP-2001", "W1-A1")
    code, out, _ = run(capsys, "--database", floor_url, "replay", sorter, "--screen", "packing",
                       "--json")  # fmt: skip
    assert code == 1
    assert json.loads(out) == [
        {
            "line": 1,
            "scan": "OP-2001",
            "level": "error",
            "message": "Aiko Tanaka is a sorter: the Packing screen is not open to that role; "
            "the replay stops here.",
        }
    ]


def test_replay_help_names_every_screen(capsys: Capture) -> None:
    code, out, _ = run(capsys, "replay", "--help")
    assert code == 0
    named = out.split("the screen to drive:")[1].split("--demo")[0]
    assert [s for s in SCREEN_TITLES if s in named] == list(SCREEN_TITLES)
    assert set(SCREEN_TITLES) == {
        "picking",
        "sorting",
        "packing",
        "dispatch",
        "order-desk",
        "lookup",
        "prints",
    }


def test_a_truck_is_loaded_and_closed_by_replay(
    floor_url: str, tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", floor_url)
    monkeypatch.setenv(MANIFEST_DIR_ENV, str(tmp_path / "manifests"))
    dispatch = str(FIXTURES / "dispatch.scans")
    code, out, _ = run(
        capsys, "replay", dispatch, "--screen", "dispatch", "--pdf-dir", str(tmp_path), "--json"
    )
    steps = json.loads(out)
    assert code == 1  # the other carrier's carton, refused on purpose
    refused = [s for s in steps if s["level"] == "error"]
    assert (
        len(refused) == 1 and "This is a Deutsche Post carton: door DOCK-2" in refused[0]["message"]
    )
    assert "Press F5 again to close" in steps[-2]["message"]
    assert steps[-1]["message"].startswith("Manifest ")
    for number in ("#100014", "#100022", "#100028"):
        assert status(floor_url, number) == "SHIPPED"
    assert status(floor_url, "#100039") == "PACKED"

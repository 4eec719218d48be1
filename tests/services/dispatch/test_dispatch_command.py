"""`baton cartons`, `baton dispatch` and `baton manifest(s)` on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.db.database import Database
from tests.printing.conftest import rasterise, read_barcodes
from tests.services.journey import order_status

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, db: Database, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    url = db.engine.url.render_as_string(hide_password=False)
    code = main(["--database", url, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_a_truck_loaded_and_closed_from_the_command_line(
    dock: Database, tmp_path: Path, capsys: Capture
) -> None:
    code, out, _ = run(capsys, dock, "dispatch", "doors", "--json")
    assert code == 0 and {"door": "DOCK-2", "carrier": "UPS"} in json.loads(out)
    code, out, _ = run(capsys, dock, "cartons", "--carrier", "ups", "--json")
    (ups,) = json.loads(out)
    assert (ups["order"], ups["status"], ups["carrier"]) == ("#1004", "CLOSED", "UPS")
    assert {"sscc", "tracking_number", "service", "weight_g"} <= set(ups)

    code, out, _ = run(
        capsys, dock, "dispatch", "load", ups["tracking_number"], "--door", "DOCK-1", "--json"
    )
    assert code == 1 and "This is a UPS carton: door DOCK-2" in json.loads(out)["refused"]
    code, _, err = run(capsys, dock, "dispatch", "load", "nonsense!", "--door", "DOCK-2")
    assert code == 1 and err.startswith("baton: ")
    code, out, _ = run(
        capsys, dock, "dispatch", "load", ups["tracking_number"], "--door", "DOCK-2", "--json"
    )
    assert code == 0 and json.loads(out)["carton"]["status"] == "LOADED"
    code, out, _ = run(capsys, dock, "dispatch", "status", "--json")
    status = {d["door"]: d for d in json.loads(out)}
    assert (status["DOCK-2"]["loaded"], status["DOCK-1"]["expected"]) == (1, 4)

    code, out, _ = run(
        capsys,
        dock,
        "dispatch",
        "close",
        "--door",
        "DOCK-2",
        "--folder",
        str(tmp_path / "m"),
        "--printer",
        f"pdf:{tmp_path / 'printed'}",
        "--json",
    )
    closed = json.loads(out)
    assert code == 0, closed
    assert closed["cartons"] == [ups["tracking_number"]] and closed["orders_shipped"] == ["#1004"]
    assert closed["not_loaded"] == [] and closed["carrier"] == "UPS"
    assert Path(closed["pdf"]).exists() and Path(closed["csv"]).exists()
    assert order_status(dock, "#1004") == "SHIPPED"

    code, out, _ = run(capsys, dock, "manifests", "--json")
    assert [m["manifest"] for m in json.loads(out)] == [closed["manifest"]]
    code, out, _ = run(capsys, dock, "manifest", "show", closed["manifest"], "--json")
    assert [c["order"] for c in json.loads(out)["cartons"]] == ["#1004"]
    code, out, _ = run(capsys, dock, "manifest", "show", closed["manifest"])
    assert ups["tracking_number"] in out and "#1004" in out
    code, out, _ = run(
        capsys,
        dock,
        "manifest",
        "print",
        closed["manifest"],
        "--printer",
        f"pdf:{tmp_path / 'again'}",
    )
    assert code == 0 and len(list((tmp_path / "again").glob("*.pdf"))) == 1
    code, _, err = run(capsys, dock, "dispatch", "close", "--door", "DOCK-2")
    assert code == 1 and "Nothing is loaded at DOCK-2" in err
    code, _, err = run(capsys, dock, "manifest", "show", "MF-19990101-00001")
    assert code == 1 and "No manifest" in err


def test_doors_set_and_their_labels_print(dock: Database, tmp_path: Path, capsys: Capture) -> None:
    code, out, _ = run(capsys, dock, "dispatch", "doors", "set", "DOCK-3", "--carrier", "DHL")
    assert code == 0 and out.strip() == "DOCK-3: DHL Express"
    code, _, err = run(capsys, dock, "dispatch", "doors", "set", "DOCK-3", "--carrier", "Pony")
    assert code == 1 and "No carrier 'Pony'" in err
    code, out, _ = run(capsys, dock, "dispatch", "doors", "labels", "--printer", f"pdf:{tmp_path}")
    assert code == 0
    (pdf,) = tmp_path.glob("*.pdf")
    codes = [r.text for page in rasterise(pdf, 203) for r in read_barcodes(page)]
    assert codes == ["DOCK-1", "DOCK-2", "DOCK-3", "DOCK-9"]

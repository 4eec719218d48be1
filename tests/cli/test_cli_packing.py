"""`baton boxes` and `baton pack` as a supervisor uses them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.db.database import Database
from app.db.engine import unit_of_work
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.masterdata.operators import add_operator
from app.services.packing.bench import pack_item, start_packing
from app.services.packing.boxes import BOX_COLUMNS, DEMO_BOXES, save_boxes
from app.services.packing.set_aside import set_aside
from tests.services.floor import SUPERVISOR, load_floor
from tests.services.journey import (
    GTIN,
    picked,
)

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, db_url: str, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--database", db_url, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def box_file(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([",".join(BOX_COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def boxes_json(capsys: Capture, db_url: str) -> list[dict[str, object]]:
    code, out, _ = run(capsys, db_url, "boxes", "--json")
    assert code == 0
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def settings_json(capsys: Capture, db_url: str) -> dict[str, object]:
    code, out, _ = run(capsys, db_url, "pack", "settings", "--json")
    assert code == 0
    values: dict[str, object] = json.loads(out)
    return values


def _scan(text: str) -> Scan:
    scanned = classify(text)
    assert isinstance(scanned, Scan), scanned
    return scanned


def test_no_box_types_yet_is_a_hint(db: Database, db_url: str, capsys: Capture) -> None:
    code, out, _ = run(capsys, db_url, "boxes")
    assert code == 0 and "No box types yet" in out and "baton boxes import" in out
    assert boxes_json(capsys, db_url) == []


def test_import_a_box_file_then_list_it(
    db: Database, db_url: str, capsys: Capture, tmp_path: Path
) -> None:
    path = box_file(
        tmp_path / "boxes.csv",
        "BOX-S,Box S,300,220,120,160,10000",
        "box-m, Box M ,400,300,200,330,20000",
    )
    code, out, err = run(capsys, db_url, "boxes", "import", str(path))
    assert (code, err) == (0, "")
    assert "2 added, 0 updated" in out
    assert boxes_json(capsys, db_url) == [
        {
            "code": "BOX-M",
            "name": "Box M",
            "length_mm": 400,
            "width_mm": 300,
            "height_mm": 200,
            "tare_g": 330,
            "max_weight_g": 20000,
        },
        {
            "code": "BOX-S",
            "name": "Box S",
            "length_mm": 300,
            "width_mm": 220,
            "height_mm": 120,
            "tare_g": 160,
            "max_weight_g": 10000,
        },
    ]
    code, out, _ = run(capsys, db_url, "boxes")
    assert code == 0
    head, _, box_m, box_s = out.splitlines()
    assert head.split("  ")[0] == "code" and "inner size mm" in head and "max weight kg" in head
    assert box_m.split() == ["BOX-M", "Box", "M", "400", "×", "300", "×", "200", "330", "20"]
    assert box_s.split() == ["BOX-S", "Box", "S", "300", "×", "220", "×", "120", "160", "10"]

    again = box_file(tmp_path / "again.csv", "BOX-M,Box M tall,400,300,250,350,20000")
    code, out, _ = run(capsys, db_url, "boxes", "import", str(again))
    assert code == 0 and "0 added, 1 updated" in out
    rows = boxes_json(capsys, db_url)
    assert [(r["code"], r["height_mm"], r["tare_g"]) for r in rows] == [
        ("BOX-M", 250, 350),
        ("BOX-S", 120, 160),
    ]


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("BOX-L,Box L,600,400,300,650,600", "weight limit must be more than the box's tare"),
        ("CARTON1,Carton,600,400,300,650,30000", "'CARTON1' would not scan as a box type"),
        ("BOX-L,Box L,600,400,0,650,30000", "inner sizes are 1 to 3000 mm"),
        ("BOX-L,Box L,600,400,3OO,650,30000", "whole numbers"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    db: Database, db_url: str, capsys: Capture, tmp_path: Path, bad_row: str, reason: str
) -> None:
    path = box_file(tmp_path / "boxes.csv", "BOX-S,Box S,300,220,120,160,10000", bad_row)
    code, out, err = run(capsys, db_url, "boxes", "import", str(path))
    assert (code, out) == (1, "")
    assert err.startswith("baton: ") and reason in err
    assert boxes_json(capsys, db_url) == []


def test_an_unreadable_box_file_is_refused(
    db: Database, db_url: str, capsys: Capture, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,name,size\nBOX-S,Box S,300x220x120\n", encoding="utf-8")
    code, _, err = run(capsys, db_url, "boxes", "import", str(wrong))
    assert code == 1 and "missing column(s) length_mm" in err
    code, _, err = run(capsys, db_url, "boxes", "import", str(tmp_path / "gone.csv"))
    assert code == 1 and "gone.csv cannot be read" in err
    code, _, err = run(capsys, db_url, "boxes", "import", str(box_file(tmp_path / "empty.csv")))
    assert code == 1 and "No box types given" in err
    assert boxes_json(capsys, db_url) == []


def test_add_one_box_type(db: Database, db_url: str, capsys: Capture) -> None:
    add = ["boxes", "add", "--code", "BOX-M", "--name", "Box M", "--tare", "330"]
    code, out, err = run(capsys, db_url, *add, "--size", "400x300x200", "--max-weight", "20000")
    assert (code, err) == (0, "")
    assert out.strip() == (
        "Box type BOX-M added: Box M, 400 × 300 × 200 mm, tare 330 g, at most 20 kg"
    )
    code, out, _ = run(capsys, db_url, *add, "--size", "400 x 300 x 250", "--max-weight", "22500")
    assert code == 0 and "BOX-M updated" in out and "at most 22.5 kg" in out
    (box,) = boxes_json(capsys, db_url)
    assert (box["height_mm"], box["max_weight_g"]) == (250, 22500)

    for size in ("400x300", "40x30x20x10", "400x300xabc", "", "400,300,200"):
        code, out, err = run(capsys, db_url, *add, "--size", size, "--max-weight", "20000")
        assert (code, out) == (2, "")
        assert err.startswith("baton: --size is the inner length x width x height in mm")
    code, _, err = run(capsys, db_url, *add, "--size", "400x0x200", "--max-weight", "20000")
    assert code == 1 and "inner sizes are 1 to 3000 mm" in err
    code, _, err = run(
        capsys, db_url, "boxes", "add", "--code", "M", "--size", "1x1x1", "--tare", "1",
        "--max-weight", "2",
    )  # fmt: skip
    assert code == 1 and "would not scan as a box type" in err
    assert [(b["code"], b["height_mm"]) for b in boxes_json(capsys, db_url)] == [("BOX-M", 250)]


def test_packing_settings_show_and_change(db: Database, db_url: str, capsys: Capture) -> None:
    code, out, _ = run(capsys, db_url, "pack", "settings")
    assert code == 0
    assert "weight tolerance: 5.0 % or 50 g, whichever is larger" in out
    assert "GS1 logistic label: not printed" in out
    assert settings_json(capsys, db_url) == {
        "tolerance_pct": 5.0,
        "tolerance_g": 50,
        "gs1_label": False,
        "company_prefix": "4012345",
        "sscc_extension": 0,
        "slip_layout": "packing_slip_a4",
    }
    code, out, err = run(
        capsys, db_url, "pack", "settings", "--set", "tolerance_pct=3", "--set", "gs1_label=on"
    )
    assert (code, err) == (0, "")
    assert "weight tolerance: 3.0 % or 50 g" in out and "gs1_label        on" in out
    values = settings_json(capsys, db_url)
    assert (values["tolerance_pct"], values["gs1_label"]) == (3.0, True)

    code, out, _ = run(
        capsys, db_url, "pack", "settings", "--json", "--set", "company_prefix=0614141",
        "--set", "slip_layout=packing_slip_letter",
    )  # fmt: skip
    assert code == 0
    changed = json.loads(out)
    assert (changed["company_prefix"], changed["slip_layout"]) == (
        "0614141",
        "packing_slip_letter",
    )
    assert changed["tolerance_pct"] == 3.0  # earlier changes stay


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("tolerance_pct=90", "tolerance_pct is a share of the expected weight: 0 to 50"),
        ("company_prefix=12ab", "company_prefix is a GS1 company prefix: 6 to 12 digits"),
        ("label_size=big", "unknown packing setting label_size"),
        ("tolerance_g=lots", "packing setting tolerance_g must be int"),
        ("gs1_label=maybe", "packing setting gs1_label must be bool"),
        ("slip_layout=a5", "slip_layout is one of packing_slip_a4, packing_slip_letter"),
    ],
)
def test_a_refused_setting_changes_nothing(
    db: Database, db_url: str, capsys: Capture, change: str, reason: str
) -> None:
    before = settings_json(capsys, db_url)
    code, out, err = run(
        capsys, db_url, "pack", "settings", "--set", "tolerance_g=80", "--set", change
    )
    assert (code, out) == (1, "")
    assert err.startswith("baton: Packing settings not changed: ") and reason in err
    assert settings_json(capsys, db_url) == before


def test_a_setting_without_a_value_is_a_usage_error(
    db: Database, db_url: str, capsys: Capture
) -> None:
    code, out, err = run(capsys, db_url, "pack", "settings", "--set", "gs1_label")
    assert (code, out) == (2, "")
    assert "give --set KEY=VALUE, got 'gs1_label'" in err


@pytest.fixture
def set_aside_order(db: Database, tmp_path: Path) -> str:
    """Order #1001 picked, started at a bench and set aside into problem tote T0777."""
    load_floor(db)
    with unit_of_work(db.sessions) as session:
        save_boxes(session, SUPERVISOR, DEMO_BOXES)
        info = add_operator(session, SUPERVISOR, "OP-3100", "Sam", Role.PACKER, "1234")
    orders = {"#1001": [("MUG-BLUE", 2)], "#1002": [("SOCK-ZOE", 1)]}
    picked(db, tmp_path, orders, {"#1001": "T0001", "#1002": "T0002"})
    sam = Actor(operator_id=info.id, name="Sam", role=Role.PACKER, station="bench Sam")
    with unit_of_work(db.sessions) as session:
        start_packing(session, sam, _scan("#1001"))
    with unit_of_work(db.sessions) as session:
        pack_item(session, sam, "#1001", _scan(GTIN["MUG-BLUE"]))
    with unit_of_work(db.sessions) as session:
        set_aside(session, sam, "#1001", "Damaged item", _scan("T0777"))
    return "#1001"


def test_release_an_order_back_to_packing(
    set_aside_order: str, db_url: str, capsys: Capture
) -> None:
    code, out, _ = run(capsys, db_url, "orders", "--status", "EXCEPTION", "--json")
    assert code == 0 and [o["number"] for o in json.loads(out)] == [set_aside_order]
    code, out, err = run(
        capsys, db_url, "pack", "release", set_aside_order, "--note", "mug replaced"
    )
    assert (code, err) == (0, "")
    assert out.strip() == (
        "Order #1001 goes back to packing: scan tote T0777 or the order number at a bench."
    )
    code, out, _ = run(capsys, db_url, "order", "show", set_aside_order, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["order"]["status"] == "PICKED"
    assert "mug replaced" in json.dumps(shown, ensure_ascii=False)

    code, out, err = run(capsys, db_url, "pack", "release", set_aside_order)
    assert (code, out) == (1, "")
    assert err.strip() == "baton: Order #1001 is PICKED, not in the exception queue."
    code, _, err = run(capsys, db_url, "pack", "release", "#1002")
    assert code == 1 and "#1002 is PICKED, not in the exception queue" in err


def test_release_an_unknown_order(db: Database, db_url: str, capsys: Capture) -> None:
    code, out, err = run(capsys, db_url, "pack", "release", "#9999")
    assert (code, out) == (1, "")
    assert err.strip() == "baton: No order #9999."

"""`baton labels` as scripts and supervisors use it: layouts, rendering, printing, the log."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.cli import main
from tests.printing.conftest import rasterise, read_barcodes

Capture = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert main(["--database", f"sqlite:///{path}", "demo"]) == 0
    return path


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> list[str]:
    """`--database URL` of this test's own copy of the demo floor."""
    copy = tmp_path / "floor.sqlite3"
    # The demo command leaves its writes in the WAL file until the last connection closes.
    for part in demo_file.parent.glob(f"{demo_file.name}*"):
        shutil.copy(part, tmp_path / part.name.replace(demo_file.name, copy.name))
    return ["--database", f"sqlite:///{copy}"]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def log(capsys: Capture, db: list[str], *extra: str) -> list[dict[str, Any]]:
    code, out, _ = run(capsys, *db, "labels", "prints", "--json", *extra)
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def refused_printer() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"zpl:127.0.0.1:{sock.getsockname()[1]}"


def test_list_and_sample_name_every_layout_and_value(capsys: Capture, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "labels", "list")
    assert code == 0 and "shipping_4x6" in out and "101.6 x 152.4" in out
    code, out, _ = run(capsys, "labels", "list", "--json")
    assert "tote_label" in {layout["name"] for layout in json.loads(out)}
    code, out, _ = run(capsys, "labels", "sample", "shipping_4x6")
    sample = json.loads(out)
    assert code == 0 and {"ship_to_name", "tracking_number", "carrier"} <= set(sample)
    data = tmp_path / "label.json"
    data.write_text(out, encoding="utf-8")
    code, out, _ = run(
        capsys,
        "labels",
        "render",
        "shipping_4x6",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "l.pdf"),
    )
    assert code == 0 and "1 document(s), 1 page(s)" in out
    assert len(PdfReader(tmp_path / "l.pdf").pages) == 1


def test_render_zpl_and_a_list_of_documents(capsys: Capture, tmp_path: Path) -> None:
    data = tmp_path / "totes.json"
    data.write_text(json.dumps([{"tote": f"T000{i}", "zone": ""} for i in (1, 2)]), "utf-8")
    out = tmp_path / "totes.zpl"
    code, text, _ = run(
        capsys,
        "labels",
        "render",
        "tote_label",
        "--data",
        str(data),
        "--out",
        str(out),
        "--dpi",
        "300",
    )
    assert code == 0 and "2 document(s), 2 page(s)" in text
    zpl = out.read_text(encoding="utf-8")
    assert zpl.count("^XA") == 2 and "^PW1181" in zpl  # 100 mm at 300 dpi
    code, _, err = run(
        capsys,
        "labels",
        "render",
        "tote_label",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "x.png"),
    )
    assert code == 2 and "must end in .pdf or .zpl" in err


def test_print_is_logged_and_a_failed_print_can_be_retried(
    capsys: Capture, db: list[str], tmp_path: Path
) -> None:
    data = tmp_path / "tote.json"
    data.write_text(json.dumps({"tote": "T0042", "zone": "Zone A"}), "utf-8")
    folder = tmp_path / "out"
    code, out, _ = run(
        capsys, *db, "labels", "print", "tote_label", "--data", str(data),
        "--printer", f"pdf:{folder}", "--what", "tote T0042",
    )  # fmt: skip
    assert code == 0 and out.startswith("print #1: 1 document(s), 1 page(s) sent to PDF folder")
    (pdf,) = folder.iterdir()
    assert [r.text for r in read_barcodes(rasterise(pdf, 203)[0])] == ["T0042"]

    code, _, err = run(
        capsys, *db, "labels", "print", "tote_label", "--data", str(data),
        "--printer", refused_printer(), "--what", "tote T0042",
    )  # fmt: skip
    assert code == 1 and "refused the connection" in err
    assert "logged as print #2" in err and "baton labels reprint 2" in err
    (failed,) = log(capsys, db, "--failed")
    assert (failed["id"], failed["outcome"], failed["description"]) == (2, "failed", "tote T0042")

    code, out, _ = run(capsys, *db, "labels", "reprint", "2", "--printer", f"pdf:{folder}")
    assert code == 0 and out.startswith("print #3:")
    newest, *_ = log(capsys, db)
    assert (newest["id"], newest["reprint_of"], newest["outcome"]) == (3, 2, "ok")
    assert newest["station"] == "command line" and newest["operator"] == ""
    code, out, _ = run(capsys, *db, "labels", "prints")
    assert code == 0 and "tote T0042 (reprint of #2)" in out and "FAILED" in out


def test_an_aisle_of_location_labels(capsys: Capture, db: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, _ = run(
        capsys, *db, "labels", "locations", "--aisle", "3", "--printer", f"pdf:{folder}"
    )
    assert code == 0 and "24 document(s), 24 page(s)" in out
    (pdf,) = folder.iterdir()
    pages = rasterise(pdf, 203)
    decoded = [r.text for page in (pages[0], pages[1], pages[-1]) for r in read_barcodes(page)]
    assert decoded == ["A03-01-1", "A03-01-2", "A03-12-2"]
    (record,) = log(capsys, db)
    assert (record["description"], record["documents"]) == ("location labels aisle 03 (24)", 24)
    code, _, err = run(
        capsys, *db, "labels", "locations", "--aisle", "99", "--printer", f"pdf:{folder}"
    )
    assert code == 1 and "Aisle 99 has no locations" in err


def test_totes_and_badges(capsys: Capture, db: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, _ = run(
        capsys, *db, "labels", "totes", "--from", "T0001", "--count", "50",
        "--printer", f"pdf:{folder}",
    )  # fmt: skip
    assert code == 0 and "50 document(s), 50 page(s)" in out
    code, out, _ = run(
        capsys, *db, "labels", "badges", "--badge", "OP-9001", "--printer", f"pdf:{folder}"
    )
    assert code == 0 and "1 document(s)" in out
    badge = next(p for p in folder.iterdir() if "badge" in p.name)
    assert [r.text for r in read_barcodes(rasterise(badge, 300)[0])] == ["OP-9001"]
    code, _, err = run(
        capsys,
        *db,
        "labels",
        "totes",
        "--from",
        "BOX1",
        "--count",
        "2",
        "--printer",
        f"pdf:{folder}",
    )
    assert code == 2 and "would not scan as a tote" in err
    code, _, err = run(
        capsys, *db, "labels", "badges", "--badge", "OP-0000", "--printer", f"pdf:{folder}"
    )
    assert code == 1 and "OP-0000" in err


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["print", "no_such", "--printer", "pdf:out"], 2, "layout 'no_such': no such layout"),
        (["print", "tote_label", "--printer", "lpt1"], 2, "Unknown printer 'lpt1'"),
        (["print", "tote_label", "--printer", "system:Office"], 2, "station app"),
        (["print", "tote_label", "--printer", "zpl:host:99999"], 2, "zpl:HOST:PORT"),
        (["reprint", "42", "--printer", "pdf:out"], 1, "no print #42"),
    ],
)
def test_mistakes_are_one_line_and_an_exit_status(
    capsys: Capture, db: list[str], tmp_path: Path, argv: list[str], code: int, says: str
) -> None:
    data = tmp_path / "tote.json"
    data.write_text(json.dumps({"tote": "T0042", "zone": ""}), "utf-8")
    if argv[0] == "print":
        argv = [*argv, "--data", str(data)]
    got, _, err = run(capsys, *db, "labels", *argv)
    assert (got, err.startswith("baton: ")) == (code, True) and says in err


@pytest.mark.parametrize(
    ("content", "says"),
    [("{not json", "is not JSON"), ("[1, 2]", "must hold a JSON object"), (None, "cannot read")],
)
def test_unusable_data_files(
    capsys: Capture, db: list[str], tmp_path: Path, content: str | None, says: str
) -> None:
    data = tmp_path / "data.json"
    if content is not None:
        data.write_text(content, "utf-8")
    code, _, err = run(
        capsys, *db, "labels", "print", "tote_label", "--data", str(data), "--printer", "pdf:out"
    )
    assert code == 2 and says in err
    assert log(capsys, db) == []


def test_missing_values_fail_and_are_logged(capsys: Capture, db: list[str], tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"zone": "A"}), "utf-8")
    folder = tmp_path / "out"
    code, _, err = run(
        capsys,
        *db,
        "labels",
        "print",
        "tote_label",
        "--data",
        str(data),
        "--printer",
        f"pdf:{folder}",
    )
    assert code == 1 and "needs the value 'tote'" in err
    (record,) = log(capsys, db)
    assert record["outcome"] == "failed"

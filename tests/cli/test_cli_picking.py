"""`baton layout`, `baton waves release`, `baton picklists` and `baton picklist` as scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'floor.sqlite3'}"
    assert main(["--database", url, "demo"]) == 0
    return url


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_layout_show_and_set(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _out(capsys, "--database", url, "layout", "show", "--json")
    assert code == 0 and json.loads(out)["aisles"] == 12
    code, out, _ = _out(capsys, "--database", url, "layout", "set", "cross_aisles_after_bays=6")
    assert code == 0 and "[6]" in out
    code, _, err = _out(capsys, "--database", url, "layout", "set", "aisles=0")
    assert code == 1 and "Layout not changed" in err
    _, out, _ = _out(capsys, "--database", url, "layout", "show", "--json")
    assert json.loads(out)["aisles"] == 12 and json.loads(out)["cross_aisles_after_bays"] == [6]


def test_release_lists_and_reassign(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _out(
        capsys, "--database", url, "waves", "release", "--max-orders", "16", "--json"
    )
    wave = json.loads(out)
    assert code == 0 and wave["wave"] and wave["pick_lists"]
    released = [n for p in wave["pick_lists"] for n in p["orders"]]
    assert len(released) == len(set(released)) == 16
    assert all(p["planned_m"] > 0 for p in wave["pick_lists"])

    code, out, _ = _out(capsys, "--database", url, "picklists", "--json")
    lists = json.loads(out)
    on_lists = [n for p in lists for n in p["orders"]]
    assert len(on_lists) == len(set(on_lists))  # no order on two lists, across both waves
    first = lists[0]
    assert first["stops"] and {"location", "sku", "quantity", "order", "tote"} <= set(
        first["stops"][0]
    )

    code, out, _ = _out(
        capsys, "--database", url, "picklist", "reassign", first["code"], "--to", "OP-1002"
    )
    assert code == 0 and "Jonas Weber" in out
    code, _, err = _out(
        capsys, "--database", url, "picklist", "reassign", first["code"], "--to", "OP-3001"
    )
    assert code == 1 and "not a picker" in err


def test_paper_pick_list(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = _out(capsys, "--database", url, "picklists", "--json")
    code_ = json.loads(out)[0]["code"]
    folder = tmp_path / "paper"
    code, out, _ = _out(
        capsys, "--database", url, "picklist", "print", code_, "--printer", f"pdf:{folder}"
    )
    assert code == 0 and code_ in out
    (pdf,) = folder.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_nothing_ready_releases_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    code, out, _ = _out(capsys, "--database", url, "waves", "release")
    assert code == 0 and "No READY orders" in out


def test_a_whole_pick_list_walked_by_replay(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from app.domain.demo_data import products as demo_products

    gtin = {p.sku: p.barcodes[0] for p in demo_products()}
    _, out, _ = _out(capsys, "--database", url, "picklists", "--json")
    first = json.loads(out)[0]
    script = ["# Maria takes the most urgent list and walks it", "OP-1001", "!F5"]
    previous = None
    for n, line in enumerate(first["stops"]):
        if (line["location"], line["sku"]) != previous:
            script.append(line["location"])
            previous = (line["location"], line["sku"])
        script += [gtin[line["sku"]]] * line["quantity"]
        if first["mode"] != "single":
            script.append(f"T{1000 + line['cart_position']}")
        elif n == 0:
            script.append("T1500")  # a single order's tote, bound at its first stop
    path = tmp_path / "walk.scans"
    path.write_text("\n".join(script) + "\n", encoding="utf-8")

    code, out, _ = _out(
        capsys, "--database", url, "replay", str(path), "--screen", "picking", "--json"
    )
    steps = json.loads(out)
    assert code == 0
    assert [s["level"] for s in steps if s["level"] not in ("ok", "prompt")] == []
    assert steps[-1]["message"].startswith(f"Pick list {first['code']} done")
    for number in first["orders"]:
        _, out, _ = _out(capsys, "--database", url, "order", "show", number, "--json")
        assert json.loads(out)["order"]["status"] == "PICKED"


def test_a_location_import_grows_the_layout_and_show_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'large.sqlite3'}"
    rows = [f"A{a:02d}-{b:02d}-1,PICK,{a},{b},1" for a in range(1, 13) for b in range(1, 31)]
    csv_file = tmp_path / "locations.csv"
    csv_file.write_text("code,zone,aisle,bay,level\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = _out(capsys, "--database", url, "import", "locations", str(csv_file))
    assert code == 0 and "layout grown to reach the locations: bays 12 -> 30" in out

    code, out, _ = _out(capsys, "--database", url, "layout", "show")
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert code == 0 and "(default)" in lines["aisles"]
    assert " 30 " in lines["bays"] and "(grown by the location import of 20" in lines["bays"]

    code, _, err = _out(capsys, "--database", url, "layout", "set", "bays=24")
    assert code == 1 and "Layout not changed: 72 location(s) lie outside" in err
    assert "Give bays=30" in err and "--allow-outside" in err
    code, out, _ = _out(capsys, "--database", url, "layout", "set", "bays=24", "--allow-outside")
    assert code == 0 and "Warning: 72 location(s) lie outside" in out
    assert "`baton layout set bays=30`" in out

    _, out, _ = _out(capsys, "--database", url, "layout", "show", "--json")
    shown = json.loads(out)
    assert shown["bays"] == 24 and shown["origin"]["bays"]["source"] == "layout set"
    assert shown["origin"]["aisles"] == {"source": "default", "on": None, "text": "default"}
    assert shown["outside"]["count"] == 72 and shown["outside"]["fix"] == "baton layout set bays=30"


def test_a_single_order_list_shows_its_tote_in_the_list_and_on_paper(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    # The demo walks a single-order list into tote T0961 (and others for the dock's orders).
    _, out, _ = _out(capsys, "--database", url, "picklists", "--status", "DONE", "--json")
    (single,) = [
        row
        for row in json.loads(out)
        if row["mode"] == "single" and any(stop["tote"] == "T0961" for stop in row["stops"])
    ]
    assert {stop["tote"] for stop in single["stops"]} == {"T0961"}
    _, out, _ = _out(capsys, "--database", url, "picklists", "--status", "DONE")
    assert f"{single['code']} DONE single, Jonas Weber: 1 orders, tote T0961, " in out

    folder = tmp_path / "paper"
    code, _, _ = _out(
        capsys,
        "--database", url, "picklist", "print", single["code"], "--printer", f"pdf:{folder}",
    )  # fmt: skip
    (pdf,) = folder.glob("*.pdf")
    text = PdfReader(pdf).pages[0].extract_text()
    assert code == 0 and f"Order {single['orders'][0]} · tote T0961" in text

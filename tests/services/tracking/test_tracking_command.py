"""`baton tracking import`, `baton order show --json` and `baton fulfillments export` on a
floor whose orders shipped through the real dock, on both databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock
from app.cli import main
from app.db.database import Database
from app.domain.dispatch import FULFILMENT_COLUMNS
from tests.services.dispatch.conftest import tracking_numbers
from tests.services.tracking.conftest import carton, moment, write_csv

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, db: Database, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    url = db.engine.url.render_as_string(hide_password=False)
    code = main(["--database", url, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_events_imported_from_the_command_line_show_on_the_order(
    shipped: Database, tmp_path: Path, capsys: Capture
) -> None:
    (post,) = tracking_numbers(shipped, "#1002")
    (ups,) = tracking_numbers(shipped, "#1004")
    path = write_csv(
        tmp_path / "carrier.csv",
        [
            (post, "in_transit", moment(30), "Zürich Mülligen", "Sorted"),
            (post, "delivered", moment(3), "Zürich", "Delivered"),
            (ups, "delivery_delayed", moment(5), "Köln", "Weather"),
            ("NOPE", "delivered", moment(5), "", ""),
        ],
    )
    code, out, _ = run(capsys, shipped, "tracking", "import", str(path))
    assert code == 1
    assert out.splitlines()[:2] == [
        "carrier.csv: 3 new event(s), 0 already known, 1 rejected",
        "  rejected line 5: no carton has the tracking number or SSCC NOPE",
    ]
    assert "delivered: 1 order(s): #1002" in out
    assert "needs attention after shipping: 1 order(s): #1004" in out

    code, out, _ = run(capsys, shipped, "tracking", "import", str(path), "--json")
    summary = json.loads(out)
    assert code == 1
    assert (summary["events_new"], summary["events_known"], summary["messages_queued"]) == (0, 3, 0)
    assert summary["rejected"] == [
        {"line": 5, "reason": "line 5: no carton has the tracking number or SSCC NOPE"}
    ]

    code, out, _ = run(capsys, shipped, "order", "show", "1002", "--json")
    detail = json.loads(out)
    assert code == 0 and detail["order"]["status"] == "DELIVERED"
    (shown,) = detail["cartons"]
    assert (shown["tracking_number"], shown["tracking_status"]) == (post, "delivered")
    assert shown["delivered_at"] == moment(3).isoformat()
    assert [(e["status"], e["location"], e["source"]) for e in shown["events"]] == [
        ("in_transit", "Zürich Mülligen", "carrier.csv"),
        ("delivered", "Zürich", "carrier.csv"),
    ]
    assert [e["kind"] for e in detail["timeline"]][-3:] == ["tracking", "tracking", "delivered"]
    code, out, _ = run(capsys, shipped, "order", "show", "1004")
    shown_at = f"{moment(5):%Y-%m-%d %H:%M}"
    assert code == 0
    assert out.splitlines()[-2:] == ["Parcels:", f"  1. UPS {ups}: delivery delayed ({shown_at})"]


def test_an_unusable_file_exits_2_and_changes_nothing(
    shipped: Database, tmp_path: Path, capsys: Capture
) -> None:
    path = tmp_path / "carrier.csv"
    path.write_text("tracking_number;status;occurred_at\n", encoding="utf-8")
    code, out, err = run(capsys, shipped, "tracking", "import", str(path))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "baton: carrier.csv lacks required columns: tracking_number, status, occurred_at. "
        "Found: tracking_number;status;occurred_at. Nothing was imported."
    ]
    (ups,) = tracking_numbers(shipped, "#1004")
    assert carton(shipped, ups).tracking_status is None


def test_the_fulfilment_export_lists_what_shipped_since(
    shipped: Database, tmp_path: Path, capsys: Capture
) -> None:
    (post,) = tracking_numbers(shipped, "#1002")
    (ups,) = tracking_numbers(shipped, "#1004")
    first, second = tracking_numbers(shipped, "#1001")
    path = write_csv(tmp_path / "c.csv", [(post, "delivered", moment(0.5), "Zürich", "")])
    assert run(capsys, shipped, "tracking", "import", str(path))[0] == 0

    code, out, _ = run(capsys, shipped, "fulfillments", "export")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == FULFILMENT_COLUMNS
    by_order = {r["order"]: r for r in rows}
    assert sorted(by_order) == ["#1001", "#1002", "#1004"]  # #1003 is still at the dock
    assert by_order["#1001"]["tracking_numbers"] == f"{first} {second}"
    assert by_order["#1004"]["carrier"] == "UPS"
    assert by_order["#1004"]["tracking_urls"].endswith(ups)
    assert by_order["#1002"]["delivered_at"] == moment(0.5).isoformat()
    assert by_order["#1001"]["delivered_at"] == ""
    assert by_order["#1001"]["shipped_at"] <= clock.now().isoformat()

    later = (clock.now() + timedelta(minutes=1)).isoformat()
    out_file = tmp_path / "shop.csv"
    code, out, err = run(
        capsys, shipped, "fulfillments", "export", "--since", later, "--out", str(out_file)
    )
    assert (code, out) == (0, "") and "0 order(s) written to" in err
    assert out_file.read_text(encoding="utf-8") == ",".join(FULFILMENT_COLUMNS) + "\n"
    earlier = (clock.now() - timedelta(hours=1)).isoformat()
    code, out, _ = run(capsys, shipped, "fulfillments", "export", "--since", earlier)
    assert len(list(csv.DictReader(io.StringIO(out)))) == 3

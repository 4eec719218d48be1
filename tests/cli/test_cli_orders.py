"""The `baton` command as scripts use it: demo, orders, order show, verify, release, cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.config import DATABASE_URL_ENV


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["--database", url, "demo"]) == 0
    return url


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_seeds_a_living_floor_once(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    orders = _json(capsys, "--database", demo_url, "orders", "--json")
    assert isinstance(orders, list) and len(orders) == 150
    statuses = {o["status"] for o in orders}
    # A first wave is on the floor; a batch is sorted into wall W1 and a cart picked into totes,
    # waiting at the pack benches, and 8 orders packed, their cartons waiting at the dock.
    assert statuses == {"READY", "ON_HOLD", "RELEASED", "PICKED", "SORTED", "PACKED"}
    held = [o for o in orders if o["status"] == "ON_HOLD"]
    reasons = " ".join(r for o in held for r in o["hold_reasons"])
    for words in ("payment", "postal code", "unknown SKU", "not enough stock"):
        assert words in reasons
    ready = [o for o in orders if o["status"] in ("READY", "RELEASED")]
    assert all(line["allocated"] for o in ready for line in o["lines"] if line["to_pick"])
    # Seeding again does not double the floor.
    assert main(["--database", demo_url, "demo"]) == 0
    assert "already holds the demo" in capsys.readouterr().out
    assert len(_json(capsys, "--database", demo_url, "orders", "--json")) == 150  # type: ignore[arg-type]


def test_order_show_has_ship_to_and_timeline(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    detail = _json(capsys, "--database", demo_url, "order", "show", "#100001", "--json")
    assert isinstance(detail, dict)
    assert detail["order"]["number"] == "#100001"
    assert detail["ship_to"]["country"] and detail["ship_to"]["name"]
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[:2] == ["received", "verified"]
    assert kinds[2:] in ([], ["released"])  # the demo's first wave takes the most urgent
    assert main(["--database", demo_url, "order", "show", "#100001"]) == 0
    text = capsys.readouterr().out
    assert "Timeline:" in text and "Ship to:" in text


def test_status_filter_and_unknown_status(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    held = _json(capsys, "--database", demo_url, "orders", "--status", "on_hold", "--json")
    assert isinstance(held, list) and held and all(o["status"] == "ON_HOLD" for o in held)
    assert main(["--database", demo_url, "orders", "--status", "LOST"]) == 1
    assert "Unknown status 'LOST'" in capsys.readouterr().err


def test_release_a_hold_reverifies_and_cancel_releases_stock(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    held = _json(capsys, "--database", demo_url, "orders", "--status", "ON_HOLD", "--json")
    assert isinstance(held, list)
    payment = next(o for o in held if any("payment" in r for r in o["hold_reasons"]))
    assert main(["--database", demo_url, "order", "release", payment["number"]]) == 0
    out = capsys.readouterr().out
    assert "ON_HOLD" in out and "payment" in out  # still unpaid: held again, and says why

    ready = _json(capsys, "--database", demo_url, "orders", "--status", "READY", "--json")
    assert isinstance(ready, list)
    number = ready[0]["number"]
    units = sum(a["quantity"] for line in ready[0]["lines"] for a in line["allocated"])
    assert (
        main(["--database", demo_url, "order", "cancel", number, "--reason", "customer asked"]) == 0
    )
    assert f"{units} reserved units released" in capsys.readouterr().out
    detail = _json(capsys, "--database", demo_url, "order", "show", number, "--json")
    assert isinstance(detail, dict)
    assert detail["order"]["status"] == "CANCELLED"
    assert detail["timeline"][-1]["detail"] == "customer asked"
    assert main(["--database", demo_url, "order", "cancel", number, "--reason", "again"]) == 1
    assert "can no longer be cancelled" in capsys.readouterr().err


def test_verify_again_after_stock_arrives(
    demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    held = _json(capsys, "--database", demo_url, "orders", "--status", "ON_HOLD", "--json")
    assert isinstance(held, list)
    short = next(o for o in held if any("not enough stock" in r for r in o["hold_reasons"]))
    line = short["lines"][0]
    stock = tmp_path / "stock.csv"
    stock.write_text(f"location,sku,quantity\nA12-12-2,{line['sku']},500\n", encoding="utf-8")
    assert main(["--database", demo_url, "import", "stock", str(stock)]) == 0
    verdicts = _json(capsys, "--database", demo_url, "orders", "verify", short["number"], "--json")
    assert verdicts == [{"number": short["number"], "status": "READY", "reasons": []}]


def test_unknown_order_is_a_clear_message(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database", demo_url, "order", "show", "#nope"]) == 1
    assert capsys.readouterr().err.strip() == "baton: No order #nope."


def test_an_order_number_without_its_hash(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database", demo_url, "order", "show", "100001"]) == 0
    assert capsys.readouterr().out.startswith("Order #100001  ")
    ready = _json(capsys, "--database", demo_url, "orders", "--status", "READY", "--json")
    assert isinstance(ready, list)
    number = ready[0]["number"]
    argv = ["--database", demo_url, "order", "cancel", number.lstrip("#"), "--reason", "asked"]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(f"{number}: CANCELLED")


def test_database_from_environment_and_db_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    assert str(path) in capsys.readouterr().out
    assert main(["db", "status"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_embedded_default_lives_in_the_user_data_directory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["orders"]) == 0  # any command creates the embedded default, no setup needed
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert "baton.sqlite3" in out and "up to date" in out


def test_unreachable_server_is_a_message_not_a_trace(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    assert main(["--database", url, "orders"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baton: cannot use the database:") and "Traceback" not in err

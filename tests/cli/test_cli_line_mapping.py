"""`baton order map-line` and `baton products alias|aliases`, run through `main()`."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock
from app.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPORT = FIXTURES / "orders" / "shopify_lines_without_sku.csv"


def baton(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[int, str, str]:
    """Run `baton --database URL ARGV...`; its exit status, stdout and stderr."""
    capsys.readouterr()
    code = main(["--database", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The fixture floor with the export imported: #2001 held for its bowl."""
    url = f"sqlite:///{tmp_path / 'floor.sqlite3'}"
    # The fixture's stock file, its tea lots expiring a year from today (on any date).
    stock = (FIXTURES / "masterdata" / "stock.csv").read_text(encoding="utf-8")
    expiry = clock.today() + timedelta(days=365)
    fresh = tmp_path / "stock.csv"
    fresh.write_text(re.sub(r"\d{4}-\d\d-\d\d", expiry.isoformat(), stock), encoding="utf-8")
    for path in (
        FIXTURES / "masterdata" / "locations.csv",
        FIXTURES / "masterdata" / "products.csv",
        fresh,
    ):
        kind = path.stem
        assert baton(capsys, url, "import", kind, str(path))[0] == 0
    code, out, _ = baton(capsys, url, "import", "orders", str(EXPORT))
    assert code == 0
    assert out.splitlines() == [
        "orders: 2 received (1 ready, 1 on hold), 0 already received, 0 skipped, 0 rejected",
        "  on hold #2001: line 1 'Hand-made clay bowl' has no SKU",
    ]
    return url


def test_order_show_names_the_line_without_sku(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = baton(capsys, url, "order", "show", "#2001")
    assert code == 0
    assert "  - line 1 'Hand-made clay bowl' has no SKU" in out
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert [row[:2] for row in rows[:3]] == [["1", "-"], ["2", "TEA-EARL"], ["3", "-"]]


def test_map_line_remembers_and_a_later_import_lands_mapped(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = baton(
        capsys, url, "order", "map-line", "#2001", "1", "--sku", "MUG-BLUE", "--remember"
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "#2001 line 1 -> MUG-BLUE; remembered for later imports",
        "#2001: READY",
    ]
    detail = json.loads(baton(capsys, url, "order", "show", "#2001", "--json")[1])
    event = detail["timeline"][-2]
    assert (event["kind"], event["station"]) == ("line_mapped", "command line")
    assert event["detail"] == (
        "line 1 'Hand-made clay bowl' mapped to MUG-BLUE; remembered for later imports"
    )
    aliases = json.loads(baton(capsys, url, "products", "aliases", "--json")[1])
    assert [(a["name"], a["sku"], a["product"]) for a in aliases] == [
        ("Hand-made clay bowl", "MUG-BLUE", "Blue Ceramic Mug 350 ml")
    ]
    later = tmp_path / "later.csv"
    text = EXPORT.read_text(encoding="utf-8").replace("#2001", "#2003").replace("#2002", "#2004")
    later.write_text(text.replace("Hand-made clay bowl", "hand-made CLAY bowl"), encoding="utf-8")
    code, out, _ = baton(capsys, url, "import", "orders", str(later))
    assert code == 0
    assert out.startswith("orders: 2 received (2 ready, 0 on hold)")


@pytest.mark.parametrize(
    ("line", "sku", "message"),
    [
        ("1", "NO-SUCH", "baton: No product has the SKU or barcode 'NO-SUCH'; nothing changed."),
        ("2", "MUG-BLUE", "baton: Order #2001 line 2 'Earl Grey Tea 100 g' has the SKU TEA-EARL"),
        ("7", "MUG-BLUE", "baton: Order #2001 has no line 7"),
    ],
)
def test_refused_map_line_says_why_and_changes_nothing(
    url: str, capsys: pytest.CaptureFixture[str], line: str, sku: str, message: str
) -> None:
    before = baton(capsys, url, "order", "show", "#2001", "--json")[1]
    code, out, err = baton(
        capsys, url, "order", "map-line", "#2001", line, "--sku", sku, "--remember"
    )
    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert baton(capsys, url, "order", "show", "#2001", "--json")[1] == before
    assert baton(capsys, url, "products", "aliases", "--json")[1] == "[]\n"


def test_products_alias_add_replace_list_and_remove(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert baton(capsys, url, "products", "aliases")[1] == (
        "no aliases: `baton products alias NAME --sku SKU` adds one\n"
    )
    code, out, _ = baton(
        capsys, url, "products", "alias", " Hand-made clay bowl ", "--sku", "MUG-BLUE"
    )
    assert (code, out) == (0, "alias 'Hand-made clay bowl' -> MUG-BLUE (Blue Ceramic Mug 350 ml)\n")
    code, out, _ = baton(
        capsys, url, "products", "alias", "HAND-MADE CLAY BOWL", "--sku", "96385074"
    )
    assert out == (
        "alias 'HAND-MADE CLAY BOWL' -> SOCK-ZOE (Chaussettes « Zoë » laine), was MUG-BLUE\n"
    )
    code, out, _ = baton(capsys, url, "products", "aliases")
    assert code == 0
    header, _rule, row = out.splitlines()
    assert header.split() == ["name", "sku", "product", "since", "by"]
    assert row.startswith("HAND-MADE CLAY BOWL  SOCK-ZOE  Chaussettes « Zoë » laine")
    assert row.endswith("command line")
    assert baton(capsys, url, "products", "alias", "hand-made clay bowl", "--remove")[1] == (
        "alias 'HAND-MADE CLAY BOWL' removed (it was SOCK-ZOE)\n"
    )
    code, _, err = baton(capsys, url, "products", "alias", "hand-made clay bowl", "--remove")
    assert (code, err) == (1, "baton: No alias 'hand-made clay bowl'; nothing changed.\n")
    code, _, err = baton(capsys, url, "products", "alias", "Bowl", "--sku", "NO-SUCH")
    assert (code, err) == (
        1,
        "baton: No product has the SKU or barcode 'NO-SUCH'; nothing changed.\n",
    )
    assert baton(capsys, url, "products", "aliases", "--json")[1] == "[]\n"


def test_alias_needs_either_a_sku_or_remove(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database", url, "products", "alias", "Bowl"]) == 2
    assert "one of the arguments --sku --remove is required" in capsys.readouterr().err
    both = ["products", "alias", "Bowl", "--sku", "MUG-BLUE", "--remove"]
    assert main(["--database", url, *both]) == 2
    assert "not allowed with argument" in capsys.readouterr().err

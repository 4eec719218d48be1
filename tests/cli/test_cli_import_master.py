"""`baton import locations|products|stock` and `baton operators`, run through `main()`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.config import DatabaseChoice
from app.db.database import open_database
from app.db.engine import unit_of_work
from app.db.models import Location, Operator, Product, Stock
from app.services.errors import OperatorDisabled
from app.services.masterdata.operators import badge_login, check_pin

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "masterdata"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A fresh SQLite file for the command to create and fill."""
    return f"sqlite:///{tmp_path / 'floor.sqlite3'}"


def baton(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[int, str, str]:
    """Run `baton --database URL ARGV...`; its exit status, stdout and stderr."""
    capsys.readouterr()
    code = main(["--database", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def counts(url: str) -> tuple[int, int, int]:
    """How many locations, products and stock rows the database holds."""
    db = open_database(DatabaseChoice(url, embedded_default=False))
    try:
        with db.sessions() as session:
            locations, products, stock = (
                session.scalar(select(func.count()).select_from(table)) or 0
                for table in (Location, Product, Stock)
            )
        return locations, products, stock
    finally:
        db.close()


def import_fixture_floor(capsys: pytest.CaptureFixture[str], url: str) -> None:
    for kind in ("locations", "products", "stock"):
        assert baton(capsys, url, "import", kind, str(FIXTURES / f"{kind}.csv"))[0] == 0


@pytest.mark.parametrize(("kind", "created"), [("locations", 4), ("products", 3), ("stock", 4)])
def test_import_prints_counts_and_exits_0(
    capsys: pytest.CaptureFixture[str], url: str, kind: str, created: int
) -> None:
    if kind == "stock":
        for needed in ("locations", "products"):
            baton(capsys, url, "import", needed, str(FIXTURES / f"{needed}.csv"))
    code, out, err = baton(capsys, url, "import", kind, str(FIXTURES / f"{kind}.csv"))
    assert (code, err) == (0, "")
    assert out == f"{kind}: {created} created, 0 updated, 0 unchanged, 0 rejected\n"
    # The same file again: every row unchanged.
    code, out, _ = baton(capsys, url, "import", kind, str(FIXTURES / f"{kind}.csv"))
    assert code == 0
    assert out == f"{kind}: 0 created, 0 updated, {created} unchanged, 0 rejected\n"


def test_whole_floor_lands(capsys: pytest.CaptureFixture[str], url: str) -> None:
    import_fixture_floor(capsys, url)
    assert counts(url) == (4, 3, 4)


def test_some_bad_locations_exit_1_naming_lines(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, out, err = baton(
        capsys, url, "import", "locations", str(FIXTURES / "locations_some_bad.csv")
    )
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "locations: 1 created, 0 updated, 0 unchanged, 2 rejected",
        "  line 3: aisle must be at least 1, got 0",
        "  line 4: bay must be a whole number, got 'three'",
    ]
    assert counts(url) == (1, 0, 0)


def test_some_bad_products_exit_1_naming_lines(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    baton(capsys, url, "import", "products", str(FIXTURES / "products.csv"))
    code, out, _ = baton(capsys, url, "import", "products", str(FIXTURES / "products_some_bad.csv"))
    assert code == 1
    assert out.splitlines() == [
        "products: 1 created, 0 updated, 0 unchanged, 2 rejected",
        "  line 3: barcode 4012345000017 has a wrong GTIN check digit",
        "  line 4: barcode belongs to another product: 4006381333931 (already on MUG-BLUE)",
    ]
    assert counts(url) == (0, 4, 0)


def test_some_bad_stock_exit_1_naming_lines(capsys: pytest.CaptureFixture[str], url: str) -> None:
    import_fixture_floor(capsys, url)
    code, out, _ = baton(capsys, url, "import", "stock", str(FIXTURES / "stock_some_bad.csv"))
    assert code == 1
    assert out.splitlines() == [
        "stock: 0 created, 1 updated, 0 unchanged, 3 rejected",
        "  line 3: unknown location A09-09-9",
        "  line 4: quantity must be at least 0, got -1",
        "  line 5: unknown SKU NO-SUCH-SKU",
    ]


@pytest.mark.parametrize("kind", ["locations", "products", "stock"])
def test_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path, kind: str
) -> None:
    code, out, err = baton(capsys, url, "import", kind, str(tmp_path / "gone.csv"))
    assert (code, out) == (2, "")
    assert err.startswith("baton: File not found:") and "gone.csv" in err


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("locations", "code,zone,aisle,bay,level\nA09-01-1,Entrée,9,1,1\n"),
        (
            "products",
            "sku,name,barcodes,weight_g,length_mm,width_mm,height_mm\nC-1,Café,C1,1,1,1,1\n",
        ),
        ("stock", "location,sku,quantity,lot,expiry\nA01-01-1,MUG-BLUE,1,LOT-é,\n"),
    ],
)
def test_latin1_file_exits_2_and_lands_nothing(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path, kind: str, text: str
) -> None:
    import_fixture_floor(capsys, url)
    path = tmp_path / f"{kind}-latin1.csv"
    path.write_bytes(text.encode("latin-1"))
    code, out, err = baton(capsys, url, "import", kind, str(path))
    assert (code, out) == (2, "")
    assert "is not UTF-8 text (line 2" in err and "CSV UTF-8" in err
    assert counts(url) == (4, 3, 4)


def test_missing_columns_exit_2_naming_them(capsys: pytest.CaptureFixture[str], url: str) -> None:
    path = FIXTURES / "products_missing_columns.csv"
    code, out, err = baton(capsys, url, "import", "products", str(path))
    assert (code, out) == (2, "")
    assert (
        "products_missing_columns.csv lacks required columns: "
        "barcodes, length_mm, width_mm, height_mm" in err
    )
    assert counts(url) == (0, 0, 0)


# --- operators ---------------------------------------------------------------------------


def test_operators_add_and_list(capsys: pytest.CaptureFixture[str], url: str) -> None:
    add = ("operators", "add", "--badge", "B100", "--name", "Ana Silva", "--role", "picker")
    code, out, err = baton(capsys, url, *add, "--pin", "0042")
    assert (code, err) == (0, "")
    assert out == "added Ana Silva (picker) with badge B100\n"
    code, out, _ = baton(capsys, url, "operators")
    assert code == 0
    assert out.splitlines()[0].split() == ["badge", "name", "role", "active"]
    assert out.splitlines()[2].split() == ["B100", "Ana", "Silva", "picker", "yes"]
    assert "0042" not in out and "scrypt" not in out
    # The PIN given on the command line logs in; it is not what was stored.
    db = open_database(DatabaseChoice(url, embedded_default=False))
    try:
        with db.sessions() as session:
            assert check_pin(session, "B100", "0042").accepted().name == "Ana Silva"
            assert "0042" not in session.scalars(select(Operator.pin_hash)).one()
    finally:
        db.close()


def test_operators_disable_and_enable(capsys: pytest.CaptureFixture[str], url: str) -> None:
    add = ("operators", "add", "--badge", "B100", "--name", "Ana", "--role", "picker")
    assert baton(capsys, url, *add, "--pin", "0042")[0] == 0
    assert baton(capsys, url, "operators", "disable", "B100") == (0, "B100 (Ana) disabled\n", "")
    code, out, _ = baton(capsys, url, "operators")
    assert out.splitlines()[2].split() == ["B100", "Ana", "picker", "no"]
    db = open_database(DatabaseChoice(url, embedded_default=False))
    try:
        with db.sessions() as session, pytest.raises(OperatorDisabled):
            badge_login(session, "B100", "cart 1")
    finally:
        db.close()
    assert baton(capsys, url, "operators", "enable", "B100") == (0, "B100 (Ana) enabled\n", "")
    code, out, _ = baton(capsys, url, "operators")
    assert out.splitlines()[2].split() == ["B100", "Ana", "picker", "yes"]
    code, out, err = baton(capsys, url, "operators", "disable", "B999")
    assert (code, out) == (1, "") and "No operator has badge B999" in err


def test_operators_unlock_a_badge_locked_after_wrong_pins(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    add = ("operators", "add", "--badge", "B100", "--name", "Ana", "--role", "picker")
    assert baton(capsys, url, *add, "--pin", "0042")[0] == 0
    db = open_database(DatabaseChoice(url, embedded_default=False))
    try:
        for _ in range(5):
            with unit_of_work(db.sessions) as session:
                check_pin(session, "B100", "9999", "cart 3")
    finally:
        db.close()
    code, out, _ = baton(capsys, url, "operators")
    assert out.splitlines()[2].split() == ["B100", "Ana", "picker", "locked"]
    code, out, err = baton(capsys, url, "operators", "unlock", "B100")
    assert (code, err) == (0, "")
    assert out.startswith("B100 (Ana) unlocked: locked ")
    assert out.endswith(" at cart 3 after 5 wrong PINs\n")
    code, out, _ = baton(capsys, url, "operators")
    assert out.splitlines()[2].split() == ["B100", "Ana", "picker", "yes"]
    code, out, _ = baton(capsys, url, "operators", "unlock", "B100", "--json")
    assert code == 0 and json.loads(out) == {
        "badge": "B100",
        "name": "Ana",
        "role": "picker",
        "was_locked": False,
        "locked_at": None,
        "locked_station": "",
        "wrong_pins": 0,
    }
    db = open_database(DatabaseChoice(url, embedded_default=False))
    try:
        with unit_of_work(db.sessions) as session:
            assert check_pin(session, "B100", "0042").accepted().name == "Ana"
    finally:
        db.close()
    code, out, err = baton(capsys, url, "operators", "unlock", "B999")
    assert (code, out) == (1, "") and "No operator has badge B999" in err


def test_operators_add_refuses_a_taken_badge(capsys: pytest.CaptureFixture[str], url: str) -> None:
    add = ("operators", "add", "--badge", "B100", "--role", "packer", "--pin", "1234")
    assert baton(capsys, url, *add, "--name", "Ana Silva")[0] == 0
    code, out, err = baton(capsys, url, *add, "--name", "Ben Okafor")
    assert (code, out) == (1, "")
    assert err == "baton: Badge B100 already belongs to an operator.\n"


@pytest.mark.parametrize("pin", ["123", "123456789", "12ab"])
def test_operators_add_refuses_a_bad_pin(
    capsys: pytest.CaptureFixture[str], url: str, pin: str
) -> None:
    code, out, err = baton(
        capsys,
        url,
        "operators",
        "add",
        "--badge",
        "B1",
        "--name",
        "Ana",
        "--role",
        "picker",
        "--pin",
        pin,
    )
    assert (code, out) == (1, "")
    assert err == "baton: A PIN is 4 to 8 digits.\n"
    assert baton(capsys, url, "operators")[1].splitlines()[2:] == []


def test_operators_add_without_pin_and_terminal_exits_2(
    capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n"))
    code, _, err = baton(
        capsys, url, "operators", "add", "--badge", "B1", "--name", "Ana", "--role", "picker"
    )
    assert code == 2
    assert "give --pin" in err


def test_operators_add_refuses_an_unknown_role(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code = main(["--database", url, "operators", "add", "--badge", "B1", "--name", "Ana",
                 "--role", "boss", "--pin", "1234"])  # fmt: skip
    assert code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err

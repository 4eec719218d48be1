"""Customs declarations at carton close, on both databases: a carton leaving the EU prints one
with its label (CN22 or CN23), one staying inside prints none, and a product without customs
data is a warning to the packer, never a refusal."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderLine, Product
from app.printing import PdfFolderPrinter
from app.printing.library import LABELS_DIR, SITE_FILE, LayoutLibrary
from app.services.packing import customs
from app.services.packing.bench import close_carton, pack_item, start_packing
from app.services.packing.documents import carton_documents, print_carton
from app.services.packing.jobs import PackOutcome
from tests.printing.conftest import rasterise, read_barcodes
from tests.services.journey import GTIN, add_packer, scanned

NEW_YORK = {
    "ship_name": "Ava Johnson",
    "ship_address1": "350 Fifth Avenue",
    "ship_address2": "Suite 4200",
    "ship_city": "New York",
    "ship_region": "NY",
    "ship_postal_code": "10118",
    "ship_country": "US",
    "currency": "USD",
}
PARIS = {
    "ship_name": "François Dupont",
    "ship_address1": "18 Rue de Rivoli",
    "ship_city": "Paris",
    "ship_postal_code": "75004",
    "ship_country": "FR",
    "currency": "EUR",
}


def _ship(db: Database, number: str, **columns: str) -> None:
    """The order sent somewhere else than Zürich (as if the shop had said so)."""
    with unit_of_work(db.sessions) as session:
        order = session.scalars(select(Order).where(Order.number == number)).one()
        for name, value in columns.items():
            setattr(order, name, value)


def _price(db: Database, number: str, sku: str, unit_price: str) -> None:
    with unit_of_work(db.sessions) as session:
        order_id = session.scalars(select(Order.id).where(Order.number == number)).one()
        session.execute(
            update(OrderLine)
            .where(OrderLine.order_id == order_id, OrderLine.sku == sku)
            .values(unit_price=Decimal(unit_price))
        )


def _pack_1001(db: Database) -> tuple[PackOutcome, PackOutcome]:
    """Order #1001 (2 mugs, 1 tea) started, scanned and closed in one carton."""
    sam = add_packer(db)
    with unit_of_work(db.sessions) as session:
        started = start_packing(session, sam, scanned("#1001"))
    for sku in ("MUG-BLUE", "MUG-BLUE", "TEA-EARL"):
        with unit_of_work(db.sessions) as session:
            view = pack_item(session, sam, "#1001", scanned(GTIN[sku])).view
    carton = view.open_carton
    assert carton is not None
    with unit_of_work(db.sessions) as session:
        closed = close_carton(session, sam, "#1001", carton.expected_weight_g + 10)
    assert closed.result == "done" and closed.closed_carton is not None
    return started, closed


def test_a_us_bound_carton_prints_a_cn22_with_its_label(bench: Database, tmp_path: Path) -> None:
    _ship(bench, "#1001", **NEW_YORK)
    started, closed = _pack_1001(bench)
    assert started.result == "ok" and not started.view.customs.warning
    assert started.view.customs.declaration == "customs declaration DE → US"
    labels, sheets = PdfFolderPrinter(tmp_path / "labels"), PdfFolderPrinter(tmp_path / "sheets")
    assert closed.closed_carton is not None
    prints = print_carton(
        bench.sessions, add_packer(bench, "OP-3002"), labels, sheets, closed.closed_carton
    )
    assert all(p.ok for p in prints)
    assert [p.description.split(" order ")[0] for p in prints] == [
        "shipping label",
        "customs declaration CN22",  # USD 38.30 and 1.07 kg: within the CN22 limits
        "packing slip",
    ]
    declaration = Path(prints[1].destination)
    assert declaration.parent == tmp_path / "labels"  # a 4x6 in label: the label printer
    (carton,) = closed.view.cartons
    assert [b.text for b in read_barcodes(rasterise(declaration, 203)[0])] == [
        carton.tracking_number
    ]
    text = PdfReader(declaration).pages[0].extract_text()
    for words in ("CN22", "Stoneware mug", "691200", "PT", "090240", "LK", "29.80", "8.50"):
        assert words in text
    assert "USD 38.30" in text and "Sale of goods" in text and "Ava Johnson" in text


def test_an_eu_bound_carton_prints_no_declaration(bench: Database) -> None:
    _ship(bench, "#1001", **PARIS)
    started, closed = _pack_1001(bench)
    assert started.view.customs.declaration == "" and closed.result == "done"
    assert closed.closed_carton is not None
    with bench.sessions() as session:
        layouts = [d.layout for d in carton_documents(session, closed.closed_carton)]
    assert layouts == ["shipping_4x6", "packing_slip_a4"]


def test_a_carton_over_the_cn22_value_gets_a_cn23_on_the_document_printer(
    bench: Database, tmp_path: Path
) -> None:
    _ship(bench, "#1001", **NEW_YORK)
    _price(bench, "#1001", "MUG-BLUE", "149.00")  # 2 x 149.00 + 8.50 = USD 306.50 > 300
    _, closed = _pack_1001(bench)
    assert closed.closed_carton is not None
    labels, sheets = PdfFolderPrinter(tmp_path / "labels"), PdfFolderPrinter(tmp_path / "sheets")
    prints = print_carton(
        bench.sessions, add_packer(bench, "OP-3002"), labels, sheets, closed.closed_carton
    )
    (cn23,) = [p for p in prints if "customs" in p.description]
    assert cn23.ok and "CN23" in cn23.description
    assert Path(cn23.destination).parent == tmp_path / "sheets"  # A4: the document printer
    (carton,) = closed.view.cartons
    pdf = Path(cn23.destination)
    assert [b.text for b in read_barcodes(rasterise(pdf, 300)[0])] == [carton.tracking_number]
    text = PdfReader(pdf).pages[0].extract_text()
    assert "CN23" in text and "USD 306.50" in text and "298.00" in text


def test_a_product_without_hs_code_is_a_warning_not_a_refusal(bench: Database) -> None:
    _ship(bench, "#1001", **NEW_YORK)
    with unit_of_work(bench.sessions) as session:
        session.execute(
            update(Product)
            .where(Product.sku == "TEA-EARL")
            .values(hs_code="", customs_description="")
        )
    started, closed = _pack_1001(bench)
    warning = "Customs data missing (TEA-EARL: HS code, customs description)"
    assert started.result == "attention" and warning in started.message
    assert started.view.customs.warning.startswith(warning)
    # The carton closes and its declaration prints, the packer told what it lacks.
    assert closed.result == "done" and warning in closed.message
    assert closed.closed_carton is not None
    with bench.sessions() as session:
        documents = carton_documents(session, closed.closed_carton)
    (declaration,) = [d for d in documents if d.layout == "customs_cn22"]
    tea = declaration.data["items"][1]
    assert (tea["sku"], tea["hs_code"], tea["description"]) == ("TEA-EARL", "", "Earl Grey 100 g")


def test_a_warehouse_without_a_country_is_told_at_the_bench(
    bench: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "labels"
    shutil.copytree(LABELS_DIR, folder)
    site = folder / SITE_FILE
    site.write_text(
        "\n".join(
            line
            for line in site.read_text(encoding="utf-8").splitlines()
            if not line.startswith("ship_from_country")
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(customs, "default_library", lambda: LayoutLibrary(folder))
    started, closed = _pack_1001(bench)
    assert started.result == "attention"
    assert "(ship_from_country in labels/_site.toml) is unknown" in started.message
    assert closed.closed_carton is not None
    with bench.sessions() as session:
        layouts = [d.layout for d in carton_documents(session, closed.closed_carton)]
    assert "customs_cn22" not in layouts and "customs_cn23" not in layouts

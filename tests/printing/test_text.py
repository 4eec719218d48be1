"""Text on documents: exact extraction, Unicode names, fallback fonts, missing values, fitting."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.printing import (
    BadValue,
    LayoutLibrary,
    MissingValue,
    UnprintableText,
    render_pdf,
    render_zpl,
    sample_data,
)
from app.printing.fonts import BUNDLED_DIR, FontBook, default_fonts
from app.printing.render import compose
from tests.printing.conftest import layout_text, write_layout


def pdf_text(layout: str, data: dict[str, object], **kwargs: object) -> str:
    out = io.BytesIO()
    render_pdf(layout, data, out, **kwargs)  # type: ignore[arg-type]
    return "\n".join(page.extract_text() for page in PdfReader(out).pages)


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("Zoë Ångström", "8001 Zürich"),
        ("Дмитрий Шостакович", "190000 Санкт-Петербург"),
        ("Αλέξανδρος Παπαδόπουλος", "105 57 Αθήνα"),
        ("Łukasz Żółć", "00-001 Warszawa"),
    ],
)
@pytest.mark.parametrize("layout", ["shipping_4x6", "gs1_logistic_a6", "packing_slip_a4"])
def test_ship_to_name_and_address_extract_exactly(layout: str, name: str, city: str) -> None:
    data = sample_data(layout)
    data.update(ship_to_name=name, ship_to_city_line=city, ship_to_address1="Nevsky 28 / 3")
    lines = pdf_text(layout, data).splitlines()
    assert name in lines
    assert city in lines
    assert "Nevsky 28 / 3" in lines


def test_fonts_are_embedded() -> None:
    out = io.BytesIO()
    render_pdf("shipping_4x6", sample_data("shipping_4x6"), out)
    fonts = [ref.get_object() for ref in PdfReader(out).pages[0]["/Resources"]["/Font"].values()]
    assert {str(font["/BaseFont"]).split("+")[-1] for font in fonts} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    for font in fonts:  # each font's TrueType program is inside the file
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_a_missing_value_names_the_value() -> None:
    data = sample_data("shipping_4x6")
    del data["ship_to_city_line"]
    with pytest.raises(MissingValue, match="'ship_to_city_line'") as caught:
        render_pdf("shipping_4x6", data, io.BytesIO())
    assert caught.value.name == "ship_to_city_line"
    with pytest.raises(MissingValue, match="'ship_to_city_line'"):
        render_zpl("shipping_4x6", data)


def test_a_missing_row_value_names_the_row() -> None:
    data = sample_data("packing_slip_a4")
    del data["lines"][1]["sku"]
    with pytest.raises(MissingValue, match=r"'sku'.*row 2"):
        render_pdf("packing_slip_a4", data, io.BytesIO())
    data["lines"] = "not rows"
    with pytest.raises(BadValue, match="'lines'"):
        render_pdf("packing_slip_a4", data, io.BytesIO())


def test_empty_values_print_nothing_but_are_allowed() -> None:
    data = sample_data("shipping_4x6")
    data.update(ship_to_company="", ship_to_address2=None)
    text = pdf_text("shipping_4x6", data)
    assert "None" not in text
    assert "Bahnhofstrasse 12\n8001 Zürich" in text


def test_text_without_a_font_is_refused_not_printed_as_boxes() -> None:
    book = FontBook(fallback_dirs=[])  # no installed fonts to fall back on
    data = sample_data("shipping_4x6")
    data["ship_to_name"] = "山田 太郎"
    with pytest.raises(UnprintableText, match="U\\+5C71") as caught:
        compose("shipping_4x6", data, fonts=book)
    assert caught.value.where == "ship-to name"
    assert "山" in caught.value.missing


def test_installed_font_covers_what_dejavu_lacks(tmp_path: Path) -> None:
    # DejaVu Sans has no U+2312 (⌒) but DejaVu Sans Mono does: stand it in as an installed font.
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(BUNDLED_DIR / "DejaVuSansMono.ttf", fonts / "NotoSansSymbols-Regular.ttf")
    book = FontBook(fallback_dirs=[fonts])
    assert not default_fonts().face("sans").covers("⌒")
    data = sample_data("shipping_4x6")
    data["ship_to_name"] = "Arc ⌒ Studio"
    out = io.BytesIO()
    render_pdf("shipping_4x6", data, out, fonts=book)
    # One line in two fonts is one line of text in the file: it reads back as given.
    assert "Arc ⌒ Studio" in PdfReader(out).pages[0].extract_text().splitlines()


def _library_with(tmp_path: Path, elements: str) -> LayoutLibrary:
    write_layout(tmp_path / "labels", "t", layout_text(elements))
    return LayoutLibrary(tmp_path / "labels")


def test_long_text_shrinks_then_ends_in_an_ellipsis(tmp_path: Path) -> None:
    library = _library_with(
        tmp_path,
        """
[[element]]
type = "text"
name = "name"
x = 2
y = 2
w = 40
text = "{name}"
size = 14
min_size = 8
max_lines = 2
""",
    )
    short = compose("t", {"name": "Zoë Ångström"}, library=library)
    assert [line.size for line in short.pages[0].items] == [14]  # type: ignore[union-attr]
    longer = "Zoë Ångström-Lindqvist von Hohenzollern-Sigmaringen und Westfalen"
    fitted = compose("t", {"name": longer}, library=library)
    lines = fitted.pages[0].items
    assert len(lines) == 2
    assert all(line.size == 8 for line in lines)  # type: ignore[union-attr]
    assert lines[-1].text.endswith("…")  # type: ignore[union-attr]
    assert all(line.width <= 40 for line in lines)  # type: ignore[union-attr]
    assert fitted.warnings and "shortened" in fitted.warnings[0]


def test_wrapping_breaks_at_spaces(tmp_path: Path) -> None:
    library = _library_with(
        tmp_path,
        """
[[element]]
type = "text"
x = 2
y = 2
w = 30
text = "{note}"
size = 10
""",
    )
    composed = compose(
        "t", {"note": "Leave the parcel with the neighbour at number 12"}, library=library
    )
    texts = [item.text for item in composed.pages[0].items]  # type: ignore[union-attr]
    assert len(texts) > 1
    assert " ".join(texts) == "Leave the parcel with the neighbour at number 12"

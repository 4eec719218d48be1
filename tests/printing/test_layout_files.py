"""Layout files: mistakes are named, site values change every layout, edits are picked up."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.printing import (
    BarcodeError,
    LayoutError,
    LayoutLibrary,
    LayoutNotFound,
    render_pdf,
    sample_data,
)
from app.printing.render import compose
from tests.printing.conftest import layout_text, write_layout

TEXT = """
[[element]]
type = "text"
x = 2
y = 2
w = 50
text = "{name}"
"""
BARCODE = """
[[element]]
type = "barcode"
name = "code"
x = 10
y = 20
w = 80
symbology = "code128"
data = "{code}"
height = 15
module = 0.375
"""


def library(tmp_path: Path, elements: str, extra: str = "") -> LayoutLibrary:
    write_layout(tmp_path, "t", layout_text(elements, extra))
    return LayoutLibrary(tmp_path)


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        (
            TEXT.replace('text = "{name}"', 'text = "{name}"\nalignment = "left"'),
            r"element 1 \(text\): unknown setting\(s\) alignment",
        ),
        (TEXT.replace("x = 2", 'x = "left"'), "'x' must be a number"),
        (TEXT.replace("w = 50", "w = 150"), "reaches outside the 100 x 60 mm page"),
        (TEXT.replace("{name}", "{name"), "stray"),
        (TEXT.replace('type = "text"', 'type = "circle"'), "'type' must be one of"),
        (BARCODE.replace("code128", "qr"), "'symbology' must be one of"),
        (TEXT + 'font = "mono"\nbold = true\n', "font 'mono' has no bold"),
        ("", "has no elements"),
    ],
)
def test_layout_mistakes_are_named(tmp_path: Path, elements: str, message: str) -> None:
    with pytest.raises(LayoutError, match=message):
        library(tmp_path, elements).load("t")


def test_broken_toml_and_unknown_names(tmp_path: Path) -> None:
    write_layout(tmp_path, "broken", "title = \n")
    lib = LayoutLibrary(tmp_path)
    with pytest.raises(LayoutError, match="not valid TOML"):
        lib.load("broken")
    with pytest.raises(LayoutNotFound, match="known: broken"):
        lib.load("nope")
    with pytest.raises(LayoutNotFound):
        lib.load("../labels/shipping_4x6")


def test_barcode_too_wide_for_its_space(tmp_path: Path) -> None:
    lib = library(tmp_path, BARCODE)
    compose("t", {"code": "A03-12-2"}, library=lib)
    with pytest.raises(BarcodeError, match=r"needs \d+\.\d mm with its quiet zones but only 80.0"):
        compose("t", {"code": "A-VERY-LONG-LOCATION-CODE-1234"}, library=lib)


def test_nothing_may_sit_in_a_quiet_zone(tmp_path: Path) -> None:
    crowding = (
        BARCODE
        + """
[[element]]
type = "text"
name = "note"
x = 40
y = 25
w = 6
text = "X"
"""
    )
    with pytest.raises(LayoutError, match="note is inside the quiet zone of code"):
        compose("t", {"code": "A1"}, library=library(tmp_path, crowding))


def test_barcode_data_is_verified(tmp_path: Path) -> None:
    tracking = BARCODE.replace("height = 15", 'height = 15\nverify = "tracking"')
    lib = library(tmp_path, tracking)
    compose("t", {"code": "1Z5R89390357567127", "carrier": "UPS"}, library=lib)
    with pytest.raises(BarcodeError, match="not a valid UPS tracking number"):
        compose("t", {"code": "1Z5R89390357567128", "carrier": "UPS"}, library=lib)
    gtin = BARCODE.replace("height = 15", 'height = 15\nverify = "gtin"')
    with pytest.raises(BarcodeError, match="not a GTIN"):
        compose("t", {"code": "4006381333932"}, library=library(tmp_path, gtin))


def test_site_values_change_every_layout_without_code(labels_copy: LayoutLibrary) -> None:
    site = labels_copy.folder / "_site.toml"
    text = site.read_text(encoding="utf-8").replace("Hafenstrasse 10", "Lagerweg 7")
    site.write_text(text.replace('logo = "logo.png"', 'logo = ""'), encoding="utf-8")
    for name in ("shipping_4x6", "gs1_logistic_a6", "packing_slip_a4"):
        layout = labels_copy.load(name)
        data = labels_copy.sample_data(layout)
        data.pop("ship_from_address")  # as a service would: site values are the default
        data.pop("logo")
        out = io.BytesIO()
        render_pdf(layout, data, out, library=labels_copy)
        page = PdfReader(out).pages[0]
        assert "Lagerweg 7" in page.extract_text()
        assert not page["/Resources"].get("/XObject")  # no logo drawn


def test_values_given_when_printing_win_over_site_values() -> None:
    data = sample_data("shipping_4x6")
    data["ship_from_address"] = "Other depot\nSomewhere 1"
    out = io.BytesIO()
    render_pdf("shipping_4x6", data, out)
    assert "Other depot" in PdfReader(out).pages[0].extract_text()


def test_edited_layout_is_reloaded(tmp_path: Path) -> None:
    lib = library(tmp_path, TEXT)
    first = lib.load("t")
    assert lib.load("t") is first  # parsed once
    path = tmp_path / "t.toml"
    path.write_text(path.read_text().replace("w = 50", "w = 60"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert lib.load("t").elements[0].w == 60  # type: ignore[union-attr]


def test_missing_image_file_is_named(tmp_path: Path) -> None:
    image = """
[[element]]
type = "image"
x = 2
y = 2
w = 20
h = 10
file = "{logo}"
"""
    with pytest.raises(LayoutError, match=r"image file 'missing\.png' not found"):
        compose("t", {"logo": "missing.png"}, library=library(tmp_path, image))


def test_sample_data_of_a_new_layout_shows_every_name(tmp_path: Path) -> None:
    lib = library(tmp_path, TEXT + BARCODE.replace("y = 20", "y = 30"), '[sample]\nname = "Ann"')
    assert lib.sample_data(lib.load("t")) == {"name": "Ann", "code": "<code>"}


def test_unreadable_image_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not a picture")
    image = """
[[element]]
type = "image"
x = 2
y = 2
w = 20
h = 10
file = "logo.png"
"""
    with pytest.raises(LayoutError, match=r"image file 'logo\.png' cannot be read"):
        compose("t", {}, library=library(tmp_path, image))

"""ZPL from the same layouts: structure, barcodes, UTF-8 text, and no way to inject commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.printing import LayoutLibrary, UnprintableText, render_zpl, sample_data
from app.printing.document import Bars
from app.printing.fonts import FontBook
from app.printing.library import list_layouts
from app.printing.render import compose
from app.printing.zpl import escape_field_data
from tests.printing.conftest import layout_text, write_layout

LAYOUTS = [info.name for info in list_layouts()]
INJECTION = "^XZ^XA^FO50,50^FDX^FS^XZ"
FIELD = re.compile(r"\^FH\^FD(.*?)\^FS")


def unescape(data: str) -> str:
    """Undo ^FH hex escapes (each _XX is one byte of UTF-8), as the printer does."""
    raw = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data.encode())
    return raw.decode("utf-8")


def code128_text(field: str) -> str:
    """What a scanner reads from ^BC field data in no-mode (N): invocation codes interpreted."""
    out: list[str] = []
    subset, i = "B", 0
    while i < len(field):
        if field[i] == ">":
            code = field[i + 1]
            i += 2
            if code in ";5":
                subset = "C"
            elif code in ":6":
                subset = "B"
            elif code == "8":
                out.append("" if not out else "\x1d")
            else:
                raise AssertionError(f"unexpected invocation >{code}")
        elif subset == "C":
            out.append(field[i : i + 2])
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", LAYOUTS)
def test_structure(name: str, dpi: int) -> None:
    zpl = render_zpl(name, sample_data(name), dpi)
    formats = re.findall(r"\^XA(.*?)\^XZ", zpl, re.S)
    assert zpl.count("^XA") == zpl.count("^XZ") == len(formats) >= 1
    assert "~" not in zpl  # no control commands, ever
    for body in formats:
        assert body.lstrip().startswith("^CI28")  # UTF-8 field data
        assert re.search(r"\^PW\d+", body) and re.search(r"\^LL\d+", body)
        # Every field that is opened is closed.
        assert body.count("^FO") == body.count("^FS")


def test_page_size_in_dots() -> None:
    assert "^PW812\n^LL1218" in render_zpl("shipping_4x6", sample_data("shipping_4x6"), 203)
    assert "^PW1200\n^LL1800" in render_zpl("shipping_4x6", sample_data("shipping_4x6"), 300)


def test_text_round_trips_through_escapes() -> None:
    data = sample_data("shipping_4x6")
    zpl = render_zpl("shipping_4x6", data)
    texts = [unescape(f) for f in FIELD.findall(zpl)]
    assert "Zoë Ångström" in texts  # UTF-8 as is, under ^CI28
    assert "8001 Zürich" in texts
    assert "Zürich" in zpl.encode("utf-8").decode("utf-8")


@pytest.mark.parametrize("field", ["ship_to_address1", "ship_to_name", "ship_to_company"])
def test_an_address_cannot_inject_commands(field: str) -> None:
    data = sample_data("shipping_4x6")
    clean = render_zpl("shipping_4x6", data)
    data[field] = f"Main St 1 {INJECTION}"
    zpl = render_zpl("shipping_4x6", data)
    assert zpl.count("^XA") == clean.count("^XA") == 1
    assert zpl.count("^XZ") == 1
    assert "^FO50,50" not in zpl
    assert "_5EXZ_5EXA_5EFO50,50_5EFDX_5EFS_5EXZ" in zpl
    assert any(unescape(f).endswith(INJECTION) for f in FIELD.findall(zpl))


def test_escaping_covers_every_command_character() -> None:
    assert escape_field_data("a^b~c_d\\e") == "a_5Eb_7Ec_5Fd_5Ce"
    assert escape_field_data("tab\there\r\nend") == "tab_09here_0D_0Aend"
    assert unescape(escape_field_data("100% ~^_ Zoë")) == "100% ~^_ Zoë"


def test_tracking_barcode_is_bc_with_exact_subsets() -> None:
    zpl = render_zpl("shipping_4x6", sample_data("shipping_4x6"), 203)
    fields = re.findall(r"\^BY(\d+),3,\d+\^BCN,\d+,N,N,N,N\^FD(.*?)\^FS", zpl)
    assert len(fields) == 1
    module, field = fields[0]
    assert module == "3"  # 0.375 mm at 203 dpi
    assert field == ">:1Z5R>589390357567127"  # Start B, then subset C for the digit run
    assert code128_text(field) == "1Z5R89390357567127"


@pytest.mark.parametrize(("dpi", "module"), [(203, "4"), (300, "6")])
def test_sscc_is_gs1_128_with_fnc1_and_no_brackets(dpi: int, module: str) -> None:
    zpl = render_zpl("gs1_logistic_a6", sample_data("gs1_logistic_a6"), dpi)
    (found,) = re.findall(r"\^BY(\d+),3,\d+\^BCN,\d+,N,N,N,N\^FD(.*?)\^FS", zpl)
    assert found[0] == module
    assert found[1] == ">;>800106141412345678908"  # Start C, FNC1, digit pairs
    assert code128_text(found[1]) == "00106141412345678908"
    texts = [unescape(f) for f in FIELD.findall(zpl)]
    assert "(00)106141412345678908" in texts  # brackets only in the printed line


def test_variable_length_gs1_fields_get_a_separator(tmp_path: Path) -> None:
    write_layout(
        tmp_path,
        "g",
        layout_text("""
[[element]]
type = "barcode"
x = 0
y = 5
w = 100
symbology = "gs1-128"
data = "(01)09501101530003(10){lot}(21)XYZ"
height = 15
module = 0.25
"""),
    )
    zpl = render_zpl("g", {"lot": "ABC123"}, library=LayoutLibrary(tmp_path))
    (field,) = re.findall(r"\^BCN,\d+,N,N,N,N\^FD(.*?)\^FS", zpl)
    assert code128_text(field) == "010950110153000310ABC123\x1d21XYZ"


def test_ean13_uses_be_with_twelve_digits() -> None:
    zpl = render_zpl("pick_list_a4", sample_data("pick_list_a4"), 300)
    assert re.findall(r"\^BEN,\d+,N,N\^FD(\d+)\^FS", zpl) == [
        "400638133393",
        "590123412345",
        "950110153000",
    ]


def test_awkward_code128_data_is_drawn_as_exact_bars(tmp_path: Path) -> None:
    write_layout(
        tmp_path,
        "c",
        layout_text("""
[[element]]
type = "barcode"
x = 0
y = 5
w = 100
symbology = "code128"
data = "{code}"
height = 15
module = 0.25
hri = "none"
"""),
    )
    zpl = render_zpl("c", {"code": "A^B>C~D"}, library=LayoutLibrary(tmp_path))
    assert "^BC" not in zpl and "~" not in zpl
    assert zpl.count("^GB") > 10


def test_text_the_printer_font_lacks_is_sent_as_a_bitmap() -> None:
    data = sample_data("shipping_4x6")
    data["ship_to_name"] = "Дмитрий Шостакович"
    zpl = render_zpl("shipping_4x6", data)
    assert "Дмитрий" not in zpl
    assert zpl.count("^GFA") == 2  # the logo and the name


def test_text_no_font_has_is_refused() -> None:
    data = sample_data("shipping_4x6")
    data["ship_to_city_line"] = "東京都 100-0001"
    with pytest.raises(UnprintableText):
        render_zpl("shipping_4x6", data, fonts=FontBook(fallback_dirs=[]))


def test_white_text_is_field_reversed() -> None:
    zpl = render_zpl("shipping_4x6", sample_data("shipping_4x6"))
    assert re.search(r"\^FR\^FH\^FDUPS\^FS", zpl)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", ["shipping_4x6", "gs1_logistic_4x6", "location_100x50"])
def test_barcodes_sit_where_the_pdf_puts_them(name: str, dpi: int) -> None:
    bars = [
        i for i in compose(name, sample_data(name), dpi=dpi).pages[0].items if isinstance(i, Bars)
    ]
    zpl = render_zpl(name, sample_data(name), dpi)
    origins = re.findall(r"\^FO(\d+),(\d+)\^BY(\d+)", zpl)
    assert [(int(x), int(m)) for x, _, m in origins] == [
        (round(b.x * dpi / 25.4), b.module_dots) for b in bars
    ]

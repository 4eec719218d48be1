"""Japanese addresses on the 4x6 shipping label through the installed Noto Sans CJK font (PDF
read back exactly, the collection's Japanese face embedded, ZPL bitmaps), and the refusal that
names what to install on a station without such a font."""

from __future__ import annotations

import io
import os
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.printing import UnprintableText, render_pdf, render_zpl, sample_data
from app.printing.fonts import FontBook

JAPAN = {
    "ship_to_name": "佐藤 花子",
    "ship_to_company": "株式会社バトン物流",
    "ship_to_address1": "丸の内1丁目9-1",
    "ship_to_address2": "グラントウキョウノースタワー 5階",
    "ship_to_city_line": "千代田区 東京都 100-0005",
    "ship_to_country": "JP",
}


@pytest.fixture(scope="module")
def noto_cjk() -> FontBook:
    """The station's fonts, which must include Noto Sans CJK (CI installs fonts-noto-cjk)."""
    book = FontBook()
    runs = book.split("山", "sans")
    if runs.missing or runs.runs[0][0].path.name != "NotoSansCJK-Regular.ttc":
        reason = "Noto Sans CJK is not installed here: `sudo apt install fonts-noto-cjk`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return book


def _label(book: FontBook) -> tuple[dict[str, object], bytes]:
    data = sample_data("shipping_4x6")
    data.update(JAPAN)
    out = io.BytesIO()
    render_pdf("shipping_4x6", data, out, fonts=book)
    return data, out.getvalue()


def test_a_japanese_ship_to_reads_back_exactly_from_the_pdf(noto_cjk: FontBook) -> None:
    _, pdf = _label(noto_cjk)
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    for key in ("ship_to_name", "ship_to_company", "ship_to_address1", "ship_to_address2"):
        assert JAPAN[key] in lines, key
    assert JAPAN["ship_to_city_line"] in lines


def test_the_collection_s_japanese_face_is_embedded_as_truetype(noto_cjk: FontBook) -> None:
    _, pdf = _label(noto_cjk)
    embedded: dict[str, str] = {}
    for ref in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        program = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        names = TTFont(io.BytesIO(program))["name"]
        embedded[str(font["/BaseFont"]).split("+")[-1]] = (
            f"{names.getDebugName(1)} {names.getDebugName(2)}"
        )
    fallbacks = {name: face for name, face in embedded.items() if "fallback" in name}
    # The bold name and the regular address lines, in Noto Sans CJK's Japanese face only.
    assert set(fallbacks.values()) == {"Noto Sans CJK JP Regular", "Noto Sans CJK JP Bold"}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= set(embedded)
    # 直 is drawn differently in Japan and in China: the face chosen is the Japanese one.
    face = noto_cjk.split("直", "sans").runs[0][0]
    chosen = TTFont(str(face.path), fontNumber=face.subfont, lazy=True)
    assert chosen["name"].getDebugName(1) == "Noto Sans CJK JP"


def test_a_japanese_ship_to_is_sent_to_a_zpl_printer_as_bitmaps(noto_cjk: FontBook) -> None:
    data = sample_data("shipping_4x6")
    data.update(JAPAN)
    zpl = render_zpl("shipping_4x6", data, dpi=203, fonts=noto_cjk)
    assert not re.search("[\u3040-\u30ff\u4e00-\u9fff]", zpl)  # no CJK text reaches the printer
    bitmaps = re.findall(r"\^GFA,(\d+),\d+,(\d+),([0-9A-F]+)", zpl)
    # The logo, the name, and the four lines of the address (each with Japanese in it).
    assert len(bitmaps) == 6
    for total, row, data_hex in bitmaps:
        assert len(data_hex) == 2 * int(total) and int(total) % int(row) == 0
        assert set(data_hex) - {"0"}  # something is drawn


def test_without_a_cjk_font_the_refusal_names_the_package_to_install() -> None:
    book = FontBook(fallback_dirs=[])  # a station without any installed font
    data = sample_data("shipping_4x6")
    data.update(JAPAN)
    with pytest.raises(UnprintableText) as caught:
        render_pdf("shipping_4x6", data, io.BytesIO(), fonts=book)
    message = str(caught.value)
    assert caught.value.where == "ship-to name" and "佐 (U+4F50)" in message
    assert "Debian or Ubuntu: `sudo apt install fonts-noto-cjk`" in message
    assert "Other systems: install Noto Sans CJK" in message and "BATON_FONT_DIRS" in message
    with pytest.raises(UnprintableText, match="fonts-noto-cjk"):
        render_zpl("shipping_4x6", data, fonts=book)

    data["ship_to_name"] = "สมชาย ใจดี"  # Thai: another package
    with pytest.raises(UnprintableText, match="`sudo apt install fonts-noto-core`"):
        render_pdf("shipping_4x6", data, io.BytesIO(), fonts=book)

"""Every shipped layout, rendered with its sample data, scans back as meant and fits its page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from app.domain.gtin import is_gtin
from app.printing import list_layouts, load_layout, render_pdf, sample_data
from app.printing.document import Bars, placement_problems
from app.printing.render import compose
from tests.printing.conftest import rasterise, read_barcodes

LAYOUTS = [info.name for info in list_layouts()]


def _product(code: str) -> tuple[str, str]:
    return ("]E0", code.rjust(13, "0")) if is_gtin(code.rjust(13, "0")) else ("]C0", code)


def expected_reads(name: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """What a scanner must report for each barcode of a layout's sample, worked out by hand."""
    if name == "shipping_4x6" or name.startswith("customs_cn"):
        return [("]C0", data["tracking_number"])]
    if name.startswith("gs1_logistic"):
        return [("]C1", "00" + data["sscc"])]
    if name.startswith("packing_slip"):
        return [("]C0", data["order_number"])]
    if name == "pick_list_a4":
        reads = [("]C0", data["pick_list"])]
        for stop in data["stops"]:
            reads += [("]C0", stop["location"]), _product(stop["barcode"])]
        return reads
    if name == "location_100x50":
        return [("]C0", data["location"])]
    if name == "tote_label":
        return [("]C0", data["tote"])]
    if name == "slot_label":
        return [("]C0", data["slot"])]
    if name == "door_label":
        return [("]C0", data["door"])]
    if name == "operator_badge":
        return [("]C0", data["badge"])]
    if name == "manifest_a4":
        return [("]C0", data["manifest_number"])] + [
            ("]C0", carton["tracking_number"]) for carton in data["cartons"]
        ]
    raise AssertionError(f"add the expected barcodes of the new layout {name!r} here")


def test_the_issue_s_layouts_are_shipped() -> None:
    assert set(LAYOUTS) >= {
        "shipping_4x6",
        "gs1_logistic_a6",
        "gs1_logistic_4x6",
        "packing_slip_a4",
        "packing_slip_letter",
        "pick_list_a4",
        "location_100x50",
        "tote_label",
        "operator_badge",
    }


@pytest.mark.parametrize("name", LAYOUTS)
def test_sample_data_names_every_value(name: str) -> None:
    layout = load_layout(name)
    data = sample_data(layout)
    assert set(data) == set(layout.value_names())
    assert not [k for k, v in data.items() if isinstance(v, str) and v == f"<{k}>"]
    if layout.table is not None:
        for row in data[layout.table.rows]:
            assert set(layout.row_names()) <= set(row)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", LAYOUTS)
def test_every_barcode_reads_back(name: str, dpi: int) -> None:
    data = sample_data(name)
    out = io.BytesIO()
    render_pdf(name, data, out, dpi=dpi)
    page = rasterise(out.getvalue(), 203)[0]  # a 203 dpi scan, as the issue asks
    reads = sorted((r.symbology_id, r.text) for r in read_barcodes(page))
    assert reads == sorted(expected_reads(name, data))


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", LAYOUTS)
def test_bars_are_whole_dots_with_clear_quiet_zones(name: str, dpi: int) -> None:
    composed = compose(name, sample_data(name), dpi=dpi)
    out = io.BytesIO()
    render_pdf(name, sample_data(name), out, dpi=dpi)
    images = rasterise(out.getvalue(), dpi)
    for page, image in zip(composed.pages, images, strict=True):
        assert placement_problems(page) == []
        px = dpi / 25.4
        for bars in (item for item in page.items if isinstance(item, Bars)):
            # The first bar starts on a printer-dot edge and each module is whole dots.
            assert bars.x * px == pytest.approx(round(bars.x * px), abs=1e-6)
            left, top, right, bottom = bars.quiet_box
            assert left >= 0 and top >= 0
            assert right <= page.width and bottom <= page.height
            assert bars.x - left >= bars.symbol.quiet_left * bars.module_mm - 1e-9
            assert (right - bars.x - bars.bars_width) >= 10 * bars.module_mm - 1e-9
            # On the rendered page the quiet zones are white over the bars' full height.
            y0, y1 = round(top * px) + 1, round((top + bars.height) * px) - 1
            zones = [
                (round(left * px), round(bars.x * px)),
                (round((bars.x + bars.bars_width) * px), round(right * px)),
            ]
            for x0, x1 in zones:
                region = image.crop((x0, y0, x1, y1))
                assert region.getextrema()[0] > 200, f"ink in the quiet zone of {bars.owner}"
            # Dot-aligned bars render crisp: no grey edge pixels across a row of bars.
            row = image.crop(
                (
                    round(bars.x * px),
                    (y0 + y1) // 2,
                    round((bars.x + bars.bars_width) * px),
                    (y0 + y1) // 2 + 1,
                )
            )
            grey = [v for v in row.tobytes() if 40 < v < 215]
            assert grey == [], f"{bars.owner}: bar edges fall between dots"


@pytest.mark.parametrize("name", LAYOUTS)
def test_page_is_the_layout_size(name: str) -> None:
    layout = load_layout(name)
    out = io.BytesIO()
    render_pdf(name, sample_data(name), out)
    box = PdfReader(out).pages[0].mediabox
    assert float(box.width) == pytest.approx(layout.page.width * 72 / 25.4, abs=0.01)
    assert float(box.height) == pytest.approx(layout.page.height * 72 / 25.4, abs=0.01)

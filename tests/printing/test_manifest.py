"""The carrier manifest: cartons flow over pages, every tracking barcode scans, signatures last."""

from __future__ import annotations

import io

from pypdf import PdfReader

from app.printing import render_pdf, sample_data
from tests.printing.conftest import rasterise, read_barcodes


def test_a_long_manifest_flows_onto_more_pages_and_every_carton_scans() -> None:
    data = sample_data("manifest_a4")
    carton = data["cartons"][0]
    data["cartons"] = [
        {**carton, "tracking_number": f"1Z5R8939035756{n:04d}", "order_number": str(1000 + n)}
        for n in range(25)
    ]
    data["carton_count"] = 25
    out = io.BytesIO()
    result = render_pdf("manifest_a4", data, out)
    assert result.pages == 3 and result.warnings == ()
    reads = [r.text for page in rasterise(out.getvalue(), 203) for r in read_barcodes(page)]
    assert reads.count(data["manifest_number"]) == 1
    assert sorted(r for r in reads if r.startswith("1Z")) == [
        c["tracking_number"] for c in data["cartons"]
    ]
    texts = [page.extract_text() for page in PdfReader(out).pages]
    assert "(continued)" in texts[1] and "page 3 of 3" in texts[2]
    assert ["RECEIVED BY" in text for text in texts] == [False, False, True]

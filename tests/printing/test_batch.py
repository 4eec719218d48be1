"""Batches: many documents in one file, progress, cancellation, skipped failures, page flow."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.printing import (
    MissingValue,
    pdf_batch_steps,
    render_batch_pdf,
    render_batch_zpl,
    render_pdf,
    sample_data,
)
from app.printing.batch import BatchProgress
from tests.printing.conftest import rasterise, read_barcodes


def labels(count: int) -> list[dict[str, Any]]:
    base = sample_data("shipping_4x6")
    return [
        {**base, "order_number": str(1000 + i), "carton_no": i + 1, "carton_count": count}
        for i in range(count)
    ]


def test_many_labels_into_one_pdf_with_progress(tmp_path: Path) -> None:
    steps: list[BatchProgress] = []
    out = tmp_path / "batch.pdf"
    result = render_batch_pdf("shipping_4x6", labels(25), out, progress=steps.append)
    assert (result.documents, result.pages, result.cancelled) == (25, 25, False)
    assert [s.done for s in steps] == list(range(1, 26))
    assert all(s.total == 25 for s in steps)
    reader = PdfReader(out)
    assert len(reader.pages) == 25
    assert "ORDER 1024" in reader.pages[24].extract_text()


def test_generator_form_yields_progress_and_returns_the_result() -> None:
    out = io.BytesIO()
    steps = pdf_batch_steps("tote_label", (sample_data("tote_label") for _ in range(4)), out)
    seen = []
    while True:
        try:
            seen.append(next(steps))
        except StopIteration as stop:
            result = stop.value
            break
    assert [s.done for s in seen] == [1, 2, 3, 4]
    assert seen[0].total is None  # a generator has no length
    assert result.documents == 4 and out.getvalue().startswith(b"%PDF")


@pytest.mark.parametrize("how", ["event", "callable"])
def test_cancel_between_documents_leaves_no_file(tmp_path: Path, how: str) -> None:
    stop = threading.Event()
    out = tmp_path / "batch.pdf"

    def progress(step: BatchProgress) -> None:
        if step.done == 5:
            stop.set()

    cancel = stop if how == "event" else stop.is_set
    result = render_batch_pdf("shipping_4x6", labels(50), out, progress=progress, cancel=cancel)
    assert result.cancelled and result.documents == 5
    assert not out.exists()


def test_one_bad_document_stops_or_is_skipped(tmp_path: Path) -> None:
    docs = labels(5)
    del docs[2]["ship_to_name"]
    with pytest.raises(MissingValue) as caught:
        render_batch_pdf("shipping_4x6", docs, tmp_path / "a.pdf")
    assert "document 3 of the batch" in caught.value.__notes__
    result = render_batch_pdf("shipping_4x6", docs, tmp_path / "b.pdf", on_error="skip")
    assert result.documents == 4
    assert [index for index, _ in result.failed] == [2]
    assert "ship_to_name" in result.failed[0][1]
    assert len(PdfReader(tmp_path / "b.pdf").pages) == 4


def test_zpl_batch_is_one_format_per_label() -> None:
    zpl, result = render_batch_zpl("tote_label", [sample_data("tote_label")] * 3)
    assert zpl.count("^XA") == 3 and result.pages == 3
    stop = threading.Event()
    stop.set()
    zpl, result = render_batch_zpl("tote_label", [sample_data("tote_label")] * 3, cancel=stop)
    assert zpl == "" and result.cancelled


def test_long_packing_slip_flows_onto_further_pages() -> None:
    data = sample_data("packing_slip_a4")
    data["lines"] = [
        {"sku": f"SKU-{i:03d}", "name": f"Product number {i}", "quantity": i % 5 + 1}
        for i in range(1, 61)
    ]
    out = io.BytesIO()
    result = render_pdf("packing_slip_a4", data, out)
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert result.pages == len(pages) == 3
    every = "\n".join(pages)
    for i in range(1, 61):
        assert every.count(f"SKU-{i:03d}") == 1  # each line once, none lost at a page break
    assert "page 1 of 3" in pages[0] and "page 3 of 3" in pages[2]
    assert "(continued)" in pages[1] and "(continued)" not in pages[0]
    assert "Returns:" in pages[2] and "Returns:" not in pages[0]
    assert "SHIP TO" in pages[0] and "SHIP TO" not in pages[1]


def test_long_pick_list_keeps_route_order_and_barcodes() -> None:
    data = sample_data("pick_list_a4")
    stops = [{**data["stops"][i % 4], "location": f"A{i:02d}-01-1"} for i in range(20)]
    data["stops"] = stops
    out = io.BytesIO()
    result = render_pdf("pick_list_a4", data, out)
    assert result.pages == 2
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    positions = [text.index(f"A{i:02d}-01-1") for i in range(20)]
    assert positions == sorted(positions)
    reads = [r.text for image in rasterise(out.getvalue(), 203) for r in read_barcodes(image)]
    assert {f"A{i:02d}-01-1" for i in range(20)} <= set(reads)


def test_rows_grow_so_long_product_names_are_printed_whole() -> None:
    data = sample_data("packing_slip_a4")
    long_name = "Neoprene camera strap with quick-release buckles, padded, Kirschrot, 120 cm"
    data["lines"] = [{"sku": "STRAP-NEO", "name": long_name, "quantity": 1}] * 30
    out = io.BytesIO()
    result = render_pdf("packing_slip_a4", data, out)
    assert result.warnings == ()  # nothing shortened
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert text.count(long_name) == 30

"""Symbols from python-barcode: codewords read back, FNC1 first, dot-exact narrow bars."""

from __future__ import annotations

import itertools

import pytest

from app.printing.barcodes import (
    QUIET_MODULES,
    dots_to_mm,
    encode,
    fitting_module_dots,
    module_dots,
    snap_mm,
)
from app.printing.errors import BarcodeError


def test_code128_keeps_leading_99() -> None:
    # python-barcode folds "Start C, 99" into "Start C" and loses the digits; we do not.
    symbol = encode("code128", "991234")
    assert symbol.codewords == (105, 99, 12, 34)


def test_gs1_128_starts_with_fnc1_in_subset_c() -> None:
    symbol = encode("gs1-128", "(00)106141412345678908")
    assert symbol.codewords[:2] == (105, 102)  # Start C, FNC1
    assert symbol.symbology_id == "]C1"
    assert symbol.human_readable == "(00)106141412345678908"
    assert symbol.scanned == "00106141412345678908"
    # Start, FNC1, 10 digit pairs, check, stop (13 modules).
    assert len(symbol.modules) == 11 * 13 + 13


def test_code128_refuses_characters_a_scanner_cannot_send() -> None:
    # Without this check python-barcode would encode "ñ" as FNC1.
    with pytest.raises(BarcodeError, match="cannot send"):
        encode("code128", "Señor")
    with pytest.raises(BarcodeError, match="empty"):
        encode("code128", "")


def test_ean13_checks_and_pads_upc() -> None:
    assert encode("ean13", "4006381333931").data == "4006381333931"
    assert encode("ean13", "036000291452").data == "0036000291452"
    assert len(encode("ean13", "4006381333931").modules) == 95
    assert len(encode("ean13", "4006381333931").guards) == 6  # 3 guard patterns x 2 bars
    with pytest.raises(BarcodeError, match="check digit"):
        encode("ean13", "4006381333932")


def test_product_symbology_picks_ean13_for_gtins_only() -> None:
    assert encode("product", "4006381333931").symbology == "ean13"
    assert encode("product", "SKU-1").symbology == "code128"
    assert encode("product", "4006381333932").symbology == "code128"


def test_bars_are_merged_runs() -> None:
    symbol = encode("code128", "A")
    runs = symbol.bars()
    assert sum(width for _, width in runs) == symbol.modules.count("1")
    for (start, width), (next_start, _) in itertools.pairwise(runs):
        assert next_start > start + width  # a space between every two runs


@pytest.mark.parametrize(
    ("mm", "dpi", "dots"),
    [
        (0.375, 203, 3),
        (0.495, 203, 4),
        (0.495, 300, 6),
        (0.33, 300, 4),
        (0.25, 203, 2),
        (0.01, 203, 1),
    ],
)
def test_narrow_bar_is_whole_dots(mm: float, dpi: int, dots: int) -> None:
    assert module_dots(mm, dpi) == dots


def test_fitting_steps_down_whole_dots_only_to_the_minimum() -> None:
    symbol = encode("code128", "ABCDEFGHIJKL")
    width = symbol.total_modules * dots_to_mm(3, 203)
    assert fitting_module_dots(symbol, 0.5, 0.25, width, 203) == 3
    assert fitting_module_dots(symbol, 0.5, None, width, 203) is None
    assert symbol.quiet_left == symbol.quiet_right == QUIET_MODULES


def test_snap_moves_onto_dot_edges() -> None:
    dot = 25.4 / 203
    assert snap_mm(10.0, 203) == pytest.approx(round(10.0 / dot) * dot)
    assert snap_mm(10.0, 203, 1) >= 10.0
    assert snap_mm(10.0, 203, -1) <= 10.0

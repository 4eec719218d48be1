"""Barcode symbols: python-barcode module patterns, checked, with their dot-exact geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from barcode.codex import Code128
from barcode.ean import EuropeanArticleNumber13

from app.domain.gtin import is_gtin
from app.printing.errors import BarcodeError
from app.printing.gs1 import FNC1, parse_element_string

Symbology = Literal["code128", "gs1-128", "ean13"]
SYMBOLOGIES: tuple[str, ...] = ("code128", "gs1-128", "ean13", "product")
QUIET_MODULES = 10  # at least 10 narrow bars of light space each side
EAN_LEFT_QUIET = 11  # EAN-13 asks for 11 on the left (7 on the right, we keep 10)

# Code 128 codeword values that are not data.
_SWITCH_C, _SWITCH_B, _SWITCH_A, _FNC1 = 99, 100, 101, 102
_START = {103: "A", 104: "B", 105: "C"}


class _Code128(Code128):  # type: ignore[misc]
    """python-barcode's Code 128 with its start-code shortcut fixed for data starting '99'."""

    def _is_char_fnc1_char(self, char: str) -> bool:
        # Lets FNC1 stay in subset C (as python-barcode's GS1-128 class does).
        return char == FNC1

    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        # Upstream turns "Start C, 99" into "Start C", dropping the digits 99: in subset C
        # the value 99 is data, only a Code B/A switch right after the start can be folded.
        if encoded[0] == 105 and encoded[1] == _SWITCH_C:
            return encoded
        result: list[int] = super()._try_to_optimize(encoded)
        return result


@dataclass(frozen=True)
class Symbol:
    """One encoded barcode, independent of size: what to draw and what a scanner must read."""

    symbology: Symbology
    data: str  # the caller's data, normalised (GS1 in brackets)
    modules: str  # '1' bar module, '0' space module, left to right, no quiet zones
    guards: tuple[tuple[int, int], ...]  # EAN guard bar runs, drawn longer
    codewords: tuple[int, ...]  # Code 128 start + data codewords (no check, no stop)
    human_readable: str
    scanned: str  # what a scanner transmits after the symbology identifier
    symbology_id: str  # AIM identifier: ]C0 Code 128, ]C1 GS1-128, ]E0 EAN-13
    quiet_left: int
    quiet_right: int

    @property
    def total_modules(self) -> int:
        """Width in narrow bars including both quiet zones."""
        return self.quiet_left + len(self.modules) + self.quiet_right

    def bars(self) -> tuple[tuple[int, int], ...]:
        """Each dark bar as (first module, width in modules): runs of '1' merged into one."""
        return _runs(self.modules)


def _runs(modules: str) -> tuple[tuple[int, int], ...]:
    runs: list[tuple[int, int]] = []
    start = -1
    for i, m in enumerate(modules + "0"):
        if m == "1" and start < 0:
            start = i
        elif m != "1" and start >= 0:
            runs.append((start, i - start))
            start = -1
    return tuple(runs)


def _decode128(codewords: tuple[int, ...]) -> str:
    """Read codewords back to text; guards against encoder mistakes before anything prints."""
    subset = _START[codewords[0]]
    out: list[str] = []
    for value in codewords[1:]:
        if value == _FNC1:
            out.append(FNC1)
        elif subset == "C" and value < 100:
            out.append(f"{value:02d}")
        elif value in (_SWITCH_C, _SWITCH_B, _SWITCH_A):
            subset = {_SWITCH_C: "C", _SWITCH_B: "B", _SWITCH_A: "A"}[value]
        elif subset != "C" and value < 64:
            out.append(chr(value + 32))
        elif value < 96:  # 64-95: lower case in subset B, control characters in subset A
            out.append(chr(value + 32) if subset == "B" else chr(value - 64))
        else:
            out.append("\ufffd")
    return "".join(out)


def _code128_symbol(symbology: Symbology, text: str, human: str, scanned: str) -> Symbol:
    encoded = tuple(_Code128(text).encoded)
    if _decode128(encoded) != text:
        raise BarcodeError(f"Code 128 encoder produced a wrong symbol for {text!r}")
    modules = _Code128(text).build()[0]
    symbology_id = "]C1" if symbology == "gs1-128" else "]C0"
    return Symbol(
        symbology,
        human if symbology == "gs1-128" else text,
        modules,
        (),
        encoded,
        human,
        scanned,
        symbology_id,
        QUIET_MODULES,
        QUIET_MODULES,
    )


def _ean13_symbol(data: str) -> Symbol:
    digits = "".join(data.split())
    if len(digits) == 12 and digits.isascii() and digits.isdigit():
        digits = "0" + digits  # a UPC-A (GTIN-12) is an EAN-13 with a leading zero
    if len(digits) != 13 or not is_gtin(digits):
        raise BarcodeError(f"{data!r} is not a GTIN-13 with a correct check digit")
    ean = EuropeanArticleNumber13(digits, guardbar=True)
    pattern: str = ean.build()[0]
    guards = _runs(pattern.replace("1", "0").replace("G", "1"))
    return Symbol(
        "ean13",
        digits,
        pattern.replace("G", "1"),
        guards,
        (),
        digits,
        digits,
        "]E0",
        EAN_LEFT_QUIET,
        QUIET_MODULES,
    )


@lru_cache(maxsize=4096)
def encode(symbology: str, data: str) -> Symbol:
    """Encode `data`; BarcodeError says why data cannot become this symbol."""
    if symbology == "product":
        digits = "".join(data.split())
        plain = digits.isascii() and digits.isdigit()
        if plain and len(digits) in (12, 13) and is_gtin(digits.rjust(13, "0")):
            return _ean13_symbol(digits)
        symbology = "code128"
    if symbology == "ean13":
        return _ean13_symbol(data)
    if symbology == "gs1-128":
        element = parse_element_string(data)
        return _code128_symbol(
            "gs1-128", element.symbol_data, element.human_readable, element.transmitted
        )
    if symbology == "code128":
        if not data:
            raise BarcodeError("Code 128 data is empty")
        bad = sorted({c for c in data if not " " <= c <= "~"})
        if bad:
            raise BarcodeError(
                f"Code 128 data {data!r} has characters a scanner cannot send: {bad!r}"
            )
        return _code128_symbol("code128", data, data, data)
    raise BarcodeError(f"unknown symbology {symbology!r} (use one of {', '.join(SYMBOLOGIES)})")


def module_dots(module_mm: float, dpi: int) -> int:
    """The narrow bar as a whole number of printer dots, as close as possible to `module_mm`."""
    return max(1, round(module_mm * dpi / 25.4))


def dots_to_mm(dots: float, dpi: int) -> float:
    """Printer dots to millimetres."""
    return dots * 25.4 / dpi


def snap_mm(mm: float, dpi: int, direction: int = 0) -> float:
    """`mm` moved onto a printer-dot edge: nearest (0), rightwards (1) or leftwards (-1)."""
    dots = mm * dpi / 25.4
    if direction > 0:
        whole = math.ceil(dots - 1e-9)
    elif direction < 0:
        whole = math.floor(dots + 1e-9)
    else:
        whole = round(dots)
    return dots_to_mm(whole, dpi)


def fitting_module_dots(
    symbol: Symbol, module_mm: float, min_module_mm: float | None, width_mm: float, dpi: int
) -> int | None:
    """The widest narrow bar (in dots) from `module_mm` down to `min_module_mm` that fits."""
    wanted = module_dots(module_mm, dpi)
    lowest = module_dots(min_module_mm, dpi) if min_module_mm else wanted
    for dots in range(wanted, min(lowest, wanted) - 1, -1):
        if symbol.total_modules * dots_to_mm(dots, dpi) <= width_mm + 1e-6:
            return dots
    return None


def width_mm(symbol: Symbol, dots: int, dpi: int) -> float:
    """Width of the symbol with its quiet zones."""
    return symbol.total_modules * dots_to_mm(dots, dpi)

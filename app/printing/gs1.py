"""GS1 element strings for GS1-128: application identifiers, FNC1 separators, check digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.gtin import has_valid_check_digit, with_check_digit
from app.printing.errors import BarcodeError

FNC1 = "\xf1"  # how python-barcode spells FNC1 inside a Code 128 data string
MAX_DATA_CHARS = 48  # GS1 General Specifications: at most 48 data characters per symbol

# AIs whose first two digits are listed here have a predefined length, so no FNC1
# separator follows them (GS1 General Specifications, "predefined length" table).
_PREDEFINED = frozenset(
    {"00", "01", "02", "03", "04", "31", "32", "33", "34", "35", "36", "41"}
    | {str(n) for n in range(11, 21)}
)

# The GS1 AI encodable character set 82 (what alphanumeric AIs may carry).
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")


@dataclass(frozen=True)
class _Spec:
    numeric: bool
    min_len: int
    max_len: int
    check_digit: bool = False


def _spec(ai: str) -> _Spec:
    """The data format of application identifier `ai` (the commonly used ones)."""
    fixed = {
        "00": _Spec(True, 18, 18, True),
        "01": _Spec(True, 14, 14, True),
        "02": _Spec(True, 14, 14, True),
        "20": _Spec(True, 2, 2),
        "402": _Spec(True, 17, 17, True),
        "10": _Spec(False, 1, 20),
        "21": _Spec(False, 1, 20),
        "22": _Spec(False, 1, 20),
        "30": _Spec(True, 1, 8),
        "37": _Spec(True, 1, 8),
        "400": _Spec(False, 1, 30),
        "401": _Spec(False, 1, 30),
        "403": _Spec(False, 1, 30),
        "420": _Spec(False, 1, 20),
        "421": _Spec(False, 4, 12),
        "90": _Spec(False, 1, 30),
    }
    if ai in fixed:
        return fixed[ai]
    if ai in {"11", "12", "13", "15", "16", "17"}:  # dates YYMMDD
        return _Spec(True, 6, 6)
    if re.fullmatch(r"41[0-7]", ai):  # GLNs
        return _Spec(True, 13, 13, True)
    if re.fullmatch(r"3[1-6]\d\d", ai) and ai[3] in "012345":  # measures with decimals
        return _Spec(True, 6, 6)
    if re.fullmatch(r"9[1-9]", ai):  # company internal
        return _Spec(False, 1, 90)
    raise BarcodeError(f"unknown GS1 application identifier ({ai})")


@dataclass(frozen=True)
class ElementString:
    """A parsed GS1 element string: (AI, data) pairs in order."""

    fields: tuple[tuple[str, str], ...]

    @property
    def human_readable(self) -> str:
        """The text printed under the symbol: each AI in brackets, then its data."""
        return "".join(f"({ai}){data}" for ai, data in self.fields)

    @property
    def symbol_data(self) -> str:
        """What goes into the symbol: FNC1 first, FNC1 after each variable-length field."""
        parts = [FNC1]
        for i, (ai, data) in enumerate(self.fields):
            parts.append(ai + data)
            last = i == len(self.fields) - 1
            if not last and ai[:2] not in _PREDEFINED:
                parts.append(FNC1)
        return "".join(parts)

    @property
    def transmitted(self) -> str:
        """What a scanner sends after the ]C1 prefix: GS (ASCII 29) where FNC1 separates."""
        return self.symbol_data[1:].replace(FNC1, "\x1d")


_BRACKETED = re.compile(r"\((\d{2,4})\)([^()]*)")


def parse_element_string(text: str) -> ElementString:
    """Parse `(00)106141412345678908(10)LOT1` and check every field (length, charset, digit)."""
    text = text.strip()
    if not text:
        raise BarcodeError("GS1-128 data is empty")
    pos = 0
    fields: list[tuple[str, str]] = []
    for match in _BRACKETED.finditer(text):
        if match.start() != pos:
            break
        fields.append((match.group(1), match.group(2).strip()))
        pos = match.end()
    if pos != len(text) or not fields:
        raise BarcodeError(
            f"GS1-128 data {text!r} must be application identifiers in brackets, "
            "e.g. (00)106141412345678908"
        )
    for ai, data in fields:
        _check_field(ai, data)
    element = ElementString(tuple(fields))
    length = sum(len(ai) + len(data) for ai, data in fields)
    if length > MAX_DATA_CHARS:
        raise BarcodeError(f"GS1-128 data {text!r} has {length} characters; at most 48 fit")
    return element


def _check_field(ai: str, data: str) -> None:
    spec = _spec(ai)
    if not spec.min_len <= len(data) <= spec.max_len:
        size = str(spec.max_len) if spec.min_len == spec.max_len else f"up to {spec.max_len}"
        raise BarcodeError(f"GS1 ({ai}) needs {size} characters, got {data!r}")
    if spec.numeric and not (data.isascii() and data.isdigit()):
        raise BarcodeError(f"GS1 ({ai}) must be digits only, got {data!r}")
    if not _CSET82.fullmatch(data):
        raise BarcodeError(f"GS1 ({ai}) has characters GS1 does not allow: {data!r}")
    if spec.check_digit and not has_valid_check_digit(data):
        raise BarcodeError(f"GS1 ({ai}) {data} has a wrong check digit")


def make_sscc(extension: int, company_prefix: str, serial: int) -> str:
    """An SSCC-18: extension digit, GS1 company prefix, serial reference, mod-10 check digit."""
    if not 0 <= extension <= 9:
        raise ValueError("the SSCC extension digit is 0-9")
    digits = company_prefix.isascii() and company_prefix.isdigit()
    if not (digits and 6 <= len(company_prefix) <= 12):
        raise ValueError("a GS1 company prefix is 6 to 12 digits")
    width = 16 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise ValueError(f"serial reference must fit in {width} digits for this company prefix")
    return with_check_digit(f"{extension}{company_prefix}{serial:0{width}d}")


def is_sscc(code: str) -> bool:
    """An 18-digit SSCC with a correct GS1 check digit."""
    return len(code) == 18 and has_valid_check_digit(code)

"""What scans look like: input limits, symbology identifiers, the warehouse's own code patterns."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

from app.domain.scanning.backtracking import backtracking_risk, refusal

GS = "\x1d"  # ASCII group separator: what a scanner sends for FNC1 between GS1 fields
MAX_SCAN_LENGTH = 512
TRACKING_PREFIX = "tracking:"
_SHOWN_CHARS = 40
# Control (Cc), invisible formatting (Cf) and lone surrogate (Cs) characters: no barcode we
# read carries them except GS, and a stray one usually means a scanner or keyboard problem.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")
# A GS1 element string scanned without a symbology identifier opens with an SSCC (AI 00) or a
# GTIN (AI 01/02); group 1 or 2 is that number.
GS1_OPENING = re.compile(r"00(\d{18})|0[12](\d{14})")
# EAN/UPC with add-on (]E3): data length -> length of the product code in front of the add-on.
ADDON_SPLIT = {15: 13, 18: 13, 10: 8, 13: 8}

# Carriers tried in this order; the first whose pattern matches the whole scan names the carrier.
# Only shapes are checked here. Left out on purpose: FedEx Express (12 digits, the shape of a
# UPC-A product code), Swiss Post domestic (18 digits, the shape of an SSCC) and DHL Paket
# (GS1 "00" + SSCC, read as a carton).
DEFAULT_TRACKING: tuple[tuple[str, str], ...] = (
    ("UPS", r"1Z[0-9A-Z]{16}"),
    ("USPS", r"9\d{19,21}"),
    ("DHL Express", r"\d{10}"),
    ("Royal Mail", r"[A-Z]{2}\d{9}GB"),
    ("Swiss Post", r"[A-Z]{2}\d{9}CH"),
    ("Postal service", r"[A-Z]{2}\d{9}[A-Z]{2}"),
)

# AIM symbology identifiers (ISO/IEC 15424) a scanner may put in front of the data.
SYMBOLOGY_NAMES: Mapping[str, str] = {
    "]A0": "Code 39",
    "]C0": "Code 128",
    "]C1": "GS1-128",
    "]E0": "EAN-13 / UPC-A",
    "]E3": "EAN/UPC with add-on",
    "]E4": "EAN-8",
    "]I0": "Interleaved 2 of 5",
    "]I1": "ITF-14",
    "]J1": "GS1 DotCode",
    "]L0": "PDF417",
    "]Q1": "QR Code",
    "]Q3": "GS1 QR Code",
    "]d1": "Data Matrix",
    "]d2": "GS1 DataMatrix",
    "]e0": "GS1 DataBar",
    "]z0": "Aztec Code",
}
# The data behind these is a GS1 element string, whatever it looks like.
GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})
# The data behind these is an EAN/UPC product code.
EAN_SYMBOLOGIES = frozenset({"]E0", "]E3", "]E4"})


def control_character(text: str) -> str | None:
    """Why `text` is refused for a control character other than GS, or None when it has none."""
    for position, char in enumerate(text, start=1):
        if char != GS and unicodedata.category(char) in _CONTROL_CATEGORIES:
            return f"Scan contains control characters (U+{ord(char):04X} at position {position})"
    return None


def is_digits(text: str) -> bool:
    """Only the ASCII digits a barcode carries (not full-width or other scripts' digits)."""
    return text.isascii() and text.isdigit()


def shown(text: str) -> str:
    """`text` quoted for a message, cut short so a long scan cannot flood the screen."""
    if len(text) > _SHOWN_CHARS:
        text = text[:_SHOWN_CHARS] + "…"
    return repr(text)


def _compile(key: str, pattern: str) -> re.Pattern[str]:
    # ASCII: barcodes carry ASCII, and \d must not match full-width or Arabic-Indic digits.
    if not isinstance(pattern, str):
        raise ValueError(f"scan pattern {key!r} must be text, not {type(pattern).__name__}")
    try:
        compiled_pattern = re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise ValueError(f"scan pattern {key!r} is not a valid regular expression: {exc}") from exc
    # Every scan is matched against every pattern: one that can backtrack without end would
    # freeze each station on a scan that almost matches it.
    why = backtracking_risk(pattern)
    if why:
        raise ValueError(refusal(key, pattern, why))
    return compiled_pattern


@dataclass(frozen=True)
class ScanPatterns:
    """Regular expressions for a warehouse's own codes; each must match the whole scan."""

    badge: str = r"OP-\d{4}"
    location: str = r"A(?P<aisle>\d{2})-(?P<bay>\d{2})-(?P<level>\d)"
    tote: str = r"T\d{4,6}"
    slot: str = r"W(?P<wall>\d{1,2})-(?P<row>[A-Z])(?P<column>\d{1,2})"
    box: str = r"BOX-[A-Z0-9]{1,12}"
    door: str = r"DOCK-\d{1,3}"
    order: str = r"#\d{3,10}"
    sku: str = r"[A-Z]{2,6}-\d{3,6}"
    tracking: tuple[tuple[str, str], ...] = field(default=DEFAULT_TRACKING)

    def __post_init__(self) -> None:
        """Refuse a pattern that does not compile, naming the setting it came from."""
        # A list from a settings file would make the patterns unhashable (they key a cache).
        object.__setattr__(self, "tracking", tuple((c, rx) for c, rx in self.tracking))
        for key, pattern in self.as_dict().items():
            _compile(key, pattern)
        carriers = [carrier for carrier, _ in self.tracking]
        if len(set(carriers)) != len(carriers):
            raise ValueError(f"scan pattern 'tracking': a carrier is listed twice: {carriers}")
        if any(not carrier.strip() for carrier in carriers):
            raise ValueError("scan pattern 'tracking': a carrier has no name")

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, str]) -> ScanPatterns:
        """The defaults with some patterns replaced; keys as in `as_dict()`.

        `tracking:<carrier>` replaces or adds one carrier; an empty pattern removes it.
        An empty pattern for any other key turns that kind of code off.
        """
        singles = {f.name for f in fields(cls) if f.name != "tracking"}
        changes: dict[str, str] = {}
        tracking = dict(cls().tracking)
        for key, value in overrides.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"scan pattern {key!r} must be text, not {type(value).__name__}")
            # A scan is stripped before matching, so edge spaces in a pattern could never match.
            pattern = value.strip()
            if key in singles:
                _compile(key, pattern)
                changes[key] = pattern
            elif key.startswith(TRACKING_PREFIX) and key[len(TRACKING_PREFIX) :].strip():
                carrier = key[len(TRACKING_PREFIX) :].strip()
                _compile(key, pattern)
                if pattern:
                    tracking[carrier] = pattern
                else:
                    tracking.pop(carrier, None)
            else:
                known = ", ".join([*sorted(singles), f"{TRACKING_PREFIX}<carrier>"])
                raise ValueError(f"unknown scan pattern {key!r} (known: {known})")
        return replace(cls(), **changes, tracking=tuple(tracking.items()))

    def as_dict(self) -> dict[str, str]:
        """Every pattern by its setting key (the keys `from_overrides` takes)."""
        result = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "tracking"}
        result.update({f"{TRACKING_PREFIX}{carrier}": rx for carrier, rx in self.tracking})
        return result


DEFAULT_PATTERNS = ScanPatterns()


@dataclass(frozen=True)
class CompiledPatterns:
    """ScanPatterns compiled once; `kinds` in the order they are tried."""

    kinds: tuple[tuple[str, re.Pattern[str]], ...]
    tracking: tuple[tuple[str, re.Pattern[str]], ...]


@lru_cache(maxsize=32)
def compiled(patterns: ScanPatterns) -> CompiledPatterns:
    """The compiled form of `patterns` (cached: a scan must not pay for compiling)."""
    order = ("badge", "location", "tote", "slot", "box", "door", "order", "sku")
    return CompiledPatterns(
        kinds=tuple(
            (name, _compile(name, getattr(patterns, name)))
            for name in order
            if getattr(patterns, name)
        ),
        tracking=tuple(
            (carrier, _compile(f"{TRACKING_PREFIX}{carrier}", rx))
            for carrier, rx in patterns.tracking
            if rx
        ),
    )

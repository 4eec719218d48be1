"""Scan classification: one scanned string becomes a typed value a station screen can act on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.upc import Upc

from app.domain.gtin import GTIN_LENGTHS, gtin14, has_valid_check_digit, is_gtin
from app.domain.scanning.patterns import (
    ADDON_SPLIT,
    AIM_ID,
    DEFAULT_PATTERNS,
    EAN_SYMBOLOGIES,
    GS,
    GS1_OPENING,
    GS1_SYMBOLOGIES,
    MAX_SCAN_LENGTH,
    SYMBOLOGY_NAMES,
    ScanPatterns,
    compiled,
    control_character,
    is_digits,
    shown,
)

__all__ = [
    "DEFAULT_PATTERNS",
    "GS",
    "MAX_SCAN_LENGTH",
    "Scan",
    "ScanKind",
    "ScanPatterns",
    "ScanRejected",
    "classify",
]


class ScanKind(StrEnum):
    """What a scan names on the warehouse floor."""

    BADGE = "badge"
    LOCATION = "location"
    TOTE = "tote"
    SLOT = "slot"
    BOX = "box"
    CARTON = "carton"
    ORDER = "order"
    TRACKING = "tracking"
    PRODUCT = "product"
    DOOR = "door"

    @property
    def label(self) -> str:
        """The operator's word for this kind."""
        return _LABELS[self]


_LABELS = {
    ScanKind.BADGE: "Badge",
    ScanKind.LOCATION: "Location",
    ScanKind.TOTE: "Tote",
    ScanKind.SLOT: "Put-wall slot",
    ScanKind.BOX: "Box type",
    ScanKind.DOOR: "Dock door",
    ScanKind.CARTON: "Carton",
    ScanKind.ORDER: "Order",
    ScanKind.TRACKING: "Tracking number",
    ScanKind.PRODUCT: "Product",
}
# Which warehouse pattern names which kind (a SKU names a product).
_PATTERN_KINDS = {
    "badge": ScanKind.BADGE,
    "location": ScanKind.LOCATION,
    "tote": ScanKind.TOTE,
    "slot": ScanKind.SLOT,
    "box": ScanKind.BOX,
    "door": ScanKind.DOOR,
    "order": ScanKind.ORDER,
    "sku": ScanKind.PRODUCT,
}


@dataclass(frozen=True)
class Scan:
    """A scan Baton understood: its kind, the code a screen looks up, and what else it carried."""

    kind: ScanKind
    code: str
    raw: str
    symbology: str | None = None
    gtin: str | None = None
    lot: str | None = None
    expiry: date | None = None
    best_before: date | None = None
    serial: str | None = None
    quantity: int | None = None
    carrier: str | None = None
    # Named groups of the warehouse pattern that matched, e.g. (("aisle", "3"), ("bay", "12")).
    parts: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()

    def part(self, name: str) -> str | None:
        """One named part of the code (e.g. "row" of a put-wall slot), or None."""
        return dict(self.parts).get(name)

    def describe(self) -> str:
        """One line for the operator, e.g. 'Product GTIN 09506000134352, lot ABC123'."""
        if self.kind is ScanKind.PRODUCT:
            head = f"Product GTIN {self.code}" if self.gtin else f"Product SKU {self.code}"
        elif self.kind is ScanKind.CARTON:
            head = f"Carton SSCC {self.code}"
        else:
            head = f"{self.kind.label} {self.code}"
        if self.carrier:
            head += f" ({self.carrier})"
        if self.parts:
            head += " (" + ", ".join(f"{name} {value}" for name, value in self.parts) + ")"
        extras = []
        if self.kind is ScanKind.CARTON and self.gtin:
            extras.append(f"contents GTIN {self.gtin}")
        if self.lot:
            extras.append(f"lot {self.lot}")
        if self.expiry:
            extras.append(f"expires {self.expiry.isoformat()}")
        if self.best_before:
            extras.append(f"best before {self.best_before.isoformat()}")
        if self.serial:
            extras.append(f"serial {self.serial}")
        if self.quantity is not None:
            extras.append(f"quantity {self.quantity}")
        return ", ".join([head, *extras])

    def as_dict(self) -> dict[str, object]:
        """Plain values only, ready for json.dumps."""
        return {
            "accepted": True,
            "kind": self.kind.value,
            "code": self.code,
            "raw": self.raw,
            "symbology": self.symbology,
            "gtin": self.gtin,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "best_before": self.best_before.isoformat() if self.best_before else None,
            "serial": self.serial,
            "quantity": self.quantity,
            "carrier": self.carrier,
            "parts": dict(self.parts),
            "fields": [list(pair) for pair in self.fields],
            "description": self.describe(),
        }


@dataclass(frozen=True)
class ScanRejected:
    """A scan Baton cannot use, with the reason in the operator's words."""

    raw: str
    reason: str
    symbology: str | None = None

    def describe(self) -> str:
        """One line for the operator."""
        return self.reason

    def as_dict(self) -> dict[str, object]:
        """Plain values only, ready for json.dumps."""
        return {
            "accepted": False,
            "raw": self.raw,
            "symbology": self.symbology,
            "reason": self.reason,
            "description": self.describe(),
        }


def classify(
    raw: str, patterns: ScanPatterns = DEFAULT_PATTERNS, gs_substitute: str = "|"
) -> Scan | ScanRejected:
    """Classify one scan; never raises: what Baton cannot use comes back as ScanRejected."""
    try:
        return _Reader(raw, patterns, gs_substitute).read()
    except Exception as exc:  # noqa: BLE001 - one bad scan must never take a station down
        # The reason still names the failure.
        as_text = raw if isinstance(raw, str) else repr(raw)
        return ScanRejected(as_text, f"Baton could not read this scan ({type(exc).__name__})")


# A reading step's outcome: a Scan, a reason why the data looked like something but was not
# right (kept in case nothing else fits), or None when the data does not have that shape.
_Outcome = Scan | str | None


class _Reader:
    """Reads one scan; holds what every step needs."""

    def __init__(self, raw: str, patterns: ScanPatterns, gs_substitute: str) -> None:
        self.raw = raw
        self.patterns = compiled(patterns)
        self.gs_substitute = gs_substitute
        self.symbology: str | None = None

    def read(self) -> Scan | ScanRejected:
        if not isinstance(self.raw, str):
            return ScanRejected(repr(self.raw), "Scan is not text")
        # str.strip() also takes CR/LF/Tab terminators and a GS at either end (FNC1 in first
        # position, or a separator left after the last field), none of which carries data.
        text = self.raw.strip()
        if not text:
            return self._reject("Scan is empty")
        if len(text) > MAX_SCAN_LENGTH:
            return self._reject(
                f"Scan is too long ({len(text)} characters; at most {MAX_SCAN_LENGTH})"
            )
        problem = control_character(text)
        if problem:
            return self._reject(problem)
        if text.startswith("]"):
            if not AIM_ID.match(text):
                return self._reject(
                    f"Scan starts with {text[:3]!r}, which is not a symbology identifier"
                )
            self.symbology, text = text[:3], text[3:].strip()
            if not text:
                return self._reject(f"Scan has a symbology identifier ({self.symbology}) only")
        if self.symbology in GS1_SYMBOLOGIES:
            return self._decide(self._gs1_symbol(text))
        if self.symbology in EAN_SYMBOLOGIES:
            return self._decide(self._ean_symbol(text))
        return self._by_shape(text)

    def _by_shape(self, text: str) -> Scan | ScanRejected:
        # Order matters: unmistakable GS1 forms first, then the warehouse's own patterns (so a
        # supervisor's pattern wins over a number that merely looks like a GTIN), then numbers.
        steps: Sequence[Callable[[str], _Outcome]] = (
            self._digital_link,
            self._human_readable_gs1,
            self._own_code,
            self._unmarked_gs1,
            self._number,
            self._own_code_relaxed,
        )
        hint: str | None = None
        for step in steps:
            outcome = step(text)
            if isinstance(outcome, Scan):
                return outcome
            hint = hint or outcome
        return self._reject(hint or f"Not a code Baton knows: {shown(text)}")

    def _decide(self, outcome: _Outcome) -> Scan | ScanRejected:
        if isinstance(outcome, Scan):
            return outcome
        return self._reject(outcome or "Scan could not be read")

    def _reject(self, reason: str) -> ScanRejected:
        return ScanRejected(self.raw, reason, self.symbology)

    def _scan(self, kind: ScanKind, code: str, fields: Sequence[tuple[str, str]]) -> Scan:
        first: list[tuple[str, str]] = []
        if self.symbology:
            name = SYMBOLOGY_NAMES.get(self.symbology, "symbology identifier")
            first.append(("Symbology", f"{self.symbology} {name}"))
        return Scan(kind, code, self.raw, self.symbology, fields=(*first, *fields))

    # --- the warehouse's own codes -------------------------------------------------------

    def _own_code(self, text: str) -> Scan | None:
        for name, pattern in self.patterns.kinds:
            match = pattern.fullmatch(text)
            if match:
                kind = _PATTERN_KINDS[name]
                parts = tuple(
                    (group, str(int(value)) if is_digits(value) else value)
                    for group, value in match.groupdict().items()
                    if value
                )
                label = "SKU" if name == "sku" else kind.label
                fields = [(label, text), *((g.capitalize(), v) for g, v in parts)]
                return replace(self._scan(kind, text, fields), parts=parts)
        return self._tracking(text)

    def _tracking(self, text: str, more: Sequence[tuple[str, str]] = ()) -> Scan | None:
        for carrier, pattern in self.patterns.tracking:
            if pattern.fullmatch(text):
                fields = [("Tracking number", text), ("Carrier", carrier), *more]
                return replace(self._scan(ScanKind.TRACKING, text, fields), carrier=carrier)
        return None

    def _own_code_relaxed(self, text: str) -> _Outcome:
        # A person typing may use lower case or copy a code with its spaces off a label; a
        # keyboard left in a full-width input mode types "ＯＰ－１００１" for OP-1001.
        compact = "".join(unicodedata.normalize("NFKC", text).split()).upper()
        for variant in dict.fromkeys((text.upper(), compact)):
            # NFKC can lengthen text (one ligature becomes many letters): keep the bound.
            if variant != text and len(variant) <= MAX_SCAN_LENGTH:
                found = self._own_code(variant) or self._number(variant)
                if found is not None:
                    return found
        return None

    # --- product and carton numbers -----------------------------------------------------

    def _number(self, text: str) -> _Outcome:
        if not is_digits(text):
            return None
        if len(text) in GTIN_LENGTHS:
            return self._gtin(text)
        if len(text) == 18:
            if not has_valid_check_digit(text):
                return f"SSCC {text} has a wrong check digit"
            return self._scan(ScanKind.CARTON, text, [("SSCC", text)])
        return None

    def _ean_symbol(self, text: str) -> _Outcome:
        digits, fields = text, []
        if self.symbology == "]E3" and len(text) in ADDON_SPLIT:
            cut = ADDON_SPLIT[len(text)]
            digits, fields = text[:cut], [("Add-on", text[cut:])]
        if not is_digits(digits) or len(digits) not in {8, 12, 13}:
            return f"An EAN/UPC scan should be 8, 12 or 13 digits, not {shown(text)}"
        return self._gtin(digits, fields)

    def _gtin(self, digits: str, more: Sequence[tuple[str, str]] = ()) -> _Outcome:
        if is_gtin(digits):
            code, fields = gtin14(digits), [(f"GTIN-{len(digits)}", digits)]
        elif len(digits) == 8 and digits[0] in "01" and _upc_e_valid(digits):
            # UPC-E is a zero-suppressed UPC-A with its own check digit rule.
            upc_a = Upc.parse(digits).as_upc_a()
            code, fields = gtin14(upc_a), [("UPC-E", digits), ("GTIN-12", upc_a)]
        else:
            return f"GTIN {digits} has a wrong check digit"
        if len(digits) != 14:
            fields.append(("GTIN-14", code))
        return replace(self._scan(ScanKind.PRODUCT, code, [*fields, *more]), gtin=code)

    # --- GS1 element strings ------------------------------------------------------------

    def _gs1_symbol(self, text: str) -> _Outcome:
        if text.startswith("("):
            return self._human_readable_gs1(text)
        if text.lower().startswith(("http://", "https://")):
            return self._digital_link(text)
        try:
            message = GS1Message.parse(self._with_gs(text))
        except (ParseError, ValueError) as exc:
            return _gs1_problem(exc)
        return self._from_gs1(message.element_strings, required=True)

    def _human_readable_gs1(self, text: str) -> _Outcome:
        if not re.match(r"\(\d{2,4}\)", text):
            return None
        try:
            message = GS1Message.parse_hri(text)
        except (ParseError, ValueError) as exc:
            return _gs1_problem(exc)
        return self._from_gs1(message.element_strings, required=True)

    def _digital_link(self, text: str) -> _Outcome:
        if not text.lower().startswith(("http://", "https://")):
            return None
        try:
            link = GS1DigitalLinkURI.parse(text)
        except (ParseError, ValueError):
            return f"Web address is not a GS1 Digital Link: {shown(text)}"
        return self._from_gs1(link.element_strings, required=True)

    def _unmarked_gs1(self, text: str) -> _Outcome:
        data = self._with_gs(text)
        opening = GS1_OPENING.match(data)
        # An 18-digit number alone is an SSCC (read by _number), not "(00)" cut short.
        starts_with_id = (
            opening is not None and len(data) >= 16 and not (len(data) == 18 and is_digits(data))
        )
        # Ship-to postal code, a separator, then a carrier's number (a USPS label).
        starts_with_postcode = data.startswith(("420", "421")) and GS in data
        if not (starts_with_id or starts_with_postcode):
            return None
        try:
            message = GS1Message.parse(data)
        except (ParseError, ValueError) as exc:
            if opening and has_valid_check_digit(opening.group(1) or opening.group(2)):
                return _gs1_problem(exc)
            return None
        return self._from_gs1(message.element_strings, required=False)

    def _from_gs1(self, elements: Sequence[GS1ElementString], *, required: bool) -> _Outcome:
        first: dict[str, GS1ElementString] = {}
        for element in elements:
            first.setdefault(element.ai.ai, element)
        fields = [(f"AI {e.ai.ai} {e.ai.data_title}", _element_value(e)) for e in elements]

        def value(ai: str) -> str | None:
            return first[ai].value if ai in first else None

        sscc, gtin = value("00"), value("01") or value("02")
        if sscc is not None and not has_valid_check_digit(sscc):
            return f"SSCC {sscc} has a wrong check digit"
        if gtin is not None and not is_gtin(gtin):
            return f"GTIN {gtin} has a wrong check digit"
        count = value("30") or value("37")
        if sscc is not None or gtin is not None:
            return replace(
                self._scan(
                    ScanKind.CARTON if sscc is not None else ScanKind.PRODUCT,
                    sscc or gtin or "",
                    fields,
                ),
                gtin=gtin,
                lot=value("10"),
                serial=value("21"),
                expiry=first["17"].date if "17" in first else None,
                best_before=first["15"].date if "15" in first else None,
                quantity=int(count) if count is not None else None,
            )
        # A carrier's number inside GS1 (USPS: AI 420 postal code, then 92/93/94/95...).
        for element in elements:
            if element.ai.ai.startswith("9"):
                found = self._tracking(element.ai.ai + element.value, fields)
                if found is not None:
                    return found
        if not required:
            return None
        hri = "".join(f"({e.ai.ai}){e.value}" for e in elements)
        return f"GS1 code {shown(hri)} has no product (GTIN) or carton (SSCC) number"

    def _with_gs(self, text: str) -> str:
        return text.replace(self.gs_substitute, GS) if self.gs_substitute else text


def _element_value(element: GS1ElementString) -> str:
    if element.date is not None:
        return f"{element.value} ({element.date.isoformat()})"
    return element.value


def _gs1_problem(exc: Exception) -> str:
    """biip's wording for the usual faults, turned into the operator's; others are passed on."""
    message, detail = str(exc), None
    if match := re.match(r"Failed to parse GS1 AI \((\d+)\) date/time from '(.*)'", message):
        detail = f"field ({match[1]}) {shown(match[2])} is not a real date"
    elif match := re.match(r"Failed to match '(.*)' with GS1 AI \((\d+)\)", message):
        ai, data = match[2], match[1].removeprefix(match[2])
        detail = f"field ({ai}) has the wrong length or characters: {shown(data)}"
    elif match := re.match(r"Failed to get GS1 Application Identifier from '(.*)'", message):
        detail = f"no application identifier at {shown(match[1])}"
    elif match := re.match(r"Unknown GS1 Application Identifier '(\d+)'", message):
        detail = f"application identifier ({match[1]}) is unknown"
    return f"GS1 code could not be read: {detail or message}"


def _upc_e_valid(digits: str) -> bool:
    try:
        Upc.parse(digits)
    except (ParseError, ValueError):
        return False
    return True

"""Rules of the pack bench: the weight check's tolerance, and what a closed carton prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

SLIP_LAYOUTS = ("packing_slip_a4", "packing_slip_letter")


@dataclass(frozen=True)
class PackingSettings:
    """The warehouse's packing configuration (shared by every bench, kept in the database)."""

    # A weighed carton may differ from its expected weight by this share or this many grams,
    # whichever is larger: a light parcel's scale noise, a heavy one's packaging variance.
    tolerance_pct: float = 5.0
    tolerance_g: int = 50
    gs1_label: bool = False  # print the GS1 logistic label (SSCC) with the shipping label
    company_prefix: str = "4012345"  # GS1 company prefix inside every SSCC
    sscc_extension: int = 0
    slip_layout: str = SLIP_LAYOUTS[0]

    def __post_init__(self) -> None:
        """Refuse settings a bench could not work with, naming the setting."""
        if not 0 <= self.tolerance_pct <= 50:
            raise ValueError("tolerance_pct is a share of the expected weight: 0 to 50 (%)")
        if not 0 <= self.tolerance_g <= 5_000:
            raise ValueError("tolerance_g is 0 to 5000 grams")
        prefix = self.company_prefix
        if not (prefix.isascii() and prefix.isdigit() and 6 <= len(prefix) <= 12):
            raise ValueError("company_prefix is a GS1 company prefix: 6 to 12 digits")
        if not 0 <= self.sscc_extension <= 9:
            raise ValueError("sscc_extension is one digit, 0-9")
        if self.slip_layout not in SLIP_LAYOUTS:
            raise ValueError(f"slip_layout is one of {', '.join(SLIP_LAYOUTS)}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PackingSettings:
        """Settings from stored values; unknown keys are refused, missing ones default."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown packing setting {', '.join(unknown)}")
        defaults = cls()
        typed: dict[str, Any] = {}
        for key, value in values.items():
            kind = type(getattr(defaults, key))
            try:
                typed[key] = _as(kind, value)
            except (TypeError, ValueError):
                raise ValueError(f"packing setting {key} must be {kind.__name__}") from None
        return cls(**typed)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def tolerance(self, expected_g: int) -> int:
        """How far (g) a weighed carton may be from `expected_g` and still pass."""
        return max(self.tolerance_g, round(expected_g * self.tolerance_pct / 100))

    def weight_ok(self, expected_g: int, weighed_g: int) -> bool:
        """Whether the weighed carton matches what was scanned into it."""
        return abs(weighed_g - expected_g) <= self.tolerance(expected_g)


def _as(kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(value)
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return kind(value)

"""The mistakes a simulated operator makes, and what became of each: caught, and how, or escaped.

The floor's scans see some mistakes (a wrong location, item, tote, slot or door is refused,
nothing recorded); others leave the system's record right and the physical carton wrong (a
unit packed without a scan, another product than the one scanned, a unit missing at the
scale): only the carton's weight can tell, and only when the difference is larger than the
scale's tolerance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Mistake(StrEnum):
    """A real-life mistake, one kind per opportunity to make it."""

    WRONG_LOCATION = "wrong_location"  # the picker scans another location
    WRONG_ITEM = "wrong_item"  # the picker scans another product
    WRONG_TOTE = "wrong_tote"  # the picker puts into another tote than the order's
    WRONG_SLOT = "wrong_slot"  # the sorter puts into another slot than the one lit
    UNSCANNED_UNIT = "unscanned_unit"  # the packer packs a unit it did not scan
    SWAPPED_PRODUCT = "swapped_product"  # the packer packs another product than it scanned
    MISSING_ITEM = "missing_item"  # the packer weighs the carton with a unit left out
    WRONG_DOOR = "wrong_door"  # the shipper takes the carton to another carrier's door


class Caught(StrEnum):
    """What caught a mistake."""

    REFUSED_SCAN = "refused_scan"
    WEIGHT_CHECK = "weight_check"
    DOOR_CHECK = "door_check"


# Mistakes a scan is checked against: the service refuses them, whatever the weights.
SCAN_CHECKED = (
    Mistake.WRONG_LOCATION,
    Mistake.WRONG_ITEM,
    Mistake.WRONG_TOTE,
    Mistake.WRONG_SLOT,
    Mistake.WRONG_DOOR,
)
# Mistakes in what physically goes into the carton: only the scale can see them.
IN_THE_CARTON = (Mistake.UNSCANNED_UNIT, Mistake.SWAPPED_PRODUCT, Mistake.MISSING_ITEM)


@dataclass(frozen=True)
class Escape:
    """A mistake that left the warehouse: in which order's carton, and by how many grams the
    carton was off (within the scale's tolerance, or it would have been caught)."""

    kind: Mistake
    order: str
    tracking_number: str
    off_g: int
    tolerance_g: int

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "order": self.order,
            "tracking_number": self.tracking_number,
            "off_g": self.off_g,
            "tolerance_g": self.tolerance_g,
        }


@dataclass
class Ledger:
    """Every mistake injected, and its fate."""

    injected: Counter[Mistake] = field(default_factory=Counter)
    caught: Counter[tuple[Mistake, Caught]] = field(default_factory=Counter)
    escaped: list[Escape] = field(default_factory=list)
    # A mistake a scan should have caught but the service took: the system's record is wrong.
    accepted: Counter[Mistake] = field(default_factory=Counter)

    def inject(self, kind: Mistake) -> None:
        self.injected[kind] += 1

    def catch(self, kind: Mistake, how: Caught) -> None:
        self.caught[(kind, how)] += 1

    def escape(self, escape: Escape) -> None:
        self.escaped.append(escape)

    def as_dict(self) -> dict[str, object]:
        """Counts by kind in the enum's order (every kind shown, zeros too)."""
        caught: dict[str, dict[str, int]] = {}
        for kind in Mistake:
            by = {how.value: self.caught[(kind, how)] for how in Caught if self.caught[(kind, how)]}
            caught[kind.value] = by
        escaped = Counter(e.kind for e in self.escaped) + self.accepted
        caught_by_kind = Counter({kind: sum(by.values()) for kind, by in caught.items()})
        # Made in a carton still open on a bench when the day ended: neither caught nor out.
        still_open = {
            kind.value: self.injected[kind] - caught_by_kind[kind.value] - escaped[kind]
            for kind in Mistake
        }
        return {
            "injected": {kind.value: self.injected[kind] for kind in Mistake},
            "caught": caught,
            "escaped": {kind.value: escaped[kind] for kind in Mistake},
            "open_at_day_end": still_open,
            "injected_total": sum(self.injected.values()),
            "caught_total": sum(self.caught.values()),
            "escaped_total": sum(escaped.values()),
            "escapes": [e.as_dict() for e in self.escaped],
        }

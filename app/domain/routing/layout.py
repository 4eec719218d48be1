"""Warehouse geometry: parallel aisles, bays along them, cross-aisles, and the depot.

A picker walks along aisle centre lines and cross-aisle centre lines only. Coordinates are in
metres: x across the aisles (aisle 1 at x = 0), y along them (the front cross-aisle's centre
line at y = 0). Levels do not add distance, so a location is routed by its aisle and bay.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

DepotEnd = Literal["front", "back"]


@dataclass(frozen=True)
class PickPoint:
    """A place to visit on a route: an id (such as the location code), its aisle and bay."""

    id: str
    aisle: int
    bay: int


class OffLayout(ValueError):
    """A place the layout does not reach: its aisle or bay lies beyond the floor plan."""

    def __init__(self, point: PickPoint, aisles: int, bays: int) -> None:
        self.point = point
        if not 1 <= point.aisle <= aisles:
            what = f"aisle {point.aisle} is not on the layout (aisles 1-{aisles})"
        else:
            what = f"bay {point.bay} is not on the layout (bays 1-{bays})"
        super().__init__(f"{point.id}: {what}")


@dataclass(frozen=True)
class Layout:
    """The floor plan routes are walked on; the defaults describe the demo warehouse."""

    aisles: int = 12
    bays: int = 12
    aisle_pitch_m: float = 3.0
    bay_width_m: float = 1.3
    cross_aisle_width_m: float = 2.0
    cross_aisles_after_bays: tuple[int, ...] = ()
    depot_aisle: int = 1
    depot_end: DepotEnd = "front"

    def __post_init__(self) -> None:
        _check_count("aisles", self.aisles, 1)
        _check_count("bays", self.bays, 1)
        for name in ("aisle_pitch_m", "bay_width_m", "cross_aisle_width_m"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number of metres, not {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number of metres, not {value!r}")
        after = self.cross_aisles_after_bays
        if not isinstance(after, tuple) or not all(
            isinstance(b, int) and not isinstance(b, bool) for b in after
        ):
            raise ValueError(
                f"cross_aisles_after_bays must be a tuple of bay numbers, not {after!r}"
            )
        if any(b < 1 or b >= self.bays for b in after):
            raise ValueError(
                f"cross_aisles_after_bays must lie between bay 1 and bay {self.bays - 1}: {after!r}"
            )
        if list(after) != sorted(set(after)):
            raise ValueError(f"cross_aisles_after_bays must increase without repeats: {after!r}")
        _check_count("depot_aisle", self.depot_aisle, 1)
        if self.depot_aisle > self.aisles:
            raise ValueError(
                f"depot_aisle must be one of the {self.aisles} aisles, not {self.depot_aisle}"
            )
        if self.depot_end not in ("front", "back"):
            raise ValueError(f"depot_end must be 'front' or 'back', not {self.depot_end!r}")

    def as_dict(self) -> dict[str, Any]:
        """The layout as JSON-ready values (the tuple becomes a list)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["cross_aisles_after_bays"] = list(self.cross_aisles_after_bays)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Layout:
        """A layout from `as_dict()` values; missing keys take the defaults."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown layout field {unknown[0]!r}")
        values = dict(data)
        if "cross_aisles_after_bays" in values:
            after = values["cross_aisles_after_bays"]
            if isinstance(after, str) or not isinstance(after, list | tuple):
                raise ValueError(
                    f"cross_aisles_after_bays must be a list of bay numbers, not {after!r}"
                )
            values["cross_aisles_after_bays"] = tuple(after)
        return cls(**values)

    @property
    def blocks(self) -> int:
        """How many blocks the cross-aisles cut the aisles into."""
        return len(self.cross_aisles_after_bays) + 1

    @property
    def cross_aisle_ys_m(self) -> tuple[float, ...]:
        """The y of every cross-aisle's centre line, front first, back last."""
        w, c = self.bay_width_m, self.cross_aisle_width_m
        bounds = (0, *self.cross_aisles_after_bays, self.bays)
        return tuple(bay * w + i * c for i, bay in enumerate(bounds))

    def block_of(self, bay: int) -> int:
        """The block (0 = front) that holds `bay`."""
        return sum(1 for after in self.cross_aisles_after_bays if bay > after)

    def aisle_x_m(self, aisle: int) -> float:
        """The x of an aisle's centre line."""
        return (aisle - 1) * self.aisle_pitch_m

    def bay_y_m(self, bay: int) -> float:
        """How far along its aisle a bay's picking face lies from the front centre line."""
        w, c = self.bay_width_m, self.cross_aisle_width_m
        return c / 2 + (bay - 0.5) * w + c * self.block_of(bay)

    @property
    def depot_y_m(self) -> float:
        """The depot's y: the front or back cross-aisle's centre line."""
        ys = self.cross_aisle_ys_m
        return ys[0] if self.depot_end == "front" else ys[-1]

    def reaches(self, aisle: int, bay: int) -> bool:
        """Whether a location at `aisle` and `bay` lies on this floor plan."""
        return 1 <= aisle <= self.aisles and 1 <= bay <= self.bays

    def check_point(self, point: PickPoint) -> None:
        """Raise OffLayout (a ValueError) when the point's aisle or bay is not on this layout."""
        if not self.reaches(point.aisle, point.bay):
            raise OffLayout(point, self.aisles, self.bays)

    def covering(self, aisles: int, bays: int) -> Layout:
        """This layout grown (never shrunk) to reach `aisles` aisles of `bays` bays."""
        return replace(self, aisles=max(self.aisles, aisles), bays=max(self.bays, bays))


def coordinates(layout: Layout, aisle: int, bay: int) -> tuple[float, float]:
    """Where a location is picked from: (x, y) in metres on the walking network."""
    layout.check_point(PickPoint(f"aisle {aisle} bay {bay}", aisle, bay))
    return layout.aisle_x_m(aisle), layout.bay_y_m(bay)


def depot_coordinates(layout: Layout) -> tuple[float, float]:
    """Where routes start and end: (x, y) in metres."""
    return layout.aisle_x_m(layout.depot_aisle), layout.depot_y_m


def walking_distance_m(layout: Layout, aisle_a: int, y_a: float, aisle_b: int, y_b: float) -> float:
    """The shortest walk between two places on aisle centre lines (aisle, y in metres).

    Within one aisle the picker walks straight; between aisles the walk changes aisle once, on
    the cross-aisle that costs the least detour (using two cross-aisles never helps).
    """
    if aisle_a == aisle_b:
        return abs(y_a - y_b)
    across = abs(aisle_a - aisle_b) * layout.aisle_pitch_m
    return across + min(abs(y_a - y) + abs(y - y_b) for y in layout.cross_aisle_ys_m)


def _check_count(name: str, value: object, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < least:
        raise ValueError(f"{name} must be at least {least}, not {value}")

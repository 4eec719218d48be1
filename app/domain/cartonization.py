"""Cartonization: which box types an order's units go in, and where each unit sits in its box.

Packing is a constructive extreme-point heuristic (Crainic, Perboli & Tadei 2008): units go in
largest first, each at the lowest, then frontmost, then leftmost corner point where one of its
six axis-aligned rotations fits. Every packing returned is valid (inside the box, no overlaps,
within the weight limit), but the heuristic can miss a packing that exists, so an order may
occasionally get one carton more, or a box one size larger, than strictly needed.

`suggest` chooses the smallest box by volume that takes the whole order. Failing that, it fills
a carton greedily (the largest box type, unless a smaller one takes more of the units left),
shrinks it to the smallest box type that still takes its units, and repeats. A unit that fits
no box type, by size or by weight, ships on its own (`CartonPlan.box` None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

Dims = tuple[int, int, int]
Span = tuple[int, int, int, int, int, int]  # x0, y0, z0, x1, y1, z1 of a placed unit


@dataclass(frozen=True)
class BoxType:
    """A carton size the packing station stocks: inner dimensions in mm, weights in g."""

    code: str
    name: str
    length_mm: int
    width_mm: int
    height_mm: int
    tare_g: int
    max_weight_g: int  # gross: contents plus tare

    def __post_init__(self) -> None:
        _require_positive(f"box type {self.code!r}", self.length_mm, self.width_mm, self.height_mm)

    @property
    def volume_mm3(self) -> int:
        """Inner volume in mm³."""
        return self.length_mm * self.width_mm * self.height_mm

    @property
    def size(self) -> str:
        """`400 × 300 × 200 mm`: the inner dimensions as a packer reads them."""
        return f"{self.length_mm} × {self.width_mm} × {self.height_mm} mm"


@dataclass(frozen=True)
class Item:
    """One unit to pack; units with the same key (such as the SKU) are interchangeable."""

    key: str
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int

    def __post_init__(self) -> None:
        _require_positive(f"item {self.key!r}", self.length_mm, self.width_mm, self.height_mm)

    @property
    def volume_mm3(self) -> int:
        """Volume in mm³."""
        return self.length_mm * self.width_mm * self.height_mm


@dataclass(frozen=True)
class Placement:
    """Where a unit sits in its carton: corner position and extent as placed, in mm."""

    item: Item
    x: int
    y: int
    z: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True)
class CartonPlan:
    """One carton to pack: its box type (None: the unit ships in its own packaging) and contents."""

    box: BoxType | None
    placements: tuple[Placement, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        """The units in this carton, in packing order."""
        return tuple(p.item for p in self.placements)

    @property
    def weight_g(self) -> int:
        """Gross weight: the units plus the box's tare."""
        tare = self.box.tare_g if self.box is not None else 0
        return tare + sum(p.item.weight_g for p in self.placements)

    def counts(self) -> dict[str, int]:
        """Units per item key, in packing order."""
        return dict(Counter(p.item.key for p in self.placements))


def pack_into(box: BoxType, items: Sequence[Item]) -> tuple[Placement, ...] | None:
    """All items placed in the box, each in any axis-aligned rotation; None if they do not fit."""
    # Necessary conditions first: most boxes too small for an order fail here without packing.
    if (
        box.tare_g + sum(i.weight_g for i in items) > box.max_weight_g
        or sum(i.volume_mm3 for i in items) > box.volume_mm3
        or not all(_fits_alone(box, i) for i in items)
    ):
        return None
    carton = _Carton(box, min((_sorted_dims(i)[0] for i in items), default=0))
    for item in sorted(items, key=_pack_order):
        if not carton.add(item):
            return None
    return tuple(carton.placements)


def suggest(boxes: Sequence[BoxType], items: Sequence[Item]) -> list[CartonPlan]:
    """The cartons for `items`: the smallest box (by volume) that takes them all, else several."""
    if not items:
        return []
    smallest_first = sorted(boxes, key=lambda b: (b.volume_mm3, b.tare_g, b.code))
    for box in smallest_first:
        placements = pack_into(box, items)
        if placements is not None:
            return [CartonPlan(box, placements)]
    return _split(smallest_first, items)


def _split(smallest_first: list[BoxType], items: Sequence[Item]) -> list[CartonPlan]:
    """Several cartons, filled greedily one at a time, each shrunk to fit its contents."""
    rest: list[Item] = []
    oversize: list[Item] = []
    for item in sorted(items, key=_pack_order):
        fits_somewhere = any(_fits_alone(b, item) for b in smallest_first)
        (rest if fits_somewhere else oversize).append(item)
    # Stable sort: among equal volumes, the stronger box first, then lower tare, then code.
    largest_first = sorted(
        smallest_first, key=lambda b: (-b.volume_mm3, -(b.max_weight_g - b.tare_g))
    )
    plans: list[CartonPlan] = []
    while rest:
        # Fill the largest box type first. A smaller one is used instead only if it takes more
        # of the units left: catalogues often pair a large light-duty box with smaller strong
        # ones, and filling the large box to its weight limit alone would multiply cartons.
        # Only box types that take the biggest unit left are tried; it goes in first, into an
        # empty carton it fits alone, so every round packs at least one unit and the loop ends.
        min_side = min(_sorted_dims(i)[0] for i in rest)
        best: tuple[_Carton, list[Item]] | None = None
        for box in (b for b in largest_first if _fits_alone(b, rest[0])):
            carton = _Carton(box, min_side)
            left = [item for item in rest if not carton.add(item)]
            if best is None or len(left) < len(best[1]):
                best = (carton, left)
            if not left:
                break
        assert best is not None
        plans.append(_shrunk(smallest_first, best[0]))
        rest = best[1]
    plans.extend(
        CartonPlan(None, (Placement(i, 0, 0, 0, i.length_mm, i.width_mm, i.height_mm),))
        for i in oversize
    )
    return plans


def _shrunk(smallest_first: list[BoxType], carton: _Carton) -> CartonPlan:
    """The filled carton's units in the smallest box type that takes exactly them."""
    contents = [p.item for p in carton.placements]
    for box in smallest_first:
        if box is carton.box:
            break
        placements = pack_into(box, contents)
        if placements is not None:
            return CartonPlan(box, placements)
    return CartonPlan(carton.box, tuple(carton.placements))


class _Carton:
    """A box being filled one unit at a time, at extreme points; placements only ever grow."""

    def __init__(self, box: BoxType, min_side: int) -> None:
        self.box = box
        # No unit this carton will be offered is thinner than this: narrower corners are dropped.
        self._min_side = min_side
        self.placements: list[Placement] = []
        self._size = (box.length_mm, box.width_mm, box.height_mm)
        self._spans: list[Span] = []
        # Candidate corners as (z, y, x), kept sorted so the deepest-bottom-left comes first.
        self._points: list[Dims] = [(0, 0, 0)]
        # Free run from each corner along +x, +y, +z to the nearest unit or wall: a unit longer
        # than that cannot sit there, which rules most candidates out before an overlap test.
        self._room: dict[Dims, list[int]] = {(0, 0, 0): list(self._size)}
        self._weight_g = box.tare_g
        self._free_mm3 = box.volume_mm3
        # Corners where a unit of these (sorted) dims did not fit in any rotation. Placements
        # only grow, so it never will: identical units (the common case) skip those corners.
        self._dead: dict[Dims, set[Dims]] = {}

    def add(self, item: Item) -> bool:
        """Place the unit at the first corner where it fits; False, changing nothing, if none."""
        if self._weight_g + item.weight_g > self.box.max_weight_g:
            return False
        if item.volume_mm3 > self._free_mm3 or not _fits_alone(self.box, item):
            return False
        dead = self._dead.setdefault(_sorted_dims(item), set())
        rotations = _rotations(item)
        for point in self._points:
            if point in dead:
                continue
            z, y, x = point
            room_x, room_y, room_z = self._room[point]
            for dx, dy, dz in rotations:
                span = (x, y, z, x + dx, y + dy, z + dz)
                if dx <= room_x and dy <= room_y and dz <= room_z and self._is_free(span):
                    self._place(item, span)
                    return True
            dead.add(point)
        return False

    def _is_free(self, span: Span) -> bool:
        x0, y0, z0, x1, y1, z1 = span
        for ax0, ay0, az0, ax1, ay1, az1 in self._spans:
            if x0 < ax1 and ax0 < x1 and y0 < ay1 and ay0 < y1 and z0 < az1 and az0 < z1:
                return False
        return True

    def _place(self, item: Item, span: Span) -> None:
        x0, y0, z0, x1, y1, z1 = span
        self.placements.append(Placement(item, x0, y0, z0, x1 - x0, y1 - y0, z1 - z0))
        self._spans.append(span)
        self._weight_g += item.weight_g
        self._free_mm3 -= item.volume_mm3
        # The new unit's three outer corners, each also slid back along the other two axes
        # until it meets a unit or a wall, so that later units settle into gaps.
        corners = ((x1, y0, z0), (x0, y1, z0), (x0, y0, z1))
        slid = (
            self._slid(c, to) for moved, c in enumerate(corners) for to in range(3) if to != moved
        )
        candidates = {*corners, *slid}
        kept = []
        for point in self._points:
            room = self._room[point]
            if _shorten(room, point, span) and min(room) >= self._min_side:
                kept.append(point)
            else:
                del self._room[point]
        size_x, size_y, size_z = self._size
        for cx, cy, cz in candidates:
            point = (cz, cy, cx)
            if cx >= size_x or cy >= size_y or cz >= size_z or point in self._room:
                continue
            room = [size_x - cx, size_y - cy, size_z - cz]
            if all(_shorten(room, point, s) for s in self._spans) and min(room) >= self._min_side:
                self._room[point] = room
                kept.append(point)
        kept.sort()
        self._points = kept

    def _slid(self, corner: Dims, axis: int) -> Dims:
        """The corner moved towards the origin along `axis` until it meets a unit or a wall."""
        a, b = (n for n in range(3) if n != axis)
        stop = 0
        for span in self._spans:
            end = span[axis + 3]
            facing = span[a] <= corner[a] < span[a + 3] and span[b] <= corner[b] < span[b + 3]
            if facing and stop < end <= corner[axis]:
                stop = end
        x, y, z = (stop if n == axis else corner[n] for n in range(3))
        return (x, y, z)


def _shorten(room: list[int], point: Dims, span: Span) -> bool:
    """Cut the corner's free runs (x, y, z) where the span stands in them; False if it is inside."""
    z, y, x = point
    x0, y0, z0, x1, y1, z1 = span
    in_x, in_y, in_z = x0 <= x < x1, y0 <= y < y1, z0 <= z < z1
    if in_x and in_y and in_z:
        return False
    if in_y and in_z and x0 > x:
        room[0] = min(room[0], x0 - x)
    if in_x and in_z and y0 > y:
        room[1] = min(room[1], y0 - y)
    if in_x and in_y and z0 > z:
        room[2] = min(room[2], z0 - z)
    return True


def _fits_alone(box: BoxType, item: Item) -> bool:
    """Whether the unit fits the empty box in some rotation and within its weight limit."""
    if box.tare_g + item.weight_g > box.max_weight_g:
        return False
    box_dims = sorted((box.length_mm, box.width_mm, box.height_mm))
    return all(i <= b for i, b in zip(_sorted_dims(item), box_dims, strict=True))


def _sorted_dims(item: Item) -> Dims:
    small, middle, large = sorted((item.length_mm, item.width_mm, item.height_mm))
    return (small, middle, large)


def _rotations(item: Item) -> list[Dims]:
    """The unit's distinct orientations as (x, y, z) extents: flattest first, long side along x."""
    # Flat units leave a level top for the next layer; long along x fills rows before columns.
    a, b, c = item.length_mm, item.width_mm, item.height_mm
    distinct = {(a, b, c), (a, c, b), (b, a, c), (b, c, a), (c, a, b), (c, b, a)}
    return sorted(distinct, key=lambda d: (d[2], d[1], d[0]))


def _pack_order(item: Item) -> tuple[int, int, str, Dims, int]:
    """Largest volume first, then longest side; the rest only makes the order total."""
    dims = (item.length_mm, item.width_mm, item.height_mm)
    return (-item.volume_mm3, -max(dims), item.key, dims, item.weight_g)


def _require_positive(what: str, *dims: int) -> None:
    if any(d <= 0 for d in dims):
        raise ValueError(f"{what}: dimensions must be positive, got {dims}")

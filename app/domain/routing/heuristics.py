"""The classic pick-routing heuristics: S-shape, largest gap and combined.

They serve as baselines for the optimal router and as its starting bound. All three follow
Roodbergen & de Koster (2001, "Routing methods for warehouses with multiple cross aisles"):
the picker walks to the pick aisle nearest the depot at one end of the span of pick aisles,
up that aisle to the far end of the farthest block with picks, then clears the blocks one at a
time from the farthest back towards the depot, sweeping across each block. They differ in how
each sub-aisle (an aisle within one block) is walked:

- S-shape: every sub-aisle with picks is walked through, alternately away from and towards
  the depot.
- largest gap: sub-aisles are entered from both cross-aisles of the block, each side up to
  the largest gap between picks; the last sub-aisle of the sweep is walked through.
- combined: per sub-aisle, walk through or enter and return, whichever a small dynamic
  program over the sweep finds shorter (Roodbergen & de Koster's "combined").

Each function returns the visiting order only; the router prices an order by the shortest
walk between consecutive stops, which is never longer than the heuristic's literal path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import pairwise

from app.domain.routing.layout import Layout

Location = tuple[int, int]  # (aisle, bay)
# A sub-aisle's picks seen from the depot: (depth from the depot's cross-aisle, location).
_Picks = list[tuple[float, Location]]
# How a block is cleared: (sub-aisles in sweep order, block's near depth, far depth) -> the
# order, and whether the picker leaves the block at the start of the sweep (else at its end).
_BlockRule = Callable[[list[_Picks], float, float], tuple[list[Location], bool]]


def _sweep(layout: Layout, locations: Collection[Location], clear: _BlockRule) -> list[Location]:
    """The shared frame: first pick aisle up to the farthest block, then block by block back."""
    if not locations:
        return []
    ys = layout.cross_aisle_ys_m
    back = layout.depot_end == "back"
    total = ys[-1]
    blocks = layout.blocks

    def block_from_depot(bay: int) -> int:
        block = layout.block_of(bay)
        return blocks - 1 - block if back else block

    def depth(bay: int) -> float:
        y = layout.bay_y_m(bay)
        return total - y if back else y

    # Cross-aisle depths seen from the depot, nearest first.
    cross = [total - y for y in reversed(ys)] if back else list(ys)
    aisles = sorted({a for a, _ in locations})
    # Start from the end of the span nearer the depot (the left end on a tie).
    from_right = abs(aisles[-1] - layout.depot_aisle) < abs(aisles[0] - layout.depot_aisle)
    first = aisles[-1] if from_right else aisles[0]
    far = max(block_from_depot(b) for _, b in locations)
    order = sorted((loc for loc in locations if loc[0] == first), key=lambda loc: depth(loc[1]))
    position = first
    for block in range(far, -1, -1):
        by_aisle: dict[int, _Picks] = {}
        for loc in locations:
            if loc[0] != first and block_from_depot(loc[1]) == block:
                by_aisle.setdefault(loc[0], []).append((depth(loc[1]), loc))
        if not by_aisle:
            continue
        sweep = sorted(by_aisle)
        if abs(sweep[-1] - position) < abs(sweep[0] - position):
            sweep.reverse()
        cleared, back_at_start = clear(
            [sorted(by_aisle[a]) for a in sweep], *cross[block : block + 2]
        )
        order += cleared
        position = sweep[0] if back_at_start else sweep[-1]
    return order


def _s_shape_block(subs: list[_Picks], near: float, far: float) -> tuple[list[Location], bool]:
    order: list[Location] = []
    for i, picks in enumerate(subs):
        # The picker arrives on the far cross-aisle, so the first sub-aisle runs towards it.
        walk = reversed(picks) if i % 2 == 0 else iter(picks)
        order += [loc for _, loc in walk]
    return order, False


def _largest_gap_block(subs: list[_Picks], near: float, far: float) -> tuple[list[Location], bool]:
    outward: list[Location] = []
    homeward: list[list[Location]] = []
    for picks in subs[:-1]:
        depths = [near, *(d for d, _ in picks), far]
        gaps = [b - a for a, b in pairwise(depths)]
        cut = gaps.index(max(gaps))  # picks before the cut come from the near side
        outward += [loc for _, loc in reversed(picks[cut:])]
        homeward.append([loc for _, loc in picks[:cut]])
    outward += [loc for _, loc in reversed(subs[-1])]
    for part in reversed(homeward):
        outward += part
    return outward, True


def _combined_block(subs: list[_Picks], near: float, far: float) -> tuple[list[Location], bool]:
    length = far - near
    # best[side] = (walked so far, choices); side 0 = on the far cross-aisle, 1 = on the near one.
    best: dict[int, tuple[float, list[tuple[int, bool]]]] = {0: (0.0, [])}
    for picks in subs:
        step: dict[int, tuple[float, list[tuple[int, bool]]]] = {}
        for side, (cost, path) in best.items():
            reach = far - picks[0][0] if side == 0 else picks[-1][0] - near
            for through, extra, ends in ((True, length, 1 - side), (False, 2 * reach, side)):
                total = cost + extra
                if ends not in step or total < step[ends][0]:
                    step[ends] = (total, [*path, (side, through)])
        best = step
    # The block is left towards the depot, so ending on the far side costs one more length.
    options = [(cost + (length if side == 0 else 0.0), path) for side, (cost, path) in best.items()]
    _, path = min(options, key=lambda option: option[0])
    order: list[Location] = []
    for picks, (side, _) in zip(subs, path, strict=True):
        walk = reversed(picks) if side == 0 else iter(picks)
        order += [loc for _, loc in walk]
    return order, False


def s_shape_order(layout: Layout, locations: Collection[Location]) -> list[Location]:
    """The S-shape (traversal) visiting order."""
    return _sweep(layout, locations, _s_shape_block)


def largest_gap_order(layout: Layout, locations: Collection[Location]) -> list[Location]:
    """The largest-gap visiting order."""
    return _sweep(layout, locations, _largest_gap_block)


def combined_order(layout: Layout, locations: Collection[Location]) -> list[Location]:
    """The combined heuristic's visiting order."""
    return _sweep(layout, locations, _combined_block)

"""Batching small orders onto one cart, so that one walk serves several orders.

Orders are grouped by urgency first and by walking distance second:

1. Large orders (more lines than `max_lines_batched`, or more units than a tote holds) are
   picked alone.
2. Seed batching (de Koster, van der Poort & Wolters 1999): a batch starts from the most
   urgent waiting order whose own route is longest (the hardest to fit anywhere else), then
   repeatedly takes the waiting order that adds the least route length, until the cart is
   full. The added length is the optimal route's (routing_exact); a quick nearness estimate
   only decides which candidates are worth routing. (On layouts of more than four blocks,
   where exact routes take too long to price thousands of candidates, the best classic
   heuristic's length stands in.)
3. Local search: move an order to another batch, or swap two orders, whenever that shortens
   the total route length, until nothing improves (or an evaluation budget is spent).

Urgency rule: an order may only join a batch while no more urgent order is still waiting, and
local search never moves a more urgent order behind a less urgent one. So batches come out in
urgency order and an order with an earlier cutoff is never left for a later batch while a
less urgent order takes its place. Orders with the same `urgency` are interchangeable, so give
each cutoff (not each order) its own rank to leave room for batching by distance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.routing.exact import shortest_tour
from app.domain.routing.layout import Layout, PickPoint, walking_distance_m
from app.domain.routing.routes import heuristic_length_m, route
from app.domain.routing.search import EXACT_MAX_BLOCKS

Location = tuple[int, int]  # (aisle, bay)

# Candidates routed exactly per step, and partner batches tried per order in local search:
# the nearness estimate ranks the rest out. Evaluations cap local search so that a wave
# always finishes in bounded time.
_CANDIDATES = 8
_PARTNERS = 3
_SWAPS = 3
_LOCAL_SEARCH_EVALUATIONS = 4000
_EPSILON = 1e-9


class BatchMode(StrEnum):
    """How a wave's pick lists are built."""

    SORT_WHILE_PICK = "sort_while_pick"  # one tote per order on the cart
    PICK_THEN_SORT = "pick_then_sort"  # shared totes, sorted to orders at the put wall
    SINGLE_ORDER = "single_order"  # one order per pick list


@dataclass(frozen=True)
class OrderLine:
    """One line of an order: units to take from a point (a location)."""

    line_id: str
    point: PickPoint
    units: int


@dataclass(frozen=True)
class PickOrder:
    """An order to pick: its id, urgency (smaller = more urgent, e.g. the cutoff's rank)."""

    id: str
    urgency: int
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class BatchingRules:
    """The cart and put wall a wave is planned for."""

    totes: int = 8
    units_per_tote: int | None = None  # None: a tote holds any small order
    put_wall_slots: int = 24  # most orders in one pick-then-sort batch
    max_lines_batched: int = 4  # orders with more lines are picked alone

    def __post_init__(self) -> None:
        for name in ("totes", "put_wall_slots", "max_lines_batched"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.units_per_tote is not None and self.units_per_tote < 1:
            raise ValueError("units_per_tote must be at least 1 (or None)")


@dataclass(frozen=True)
class PickItem:
    """Units of one order line, taken at a stop."""

    order_id: str
    line_id: str
    point_id: str
    units: int


@dataclass(frozen=True)
class BatchStop:
    """A stop on a pick list: an aisle and bay, and everything taken there."""

    aisle: int
    bay: int
    items: tuple[PickItem, ...]


@dataclass(frozen=True)
class Batch:
    """One pick list: its orders (in tote order), stops in walking order, and route length."""

    orders: tuple[str, ...]
    stops: tuple[BatchStop, ...]
    length_m: float
    mode: BatchMode


def plan_batches(
    layout: Layout,
    orders: Sequence[PickOrder],
    mode: BatchMode,
    rules: BatchingRules | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Batch]:
    """Pick lists for a wave, most urgent first; `progress(done, total)` reports orders placed."""
    rules = rules or BatchingRules()
    _check(layout, orders)
    planner = _Planner(layout, mode, rules, orders)
    singles = [o for o in orders if mode is BatchMode.SINGLE_ORDER or planner.is_large(o)]
    small = [o for o in orders if not (mode is BatchMode.SINGLE_ORDER or planner.is_large(o))]
    groups = planner.seed_batches(small, progress, len(singles), len(orders))
    groups = planner.improve(groups)
    planned = [(min(o.urgency for o in group), group) for group in groups]
    planned += [(o.urgency, [o]) for o in sorted(singles, key=lambda o: (o.urgency, o.id))]
    # Stable: batches keep their build order within one urgency, ahead of single orders.
    planned.sort(key=lambda entry: entry[0])
    batches = [planner.batch(group) for _, group in planned]
    if progress is not None:
        progress(len(orders), len(orders))
    return batches


def _check(layout: Layout, orders: Sequence[PickOrder]) -> None:
    seen: set[str] = set()
    for order in orders:
        if order.id in seen:
            raise ValueError(f"order {order.id} is in the wave twice")
        seen.add(order.id)
        if not order.lines:
            raise ValueError(f"order {order.id} has no lines")
        for line in order.lines:
            layout.check_point(line.point)
            if line.units < 1:
                raise ValueError(f"order {order.id} line {line.line_id}: units must be positive")


class _Planner:
    """The wave's working state: route lengths are remembered per set of locations."""

    def __init__(
        self, layout: Layout, mode: BatchMode, rules: BatchingRules, orders: Sequence[PickOrder]
    ) -> None:
        self.layout = layout
        self.mode = mode
        self.rules = rules
        self.lengths: dict[frozenset[Location], float] = {}
        self.longer_than: dict[frozenset[Location], float] = {}  # from bounded evaluations
        # Thousands of candidate batches are priced per wave: by the exact router where it is
        # quick (up to four blocks), else by the best classic heuristic; final pick lists are
        # always routed by `route`.
        self.exact = layout.blocks <= EXACT_MAX_BLOCKS
        self.depot: Location = (layout.depot_aisle, 0)  # bay 0: the depot's own marker
        # Nearness estimates look distances up by location number in rows filled on demand.
        self.where = {o.id: _locations(o) for o in orders}
        self.universe = sorted({self.depot, *(loc for o in orders for loc in self.where[o.id])})
        self.index = {loc: k for k, loc in enumerate(self.universe)}
        self.rows: list[list[float] | None] = [None] * len(self.universe)
        self.anchors: dict[frozenset[Location], list[int]] = {}

    # --- sizes and capacity -------------------------------------------------------------

    def units(self, order: PickOrder) -> int:
        return sum(line.units for line in order.lines)

    def is_large(self, order: PickOrder) -> bool:
        tote = self.rules.units_per_tote
        return len(order.lines) > self.rules.max_lines_batched or (
            tote is not None and self.units(order) > tote
        )

    def fits(self, group: list[PickOrder], extra: PickOrder) -> bool:
        if self.mode is BatchMode.SORT_WHILE_PICK:
            return len(group) + 1 <= self.rules.totes
        if len(group) + 1 > self.rules.put_wall_slots:
            return False
        tote = self.rules.units_per_tote
        if tote is None:
            return True
        return sum(self.units(o) for o in group) + self.units(extra) <= self.rules.totes * tote

    # --- route lengths -------------------------------------------------------------------

    def length(self, locations: frozenset[Location], bound: float | None = None) -> float:
        """The optimal route's length; above `bound` it may answer inf without routing fully."""
        known = self.lengths.get(locations)
        if known is not None:
            return known
        if not self.exact:
            found = self.lengths[locations] = heuristic_length_m(self.layout, locations)
            return found
        limit = math.inf if bound is None else bound
        if self.longer_than.get(locations, -math.inf) >= limit:
            return math.inf  # an earlier bounded evaluation already showed it
        found, _ = shortest_tour(
            self.layout, sorted(locations), with_order=False, upper_bound=limit
        )
        if found == math.inf:
            self.longer_than[locations] = limit
        else:
            self.lengths[locations] = found
        return found

    def _row(self, location: Location) -> list[float]:
        """Walking distances from a location to every location of the wave (and the depot)."""
        index = self.index[location]
        row = self.rows[index]
        if row is None:
            here = self._spot(location)
            row = [walking_distance_m(self.layout, *here, *self._spot(o)) for o in self.universe]
            self.rows[index] = row
        return row

    def _spot(self, location: Location) -> tuple[int, float]:
        bay_y = (
            self.layout.depot_y_m if location == self.depot else self.layout.bay_y_m(location[1])
        )
        return location[0], bay_y

    def nearness(self, order_locations: frozenset[Location], batch: frozenset[Location]) -> float:
        """A cheap estimate of the detour: each new location's distance to the batch, doubled."""
        anchors = self.anchors.get(batch)
        if anchors is None:
            anchors = [self.index[loc] for loc in batch] + [self.index[self.depot]]
            self.anchors[batch] = anchors
        total = 0.0
        for location in order_locations - batch:
            total += min(map(self._row(location).__getitem__, anchors))
        return 2 * total

    # --- building ------------------------------------------------------------------------

    def seed_batches(
        self,
        small: list[PickOrder],
        progress: Callable[[int, int], None] | None,
        done: int,
        total: int,
    ) -> list[list[PickOrder]]:
        where = self.where
        waiting = sorted(small, key=lambda o: (o.urgency, o.id))
        groups: list[list[PickOrder]] = []
        while waiting:
            tier = waiting[0].urgency
            seed = min(
                (o for o in waiting if o.urgency == tier),
                key=lambda o: (-self.length(where[o.id]), o.id),
            )
            group, covered = [seed], where[seed.id]
            waiting.remove(seed)
            while waiting:
                tier = waiting[0].urgency
                fitting = [o for o in waiting if o.urgency == tier and self.fits(group, o)]
                if not fitting:
                    break
                best = self._closest(fitting, covered, where)
                group.append(best)
                covered = covered | where[best.id]
                waiting.remove(best)
            groups.append(group)
            done += len(group)
            if progress is not None:
                progress(done, total)
        return groups

    def _closest(
        self,
        fitting: list[PickOrder],
        covered: frozenset[Location],
        where: dict[str, frozenset[Location]],
    ) -> PickOrder:
        """The order adding the least route length, among the nearest few by estimate."""
        ranked = sorted(fitting, key=lambda o: (self.nearness(where[o.id], covered), o.id))
        best, best_length = ranked[0], math.inf
        for order in ranked[:_CANDIDATES]:
            found = self.length(covered | where[order.id], best_length)
            if found < best_length - _EPSILON:
                best, best_length = order, found
        return best

    # --- improving -----------------------------------------------------------------------

    def improve(self, groups: list[list[PickOrder]]) -> list[list[PickOrder]]:
        """Move and swap orders between batches while the total route length drops."""
        groups = [list(g) for g in groups]
        budget = [_LOCAL_SEARCH_EVALUATIONS]
        improved = True
        while improved and budget[0] > 0:
            improved = False
            for i in range(len(groups)):
                for order in list(groups[i]):
                    if order not in groups[i]:
                        continue
                    if self._try_order(groups, i, order, budget):
                        improved = True
            groups = [g for g in groups if g]
        return groups

    def _try_order(
        self, groups: list[list[PickOrder]], i: int, order: PickOrder, budget: list[int]
    ) -> bool:
        """Apply the first move or swap of `order` that shortens the total; say if one did."""
        here = groups[i]
        rest = [o for o in here if o is not order]
        rest_cover = self._cover(rest)
        mine = self.where[order.id]
        partners = sorted(
            (j for j in range(len(groups)) if j != i and groups[j]),
            key=lambda j: (self.nearness(mine, self._cover(groups[j])), j),
        )[:_PARTNERS]
        # Each evaluation is bounded by what the change must beat, so a hopeless one stops
        # early. A route never gets shorter by visiting more, so in a swap the other batch
        # without its order already bounds its new length from below.
        left = self.length(rest_cover) if rest else 0.0
        for j in partners:
            there = groups[j]
            before = self.length(self._cover(here)) + self.length(self._cover(there))
            moved = [*there, order]
            if self.fits(there, order) and self._keeps_urgency(groups, i, rest, j, moved):
                budget[0] -= 1
                right = self.length(self._cover(moved), before - left - _EPSILON)
                if left + right < before - _EPSILON:
                    groups[i], groups[j] = rest, moved
                    return True
            swaps = sorted(
                there,
                key=lambda o: (self.nearness(self.where[o.id], rest_cover), o.id),
            )[:_SWAPS]
            for other in swaps:
                new_here = [*rest, other]
                new_there = [o for o in there if o is not other]
                if not (self._fits_all(new_here) and self._fits_all([*new_there, order])):
                    continue
                if not self._keeps_urgency(groups, i, new_here, j, [*new_there, order]):
                    continue
                budget[0] -= 2
                floor_there = self.length(self._cover(new_there)) if new_there else 0.0
                new_left = self.length(self._cover(new_here), before - floor_there - _EPSILON)
                if new_left == math.inf:
                    continue
                right = self.length(self._cover([*new_there, order]), before - new_left - _EPSILON)
                if new_left + right < before - _EPSILON:
                    groups[i], groups[j] = new_here, [*new_there, order]
                    return True
            if budget[0] <= 0:
                return False
        return False

    def _fits_all(self, group: list[PickOrder]) -> bool:
        return all(self.fits(group[:k], group[k]) for k in range(len(group)))

    def _keeps_urgency(
        self,
        groups: list[list[PickOrder]],
        i: int,
        new_i: list[PickOrder],
        j: int,
        new_j: list[PickOrder],
    ) -> bool:
        """Batches stay in urgency order: no batch holds an order less urgent than a later one."""
        trial = [new_i if k == i else new_j if k == j else g for k, g in enumerate(groups)]
        latest = None
        for group in trial:
            if not group:
                continue
            lo = min(o.urgency for o in group)
            hi = max(o.urgency for o in group)
            if latest is not None and lo < latest:
                return False
            latest = hi if latest is None else max(latest, hi)
        return True

    def _cover(self, group: list[PickOrder]) -> frozenset[Location]:
        """Every location the group's orders visit."""
        covered: frozenset[Location] = frozenset()
        for order in group:
            covered |= self.where[order.id]
        return covered

    # --- output --------------------------------------------------------------------------

    def batch(self, group: list[PickOrder]) -> Batch:
        ordered = sorted(group, key=lambda o: (o.urgency, o.id))
        position = {o.id: k for k, o in enumerate(ordered)}
        points = {line.point.id: line.point for o in ordered for line in o.lines}
        walk = route(self.layout, points.values())
        items: dict[str, list[PickItem]] = {}
        for order in ordered:
            for line in order.lines:
                items.setdefault(line.point.id, []).append(
                    PickItem(order.id, line.line_id, line.point.id, line.units)
                )
        stops = tuple(
            BatchStop(
                stop.aisle,
                stop.bay,
                tuple(
                    sorted(
                        (item for pid in stop.point_ids for item in items[pid]),
                        key=lambda item: (item.point_id, position[item.order_id], item.line_id),
                    )
                ),
            )
            for stop in walk.stops
        )
        mode = BatchMode.SINGLE_ORDER if len(group) == 1 else self.mode
        return Batch(tuple(o.id for o in ordered), stops, walk.length_m, mode)


def _locations(order: PickOrder) -> frozenset[Location]:
    return frozenset((line.point.aisle, line.point.bay) for line in order.lines)

"""Pick routes: the order to visit locations in, and how far that is to walk.

A route starts and ends at the depot and walks only along aisles and cross-aisles. `route`
returns the shortest one: exact (routing_exact) on layouts of up to four blocks, and by local
search from the best classic heuristic (routing_search) beyond, where the exact method grows
too slow. The other methods are the classic baselines (routing_heuristics) and plain
location-code order. Points at the same aisle and bay (the two sides of the aisle, several
levels) are one stop. Every method prices its order the same way: the shortest walk from the
depot to the first stop, between consecutive stops, and back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from app.domain.routing.exact import shortest_tour
from app.domain.routing.heuristics import combined_order, largest_gap_order, s_shape_order
from app.domain.routing.layout import Layout, PickPoint, walking_distance_m
from app.domain.routing.search import EXACT_MAX_BLOCKS, improve_order

Location = tuple[int, int]  # (aisle, bay)

OPTIMAL = "optimal"
LOCAL_SEARCH = "local_search"
S_SHAPE = "s_shape"
LARGEST_GAP = "largest_gap"
COMBINED = "combined"
CODE_ORDER = "code_order"


@dataclass(frozen=True)
class Depot:
    """Where every route starts and ends (the layout says where it is)."""


DEPOT = Depot()


@dataclass(frozen=True)
class Stop:
    """One place the picker stops: an aisle and bay, and the points picked there."""

    aisle: int
    bay: int
    point_ids: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """Stops in walking order, the walk's length from the depot and back, and the method."""

    stops: tuple[Stop, ...]
    length_m: float
    method: str

    @property
    def point_ids(self) -> tuple[str, ...]:
        """Every point id in walking order."""
        return tuple(pid for stop in self.stops for pid in stop.point_ids)


def shortest_path_m(layout: Layout, a: PickPoint | Depot, b: PickPoint | Depot) -> float:
    """The shortest walk between two points (or the depot) along aisles and cross-aisles."""
    (aisle_a, y_a), (aisle_b, y_b) = _place(layout, a), _place(layout, b)
    return walking_distance_m(layout, aisle_a, y_a, aisle_b, y_b)


def route_length(layout: Layout, ordered_points: Sequence[PickPoint]) -> float:
    """Metres walked visiting the points in the given order, from the depot and back."""
    for point in ordered_points:
        layout.check_point(point)
    return _order_length(layout, [(p.aisle, p.bay) for p in ordered_points])


def route(layout: Layout, points: Iterable[PickPoint]) -> Route:
    """The shortest route through the points: exact up to four blocks, near-exact beyond."""
    stops = _stops(layout, points)
    if not stops:
        return Route((), 0.0, OPTIMAL)
    locations = list(stops)
    if layout.blocks <= EXACT_MAX_BLOCKS:
        length, order = shortest_tour(layout, locations)
        return Route(tuple(stops[loc] for loc in order), length, OPTIMAL)
    order = improve_order(layout, _best_heuristic_order(layout, locations))
    return Route(tuple(stops[loc] for loc in order), _order_length(layout, order), LOCAL_SEARCH)


def heuristic_length_m(layout: Layout, locations: Collection[Location]) -> float:
    """The shortest classic heuristic route through (aisle, bay) locations: quick to get."""
    distinct = sorted(set(locations))
    for aisle, bay in distinct:
        layout.check_point(PickPoint(f"aisle {aisle} bay {bay}", aisle, bay))
    return _order_length(layout, _best_heuristic_order(layout, distinct))


def s_shape(layout: Layout, points: Iterable[PickPoint]) -> Route:
    """The S-shape (traversal) baseline."""
    return _by_order(layout, points, s_shape_order, S_SHAPE)


def largest_gap(layout: Layout, points: Iterable[PickPoint]) -> Route:
    """The largest-gap baseline."""
    return _by_order(layout, points, largest_gap_order, LARGEST_GAP)


def combined(layout: Layout, points: Iterable[PickPoint]) -> Route:
    """The combined-heuristic baseline."""
    return _by_order(layout, points, combined_order, COMBINED)


def code_order(layout: Layout, points: Iterable[PickPoint]) -> Route:
    """Locations in code order (aisle, then bay): what a picker does without routing."""
    return _by_order(layout, points, lambda _, locations: sorted(locations), CODE_ORDER)


def _by_order(
    layout: Layout,
    points: Iterable[PickPoint],
    order_of: Callable[[Layout, list[Location]], list[Location]],
    method: str,
) -> Route:
    stops = _stops(layout, points)
    order = order_of(layout, list(stops))
    return Route(tuple(stops[loc] for loc in order), _order_length(layout, order), method)


def _stops(layout: Layout, points: Iterable[PickPoint]) -> dict[Location, Stop]:
    """The points grouped by location, in code order; ids sorted within a stop."""
    where: dict[str, Location] = {}
    for point in points:
        layout.check_point(point)
        location = (point.aisle, point.bay)
        if where.setdefault(point.id, location) != location:
            raise ValueError(f"point {point.id} is given at two locations")
    grouped: dict[Location, list[str]] = {}
    for pid, location in where.items():
        grouped.setdefault(location, []).append(pid)
    return {loc: Stop(loc[0], loc[1], tuple(sorted(grouped[loc]))) for loc in sorted(grouped)}


def _best_heuristic_order(layout: Layout, locations: list[Location]) -> list[Location]:
    """The shortest of the classic orders (S-shape, largest gap, combined, code order)."""
    orders = [
        s_shape_order(layout, locations),
        largest_gap_order(layout, locations),
        combined_order(layout, locations),
        sorted(locations),
    ]
    return min(orders, key=lambda order: _order_length(layout, order))


def _place(layout: Layout, spot: PickPoint | Depot) -> tuple[int, float]:
    if isinstance(spot, Depot):
        return layout.depot_aisle, layout.depot_y_m
    layout.check_point(spot)
    return spot.aisle, layout.bay_y_m(spot.bay)


def _order_length(layout: Layout, order: Sequence[Location]) -> float:
    here = (layout.depot_aisle, layout.depot_y_m)
    total = 0.0
    for aisle, bay in order:
        there = (aisle, layout.bay_y_m(bay))
        total += walking_distance_m(layout, here[0], here[1], there[0], there[1])
        here = there
    return total + walking_distance_m(
        layout, here[0], here[1], layout.depot_aisle, layout.depot_y_m
    )

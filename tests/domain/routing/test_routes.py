"""Pick routing: hand-worked routes, and the router against an independent brute-force solver.

The brute force here shares nothing with the router: it builds the aisle network as an explicit
graph from DESIGN.md's geometry, finds shortest paths with Dijkstra and solves the travelling
salesman problem exactly with Held-Karp over them.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.domain.routing import exact as routing_exact
from app.domain.routing.layout import Layout, PickPoint
from app.domain.routing.routes import (
    DEPOT,
    Route,
    Stop,
    code_order,
    combined,
    largest_gap,
    route,
    route_length,
    s_shape,
    shortest_path_m,
)

DEMO = Layout()  # 12 aisles 3.0 m apart, bays 1.3 m wide, cross-aisles 2.0 m, back at 17.6 m
HEURISTICS = (s_shape, largest_gap, combined, code_order)


def p(aisle: int, bay: int, level: int = 1) -> PickPoint:
    """A point named by the demo's location code."""
    return PickPoint(f"A{aisle:02d}-{bay:02d}-{level}", aisle, bay)


# --- hand-worked routes (bay b of the demo lies at y = 1.0 + (b - 0.5) * 1.3) ----------------


def test_no_points_no_walk() -> None:
    assert route(DEMO, []) == Route((), 0.0, "optimal")
    assert s_shape(DEMO, []).length_m == 0.0


def test_two_picks_in_the_depot_aisle() -> None:
    # Up aisle 1 to bay 5 (y = 6.85) and back: 2 * 6.85.
    walk = route(DEMO, [p(1, 5), p(1, 3)])
    assert walk.length_m == pytest.approx(13.7)
    assert walk.point_ids == ("A01-03-1", "A01-05-1")


def test_picks_in_the_first_and_last_aisle() -> None:
    # Into bay 1 (1.65) and out, along the front to aisle 12 (33), in and out, back (33):
    # 4 * 1.65 + 2 * 33 = 72.6, shorter than the loop over the back (2 * 17.6 + 2 * 33).
    walk = route(DEMO, [p(12, 1), p(1, 1)])
    assert walk.length_m == pytest.approx(72.6)
    assert walk.point_ids == ("A01-01-1", "A12-01-1")


def test_one_deep_pick_far_away() -> None:
    # To aisle 12 (33) and up to bay 12 (15.95), back the same way: 97.9; the loop up aisle 1,
    # across the back and down aisle 12 would be 2 * 17.6 + 2 * 33 = 101.2.
    assert route(DEMO, [p(12, 12)]).length_m == pytest.approx(97.9)


def test_two_deep_picks_in_neighbouring_aisles_make_a_loop() -> None:
    # Up aisle 1 (17.6), across the back (3), down aisle 2 (17.6), across the front (3).
    walk = route(DEMO, [p(2, 12), p(1, 12)])
    assert walk.length_m == pytest.approx(41.2)
    assert walk.point_ids == ("A01-12-1", "A02-12-1")


def test_a_middle_cross_aisle_shortens_the_walk() -> None:
    one_block = route(DEMO, [p(1, 7), p(4, 7)])
    # Bay 7 at y = 9.45: loop up aisle 1, across the back (9), down aisle 4, across the front
    # (9): 2 * 17.6 + 18 = 53.2.
    assert one_block.length_m == pytest.approx(53.2)
    two_blocks = Layout(cross_aisles_after_bays=(6,))
    # Bay 7 now lies behind the middle cross-aisle (y = 9.8) at y = 11.45. Up aisle 1 to the
    # pick (11.45), back to the middle cross-aisle (1.65), across (9), in and out of aisle 4
    # (2 * 1.65), down aisle 4 (9.8), across the front (9): 44.2.
    walk = route(two_blocks, [p(1, 7), p(4, 7)])
    assert walk.length_m == pytest.approx(44.2)
    assert shortest_path_m(two_blocks, DEPOT, p(4, 7)) == pytest.approx(9 + 11.45)
    assert shortest_path_m(two_blocks, p(1, 7), p(4, 7)) == pytest.approx(9 + 2 * 1.65)


def test_a_depot_at_the_back() -> None:
    # Bay 12 is 1.65 in front of the back centre line: in and out.
    assert route(Layout(depot_end="back"), [p(1, 12)]).length_m == pytest.approx(3.3)
    # From the back of aisle 5 to bay 1 of aisle 2: across 9, down 15.95.
    layout = Layout(depot_aisle=5, depot_end="back")
    assert shortest_path_m(layout, DEPOT, p(2, 1)) == pytest.approx(9 + 15.95)


def test_levels_and_sides_of_one_bay_are_one_stop() -> None:
    walk = route(DEMO, [p(3, 4, 2), p(3, 4, 1), PickPoint("B03-04-1", 3, 4), p(1, 2)])
    assert walk.stops == (
        Stop(1, 2, ("A01-02-1",)),
        Stop(3, 4, ("A03-04-1", "A03-04-2", "B03-04-1")),
    )
    assert walk.length_m == pytest.approx(route(DEMO, [p(3, 4), p(1, 2)]).length_m)


def test_the_baselines_on_a_small_case() -> None:
    # Bays 2, 11 and 6 lie at y = 2.95, 14.65 and 8.15.
    points = [p(1, 2), p(1, 11), p(2, 2), p(2, 11), p(3, 6)]
    # S-shape: up aisle 1 (2.95 + 11.7), over the back to bay 11 of aisle 2 (3 + 2 * 2.95),
    # down to bay 2 (11.7), over the front into aisle 3 (3 + 2.95 + 8.15), home (6 + 8.15).
    assert s_shape(DEMO, points).point_ids == (
        "A01-02-1",
        "A01-11-1",
        "A02-11-1",
        "A02-02-1",
        "A03-06-1",
    )
    assert s_shape(DEMO, points).length_m == pytest.approx(63.5)
    # Largest gap: aisle 2 is entered from the back for bay 11 and from the front for bay 2,
    # aisle 3 (the last) is walked through: 14.65 + 8.9 + 15.4 + 14.1 + 5.95 = 59.0.
    assert largest_gap(DEMO, points).point_ids == (
        "A01-02-1",
        "A01-11-1",
        "A02-11-1",
        "A03-06-1",
        "A02-02-1",
    )
    assert largest_gap(DEMO, points).length_m == pytest.approx(59.0)
    assert route(DEMO, points).length_m == pytest.approx(59.0)
    # Code order crosses aisle 2 end to end twice: 14.65 + 20.6 + 11.7 + 15.4 + 14.15 = 76.5.
    assert code_order(DEMO, points).point_ids == tuple(sorted(pt.id for pt in points))
    assert code_order(DEMO, points).length_m == pytest.approx(76.5)


def test_route_length_and_shortest_paths_agree() -> None:
    points = [p(5, 3), p(2, 9), p(7, 12)]
    expected = (
        shortest_path_m(DEMO, DEPOT, points[0])
        + shortest_path_m(DEMO, points[0], points[1])
        + shortest_path_m(DEMO, points[1], points[2])
        + shortest_path_m(DEMO, points[2], DEPOT)
    )
    assert route_length(DEMO, points) == pytest.approx(expected)
    assert shortest_path_m(DEMO, DEPOT, DEPOT) == 0.0


def test_bad_points_are_refused() -> None:
    with pytest.raises(ValueError, match="A13-01-1"):
        route(DEMO, [p(13, 1)])
    with pytest.raises(ValueError, match="two locations"):
        route(DEMO, [PickPoint("X", 1, 1), PickPoint("X", 2, 1)])
    with pytest.raises(ValueError, match="bay 0"):
        shortest_path_m(DEMO, DEPOT, p(1, 0))


def test_the_same_points_in_any_order_give_the_same_route() -> None:
    rng = random.Random(4)
    layout = Layout(cross_aisles_after_bays=(4, 8))
    points = [p(rng.randint(1, 12), rng.randint(1, 12), rng.randint(1, 2)) for _ in range(25)]
    first = route(layout, points)
    for _ in range(5):
        rng.shuffle(points)
        assert route(layout, points) == first


# --- the independent brute force -----------------------------------------------------------


Node = tuple[int, float]  # (aisle, y)
Graph = dict[Node, list[tuple[Node, float]]]


def _network(layout: Layout) -> tuple[Graph, dict[int, float]]:
    """The aisle network as a graph, built straight from the geometry's definition."""
    c, w = layout.cross_aisle_width_m, layout.bay_width_m
    cuts = layout.cross_aisles_after_bays
    bay_y = {b: c / 2 + (b - 0.5) * w + c * sum(1 for k in cuts if b > k) for b in range(1, 99)}
    # A cross-aisle centre line lies half a cross-aisle beyond the far edge of the bay before it.
    cross = [0.0] + [bay_y[k] + w / 2 + c / 2 for k in (*cuts, layout.bays)]
    graph: Graph = {}

    def join(a: Node, b: Node, length: float) -> None:
        graph.setdefault(a, []).append((b, length))
        graph.setdefault(b, []).append((a, length))

    for aisle in range(1, layout.aisles + 1):
        line = sorted({*cross, *(bay_y[b] for b in range(1, layout.bays + 1))})
        for lo, hi in itertools.pairwise(line):
            join((aisle, lo), (aisle, hi), hi - lo)
        if aisle > 1:
            for y in cross:
                join((aisle - 1, y), (aisle, y), layout.aisle_pitch_m)
    return graph, bay_y


def _dijkstra(graph: Graph, start: Node) -> dict[Node, float]:
    best = {start: 0.0}
    queue = [(0.0, start)]
    while queue:
        d, node = heapq.heappop(queue)
        if d > best[node]:
            continue
        for nxt, length in graph[node]:
            if d + length < best.get(nxt, math.inf):
                best[nxt] = d + length
                heapq.heappush(queue, (d + length, nxt))
    return best


def brute_force_length(layout: Layout, locations: Sequence[tuple[int, int]]) -> float:
    """The exact shortest tour from the depot through the locations: Held-Karp on Dijkstra."""
    graph, bay_y = _network(layout)
    cross_back = max(y for _, y in graph)
    depot = (layout.depot_aisle, 0.0 if layout.depot_end == "front" else cross_back)
    nodes = [depot] + [(a, bay_y[b]) for a, b in dict.fromkeys(locations)]
    far = [_dijkstra(graph, n) for n in nodes]
    dist = [[far[i][m] for m in nodes] for i in range(len(nodes))]
    n = len(nodes) - 1
    if n == 0:
        return 0.0
    # cost[mask][j]: shortest path from the depot through the set `mask`, ending at j.
    cost = [[math.inf] * n for _ in range(1 << n)]
    for j in range(n):
        cost[1 << j][j] = dist[0][j + 1]
    for mask in range(1, 1 << n):
        row = cost[mask]
        for j in range(n):
            here = row[j]
            if here == math.inf:
                continue
            for k in range(n):
                if not mask >> k & 1:
                    step = here + dist[j + 1][k + 1]
                    if step < cost[mask | 1 << k][k]:
                        cost[mask | 1 << k][k] = step
    full = cost[(1 << n) - 1]
    return min(full[j] + dist[j + 1][0] for j in range(n))


def _random_case(rng: random.Random, max_cuts: int) -> tuple[Layout, list[PickPoint]]:
    aisles, bays = rng.randint(1, 8), rng.randint(1, 10)
    cuts = tuple(sorted(rng.sample(range(1, bays), min(rng.randint(0, max_cuts), bays - 1))))
    layout = Layout(
        aisles=aisles,
        bays=bays,
        aisle_pitch_m=rng.choice([1.0, 2.5, 3.0, 8.0]),
        bay_width_m=rng.choice([0.9, 1.3, 2.0]),
        cross_aisle_width_m=rng.choice([0.5, 2.0, 5.0]),
        cross_aisles_after_bays=cuts,
        depot_aisle=rng.randint(1, aisles),
        depot_end=rng.choice(["front", "back"]),
    )
    points = [p(rng.randint(1, aisles), rng.randint(1, bays)) for _ in range(rng.randint(0, 14))]
    return layout, points


def _check_against_brute_force(layout: Layout, points: list[PickPoint]) -> None:
    locations = sorted({(pt.aisle, pt.bay) for pt in points})
    if len(locations) > 9:
        locations = locations[:9]
        points = [pt for pt in points if (pt.aisle, pt.bay) in set(locations)]
    best = route(layout, points)
    exact = brute_force_length(layout, locations)
    assert best.length_m == pytest.approx(exact, abs=1e-9)
    # The visiting order is a real route of that length, through every point once.
    assert sorted(best.point_ids) == sorted({pt.id for pt in points})
    assert route_length(layout, [p(s.aisle, s.bay) for s in best.stops]) == pytest.approx(
        exact, abs=1e-9
    )
    for heuristic in HEURISTICS:
        other = heuristic(layout, points)
        assert sorted(other.point_ids) == sorted(best.point_ids)
        assert other.length_m >= exact - 1e-9


def test_one_block_routes_are_optimal_against_brute_force() -> None:
    rng = random.Random(1983)  # Ratliff & Rosenthal
    for _ in range(300):
        _check_against_brute_force(*_random_case(rng, max_cuts=0))


def test_multi_block_routes_are_optimal_against_brute_force() -> None:
    rng = random.Random(2001)  # Roodbergen & de Koster
    cases = 0
    while cases < 200:
        layout, points = _random_case(rng, max_cuts=3)
        if layout.blocks > 1:
            _check_against_brute_force(layout, points)
            cases += 1


def test_the_optimum_never_loses_to_a_baseline_on_big_routes() -> None:
    rng = random.Random(7)
    for cuts in ((), (4, 8)):
        layout = Layout(cross_aisles_after_bays=cuts, depot_aisle=rng.randint(1, 12))
        for size in (20, 40, 60):
            points = [p(rng.randint(1, 12), rng.randint(1, 12)) for _ in range(size)]
            best = route(layout, points)
            ordered = [p(s.aisle, s.bay) for s in best.stops]
            assert route_length(layout, ordered) == pytest.approx(best.length_m)
            for heuristic in HEURISTICS:
                assert best.length_m <= heuristic(layout, points).length_m + 1e-9


def test_routes_planned_on_several_threads_agree_with_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The router remembers the classes it has met in tables shared by all threads; start
    # from empty tables so that the threads fill them at the same time.
    for name, empty in (
        ("_ids", {}),
        ("_classes", []),
        ("_segment_moves", []),
        ("_cross_moves", []),
        ("_closable", []),
    ):
        monkeypatch.setattr(routing_exact, name, empty)
    layout = Layout(aisles=5, bays=10, cross_aisles_after_bays=(2, 5, 8))
    rng = random.Random(11)
    sets = [[p(rng.randint(1, 5), rng.randint(1, 10)) for _ in range(7)] for _ in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda points: route(layout, points), sets))
    assert parallel == [route(layout, points) for points in sets]
    assert [r.length_m for r in parallel] == pytest.approx(
        [brute_force_length(layout, [(q.aisle, q.bay) for q in s]) for s in sets]
    )


def test_many_blocks_are_routed_by_local_search_close_to_the_optimum() -> None:
    rng = random.Random(5)
    gaps = []
    for _ in range(60):
        bays, aisles = rng.randint(6, 14), rng.randint(2, 8)
        layout = Layout(
            aisles=aisles,
            bays=bays,
            cross_aisles_after_bays=tuple(sorted(rng.sample(range(1, bays), rng.randint(4, 5)))),
            depot_aisle=rng.randint(1, aisles),
            depot_end=rng.choice(["front", "back"]),
        )
        locations = sorted({(rng.randint(1, aisles), rng.randint(1, bays)) for _ in range(9)})
        points = [p(a, b) for a, b in locations]
        walk = route(layout, points)
        assert walk.method == "local_search"
        assert sorted(walk.point_ids) == sorted(q.id for q in points)
        assert walk.length_m == pytest.approx(
            route_length(layout, [p(s.aisle, s.bay) for s in walk.stops])
        )
        assert walk.length_m <= min(h(layout, points).length_m for h in HEURISTICS) + 1e-9
        optimum = brute_force_length(layout, locations)
        gaps.append(walk.length_m / optimum - 1)
    # Observed: every one of these small routes is optimal; allow 2% per route all the same.
    assert max(gaps) <= 0.02
    assert sum(gaps) / len(gaps) <= 0.005

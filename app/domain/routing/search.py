"""Local search over pick orders, for layouts with too many cross-aisles for the exact method.

The exact dynamic program (routing_exact) keeps one class per way the cross-aisle vertices of
an aisle can be connected, and their number grows about five-fold with every middle
cross-aisle. Beyond `EXACT_MAX_BLOCKS` blocks the router instead improves the best classic
heuristic's order with 2-opt and Or-opt moves over exact walking distances (the travelling
salesman view of picking, as in Theys et al. 2010), then kicks the tour with a few
deterministic double-bridge moves and searches again, keeping the best. It never returns a
route longer than its start.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from app.domain.routing.layout import Layout, walking_distance_m

Location = tuple[int, int]  # (aisle, bay)

EXACT_MAX_BLOCKS = 4  # exact: about 20 ms for 30 picks on four blocks, 100-200 ms on five
# Kicks per route: small routes are cheap to search again, so they get more (3 + 60 / stops).
_KICKS = 3
_KICKS_SMALL = 60
_EPSILON = 1e-9


def improve_order(layout: Layout, start: Sequence[Location]) -> list[Location]:
    """A visiting order no longer than `start`, usually much shorter."""
    if len(start) < 3:
        return list(start)
    spots = [(layout.depot_aisle, layout.depot_y_m)]
    spots += [(aisle, layout.bay_y_m(bay)) for aisle, bay in start]
    d = [[walking_distance_m(layout, *a, *b) for b in spots] for a in spots]
    tour = _descend(d, list(range(len(spots))))
    best, best_length = tour, _length(d, tour)
    rng = random.Random(len(start))  # fixed per input size: the same points, the same route
    for _ in range(_KICKS + _KICKS_SMALL // len(start)):
        tried = _descend(d, _double_bridge(best, rng))
        length = _length(d, tried)
        if length < best_length - _EPSILON:
            best, best_length = tried, length
    return [start[k - 1] for k in best[1:]]


def _length(d: list[list[float]], tour: list[int]) -> float:
    return sum(d[tour[k - 1]][tour[k]] for k in range(len(tour)))


def _double_bridge(tour: list[int], rng: random.Random) -> list[int]:
    """Cut the tour in four pieces and reconnect them in another order (depot stays first)."""
    n = len(tour)
    if n < 8:
        return tour[:]
    a, b, c = sorted(rng.sample(range(2, n - 1), 3))
    return tour[:a] + tour[b:c] + tour[a:b] + tour[c:]


def _descend(d: list[list[float]], tour: list[int]) -> list[int]:
    """2-opt and Or-opt moves (first improvement) until none shortens the tour."""
    improved = True
    while improved:
        improved = _two_opt(d, tour) | _or_opt(d, tour)
    return tour


def _two_opt(d: list[list[float]], tour: list[int]) -> bool:
    n = len(tour)
    changed = False
    for i in range(1, n - 1):
        a, b = tour[i - 1], tour[i]
        for j in range(i + 1, n):
            c, e = tour[j], tour[(j + 1) % n]
            if d[a][c] + d[b][e] < d[a][b] + d[c][e] - _EPSILON:
                tour[i : j + 1] = tour[i : j + 1][::-1]
                b = tour[i]
                changed = True
    return changed


def _or_opt(d: list[list[float]], tour: list[int]) -> bool:
    changed = False
    for size in (1, 2, 3):
        i = 1
        while i + size <= len(tour):
            if _move_run(d, tour, i, size):
                changed = True
            else:
                i += 1
    return changed


def _move_run(d: list[list[float]], tour: list[int], i: int, size: int) -> bool:
    """Move tour[i:i+size] (either way round) to the best other place, if that is shorter."""
    n = len(tour)
    run = tour[i : i + size]
    before, after = tour[i - 1], tour[(i + size) % n]
    saved = d[before][run[0]] + d[run[-1]][after] - d[before][after]
    rest = tour[:i] + tour[i + size :]
    best_gain, best_at, best_piece = _EPSILON, -1, run
    for k in range(len(rest)):
        u, v = rest[k], rest[(k + 1) % len(rest)]
        for piece in (run, run[::-1]):
            gain = saved - (d[u][piece[0]] + d[piece[-1]][v] - d[u][v])
            if gain > best_gain:
                best_gain, best_at, best_piece = gain, k, piece
    if best_at < 0:
        return False
    tour[:] = rest[: best_at + 1] + best_piece + rest[best_at + 1 :]
    return True

"""The shortest pick tour on the aisle network, by dynamic programming over the aisles.

Ratliff & Rosenthal (1983) showed that an optimal order-picking tour in a one-block warehouse
can be built aisle by aisle, left to right, keeping for every aisle only the cheapest partial
tour of each "equivalence class": the degree parity of the aisle's front and back ends and
whether they are connected (7 classes). Roodbergen & de Koster (2001) extended the method to a
middle cross-aisle. This module runs the same dynamic program for any number of cross-aisles:
the class of a partial tour is the degree (zero, odd, even) of each cross-aisle vertex on the
current aisle plus which of them share a connected component. With one block these are exactly
Ratliff & Rosenthal's classes, so the result is optimal, and it stays optimal with more blocks
because the class keeps everything the rest of the tour depends on.

Each sub-aisle (an aisle between two neighbouring cross-aisles) is walked in one of six ways
(Ratliff & Rosenthal's vertical edge configurations) and each cross-aisle piece between two
aisles is walked 0, 1 or 2 times; an optimal tour exists among these choices. The chosen edges
form an even, connected multigraph, and an Euler circuit through it gives the visiting order.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Collection, Iterator
from functools import lru_cache

from app.domain.routing.layout import Layout

Location = tuple[int, int]  # (aisle, bay)
State = tuple[int, ...]

# How a sub-aisle is walked: (edges added at its lower end, at its upper end, ends joined).
# The required points (picks, and the depot on a cross-aisle) must all be covered.
NONE, FULL1, FULL2, BOTTOM, TOP, GAP = range(6)
_KINDS: tuple[tuple[int, int, bool], ...] = (
    (0, 0, False),  # not entered: only when nothing there is required
    (1, 1, True),  # walked through once
    (2, 2, True),  # walked through and back
    (2, 0, False),  # entered from the lower cross-aisle up to the farthest point, and back
    (0, 2, False),  # entered from the upper cross-aisle down to the nearest point, and back
    (2, 2, False),  # entered from both ends, leaving out the largest gap between points
)

# A state holds one code per cross-aisle vertex of the current aisle: 0 when no edge touches
# it, otherwise (component label << 2) | 1 for odd degree or | 2 for even degree. Labels are
# renumbered in order of first appearance so that equal classes compare equal.
_CLOSED: State = (-1,)

# Classes are numbered as they are first met, and the moves out of a class are worked out once
# and remembered across calls, so the dynamic program itself only looks numbers up.
_ids: dict[State, int] = {}
_classes: list[State] = []
_segment_moves: list[list[list[int]] | None] = []  # [class][lower cross-aisle][kind] -> class
_cross_moves: list[list[tuple[int, int, tuple[int, ...]]]] = []  # (walks, class, per vertex)
_closable: list[bool] = []  # the tour may end here: one component, every degree even


# Routes may be planned on several threads at once; only filling the tables takes the lock.
_lock = threading.RLock()


def _class_id(state: State) -> int:
    found = _ids.get(state)
    if found is not None:
        return found
    with _lock:
        found = _ids.get(state)
        if found is None:
            found = len(_classes)
            _classes.append(state)
            _segment_moves.append(None)
            _cross_moves.append([])
            _closable.append(False)
            _ids[state] = found  # published last, once every table has its row
    return found


def _moves_of(class_id: int) -> list[list[int]]:
    """The class's sub-aisle moves (id -1: not allowed), working out all its moves once."""
    known = _segment_moves[class_id]
    if known is not None:
        return known
    with _lock:
        return _fill_moves(class_id)


def _fill_moves(class_id: int) -> list[list[int]]:
    known = _segment_moves[class_id]
    if known is not None:
        return known
    state = _classes[class_id]
    table = [
        [-1 if after is None else _class_id(after) for after in row]
        for row in (
            [_segment_move(state, lower, kind) for kind in range(len(_KINDS))]
            for lower in range(len(state) - 1)
        )
    ]
    moves = _horizontal_moves(state)
    _closable[class_id] = any(after == _CLOSED for _, after, _ in moves)
    _cross_moves[class_id] = sorted(
        ((walks, _class_id(after), per) for walks, after, per in moves if after != _CLOSED),
        key=lambda move: move[0],
    )
    _segment_moves[class_id] = table
    return table


def _canonical(codes: list[int]) -> State:
    relabel: dict[int, int] = {}
    out = []
    for code in codes:
        if code == 0:
            out.append(0)
            continue
        label = relabel.setdefault(code >> 2, len(relabel) + 1)
        out.append((label << 2) | (code & 3))
    return tuple(out)


def _segment_move(state: State, lower: int, kind: int) -> State | None:
    """The class after walking the sub-aisle above cross-aisle `lower` in way `kind`."""
    if state == _CLOSED:
        return _CLOSED if kind == NONE else None
    add_lo, add_hi, joined = _KINDS[kind]
    codes = list(state)
    fresh = max((c >> 2 for c in codes), default=0) + 1
    for vertex, add in ((lower, add_lo), (lower + 1, add_hi)):
        if add == 0:
            continue
        code = codes[vertex]
        if code == 0:
            codes[vertex] = (fresh << 2) | add
            fresh += 1
        elif add == 1:
            codes[vertex] = (code & ~3) | (3 - (code & 3))
    if joined:
        keep, gone = codes[lower] >> 2, codes[lower + 1] >> 2
        codes = [((keep << 2) | (c & 3)) if c and c >> 2 == gone else c for c in codes]
    return _canonical(codes)


def _horizontal_moves(state: State) -> list[tuple[int, State, tuple[int, ...]]]:
    """Every way to walk the cross-aisles to the next aisle: (times walked, class, per vertex)."""
    if state == _CLOSED:
        return []
    options: list[tuple[int, ...]] = []
    for code in state:
        if code == 0:
            # A doubled cross-aisle piece hanging off an untouched vertex only adds length.
            options.append((0,))
        elif code & 3 == 1:
            options.append((1,))  # odd degree: exactly one more edge makes it even
        else:
            options.append((0, 2))
    labels = {c >> 2 for c in state if c}
    moves = []
    for walks in _product(options):
        extended = {state[v] >> 2 for v, w in enumerate(walks) if w}
        if extended != labels:
            # A component that goes no further must already be the whole tour.
            if len(labels) == 1 and not any(walks):
                moves.append((0, _CLOSED, walks))
            continue
        codes = [(state[v] & ~3) | w if w else 0 for v, w in enumerate(walks)]
        moves.append((sum(walks), _canonical(codes), walks))
    return moves


def _product(options: list[tuple[int, ...]]) -> Iterator[tuple[int, ...]]:
    if not options:
        yield ()
        return
    for rest in _product(options[1:]):
        for first in options[0]:
            yield (first, *rest)


def _segments(
    layout: Layout, locations: Collection[Location]
) -> tuple[int, int, dict[tuple[int, int], list[float]]]:
    """The aisles spanned and each sub-aisle's required positions (picks, depot)."""
    required: dict[tuple[int, int], list[float]] = {}
    bays = _bays(layout)
    for aisle, bay in locations:
        block, y = bays[bay]
        required.setdefault((aisle, block), []).append(y)
    depot_segment = 0 if layout.depot_end == "front" else layout.blocks - 1
    required.setdefault((layout.depot_aisle, depot_segment), []).append(layout.depot_y_m)
    aisles = [a for a, _ in required]
    return min(aisles), max(aisles), {k: sorted(set(v)) for k, v in required.items()}


@lru_cache(maxsize=32)
def _bays(layout: Layout) -> list[tuple[int, float]]:
    """Each bay's block and y (index 0 unused): looked up for every location routed."""
    return [(0, 0.0)] + [(layout.block_of(b), layout.bay_y_m(b)) for b in range(1, layout.bays + 1)]


def _configs(lo_y: float, hi_y: float, points: list[float]) -> list[tuple[int, float]]:
    length = hi_y - lo_y
    if not points:
        return [(NONE, 0.0), (FULL1, length), (FULL2, 2 * length)]
    configs = [
        (FULL1, length),
        (FULL2, 2 * length),
        (BOTTOM, 2 * (points[-1] - lo_y)),
        (TOP, 2 * (hi_y - points[0])),
    ]
    if len(points) > 1:
        gap = max(b - a for a, b in itertools.pairwise(points))
        configs.append((GAP, 2 * (length - gap)))
    return configs


def shortest_tour(
    layout: Layout,
    locations: Collection[Location],
    *,
    with_order: bool = True,
    upper_bound: float = math.inf,
) -> tuple[float, list[Location]]:
    """The optimal tour's length from the depot and back, and its visiting order (if asked).

    With an `upper_bound`, partial tours that cannot end at or below it are dropped early, and
    the answer is (inf, []) when no tour is that short: a quick "is it at most this long?".
    """
    if not locations:
        return 0.0, []
    first, last, required = _segments(layout, locations)
    ys = layout.cross_aisle_ys_m
    blocks = layout.blocks
    pitch = layout.aisle_pitch_m
    stages: list[tuple[int, list[tuple[int, float]]]] = []  # (block or -1 for cross-aisles, ways)
    for aisle in range(first, last + 1):
        if aisle > first:
            stages.append((-1, []))
        for block in range(blocks):
            points = required.get((aisle, block), [])
            stages.append((block, _configs(ys[block], ys[block + 1], points)))
    # The least any tour still spends after each stage: a cut between two aisles with picks
    # on both sides is crossed at least twice, and each sub-aisle costs its cheapest way.
    rest = [0.0] * len(stages)
    for t in range(len(stages) - 2, -1, -1):
        block, configs = stages[t + 1]
        least = 2 * pitch if block < 0 else min(cost for _, cost in configs)
        rest[t] = rest[t + 1] + least
    best, final, trail = _run(stages, rest, len(ys), pitch, upper_bound, with_order)
    if best == math.inf or not with_order:
        return best, []
    return best, _visiting_order(layout, first, last, required, trail, final)


def _run(
    stages: list[tuple[int, list[tuple[int, float]]]],
    rest: list[float],
    vertices: int,
    pitch: float,
    upper_bound: float,
    keep: bool,
) -> tuple[float, int, list[dict[int, tuple[int, object]]]]:
    """The dynamic program over the stages: the best closed tour's length and final class."""
    states: dict[int, float] = {_class_id((0,) * vertices): 0.0}
    # One dict per stage: the class reached -> (class it came from, choice made).
    trail: list[dict[int, tuple[int, object]]] = []
    for (block, configs), later in zip(stages, rest, strict=True):
        limit = upper_bound - later + 1e-9
        if block < 0:
            states, links = _horizontal_stage(states, pitch, limit, keep)
        else:
            states, links = _segment_stage(states, block, configs, limit, keep)
        trail.append(links)
    best_state, best = -1, math.inf
    for state, cost in states.items():
        _moves_of(state)
        if cost < best and _closable[state]:
            best_state, best = state, cost
    return best, best_state, trail


def _segment_stage(
    states: dict[int, float],
    block: int,
    configs: list[tuple[int, float]],
    limit: float,
    keep: bool,
) -> tuple[dict[int, float], dict[int, tuple[int, object]]]:
    # The innermost loop of the router: kept flat, with the remembered moves looked up directly.
    reached: dict[int, float] = {}
    links: dict[int, tuple[int, object]] = {}
    get = reached.get
    tables = _segment_moves
    ordered = sorted(configs, key=lambda config: config[1])
    for state, cost in states.items():
        table = tables[state]
        row = (table if table is not None else _moves_of(state))[block]
        for kind, extra in ordered:
            total = cost + extra
            if total > limit:
                break
            after = row[kind]
            if after >= 0:
                old = get(after)
                if old is None or total < old:
                    reached[after] = total
                    if keep:
                        links[after] = (state, kind)
    return reached, links


def _horizontal_stage(
    states: dict[int, float], pitch: float, limit: float, keep: bool
) -> tuple[dict[int, float], dict[int, tuple[int, object]]]:
    reached: dict[int, float] = {}
    links: dict[int, tuple[int, object]] = {}
    get = reached.get
    for state, cost in states.items():
        if _segment_moves[state] is None:
            _moves_of(state)
        for walks, after, per_vertex in _cross_moves[state]:
            total = cost + walks * pitch
            if total > limit:
                break
            old = get(after)
            if old is None or total < old:
                reached[after] = total
                if keep:
                    links[after] = (state, per_vertex)
    return reached, links


Node = tuple[int, int, int]  # (aisle, 0, cross-aisle index) or (aisle, 1, bay)


def _visiting_order(
    layout: Layout,
    first: int,
    last: int,
    required: dict[tuple[int, int], list[float]],
    trail: list[dict[int, tuple[int, object]]],
    final: int,
) -> list[Location]:
    """Rebuild the chosen edges from the trail and walk an Euler circuit from the depot."""
    choices: list[object] = []
    state = final
    for links in reversed(trail):
        state, choice = links[state]
        choices.append(choice)
    choices.reverse()
    ys = layout.cross_aisle_ys_m
    bay_at = {layout.bay_y_m(bay): bay for bay in range(1, layout.bays + 1)}
    edges: list[tuple[Node, Node]] = []
    step = iter(choices)
    for aisle in range(first, last + 1):
        if aisle > first:
            walks = next(step)
            assert isinstance(walks, tuple)
            for cross, times in enumerate(walks):
                edges += [((aisle - 1, 0, cross), (aisle, 0, cross))] * times
        for block in range(layout.blocks):
            kind = next(step)
            assert isinstance(kind, int)
            points = required.get((aisle, block), [])
            # The sub-aisle bottom to top: cross-aisle vertex, picks, cross-aisle vertex (the
            # depot, when it is required here, is one of the two cross-aisle vertices).
            line: list[tuple[float, Node]] = [(ys[block], (aisle, 0, block))]
            line += [(y, (aisle, 1, bay_at[y])) for y in points if y in bay_at]
            line.append((ys[block + 1], (aisle, 0, block + 1)))
            edges += _sub_aisle_edges(kind, line, points)
    depot: Node = (layout.depot_aisle, 0, 0 if layout.depot_end == "front" else layout.blocks)
    order: list[Location] = []
    seen: set[Node] = set()
    for node in _euler_circuit(edges, depot):
        if node[1] == 1 and node not in seen:
            seen.add(node)
            order.append((node[0], node[2]))
    return order


def _sub_aisle_edges(
    kind: int, line: list[tuple[float, Node]], points: list[float]
) -> list[tuple[Node, Node]]:
    pieces = list(itertools.pairwise(line))
    if kind == NONE:
        return []
    if kind in (FULL1, FULL2):
        return [(a[1], b[1]) for a, b in pieces] * (1 if kind == FULL1 else 2)
    if kind == BOTTOM:
        chosen = [p for p in pieces if p[1][0] <= points[-1]]
    elif kind == TOP:
        chosen = [p for p in pieces if p[0][0] >= points[0]]
    else:
        gaps = [b - a for a, b in itertools.pairwise(points)]
        cut = gaps.index(max(gaps))
        chosen = [p for p in pieces if p[1][0] <= points[cut] or p[0][0] >= points[cut + 1]]
    return [(a[1], b[1]) for a, b in chosen] * 2


def _euler_circuit(edges: list[tuple[Node, Node]], start: Node) -> list[Node]:
    """Hierholzer's algorithm; the edge list's order fixes which circuit is walked."""
    if not edges:
        return [start]
    around: dict[Node, list[tuple[Node, int]]] = {}
    for index, (a, b) in enumerate(edges):
        around.setdefault(a, []).append((b, index))
        around.setdefault(b, []).append((a, index))
    used = [False] * len(edges)
    cursor = dict.fromkeys(around, 0)
    stack, circuit = [start], []
    while stack:
        node = stack[-1]
        nexts = around.get(node, [])
        i = cursor.get(node, 0)
        while i < len(nexts) and used[nexts[i][1]]:
            i += 1
        cursor[node] = i
        if i == len(nexts):
            circuit.append(stack.pop())
        else:
            neighbour, index = nexts[i]
            used[index] = True
            stack.append(neighbour)
    circuit.reverse()
    return circuit

"""Batching small orders onto carts: capacity, urgency, nearness, the two modes, walking saved."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from app.domain.routing.batching import (
    Batch,
    BatchingRules,
    BatchMode,
    OrderLine,
    PickItem,
    PickOrder,
    plan_batches,
)
from app.domain.routing.layout import Layout, PickPoint
from app.domain.routing.routes import route

DEMO = Layout()
SWP = BatchMode.SORT_WHILE_PICK
PTS = BatchMode.PICK_THEN_SORT


def order(
    order_id: str, *locations: tuple[int, int], urgency: int = 0, units: int = 1
) -> PickOrder:
    """An order with one line per location (level 1 of the demo's location codes)."""
    return PickOrder(
        order_id,
        urgency,
        tuple(
            OrderLine(f"{order_id}/{n}", PickPoint(f"A{a:02d}-{b:02d}-1", a, b), units)
            for n, (a, b) in enumerate(locations, start=1)
        ),
    )


def random_wave(
    rng: random.Random, count: int, layout: Layout = DEMO, urgencies: int = 1
) -> list[PickOrder]:
    """Small orders (1 to 4 lines) on random locations."""
    return [
        order(
            f"#{1000 + n}",
            *(
                (rng.randint(1, layout.aisles), rng.randint(1, layout.bays))
                for _ in range(rng.randint(1, 4))
            ),
            urgency=rng.randrange(urgencies),
            units=rng.randint(1, 3),
        )
        for n in range(count)
    ]


def members(batches: list[Batch]) -> list[set[str]]:
    return [set(b.orders) for b in batches]


def check_complete(batches: list[Batch], orders: list[PickOrder], layout: Layout = DEMO) -> None:
    """Every order once, every line once with its units, at a stop on its own location."""
    assert Counter(o for b in batches for o in b.orders) == Counter(o.id for o in orders)
    picked = {
        (item.order_id, item.line_id): (stop.aisle, stop.bay, item.point_id, item.units)
        for b in batches
        for stop in b.stops
        for item in stop.items
    }
    wanted = {
        (o.id, line.line_id): (line.point.aisle, line.point.bay, line.point.id, line.units)
        for o in orders
        for line in o.lines
    }
    assert picked == wanted
    for b in batches:
        assert len({(s.aisle, s.bay) for s in b.stops}) == len(b.stops)  # one stop per place
        points = {item.point_id: (s.aisle, s.bay) for s in b.stops for item in s.items}
        walk = route(layout, [PickPoint(pid, a, bay) for pid, (a, bay) in points.items()])
        assert b.length_m == pytest.approx(walk.length_m)
        assert [(s.aisle, s.bay) for s in b.stops] == [(s.aisle, s.bay) for s in walk.stops]


def urgency_order_holds(batches: list[Batch], orders: list[PickOrder]) -> bool:
    """No batch holds an order less urgent than any order of a later batch."""
    urgency = {o.id: o.urgency for o in orders}
    latest = None
    for b in batches:
        ranks = [urgency[o] for o in b.orders]
        if latest is not None and min(ranks) < latest:
            return False
        latest = max(ranks) if latest is None else max(latest, *ranks)
    return True


def test_a_cart_takes_eight_orders() -> None:
    orders = random_wave(random.Random(1), 20)
    batches = plan_batches(DEMO, orders, SWP)
    check_complete(batches, orders)
    assert len(batches) == 3  # 20 orders need three carts of eight totes
    assert all(len(b.orders) <= 8 for b in batches)
    assert {b.mode for b in batches} == {SWP}


def test_orders_near_each_other_share_a_cart() -> None:
    near = [order(f"N{k}", (1, k), (2, k + 1)) for k in range(1, 5)]
    far = [order(f"F{k}", (12, 12 - k), (11, 11 - k)) for k in range(1, 5)]
    orders = [near[0], far[0], near[1], far[1], near[2], far[2], near[3], far[3]]
    batches = plan_batches(DEMO, orders, SWP, BatchingRules(totes=4))
    # The far orders have the longest own routes, so they seed the first cart.
    assert members(batches) == [{"F1", "F2", "F3", "F4"}, {"N1", "N2", "N3", "N4"}]
    check_complete(batches, orders)


def test_urgent_orders_are_never_left_for_a_later_cart() -> None:
    urgent = [order(f"U{k}", (12, k), urgency=0) for k in (3, 8, 11)]
    later = [order(f"L{k:02d}", (1, k), (2, k), urgency=1) for k in range(1, 11)]
    batches = plan_batches(DEMO, later + urgent, SWP)
    # All three urgent orders ride the first cart, however far away they are; the cart then
    # takes as few of the later orders as the second cart leaves over (10 - 8), since every
    # one of them adds the walk from the depot area out to aisle 12.
    assert len(batches) == 2
    assert batches[0].orders[:3] == ("U11", "U3", "U8")  # totes: most urgent first, then id
    assert len(batches[0].orders) == 5
    check_complete(batches, later + urgent)
    assert urgency_order_holds(batches, later + urgent)


def test_local_search_keeps_the_urgency_order() -> None:
    rng = random.Random(5)
    for _ in range(3):
        orders = random_wave(rng, 40, urgencies=3)
        for mode in (SWP, PTS):
            batches = plan_batches(DEMO, orders, mode, BatchingRules(put_wall_slots=10))
            assert urgency_order_holds(batches, orders)
            check_complete(batches, orders)


def test_large_orders_are_picked_alone() -> None:
    many_lines = order("BIG", (1, 1), (2, 2), (3, 3), (4, 4), (5, 5))
    many_units = order("HEAVY", (6, 6), units=12)
    small = [order(f"S{k}", (k, 1)) for k in range(1, 4)]
    orders = [many_lines, many_units, *small]
    batches = plan_batches(DEMO, orders, SWP, BatchingRules(units_per_tote=10))
    assert members(batches) == [{"S1", "S2", "S3"}, {"BIG"}, {"HEAVY"}]
    assert [b.mode for b in batches] == [SWP, BatchMode.SINGLE_ORDER, BatchMode.SINGLE_ORDER]
    check_complete(batches, orders)


def test_single_order_mode_picks_every_order_alone() -> None:
    orders = random_wave(random.Random(2), 6)
    batches = plan_batches(DEMO, orders, BatchMode.SINGLE_ORDER)
    assert [b.orders for b in batches] == [(o.id,) for o in sorted(orders, key=lambda o: o.id)]
    for b, o in zip(batches, sorted(orders, key=lambda o: o.id), strict=True):
        assert b.length_m == pytest.approx(route(DEMO, [line.point for line in o.lines]).length_m)
    check_complete(batches, orders)


def test_pick_then_sort_shares_one_stop_per_location() -> None:
    a = order("A", (3, 4), (5, 6))
    b = order("B", (3, 4), units=2)
    batches = plan_batches(DEMO, [b, a], PTS)
    assert len(batches) == 1
    (only,) = batches
    assert only.mode is PTS
    stop = next(s for s in only.stops if (s.aisle, s.bay) == (3, 4))
    assert stop.items == (
        PickItem("A", "A/1", "A03-04-1", 1),
        PickItem("B", "B/1", "A03-04-1", 2),
    )
    assert len(only.stops) == 2


def test_pick_then_sort_respects_the_put_wall_and_the_cart() -> None:
    orders = random_wave(random.Random(3), 60)
    batches = plan_batches(DEMO, orders, PTS)
    assert len(batches) == 3  # the default put wall has 24 slots
    assert all(len(b.orders) <= 24 for b in batches)
    check_complete(batches, orders)
    rules = BatchingRules(totes=2, units_per_tote=10, put_wall_slots=24)
    batches = plan_batches(DEMO, orders, PTS, rules)
    units = {o.id: sum(line.units for line in o.lines) for o in orders}
    assert all(sum(units[o] for o in b.orders) <= 20 for b in batches)
    check_complete(batches, orders)


def test_the_plan_does_not_depend_on_the_input_order() -> None:
    rng = random.Random(9)
    orders = random_wave(rng, 30, urgencies=2)
    first = plan_batches(DEMO, orders, SWP)
    rng.shuffle(orders)
    assert plan_batches(DEMO, orders, SWP) == first


def test_batching_saves_most_of_the_walking() -> None:
    orders = random_wave(random.Random(60), 60)
    alone = sum(route(DEMO, [line.point for line in o.lines]).length_m for o in orders)
    batched = sum(b.length_m for b in plan_batches(DEMO, orders, SWP))
    # DESIGN.md: small orders on an 8-tote cart walk at least 60% less per order.
    assert batched <= 0.4 * alone


@pytest.mark.parametrize("cuts", [(4, 8), (2, 4, 6, 8, 10)])
def test_layouts_with_middle_cross_aisles(cuts: tuple[int, ...]) -> None:
    # Three blocks are priced by the exact router, six by the best classic heuristic; the
    # pick lists are routed by `route` either way.
    layout = Layout(cross_aisles_after_bays=cuts)
    orders = random_wave(random.Random(8), 24, layout)
    batches = plan_batches(layout, orders, SWP)
    assert len(batches) == 3
    check_complete(batches, orders, layout)


def test_progress_is_reported() -> None:
    seen: list[tuple[int, int]] = []
    orders = random_wave(random.Random(4), 20)
    plan_batches(DEMO, orders, SWP, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (20, 20)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_empty_wave() -> None:
    assert plan_batches(DEMO, [], SWP) == []


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        ([order("A", (1, 1)), order("A", (2, 2))], "twice"),
        ([PickOrder("A", 0, ())], "no lines"),
        ([order("A", (1, 1), units=0)], "units"),
        ([order("A", (13, 1))], "aisle 13"),
    ],
)
def test_bad_waves_are_refused(orders: list[PickOrder], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_batches(DEMO, orders, SWP)


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="totes"):
        BatchingRules(totes=0)
    with pytest.raises(ValueError, match="units_per_tote"):
        BatchingRules(units_per_tote=0)

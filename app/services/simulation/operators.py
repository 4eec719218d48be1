"""The simulated operators: SimPy processes making the service calls their screens make.

A picker takes the next pick list and walks it (location, units, tote); a sorter takes a
picked batch tote to its wall (the tote, then each item and the slot lit for it); a packer
takes the next tote or complete slot to its bench, scans each unit into the carton, weighs it
and closes it; a shipper carries each closed carton to its carrier's door and scans it onto
the truck. Each may make the mistakes of its station (see mistakes.py) and, once one is
caught, puts it right: scans the right thing, or opens the carton and weighs it again.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.dispatch_models import DockDoor
from app.db.models import OrderLine
from app.db.picking_models import PickList, PickListOrder, PickStop, PickTask
from app.domain.scanning.classify import Scan
from app.domain.scanning.refusals import Refusal
from app.services.actor import Actor
from app.services.dispatch.doors import door_for_carrier
from app.services.dispatch.loading import dock_view, load_carton
from app.services.dispatch.manifests import close_load
from app.services.errors import NotFound
from app.services.floor.journal import Stage
from app.services.packing.bench import choose_box, close_carton, pack_item, start_packing
from app.services.picking.scans import claim_next
from app.services.picking.scans import scan as pick_scan
from app.services.picking.views import Expect, PickListView
from app.services.simulation.floor import Floor, batch_waiting, cartons_at_dock, to_pack
from app.services.simulation.mistakes import Caught, Escape, Mistake
from app.services.sorting.put_wall import (
    SortOutcome,
    WrongPut,
    put,
    start_batch,
    target_for,
    wall_view,
)

Process = Generator[simpy.Event, Any, None]
# Who an idle operator waits for a ring from.
PICKERS, SORTERS, PACKERS, SHIPPERS = "pickers", "sorters", "packers", "shippers"


def _claim(session: Session, actor: Actor) -> PickListView | None:
    try:
        return claim_next(session, actor)
    except NotFound:
        return None  # nothing waiting: a fact, not a refusal


def _tote_of(view: PickListView) -> str | None:
    """The tote the units in hand go into, once one is bound (None: take an empty one)."""
    task = view.current_task
    if view.mode == "sort_while_pick":
        return task.tote if task is not None else None
    return view.orders[0][2] if view.orders else None


def picker(floor: Floor, actor: Actor) -> Process:
    """Take the next pick list and walk it, stop by stop, scan by scan, until the day ends."""
    pace = floor.pace
    while not floor.over:
        view = floor.act(actor, _claim)
        if view is None:
            yield floor.idle(PICKERS)
            continue
        yield floor.wait(pace.claim_s)
        code = view.code
        action = partial(_pick, code=code)
        # The route's planned metres, walked in equal legs: depot, each stop, depot.
        leg_s = view.planned_m / (len(view.stops) + 1) / pace.walk_m_per_s
        while (stop := view.current_stop) is not None:
            if view.expect is Expect.LOCATION:
                yield floor.wait(leg_s + pace.scan_s)
                if floor.slips(Mistake.WRONG_LOCATION):
                    wrong = floor.other(floor.locations, stop.location)
                    floor.mistaken_scan(
                        actor, Stage.PICKING, Mistake.WRONG_LOCATION, wrong, action, code,
                        Refusal.WRONG_LOCATION,
                    )  # fmt: skip
                    yield floor.wait(pace.scan_s)
                text = stop.location
            elif view.expect is Expect.PRODUCT:
                yield floor.wait(pace.pick_unit_s)
                if floor.slips(Mistake.WRONG_ITEM):
                    wrong = floor.unit_code[floor.other(floor.skus, stop.sku)]
                    floor.mistaken_scan(
                        actor, Stage.PICKING, Mistake.WRONG_ITEM, wrong, action, code,
                        Refusal.WRONG_ITEM,
                    )  # fmt: skip
                    yield floor.wait(pace.pick_unit_s)
                text = floor.unit_code[stop.sku]
            else:
                yield floor.wait(pace.scan_s)
                tote = _tote_of(view)
                if tote is None:
                    tote = floor.fresh_tote()  # an empty tote from the cart
                elif floor.slips(Mistake.WRONG_TOTE):
                    # The neighbouring tote on the cart (another order's, or an empty one).
                    wrong = floor.other([t for _, _, t in view.orders if t] + ["T499999"], tote)
                    floor.mistaken_scan(
                        actor, Stage.PICKING, Mistake.WRONG_TOTE, wrong, action, code,
                        Refusal.WRONG_TOTE,
                    )  # fmt: skip
                    yield floor.wait(pace.scan_s)
                text = tote
            outcome = floor.must(
                floor.scan(actor, Stage.PICKING, text, action, code), f"pick scan {text} on {code}"
            )
            assert outcome.view is not None  # every pick scan returns the list as it stands
            view = outcome.view
        yield floor.wait(leg_s)  # back to the pack area with the totes
        floor.ring(SORTERS, PACKERS)


def _pick(session: Session, actor: Actor, scanned: Scan, code: str) -> Any:
    return pick_scan(session, actor, code, scanned)


def _units_in_tote(session: Session, tote: str) -> list[str]:
    """The SKUs of the units picked into a batch tote, one entry per unit."""
    rows = session.execute(
        select(OrderLine.sku, PickTask.picked)
        .join(PickTask, PickTask.order_line_id == OrderLine.id)
        .join(PickStop, PickStop.id == PickTask.stop_id)
        .join(PickList, PickList.id == PickStop.pick_list_id)
        .join(PickListOrder, PickListOrder.pick_list_id == PickList.id)
        .where(PickListOrder.tote == tote, PickList.mode == "pick_then_sort")
        .where(PickListOrder.order_id == OrderLine.order_id)
        .order_by(PickTask.id)
    ).all()
    return [sku for sku, picked in rows for _ in range(picked)]


def sorter(floor: Floor, actor: Actor, wall: str) -> Process:
    """Take the next picked batch tote the wall has room for; sort every item into its slot."""
    pace = floor.pace
    while not floor.over:
        found = floor.read(partial(batch_waiting, wall=wall, taken=floor.taken))
        if found is None:
            yield floor.idle(SORTERS)
            continue
        tote, _ = found
        floor.taken.add(tote)
        yield floor.wait(pace.fetch_tote_s)
        floor.must(
            floor.scan(actor, Stage.SORTING, tote, partial(_start_batch, wall=wall), wall),
            f"batch tote {tote} at {wall}",
        )
        floor.taken.discard(tote)  # its orders are on the wall now
        units = floor.read(partial(_units_in_tote, tote=tote))
        floor.rng.shuffle(units)  # items come out of a tote in no particular order
        slots = [s.code for s in floor.read(partial(_wall_slots, wall=wall))]
        for sku in units:
            yield floor.wait(pace.sort_item_s)
            aimed = floor.scan(
                actor, Stage.SORTING, floor.unit_code[sku], partial(_target, wall=wall), wall
            )
            if not isinstance(aimed, SortOutcome) or aimed.target is None:
                floor.unexpected.append(f"sorting {sku} from {tote}: {aimed}")
                continue
            target = aimed.target.slot
            action = partial(_put, wall=wall, item=floor.unit_code[sku], floor=floor)
            if floor.slips(Mistake.WRONG_SLOT):
                yield floor.wait(pace.put_s)
                wrong = floor.other(slots, target)
                if floor.mistaken_scan(
                    actor, Stage.SORTING, Mistake.WRONG_SLOT, wrong, action, wall,
                    Refusal.WRONG_SLOT,
                ):  # fmt: skip
                    # The screen asks the wall again where the item goes (not a scan).
                    floor.act(actor, partial(_target_again, wall=wall, floor=floor, sku=sku))
            yield floor.wait(pace.put_s)
            put_in = floor.must(
                floor.scan(actor, Stage.SORTING, target, action, wall), f"put into {target}"
            )
            if put_in.result in ("done", "attention"):
                floor.ring(PACKERS)  # a slot is complete


def _start_batch(session: Session, actor: Actor, scanned: Scan, wall: str) -> SortOutcome:
    return start_batch(session, actor, wall, scanned.code)


def _wall_slots(session: Session, wall: str) -> Any:
    return wall_view(session, wall).slots


def _target(session: Session, actor: Actor, scanned: Scan, wall: str) -> SortOutcome | WrongPut:
    """As the sort screen asks: a refusal comes back as a value (journaled as refused)."""
    try:
        return target_for(session, actor, wall, scanned)
    except WrongPut as exc:
        return exc


def _target_again(session: Session, actor: Actor, wall: str, floor: Floor, sku: str) -> Any:
    return _target(session, actor, floor.scan_of(floor.unit_code[sku]), wall)


def _put(
    session: Session, actor: Actor, scanned: Scan, wall: str, item: str, floor: Floor
) -> SortOutcome:
    return put(session, actor, wall, floor.scan_of(item), scanned)


def packer(floor: Floor, actor: Actor, box: str) -> Process:
    """Take the most urgent tote or slot to the bench; scan each unit in, weigh, close."""
    pace = floor.pace
    while not floor.over:
        code = floor.read(partial(to_pack, taken=floor.taken))
        if code is None:
            yield floor.idle(PACKERS)
            continue
        floor.taken.add(code)
        yield floor.wait(pace.fetch_tote_s)
        started = floor.must(
            floor.scan(actor, Stage.PACKING, code, _start_packing), f"start packing {code}"
        )
        floor.taken.discard(code)  # on the bench now (a slot takes another order later)
        floor.ring(SORTERS)  # a slot left free
        number = started.view.order
        view = started.view
        in_box: list[str] = []  # what is physically in the carton, SKU by unit
        slipped: list[Mistake] = []
        for line in started.view.lines:
            for _ in range(line.expected - line.packed):
                yield floor.wait(pace.pack_unit_s)
                scanned = floor.must(
                    floor.scan(
                        actor,
                        Stage.PACKING,
                        floor.unit_code[line.sku],
                        partial(_pack, number=number),
                        number,
                    ),
                    f"pack {line.sku} into {number}",
                )
                view = scanned.view
                unit = line.sku
                look_alikes = [s for s in floor.siblings.get(line.sku, []) if s != line.sku]
                if look_alikes and floor.slips(Mistake.SWAPPED_PRODUCT):
                    unit = floor.rng.choice(look_alikes)  # the same thing in another colour
                    slipped.append(Mistake.SWAPPED_PRODUCT)
                in_box.append(unit)
        carton = view.open_carton
        assert carton is not None and view.all_in
        if carton.box is None:  # nothing fits a box type: the packer takes the biggest
            yield floor.wait(pace.box_s)
            view = floor.must(
                floor.scan(actor, Stage.PACKING, box, partial(_choose_box, number=number), number),
                f"box for {number}",
            ).view
        if floor.slips(Mistake.UNSCANNED_UNIT):
            in_box.append(floor.rng.choice(floor.skus))  # a stray unit from the bench
            slipped.append(Mistake.UNSCANNED_UNIT)
        if floor.slips(Mistake.MISSING_ITEM):
            in_box.remove(floor.rng.choice(in_box))  # left on the bench
            slipped.append(Mistake.MISSING_ITEM)
        while True:
            yield floor.wait(pace.weigh_s)
            shown = view.open_carton
            assert shown is not None
            off = sum(floor.weight_g[s] for s in in_box) - sum(
                floor.weight_g[s] for s in _system_units(view)
            )
            noise = floor.rng.randint(-floor.scale_noise_g, floor.scale_noise_g)
            grams = max(1, shown.expected_weight_g + off + noise)
            closed = floor.act(actor, partial(_close, number=number, grams=grams))
            if closed.result == "error":  # the scale refused: open it, find it, put it right
                for kind in slipped:
                    floor.ledger.catch(kind, Caught.WEIGHT_CHECK)
                slipped.clear()
                in_box = _system_units(view)
                view = closed.view
                floor.weight_flagged += 1
                yield floor.wait(pace.recheck_s)
                continue
            tracking = next(
                (
                    c.tracking_number or ""
                    for c in closed.view.cartons
                    if c.carton_id == closed.closed_carton
                ),
                "",
            )
            for kind in slipped:
                tolerance = floor.packing.tolerance(shown.expected_weight_g)
                floor.ledger.escape(Escape(kind, number, tracking, off, tolerance))
            floor.ring(SHIPPERS)
            break
        yield floor.wait(pace.label_s)


def _system_units(view: Any) -> list[str]:
    """What the system says is in the open carton, SKU by unit."""
    return [line.sku for line in view.lines for _ in range(line.in_open)]


def _start_packing(session: Session, actor: Actor, scanned: Scan) -> Any:
    return start_packing(session, actor, scanned)


def _pack(session: Session, actor: Actor, scanned: Scan, number: str = "") -> Any:
    return pack_item(session, actor, number, scanned)


def _choose_box(session: Session, actor: Actor, scanned: Scan, number: str = "") -> Any:
    return choose_box(session, actor, number, scanned.code)


def _close(session: Session, actor: Actor, number: str, grams: int) -> Any:
    return close_carton(session, actor, number, grams)


def shipper(floor: Floor, actor: Actor, closes: list[tuple[float, str]]) -> Process:
    """Carry each closed carton to its carrier's door and scan it onto the truck; close a
    door's load when its time comes (`closes`: simulated seconds and door, shared by the
    shippers, earliest first)."""
    pace = floor.pace
    at_door = ""  # the door the dock screen has chosen (its label scanned)
    while not floor.over:
        if closes and closes[0][0] <= floor.env.now:
            _, door = closes.pop(0)
            at_door = door
            if floor.read(partial(dock_view, door_code=door)).loaded:
                yield floor.wait(pace.close_load_s)
                closed = floor.act(actor, partial(close_load, door_code=door))
                floor.loads.append(closed.manifest)
            continue
        open_doors = sorted({door for _, door in closes})
        carriers = floor.read(partial(_carriers_of, doors=open_doors))
        waiting = floor.read(partial(cartons_at_dock, carriers=carriers, taken=floor.taken))
        if not waiting:
            until = closes[0][0] - floor.env.now if closes else floor.end_s - floor.env.now
            yield floor.idle(SHIPPERS, until)
            continue
        tracking, carrier = waiting[0]
        floor.taken.add(tracking)
        yield floor.wait(pace.carry_s)
        door = floor.read(partial(door_for_carrier, carrier=carrier)) or ""
        others = [d for d in floor.doors if d != door]
        if others and floor.slips(Mistake.WRONG_DOOR):
            wrong = floor.rng.choice(others)
            floor.read(partial(dock_view, door_code=wrong))  # the door label: a look-up
            at_door = wrong
            floor.mistaken_scan(
                actor, Stage.DISPATCH, Mistake.WRONG_DOOR, tracking,
                partial(_load, door=wrong), wrong, Refusal.WRONG_CARRIER, Caught.DOOR_CHECK,
            )  # fmt: skip
            yield floor.wait(pace.door_to_door_s)
        if door != at_door:
            floor.read(partial(dock_view, door_code=door))
            at_door = door
        floor.must(
            floor.scan(actor, Stage.DISPATCH, tracking, partial(_load, door=door), door),
            f"load {tracking} at {door}",
        )
        floor.taken.discard(tracking)


def _carriers_of(session: Session, doors: list[str]) -> list[str]:
    return sorted(
        set(session.scalars(select(DockDoor.carrier).where(DockDoor.code.in_(doors))).all())
    )


def _load(session: Session, actor: Actor, scanned: Scan, door: str) -> Any:
    return load_carton(session, actor, door, scanned)

"""Work done on the demo floor through the real services, as pickers, sorters and packers
would do it: a pick list walked to the end, a batch tote sorted into a put wall, a tote packed.

The demo uses it so that a packer who logs in finds complete slots and picked totes waiting
and a shipper finds cartons at the dock; screenshots and benchmarks use it to set the scene.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Product, ProductBarcode
from app.domain.formats.carrier_events import CarrierEvent
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, classify
from app.domain.tracking import TrackingStatus
from app.services.actor import Actor
from app.services.dispatch.loading import DockCarton, dock_view, load_carton
from app.services.dispatch.manifests import close_load
from app.services.packing.bench import close_carton, pack_item, start_packing
from app.services.picking.scans import current_list
from app.services.picking.scans import scan as scan_pick
from app.services.picking.views import Expect
from app.services.sorting.put_wall import put, start_batch, target_for
from app.services.tracking.events import TrackingSummary, record_events

Factory = sessionmaker[Session]


def unit_codes(session: Session) -> dict[str, str]:
    """SKU -> the barcode a picker scans for one unit of it."""
    codes: dict[str, str] = {}
    for sku, code in session.execute(
        select(Product.sku, ProductBarcode.code)
        .join(ProductBarcode, ProductBarcode.product_id == Product.id)
        .where(ProductBarcode.pack_quantity == 1)
        .order_by(ProductBarcode.id)
    ):
        codes.setdefault(sku, code)
    return codes


def _scan(text: str) -> Scan:
    scanned = classify(text)
    if not isinstance(scanned, Scan):
        raise ValueError(f"demo code {text!r} does not scan: {scanned.reason}")
    return scanned


def walk_pick_list(
    factory: Factory, picker: Actor, code: str, tote_for: Callable[[int], str]
) -> None:
    """Walk a claimed pick list to its end: every location, unit and tote scanned in turn.

    `tote_for(cart position)` names the tote to scan when one is asked for: the order's on a
    cart, the batch tote, or a single order's tote at its first stop (position 1).
    """
    with factory() as session:
        codes = unit_codes(session)
    for _ in range(10_000):
        with factory() as session:
            view = current_list(session, picker, code)
        stop = view.current_stop
        if stop is None:
            return
        if view.expect is Expect.LOCATION:
            text = stop.location
        elif view.expect is Expect.PRODUCT:
            text = codes[stop.sku]
        else:
            task = view.current_task
            text = tote_for(task.position if task is not None else 1)
        with unit_of_work(factory) as session:
            scan_pick(session, picker, code, _scan(text))
    raise RuntimeError(f"pick list {code} did not end")


def sort_tote(
    factory: Factory, sorter: Actor, wall: str, tote: str, skus: list[str], limit: int | None = None
) -> int:
    """Sort `skus` (the units in a batch tote) into the wall; returns how many were put."""
    with factory() as session:
        codes = unit_codes(session)
    with unit_of_work(factory) as session:
        start_batch(session, sorter, wall, tote)
    done = 0
    for sku in skus[:limit]:
        item = _scan(codes[sku])
        with unit_of_work(factory) as session:
            target = target_for(session, sorter, wall, item).target
        if target is None:
            continue
        with unit_of_work(factory) as session:
            put(session, sorter, wall, item, _scan(target.slot))
        done += 1
    return done


def pack_tote(factory: Factory, packer: Actor, tote: str) -> list[int]:
    """Pack the order in a single-order tote at the bench: every unit scanned into one carton,
    weighed at its expected weight and closed; the closed cartons' ids."""
    with factory() as session:
        codes = unit_codes(session)
    with unit_of_work(factory) as session:
        view = start_packing(session, packer, _scan(tote)).view
    number, closed = view.order, []
    for line in view.lines:
        for _ in range(line.expected - line.packed):
            with unit_of_work(factory) as session:
                view = pack_item(session, packer, number, _scan(codes[line.sku])).view
    carton = view.open_carton
    if carton is not None:
        with unit_of_work(factory) as session:
            outcome = close_carton(session, packer, number, carton.expected_weight_g)
        if outcome.closed_carton is not None:
            closed.append(outcome.closed_carton)
    return closed


def ship_door(factory: Factory, shipper: Actor, door: str) -> list[DockCarton]:
    """Every carton waiting at `door` scanned onto the truck and the load closed: the cartons
    and their orders SHIPPED. The cartons as the dock showed them before."""
    with factory() as session:
        waiting = list(dock_view(session, door).expected)
    for carton in waiting:
        with unit_of_work(factory) as session:
            load_carton(session, shipper, door, _scan(carton.tracking_number))
    with unit_of_work(factory) as session:
        close_load(session, shipper, door)
    return waiting


def carrier_news(factory: Factory, actor: Actor, cartons: list[DockCarton]) -> TrackingSummary:
    """A day of the carrier's events for shipped cartons, in the hours before now: each picked
    up and sorted at the hub; then the first is delayed, the second delivered, the third could
    not be delivered, and the rest are out for delivery."""
    actor.require(Role.SHIPPER)
    now = clock.now().replace(microsecond=0)
    events, line = [], 1
    endings = (
        (TrackingStatus.DELIVERY_DELAYED, "Hamburg", "Weather conditions: a day late"),
        (TrackingStatus.DELIVERED, "", "Delivered to the front door"),
        (TrackingStatus.DELIVERY_FAILED, "", "Recipient not at home: card left"),
    )
    for n, carton in enumerate(cartons):
        status, where, said = (
            endings[n]
            if n < len(endings)
            else (
                TrackingStatus.OUT_FOR_DELIVERY,
                "",
                "On the van",
            )
        )
        for at, status_, place, text in (
            (now - timedelta(hours=20), TrackingStatus.PICKED_UP, "Warehouse", "Picked up"),
            (now - timedelta(hours=14), TrackingStatus.IN_TRANSIT, "Hamburg", "At the hub"),
            (now - timedelta(hours=2, minutes=n), status, where or carton.destination, said),
        ):
            events.append(CarrierEvent(line, carton.tracking_number, status_, at, place, text))
            line += 1
    with unit_of_work(factory) as session:
        return record_events(session, actor, events, source="demo carrier feed")

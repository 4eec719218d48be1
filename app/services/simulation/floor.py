"""The simulated floor: a shared place the simulated operators act in, through the services.

Each scan goes through `run_scan` with the stage, the action and the subject the station's
screen gives it, so the scan journal, the KPIs and the dashboard see a simulated day as they
see a real one; a button (taking a pick list, weighing, closing a truck) is a plain action in
its own transaction, not journaled, as at a station. What the operators see (a tote waiting at
the wall, cartons at the dock) is read the way a person would find it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import simpy
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.engine import unit_of_work
from app.db.models import Location, Order, Product
from app.db.packing_models import Carton, PackJob
from app.db.picking_models import PickList, PickListOrder
from app.db.putwall_models import PutWall, WallSlot
from app.domain.packing_rules import PackingSettings
from app.domain.scanning.classify import Scan, classify
from app.domain.scanning.patterns import ScanPatterns
from app.domain.scanning.refusals import Refusal
from app.services.actor import Actor, require_active
from app.services.demo.floor import unit_codes
from app.services.errors import BatonError
from app.services.floor.journal import Stage, run_scan
from app.services.masterdata.warehouse import packing_settings
from app.services.simulation.mistakes import Caught, Ledger, Mistake

R = TypeVar("R")
NEVER = datetime.max.replace(tzinfo=UTC)
Factory = sessionmaker[Session]


@dataclass(frozen=True)
class Pace:
    """How long things take on the floor, in seconds (walking in metres per second)."""

    walk_m_per_s: float = 1.2
    claim_s: float = 15.0  # take the next pick list, a cart and its empty totes
    scan_s: float = 2.0  # a location or tote scan
    pick_unit_s: float = 4.0  # take one unit from the shelf and scan it
    fetch_tote_s: float = 20.0  # bring a batch tote to the wall, or a tote to the bench
    sort_item_s: float = 3.0  # take an item from the batch tote and scan it
    put_s: float = 2.5  # put it into the slot and scan the slot's label
    pack_unit_s: float = 6.0  # scan a unit and put it into the carton
    box_s: float = 10.0  # take another box
    weigh_s: float = 15.0  # close the flaps, put it on the scale, key the weight
    recheck_s: float = 45.0  # open a carton the scale refused, find what is wrong, fix it
    label_s: float = 10.0  # the labels printed and stuck on, the carton onto the conveyor
    carry_s: float = 12.0  # take a carton from the dock's conveyor onto its truck
    door_to_door_s: float = 20.0  # walk to the right door after a refusal
    close_load_s: float = 120.0  # close the truck: manifest, seals, hand-over
    idle_s: float = 60.0  # look again for work after finding none


@dataclass
class Floor:
    """The simulated floor's shared state: the SimPy clock, the database, the dice, the ledger."""

    env: simpy.Environment
    factory: Factory
    rng: random.Random
    error_rate: float
    end_s: float
    pace: Pace
    patterns: ScanPatterns
    ledger: Ledger = field(default_factory=Ledger)
    unit_code: dict[str, str] = field(default_factory=dict)  # SKU -> a unit barcode
    skus: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    weight_g: dict[str, int] = field(default_factory=dict)  # SKU -> grams
    siblings: dict[str, list[str]] = field(default_factory=dict)  # the same product, other colours
    doors: list[str] = field(default_factory=list)  # the dock doors with a carrier today
    packing: PackingSettings = field(default_factory=PackingSettings)
    scale_noise_g: int = 10  # the scale's reading wanders this much (well inside tolerance)
    next_tote: int = 0
    taken: set[str] = field(default_factory=set)  # totes, slots, cartons someone is fetching
    weight_flagged: int = 0
    loads: list[str] = field(default_factory=list)  # manifests closed
    bells: dict[str, simpy.Event] = field(default_factory=dict)
    scans: int = 0
    refused: int = 0
    unexpected: list[str] = field(default_factory=list)  # refusals no mistake explains

    def load_catalogue(self) -> None:
        """What the operators know by sight: products, their codes and weights, locations."""
        with self.factory() as session:
            self.unit_code = unit_codes(session)
            self.packing = packing_settings(session)
            rows = session.execute(select(Product.sku, Product.name, Product.weight_g)).all()
            self.locations = list(session.scalars(select(Location.code).order_by(Location.code)))
            totes = session.scalars(
                select(PickListOrder.tote).where(PickListOrder.tote.like("T5%"))
            ).all()
        self.skus = sorted(sku for sku, _, _ in rows if sku in self.unit_code)
        self.weight_g = {sku: grams for sku, _, grams in rows}
        by_name: dict[str, list[str]] = {}
        for sku, name, _ in sorted(rows):
            if sku in self.unit_code:
                by_name.setdefault(name.split(",")[0], []).append(sku)
        self.siblings = {sku: group for group in by_name.values() for sku in group}
        used = [int(t[1:]) for t in totes if t and t[1:].isdigit() and len(t) == 7]
        self.next_tote = max([500_000, *used]) + 1

    # -- time and chance ------------------------------------------------------------------
    @property
    def over(self) -> bool:
        return self.env.now >= self.end_s

    def wait(self, seconds: float) -> simpy.Timeout:
        return self.env.timeout(max(seconds, 0.0))

    def idle(self, who: str, longest_s: float = 900.0) -> simpy.Event:
        """Wait until work for `who` turns up (someone rings) or `longest_s` passes."""
        bell = self.bells.get(who)
        if bell is None or bell.triggered:
            bell = self.bells[who] = self.env.event()
        return self.env.any_of([bell, self.env.timeout(max(longest_s, 0.0))])

    def ring(self, *whom: str) -> None:
        """Tell idle operators that work may be waiting for them."""
        for who in whom:
            bell = self.bells.pop(who, None)
            if bell is not None and not bell.triggered:
                bell.succeed()

    def slips(self, kind: Mistake) -> bool:
        """Whether the operator makes this mistake at this opportunity (and note it if so)."""
        if self.error_rate > 0 and self.rng.random() < self.error_rate:
            self.ledger.inject(kind)
            return True
        return False

    def fresh_tote(self) -> str:
        code = f"T{self.next_tote:06d}"
        self.next_tote += 1
        return code

    def scan_of(self, code: str) -> Scan:
        scanned = classify(code, self.patterns)
        if not isinstance(scanned, Scan):
            raise ValueError(f"simulated code {code!r} does not scan: {scanned.reason}")
        return scanned

    def other(self, choices: list[str], not_this: str) -> str:
        """Another of `choices` than `not_this` (a neighbour's label, another product)."""
        while True:
            pick = self.rng.choice(choices)
            if pick != not_this:
                return pick

    # -- actions ----------------------------------------------------------------------------
    def act(self, actor: Actor, action: Callable[[Session, Actor], R]) -> R:
        """A button or keyed action: one transaction, not a scan (not journaled)."""
        with unit_of_work(self.factory) as session:
            require_active(session, actor)
            return action(session, actor)

    def read(self, query: Callable[[Session], R]) -> R:
        with self.factory() as session:
            return query(session)

    def scan(
        self,
        actor: Actor,
        stage: Stage,
        code: str,
        action: Callable[[Session, Actor, Scan], R],
        subject: str = "",
    ) -> R | BatonError:
        """One scan as a station runs it: classified, the service called, journaled; a
        refusal comes back as the error (nothing recorded but its journal row)."""
        scanned = self.scan_of(code)

        def checked(session: Session, actor: Actor) -> R:
            require_active(session, actor)
            return action(session, actor, scanned)

        self.scans += 1
        try:
            return run_scan(self.factory, actor, stage, scanned, checked, subject=subject)
        except BatonError as exc:
            self.refused += 1
            return exc

    def mistaken_scan(
        self,
        actor: Actor,
        stage: Stage,
        kind: Mistake,
        code: str,
        action: Callable[[Session, Actor, Scan], object],
        subject: str,
        expected: Refusal,
        how: Caught = Caught.REFUSED_SCAN,
    ) -> bool:
        """A wrong scan the operator makes: caught when refused for the reason the mistake
        gives. True when caught; a wrong scan taken is counted as escaped."""
        result = self.scan(actor, stage, code, action, subject)
        if not isinstance(result, BatonError):
            self.ledger.accepted[kind] += 1
            return False
        self.ledger.catch(kind, how)
        if result.refusal is not expected:
            self.unexpected.append(f"{kind.value} refused as {result.refusal.value}")
        return True

    def must(self, result: R | BatonError, what: str) -> R:
        """The outcome of a right scan; a refusal here is a fault of the simulation."""
        if isinstance(result, BatonError):
            raise RuntimeError(f"simulated {what} refused: {result.message}")
        return result


def batch_waiting(session: Session, wall: str, taken: set[str]) -> tuple[str, int] | None:
    """A picked batch tote none of whose orders is on a wall yet, if its orders fit the
    wall's free slots (the sorter takes the next tote when the wall has room): the tote and
    its orders."""
    free_slots = len(
        session.scalars(
            select(WallSlot.id)
            .join(PutWall, PutWall.id == WallSlot.wall_id)
            .where(PutWall.code == wall, WallSlot.status == "FREE")
        ).all()
    )
    if not free_slots:
        return None
    on_wall = exists().where(WallSlot.order_id == Order.id)
    rows = session.execute(
        select(PickListOrder.tote, PickList.id)
        .join(Order, Order.id == PickListOrder.order_id)
        .join(PickList, PickList.id == PickListOrder.pick_list_id)
        .where(
            PickList.mode == "pick_then_sort",
            PickList.status == "DONE",
            Order.status.in_(("PICKED", "SHORT")),
            PickListOrder.tote.is_not(None),
            ~on_wall,
        )
        .order_by(PickList.done_at, PickList.id)
    ).all()
    counts: dict[tuple[str, int], int] = {}
    for tote, list_id in rows:
        if tote is None:
            continue
        counts[(tote, list_id)] = counts.get((tote, list_id), 0) + 1
    for (tote, _), orders in counts.items():
        if orders <= free_slots and tote not in taken:
            return tote, orders
    return None


def to_pack(session: Session, taken: set[str]) -> str | None:
    """The code a packer scans next: the tote of a picked order (cart or single list) or the
    complete slot of a sorted one, most urgent first."""
    no_job = ~exists().where(PackJob.order_id == Order.id, PackJob.status == "OPEN")
    tote = session.execute(
        select(PickListOrder.tote, Order.ship_by, Order.id)
        .join(Order, Order.id == PickListOrder.order_id)
        .join(PickList, PickList.id == PickListOrder.pick_list_id)
        .where(
            PickList.mode.in_(("sort_while_pick", "single")),
            PickList.status == "DONE",
            Order.status == "PICKED",
            PickListOrder.tote.is_not(None),
            no_job,
        )
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)
        .limit(len(taken) + 1)
    ).all()
    slot = session.execute(
        select(WallSlot.code, Order.ship_by, Order.id)
        .join(Order, Order.id == WallSlot.order_id)
        .where(WallSlot.status == "COMPLETE", no_job)
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)
        .limit(len(taken) + 1)
    ).all()
    found = [row for row in (*tote, *slot) if row[0] and row[0] not in taken]
    if not found:
        return None
    best = min(found, key=lambda row: (row[1] is None, row[1] or NEVER, row[2]))
    return str(best[0])


def cartons_at_dock(
    session: Session, carriers: list[str], taken: set[str]
) -> list[tuple[str, str]]:
    """Closed cartons of packed orders waiting on the dock's conveyor for these carriers, in
    the order they came off the benches: (tracking number, carrier)."""
    return [
        (tracking, carrier)
        for tracking, carrier in session.execute(
            select(Carton.tracking_number, Carton.carrier)
            .join(Order, Order.id == Carton.order_id)
            .where(
                Carton.status == "CLOSED",
                Order.status == "PACKED",
                Carton.carrier.in_(carriers),
                Carton.tracking_number.is_not(None),
            )
            .order_by(Carton.closed_at, Carton.id)
            .limit(len(taken) + 1)
        ).all()
        if tracking and tracking not in taken
    ]

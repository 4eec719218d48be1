"""Recording carrier events: one transaction for a whole file, in bulk statements.

Importing the same events again changes nothing and queues nothing: an event is stored once
per carton, status and time. A carton's tracking status is its latest event by the carrier's
time (events may come in any order); an order is DELIVERED when every carton it shipped is;
a carrier exception (delayed, failed, on hold, returning) tells the customer once per kind
and puts the order in the desk's queue "Needs attention after shipping".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent
from app.db.packing_models import Carton
from app.db.tracking_models import TrackingEvent
from app.domain.formats.carrier_events import CarrierEvent, RejectedEvent
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.domain.tracking import EXCEPTION_WORDS, NEEDS_ATTENTION, TrackingStatus, latest_key
from app.services.actor import Actor
from app.services.messages.queue import Message, Recipient, queue_messages
from app.services.packing.carriers import carrier_book
from app.services.timeline import event_values, move_orders
from app.services.tracking.sources import SourceUnusable, TrackingSource

CHUNK = 500  # values per IN (...): well under every database's limit on bound parameters
ATTENTION = tuple(s.value for s in NEEDS_ATTENTION)
DELIVERED = TrackingStatus.DELIVERED.value
RETURNED = TrackingStatus.RETURN_TO_SENDER.value
_SSCC_AI = "00"  # an SSCC scanned or written with its GS1 application identifier


@dataclass
class TrackingSummary:
    """What an import did: events new and already known, rows rejected (with their line),
    orders now DELIVERED and orders needing attention, customer messages queued."""

    source: str = ""
    new: int = 0
    known: int = 0
    rejected: list[RejectedEvent] = field(default_factory=list)
    orders_delivered: list[str] = field(default_factory=list)
    orders_attention: list[str] = field(default_factory=list)
    messages: int = 0
    unusable: str | None = None

    @property
    def exit_code(self) -> int:
        """0 all landed, 1 some rows rejected (the rest landed), 2 the source was unusable."""
        return 2 if self.unusable is not None else 1 if self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "unusable": self.unusable,
            "events_new": self.new,
            "events_known": self.known,
            "rejected": [{"line": r.line_no, "reason": r.reason} for r in self.rejected],
            "orders_delivered": self.orders_delivered,
            "orders_attention": self.orders_attention,
            "messages_queued": self.messages,
        }


@dataclass(frozen=True)
class _Parcel:
    """A carton as an event finds it."""

    id: int
    order_id: int
    status: str
    carrier: str
    tracking_number: str
    sscc: str

    @property
    def code(self) -> str:
        return self.tracking_number or self.sscc


def import_tracking(
    factory: sessionmaker[Session], actor: Actor, source: TrackingSource
) -> TrackingSummary:
    """Read every event of `source`, then record them in one transaction; an unusable source
    records nothing (the summary says why)."""
    actor.require(Role.SHIPPER)
    try:
        items = list(source.events())
    except SourceUnusable as exc:
        return TrackingSummary(source=source.name, unusable=str(exc))
    with unit_of_work(factory) as session:
        return record_events(session, actor, items, source=source.name)


def record_events(
    session: Session,
    actor: Actor,
    events: Iterable[CarrierEvent | RejectedEvent],
    source: str = "",
) -> TrackingSummary:
    """Record carrier events in the caller's transaction (shippers and supervisors)."""
    actor.require(Role.SHIPPER)
    summary = TrackingSummary(source=source)
    good: list[CarrierEvent] = []
    for item in events:
        if isinstance(item, RejectedEvent):
            summary.rejected.append(item)
        else:
            good.append(item)
    parcels = _parcels(session, {e.code for e in good})
    accepted: list[tuple[_Parcel, CarrierEvent]] = []
    for event in good:
        parcel = parcels.get(event.code)
        why = _refusal(event, parcel)
        if why:
            summary.rejected.append(RejectedEvent(event.line_no, why))
        elif parcel is not None:
            accepted.append((parcel, event))
    summary.rejected.sort(key=lambda r: r.line_no)
    if not accepted:
        return summary
    # Locks in the order every service takes them: the orders, then their cartons.
    orders = _lock_orders(session, sorted({p.order_id for p, _ in accepted}))
    touched = sorted({p.id for p, _ in accepted})
    for chunk in _chunks(touched):
        session.execute(
            select(Carton.id).where(Carton.id.in_(chunk)).order_by(Carton.id).with_for_update()
        ).all()
    stored = _stored_events(session, touched)
    now = clock.now()
    new: list[tuple[_Parcel, CarrierEvent]] = []
    for parcel, event in accepted:
        key = (event.status.value, event.occurred_at)
        if key in stored[parcel.id]:
            summary.known += 1
            continue
        stored[parcel.id].add(key)
        new.append((parcel, event))
    summary.new = len(new)
    if not new:
        return summary
    session.execute(
        insert(TrackingEvent),
        [
            {
                "carton_id": parcel.id,
                "status": event.status.value,
                "occurred_at": event.occurred_at,
                "location": event.location,
                "description": event.description,
                "source": source[:80],
                "recorded_at": now,
            }
            for parcel, event in new
        ],
    )
    latest = _update_cartons(session, {p.id for p, _ in new}, stored)
    new.sort(key=lambda pe: (pe[0].order_id, pe[1].occurred_at, pe[1].line_no))
    session.execute(
        insert(OrderEvent),
        [event_values(p.order_id, actor, "tracking", _detail(p, e)) for p, e in new],
    )
    _settle_orders(session, actor, orders, new, latest, summary)
    return summary


def _refusal(event: CarrierEvent, parcel: _Parcel | None) -> str:
    where = f"line {event.line_no}"
    if parcel is None:
        return f"{where}: no carton has the tracking number or SSCC {event.code}"
    if parcel.status == "VOID":
        return f"{where}: carton {event.code} is void: it never left the warehouse"
    if parcel.status != "SHIPPED":
        return (
            f"{where}: carton {event.code} is {parcel.status}, not handed to the carrier yet "
            "(its manifest is not closed)"
        )
    return ""


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _parcels(session: Session, codes: set[str]) -> dict[str, _Parcel]:
    """The cartons the codes name: by tracking number, else by SSCC (with or without its
    leading (00)); a chunk of codes per statement."""
    columns = (
        Carton.id,
        Carton.order_id,
        Carton.status,
        Carton.carrier,
        Carton.tracking_number,
        Carton.sscc,
    )
    found: dict[str, _Parcel] = {}
    wanted = sorted(codes)
    for chunk in _chunks(wanted):
        for row in session.execute(select(*columns).where(Carton.tracking_number.in_(chunk))):
            found[row.tracking_number] = _parcel(row)
    by_sscc = {_sscc(code): code for code in wanted if code not in found and _sscc(code)}
    for chunk in _chunks(sorted(by_sscc)):
        for row in session.execute(select(*columns).where(Carton.sscc.in_(chunk))):
            found[by_sscc[row.sscc]] = _parcel(row)
    return found


def _parcel(row: Any) -> _Parcel:
    return _Parcel(
        row.id, row.order_id, row.status, row.carrier, row.tracking_number or "", row.sscc or ""
    )


def _sscc(code: str) -> str:
    """The SSCC a code may be: 18 digits, or 20 starting with its AI (00); else ''."""
    if code.startswith(_SSCC_AI) and len(code) == 20:
        code = code[2:]
    return code if len(code) == 18 and code.isdigit() else ""


def _lock_orders(session: Session, order_ids: list[int]) -> dict[int, Order]:
    orders: dict[int, Order] = {}
    for chunk in _chunks(order_ids):
        for order in session.scalars(
            select(Order).where(Order.id.in_(chunk)).order_by(Order.id).with_for_update()
        ):
            orders[order.id] = order
    return orders


def _stored_events(session: Session, carton_ids: list[int]) -> dict[int, set[tuple[str, datetime]]]:
    """Every event already stored for the cartons: (status, time) per carton."""
    stored: dict[int, set[tuple[str, datetime]]] = defaultdict(set)
    for chunk in _chunks(carton_ids):
        for carton_id, status, occurred_at in session.execute(
            select(TrackingEvent.carton_id, TrackingEvent.status, TrackingEvent.occurred_at).where(
                TrackingEvent.carton_id.in_(chunk)
            )
        ):
            stored[carton_id].add((status, occurred_at))
    return stored


def _update_cartons(
    session: Session, carton_ids: set[int], stored: dict[int, set[tuple[str, datetime]]]
) -> dict[int, tuple[str, datetime]]:
    """Each carton's status and time from its latest event, delivered_at from its first
    delivery; one executemany UPDATE. Returns the latest (status, time) per carton."""
    latest: dict[int, tuple[str, datetime]] = {}
    rows = []
    for carton_id in sorted(carton_ids):
        events = stored[carton_id]
        status, at = max(events, key=lambda e: latest_key(e[1], TrackingStatus(e[0])))
        delivered = [t for s, t in events if s == DELIVERED]
        returned = [t for s, t in events if s == RETURNED]
        if status == DELIVERED and returned and min(returned) <= at:
            # Delivered after it was sent back: to the warehouse, not to the customer.
            status, delivered = RETURNED, []
        latest[carton_id] = (status, at)
        rows.append(
            {
                "id": carton_id,
                "tracking_status": status,
                "tracking_at": at,
                "delivered_at": min(delivered) if delivered else None,
            }
        )
    session.execute(update(Carton), rows)
    return latest


def _detail(parcel: _Parcel, event: CarrierEvent) -> str:
    """`UPS 1Z... in_transit at Hamburg, 08 Dec 09:15: Arrived at facility`."""
    when = f"{event.occurred_at.astimezone():%d %b %H:%M}"
    where = f" at {event.location}" if event.location else ""
    said = f": {event.description}" if event.description else ""
    return f"{parcel.carrier} {parcel.code} {event.status.value}{where}, {when}{said}"


def _settle_orders(
    session: Session,
    actor: Actor,
    orders: dict[int, Order],
    new: list[tuple[_Parcel, CarrierEvent]],
    latest: dict[int, tuple[str, datetime]],
    summary: TrackingSummary,
) -> None:
    """Orders whose every shipped carton is delivered become DELIVERED (and the customer is
    told once); a new exception that is its carton's latest news tells the customer once per
    order and kind; the orders still out with an exception are named in the summary."""
    cartons: dict[int, list[tuple[int, str, str, str | None, datetime | None]]] = defaultdict(list)
    for chunk in _chunks(sorted(orders)):
        for row in session.execute(
            select(
                Carton.order_id,
                Carton.id,
                Carton.carrier,
                func.coalesce(Carton.tracking_number, Carton.sscc, ""),
                Carton.tracking_status,
                Carton.delivered_at,
            )
            .where(Carton.order_id.in_(chunk), Carton.status != "VOID")
            .order_by(Carton.order_id, Carton.seq)
        ):
            cartons[row[0]].append(tuple(row[1:]))  # type: ignore[arg-type]
    moves, delivered_messages = [], []
    for order_id, order in sorted(orders.items()):
        boxes = cartons[order_id]
        if not boxes:
            continue
        if order.status == OrderStatus.SHIPPED.value and all(
            status == DELIVERED for _, _, _, status, _ in boxes
        ):
            carrier = boxes[0][1]
            last = max(at for *_, at in boxes if at is not None)
            numbers = ", ".join(code for _, _, code, _, _ in boxes)
            moves.append(
                (order, OrderStatus.DELIVERED, "delivered", f"{carrier} delivered {numbers}")
            )
            day = last.astimezone()
            context = {
                "carrier": carrier,
                "delivered_on": f"{day:%A} {day.day} {day:%B %Y}",
                "parcels": [{"tracking_number": code} for _, _, code, _, _ in boxes],
            }
            delivered_messages.append(
                Message(Recipient.of(order), context, cartons=[c for c, *_ in boxes])
            )
            summary.orders_delivered.append(order.number)
        elif any(status in ATTENTION for _, _, _, status, _ in boxes):
            summary.orders_attention.append(order.number)
    move_orders(session, actor, moves)
    summary.messages += queue_messages(session, actor, "delivered", delivered_messages)
    summary.messages += _tell_of_exceptions(session, actor, orders, new, latest)


def _tell_of_exceptions(
    session: Session,
    actor: Actor,
    orders: dict[int, Order],
    new: list[tuple[_Parcel, CarrierEvent]],
    latest: dict[int, tuple[str, datetime]],
) -> int:
    """A `delayed` message per order and kind of exception (its latest such event), for an
    exception that is still its carton's latest news and an order not delivered."""
    chosen: dict[tuple[int, str], tuple[_Parcel, CarrierEvent]] = {}
    for parcel, event in new:
        if event.status not in NEEDS_ATTENTION:
            continue
        if latest[parcel.id] != (event.status.value, event.occurred_at):
            continue  # older news: the parcel has moved on since
        if orders[parcel.order_id].status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED):
            continue
        key = (parcel.order_id, event.status.value)
        if key not in chosen or chosen[key][1].occurred_at < event.occurred_at:
            chosen[key] = (parcel, event)
    book = carrier_book()
    messages = []
    for (order_id, status), (parcel, event) in sorted(chosen.items()):
        carrier = book.carrier(parcel.carrier)
        context = {
            "carrier": parcel.carrier,
            "tracking_number": parcel.code,
            "link": carrier.tracking_link(parcel.tracking_number) if carrier else "",
            "what": EXCEPTION_WORDS[event.status],
            "location": event.location,
            "description": event.description,
        }
        messages.append(Message(Recipient.of(orders[order_id]), context, about=status))
    return queue_messages(session, actor, "delayed", messages)

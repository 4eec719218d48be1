"""Order intake: receive and acknowledge each order, then verify it, one transaction per order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.db.engine import unit_of_work
from app.db.models import Customer, Order, OrderLine, OutboxMessage, Product
from app.domain.order_drafts import OrderDraft, RejectedOrder
from app.domain.order_files import read_orders
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.domain.tabular import FileUnusable
from app.services.actor import Actor
from app.services.timeline import record_event
from app.services.verification import Verdict, verify_loaded

FORMATS = ("shopify", "csv", "json")


@dataclass
class ImportSummary:
    """What an import did, order by order, and the exit status the command line reports."""

    received: list[Verdict] = field(default_factory=list)
    already_received: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[RejectedOrder] = field(default_factory=list)
    unusable: str | None = None
    cancelled: bool = False

    @property
    def ready(self) -> int:
        return sum(v.status is OrderStatus.READY for v in self.received)

    @property
    def on_hold(self) -> int:
        return sum(v.status is OrderStatus.ON_HOLD for v in self.received)

    @property
    def exit_code(self) -> int:
        """0 all landed, 1 some rows rejected (the rest landed), 2 the input was unusable."""
        if self.unusable is not None and not (self.received or self.already_received):
            return 2
        return 1 if self.rejected or self.unusable else 0


@dataclass(frozen=True)
class ReceiveOutcome:
    """What happened to one order draft."""

    kind: str  # "received", "already_received" or "skipped"
    verdict: Verdict | None = None
    reason: str = ""


def import_orders(
    factory: sessionmaker[Session],
    actor: Actor,
    path: Path,
    fmt: str,
    progress: Callable[[int], None] | None = None,
    cancel: Event | None = None,
) -> ImportSummary:
    """Receive every order in a file, each whole or not at all; good ones land beside bad ones."""
    actor.require(Role.SUPERVISOR)
    summary = ImportSummary()
    if fmt not in FORMATS:
        summary.unusable = f"Unknown order format '{fmt}'; use one of {', '.join(FORMATS)}."
        return summary
    try:
        _receive_all(factory, actor, read_orders(path, fmt), summary, progress, cancel)
    except FileUnusable as exc:
        summary.unusable = str(exc)
    return summary


def _receive_all(
    factory: sessionmaker[Session],
    actor: Actor,
    drafts: Iterable[OrderDraft | RejectedOrder],
    summary: ImportSummary,
    progress: Callable[[int], None] | None,
    cancel: Event | None,
) -> None:
    products = ProductCache()
    for seen, draft in enumerate(drafts, start=1):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            return
        if isinstance(draft, RejectedOrder):
            summary.rejected.append(draft)
        else:
            outcome = _receive_one(factory, actor, draft, products)
            if outcome.kind == "received":
                assert outcome.verdict is not None
                summary.received.append(outcome.verdict)
            elif outcome.kind == "already_received":
                summary.already_received.append(draft.number)
            else:
                summary.skipped.append((draft.number, outcome.reason))
        if progress is not None:
            progress(seen)


def _receive_one(
    factory: sessionmaker[Session], actor: Actor, draft: OrderDraft, products: ProductCache
) -> ReceiveOutcome:
    try:
        with unit_of_work(factory) as session:
            return receive_order(session, actor, draft, products)
    except IntegrityError:
        # Another import received the same order number between our check and our insert.
        return ReceiveOutcome("already_received")


def receive_order(
    session: Session, actor: Actor, draft: OrderDraft, products: ProductCache | None = None
) -> ReceiveOutcome:
    """Receive one order: store it whole, acknowledge it, record RECEIVED, then verify it."""
    actor.require(Role.SUPERVISOR)
    if session.scalar(select(Order.id).where(Order.number == draft.number)) is not None:
        return ReceiveOutcome("already_received")
    if draft.cancelled:
        return ReceiveOutcome("skipped", reason="cancelled before it reached the warehouse")
    if draft.fulfilled:
        return ReceiveOutcome("skipped", reason="already fulfilled")
    if not any(line.requires_shipping and not line.fulfilled_before for line in draft.lines):
        return ReceiveOutcome("skipped", reason="nothing to ship (no line needs shipping)")

    products = products or ProductCache()
    order = _new_order(session, draft, products)
    session.add(order)
    session.flush()
    record_event(
        session,
        order,
        actor,
        "received",
        f"from {draft.source} import",
        to_status=OrderStatus.RECEIVED,
    )
    _acknowledge(session, order)
    return ReceiveOutcome("received", verify_loaded(session, actor, order))


def _new_order(session: Session, draft: OrderDraft, products: ProductCache) -> Order:
    address = draft.ship_to
    return Order(
        number=draft.number,
        source=draft.source,
        status=OrderStatus.RECEIVED.value,
        customer=_customer(session, draft),
        placed_at=draft.placed_at,
        ship_by=draft.ship_by,
        priority=draft.priority,
        carrier=draft.carrier,
        service=draft.service,
        payment_status=draft.payment_status,
        currency=draft.currency,
        total=draft.total,
        email=draft.email,
        note=draft.note,
        ship_name=address.name,
        ship_company=address.company,
        ship_address1=address.address1,
        ship_address2=address.address2,
        ship_city=address.city,
        ship_region=address.region,
        ship_postal_code=address.postal_code,
        ship_country=address.country.upper(),
        ship_phone=address.phone,
        lines=[
            OrderLine(
                line_no=i,
                sku=line.sku,
                product_id=products.get(session, line.sku),
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                requires_shipping=line.requires_shipping,
                fulfilled_before=line.fulfilled_before,
            )
            for i, line in enumerate(draft.lines, start=1)
        ],
    )


def _customer(session: Session, draft: OrderDraft) -> Customer:
    email = draft.email.strip().lower() or None
    customer = (
        session.scalars(select(Customer).where(Customer.email == email)).one_or_none()
        if email
        else None
    )
    if customer is None:
        customer = Customer(email=email, name=draft.customer_name, phone=draft.ship_to.phone)
        session.add(customer)
    return customer


def _acknowledge(session: Session, order: Order) -> None:
    """Queue the customer's acknowledgement in the same transaction as the order itself."""
    if not order.email:
        return
    greeting = f"Dear {order.ship_name}," if order.ship_name else "Hello,"
    items = "\n".join(
        f"  {line.quantity} x {line.name or line.sku}" for line in order.lines if line.to_pick
    )
    session.add(
        OutboxMessage(
            order_id=order.id,
            kind="acknowledgement",
            recipient=order.email,
            subject=f"We have received your order {order.number}",
            body=(
                f"{greeting}\n\nThank you for your order {order.number}. Our warehouse has "
                f"received it and is getting it ready:\n\n{items}\n\n"
                "We will write again when it ships, with its tracking number.\n"
            ),
        )
    )


class ProductCache:
    """SKU -> product id for one import run, so 20,000 orders do not ask 60,000 times."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def get(self, session: Session, sku: str) -> int | None:
        if sku not in self._ids:
            product_id = session.scalar(select(Product.id).where(Product.sku == sku))
            if product_id is None:
                return None  # unknown now; verification asks again next time
            self._ids[sku] = product_id
        return self._ids[sku]

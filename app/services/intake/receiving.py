"""Order intake: receive and acknowledge orders, then verify them.

Orders are received in small batches, one transaction each, so a large store's day lands in
seconds while the write lock is never held long enough to stall a scan. Every order is whole
or absent: if a batch fails, its orders are retried one transaction each, so one bad order
cannot take good ones down with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from threading import Event
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import Customer, Order, OrderEvent, OrderLine, Product
from app.domain.formats.order_files import FORMATS, read_orders
from app.domain.formats.tabular import FileUnusable
from app.domain.intake_rules import draft_problem
from app.domain.iteration import chunks
from app.domain.order_drafts import LineDraft, OrderDraft, RejectedOrder
from app.domain.product_aliases import alias_key
from app.domain.roles import Role
from app.domain.states import OrderStatus
from app.services.actor import Actor
from app.services.errors import BatonError
from app.services.intake.aliases import aliased_products
from app.services.intake.verification import (
    LineFacts,
    OrderFacts,
    Verdict,
    line_label,
    verify_facts,
)
from app.services.messages.queue import Message, Recipient, queue_messages, shipped_items
from app.services.ship_to import ship_to_columns
from app.services.timeline import event_values

# Orders per transaction: large enough to amortise a commit, small enough that the write
# lock is released within a few milliseconds for the stations scanning meanwhile.
BATCH = 25
# PostgreSQL locks rows, not the database: bigger batches save round trips, while the stock
# rows a batch locks are held for only about a tenth of a second.
SERVER_BATCH = 100


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

    def add(self, draft: OrderDraft, outcome: ReceiveOutcome) -> None:
        if outcome.verdict is not None:
            self.received.append(outcome.verdict)
        elif outcome.kind == "already_received":
            self.already_received.append(draft.number)
        elif outcome.kind == "rejected":
            self.rejected.append(RejectedOrder(draft.line_no, outcome.reason, draft.number))
        else:
            self.skipped.append((draft.number, outcome.reason))


@dataclass(frozen=True)
class ReceiveOutcome:
    """What happened to one order draft."""

    kind: str  # "received", "already_received", "skipped" or "rejected"
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
        receive_all(factory, actor, read_orders(path, fmt), summary, progress, cancel)
    except FileUnusable as exc:
        summary.unusable = str(exc)
    return summary


def receive_all(
    factory: sessionmaker[Session],
    actor: Actor,
    drafts: Iterable[OrderDraft | RejectedOrder],
    summary: ImportSummary,
    progress: Callable[[int], None] | None = None,
    cancel: Event | None = None,
) -> None:
    """Receive a stream of drafts in batches, adding every outcome to `summary`."""
    actor.require(Role.SUPERVISOR)
    seen = 0
    engine = factory.kw.get("bind")
    size = SERVER_BATCH if engine is not None and engine.dialect.name == "postgresql" else BATCH
    for chunk in chunks(drafts, size):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            return
        batch: list[OrderDraft] = []
        for draft in chunk:
            if isinstance(draft, RejectedOrder):
                summary.rejected.append(draft)
            else:
                batch.append(draft)
        for draft, outcome in zip(batch, _receive_batch(factory, actor, batch), strict=True):
            summary.add(draft, outcome)
        seen += len(chunk)
        if progress is not None:
            progress(seen)


def _receive_batch(
    factory: sessionmaker[Session], actor: Actor, drafts: Sequence[OrderDraft]
) -> list[ReceiveOutcome]:
    if not drafts:
        return []
    try:
        with unit_of_work(factory) as session:
            return receive_orders(session, actor, drafts)
    except (SQLAlchemyError, BatonError):
        if len(drafts) == 1:
            return [_alone(factory, actor, drafts[0])]
    # Something in the batch failed (a race with another import, a value the database
    # refuses): receive each order alone so the failure stays with the order that caused it.
    return [_alone(factory, actor, draft) for draft in drafts]


def _alone(factory: sessionmaker[Session], actor: Actor, draft: OrderDraft) -> ReceiveOutcome:
    for attempt in range(2):
        try:
            with unit_of_work(factory) as session:
                return receive_orders(session, actor, [draft])[0]
        except BatonError as exc:
            return ReceiveOutcome("rejected", reason=exc.message)
        except SQLAlchemyError as exc:
            # A clash with another station: if it received this very order, say so; otherwise
            # (say, both created the same new customer) try once more before giving up.
            if _exists(factory, draft.number):
                return ReceiveOutcome("already_received")
            if attempt == 0 and isinstance(exc, IntegrityError | OperationalError):
                continue
            cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            return ReceiveOutcome("rejected", reason=f"the database refused this order: {cause}")
    raise AssertionError("unreachable")


def _exists(factory: sessionmaker[Session], number: str) -> bool:
    with factory() as session:
        return session.scalar(select(Order.id).where(Order.number == number)) is not None


def receive_orders(
    session: Session, actor: Actor, drafts: Sequence[OrderDraft]
) -> list[ReceiveOutcome]:
    """Receive orders in one transaction: store each whole, acknowledge it, then verify."""
    actor.require(Role.SUPERVISOR)
    known = set(
        session.scalars(select(Order.number).where(Order.number.in_([d.number for d in drafts])))
    )
    outcomes: dict[int, ReceiveOutcome] = {}
    new: list[tuple[int, OrderDraft]] = []
    for i, draft in enumerate(drafts):
        if draft.number in known:
            outcomes[i] = ReceiveOutcome("already_received")
        elif problem := draft_problem(draft):
            outcomes[i] = ReceiveOutcome("rejected", reason=problem)
        elif reason := _not_for_the_floor(draft):
            outcomes[i] = ReceiveOutcome("skipped", reason=reason)
        else:
            known.add(draft.number)  # the same number twice in one batch: the first wins
            new.append((i, draft))
    if new:
        # Scarce stock goes to the most urgent orders of the batch, not to the first in the file.
        new.sort(key=lambda item: _urgency(item[1]))
        facts = _store(session, actor, [draft for _, draft in new])
        for (i, _), verdict in zip(new, verify_facts(session, actor, facts), strict=True):
            outcomes[i] = ReceiveOutcome("received", verdict)
    return [outcomes[i] for i in range(len(drafts))]


def _urgency(draft: OrderDraft) -> tuple[bool, datetime, int]:
    cutoff = draft.ship_by or datetime.max.replace(tzinfo=UTC)
    return (draft.ship_by is None, cutoff, -draft.priority)


def _not_for_the_floor(draft: OrderDraft) -> str:
    if draft.cancelled:
        return "cancelled before it reached the warehouse"
    if draft.fulfilled:
        return "already fulfilled"
    if not any(line.requires_shipping and not line.fulfilled_before for line in draft.lines):
        return "nothing to ship (no line needs shipping)"
    return ""


def _store(session: Session, actor: Actor, drafts: Sequence[OrderDraft]) -> list[OrderFacts]:
    """Insert the orders, their lines, RECEIVED events and acknowledgements in bulk."""
    skus = {line.sku for draft in drafts for line in draft.lines if line.sku}
    product_ids: dict[str, int] = dict(
        session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all()
    )
    # A line without a SKU whose name a supervisor has mapped before gets that product.
    aliased = aliased_products(
        session, [line.name for d in drafts for line in d.lines if _without_sku(line)]
    )
    customer_ids = _customer_ids(session, drafts)
    now = clock.now()
    order_ids = session.scalars(
        insert(Order).returning(Order.id, sort_by_parameter_order=True),
        [_order_values(d, customer_ids.get(_email(d)), now) for d in drafts],
    ).all()
    lines: list[LineFacts] = []
    mapped: list[dict[str, Any]] = []
    for order_id, draft in zip(order_ids, drafts, strict=True):
        for n, line in enumerate(draft.lines, start=1):
            alias = aliased.get(alias_key(line.name)) if _without_sku(line) else None
            facts = LineFacts(
                id=0,
                line_no=n,
                sku=line.sku,
                name=line.name,
                product_id=product_ids.get(line.sku),
                quantity=line.quantity,
                to_pick=line.requires_shipping and not line.fulfilled_before,
            )
            if alias is not None:
                facts.sku, facts.product_id = alias.sku, alias.product_id
                label = line_label(n, line.name)
                detail = f"{label} mapped to {alias.sku} by the alias '{alias.alias}'"
                mapped.append(event_values(order_id, actor, "line_mapped", detail))
            lines.append(facts)
    drafted = [
        (order_id, line)
        for order_id, draft in zip(order_ids, drafts, strict=True)
        for line in draft.lines
    ]
    line_ids = session.scalars(
        insert(OrderLine).returning(OrderLine.id, sort_by_parameter_order=True),
        [
            {
                "order_id": order_id,
                "line_no": facts.line_no,
                "sku": facts.sku,
                "product_id": facts.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "requires_shipping": line.requires_shipping,
                "fulfilled_before": line.fulfilled_before,
            }
            for (order_id, line), facts in zip(drafted, lines, strict=True)
        ],
    ).all()
    session.execute(
        insert(OrderEvent),
        [
            event_values(
                order_id,
                actor,
                "received",
                f"from {d.source} import",
                to_status=OrderStatus.RECEIVED,
            )
            for order_id, d in zip(order_ids, drafts, strict=True)
        ],
    )
    if mapped:
        session.execute(insert(OrderEvent), mapped)
    queue_messages(
        session,
        actor,
        "received",
        [
            Message(
                Recipient(order_id, d.number, d.email, d.ship_to.name),
                {"items": shipped_items(d.lines)},
            )
            for order_id, d in zip(order_ids, drafts, strict=True)
        ],
    )

    lines_by_order: dict[int, list[LineFacts]] = {order_id: [] for order_id in order_ids}
    for line_id, (order_id, _), facts in zip(line_ids, drafted, lines, strict=True):
        facts.id = line_id
        lines_by_order[order_id].append(facts)
    return [
        OrderFacts(
            id=order_id,
            number=d.number,
            status=OrderStatus.RECEIVED,
            version=1,
            ship_to=replace(d.ship_to, country=d.ship_to.country.upper()),
            payment_status=d.payment_status,
            lines=lines_by_order[order_id],
        )
        for order_id, d in zip(order_ids, drafts, strict=True)
    ]


def _without_sku(line: LineDraft) -> bool:
    """A line to ship that came without a SKU: a supervisor maps it (or an alias does)."""
    return not line.sku and line.requires_shipping and not line.fulfilled_before


def _order_values(draft: OrderDraft, customer_id: int | None, now: datetime) -> dict[str, Any]:
    address = draft.ship_to
    return {
        "number": draft.number,
        "source": draft.source,
        "status": OrderStatus.RECEIVED.value,
        "customer_id": customer_id,
        "placed_at": draft.placed_at,
        "received_at": now,
        "ship_by": draft.ship_by,
        "priority": draft.priority,
        "carrier": draft.carrier,
        "service": draft.service,
        "payment_status": draft.payment_status,
        "currency": draft.currency,
        "total": draft.total,
        "email": draft.email,
        "note": draft.note,
        **ship_to_columns(address),
        "version": 1,
    }


def _email(draft: OrderDraft) -> str:
    return draft.email.strip().lower()


def _customer_ids(session: Session, drafts: Sequence[OrderDraft]) -> dict[str, int]:
    """Customer ids by e-mail for the batch: the known ones, and a new one per new address."""
    emails = {_email(d) for d in drafts} - {""}
    found = {
        email: customer_id
        for email, customer_id in session.execute(
            select(Customer.email, Customer.id).where(Customer.email.in_(emails))
        )
        if email is not None
    }
    fresh: dict[str, dict[str, Any]] = {}
    for draft in drafts:
        email = _email(draft)
        if email and email not in found and email not in fresh:
            fresh[email] = {
                "email": email,
                "name": draft.customer_name,
                "phone": draft.ship_to.phone,
            }
    if fresh:
        ids = session.scalars(
            insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
            list(fresh.values()),
        ).all()
        found.update(zip(fresh, ids, strict=True))
    return found

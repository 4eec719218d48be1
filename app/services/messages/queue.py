"""Queueing customer messages in the outbox, in the transaction of the change they report.

A message is queued at most once per order, kind and cartons (its `dedupe_key`): a retried
transaction, or carrier events imported twice, never queue it again. An order without an
e-mail address gets no message, and its timeline says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import clock
from app.db.models import Order, OrderEvent, OutboxMessage
from app.services.actor import Actor
from app.services.errors import InvalidInput
from app.services.messages.settings import ADDRESS, notify_settings
from app.services.messages.templates import render
from app.services.timeline import event_values

_KEY_LENGTH = 200  # OutboxMessage.dedupe_key


class _Line(Protocol):
    @property
    def quantity(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def sku(self) -> str: ...
    @property
    def requires_shipping(self) -> bool: ...
    @property
    def fulfilled_before(self) -> bool: ...


def shipped_items(lines: Iterable[_Line]) -> list[dict[str, Any]]:
    """An order's lines the warehouse sends, as the customer's messages list them."""
    return [
        {"quantity": line.quantity, "name": line.name or line.sku}
        for line in lines
        if line.requires_shipping and not line.fulfilled_before
    ]


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to, for which order."""

    order_id: int
    order_number: str
    email: str
    name: str

    @classmethod
    def of(cls, order: Order) -> Recipient:
        return cls(order.id, order.number, order.email or "", order.ship_name or "")


@dataclass(frozen=True)
class Message:
    """One message to queue: its customer, what its template is given, and what makes it
    the same message as one already queued (the cartons it is about, or another word)."""

    customer: Recipient
    context: Mapping[str, Any] = field(default_factory=dict)
    cartons: Sequence[int] = ()
    about: str = ""


def dedupe_key(kind: str, order_id: int, cartons: Iterable[int] = (), about: str = "") -> str:
    """The key that makes a message unique: kind, order, cartons (in any order), and `about`."""
    key = f"{kind}:{order_id}:{','.join(str(c) for c in sorted(set(cartons)))}:{about}"
    if len(key) > _KEY_LENGTH:
        key = f"{kind}:{order_id}:#{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def queue_messages(session: Session, actor: Actor, kind: str, messages: Sequence[Message]) -> int:
    """Queue `kind` messages (rendered now, from resources/messages) for their customers;
    returns how many were new. Customers without an address get a timeline event instead."""
    if not messages:
        return 0
    shop = notify_settings(session).shop()
    now = clock.now()
    rows: list[dict[str, Any]] = []
    unsent: list[dict[str, Any]] = []
    for message in messages:
        customer = message.customer
        if not ADDRESS.fullmatch(customer.email):
            shown = " ".join(customer.email.split())
            why = f"No usable e-mail address ({shown!r})" if shown else "No e-mail address"
            unsent.append(
                event_values(
                    customer.order_id,
                    actor,
                    "message_not_sent",
                    f"{why}: the customer was not sent the '{kind}' message.",
                )
            )
            continue
        row = {
            "order_id": customer.order_id,
            "kind": kind,
            "dedupe_key": dedupe_key(kind, customer.order_id, message.cartons, message.about),
            "recipient": customer.email,
            "created_at": now,
            "status": "pending",
        }
        try:
            rendered = render(
                kind,
                {
                    "shop": shop,
                    "order_number": customer.order_number,
                    "name": customer.name,
                    **message.context,
                },
            )
        except InvalidInput as exc:
            # An edited template that cannot be used must not stop the truck, the import or
            # the cancel that queues the message: the message fails, for a supervisor to see.
            row.update(
                subject=f"({kind} message for order {customer.order_number})",
                body="",
                html="",
                status="failed",
                last_error=exc.message,
            )
        else:
            row.update(subject=rendered.subject, body=rendered.text, html=rendered.html)
        rows.append(row)
    if unsent:
        session.execute(insert(OrderEvent), unsent)
    if not rows:
        return 0
    statement = _insert_new(session).returning(OutboxMessage.id)
    return len(session.execute(statement, rows).all())


def _insert_new(session: Session) -> Any:
    """INSERT that skips a row whose dedupe_key is already queued, on either database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(OutboxMessage).on_conflict_do_nothing(
            index_elements=["dedupe_key"]
        )
    return sqlite.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])

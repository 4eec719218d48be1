"""The order a person means: `#100001` and `100001` name the same order when only one exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Order
from app.services.errors import NotFound


def order_number_candidates(number: str) -> tuple[str, ...]:
    """The number as written first, then with its leading `#` added or taken away."""
    text = number.strip()
    bare = text.removeprefix("#")
    if not bare or bare.startswith("#"):
        return (text,)
    return (text, bare if bare != text else f"#{bare}")


def resolve_order_number(session: Session, number: str) -> str:
    """The stored number of the order `number` names: exactly as written if there is one,
    else with or without a leading `#` (shops write `#1001`, files often `1001`)."""
    candidates = order_number_candidates(number)
    found = set(session.scalars(select(Order.number).where(Order.number.in_(candidates))))
    for candidate in candidates:
        if candidate in found:
            return candidate
    raise NotFound(f"No order {number}.")


def lock_order(session: Session, number: str) -> Order:
    """The order `number` names, its row locked for this transaction (NotFound if none)."""
    number = resolve_order_number(session, number)
    order = session.scalars(
        select(Order).where(Order.number == number).with_for_update()
    ).one_or_none()
    if order is None:  # deleted between the two reads
        raise NotFound(f"No order {number}.")
    return order

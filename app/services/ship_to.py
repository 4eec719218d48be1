"""An order's ship-to address: the plain value and the order's `ship_*` columns, one mapping."""

from __future__ import annotations

from dataclasses import fields

from app.db.models import Order
from app.domain.order_drafts import AddressDraft

_FIELDS = tuple(f.name for f in fields(AddressDraft))


def ship_to(order: Order) -> AddressDraft:
    """The order's ship-to address as a plain value."""
    return AddressDraft(**{name: getattr(order, f"ship_{name}") for name in _FIELDS})


def ship_to_columns(address: AddressDraft) -> dict[str, str]:
    """The `ship_*` column values of an order for `address` (the country upper-cased)."""
    values = {f"ship_{name}": getattr(address, name) for name in _FIELDS}
    values["ship_country"] = address.country.upper()
    return values

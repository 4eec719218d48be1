"""What an order must satisfy before it may be stored at all (verification judges the rest)."""

from __future__ import annotations

from dataclasses import fields

from app.domain.order_drafts import AddressDraft, OrderDraft

# The widths of the database columns these values go into.
_LIMITS = {
    "number": 64,
    "carrier": 40,
    "service": 80,
    "payment_status": 30,
    "email": 255,
    "customer_name": 255,
    "name": 255,
    "company": 255,
    "address1": 255,
    "address2": 255,
    "city": 120,
    "region": 120,
    "postal_code": 32,
    "country": 60,
    "phone": 64,
    "sku": 64,
}


def draft_problem(draft: OrderDraft) -> str:
    """Why `draft` cannot be stored as it is, or "" when it can."""
    values: list[tuple[str, str]] = [
        (f.name, getattr(draft, f.name))
        for f in fields(OrderDraft)
        if isinstance(getattr(draft, f.name), str)
    ]
    values += [(f"ship-to {f.name}", getattr(draft.ship_to, f.name)) for f in fields(AddressDraft)]
    for n, line in enumerate(draft.lines, start=1):
        values += [(f"line {n} sku", line.sku), (f"line {n} name", line.name)]
    for label, value in values:
        if "\x00" in value:
            return f"{label} contains a NUL character"
        limit = _LIMITS.get(label.split()[-1])
        if limit is not None and len(value) > limit:
            return f"{label} is longer than {limit} characters"
    if draft.currency and (len(draft.currency) != 3 or not draft.currency.isalpha()):
        return f"currency '{draft.currency}' is not a three-letter code such as EUR"
    if not draft.lines:
        return "the order has no lines"
    return ""


def address_length_problem(address: AddressDraft) -> str:
    """Why an address does not fit the database, or "" when it does."""
    for f in fields(AddressDraft):
        value = getattr(address, f.name)
        if "\x00" in value:
            return f"ship-to {f.name} contains a NUL character"
        if len(value) > _LIMITS[f.name]:
            return f"ship-to {f.name} is longer than {_LIMITS[f.name]} characters"
    return ""

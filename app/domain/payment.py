"""Which payment states let an order go to the floor."""

from __future__ import annotations

PASSING = frozenset({"paid", "authorized"})

_EXPLAINED = {
    "pending": "payment is pending (not yet paid or authorised)",
    "partially_paid": "payment is only partly paid",
    "partially_refunded": "part of the payment was refunded; check which items still ship",
    "refunded": "payment was refunded",
    "voided": "payment authorisation was voided",
    "expired": "payment authorisation expired",
}


def normalise_payment_status(raw: str) -> str:
    """`Partially Paid` -> `partially_paid`: the words Shopify and our formats use."""
    return "_".join(raw.strip().lower().replace("-", " ").split())


def payment_problem(status: str) -> str | None:
    """Why `status` holds the order, or None when it may ship."""
    status = normalise_payment_status(status)
    if status in PASSING:
        return None
    if not status:
        return "payment status is missing"
    return _EXPLAINED.get(status, f"payment status '{status}' is not one Baton knows")

"""Carrier tracking: the statuses a parcel passes through (karrio's vocabulary) and what each
means for the order it belongs to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    """Where a carton is on the carrier's side, in karrio's words."""

    PENDING = "pending"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    DELIVERY_DELAYED = "delivery_delayed"
    DELIVERY_FAILED = "delivery_failed"
    ON_HOLD = "on_hold"
    RETURN_TO_SENDER = "return_to_sender"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


# A carrier exception: the order goes to the supervisor's queue "Needs attention after
# shipping", and the customer hears of it once per kind of exception.
NEEDS_ATTENTION = frozenset(
    {
        TrackingStatus.DELIVERY_DELAYED,
        TrackingStatus.DELIVERY_FAILED,
        TrackingStatus.ON_HOLD,
        TrackingStatus.RETURN_TO_SENDER,
    }
)

# How the customer is told of an exception, in plain words.
EXCEPTION_WORDS = {
    TrackingStatus.DELIVERY_DELAYED: "is delayed",
    TrackingStatus.DELIVERY_FAILED: "could not be delivered",
    TrackingStatus.ON_HOLD: "is being held by the carrier",
    TrackingStatus.RETURN_TO_SENDER: "is on its way back to us",
}

_SPELLINGS = {s.value.replace("_", ""): s for s in TrackingStatus}


def parse_status(text: str) -> TrackingStatus:
    """A status as a file gives it: case, spaces, hyphens and underscores do not matter
    ("In Transit", "in-transit", "IN_TRANSIT"). Raises ValueError naming the known ones."""
    key = "".join(ch for ch in text.casefold() if ch not in " -_")
    try:
        return _SPELLINGS[key]
    except KeyError:
        known = ", ".join(s.value for s in TrackingStatus)
        raise ValueError(f"unknown status {text!r} (known: {known})") from None


# Two events of one parcel at the same moment: the one further along its way is the latest.
_FURTHER = (
    TrackingStatus.UNKNOWN,
    TrackingStatus.PENDING,
    TrackingStatus.PICKED_UP,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.DELIVERY_DELAYED,
    TrackingStatus.ON_HOLD,
    TrackingStatus.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERY_FAILED,
    TrackingStatus.READY_FOR_PICKUP,
    TrackingStatus.RETURN_TO_SENDER,
    TrackingStatus.CANCELLED,
    TrackingStatus.DELIVERED,
)
_RANK = {status: rank for rank, status in enumerate(_FURTHER)}


def latest_key(occurred_at: datetime, status: TrackingStatus) -> tuple[datetime, int]:
    """What orders a parcel's events in time: the carrier's time, then how far along it is
    (events may arrive in any order; the latest by this key is the parcel's status)."""
    return occurred_at, _RANK[status]

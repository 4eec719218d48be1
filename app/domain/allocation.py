"""Choosing which stock rows serve an order line: earliest expiry first, then fewest stops."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby


@dataclass(frozen=True)
class StockOption:
    """Stock of the wanted product at one location, with what is not yet promised."""

    stock_id: int
    location_code: str
    available: int
    lot: str = ""
    expiry: date | None = None


@dataclass(frozen=True)
class Take:
    """Take `quantity` units from stock row `stock_id`."""

    stock_id: int
    quantity: int


def plan_allocation(quantity: int, options: Iterable[StockOption]) -> list[Take] | None:
    """The rows to take `quantity` from, or None when the options together hold too little.

    Shortest-dated stock goes first (FEFO), so lots do not expire on the shelf. Within the same
    expiry, one location that holds everything is best (one stop), taking the smallest such
    bin so big ones stay whole; otherwise the fullest bins are taken first (fewest stops).
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    usable = [o for o in options if o.available > 0]
    if sum(o.available for o in usable) < quantity:
        return None

    def expiry_key(option: StockOption) -> tuple[bool, date]:
        return (option.expiry is None, option.expiry or date.max)

    takes: list[Take] = []
    remaining = quantity
    for _, group in groupby(sorted(usable, key=expiry_key), key=expiry_key):
        batch = sorted(group, key=lambda o: o.location_code)
        covering = [o for o in batch if o.available >= remaining]
        if covering:
            best = min(covering, key=lambda o: (o.available, o.location_code))
            takes.append(Take(best.stock_id, remaining))
            return takes
        for option in sorted(batch, key=lambda o: (-o.available, o.location_code)):
            take = min(option.available, remaining)
            takes.append(Take(option.stock_id, take))
            remaining -= take
            if remaining == 0:
                return takes
    raise AssertionError("unreachable: total availability was checked above")

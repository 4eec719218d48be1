"""Order states and the transitions between them (DESIGN.md, "The order's journey")."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    ON_HOLD = "ON_HOLD"
    READY = "READY"
    RELEASED = "RELEASED"
    PICKED = "PICKED"
    SORTED = "SORTED"
    PACKED = "PACKED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    SHORT = "SHORT"
    EXCEPTION = "EXCEPTION"  # set aside at the pack bench (damaged, missing): supervisor decides
    CANCELLED = "CANCELLED"


_FORWARD: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset({OrderStatus.READY, OrderStatus.ON_HOLD}),
    OrderStatus.ON_HOLD: frozenset({OrderStatus.READY, OrderStatus.ON_HOLD}),
    OrderStatus.READY: frozenset({OrderStatus.RELEASED, OrderStatus.ON_HOLD, OrderStatus.READY}),
    OrderStatus.RELEASED: frozenset({OrderStatus.PICKED, OrderStatus.SHORT}),
    OrderStatus.PICKED: frozenset(
        {OrderStatus.SORTED, OrderStatus.PACKED, OrderStatus.SHORT, OrderStatus.EXCEPTION}
    ),
    OrderStatus.SORTED: frozenset({OrderStatus.PACKED, OrderStatus.SHORT, OrderStatus.EXCEPTION}),
    OrderStatus.EXCEPTION: frozenset({OrderStatus.PICKED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.SHORT: frozenset({OrderStatus.PICKED, OrderStatus.PACKED, OrderStatus.READY}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Verification may run on these; later states already hold picked stock.
VERIFIABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.ON_HOLD, OrderStatus.READY})

# Anything before SHIPPED may be cancelled (its stock is released).
CANCELLABLE = frozenset(
    s
    for s in OrderStatus
    if s not in {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED}
)


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    """Whether an order may go from `current` to `target`."""
    if target is OrderStatus.CANCELLED:
        return current in CANCELLABLE
    return target in _FORWARD[current]

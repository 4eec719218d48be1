"""Orders as read from a file, before they touch the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class AddressDraft:
    """A ship-to address exactly as the customer gave it (country as ISO 3166 alpha-2)."""

    name: str = ""
    company: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LineDraft:
    """One ordered product and quantity."""

    sku: str
    quantity: int
    name: str = ""
    unit_price: Decimal = Decimal("0")
    requires_shipping: bool = True
    # Shipped before the order reached Baton (a partially fulfilled order): never picked.
    fulfilled_before: bool = False


@dataclass(frozen=True)
class OrderDraft:
    """A whole order read from one import file, ready to be received."""

    number: str
    source: str
    line_no: int  # first line of the order in its file, for messages
    lines: tuple[LineDraft, ...]
    ship_to: AddressDraft = field(default_factory=AddressDraft)
    email: str = ""
    customer_name: str = ""
    placed_at: datetime | None = None
    ship_by: datetime | None = None
    priority: int = 0
    carrier: str = ""
    service: str = ""
    # Normalised to Shopify's words: paid, authorized, pending, partially_paid,
    # partially_refunded, refunded, voided, expired (anything else is held as unknown).
    payment_status: str = "paid"
    currency: str = ""
    total: Decimal = Decimal("0")
    note: str = ""
    cancelled: bool = False
    fulfilled: bool = False


@dataclass(frozen=True)
class RejectedOrder:
    """An order (or a row that belongs to none) that cannot be received, and why."""

    line_no: int
    reason: str
    number: str | None = None

    @property
    def where_and_why(self) -> str:
        """The reason led by its line once (most reasons name their line already)."""
        if self.reason.startswith("line "):
            return self.reason
        return f"line {self.line_no}: {self.reason}"

"""The floor's shared tables (SQLAlchemy 2 typed ORM).

Every change to these classes goes with an Alembic migration in `app/db/migrations/versions`;
a test compares the two so they cannot drift.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app import clock
from app.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Location(Base):
    """A storage place on the floor, e.g. `A03-12-2` (aisle 3, bay 12, level 2)."""

    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("aisle >= 1 AND bay >= 1 AND level >= 1", name="positive_coordinates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    zone: Mapped[str] = mapped_column(String(20), default="")
    aisle: Mapped[int] = mapped_column(Integer)
    bay: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    needs_count: Mapped[bool] = mapped_column(Boolean, default=False)


class Product(Base):
    """A stock-keeping unit with its physical size and weight."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    weight_g: Mapped[int] = mapped_column(Integer)
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    # What a customs declaration says about the product; "" where it is not known.
    hs_code: Mapped[str] = mapped_column(String(10), default="", server_default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    customs_description: Mapped[str] = mapped_column(String(255), default="", server_default="")

    barcodes: Mapped[list[ProductBarcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductBarcode.id"
    )


class ProductAlias(Base):
    """A product name as shops write it on lines that come without a SKU, and the product meant.

    An import gives such a line the alias's product when the names are equal, ignoring case
    and the spaces around them (`name_key`).
    """

    __tablename__ = "product_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")

    product: Mapped[Product] = relationship()
    operator: Mapped[Operator | None] = relationship()


class ProductBarcode(Base):
    """One code that identifies a product when scanned (a GTIN or an internal code)."""

    __tablename__ = "product_barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # A case or inner-pack barcode stands for this many units.
    pack_quantity: Mapped[int] = mapped_column(Integer, default=1)

    product: Mapped[Product] = relationship(back_populates="barcodes")


class Stock(Base):
    """How many units of a product (one lot) sit at a location, and how many are promised."""

    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("location_id", "product_id", "lot", name="uq_stock_location_product_lot"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_within_quantity"),
        Index("ix_stock_product_location", "product_id", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    # "" when the product is not lot-tracked, so the unique constraint holds on every database.
    lot: Mapped[str] = mapped_column(String(40), default="")
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    location: Mapped[Location] = relationship()
    product: Mapped[Product] = relationship()


class Operator(Base):
    """A person who logs in at a station by badge (or badge id + PIN)."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    pin_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Wrong PINs in a row (a right one resets them) and the last one's time: the wait before
    # the next try holds at every station. A locked badge stays locked until a supervisor
    # unlocks it; when and where it locked is kept for them.
    failed_pin_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_pin_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_station: Mapped[str] = mapped_column(String(64), default="", server_default="")


class Customer(Base):
    """Who ordered; one row per e-mail address (or per order when there is none)."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")


class Order(Base):
    """A customer order with its ship-to address as it was when the order was placed."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_status_ship_by", "status", "ship_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    carrier: Mapped[str] = mapped_column(String(40), default="")
    service: Mapped[str] = mapped_column(String(80), default="")
    payment_status: Mapped[str] = mapped_column(String(30), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    email: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    ship_name: Mapped[str] = mapped_column(String(255), default="")
    ship_company: Mapped[str] = mapped_column(String(255), default="")
    ship_address1: Mapped[str] = mapped_column(String(255), default="")
    ship_address2: Mapped[str] = mapped_column(String(255), default="")
    ship_city: Mapped[str] = mapped_column(String(120), default="")
    ship_region: Mapped[str] = mapped_column(String(120), default="")
    ship_postal_code: Mapped[str] = mapped_column(String(32), default="")
    ship_country: Mapped[str] = mapped_column(String(60), default="")
    ship_phone: Mapped[str] = mapped_column(String(64), default="")

    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.line_no"
    )
    holds: Mapped[list[OrderHold]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderHold.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", viewonly=True
    )

    # Optimistic locking: a stale write to an order fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class OrderLine(Base):
    """One product and quantity on an order, as the customer ordered it."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(64))
    # None while the SKU is unknown to the warehouse (the order is then on hold).
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    requires_shipping: Mapped[bool] = mapped_column(Boolean, default=True)
    # Shipped before the order reached Baton (a partially fulfilled order): never picked.
    fulfilled_before: Mapped[bool] = mapped_column(Boolean, default=False)

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def to_pick(self) -> bool:
        """Whether this line goes to the floor (physical, and not shipped already)."""
        return self.requires_shipping and not self.fulfilled_before

    product: Mapped[Product | None] = relationship()
    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="order_line", cascade="all, delete-orphan", order_by="Allocation.id"
    )


class Allocation(Base):
    """Units of an order line promised from one stock row (mirrored in `stock.reserved`)."""

    __tablename__ = "allocations"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    stock_id: Mapped[int] = mapped_column(ForeignKey("stock.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    order_line: Mapped[OrderLine] = relationship(back_populates="allocations")
    stock: Mapped[Stock] = relationship()


class OrderHold(Base):
    """One reason an order cannot go to the floor yet, in words a supervisor understands."""

    __tablename__ = "order_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="holds")


class OrderEvent(Base):
    """One entry of an order's append-only timeline: who did what, where and when."""

    __tablename__ = "order_events"
    # The floor's KPIs read events of one kind in a time window (shipped, picked...).
    __table_args__ = (Index("ix_order_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship(back_populates="events")
    operator: Mapped[Operator | None] = relationship()


class OutboxMessage(Base):
    """A message to a customer, written in the same transaction as the change it reports.

    `dedupe_key` (kind, order and cartons) is unique: a retry, or the same carrier events
    imported twice, never queues a second message. The relay claims a row for a while
    (`claimed_until`), sends it, and marks it sent, or backs off to `next_attempt_at` with
    the error; after a day of failures it is `failed`, for a supervisor to see.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="known_status"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)  # the plain-text part
    html: Mapped[str] = mapped_column(Text, default="")  # the HTML part
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str] = mapped_column(String(255), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WarehouseSetting(Base):
    """Business configuration shared by every station (e.g. the warehouse's scan patterns)."""

    __tablename__ = "warehouse_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PrintRecord(Base):
    """One print or reprint as it happened: what, on which printer, by whom, where and how."""

    __tablename__ = "print_records"
    __table_args__ = (CheckConstraint("outcome IN ('ok', 'failed')", name="known_outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    layout: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(255), default="")
    # The values printed, as JSON: one document's values, or a list of them for a batch, so
    # that a reprint renders exactly what was printed even after the order has changed.
    data: Mapped[str] = mapped_column(Text)
    printer: Mapped[str] = mapped_column(String(120))
    destination: Mapped[str] = mapped_column(String(500), default="")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    reprint_of: Mapped[int | None] = mapped_column(
        ForeignKey("print_records.id"), nullable=True, index=True
    )
    documents: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)

    operator: Mapped[Operator | None] = relationship()


# The picking tables live in their own module; importing it here registers them with Base.
from app.db import dispatch_models as _dispatch_models  # noqa: E402, F401
from app.db import floor_models as _floor_models  # noqa: E402, F401
from app.db import packing_models as _packing_models  # noqa: E402, F401
from app.db import picking_models as _picking_models  # noqa: E402, F401
from app.db import putwall_models as _putwall_models  # noqa: E402, F401
from app.db import tracking_models as _tracking_models  # noqa: E402, F401

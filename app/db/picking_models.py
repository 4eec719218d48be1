"""Picking tables: waves, pick lists, their stops (in route order) and the totes on a cart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.db.models import Base, Location, Operator, Order, OrderLine, Product, Stock
from app.db.types import UTCDateTime


class Wave(Base):
    """Orders released to the floor together, most urgent cutoff first."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    mode: Mapped[str] = mapped_column(String(20))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")


class PickList(Base):
    """The ordered stops one picker walks: one order, or several on a cart."""

    __tablename__ = "pick_lists"
    __table_args__ = (Index("ix_pick_lists_status_due", "status", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    # single, sort_while_pick (one tote per order) or pick_then_sort (shared totes, put wall)
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="OPEN")
    due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    picker_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    planned_m: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    stops: Mapped[list[PickStop]] = relationship(
        back_populates="pick_list", cascade="all, delete-orphan", order_by="PickStop.seq"
    )
    orders: Mapped[list[PickListOrder]] = relationship(
        back_populates="pick_list", cascade="all, delete-orphan", order_by="PickListOrder.position"
    )
    picker: Mapped[Operator | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class PickListOrder(Base):
    """An order on a pick list, its cart position and (once bound) its tote."""

    __tablename__ = "pick_list_orders"
    # An order may come back for another list after a short, so order_id is not unique here:
    # releasing takes READY orders only, row-locked, so none is ever on two live lists.
    __table_args__ = (
        UniqueConstraint("pick_list_id", "position", name="uq_pick_list_orders_position"),
        Index("ix_pick_list_orders_order_id", "order_id"),
        Index("ix_pick_list_orders_tote", "tote"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pick_list_id: Mapped[int] = mapped_column(ForeignKey("pick_lists.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    position: Mapped[int] = mapped_column(Integer)
    tote: Mapped[str | None] = mapped_column(String(40), nullable=True)

    pick_list: Mapped[PickList] = relationship(back_populates="orders")
    order: Mapped[Order] = relationship()


class PickStop(Base):
    """One visit: take `quantity` of a product (and lot) from a location, for one or more lines."""

    __tablename__ = "pick_stops"
    __table_args__ = (
        UniqueConstraint("pick_list_id", "seq", name="uq_pick_stops_pick_list_seq"),
        CheckConstraint("picked >= 0 AND picked <= quantity", name="picked_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pick_list_id: Mapped[int] = mapped_column(ForeignKey("pick_lists.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    stock_id: Mapped[int] = mapped_column(ForeignKey("stock.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    picked: Mapped[int] = mapped_column(Integer, default=0)
    # OPEN -> AT_LOCATION (location scanned) -> DONE, or SHORT (found less than planned)
    status: Mapped[str] = mapped_column(String(20), default="OPEN")

    pick_list: Mapped[PickList] = relationship(back_populates="stops")
    location: Mapped[Location] = relationship()
    product: Mapped[Product] = relationship()
    stock: Mapped[Stock] = relationship()
    tasks: Mapped[list[PickTask]] = relationship(
        back_populates="stop", cascade="all, delete-orphan", order_by="PickTask.id"
    )


class PickTask(Base):
    """The units of one order line taken at a stop, and where they were put."""

    __tablename__ = "pick_tasks"
    __table_args__ = (
        CheckConstraint("picked >= 0 AND picked <= quantity", name="picked_within_quantity"),
        CheckConstraint("placed >= 0 AND placed <= picked", name="placed_within_picked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(
        ForeignKey("pick_stops.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    picked: Mapped[int] = mapped_column(Integer, default=0)  # taken from the location
    placed: Mapped[int] = mapped_column(Integer, default=0)  # confirmed into the tote

    stop: Mapped[PickStop] = relationship(back_populates="tasks")
    order_line: Mapped[OrderLine] = relationship()

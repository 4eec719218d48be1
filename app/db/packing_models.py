"""Packing tables: box types, who packs which order, the cartons and every unit put in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.db.models import Base, Operator, Order, OrderLine
from app.db.types import UTCDateTime


class BoxType(Base):
    """A kind of shipping box on the bench: inner size, tare and the weight it may carry."""

    __tablename__ = "box_types"
    __table_args__ = (
        CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0", name="positive_dimensions"
        ),
        CheckConstraint("tare_g >= 0 AND max_weight_g > tare_g", name="sensible_weights"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the barcode on the box stack
    name: Mapped[str] = mapped_column(String(80), default="")
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    tare_g: Mapped[int] = mapped_column(Integer)
    max_weight_g: Mapped[int] = mapped_column(Integer)  # gross: contents and box
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PackJob(Base):
    """One packer packing one order: OPEN until every carton is closed (DONE) or set aside."""

    __tablename__ = "pack_jobs"
    __table_args__ = (Index("ix_pack_jobs_order_status", "order_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    packer_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")
    # OPEN -> DONE, or EXCEPTION (items set aside in a problem tote for the supervisor)
    status: Mapped[str] = mapped_column(String(20), default="OPEN")
    started_from: Mapped[str] = mapped_column(String(80), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    problem_tote: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship()
    packer: Mapped[Operator | None] = relationship()


class Carton(Base):
    """A box of one order: OPEN while it is filled, CLOSED once weighed, labelled and sealed."""

    __tablename__ = "cartons"
    __table_args__ = (
        UniqueConstraint("order_id", "seq", name="uq_cartons_order_seq"),
        Index("ix_cartons_status_closed_at", "status", "closed_at"),
        # The desk's queue "Needs attention after shipping" starts from the few cartons whose
        # latest carrier news is an exception, not from every order that ever shipped.
        Index("ix_cartons_tracking_status", "tracking_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    pack_job_id: Mapped[int] = mapped_column(ForeignKey("pack_jobs.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # carton 1, 2, ... of the order
    # OPEN -> CLOSED -> LOADED (on a truck at the dock) -> SHIPPED (its manifest closed);
    # VOID when set aside or cancelled
    status: Mapped[str] = mapped_column(String(20), default="OPEN")
    box_type_id: Mapped[int | None] = mapped_column(ForeignKey("box_types.id"), nullable=True)
    expected_weight_g: Mapped[int | None] = mapped_column(Integer, nullable=True)
    weight_g: Mapped[int | None] = mapped_column(Integer, nullable=True)  # as weighed
    weight_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    weight_override_by: Mapped[int | None] = mapped_column(
        ForeignKey("operators.id"), nullable=True
    )
    sscc: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    carrier: Mapped[str] = mapped_column(String(40), default="")
    service: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    carton_count: Mapped[int | None] = mapped_column(Integer, nullable=True)  # "n of m" at close
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")
    # At the dock: the truck's load it went onto, when and by whom (None again if unloaded).
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"), nullable=True, index=True)
    # Indexed for the dashboard's cartons loaded per hour.
    loaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    # After the handover: the carrier's latest status (app/domain/tracking.py), as of when.
    tracking_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    tracking_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    box_type: Mapped[BoxType | None] = relationship()
    items: Mapped[list[CartonItem]] = relationship(
        back_populates="carton", cascade="all, delete-orphan", order_by="CartonItem.id"
    )


class CartonItem(Base):
    """Units of an order line put in a carton by one scan (or one keyed, approved count)."""

    __tablename__ = "carton_items"
    __table_args__ = (CheckConstraint("units > 0", name="units_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    units: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    # A keyed count instead of unit scans needs a supervisor: who approved it.
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)

    carton: Mapped[Carton] = relationship(back_populates="items")
    order_line: Mapped[OrderLine] = relationship()

"""Put-wall tables: walls of slots at sort stations, and every unit put into a slot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.db.models import Base, Order
from app.db.types import UTCDateTime


class PutWall(Base):
    """A grid of slots at a sort station; each slot collects one order."""

    __tablename__ = "put_walls"
    __table_args__ = (CheckConstraint("rows >= 1 AND cols >= 1", name="has_slots"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    rows: Mapped[int] = mapped_column(Integer)
    cols: Mapped[int] = mapped_column(Integer)

    slots: Mapped[list[WallSlot]] = relationship(
        back_populates="wall", cascade="all, delete-orphan", order_by="(WallSlot.row, WallSlot.col)"
    )


class WallSlot(Base):
    """One slot: FREE, or holding an order (ASSIGNED -> FILLING -> COMPLETE) until packed."""

    __tablename__ = "wall_slots"
    __table_args__ = (
        UniqueConstraint("wall_id", "row", "col", name="uq_wall_slots_position"),
        Index("ix_wall_slots_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wall_id: Mapped[int] = mapped_column(ForeignKey("put_walls.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="FREE")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    wall: Mapped[PutWall] = relationship(back_populates="slots")
    order: Mapped[Order | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class SortPut(Base):
    """Units of an order line put into a slot: who, when (the sort's audit trail)."""

    __tablename__ = "sort_puts"
    __table_args__ = (CheckConstraint("units > 0", name="units_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("wall_slots.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    units: Mapped[int] = mapped_column(Integer)
    # Indexed for the dashboard's units sorted per hour.
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)

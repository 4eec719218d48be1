"""Dock tables: the doors trucks load at, and each truck's load (a manifest once closed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.db.models import Base
from app.db.types import UTCDateTime


class DockDoor(Base):
    """A dock door and the carrier whose truck stands at it today ("" when none)."""

    __tablename__ = "dock_doors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # the barcode on the door label
    carrier: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Load(Base):
    """The cartons going onto one truck at one door: OPEN while they are loaded, CLOSED with a
    manifest number once the driver signs for them. A door has one open load at most."""

    __tablename__ = "loads"
    __table_args__ = (
        Index(
            "uq_loads_open_door",
            "door_id",
            unique=True,
            sqlite_where=text("status = 'OPEN'"),
            postgresql_where=text("status = 'OPEN'"),
        ),
        Index("ix_loads_status_closed_at", "status", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    door_id: Mapped[int] = mapped_column(ForeignKey("dock_doors.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="OPEN")  # OPEN -> CLOSED
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")
    manifest_number: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    carton_count: Mapped[int] = mapped_column(Integer, default=0)
    total_weight_g: Mapped[int] = mapped_column(Integer, default=0)

    door: Mapped[DockDoor] = relationship()

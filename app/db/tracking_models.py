"""Carrier tracking: what the carrier said happened to each carton after the handover."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.db.models import Base
from app.db.types import UTCDateTime


class TrackingEvent(Base):
    """One carrier event for one carton. The same event (carton, status, time) is stored once
    however often a carrier's file repeats it."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("carton_id", "status", "occurred_at", name="uq_tracking_events_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # app/domain/tracking.py TrackingStatus
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(80), default="")  # the file or feed it came from
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

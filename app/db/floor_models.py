"""The floor's scan journal: one row per scan a station handled, accepted or refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.db.models import Base
from app.db.types import UTCDateTime


class ScanRecord(Base):
    """One scan at a station: who, where, at which stage, what kind, and whether it was taken.

    An accepted scan's row commits with the change the scan made; a refused scan's row is
    written on its own after the refused transaction rolled back.
    """

    __tablename__ = "scan_journal"
    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'refused')", name="known_outcome"),
        # Per operator per hour (the dashboard), and refusals by kind in a window (`baton kpi`).
        Index("ix_scan_journal_operator_id_at", "operator_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    station: Mapped[str] = mapped_column(String(64), default="")
    stage: Mapped[str] = mapped_column(String(16))  # picking, sorting, packing, dispatch, ...
    scan_kind: Mapped[str] = mapped_column(String(16))  # a ScanKind value, or 'unknown'
    outcome: Mapped[str] = mapped_column(String(8))
    refusal: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a Refusal value
    code: Mapped[str] = mapped_column(String(64), default="")
    # What the scan was checked against: the order on the bench, the pick list, the door.
    subject: Mapped[str] = mapped_column(String(64), default="", index=True)
    message: Mapped[str] = mapped_column(String(200), default="")

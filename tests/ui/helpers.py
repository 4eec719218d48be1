"""Readers shared by the screen tests: the feedback band, an order's status, a refusing printer."""

from __future__ import annotations

import socket

from sqlalchemy import select

from app.db.database import Database
from app.db.models import Order
from app.ui.feedback import FeedbackLevel
from app.ui.main_window import MainWindow


def band(window: MainWindow) -> tuple[FeedbackLevel, str]:
    """What the station's feedback band shows: its colour level and its message."""
    feedback = window.station.feedback.band
    return feedback.level, feedback.message


def order_status(database: Database, number: str) -> str:
    """The order's status as the database holds it now."""
    with database.sessions() as session:
        return session.scalars(select(Order.status).where(Order.number == number)).one()


def refused_printer() -> str:
    """A ZPL printer address on a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"zpl:127.0.0.1:{sock.getsockname()[1]}"

"""The one clock: every service, the demo and the screens read "now" here.

Time is an input. Nothing else in Baton asks the calendar, so a test freezes or moves this
clock (with time-machine) and the whole floor follows, on any date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo


def now() -> datetime:
    """Now, aware, in UTC: what every record's time is written in."""
    return datetime.now(UTC)


def local_now() -> datetime:
    """Now in the station's local time zone: what cutoffs and screens are spoken in."""
    return now().astimezone()


def today() -> date:
    """Today's date where the station stands (lots expire at the end of a local day)."""
    return local_now().date()


def local_zone() -> tzinfo:
    """The station's local time zone, as the operating system names it."""
    zone = local_now().tzinfo
    assert zone is not None  # astimezone() always attaches one
    return zone

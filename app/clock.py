"""The one clock: every service, the demo and the screens read "now" here.

Time is an input. Nothing else in Baton asks the calendar, so a test freezes or moves this
clock (with time-machine) and the whole floor follows, on any date. A simulation drives it
instead (`driven_by`): while it plays a day, "now" is the simulated moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo

Source = Callable[[], datetime]

# The source "now" is read from while a simulation drives the clock; None: the real clock.
# One per process, not per thread: a driven clock is for a process that plays a simulated
# day on its own (`baton simulate`), never for a station whose threads read the real time.
_source: Source | None = None


def now() -> datetime:
    """Now, aware, in UTC: what every record's time is written in."""
    if _source is not None:
        return _source().astimezone(UTC)
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


@contextmanager
def driven_by(source: Source) -> Iterator[None]:
    """Read "now" from `source` (an aware datetime each call) until the block ends, then
    from whatever drove the clock before (the real clock, or an outer source)."""
    global _source
    previous = _source
    _source = source
    try:
        yield
    finally:
        _source = previous

"""Cutoffs are wall-clock times where the warehouse stands: 16:00 is 16:00 on every day of the
year, daylight saving or not, and a cutoff after 16:00 on New Year's Eve is on New Year's Day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def local_moment(day: date, wall_time: time) -> datetime:
    """The aware UTC moment at which local clocks show `wall_time` on `day`."""
    # A naive datetime's astimezone() asks the operating system's zone rules for that very
    # date, so the offset is the one in force that day (not today's).
    return datetime.combine(day, wall_time).astimezone().astimezone(UTC)


def next_cutoff(placed: datetime, wall_time: time, lead: timedelta) -> datetime:
    """The first daily cutoff at `wall_time` (local) that leaves `lead` after `placed`."""
    day = placed.astimezone().date()
    while (cutoff := local_moment(day, wall_time)) < placed + lead:
        day += timedelta(days=1)
    return cutoff

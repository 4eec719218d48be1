"""The one clock: real time by default, a simulation's time while one drives it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine

from app import clock

MOMENT = datetime(2030, 3, 6, 7, 30, tzinfo=UTC)


def test_the_real_clock_follows_time_machine() -> None:
    with time_machine.travel(MOMENT, tick=False):
        assert clock.now() == MOMENT
        assert clock.local_now() == MOMENT
        assert clock.today() == MOMENT.astimezone().date()


def test_a_driven_clock_reads_its_source_and_gives_the_clock_back() -> None:
    ticks = [MOMENT]
    with time_machine.travel(MOMENT - timedelta(days=400), tick=False):
        with clock.driven_by(lambda: ticks[-1]):
            assert clock.now() == MOMENT
            ticks.append(MOMENT + timedelta(hours=3))
            assert clock.now() == MOMENT + timedelta(hours=3)
            assert clock.local_now() == MOMENT + timedelta(hours=3)
            assert clock.today() == (MOMENT + timedelta(hours=3)).astimezone().date()
        assert clock.now() == MOMENT - timedelta(days=400)


def test_a_driven_clock_speaks_utc_whatever_zone_its_source_gives() -> None:
    zoned = MOMENT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    with clock.driven_by(lambda: zoned):
        assert clock.now() == MOMENT
        assert clock.now().tzinfo is UTC


def test_nested_sources_restore_the_outer_one_even_after_an_error() -> None:
    with clock.driven_by(lambda: MOMENT):
        with pytest.raises(RuntimeError), clock.driven_by(lambda: MOMENT + timedelta(days=1)):
            assert clock.now() == MOMENT + timedelta(days=1)
            raise RuntimeError("the simulation stopped")
        assert clock.now() == MOMENT
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)

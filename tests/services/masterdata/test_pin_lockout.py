"""Wrong PINs slow a badge down and then lock it, at every station, until a supervisor unlocks it.

Each try is one committed transaction, as a station makes it; the clock is moved with
time-machine, never slept on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Operator
from app.domain.pin_policy import PinPolicy
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import BadgeLocked, NotAllowed, NotFound, PinTooSoon
from app.services.masterdata.operators import (
    PinCheck,
    add_operator,
    badge_login,
    check_pin,
    list_operators,
    pin_login,
    unlock_badge,
)
from app.services.packing.jobs import supervisor_with_badge
from tests.services.journey import run_together

SUPERVISOR = Actor.command_line()
PICKER = Actor(operator_id=7, name="Pia Picker", role=Role.PICKER, station="cart 3")
LOCKED = "Badge OP-1001 is locked after 5 wrong PINs: a supervisor must unlock it."
NOT_RECOGNISED = "Badge or PIN not recognised."


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    """The clock stopped at now: a test moves it on by hand."""
    with time_machine.travel(clock.now(), tick=False) as moving:
        yield moving


@pytest.fixture
def floor(db: Database) -> Database:
    with unit_of_work(db.sessions) as session:
        add_operator(session, SUPERVISOR, "OP-1001", "Maria Lopez", Role.PICKER, "1234")
        add_operator(session, SUPERVISOR, "OP-9001", "Alex Morgan", Role.SUPERVISOR, "9876")
    return db


def attempt(db: Database, badge: str, pin: str, station: str = "cart 3") -> PinCheck:
    """One try at a station: committed whether or not the PIN was right."""
    with unit_of_work(db.sessions) as session:
        return check_pin(session, badge, pin, station)


def refusal(check: PinCheck) -> str:
    assert check.operator is None and check.refusal is not None
    return check.refusal.message


def badge_row(db: Database, badge: str = "OP-1001") -> Operator:
    with db.sessions() as session:
        return session.scalars(select(Operator).where(Operator.badge == badge)).one()


def test_thirty_wrong_pins_in_a_burst_lock_the_badge_and_the_right_one_is_refused(
    floor: Database, traveller: time_machine.Coordinates
) -> None:
    messages = []
    for n in range(30):
        messages.append(refusal(attempt(floor, "OP-1001", f"{n:04d}")))
        traveller.shift(timedelta(milliseconds=43))  # 30 tries in 1.3 s
    assert messages[:2] == [NOT_RECOGNISED, NOT_RECOGNISED]
    assert messages[2] == "Badge or PIN not recognised: wait 5 s before trying again."
    assert messages[3] == "Too many wrong PINs: wait 10 s before trying again."
    assert messages[4:] == [LOCKED] * 26
    check = attempt(floor, "OP-1001", "1234")
    assert isinstance(check.refusal, BadgeLocked) and check.refusal.message == LOCKED
    row = badge_row(floor)
    assert row.failed_pin_attempts == 5  # tries on a locked badge are not counted further
    assert row.locked_at is not None and row.locked_station == "cart 3"
    # Locked even with the badge itself: a scan neither logs in nor approves.
    with floor.sessions() as session:
        with pytest.raises(BadgeLocked, match="locked after 5 wrong PINs"):
            badge_login(session, "OP-1001", "cart 3")
        assert [o.locked for o in list_operators(session)] == [False, True]  # by name

    # An hour on, still locked: only a supervisor ends a lock.
    traveller.shift(timedelta(hours=1))
    assert refusal(attempt(floor, "OP-1001", "1234")) == LOCKED


def test_a_supervisor_unlocks_and_then_the_right_pin_logs_in(
    floor: Database, traveller: time_machine.Coordinates
) -> None:
    for _ in range(5):
        attempt(floor, "OP-1001", "0000", "pack 2")
    locked_at = badge_row(floor).locked_at
    assert locked_at == clock.now()
    with unit_of_work(floor.sessions) as session, pytest.raises(NotAllowed):
        unlock_badge(session, PICKER, "OP-1001")
    with unit_of_work(floor.sessions) as session, pytest.raises(NotFound):
        unlock_badge(session, SUPERVISOR, "OP-4040")
    assert refusal(attempt(floor, "OP-1001", "1234")) == LOCKED
    with unit_of_work(floor.sessions) as session:
        done = unlock_badge(session, SUPERVISOR, "OP-1001")
    assert (done.locked_at, done.locked_station, done.wrong_pins) == (locked_at, "pack 2", 5)
    assert not done.operator.locked
    with unit_of_work(floor.sessions) as session:
        login = pin_login(session, "OP-1001", "1234", "cart 3")
    assert login.actor is not None and login.actor.name == "Maria Lopez"
    row = badge_row(floor)
    assert (row.failed_pin_attempts, row.locked_at, row.last_failed_pin_at) == (0, None, None)


def test_each_try_after_three_wrong_pins_waits_longer(
    floor: Database, traveller: time_machine.Coordinates
) -> None:
    for _ in range(3):
        attempt(floor, "OP-1001", "0000")
    traveller.shift(timedelta(seconds=4))
    # Too early: refused before the PIN is looked at, even the right one, and counted.
    early = attempt(floor, "OP-1001", "1234")
    assert isinstance(early.refusal, PinTooSoon)
    assert early.refusal.message == "Too many wrong PINs: wait 10 s before trying again."
    traveller.shift(timedelta(seconds=9))
    assert refusal(attempt(floor, "OP-1001", "1234", "cart 4")) == LOCKED  # the 5th try
    with unit_of_work(floor.sessions) as session:
        unlock_badge(session, SUPERVISOR, "OP-1001")

    for _ in range(3):
        attempt(floor, "OP-1001", "0000")
    traveller.shift(timedelta(seconds=4, milliseconds=999))
    with floor.sessions() as session:  # a read that is rolled back changes nothing
        assert refusal(check_pin(session, "OP-1001", "1234")) == (
            "Too many wrong PINs: wait 10 s before trying again."
        )
    traveller.shift(timedelta(milliseconds=1))
    ok = attempt(floor, "OP-1001", "1234")  # the 5 s are over: the right PIN logs in
    assert ok.accepted().name == "Maria Lopez"
    assert badge_row(floor).failed_pin_attempts == 0


def test_a_right_pin_resets_the_count(floor: Database, traveller: time_machine.Coordinates) -> None:
    for _ in range(4):
        attempt(floor, "OP-1001", "0000")
        traveller.shift(timedelta(seconds=20))
    assert attempt(floor, "OP-1001", "1234").operator is not None
    for _ in range(4):
        assert refusal(attempt(floor, "OP-1001", "0000")) != LOCKED
        traveller.shift(timedelta(seconds=20))
    assert badge_row(floor).locked_at is None


def test_wrong_pins_count_across_stations(
    floor: Database, traveller: time_machine.Coordinates
) -> None:
    for station in ("cart 1", "cart 2", "pack 1"):
        attempt(floor, "OP-1001", "0000", station)
    # Another station is held to the same wait: the count is on the badge, not the screen.
    assert refusal(attempt(floor, "OP-1001", "1234", "dock")).startswith("Too many wrong PINs")


def test_an_unknown_badge_gets_no_wait_to_give_it_away(
    floor: Database, traveller: time_machine.Coordinates
) -> None:
    for _ in range(10):
        assert refusal(attempt(floor, "OP-4040", "0000")) == NOT_RECOGNISED


def test_a_locked_supervisor_badge_approves_nothing(
    floor: Database, traveller: time_machine.Coordinates
) -> None:
    with floor.sessions() as session:
        assert supervisor_with_badge(session, "OP-9001").name == "Alex Morgan"
    for _ in range(5):
        attempt(floor, "OP-9001", "0000", "pack 1")
    with floor.sessions() as session, pytest.raises(BadgeLocked) as refused:
        supervisor_with_badge(session, "OP-9001")
    assert refused.value.message == (
        "Badge OP-9001 is locked after 5 wrong PINs: a supervisor must unlock it."
    )


def test_two_stations_racing_wrong_pins_count_every_one(db: Database) -> None:
    with unit_of_work(db.sessions) as session:
        add_operator(session, SUPERVISOR, "OP-1001", "Maria Lopez", Role.PICKER, "1234")
    # No waits and no lock within the race: only the count is under test.
    policy = PinPolicy(free_tries=100, lock_after=100)

    def hammer() -> None:
        for _ in range(6):
            with unit_of_work(db.sessions) as session:
                check_pin(session, "OP-1001", "0000", "cart", policy)

    assert run_together(hammer, hammer) == []
    assert badge_row(db).failed_pin_attempts == 12

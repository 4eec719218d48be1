"""Wrong PINs: free tries, doubling waits, the lock, and a try made too early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.pin_policy import (
    PinGate,
    PinPolicy,
    after_wrong_pin,
    locked_message,
    pin_gate,
    whole_seconds,
)

POLICY = PinPolicy(free_tries=3, lock_after=5, first_wait=timedelta(seconds=5))
T0 = datetime(2026, 12, 31, 23, 59, 58, tzinfo=UTC)  # waits run across a year's end too


@pytest.mark.parametrize(
    ("wrong", "wait"), [(0, 0), (1, 0), (2, 0), (3, 5), (4, 10), (5, 20), (6, 40)]
)
def test_waits_start_after_the_free_tries_and_double(wrong: int, wait: int) -> None:
    assert POLICY.wait_after(wrong) == timedelta(seconds=wait)


def test_counting_wrong_pins_up_to_the_lock() -> None:
    steps = []
    wrong = 0
    for _ in range(POLICY.lock_after):
        step = after_wrong_pin(POLICY, wrong)
        steps.append((step.wrong, step.locks, step.wait.total_seconds()))
        wrong = step.wrong
    assert steps == [(1, False, 0), (2, False, 0), (3, False, 5), (4, False, 10), (5, True, 0)]


def test_gate_is_open_without_wrong_pins_and_shut_when_locked() -> None:
    assert pin_gate(POLICY, 0, None, False, T0).open
    assert pin_gate(POLICY, 2, T0, False, T0).open  # within the free tries: no wait
    gate = pin_gate(POLICY, 0, None, True, T0)
    assert gate.locked and not gate.open


def test_gate_waits_from_the_last_wrong_pin() -> None:
    gate = pin_gate(POLICY, 3, T0, False, T0 + timedelta(seconds=1, milliseconds=500))
    assert not gate.open and gate.wait == timedelta(seconds=3, milliseconds=500)
    assert gate.wait_seconds == 4  # rounded up: never "wait 0 s"
    assert pin_gate(POLICY, 3, T0, False, T0 + timedelta(seconds=5)).open
    assert not pin_gate(POLICY, 4, T0, False, T0 + timedelta(seconds=9)).open
    assert pin_gate(POLICY, 4, T0, False, T0 + timedelta(seconds=10)).open


def test_a_clock_set_back_never_makes_the_wait_longer_than_the_policy() -> None:
    # A station whose clock is behind the one that wrote the last wrong PIN waits at most
    # the policy's wait.
    gate = pin_gate(POLICY, 3, T0, False, T0 - timedelta(seconds=2))
    assert gate.wait == timedelta(seconds=5)


def test_whole_seconds_and_the_lock_message() -> None:
    assert [whole_seconds(timedelta(seconds=s)) for s in (0, 0.001, 1, 1.2, 9.99)] == [
        0,
        1,
        1,
        2,
        10,
    ]
    assert PinGate().wait_seconds == 0
    assert locked_message("OP-1001", 5) == (
        "Badge OP-1001 is locked after 5 wrong PINs: a supervisor must unlock it."
    )

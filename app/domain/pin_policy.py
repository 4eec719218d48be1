"""Wrong PINs: after a few, each further try waits longer; after a run of them the badge locks.

Pure rules on a badge's count of wrong PINs in a row and the time of the last one; the
service keeps both on the operator's row, so the wait holds at every station.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PinPolicy:
    """How many wrong PINs in a row are free, how long the waits after them, when a badge locks."""

    free_tries: int = 3
    lock_after: int = 5
    first_wait: timedelta = timedelta(seconds=5)

    def wait_after(self, wrong: int) -> timedelta:
        """The wait before the next try after `wrong` wrong PINs in a row (doubling each time)."""
        if wrong < self.free_tries:
            return timedelta(0)
        return self.first_wait * (1 << (wrong - self.free_tries))


DEFAULT_POLICY = PinPolicy()


@dataclass(frozen=True)
class PinGate:
    """Whether a PIN may be tried now: locked, or the time still to wait (zero: go ahead)."""

    locked: bool = False
    wait: timedelta = timedelta(0)

    @property
    def open(self) -> bool:
        return not self.locked and self.wait <= timedelta(0)

    @property
    def wait_seconds(self) -> int:
        """The wait in whole seconds, rounded up (a person is never told 0 s)."""
        return whole_seconds(self.wait)


def whole_seconds(wait: timedelta) -> int:
    """A wait in whole seconds, rounded up: 0 only when there is nothing to wait."""
    return max(1, math.ceil(wait.total_seconds())) if wait > timedelta(0) else 0


def pin_gate(
    policy: PinPolicy,
    wrong: int,
    last_wrong_at: datetime | None,
    locked: bool,
    now: datetime,
) -> PinGate:
    """Whether a badge with `wrong` wrong PINs in a row, the last at `last_wrong_at`, may try."""
    if locked:
        return PinGate(locked=True)
    if last_wrong_at is None:
        return PinGate()
    full = policy.wait_after(wrong)
    # Stations' clocks may disagree a little: one running behind the station that wrote the
    # last wrong PIN waits at most the policy's wait, never longer.
    left = min(last_wrong_at + full - now, full)
    return PinGate(wait=max(left, timedelta(0)))


@dataclass(frozen=True)
class WrongPin:
    """What one more wrong PIN (or a try made too early) does to a badge."""

    wrong: int
    locks: bool
    wait: timedelta


def after_wrong_pin(policy: PinPolicy, wrong: int) -> WrongPin:
    """One more wrong try on top of `wrong`: the new count, whether it locks, the next wait.

    A try made before its wait is over counts as a wrong one (its PIN is not even checked):
    hammering a badge locks it sooner, never later.
    """
    count = wrong + 1
    if count >= policy.lock_after:
        return WrongPin(count, True, timedelta(0))
    return WrongPin(count, False, policy.wait_after(count))


def locked_message(badge: str, wrong: int) -> str:
    """What a locked badge is told, at login by PIN or by scan and as an approval."""
    return f"Badge {badge} is locked after {wrong} wrong PINs: a supervisor must unlock it."


def wait_message(seconds: int) -> str:
    """What a try made too early is told."""
    return f"Too many wrong PINs: wait {seconds} s before trying again."

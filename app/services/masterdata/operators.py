"""Operators: who may log in at a station, with a PIN kept only as a salted scrypt hash."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.db.models import Operator
from app.domain.pin_policy import (
    DEFAULT_POLICY,
    PinPolicy,
    after_wrong_pin,
    locked_message,
    pin_gate,
    wait_message,
    whole_seconds,
)
from app.domain.roles import Role
from app.services.actor import Actor, disabled_message
from app.services.errors import (
    BadgeLocked,
    BatonError,
    InvalidInput,
    NotFound,
    OperatorDisabled,
    PinTooSoon,
)

log = logging.getLogger(__name__)
NOT_RECOGNISED = "Badge or PIN not recognised."

# scrypt cost: about 50 ms per check on a shop-floor PC, too slow to guess 4-8 digit PINs in bulk.
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class OperatorInfo:
    """An operator as stations show it (never the PIN hash)."""

    id: int
    badge: str
    name: str
    role: Role
    active: bool
    locked_at: datetime | None = None

    @property
    def locked(self) -> bool:
        """Locked after wrong PINs: no login and no approval until a supervisor unlocks it."""
        return self.locked_at is not None


@dataclass(frozen=True)
class PinCheck:
    """A PIN tried for a badge: the operator when it was right, else the refusal to show.

    The try is recorded on the badge either way, so the caller commits in both cases and
    only then shows (or raises) the refusal.
    """

    operator: OperatorInfo | None
    refusal: BatonError | None = None

    def accepted(self) -> OperatorInfo:
        """The operator, or the refusal raised."""
        if self.operator is None:
            raise self.refusal or NotFound(NOT_RECOGNISED)
        return self.operator


@dataclass(frozen=True)
class PinLogin:
    """A login by badge id and PIN: the actor, or what the station says instead."""

    actor: Actor | None
    refusal: str = ""


@dataclass(frozen=True)
class Unlocked:
    """A badge a supervisor unlocked, with what its lock said (nothing when it had none)."""

    operator: OperatorInfo
    locked_at: datetime | None
    locked_station: str
    wrong_pins: int


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of `pin`, self-describing so its cost can change later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


_DECOY_HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 64


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the one hashed in `stored` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def add_operator(
    session: Session, actor: Actor, badge: str, name: str, role: Role, pin: str
) -> OperatorInfo:
    """Register an operator; the badge must be new and the PIN 4 to 8 digits."""
    actor.require(Role.SUPERVISOR)
    badge, name = badge.strip(), name.strip()
    if not badge or any(ch.isspace() or not ch.isprintable() for ch in badge) or len(badge) > 40:
        raise InvalidInput("A badge is 1 to 40 characters with no spaces.")
    if not name:
        raise InvalidInput("An operator needs a name.")
    # The column holds 120 characters; PostgreSQL refuses longer text and NUL outright.
    if len(name) > 120:
        raise InvalidInput("An operator's name is at most 120 characters.")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise InvalidInput("An operator's name cannot contain control characters.")
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
        raise InvalidInput("A PIN is 4 to 8 digits.")
    if session.scalar(select(Operator.id).where(Operator.badge == badge)) is not None:
        raise InvalidInput(f"Badge {badge} already belongs to an operator.")
    operator = Operator(
        badge=badge, name=name, role=role.value, pin_hash=hash_pin(pin), active=True
    )
    session.add(operator)
    session.flush()
    return _info(operator)


def list_operators(session: Session) -> list[OperatorInfo]:
    """Every operator, by name."""
    return [_info(o) for o in session.scalars(select(Operator).order_by(Operator.name))]


def find_operator(session: Session, badge: str) -> OperatorInfo:
    """The active operator with `badge`; NotFound, or OperatorDisabled for a disabled badge."""
    operator = session.scalars(select(Operator).where(Operator.badge == badge)).one_or_none()
    if operator is None:
        raise NotFound(f"No active operator has badge {badge}.")
    if not operator.active:
        raise OperatorDisabled(disabled_message(operator.badge))
    return _info(operator)


def check_pin(
    session: Session, badge: str, pin: str, station: str = "", policy: PinPolicy = DEFAULT_POLICY
) -> PinCheck:
    """Try `pin` for `badge`, counting wrong PINs on the badge's row (the caller commits).

    An unknown badge and a wrong PIN get the same message. After `policy.free_tries` wrong
    PINs in a row each try must wait longer (a try made too early is refused unchecked and
    counts as wrong); after `policy.lock_after` the badge locks until a supervisor unlocks it.
    A right PIN resets the count. The row is locked first, so tries racing from two stations
    are each counted.
    """
    operator = session.scalars(
        select(Operator).where(Operator.badge == badge).with_for_update()
    ).one_or_none()
    if operator is None or not operator.active:
        # An unknown badge costs the same hash as a wrong PIN, so timing does not tell them apart.
        pin_matches(pin, _DECOY_HASH)
        return PinCheck(None, NotFound(NOT_RECOGNISED))
    now = clock.now()
    gate = pin_gate(
        policy,
        operator.failed_pin_attempts,
        operator.last_failed_pin_at,
        operator.locked_at is not None,
        now,
    )
    if gate.locked:
        return PinCheck(None, BadgeLocked(locked_message(badge, operator.failed_pin_attempts)))
    if not gate.open:
        return PinCheck(None, _wrong_pin(operator, policy, now, station, too_soon=True))
    if not pin_matches(pin, operator.pin_hash):
        return PinCheck(None, _wrong_pin(operator, policy, now, station, too_soon=False))
    if operator.failed_pin_attempts or operator.last_failed_pin_at is not None:
        operator.failed_pin_attempts = 0
        operator.last_failed_pin_at = None
    session.flush()
    return PinCheck(_info(operator))


def _wrong_pin(
    operator: Operator, policy: PinPolicy, now: datetime, station: str, *, too_soon: bool
) -> BatonError:
    """Count one wrong try on the badge; the refusal that says what happens next."""
    step = after_wrong_pin(policy, operator.failed_pin_attempts)
    operator.failed_pin_attempts = step.wrong
    operator.last_failed_pin_at = now
    if step.locks:
        operator.locked_at = now
        operator.locked_station = station[:64]
        log.warning(
            "badge %s locked after %d wrong PINs (station %r)", operator.badge, step.wrong, station
        )
        return BadgeLocked(locked_message(operator.badge, step.wrong))
    seconds = whole_seconds(step.wait)
    if too_soon:
        return PinTooSoon(wait_message(seconds))
    if seconds:
        return NotFound(f"Badge or PIN not recognised: wait {seconds} s before trying again.")
    return NotFound(NOT_RECOGNISED)


def unlock_badge(session: Session, actor: Actor, badge: str) -> Unlocked:
    """Unlock a badge locked after wrong PINs (and clear its count): its PIN works again."""
    actor.require(Role.SUPERVISOR)
    operator = session.scalars(
        select(Operator).where(Operator.badge == badge.strip()).with_for_update()
    ).one_or_none()
    if operator is None:
        raise NotFound(f"No operator has badge {badge.strip()}.")
    locked_at, station, wrong = (
        operator.locked_at,
        operator.locked_station,
        operator.failed_pin_attempts,
    )
    operator.failed_pin_attempts = 0
    operator.last_failed_pin_at = None
    operator.locked_at = None
    operator.locked_station = ""
    session.flush()
    if locked_at is not None:
        log.warning("badge %s unlocked by %s at %s", operator.badge, actor.name, actor.station)
    return Unlocked(_info(operator), locked_at, station, wrong)


def set_active(session: Session, actor: Actor, badge: str, active: bool) -> OperatorInfo:
    """Enable or disable an operator's badge; a disabled operator's next action is refused."""
    actor.require(Role.SUPERVISOR)
    operator = session.scalars(
        select(Operator).where(Operator.badge == badge.strip())
    ).one_or_none()
    if operator is None:
        raise NotFound(f"No operator has badge {badge.strip()}.")
    operator.active = active
    session.flush()
    return _info(operator)


def _info(operator: Operator) -> OperatorInfo:
    return OperatorInfo(
        operator.id,
        operator.badge,
        operator.name,
        Role(operator.role),
        operator.active,
        operator.locked_at,
    )


def refuse_locked(operator: Operator) -> None:
    """Raise BadgeLocked when wrong PINs locked this badge (a scan does not get past a lock)."""
    if operator.locked_at is not None:
        raise BadgeLocked(locked_message(operator.badge, operator.failed_pin_attempts))


def badge_login(session: Session, badge: str, station: str) -> Actor:
    """Log in by scanning a badge: the badge is the credential on the floor (unless locked)."""
    info = find_operator(session, badge)
    operator = session.get(Operator, info.id)  # already loaded by find_operator
    assert operator is not None
    refuse_locked(operator)
    return Actor(operator_id=info.id, name=info.name, role=info.role, station=station)


def pin_login(session: Session, badge: str, pin: str, station: str) -> PinLogin:
    """Log in by typing badge id and PIN (a forgotten or damaged badge); the try is recorded,
    so the caller commits even when it is refused."""
    check = check_pin(session, badge, pin, station)
    if check.operator is None:
        return PinLogin(None, check.refusal.message if check.refusal else NOT_RECOGNISED)
    info = check.operator
    return PinLogin(Actor(operator_id=info.id, name=info.name, role=info.role, station=station))

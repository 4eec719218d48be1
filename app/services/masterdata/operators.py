"""Operators: who may log in at a station, with a PIN kept only as a salted scrypt hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Operator
from app.domain.roles import Role
from app.services.actor import Actor, disabled_message
from app.services.errors import InvalidInput, NotFound, OperatorDisabled

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


def check_pin(session: Session, badge: str, pin: str) -> OperatorInfo:
    """The operator if `pin` is theirs; the same message for an unknown badge or a wrong PIN."""
    operator = session.scalars(
        select(Operator).where(Operator.badge == badge, Operator.active)
    ).one_or_none()
    # An unknown badge costs the same hash as a wrong PIN, so timing does not tell them apart.
    stored = operator.pin_hash if operator is not None else _DECOY_HASH
    if not pin_matches(pin, stored) or operator is None:
        raise NotFound("Badge or PIN not recognised.")
    return _info(operator)


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
        operator.id, operator.badge, operator.name, Role(operator.role), operator.active
    )


def badge_login(session: Session, badge: str, station: str) -> Actor:
    """Log in by scanning a badge: the badge is the credential on the floor."""
    info = find_operator(session, badge)
    return Actor(operator_id=info.id, name=info.name, role=info.role, station=station)


def pin_login(session: Session, badge: str, pin: str, station: str) -> Actor:
    """Log in by typing badge id and PIN (a forgotten or damaged badge)."""
    info = check_pin(session, badge, pin)
    return Actor(operator_id=info.id, name=info.name, role=info.role, station=station)

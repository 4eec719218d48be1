"""Who is acting and from which station: every service call names its actor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Operator
from app.domain.roles import Role
from app.services.errors import NotAllowed, OperatorDisabled


@dataclass(frozen=True)
class Actor:
    """The logged-in operator (None for the command line) at a named station."""

    operator_id: int | None
    name: str
    role: Role
    station: str

    @classmethod
    def command_line(cls, station: str = "command line") -> Actor:
        """The `baton` command acts with supervisor rights: whoever runs it owns the database."""
        return cls(operator_id=None, name="baton command", role=Role.SUPERVISOR, station=station)

    def require(self, *roles: Role) -> None:
        """Raise NotAllowed unless the actor has one of `roles` (supervisors may do anything)."""
        if self.role is Role.SUPERVISOR or self.role in roles:
            return
        wanted = " or ".join(r.value for r in roles)
        raise NotAllowed(f"{self.name} is a {self.role.value}; this needs a {wanted}.")


def disabled_message(badge: str) -> str:
    """What a disabled operator is told, at login and on the next action."""
    return f"{badge} is disabled; a supervisor can enable the badge."


def require_active(session: Session, actor: Actor) -> None:
    """Raise OperatorDisabled when the actor's badge was disabled after logging in.

    Station actions pass through here before the service runs (the command line acts as
    no operator, so it has nothing to check).
    """
    if actor.operator_id is None:
        return
    row = session.execute(
        select(Operator.badge, Operator.active).where(Operator.id == actor.operator_id)
    ).one_or_none()
    if row is None:
        raise OperatorDisabled(f"{actor.name} is no longer an operator; ask a supervisor.")
    if not row.active:
        raise OperatorDisabled(disabled_message(row.badge))

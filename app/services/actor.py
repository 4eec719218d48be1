"""Who is acting and from which station: every service call names its actor."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.roles import Role
from app.services.errors import NotAllowed


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

"""The outbox as people see it: what was sent, what waits, what failed, and failed messages
put back to be tried again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from app.db.models import Order, OutboxMessage
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound

STATUSES = ("pending", "sent", "failed")


@dataclass(frozen=True)
class OutboxRow:
    """One message in the outbox, as plain values."""

    id: int
    kind: str
    order: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    message_id: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def outbox_rows(session: Session, status: str | None = None, limit: int = 500) -> list[OutboxRow]:
    """Messages of one status (every status when None), the newest first."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}.")
    query = (
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            func.coalesce(Order.number, "").label("order"),
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
            OutboxMessage.next_attempt_at,
            OutboxMessage.sent_at,
            OutboxMessage.message_id,
        )
        .outerjoin(Order, Order.id == OutboxMessage.order_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return [OutboxRow(**row._asdict()) for row in session.execute(query)]


def outbox_counts(session: Session) -> dict[str, int]:
    """How many messages are pending, sent and failed."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    ):
        counts[status] = count
    return counts


def retry_failed(session: Session, actor: Actor, ids: Sequence[int] = ()) -> int:
    """Put failed messages (those in `ids`, or every one when none are named) back to be sent
    at the relay's next run; a supervisor's action. Returns how many."""
    actor.require(Role.SUPERVISOR)
    query = (
        update(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        # Five more tries before it can fail again.
        .values(status="pending", attempts=0, next_attempt_at=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    if ids:
        wanted = sorted(set(ids))
        found = dict(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(wanted))
            ).all()
        )
        missing = [str(i) for i in wanted if i not in found]
        if missing:
            raise NotFound(f"No message {', '.join(missing)} in the outbox.")
        not_failed = [f"{i} is {found[i]}" for i in wanted if found[i] != "failed"]
        if not_failed:
            raise InvalidInput(f"Only failed messages are tried again: {'; '.join(not_failed)}.")
        query = query.where(OutboxMessage.id.in_(wanted))
    result = cast(CursorResult[Any], session.execute(query))
    return result.rowcount or 0

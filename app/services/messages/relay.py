"""Relaying the outbox over SMTP: claim what is due, send it, record what happened.

No database transaction is open while the SMTP server is talked to (on SQLite it would stop
every scan on the floor): due rows are claimed for a while (`claimed_until`, a lease) in one
short transaction, sent over one SMTP connection, and each outcome is written in a short
transaction of its own. Two relays at once (two supervisors' stations, or a station and
`baton outbox send --watch`) never take the same row: PostgreSQL claims with
`FOR UPDATE SKIP LOCKED`, SQLite's write transactions take turns.

A message is sent at least once and, short of a server that takes it and then drops the
connection before saying so, exactly once; its Message-ID is the same on every attempt so that
a duplicate can be recognised. A failed attempt is tried again after a wait that doubles up to
an hour; a message still not sent after five tries and a day after it was queued is `failed`,
for a supervisor.
"""

from __future__ import annotations

import os
import smtplib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.engine import unit_of_work
from app.db.models import OutboxMessage
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import WrongState
from app.services.messages.settings import PASSWORD_ENV, NotifySettings, notify_settings
from app.services.messages.smtp import (
    Outgoing,
    ServerGone,
    close,
    message_id,
    open_smtp,
    send_one,
    unusable,
)

Factory = sessionmaker[Session]
LEASE = timedelta(minutes=2)  # how long a claimed row is this relay's alone
FIRST_WAIT = timedelta(minutes=1)  # after the first failed attempt; doubled after each one
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=1)  # from when the message was queued...
GIVE_UP_ATTEMPTS = 5  # ...and after this many tries (a weekend's outage fails nothing at once)
BATCH = 100  # rows claimed at once, sent over one connection
_TABLE = cast(Table, OutboxMessage.__table__)  # for updates of many rows, each its own values
SETUP_HINT = "set one with baton notify settings --set host=... sender=..."


class RelayNotSetUp(WrongState):
    """No SMTP server (or no password for its user) is set up: nothing was claimed or sent."""


@dataclass(frozen=True)
class RelayReport:
    """One relay run: messages sent, attempts that failed, messages still waiting, and why the
    server could not be used (None when it could)."""

    sent: int
    failed: int
    pending: int
    unreachable: str | None = None

    def as_dict(self) -> dict[str, int | str | None]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "pending": self.pending,
            "unreachable": self.unreachable,
        }


def relay_outbox(
    factory: Factory,
    actor: Actor,
    *,
    limit: int | None = None,
    stop: threading.Event | None = None,
) -> RelayReport:
    """Send every message due now (at most `limit`), batch by batch; a supervisor's action, or
    the system's on a supervisor's behalf. RelayNotSetUp when no server is set up. A server
    that cannot be used stops the run and is named in the report; `stop` ends it between
    messages (the rest stays pending, untouched)."""
    actor.require(Role.SUPERVISOR)
    with factory() as session:
        settings = notify_settings(session)
    password = _password(settings)
    sent = failed = 0
    unreachable: str | None = None
    while unreachable is None and not (stop and stop.is_set()):
        size = BATCH if limit is None else min(BATCH, limit - sent - failed)
        if size <= 0:
            break
        lease = max(LEASE, timedelta(seconds=6 * settings.timeout_s))
        batch = claim_due(factory, settings, size, lease)
        if not batch:
            break
        # Stop sending while a message could still outlast the lease: SMTP's few round trips
        # each wait at most timeout_s; the rest is given back for the next batch.
        send_until = clock.now() + lease - timedelta(seconds=5 * settings.timeout_s)
        done, tried_and_failed, unreachable = _send_batch(
            factory, settings, password, batch, stop, send_until
        )
        sent += done
        failed += tried_and_failed
    with factory() as session:
        pending = session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
        )
    return RelayReport(sent, failed, pending or 0, unreachable)


def _password(settings: NotifySettings) -> str | None:
    if not settings.configured:
        raise RelayNotSetUp(f"No mail server is set up for customer messages: {SETUP_HINT}")
    if not settings.username:
        return None
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        raise RelayNotSetUp(
            f"The mail server's user {settings.username} needs a password: set {PASSWORD_ENV} "
            "in the environment of the station or command that relays."
        )
    return password


def claim_due(
    factory: Factory, settings: NotifySettings, size: int, lease: timedelta = LEASE
) -> list[Outgoing]:
    """Claim up to `size` due rows for `lease` in one short transaction; give each its lasting
    Message-ID on its first attempt."""
    now = clock.now()
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.message_id, OutboxMessage.created_at)
            .where(
                OutboxMessage.status == "pending",
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(size)
            # Two relays at once: the second skips the rows the first is claiming.
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(claimed_until=now + lease),
            execution_options={"synchronize_session": False},
        )
        new_ids = [
            {"row_id": row.id, "value": message_id(row.id, row.created_at, settings.sender)}
            for row in rows
            if not row.message_id
        ]
        if new_ids:
            session.connection().execute(
                update(_TABLE)
                .where(_TABLE.c.id == bindparam("row_id"))
                .values(message_id=bindparam("value")),
                new_ids,
            )
        claimed = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.html,
                OutboxMessage.message_id,
            )
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .order_by(OutboxMessage.id)
        ).all()
    return [Outgoing(r.id, r.recipient, r.subject, r.body, r.html, r.message_id) for r in claimed]


def _send_batch(
    factory: Factory,
    settings: NotifySettings,
    password: str | None,
    batch: Sequence[Outgoing],
    stop: threading.Event | None,
    send_until: datetime,
) -> tuple[int, int, str | None]:
    """Send a claimed batch over one connection: (sent, failed attempts, why the server could
    not be used). A server that cannot be reached fails every message of the batch once;
    one that goes away fails the message in flight, and the rest are given back untried."""
    try:
        server = open_smtp(settings, password)
    except (OSError, smtplib.SMTPException) as exc:
        unreachable = unusable(settings, exc)
        mark_attempts_failed(factory, [m.id for m in batch], unreachable)
        return 0, len(batch), unreachable
    sent = failed = 0
    untried = list(batch)
    reason: str | None = None
    try:
        while untried and not (stop is not None and stop.is_set()):
            if clock.now() > send_until:
                break
            message = untried.pop(0)
            try:
                error, permanent = send_one(server, settings, message)
            except ServerGone as gone:
                reason = str(gone)
                mark_attempts_failed(factory, [message.id], reason)
                failed += 1
                break
            if error is None:
                _record_sent(factory, message.id)
                sent += 1
            else:
                mark_attempts_failed(factory, [message.id], error, permanent=permanent)
                failed += 1
    finally:
        close(server)
        release(factory, [m.id for m in untried])
    return sent, failed, reason


def wait_after(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts: 1 minute, doubled each time, at
    most an hour."""
    wait: timedelta = FIRST_WAIT * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, LONGEST_WAIT)


def _record_sent(factory: Factory, row_id: int) -> None:
    """mark_sent, tried again while the database is busy for a moment: the server has taken
    the message, and a row left pending would be sent a second time when its lease ends."""
    for wait in (0.2, 0.5, 1.0, 2.0, 4.0):
        try:
            mark_sent(factory, row_id)
            return
        except OperationalError:
            time.sleep(wait)
    mark_sent(factory, row_id)


def mark_sent(factory: Factory, row_id: int) -> None:
    """Record that the server took the message."""
    now = clock.now()
    with unit_of_work(factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                status="sent",
                sent_at=now,
                attempts=OutboxMessage.attempts + 1,
                last_error="",
                next_attempt_at=None,
                claimed_until=None,
            ),
            execution_options={"synchronize_session": False},
        )


def mark_attempts_failed(
    factory: Factory, row_ids: Sequence[int], error: str, *, permanent: bool = False
) -> None:
    """Record a failed attempt: try again after the wait, or `failed` once a day has passed
    since the message was queued (at once when trying again is pointless)."""
    if not row_ids:
        return
    now = clock.now()
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.created_at).where(
                OutboxMessage.id.in_(row_ids), OutboxMessage.status == "pending"
            )
        ).all()
        changes = []
        for row in rows:
            attempts = row.attempts + 1
            give_up = permanent or (
                attempts >= GIVE_UP_ATTEMPTS and now - row.created_at >= GIVE_UP_AFTER
            )
            changes.append(
                {
                    "row_id": row.id,
                    "status": "failed" if give_up else "pending",
                    "attempts": attempts,
                    "last_error": error[:2000],
                    "next_attempt_at": None if give_up else now + wait_after(attempts),
                }
            )
        if changes:
            session.connection().execute(
                update(_TABLE)
                .where(_TABLE.c.id == bindparam("row_id"))
                .values(
                    status=bindparam("status"),
                    attempts=bindparam("attempts"),
                    last_error=bindparam("last_error"),
                    next_attempt_at=bindparam("next_attempt_at"),
                    claimed_until=None,
                ),
                changes,
            )


def release(factory: Factory, row_ids: Sequence[int]) -> None:
    """Give claimed rows back untried: the next relay may take them at once."""
    if not row_ids:
        return
    with unit_of_work(factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(row_ids), OutboxMessage.status == "pending")
            .values(claimed_until=None),
            execution_options={"synchronize_session": False},
        )

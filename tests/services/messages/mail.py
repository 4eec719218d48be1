"""A real SMTP server on 127.0.0.1 for the relay's tests (aiosmtpd), and outbox helpers."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from app import clock
from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import OutboxMessage
from app.services.actor import Actor
from app.services.intake.receiving import import_orders
from app.services.messages.settings import set_notify_settings
from tests.services.floor import SUPERVISOR, load_floor, write_orders

SENDER = "orders@shop.example"
RELAY = Actor.command_line("outbox relay")


@dataclass
class Mailbox:
    """What the server took: every envelope, and the rules it answers by."""

    envelopes: list[Any] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # recipients answered with 550
    drop_after: int | None = None  # close the connection at the next message after this many
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            raw = [e.content for e in self.envelopes]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]  # type: ignore[misc]

    @property
    def recipients(self) -> list[str]:
        with self.lock:
            return [r for e in self.envelopes for r in e.rcpt_tos]

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            drop = self.drop_after is not None and len(self.envelopes) >= self.drop_after
        if drop:
            server.transport.close()  # took the connection, then went away
            return "421 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Logins:
    """An authenticator that takes one user and password, and remembers who logged in."""

    user: str
    password: str
    seen: list[str] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            if (login, password) == (self.user, self.password):
                self.seen.append(login)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    mailbox: Mailbox | None = None, port: int | None = None, **options: Any
) -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server on 127.0.0.1 (a free port unless given) until the block ends."""
    box = mailbox or Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port or free_port(), **options)
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@contextmanager
def greets_then_hangs_up() -> Iterator[int]:
    """A server that answers the connection with 220, then closes it at the first command."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"220 smtp.test ESMTP\r\n")
                conn.recv(1024)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        thread.join()
        listener.close()


def set_up_relay(db: Database, port: int, **more: str) -> None:
    """Point the relay at 127.0.0.1:`port`, sending as SENDER."""
    with unit_of_work(db.sessions) as session:
        set_notify_settings(
            session,
            RELAY,
            {"host": "127.0.0.1", "port": str(port), "sender": SENDER, "timeout_s": "5", **more},
        )


def queue_plain(db: Database, count: int, start: int = 0) -> None:
    """`count` plain messages in the outbox, to customer{n}@example.com."""
    now = clock.now()
    with unit_of_work(db.sessions) as session:
        session.add_all(
            OutboxMessage(
                kind="received",
                dedupe_key=f"bench:{n}",
                recipient=f"customer{n}@example.com",
                subject=f"Message {n}",
                body=f"Hello {n}\n",
                html=f"<p>Hello {n}</p>",
                created_at=now,
                status="pending",
                attempts=0,
                last_error="",
                message_id="",
            )
            for n in range(start, start + count)
        )


def outbox(db: Database) -> list[OutboxMessage]:
    with db.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


CUSTOMERS = {
    "#1": ("ann@example.com", "Ann Lee"),
    "#2": ("zoe@example.com", "Zoë Ångström"),
    "#3": ("mallory@example.com", "<script>alert('x')</script>"),
}


def import_acknowledged(db: Database, tmp_path: Path) -> None:
    """Three orders imported from files, each customer with their own address."""
    load_floor(db)
    for number, (address, name) in CUSTOMERS.items():
        path = write_orders(
            tmp_path / f"{number[1:]}.csv",
            {number: [("MUG-BLUE", 1)]},
            email=address,
            ship_name=name,
        )
        import_orders(db.sessions, SUPERVISOR, path, "csv")
